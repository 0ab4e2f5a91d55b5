"""taskgroup_ok: the async with block does not end before its children do."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    loop = asyncio.get_running_loop()
    async with asyncio.TaskGroup() as tg:
        a = tg.create_task(job("a", 2))
        b = tg.create_task(job("b", 1))
        print("body done, waiting for the children")
    print(f"results: {a.result()} {b.result()} at {loop.time()}")


if __name__ == "__main__":
    asyncio.run(main())
