"""overlap: one job awaited, then two gathered; prints its arguments first."""
import asyncio
import sys


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    print("args", sys.argv[1:])
    print(await job("a", 2))
    print(await asyncio.gather(job("b", 1), job("c", 1)))


asyncio.run(main())
