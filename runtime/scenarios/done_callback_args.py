"""done_callback_args: done callbacks with an extra argument bound by
functools.partial, on a future and on a task, run in registration order."""
import asyncio
import functools


def report(label, fut):
    print(f"{label}: {fut.result()}")


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    fut.add_done_callback(functools.partial(report, "first"))
    fut.add_done_callback(functools.partial(report, "second"))
    task = asyncio.create_task(job("job", 2))
    task.add_done_callback(functools.partial(report, "task"))
    loop.call_later(1, fut.set_result, 42)
    print(f"main got {await fut}")
    print(f"main got {await task}")


if __name__ == "__main__":
    asyncio.run(main())
