/*
** stream.h -- TCP streams on the loop's poller (asyncio.open_connection,
** asyncio.start_server, StreamReader / StreamWriter), real clock only.
**
** Sockets are non-blocking. A task that must wait -- to connect, to read
** data that has not arrived, to drain a write buffer -- waits on a future of
** kind "io"; the loop registers the socket with epoll, and when the poll
** reports it ready it queues the transport's callback (an `io` `ready` event,
** then a callback handle), which reads or writes and resolves the future: so,
** as in CPython's selector transports, data reaches a waiting task two
** iterations after the poll saw it. A refused connection raises
** ConnectionRefusedError in the task, as asyncio does.
**
** Streams and servers belong to the loop and are freed when it closes;
** co_stream_close / co_server_close close the sockets earlier.
*/
#ifndef CO_STREAM_H
#define CO_STREAM_H

#include "task.h"

typedef struct co_stream co_stream;
typedef struct co_server co_server;

/* reader, writer = await asyncio.open_connection(host, port): one co_stream
** plays both parts. */
co_exc *co_open_connection_at(const char *host, int port, co_stream **out, const char *src);
#define co_open_connection(host, port, out) co_open_connection_at((host), (port), (out), CO_HERE)

/* await asyncio.start_server(handler, host, port): handler runs as a new task
** per connection with args[0] = co_ptr(the co_stream). port 0 picks a free
** port (co_server_port tells which). */
co_exc *co_start_server(co_fn handler, const char *handler_name, const char *host, int port, co_server **out);
int co_server_port(const co_server *s);
void co_server_close(co_server *s);

/* await reader.read(n): up to n bytes ("" at end of stream), as a str value. */
co_exc *co_stream_read_at(co_stream *s, size_t n, co_value *out, const char *src);
#define co_stream_read(s, n, out) co_stream_read_at((s), (n), (out), CO_HERE)
/* await reader.readline(): through the next "\n" (or what is left at EOF). */
co_exc *co_stream_readline_at(co_stream *s, co_value *out, const char *src);
#define co_stream_readline(s, out) co_stream_readline_at((s), (out), CO_HERE)

/* writer.write(data): sends what the socket takes now, buffers the rest. */
co_exc *co_stream_write(co_stream *s, const char *data, size_t len);
/* await writer.drain(): until the buffer is empty. */
co_exc *co_stream_drain_at(co_stream *s, const char *src);
#define co_stream_drain(s) co_stream_drain_at((s), CO_HERE)
/* writer.close() */
void co_stream_close(co_stream *s);
int co_stream_fd(const co_stream *s);

#endif
