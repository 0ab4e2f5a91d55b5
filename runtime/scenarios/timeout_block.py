"""timeout_block: async with asyncio.timeout() -- a deadline moved once with
reschedule() and then missed, and a timeout_at() block that ends in time."""
import asyncio


async def main():
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(2) as cm:
            print(f"deadline {cm.when()}")
            cm.reschedule(loop.time() + 3)
            print(f"moved to {cm.when()}")
            await asyncio.sleep(10)
            print("never printed")
    except TimeoutError:
        print(f"TimeoutError at {loop.time()}, expired={cm.expired()}")
    async with asyncio.timeout_at(loop.time() + 5) as cm2:
        await asyncio.sleep(1)
    print(f"in time at {loop.time()}, expired={cm2.expired()}")


if __name__ == "__main__":
    asyncio.run(main())
