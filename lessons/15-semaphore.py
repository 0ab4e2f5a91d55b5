"""15-semaphore: ten one-second downloads, at most three at a time."""
import asyncio


async def download(n, limit):
    async with limit:
        print(f"start {n}")
        await asyncio.sleep(1)
    return n


async def main():
    limit = asyncio.Semaphore(3)
    tasks = [asyncio.create_task(download(n, limit), name=f"d{n}")
             for n in range(10)]
    print("got", await asyncio.gather(*tasks))


asyncio.run(main())
