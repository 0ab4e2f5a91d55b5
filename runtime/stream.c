/*
** stream.c -- TCP streams and servers on epoll (see stream.h).
**
** Each socket has an io_watch: the futures tasks wait on for it to become
** readable or writable, and what it is registered for. The loop's poll hands
** ready watches to co__io_dispatch, which queues the matching callback
** (_read_ready, _write_ready, _accept_connection) as CPython's selector loop
** queues a reader's or writer's handle; the callback does the system call and
** resolves the waiting future.
*/
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "internal.h"
#include "stream.h"

typedef struct io_watch {
    int fd;                    /* the socket, -1 once closed */
    uint32_t mask;             /* what epoll watches now (0: not registered) */
    co_future *read_waiter;    /* a task waits to read (or accept), or NULL */
    co_future *write_waiter;   /* a task waits to write (or connect), or NULL */
    bool read_queued;          /* a read callback is in the ready queue */
    bool write_queued;         /* a write callback is in the ready queue */
    co_server *server;         /* set for a listening socket */
    co_stream *stream;         /* set for a connection */
} io_watch;

struct co_stream {
    io_watch w;
    co_loop *loop;
    sbuf in;                   /* received, not yet read */
    size_t in_off;             /* bytes of `in` already read */
    bool eof;                  /* the peer closed its side */
    int err;                   /* errno of a failed recv/send/connect, or 0 */
    sbuf out;                  /* written, not yet sent */
    size_t out_off;            /* bytes of `out` already sent */
};

struct co_server {
    io_watch w;
    co_loop *loop;
    co_fn handler;             /* client_connected_cb */
    const char *handler_name;
    int port;                  /* the bound port */
};

static void trace_io(co_loop *L, int fd, const char *op, const char *label)
{
    if (!co__tracing(L))
        return;
    co_trace_event ev = {.ev = CO_EV_IO, .fd = fd, .op = op, .label = label,
                         .task = L->current ? L->current->fut.id : 0};
    co__emit(L, &ev);
}

static void set_interest(co_loop *L, io_watch *w)
{
    if (w->fd < 0)
        return;
    uint32_t mask = 0;
    if (w->read_waiter || w->server)
        mask |= EPOLLIN;
    if (w->write_waiter || (w->stream && w->stream->out.len > w->stream->out_off))
        mask |= EPOLLOUT;
    if (mask == w->mask)
        return;
    struct epoll_event ev = {.events = mask, .data.u64 = (uint64_t)(uintptr_t)w};
    if (!w->mask) {
        epoll_ctl(L->epfd, EPOLL_CTL_ADD, w->fd, &ev);
        L->nfds++;
    } else if (!mask) {
        epoll_ctl(L->epfd, EPOLL_CTL_DEL, w->fd, &ev);
        L->nfds--;
    } else
        epoll_ctl(L->epfd, EPOLL_CTL_MOD, w->fd, &ev);
    w->mask = mask;
}

static void resolve(co_future **waiter)
{
    co_future *f = *waiter;
    if (!f)
        return;
    *waiter = NULL;
    if (!co_future_done(f))
        co_future_set_result(f, co_none());
    co__future_unref(f);
}

/* Wait until w is readable (reading) or writable (!reading). */
static co_exc *wait_io(co_loop *L, io_watch *w, bool reading, const char *what, const char *src)
{
    const char *label = co__tracing(L) ? co_strf("%s(fd %d)", what, w->fd) : what;
    co_future *f = co__future_new(L, "io", label, true);
    if (!f)
        return co__exc_nomem();
    co__future_ref(f);                       /* one for the watch, one for us */
    if (reading)
        w->read_waiter = f;
    else
        w->write_waiter = f;
    set_interest(L, w);
    trace_io(L, w->fd, "wait", what);
    co_exc *e = co_await_at(f, NULL, src);
    co_future **slot = reading ? &w->read_waiter : &w->write_waiter;
    if (*slot == f) {                        /* cancelled while waiting */
        *slot = NULL;
        co__future_unref(f);
        set_interest(L, w);
    }
    co__future_unref(f);
    return e;
}

static co_exc *os_error(int err, const char *what)
{
    const char *type = err == ECONNREFUSED ? "ConnectionRefusedError"
                       : err == ECONNRESET ? "ConnectionResetError"
                       : err == ECONNABORTED ? "ConnectionAbortedError"
                       : err == EPIPE ? "BrokenPipeError"
                       : err == ETIMEDOUT ? "TimeoutError" : "OSError";
    return co_exc_new(type, "[Errno %d] %s: %s", err, what, strerror(err));
}

/* --- callbacks the poll queues ------------------------------------------------ */

static void stream_read_ready(void *arg)
{
    co_stream *s = arg;
    s->w.read_queued = false;
    if (s->w.fd < 0)
        return;
    char buf[65536];
    ssize_t n = recv(s->w.fd, buf, sizeof buf, 0);
    if (n > 0)
        sb_putn(&s->in, buf, (size_t)n);
    else if (n == 0)
        s->eof = true;
    else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        s->err = errno;
    if (n >= 0 || s->err)
        resolve(&s->w.read_waiter);
    set_interest(s->loop, &s->w);
}

static void flush_out(co_stream *s)
{
    while (s->out_off < s->out.len) {
        ssize_t n = send(s->w.fd, s->out.p + s->out_off, s->out.len - s->out_off, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
                s->err = errno;
            break;
        }
        s->out_off += (size_t)n;
    }
    if (s->out_off == s->out.len)
        s->out.len = s->out_off = 0;
}

static void stream_write_ready(void *arg)
{
    co_stream *s = arg;
    s->w.write_queued = false;
    if (s->w.fd < 0)
        return;
    if (s->out.len > s->out_off)
        flush_out(s);
    if (s->out.len == s->out_off || s->err)
        resolve(&s->w.write_waiter);
    set_interest(s->loop, &s->w);
}

static void stream_free(void *arg)
{
    co_stream *s = arg;
    if (s->w.fd >= 0)
        close(s->w.fd);
    sb_free(&s->in);
    sb_free(&s->out);
}

static co_stream *stream_new(co_loop *L, int fd)
{
    co_stream *s = co__arena_alloc(sizeof *s);
    if (!s)
        return NULL;
    memset(s, 0, sizeof *s);
    s->loop = L;
    s->w.fd = fd;
    s->w.stream = s;
    if (co__at_close(L, stream_free, s) != CO_OK)
        return NULL;
    return s;
}

static void server_accept_ready(void *arg)
{
    co_server *srv = arg;
    srv->w.read_queued = false;
    co_loop *L = srv->loop;
    /* CPython accepts up to the backlog in one callback, starting one
    ** _accept_connection2 task per connection (each takes a Task-N number);
    ** those tasks later start the handler tasks. */
    co_stream *accepted[100];
    int n = 0;
    while (n < 100 && srv->w.fd >= 0) {
        int fd = accept4(srv->w.fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
            break;
        trace_io(L, fd, "accept", "accept");
        co_stream *s = stream_new(L, fd);
        if (!s) {
            close(fd);
            continue;
        }
        co__task_number_skip();
        accepted[n++] = s;
    }
    for (int i = 0; i < n; i++)
        co_loop_create_task(L, co_coro_make(srv->handler, srv->handler_name, 1, (co_value[]){co_ptr(accepted[i])}),
                            NULL);
}

void co__io_dispatch(co_loop *L, struct epoll_event *evs, int n)
{
    for (int i = 0; i < n; i++) {
        io_watch *w = (io_watch *)(uintptr_t)evs[i].data.u64;
        if (!w || w->fd < 0)
            continue;
        uint32_t e = evs[i].events;
        if ((e & (EPOLLIN | EPOLLHUP | EPOLLERR)) && (w->read_waiter || w->server) && !w->read_queued) {
            w->read_queued = true;
            trace_io(L, w->fd, "ready", w->server ? "accept" : "read");
            if (w->server)
                co_call_soon(L, server_accept_ready, w->server, "_accept_connection");
            else
                co_call_soon(L, stream_read_ready, w->stream, "_read_ready");
        }
        if ((e & (EPOLLOUT | EPOLLHUP | EPOLLERR)) && w->stream && !w->write_queued &&
            (w->write_waiter || w->stream->out.len > w->stream->out_off)) {
            w->write_queued = true;
            trace_io(L, w->fd, "ready", "write");
            co_call_soon(L, stream_write_ready, w->stream, "_write_ready");
        }
    }
}

/* --- the public calls ------------------------------------------------------------ */

static co_exc *need_real_clock(co_loop *L)
{
    if (L->clock != CO_CLOCK_REAL)
        return co_exc_new("RuntimeError", "real sockets need the real clock (record with --clock real)");
    return NULL;
}

static int resolve_addr(const char *host, int port, struct sockaddr_in *sa)
{
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    if (!host || !strcmp(host, "localhost"))
        host = "127.0.0.1";
    if (inet_pton(AF_INET, host, &sa->sin_addr) == 1)
        return 0;
    struct addrinfo hints = {.ai_family = AF_INET, .ai_socktype = SOCK_STREAM}, *res;
    if (getaddrinfo(host, NULL, &hints, &res) != 0)
        return -1;
    sa->sin_addr = ((struct sockaddr_in *)res->ai_addr)->sin_addr;
    freeaddrinfo(res);
    return 0;
}

/* The address and a non-blocking TCP socket for host:port (real clock only). */
static co_exc *new_socket(co_loop *L, const char *host, int port, struct sockaddr_in *sa, int *fd)
{
    co_exc *e = need_real_clock(L);
    if (e)
        return e;
    if (resolve_addr(host, port, sa) < 0)
        return co_exc_new("OSError", "cannot resolve host '%s'", host);
    *fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    return *fd < 0 ? os_error(errno, "socket") : NULL;
}

co_exc *co_open_connection_at(const char *host, int port, co_stream **out, const char *src)
{
    co_task *t = co__require_task("co_open_connection outside a task");
    co_loop *L = t->fut.loop;
    *out = NULL;
    struct sockaddr_in sa;
    int fd;
    co_exc *e = new_socket(L, host, port, &sa, &fd);
    if (e)
        return e;
    co_stream *s = stream_new(L, fd);
    if (!s) {
        close(fd);
        return co__exc_nomem();
    }
    const char *what = co_strf("Connect call failed ('%s', %d)", inet_ntoa(sa.sin_addr), port);
    if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        if (errno != EINPROGRESS) {
            int err = errno;
            co_stream_close(s);
            return os_error(err, what);
        }
        e = wait_io(L, &s->w, false, "connect", src);
        if (e) {
            co_stream_close(s);
            return e;
        }
        int err = 0;
        socklen_t len = sizeof err;
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len);
        if (err) {
            co_stream_close(s);
            return os_error(err, what);
        }
    }
    *out = s;
    return NULL;
}

static void server_free(void *arg)
{
    co_server *srv = arg;
    if (srv->w.fd >= 0)
        close(srv->w.fd);
}

co_exc *co_start_server(co_fn handler, const char *handler_name, const char *host, int port, co_server **out)
{
    co_loop *L = co__tls_loop;
    CO_API_CHECK(L != NULL, "co_start_server needs a loop");
    *out = NULL;
    struct sockaddr_in sa;
    int fd;
    co_exc *e = new_socket(L, host, port, &sa, &fd);
    if (e)
        return e;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 100) < 0) {
        int err = errno;
        close(fd);
        return os_error(err, "error while attempting to bind on address");
    }
    socklen_t len = sizeof sa;
    getsockname(fd, (struct sockaddr *)&sa, &len);
    co_server *srv = co__arena_alloc(sizeof *srv);
    if (!srv || co__at_close(L, server_free, srv) != CO_OK) {
        close(fd);
        return co__exc_nomem();
    }
    memset(srv, 0, sizeof *srv);
    srv->loop = L;
    srv->w.fd = fd;
    srv->w.server = srv;
    srv->handler = handler;
    srv->handler_name = handler_name ? handler_name : "client_connected_cb";
    srv->port = ntohs(sa.sin_port);
    set_interest(L, &srv->w);
    trace_io(L, fd, "wait", "accept");
    co__task_number_skip();   /* CPython resolves the host in a task: _create_server_getaddrinfo */
    *out = srv;
    return NULL;
}

int co_server_port(const co_server *s) { return s->port; }

void co_server_close(co_server *srv)
{
    if (!srv || srv->w.fd < 0)
        return;
    srv->w.server = NULL;
    set_interest(srv->loop, &srv->w);
    if (srv->w.mask) {
        epoll_ctl(srv->loop->epfd, EPOLL_CTL_DEL, srv->w.fd, NULL);
        srv->loop->nfds--;
    }
    trace_io(srv->loop, srv->w.fd, "close", "server");
    close(srv->w.fd);
    srv->w.fd = -1;
    srv->w.mask = 0;
}

co_exc *co_stream_read_at(co_stream *s, size_t n, co_value *out, const char *src)
{
    while (s->in.len == s->in_off && !s->eof && !s->err && s->w.fd >= 0) {
        co_exc *e = wait_io(s->loop, &s->w, true, "read", src);
        if (e)
            return e;
    }
    if (s->in.len == s->in_off && s->err)
        return os_error(s->err, "read");
    size_t avail = s->in.len - s->in_off;
    size_t take = n < avail ? n : avail;
    char *text = co__arena_alloc(take + 1);
    if (!text)
        return co__exc_nomem();
    memcpy(text, s->in.p ? s->in.p + s->in_off : "", take);
    text[take] = 0;
    s->in_off += take;
    if (s->in_off == s->in.len)
        s->in.len = s->in_off = 0;
    *out = co_str(text);
    return NULL;
}

co_exc *co_stream_readline_at(co_stream *s, co_value *out, const char *src)
{
    for (;;) {
        const char *start = s->in.p ? s->in.p + s->in_off : NULL;
        const char *nl = start ? memchr(start, '\n', s->in.len - s->in_off) : NULL;
        if (nl)
            return co_stream_read_at(s, (size_t)(nl - start) + 1, out, src);
        if (s->eof || s->err || s->w.fd < 0)
            return co_stream_read_at(s, s->in.len - s->in_off, out, src);
        co_exc *e = wait_io(s->loop, &s->w, true, "readline", src);
        if (e)
            return e;
    }
}

co_exc *co_stream_write(co_stream *s, const char *data, size_t len)
{
    if (s->w.fd < 0)
        return co_exc_new("RuntimeError", "write on a closed stream");
    if (s->err)
        return os_error(s->err, "write");
    sb_putn(&s->out, data, len);
    if (s->out.failed)
        return co__exc_nomem();
    flush_out(s);
    set_interest(s->loop, &s->w);
    return NULL;
}

co_exc *co_stream_drain_at(co_stream *s, const char *src)
{
    while (s->out.len > s->out_off && !s->err && s->w.fd >= 0) {
        co_exc *e = wait_io(s->loop, &s->w, false, "drain", src);
        if (e)
            return e;
    }
    return s->err ? os_error(s->err, "drain") : NULL;
}

void co_stream_close(co_stream *s)
{
    if (!s || s->w.fd < 0)
        return;
    co_loop *L = s->loop;
    if (s->out.len > s->out_off)
        flush_out(s);
    if (s->w.mask) {
        epoll_ctl(L->epfd, EPOLL_CTL_DEL, s->w.fd, NULL);
        L->nfds--;
        s->w.mask = 0;
    }
    trace_io(L, s->w.fd, "close", "stream");
    close(s->w.fd);
    s->w.fd = -1;
    resolve(&s->w.read_waiter);
    resolve(&s->w.write_waiter);
}

int co_stream_fd(const co_stream *s) { return s->w.fd; }
