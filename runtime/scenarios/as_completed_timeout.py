"""as_completed_timeout: results in completion order until the timeout expires."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    tasks = [asyncio.create_task(job("a", 3), name="a"),
             asyncio.create_task(job("b", 1), name="b"),
             asyncio.create_task(job("c", 5), name="c")]
    try:
        for next_done in asyncio.as_completed(tasks, timeout=4):
            print(await next_done)
    except TimeoutError:
        print("timed out")
    tasks[2].cancel()


if __name__ == "__main__":
    asyncio.run(main())
