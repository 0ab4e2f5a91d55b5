"""04-gather: three jobs under one gather; main prints its result."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    print(f"{name} finished")
    return name


async def main():
    results = await asyncio.gather(job("a", 3), job("b", 1), job("c", 2))
    print(results)


asyncio.run(main())
