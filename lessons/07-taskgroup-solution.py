"""07-taskgroup-solution: the group's ValueError picked out with except*."""
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
    except* ValueError as group_error:
        for exc in group_error.exceptions:
            print("main caught", exc)
    await asyncio.sleep(3)


asyncio.run(main())
