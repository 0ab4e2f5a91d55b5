"""gather: the same three jobs run concurrently by gather (3 s); results in argument order."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    results = await asyncio.gather(job("a", 3), job("b", 1), job("c", 2))
    print(results)


if __name__ == "__main__":
    asyncio.run(main())
