"""18-forever: a loop with no coroutine at all, run until stop()."""
import asyncio


def tick(loop, n):
    print("tick", n)
    if n < 2:
        loop.call_later(1, tick, loop, n + 1)
    else:
        loop.stop()
        loop.call_soon(print, "a callback after stop")


loop = asyncio.new_event_loop()
loop.call_soon(tick, loop, 0)
loop.run_forever()
print("loop stopped")
loop.close()
