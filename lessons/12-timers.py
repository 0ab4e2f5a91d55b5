"""12-timers: two sleeping tasks; the loop keeps their timers sorted."""
import asyncio


async def nap(name, delay):
    await asyncio.sleep(delay)
    print(name, "woke")


async def main():
    asyncio.create_task(nap("slow", 2), name="slow")
    asyncio.create_task(nap("fast", 1), name="fast")
    await asyncio.sleep(0)
    print("main looks at the timers")
    await asyncio.sleep(3)


asyncio.run(main())
