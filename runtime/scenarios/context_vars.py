"""context_vars: a ContextVar follows the code that set it. Each task runs in
a copy of its creator's context; a callback in a copy of the context it was
scheduled from; create_task(..., context=ctx) shares one."""
import asyncio
import contextvars

request = contextvars.ContextVar("request", default="none")


def report(where):
    print(f"{where}: request={request.get()}")


async def current():
    return request.get()


async def handle(name):
    report(f"{name} starts")
    request.set(name)
    await asyncio.sleep(1)
    asyncio.get_running_loop().call_soon(report, f"callback of {name}")
    await asyncio.sleep(0)
    child = asyncio.create_task(current())
    print(f"{name}: child saw {await child}")


async def setter():
    request.set("set by a shared task")


async def main():
    request.set("main")
    await asyncio.gather(handle("r1"), handle("r2"))
    report("main after")
    ctx = contextvars.copy_context()
    await asyncio.create_task(setter(), context=ctx)
    print(f"in ctx: {ctx[request]}")
    report("main at the end")


if __name__ == "__main__":
    asyncio.run(main())
