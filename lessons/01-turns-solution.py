"""01-turns-solution: the jobs wait together; main prints in argument order."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return f"{name} done"


async def main():
    results = await asyncio.gather(job("a", 3), job("b", 1), job("c", 2))
    for line in results:
        print(line)


asyncio.run(main())
