"""swarm: many workers sleeping staggered delays; its size sets how many
(COROSCOPE_SIZE, default 20). Used to make large traces for the viewer."""
import asyncio
import os


async def worker(i, rounds):
    for r in range(rounds):
        await asyncio.sleep(((i * 7 + r * 3) % 10) / 10)
    return i


async def main():
    n = int(os.environ.get("COROSCOPE_SIZE", "20"))
    done = await asyncio.gather(*(worker(i, 5) for i in range(n)))
    print(f"{len(done)} workers done")


if __name__ == "__main__":
    asyncio.run(main())
