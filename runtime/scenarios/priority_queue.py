"""priority_queue: jobs come out of a PriorityQueue smallest first, whatever
order they went in; a LifoQueue gives the last one first; a PriorityQueue
refuses an item it cannot compare."""
import asyncio


async def producer(queue):
    for item in ([3, "low"], [1, "urgent"], [2, "normal"], [1, "also urgent"]):
        await queue.put(item)
        await asyncio.sleep(0)


async def consumer(queue, name):
    while True:
        priority, job = await queue.get()
        await asyncio.sleep(1)
        print(f"{name} did {job!r} (priority {priority}) at {asyncio.get_running_loop().time()!r}")
        queue.task_done()


async def main():
    queue = asyncio.PriorityQueue()
    worker = asyncio.create_task(consumer(queue, "worker"))
    await producer(queue)
    await queue.join()
    worker.cancel()
    stack = asyncio.LifoQueue()
    for i in range(3):
        stack.put_nowait(i)
    print("lifo:", [stack.get_nowait() for _ in range(3)])
    queue.put_nowait([5, "x"])
    try:
        queue.put_nowait(None)
    except TypeError as e:
        print(f"{e!r}")


if __name__ == "__main__":
    asyncio.run(main())
