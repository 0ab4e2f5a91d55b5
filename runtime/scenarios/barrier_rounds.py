"""barrier_rounds: three workers meet at a Barrier(3) twice; the last to
arrive lets all three go on. Then a barrier aborted while a task waits at it:
BrokenBarrierError, for the waiter and for anyone who comes later."""
import asyncio


async def worker(barrier, name, delay):
    for round_ in range(2):
        await asyncio.sleep(delay)
        index = await barrier.wait()
        print(f"{name} passed round {round_} as {index} at {asyncio.get_running_loop().time()!r}")


async def lonely(barrier):
    try:
        await barrier.wait()
    except asyncio.BrokenBarrierError as e:
        print(f"lonely: {e!r}")


async def main():
    barrier = asyncio.Barrier(3)
    await asyncio.gather(worker(barrier, "a", 1), worker(barrier, "b", 2), worker(barrier, "c", 3))
    print(f"parties={barrier.parties} waiting={barrier.n_waiting} broken={barrier.broken}")
    pair = asyncio.Barrier(2)
    task = asyncio.create_task(lonely(pair))
    await asyncio.sleep(1)
    await pair.abort()
    await task
    try:
        await pair.wait()
    except asyncio.BrokenBarrierError as e:
        print(f"late: {e!r}, broken={pair.broken}")


if __name__ == "__main__":
    asyncio.run(main())
