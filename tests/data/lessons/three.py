"""three: main gathers three jobs."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    print(await asyncio.gather(job("a", 2), job("b", 1), job("c", 3)))


asyncio.run(main())
