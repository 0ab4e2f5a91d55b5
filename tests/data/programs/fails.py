"""fails: main raises after a sleep; the trace still ends."""
import asyncio


async def main():
    await asyncio.sleep(1)
    raise ValueError("boom")


asyncio.run(main())
