"""01-turns: three jobs made first, then awaited one after another."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    print(f"{name} done")


async def main():
    a = job("a", 3)
    b = job("b", 1)
    c = job("c", 2)
    await a
    await b
    await c


asyncio.run(main())
