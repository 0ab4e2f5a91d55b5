"""03-ensure: ensure_future given a coroutine, a task and a future."""
import asyncio


async def work(name):
    print(f"{name} starts")
    await asyncio.sleep(1)
    return name


async def main():
    loop = asyncio.get_running_loop()
    wrapped = asyncio.ensure_future(work("wrapped"))
    made = asyncio.create_task(work("made"), name="made")
    again = asyncio.ensure_future(made)
    fut = loop.create_future()
    same = asyncio.ensure_future(fut)
    print("task kept:", again is made)
    print("future kept:", same is fut)
    loop.call_later(2, fut.set_result, "filled")
    print(await wrapped, await again, await same)


asyncio.run(main())
