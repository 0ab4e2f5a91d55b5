"""set_order: where CPython iterates a set, its order follows object
addresses. A TaskGroup aborting three children, and wait() returning a set of
three tasks that finished together: the same events, in an order that may
change from run to run."""
import asyncio


async def worker(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        raise
    return name


async def fail():
    await asyncio.sleep(1)
    raise ValueError("boom")


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            for name in ("x", "y", "z"):
                tg.create_task(worker(name, 5))
            tg.create_task(fail())
    except ExceptionGroup as eg:
        print(f"caught {eg!r}")
    tasks = [asyncio.create_task(worker(name, 1)) for name in ("p", "q", "r")]
    done, pending = await asyncio.wait(tasks)
    for task in done:
        print(f"done: {task.result()}")
    print(f"{len(done)} done, {len(pending)} pending")


if __name__ == "__main__":
    asyncio.run(main())
