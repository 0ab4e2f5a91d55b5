"""echo_server: a TCP echo server and two clients on loopback; then a
connection to the closed port is refused. Needs real sockets (real clock)."""
import asyncio


async def handle_echo(reader, writer):
    line = await reader.readline()
    writer.write(line)
    await writer.drain()
    writer.close()


async def client(port, name):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"hello from {name}\n".encode())
    await writer.drain()
    reply = await reader.readline()
    writer.close()
    return reply.decode()


async def main():
    server = await asyncio.start_server(handle_echo, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    replies = await asyncio.gather(client(port, "A"), client(port, "B"))
    server.close()
    await server.wait_closed()
    for reply in replies:
        print(f"echoed {reply!r}")
    try:
        await asyncio.open_connection("127.0.0.1", port)
    except ConnectionRefusedError as exc:
        print(f"refused: {type(exc).__name__}")


if __name__ == "__main__":
    asyncio.run(main())
