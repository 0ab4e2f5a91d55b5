"""debug_mode: asyncio.run(main(), debug=True) -- what debug mode changes. A
step that holds the loop 0.1 s or more is logged as slow ("Executing <Task
...> took 0.250 seconds"), and call_soon from another thread is refused
instead of racing with the loop."""
import asyncio
import threading
import time

refused = []


def from_thread(loop):
    try:
        loop.call_soon(print, "never")
    except RuntimeError as e:
        refused.append(str(e))


async def crunch():
    time.sleep(0.25)              # holds the loop: logged as slow in debug mode
    return "crunched"


async def main():
    loop = asyncio.get_running_loop()
    print(f"debug: {loop.get_debug()}")
    thread = threading.Thread(target=from_thread, args=(loop,))
    thread.start()
    thread.join()
    print(f"from a thread: {refused[0]}")
    print(await asyncio.create_task(crunch()))


if __name__ == "__main__":
    asyncio.run(main(), debug=True)
