"""2,000 tasks that each sleep, hand items through a shared queue, take a lock
and yield, ten rounds over, then gather: the recorder's overhead benchmark
(tests/bench). usage: python3 tasks2000.py [TASKS [ROUNDS]]"""
import asyncio
import sys


async def worker(i, rounds, q, lock, results):
    total = 0
    for r in range(rounds):
        await asyncio.sleep(((i + r) % 10) * 0.01)
        await q.put(i)
        total += await q.get()
        async with lock:
            results.append(total)
        await asyncio.sleep(0)
    return total


async def main(n, rounds):
    q = asyncio.Queue()
    lock = asyncio.Lock()
    results = []
    done = await asyncio.gather(*(worker(i, rounds, q, lock, results) for i in range(n)))
    print(len(done), sum(done), len(results))


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 2000,
                     int(sys.argv[2]) if len(sys.argv) > 2 else 10))
