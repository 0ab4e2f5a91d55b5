"""runner: asyncio.Runner runs several coroutines on one loop; a task the
first run leaves behind goes on during the second; every run shares one
context; closing the runner cancels what is left."""
import asyncio
import contextvars

user = contextvars.ContextVar("user", default="nobody")


async def background():
    try:
        while True:
            await asyncio.sleep(1)
            print(f"background tick at {asyncio.get_running_loop().time()!r}")
    except asyncio.CancelledError:
        print("background cancelled")
        raise


async def first():
    user.set("ada")
    asyncio.create_task(background())
    await asyncio.sleep(1.5)
    return "first done"


async def second():
    await asyncio.sleep(1)
    return f"second done, user={user.get()}"


def main():
    with asyncio.Runner() as runner:
        print(runner.run(first()))
        print(runner.run(second()))
    print("runner closed")


if __name__ == "__main__":
    main()
