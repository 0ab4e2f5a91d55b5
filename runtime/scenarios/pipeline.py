"""pipeline: a producer and a consumer over a bounded Queue(maxsize=2); the
producer waits while the queue is full, join() until every item is done."""
import asyncio


async def producer(queue):
    for i in range(5):
        await queue.put(i)
        print(f"put {i} (size {queue.qsize()})")


async def consumer(queue):
    while True:
        item = await queue.get()
        await asyncio.sleep(1)
        print(f"consumed {item}")
        queue.task_done()


async def main():
    queue = asyncio.Queue(maxsize=2)
    worker = asyncio.create_task(consumer(queue))
    await producer(queue)
    await queue.join()
    print("all items processed")
    worker.cancel()
    try:
        await worker
    except asyncio.CancelledError:
        print("consumer stopped")


if __name__ == "__main__":
    asyncio.run(main())
