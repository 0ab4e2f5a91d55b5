"""04-gather-cancel: a gather cancelled while two of its jobs run."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    print(f"{name} finished")
    return name


async def main():
    jobs = [asyncio.create_task(job(name, delay), name=name)
            for name, delay in [("a", 3), ("b", 1), ("c", 2)]]
    group = asyncio.gather(*jobs)
    await asyncio.sleep(1.5)
    group.cancel()
    try:
        await group
    except asyncio.CancelledError:
        print("main: the gather was cancelled")
    await asyncio.sleep(2)


asyncio.run(main())
