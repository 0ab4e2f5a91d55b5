"""blocking_call: time.sleep(2) inside a coroutine holds the whole loop; the
ticker's timers come due but nothing runs until main gives control back."""
import asyncio
import time


async def ticker():
    loop = asyncio.get_running_loop()
    for i in range(4):
        print(f"tick {i} at {loop.time()!r}")
        await asyncio.sleep(0.5)


async def main():
    t = asyncio.create_task(ticker(), name="ticker")
    await asyncio.sleep(0)
    print("main blocks the loop for 2 s")
    time.sleep(2)
    print("main unblocks")
    await t


if __name__ == "__main__":
    asyncio.run(main())
