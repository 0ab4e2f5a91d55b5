"""threadsafe: another thread hands a coroutine to the loop with
run_coroutine_threadsafe and blocks on the concurrent future it gets back;
then it wakes the loop's main task with call_soon_threadsafe."""
import asyncio
import threading


def say(line):
    print(line)


async def job(name, delay):
    await asyncio.sleep(delay)
    return f"{name} done"


async def main():
    loop = asyncio.get_running_loop()
    event = asyncio.Event()

    def worker():
        future = asyncio.run_coroutine_threadsafe(job("from a thread", 0.1), loop)
        result = future.result(timeout=10)
        loop.call_soon_threadsafe(say, f"worker got {result!r}")
        loop.call_soon_threadsafe(event.set)

    thread = threading.Thread(target=worker)
    thread.start()
    await event.wait()
    print("main saw the event")
    thread.join()


if __name__ == "__main__":
    asyncio.run(main())
