"""condition_notify: consumers wait on a Condition until there is an item;
notify() wakes one of them, notify_all() the rest. wait() gives the lock back
while it waits and takes it again before returning."""
import asyncio


async def consumer(cond, items, name):
    async with cond:
        await cond.wait_for(lambda: len(items) > 0)
        print(f"{name} took {items.pop(0)}")


async def main():
    cond = asyncio.Condition()
    items = []
    tasks = [asyncio.create_task(consumer(cond, items, name)) for name in ("a", "b")]
    await asyncio.sleep(1)
    async with cond:
        items.append(1)
        items.append(2)
        cond.notify()
        print("notified one")
    await asyncio.sleep(1)
    async with cond:
        cond.notify_all()
        print("notified all")
    await asyncio.gather(*tasks)


if __name__ == "__main__":
    asyncio.run(main())
