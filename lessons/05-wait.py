"""05-wait: wait(FIRST_EXCEPTION) on three tasks, one of which fails."""
import asyncio


async def job(delay):
    await asyncio.sleep(delay)
    return delay


async def fail(delay):
    await asyncio.sleep(delay)
    raise ValueError("f gave up")


def names(tasks):
    return sorted(t.get_name() for t in tasks)


async def main():
    tasks = [asyncio.create_task(job(3), name="a"),
             asyncio.create_task(job(1), name="b"),
             asyncio.create_task(fail(2), name="f")]
    done, pending = await asyncio.wait(
        tasks, return_when=asyncio.FIRST_EXCEPTION)
    print("done:", names(done), "pending:", names(pending))
    await asyncio.wait(pending)
    print("f ended with", repr(tasks[2].exception()))


asyncio.run(main())
