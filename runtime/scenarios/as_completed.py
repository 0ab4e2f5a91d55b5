"""as_completed: three named tasks; results arrive in completion order b, c, a."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    tasks = [asyncio.create_task(job("a", 3), name="a"),
             asyncio.create_task(job("b", 1), name="b"),
             asyncio.create_task(job("c", 2), name="c")]
    for next_done in asyncio.as_completed(tasks):
        print(await next_done)


if __name__ == "__main__":
    asyncio.run(main())
