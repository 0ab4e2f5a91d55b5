"""16-event: three tasks wait on one Event; main sets it once."""
import asyncio


async def waiter(name, event):
    await event.wait()
    print(name, "goes")


async def main():
    event = asyncio.Event()
    tasks = [asyncio.create_task(waiter(name, event), name=name)
             for name in "abc"]
    await asyncio.sleep(1)
    event.set()
    print("main set the event")
    await asyncio.gather(*tasks)


asyncio.run(main())
