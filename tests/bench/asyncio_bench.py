"""The workloads of `make bench` on CPython's asyncio (twin of bench_rt.c).

usage: python3 asyncio_bench.py [--uvloop] WORKLOAD ARGS...

The same workloads, arguments and "key value" output lines as
tests/bench/bench_rt.c (see there); tools/bench.py runs both. With --uvloop
the loop is uvloop's (exit status 3 when uvloop cannot be imported, which
the harness reports as a skipped side). Only the workload is timed.
"""
import asyncio
import os
import resource
import sys
import time


# --- pingpong ---------------------------------------------------------------

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


async def pingpong_main(passes):
    a, b = asyncio.Queue(), asyncio.Queue()
    rounds = passes // 2
    ping = asyncio.create_task(player(b, a, rounds, True), name="ping")
    pong = asyncio.create_task(player(a, b, rounds, False), name="pong")
    result = await ping
    await pong
    return result


def bench_pingpong(passes):
    passes = int(passes)
    s, v = run_timed(pingpong_main(passes))
    if v != passes // 2:
        sys.exit("asyncio_bench: ping-pong: wrong outcome")
    print(f"passes_per_s {passes / s:.1f}\nseconds {s:.6f}")


# --- sleep0 -----------------------------------------------------------------

async def yielder(steps):
    for _ in range(steps):
        await asyncio.sleep(0)


async def sleep0_main(n, steps):
    tasks = [asyncio.create_task(yielder(steps)) for _ in range(n)]
    for t in tasks:
        await t


def bench_sleep0(n, steps):
    n, steps = int(n), int(steps)
    s, _ = run_timed(sleep0_main(n, steps))
    print(f"steps_per_s {n * (steps + 1) / s:.1f}\nseconds {s:.6f}")


# --- memory -----------------------------------------------------------------

def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGESIZE")


async def memory_main(n):
    ev = asyncio.Event()
    before = rss_bytes()
    tasks = [asyncio.create_task(ev.wait()) for _ in range(n)]
    await asyncio.sleep(0)
    during = rss_bytes()
    ev.set()
    for t in tasks:
        await t
    return (during - before) / n


def bench_memory(n):
    _, per_task = run_timed(memory_main(int(n)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"bytes_per_task {per_task:.1f}\npeak_rss {peak}")


# --- growth -----------------------------------------------------------------

async def nothing(i):
    return i


async def sleeper():
    await asyncio.sleep(3600)


async def getter(q):
    return await q.get()


async def locker(lock):
    async with lock:
        pass


async def growth_main(op, n):
    if op == "gather":
        tasks = [asyncio.create_task(nothing(i)) for i in range(n)]
        await asyncio.gather(*tasks)
    elif op == "wait":
        tasks = [asyncio.create_task(nothing(i)) for i in range(n)]
        done, _ = await asyncio.wait(tasks)
        assert len(done) == n
    elif op == "as_completed":
        tasks = [asyncio.create_task(nothing(i)) for i in range(n)]
        for f in asyncio.as_completed(tasks):
            await f
    elif op == "taskgroup":
        async with asyncio.TaskGroup() as tg:
            for i in range(n):
                tg.create_task(nothing(i))
    elif op == "cancel_gather":
        tasks = [asyncio.create_task(sleeper()) for _ in range(n)]
        await asyncio.sleep(0)
        for t in tasks:
            t.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    elif op == "all_tasks":
        tasks = [asyncio.create_task(nothing(i)) for i in range(n)]
        assert len(asyncio.all_tasks()) == n + 1
        for t in tasks:
            await t
    elif op == "queue":
        q = asyncio.Queue()
        tasks = [asyncio.create_task(getter(q)) for _ in range(n)]
        await asyncio.sleep(0)
        for i in range(n):
            q.put_nowait(i)
        for t in tasks:
            await t
    elif op == "lock":
        lock = asyncio.Lock()
        await lock.acquire()
        tasks = [asyncio.create_task(locker(lock)) for _ in range(n)]
        await asyncio.sleep(0)
        lock.release()
        for t in tasks:
            await t
    else:
        sys.exit(f"asyncio_bench: growth: unknown operation {op!r}")


def bench_growth(op, n):
    s, _ = run_timed(growth_main(op, int(n)))
    print(f"seconds {s:.6f}")


# ---------------------------------------------------------------------------

def run_timed(coro):
    loop = asyncio.new_event_loop()
    try:
        t0 = time.perf_counter()
        v = loop.run_until_complete(coro)
        return time.perf_counter() - t0, v
    finally:
        loop.close()


WORKLOADS = {"pingpong": bench_pingpong, "sleep0": bench_sleep0, "memory": bench_memory,
             "growth": bench_growth}

if __name__ == "__main__":
    args = sys.argv[1:]
    if args and args[0] == "--uvloop":
        args = args[1:]
        try:
            import uvloop
        except ImportError:
            print("asyncio_bench: uvloop is not installed", file=sys.stderr)
            sys.exit(3)
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    if not args or args[0] not in WORKLOADS:
        sys.exit("usage: asyncio_bench.py [--uvloop] pingpong|sleep0|memory|growth ARGS")
    WORKLOADS[args[0]](*args[1:])
