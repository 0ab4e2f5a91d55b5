"""16-lock: three tasks add one to a shared counter, with a pause."""
import asyncio
import contextlib

counter = 0


async def add_one(guard):
    global counter
    async with guard:
        value = counter
        await asyncio.sleep(0)
        counter = value + 1


async def main():
    guard = contextlib.nullcontext()
    await asyncio.gather(*(add_one(guard) for _ in range(3)))
    print("counter", counter)


asyncio.run(main())
