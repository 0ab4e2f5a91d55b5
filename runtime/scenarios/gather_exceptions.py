"""gather_exceptions: with return_exceptions=True a failure is just another result."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def fail(delay):
    await asyncio.sleep(delay)
    raise ValueError("boom")


async def main():
    results = await asyncio.gather(job("a", 1), fail(2), job("c", 3),
                                   return_exceptions=True)
    print(results)


if __name__ == "__main__":
    asyncio.run(main())
