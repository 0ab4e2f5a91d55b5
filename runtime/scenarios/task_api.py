"""task_api: sleep(delay, result) returns result; a task renamed with
set_name; get_coro(); a timer's when(); cancelling a timer before it fires."""
import asyncio


def ring(name):
    print(f"{name} rang at {asyncio.get_running_loop().time()!r}")


async def nap(delay):
    return await asyncio.sleep(delay, f"slept {delay}")


async def main():
    loop = asyncio.get_running_loop()
    print(await asyncio.sleep(0, "zero"))
    task = asyncio.create_task(nap(2))
    print(f"{task.get_name()} runs {task.get_coro().__name__}()")
    task.set_name("napper")
    print(f"renamed: {task.get_name()}")
    early = loop.call_later(1, ring, "early")
    late = loop.call_later(3, ring, "late")
    print(f"timers due at {early.when()!r} and {late.when()!r}")
    print(await task)
    late.cancel()
    print(f"late cancelled: {late.cancelled()}")
    await asyncio.sleep(2)


if __name__ == "__main__":
    asyncio.run(main())
