"""16-condition: three tasks wait; notify(1), then notify_all()."""
import asyncio


async def sleeper(name, cond):
    async with cond:
        await cond.wait()
        print(name, "woke")


async def main():
    cond = asyncio.Condition()
    tasks = [asyncio.create_task(sleeper(name, cond), name=name)
             for name in "abc"]
    await asyncio.sleep(1)
    async with cond:
        cond.notify(1)
    await asyncio.sleep(1)
    async with cond:
        cond.notify_all()
    await asyncio.gather(*tasks)


asyncio.run(main())
