"""create_task: a task started before a plain await overlaps with it (2 s, not 4 s)."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    background = asyncio.create_task(job("x", 2))
    print(await job("y", 2))
    print(await background)
    print(await job("z", 1))


if __name__ == "__main__":
    asyncio.run(main())
