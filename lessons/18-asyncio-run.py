"""18-asyncio-run: the same two jobs under asyncio.run."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    print(name, "finished")
    return name


async def main():
    asyncio.create_task(job("background", 2), name="background")
    print("got", await job("first", 1))


asyncio.run(main())
