"""12-loop: two tickers take turns while main wakes a waiting task."""
import asyncio


async def ticker(name):
    for i in range(3):
        print(f"{name} {i}")
        await asyncio.sleep(0)


async def waiter(fut):
    print("waiter got", await fut)


async def main():
    fut = asyncio.get_running_loop().create_future()
    asyncio.create_task(waiter(fut), name="waiter")
    asyncio.create_task(ticker("A"), name="A")
    asyncio.create_task(ticker("B"), name="B")
    await asyncio.sleep(0)
    fut.set_result("x")
    print("main set the future")
    await asyncio.sleep(0)


asyncio.run(main())
