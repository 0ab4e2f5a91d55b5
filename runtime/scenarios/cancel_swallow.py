"""cancel_swallow: a task that catches CancelledError goes on and returns normally."""
import asyncio


async def stubborn():
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        print("cancel caught, carrying on")
        asyncio.current_task().uncancel()
    await asyncio.sleep(1)
    return "finished anyway"


async def main():
    task = asyncio.create_task(stubborn(), name="stubborn")
    await asyncio.sleep(1)
    task.cancel()
    print(await task)
    print(f"cancelled={task.cancelled()} cancelling={task.cancelling()}")


if __name__ == "__main__":
    asyncio.run(main())
