"""07-taskgroup: three children in a TaskGroup; one of them fails."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    print(f"{name} finished")


async def fail(delay):
    await asyncio.sleep(delay)
    raise ValueError("f failed")


async def main():
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(job("a", 3), name="a")
            group.create_task(fail(1), name="f")
            group.create_task(job("c", 2), name="c")
    except Exception as exc:
        print("main caught", type(exc).__name__)
    await asyncio.sleep(3)


asyncio.run(main())
