"""14-queue-solution: two consumers share the work."""
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
    workers = [asyncio.create_task(consumer(queue), name=f"consumer-{n}") for n in (1, 2)]
    await asyncio.create_task(producer(queue), name="producer")
    await queue.join()
    print("all handled")
    for worker in workers:
        worker.cancel()


asyncio.run(main())
