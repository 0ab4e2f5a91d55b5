"""wait_for_timeout: wait_for cancels a slow job when the deadline passes and
waits for the job's cleanup to finish before raising TimeoutError."""
import asyncio


async def slow():
    try:
        await asyncio.sleep(5)
    except asyncio.CancelledError:
        print("slow: cancelled, cleaning up")
        await asyncio.sleep(1)
        print("slow: cleanup done")
        raise
    return "slow result"


async def main():
    loop = asyncio.get_running_loop()
    try:
        await asyncio.wait_for(slow(), timeout=2)
    except TimeoutError:
        print(f"TimeoutError at {loop.time()}")


if __name__ == "__main__":
    asyncio.run(main())
