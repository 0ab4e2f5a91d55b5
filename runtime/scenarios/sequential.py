"""sequential: three jobs awaited one after another as plain coroutines (6 s)."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    print(await job("a", 3))
    print(await job("b", 1))
    print(await job("c", 2))


if __name__ == "__main__":
    asyncio.run(main())
