"""11-callbacks: done callbacks on a future that another task fills."""
import asyncio


def report(fut):
    print("report sees", fut.result())


def late(fut):
    print("late callback runs")


async def resolver(fut):
    await asyncio.sleep(1)
    fut.set_result(42)
    print("result set")


async def main():
    fut = asyncio.get_running_loop().create_future()
    fut.add_done_callback(report)
    asyncio.create_task(resolver(fut), name="resolver")
    print("main got", await fut)
    fut.add_done_callback(late)
    print("late callback added")


asyncio.run(main())
