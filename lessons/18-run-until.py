"""18-run-until: a loop driven by hand with run_until_complete."""
import asyncio


async def job(name, delay):
    await asyncio.sleep(delay)
    print(name, "finished")
    return name


loop = asyncio.new_event_loop()
background = loop.create_task(job("background", 2), name="background")
print("got", loop.run_until_complete(job("first", 1)))
print("got", loop.run_until_complete(background))
loop.close()
