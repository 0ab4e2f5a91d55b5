/*
** pingpong.c -- the token ping-pong benchmark on the coroscope runtime.
**
** Two tasks hand a token back and forth through two asyncio-style queues;
** every hand-over is one "pass" (a put that wakes the other task, which then
** runs). Measured three ways in one process: recording off, and recording on
** to a trace file. pingpong.py is the same program on CPython's asyncio;
** tools/bench.sh runs both and prints the ratios.
**
** usage: pingpong PASSES [TRACE_FILE [virtual|real]]   prints "passes seconds"
** (the loop runs on the real clock unless a traced run asks for virtual)
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "coroscope.h"
#include "trace_writer.h"

static co_exc *player(const co_value *args, co_value *result)
{
    co_queue *in = args[0].u.p, *out = args[1].u.p;
    long long rounds = args[2].u.i;
    int serves = args[3].u.b;
    co_value token = co_int(0);
    for (long long i = 0; i < rounds; i++) {
        if (serves) {
            co_exc *e = co_queue_put(out, token);
            if (!e)
                e = co_queue_get(in, &token);
            if (e)
                return e;
        } else {
            co_exc *e = co_queue_get(in, &token);
            if (!e)
                e = co_queue_put(out, co_int(token.u.i + 1));
            if (e)
                return e;
        }
    }
    *result = token;
    return NULL;
}

static co_exc *bench_main(const co_value *args, co_value *result)
{
    co_loop *L = co_running_loop();
    co_queue *a = co_queue_new(L, 0), *b = co_queue_new(L, 0);
    long long rounds = args[0].u.i / 2;
    co_task *ping = co_create_task(CO_CORO(player, co_ptr(b), co_ptr(a), co_int(rounds), co_bool(1)), "ping");
    co_task *pong = co_create_task(CO_CORO(player, co_ptr(a), co_ptr(b), co_int(rounds), co_bool(0)), "pong");
    co_exc *e = co_await(co_task_future(ping), result);
    if (!e)
        e = co_await(co_task_future(pong), NULL);
    return e;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: pingpong PASSES [TRACE_FILE]\n");
        return 2;
    }
    long long passes = atoll(argv[1]);
    co_trace_writer *w = NULL;
    co_loop_config cfg = {.clock = CO_CLOCK_REAL};
    if (argc > 2) {
        char err[256];
        const char *clock = argc > 3 ? argv[3] : "real";
        if (!strcmp(clock, "virtual"))
            cfg.clock = CO_CLOCK_VIRTUAL;
        co_trace_header hdr = {"pingpong", clock, "coroscope-runtime 0.1"};
        w = co_trace_writer_open(argv[2], &hdr, err, sizeof err);
        if (!w) {
            fprintf(stderr, "pingpong: %s\n", err);
            return 1;
        }
        cfg.tracer = co_trace_writer_tracer(w);
    }
    co_loop *L = co_loop_new(&cfg);
    double t0 = now();
    co_value v;
    co_exc *e = co_run(L, CO_CORO(bench_main, co_int(passes)), &v, NULL);
    double t1 = now();
    co_loop_destroy(L);
    if (w && co_trace_writer_close(w, NULL, 0) != CO_OK) {
        fprintf(stderr, "pingpong: writing the trace failed\n");
        return 1;
    }
    if (e || v.u.i != passes / 2) {   /* ping ends holding the token pong counted up */
        fprintf(stderr, "pingpong: wrong outcome\n");
        return 1;
    }
    printf("%lld %.6f\n", passes, t1 - t0);
    return 0;
}
