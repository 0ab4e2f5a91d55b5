"""10-timeout: two steps of 0.6 s inside a one-second timeout()."""
import asyncio


async def step(name):
    await asyncio.sleep(0.6)
    print(name, "done")


async def main():
    try:
        async with asyncio.timeout(1):
            try:
                await step("first")
                await step("second")
            except TimeoutError:
                print("caught inside the block")
            print("end of the block")
    except TimeoutError:
        print("caught outside the block")
    print("main goes on")


asyncio.run(main())
