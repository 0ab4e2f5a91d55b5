"""gather_cancel: cancelling a gather cancels its unfinished children."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    group = asyncio.gather(job("a", 3), job("b", 1))
    await asyncio.sleep(2)
    print(f"cancel() returned {group.cancel()}")
    try:
        await group
    except asyncio.CancelledError:
        print("gather was cancelled")


if __name__ == "__main__":
    asyncio.run(main())
