"""14-queue: a quick producer and a slow consumer sharing a queue."""
import asyncio


async def producer(queue):
    for i in range(4):
        await queue.put(i)
        print(f"put {i}")
    print("producer done")


async def consumer(queue):
    while True:
        item = await queue.get()
        await asyncio.sleep(1)
        print(f"handled {item}")
        queue.task_done()


async def main():
    queue = asyncio.Queue()
    worker = asyncio.create_task(consumer(queue), name="consumer")
    await asyncio.create_task(producer(queue), name="producer")
    await queue.join()
    print("all handled")
    worker.cancel()


asyncio.run(main())
