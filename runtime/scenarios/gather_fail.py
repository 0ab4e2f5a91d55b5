"""gather_fail: without return_exceptions the first failure reaches the awaiter at once;
the other children are not cancelled by gather and run on."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    return name


async def fail(delay):
    await asyncio.sleep(delay)
    raise ValueError("boom")


async def main():
    try:
        await asyncio.gather(job("a", 1), fail(2), job("c", 3))
    except ValueError as exc:
        print(f"gather raised ValueError: {exc}")
    await asyncio.sleep(2)
    print("main done")


if __name__ == "__main__":
    asyncio.run(main())
