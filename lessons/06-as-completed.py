"""06-as-completed: three tasks, their results taken as they come in."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    jobs = [asyncio.create_task(job(name, delay), name=name)
            for name, delay in [("a", 3), ("b", 1), ("c", 2)]]
    for next_done in asyncio.as_completed(jobs):
        print(await next_done)


asyncio.run(main())
