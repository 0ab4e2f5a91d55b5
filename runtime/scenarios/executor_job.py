"""executor_job: the same blocking work on a two-worker thread pool via
run_in_executor; the ticker keeps ticking while the jobs run."""
import asyncio
import concurrent.futures
import time


def blocking_io(n):
    time.sleep(2)
    return n * 10


async def ticker():
    loop = asyncio.get_running_loop()
    for i in range(4):
        print(f"tick {i} at {loop.time()!r}")
        await asyncio.sleep(0.5)


async def main():
    loop = asyncio.get_running_loop()
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=2)
    t = asyncio.create_task(ticker(), name="ticker")
    jobs = [loop.run_in_executor(pool, blocking_io, n) for n in (1, 2, 3)]
    print(await asyncio.gather(*jobs))
    await t
    pool.shutdown()


if __name__ == "__main__":
    asyncio.run(main())
