"""semaphore_downloads: ten downloads, at most three at a time, limited by a
Semaphore(3) -- the rate-limit pattern."""
import asyncio


async def download(sem, n):
    async with sem:
        print(f"start {n}")
        await asyncio.sleep(1 + n % 3)
        print(f"done {n}")
    return n * 10


async def main():
    sem = asyncio.Semaphore(3)
    results = await asyncio.gather(*(download(sem, n) for n in range(10)))
    print(results)


if __name__ == "__main__":
    asyncio.run(main())
