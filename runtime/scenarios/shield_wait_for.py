"""shield_wait_for: wait_for gives up on a shielded task after 1 s, but the
task itself is not cancelled: it finishes and can still be awaited."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def main():
    loop = asyncio.get_running_loop()
    backup = asyncio.create_task(job("backup", 3), name="backup")
    try:
        await asyncio.wait_for(asyncio.shield(backup), timeout=1)
    except TimeoutError:
        print(f"TimeoutError at {loop.time()}; backup cancelled={backup.cancelled()}")
    result = await backup
    print(f"backup finished anyway: {result} at {loop.time()}")


if __name__ == "__main__":
    asyncio.run(main())
