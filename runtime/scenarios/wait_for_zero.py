"""wait_for_zero: timeout=0 returns a finished task's result at once, and
cancels anything unfinished -- here a coroutine that never gets to run."""
import asyncio


async def job(name, delay):
    print(f"{name} runs")
    await asyncio.sleep(delay)
    return name


async def main():
    task = asyncio.create_task(job("early", 0))
    await task
    print(f"finished task: {await asyncio.wait_for(task, timeout=0)}")
    try:
        await asyncio.wait_for(job("never", 0), timeout=0)
    except TimeoutError:
        print("unfinished coroutine: TimeoutError")


if __name__ == "__main__":
    asyncio.run(main())
