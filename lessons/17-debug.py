"""17-debug: three mistakes that asyncio's debug mode points out."""
import asyncio
import time


async def save(name):
    await asyncio.sleep(0.5)
    print("saved", name)


async def explode():
    raise ValueError("nobody is listening")


async def main():
    save("draft")
    asyncio.create_task(explode(), name="explode")
    time.sleep(0.2)
    await asyncio.sleep(1)
    print("main done")


asyncio.run(main(), debug=True)
