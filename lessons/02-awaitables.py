"""02-awaitables: a coroutine, a task and a future, each awaited."""
import asyncio


async def work(name):
    print(f"{name} starts")
    await asyncio.sleep(1)
    return name


async def main():
    loop = asyncio.get_running_loop()
    coro = work("coro")
    task = asyncio.create_task(work("task"), name="task")
    fut = loop.create_future()
    loop.call_later(2, fut.set_result, "fut")
    print("main waits")
    await asyncio.sleep(0)
    print(await coro, await task, await fut)


asyncio.run(main())
