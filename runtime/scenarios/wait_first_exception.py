"""wait_first_exception: wait returns when a task raises; it cancels nothing."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def fail(delay):
    await asyncio.sleep(delay)
    raise ValueError("boom")


async def main():
    tasks = [asyncio.create_task(job("a", 3), name="a"),
             asyncio.create_task(fail(1), name="f"),
             asyncio.create_task(job("c", 2), name="c")]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    print(f"done={len(done)} pending={len(pending)}")
    print(f"f raised {tasks[1].exception()!r}")
    await asyncio.wait(pending)
    print(tasks[0].result(), tasks[2].result())


if __name__ == "__main__":
    asyncio.run(main())
