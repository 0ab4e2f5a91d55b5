"""taskgroup_cancel: cancelling the task that runs a TaskGroup cancels the
children still running, and the block raises CancelledError."""
import asyncio


async def worker(name, delay):
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        raise
    print(f"{name} finished")


async def body():
    async with asyncio.TaskGroup() as tg:
        tg.create_task(worker("quick", 1))
        tg.create_task(worker("slow", 10))
        await asyncio.sleep(10)
    print("never printed")


async def main():
    task = asyncio.create_task(body())
    await asyncio.sleep(2)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError:
        print(f"body cancelled={task.cancelled()}")


if __name__ == "__main__":
    asyncio.run(main())
