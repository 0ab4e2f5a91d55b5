"""lock_counter: three tasks add to a shared counter, each yielding inside the
critical section; the Lock keeps every read-modify-write whole."""
import asyncio

counter = 0


async def add(lock, name, times):
    global counter
    for _ in range(times):
        async with lock:
            value = counter
            await asyncio.sleep(0.1)
            counter = value + 1
            print(f"{name}: counter={counter}")


async def main():
    lock = asyncio.Lock()
    await asyncio.gather(add(lock, "a", 2), add(lock, "b", 2), add(lock, "c", 2))
    print(f"final counter={counter}")


if __name__ == "__main__":
    asyncio.run(main())
