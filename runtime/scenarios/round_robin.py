"""round_robin: three counters take turns through sleep(0), a bare yield."""
import asyncio


async def counter(name, n):
    for i in range(n):
        print(f"{name} {i}")
        await asyncio.sleep(0)
    return n


async def main():
    await asyncio.gather(counter("A", 3), counter("B", 2), counter("C", 3))


if __name__ == "__main__":
    asyncio.run(main())
