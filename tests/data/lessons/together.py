"""together: a solution that meets the task's goal."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    for name in await asyncio.gather(job("a", 3), job("b", 1), job("c", 2)):
        print(name)


asyncio.run(main())
