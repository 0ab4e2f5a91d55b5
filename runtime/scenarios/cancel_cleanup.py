"""cancel_cleanup: cancel() is delivered at the await point; finally still runs."""
import asyncio


async def worker():
    try:
        print("worker starts")
        await asyncio.sleep(5)
        print("never printed")
    finally:
        print("worker cleans up")
        await asyncio.sleep(1)
        print("cleanup done")


async def main():
    task = asyncio.create_task(worker(), name="worker")
    await asyncio.sleep(1)
    task.cancel("stop now")
    print(f"cancelling={task.cancelling()}")
    try:
        await task
    except asyncio.CancelledError as exc:
        print(f"worker cancelled: {exc}")
    print(f"cancelled={task.cancelled()}")


if __name__ == "__main__":
    asyncio.run(main())
