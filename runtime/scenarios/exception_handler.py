"""exception_handler: the loop's exception handler hears what nobody can
catch; a program may install its own, and defer to the default one."""
import asyncio


def handler(loop, context):
    exc = context.get("exception")
    print(f"handler: {context['message']}" + (f" ({exc!r})" if exc else ""))


async def main():
    loop = asyncio.get_running_loop()
    print(f"custom handler before: {loop.get_exception_handler()}")
    loop.set_exception_handler(handler)
    loop.call_exception_handler({"message": "something went wrong", "exception": ValueError("boom")})
    loop.call_exception_handler({"message": "just a message"})
    loop.set_exception_handler(None)
    print(f"custom handler after: {loop.get_exception_handler()}")
    loop.default_exception_handler({"message": "to the log"})


if __name__ == "__main__":
    asyncio.run(main())
