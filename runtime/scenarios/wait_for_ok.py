"""wait_for_ok: jobs that beat their deadline -- a coroutine, a task, and
timeout=None, which is a plain await with no task and no timer."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    loop = asyncio.get_running_loop()
    result = await asyncio.wait_for(job("fast", 1), timeout=3)
    print(f"got {result} at {loop.time()}")
    task = asyncio.create_task(job("task", 2))
    result = await asyncio.wait_for(task, timeout=5)
    print(f"got {result} at {loop.time()}")
    result = await asyncio.wait_for(job("plain", 1), timeout=None)
    print(f"got {result} at {loop.time()}")


if __name__ == "__main__":
    asyncio.run(main())
