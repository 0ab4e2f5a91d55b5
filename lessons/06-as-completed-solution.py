"""06-as-completed-solution: a deadline for the batch, and the late job kept."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    jobs = [asyncio.create_task(job(name, delay), name=name)
            for name, delay in [("a", 3), ("b", 1), ("c", 2)]]
    try:
        for next_done in asyncio.as_completed(jobs, timeout=2.5):
            print(await next_done)
    except TimeoutError:
        print("late")
    print(await jobs[0])


asyncio.run(main())
