"""09-wait-for-solution: wait (not shield) gives up and leaves the job running."""
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
    done, pending = await asyncio.wait([task], timeout=1)
    if pending:
        print("main timed out")
    await asyncio.sleep(2)
    outcome = "cancelled" if task.cancelled() else task.result()
    print("job outcome:", outcome)


asyncio.run(main())
