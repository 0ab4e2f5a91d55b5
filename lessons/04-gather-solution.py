"""04-gather-solution: failures kept in the list, then written as text."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    print(f"{name} finished")
    return name


async def fail(name, delay):
    await asyncio.sleep(delay)
    raise ValueError(name)


async def main():
    jobs = [job("a", 3), fail("b", 1), job("c", 2)]
    results = await asyncio.gather(*jobs, return_exceptions=True)
    print([f"failed: {r}" if isinstance(r, Exception) else r for r in results])


asyncio.run(main())
