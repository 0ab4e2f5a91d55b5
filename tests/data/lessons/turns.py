"""turns: three jobs awaited one after another."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    print(await job("a", 3))
    print(await job("b", 1))
    print(await job("c", 2))


asyncio.run(main())
