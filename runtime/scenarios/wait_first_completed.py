"""wait_first_completed: wait returns as soon as one task is done; the rest stay pending."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    tasks = [asyncio.create_task(job("a", 3), name="a"),
             asyncio.create_task(job("b", 1), name="b"),
             asyncio.create_task(job("c", 2), name="c")]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    print(f"done={len(done)} pending={len(pending)}")
    for t in tasks:
        print(f"{t.get_name()} done={t.done()}")
    await asyncio.wait(pending)
    print("all done")


if __name__ == "__main__":
    asyncio.run(main())
