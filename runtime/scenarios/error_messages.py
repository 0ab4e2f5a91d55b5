"""error_messages: what a program sees when it gets things wrong -- the
exceptions asyncio raises, their messages and reprs, as a student prints
them."""
import asyncio


def show(what, fn):
    try:
        fn()
    except BaseException as e:
        print(f"{what}: {e!r}")


async def idle():
    await asyncio.sleep(0)


async def nap(delay):
    await asyncio.sleep(delay)


async def fail(msg):
    raise ValueError(msg)


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    show("result() while pending", fut.result)
    show("exception() while pending", fut.exception)
    fut.set_result(1)
    show("set_result() twice", lambda: fut.set_result(2))
    show("set_exception() when done", lambda: fut.set_exception(ValueError()))
    show("set_exception(StopIteration())", lambda: loop.create_future().set_exception(StopIteration()))
    cancelled = loop.create_future()
    cancelled.cancel("no longer needed")
    show("result() when cancelled", cancelled.result)

    queue = asyncio.Queue(maxsize=1)
    queue.put_nowait("x")
    show("put_nowait() on a full queue", lambda: queue.put_nowait("y"))
    queue.get_nowait()
    show("get_nowait() on an empty queue", queue.get_nowait)
    queue.task_done()
    show("task_done() too often", queue.task_done)

    show("Lock.release() unlocked", asyncio.Lock().release)
    show("BoundedSemaphore.release() too often", asyncio.BoundedSemaphore(1).release)
    cond = asyncio.Condition()
    show("Condition.notify() unlocked", cond.notify)
    try:
        await cond.wait()
    except RuntimeError as e:
        print(f"Condition.wait() unlocked: {e!r}")

    async with asyncio.TaskGroup() as tg:
        tg.create_task(idle())
    coro = idle()
    show("create_task() on a finished TaskGroup", lambda: tg.create_task(coro))
    coro.close()
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(fail("one"))
            tg.create_task(fail("two"))
    except ExceptionGroup as eg:
        print(f"ExceptionGroup repr: {eg!r}")
        print(f"ExceptionGroup str: {eg}")

    try:
        async with asyncio.timeout(0.5) as cm:
            await asyncio.sleep(1)
    except TimeoutError as e:
        print(f"timeout(): {e!r} from {e.__cause__!r}")
    show("reschedule() after it expired", lambda: cm.reschedule(None))
    try:
        await asyncio.wait_for(nap(1), 0.5)
    except TimeoutError as e:
        print(f"wait_for(): {e!r} from {e.__cause__!r}")
    try:
        await asyncio.wait([])
    except ValueError as e:
        print(f"wait([]): {e!r}")
    task = asyncio.create_task(nap(1))
    await asyncio.sleep(0)
    task.cancel("stop")
    try:
        await task
    except asyncio.CancelledError as e:
        print(f"awaiting a cancelled task: {e!r}")


if __name__ == "__main__":
    asyncio.run(main())
