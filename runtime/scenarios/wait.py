"""wait: three named tasks, wait(ALL_COMPLETED) (3 s); nothing is cancelled."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    tasks = [asyncio.create_task(job("a", 3), name="a"),
             asyncio.create_task(job("b", 1), name="b"),
             asyncio.create_task(job("c", 2), name="c")]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.ALL_COMPLETED)
    print(f"done={len(done)} pending={len(pending)}")
    for t in tasks:
        print(t.result())


if __name__ == "__main__":
    asyncio.run(main())
