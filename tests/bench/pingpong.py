"""The token ping-pong benchmark on CPython's asyncio (twin of pingpong.c).

usage: python3 pingpong.py PASSES     prints "passes seconds"
"""
import asyncio
import sys
import time


async def player(inq, outq, rounds, serves):
    token = 0
    for _ in range(rounds):
        if serves:
            await outq.put(token)
            token = await inq.get()
        else:
            token = await inq.get()
            await outq.put(token + 1)
    return token


async def main(passes):
    a, b = asyncio.Queue(), asyncio.Queue()
    rounds = passes // 2
    ping = asyncio.create_task(player(b, a, rounds, True), name="ping")
    pong = asyncio.create_task(player(a, b, rounds, False), name="pong")
    result = await ping
    await pong
    return result


if __name__ == "__main__":
    n = int(sys.argv[1])
    t0 = time.perf_counter()
    asyncio.run(main(n))
    print(n, f"{time.perf_counter() - t0:.6f}")
