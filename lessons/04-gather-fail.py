"""04-gather-fail: one of three jobs under gather raises."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    print(f"{name} finished")
    return name


async def fail(name, delay):
    await asyncio.sleep(delay)
    raise ValueError(name)


async def main():
    try:
        jobs = [job("a", 3), fail("b", 1), job("c", 2)]
        print(await asyncio.gather(*jobs))
    except ValueError as exc:
        print(f"main caught {exc!r}")
    await asyncio.sleep(3)


asyncio.run(main())
