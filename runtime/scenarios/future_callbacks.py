"""future_callbacks: a bare future resolved by another task, with done callbacks."""
import asyncio


def report(fut):
    print(f"callback sees {fut.result()}")


def late(fut):
    print("late callback runs too")


async def resolver(fut):
    await asyncio.sleep(1)
    print("resolver sets the result")
    fut.set_result(42)


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.add_done_callback(report)
    asyncio.create_task(resolver(fut), name="resolver")
    print(f"main got {await fut}")
    fut.add_done_callback(late)
    await asyncio.sleep(0)


if __name__ == "__main__":
    asyncio.run(main())
