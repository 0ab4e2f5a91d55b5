"""09-wait-for: a two-second job given one second by wait_for."""
import asyncio


async def job():
    print("job starts")
    try:
        await asyncio.sleep(2)
    except asyncio.CancelledError:
        print("job cancelled")
        raise
    print("job finished")
    return "done"


async def main():
    task = asyncio.create_task(job(), name="job")
    try:
        print(await asyncio.wait_for(task, 1))
    except TimeoutError:
        print("main timed out")
    await asyncio.sleep(2)
    outcome = "cancelled" if task.cancelled() else task.result()
    print("job outcome:", outcome)


asyncio.run(main())
