"""ensure_future: a coroutine becomes a new task; a task or a future comes
back as the very same object. create_task only ever takes a coroutine."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    loop = asyncio.get_running_loop()
    t1 = asyncio.ensure_future(job("from a coroutine", 1))
    print(f"coroutine -> new task {t1.get_name()}")
    t2 = asyncio.create_task(job("from create_task", 2))
    print(f"task -> same object: {asyncio.ensure_future(t2) is t2}")
    fut = loop.create_future()
    print(f"future -> same object: {asyncio.ensure_future(fut) is fut}")
    loop.call_later(1.5, fut.set_result, "from a future")
    print(await t1)
    print(await fut)
    print(await t2)


if __name__ == "__main__":
    asyncio.run(main())
