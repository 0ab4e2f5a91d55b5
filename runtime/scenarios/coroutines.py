"""coroutines: gather and as_completed take coroutine objects and wrap each
in a task; wait() in 3.11 refuses them."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    print(await asyncio.gather(job("a", 2), job("b", 1)))
    for next_done in asyncio.as_completed([job("c", 2), job("d", 1)]):
        print(f"as_completed: {await next_done}")
    coro = job("e", 1)
    try:
        await asyncio.wait([coro])
    except TypeError as e:
        print(f"wait: {e!r}")
    print(f"awaited anyway: {await coro}")


if __name__ == "__main__":
    asyncio.run(main())
