"""taskgroup_fail: one child fails; the sibling still running and the body are
cancelled, and the failure leaves the block inside an ExceptionGroup."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def fail(delay):
    await asyncio.sleep(delay)
    raise ValueError("boom")


async def worker(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        raise
    print(f"{name} finished")


async def main():
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(job("a", 1))
            tg.create_task(fail(2))
            tg.create_task(worker("c", 5))
            try:
                await asyncio.sleep(10)
            except asyncio.CancelledError:
                print("body cancelled")
                raise
    except ExceptionGroup as eg:
        print(f"caught {eg!r}")
    print(f"main goes on, cancelling={asyncio.current_task().cancelling()}")


if __name__ == "__main__":
    asyncio.run(main())
