/*
** blocking.c -- work that does not cooperate, and loops driven by hand.
**
** blocking_call: a coroutine calls time.sleep(2) and holds the loop; the
**   ticker task is stalled and the step gets a slow-callback warning.
** executor_job: the same blocking work handed to a two-worker pool with
**   run_in_executor; the ticker keeps ticking while the jobs run.
** run_forever: a loop driven with call_soon / call_later / run_forever / stop
**   instead of asyncio.run.
** echo_server (real clock): a server and two clients on loopback.
*/
#include <string.h>

#include "executor.h"
#include "scenarios.h"
#include "stream.h"

static co_exc *ticker(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    for (int i = 0; i < 4; i++) {
        co_print("tick %d at %s", i, co_repr(co_float(co_loop_time(co_running_loop()))));
        TRY(co_sleep(0.5));
    }
    return NULL;
}

co_exc *scn_blocking_call(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(co_coro_make(ticker, "ticker", 0, NULL), "ticker");
    TRY(co_sleep(0));
    co_print("main blocks the loop for 2 s");
    co_block(2, "time.sleep(2)");
    co_print("main unblocks");
    return co_await(co_task_future(t), NULL);
}

/* blocking_io(n): time.sleep(2); return n * 10 -- on a worker. */
static co_exc *blocking_io(void *arg, co_value *result)
{
    *result = co_int((long long)(intptr_t)arg * 10);
    return NULL;
}

co_exc *scn_executor_job(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_executor *pool = co_executor_new(co_running_loop(), 2);
    co_task *t = co_create_task(co_coro_make(ticker, "ticker", 0, NULL), "ticker");
    co_aw jobs[3];
    for (int i = 0; i < 3; i++)
        jobs[i] = co_aw_fut(co_run_in_executor(pool, blocking_io, (void *)(intptr_t)(i + 1), 2, "blocking_io"));
    co_value results;
    TRY(co_await(co_gather(jobs, 3, false), &results));
    co_print("%s", co_repr(results));
    return co_await(co_task_future(t), NULL);
}

/* --- run_forever: no coroutine at all --------------------------------------- */

typedef struct tick_state {
    co_loop *loop;
    int n;
} tick_state;

static void tick(void *arg)
{
    tick_state *s = arg;
    co_loop_print(s->loop, "tick %d at %s", s->n, co_repr(co_float(co_loop_time(s->loop))));
    if (s->n < 3) {
        s->n++;
        co_handle_release(co_call_later(s->loop, 1, tick, s, "tick"));
    } else
        co_loop_stop(s->loop);
}

co_status scn_run_forever(co_loop *L)
{
    static tick_state s;
    s.loop = L;
    s.n = 0;
    co_call_soon(L, tick, &s, "tick");
    co_status st = co_loop_run_forever(L);
    co_loop_print(L, "loop stopped");
    return st;
}

/* --- echo_server: real sockets on loopback ---------------------------------- */

static co_exc *echo_handler(const co_value *args, co_value *result)
{
    (void)result;
    co_stream *s = args[0].u.p;
    co_value line;
    TRY(co_stream_readline(s, &line));
    TRY(co_stream_write(s, line.u.s, strlen(line.u.s)));
    TRY(co_stream_drain(s));
    co_stream_close(s);
    return NULL;
}

static co_exc *client(const co_value *args, co_value *result)
{
    co_stream *s;
    TRY(co_open_connection("127.0.0.1", (int)args[0].u.i, &s));
    const char *msg = co_strf("hello from %s\n", args[1].u.s);
    TRY(co_stream_write(s, msg, strlen(msg)));
    TRY(co_stream_drain(s));
    co_value reply;
    TRY(co_stream_readline(s, &reply));
    co_stream_close(s);
    *result = reply;
    return NULL;
}

co_exc *scn_echo_server(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_server *srv;
    TRY(co_start_server(echo_handler, "handle_echo", "127.0.0.1", 0, &srv));
    int port = co_server_port(srv);
    co_aw clients[] = {co_aw_coro(CO_CORO(client, co_int(port), co_str("A"))),
                       co_aw_coro(CO_CORO(client, co_int(port), co_str("B")))};
    co_value replies;
    co_exc *e = co_await(co_gather(clients, 2, false), &replies);
    co_server_close(srv);
    if (e)
        return e;
    for (size_t i = 0; i < replies.u.list->n; i++)
        co_print("echoed %s", co_repr(replies.u.list->items[i]));
    /* Nobody listens on the closed server's port now. */
    co_stream *s;
    e = co_open_connection("127.0.0.1", port, &s);
    if (e && co_exc_is(e, "ConnectionRefusedError"))
        co_print("refused: %s", e->type);
    else if (e)
        return e;
    return NULL;
}
