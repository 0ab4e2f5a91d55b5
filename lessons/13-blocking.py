"""13-blocking: a ticker, and a fetch that calls a blocking function."""
import asyncio
import time


def slow_io():
    time.sleep(2)
    return "data"


async def ticker():
    for i in range(4):
        print("tick", i)
        await asyncio.sleep(0.5)


async def fetch():
    result = slow_io()
    print("fetched", result)


async def main():
    await asyncio.gather(asyncio.create_task(ticker(), name="ticker"),
                         asyncio.create_task(fetch(), name="fetch"))


asyncio.run(main())
