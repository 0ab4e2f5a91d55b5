"""still_slow: an attempt that misses the goal (awaits still take turns)."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    a = await job("a", 3)
    b = await job("b", 1)
    c = await job("c", 2)
    print(a)
    print(b)
    print(c)


asyncio.run(main())
