"""event_release: three tasks wait on an Event; one set() releases them all."""
import asyncio


async def waiter(event, name):
    print(f"{name} waiting")
    await event.wait()
    print(f"{name} released")


async def main():
    event = asyncio.Event()
    tasks = [asyncio.create_task(waiter(event, name)) for name in ("a", "b", "c")]
    await asyncio.sleep(1)
    print("setting the event")
    event.set()
    await asyncio.gather(*tasks)
    print(f"is_set={event.is_set()}")
    event.clear()
    print(f"after clear: is_set={event.is_set()}")


if __name__ == "__main__":
    asyncio.run(main())
