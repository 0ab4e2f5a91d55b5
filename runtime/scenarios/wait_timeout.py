"""wait_timeout: wait gives up after its timeout and hands back what is still pending."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    tasks = [asyncio.create_task(job("a", 3), name="a"),
             asyncio.create_task(job("b", 1), name="b")]
    done, pending = await asyncio.wait(tasks, timeout=2)
    print(f"done={len(done)} pending={len(pending)}")
    print(f"a done={tasks[0].done()}")
    print(await tasks[0])


if __name__ == "__main__":
    asyncio.run(main())
