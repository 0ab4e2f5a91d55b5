"""10-timeout-solution: the two steps side by side, inside the deadline."""
import asyncio


async def step(name):
    await asyncio.sleep(0.6)
    print(name, "done")


async def main():
    try:
        async with asyncio.timeout(1):
            try:
                await asyncio.gather(step("first"), step("second"))
            except TimeoutError:
                print("caught inside the block")
            print("end of the block")
    except TimeoutError:
        print("caught outside the block")
    print("main goes on")


asyncio.run(main())
