"""run_forever: a loop driven by call_soon / call_later, run_forever() and
stop(), with no coroutine at all."""
import asyncio


def tick(loop, n):
    print(f"tick {n} at {loop.time()!r}")
    if n < 3:
        loop.call_later(1, tick, loop, n + 1)
    else:
        loop.stop()


def main():
    loop = asyncio.new_event_loop()
    loop.call_soon(tick, loop, 0)
    loop.run_forever()
    print("loop stopped")
    loop.close()


if __name__ == "__main__":
    main()
