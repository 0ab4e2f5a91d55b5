"""08-cancel: a worker cancelled in the middle of its sleep."""
import asyncio


async def worker():
    print("worker starts")
    try:
        await asyncio.sleep(5)
        print("worker woke up")
    finally:
        print("worker cleans up")
    print("worker returns")


async def main():
    task = asyncio.create_task(worker(), name="worker")
    await asyncio.sleep(1)
    task.cancel()
    print("main asked to cancel")
    try:
        await task
    except asyncio.CancelledError:
        print("main saw the cancel")
    print("cancel requests:", task.cancelling())


asyncio.run(main())
