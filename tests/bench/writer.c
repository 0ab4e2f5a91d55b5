/*
** writer.c -- the trace writer alone: events formatted and written, no loop.
**
** Feeds co_trace_writer_event the seven events of one ping-pong pass (as
** tests/bench/pingpong.c's trace has them: two queue `sync`s, the getter's
** `fut_done` and `wake`, a new queue future, the `step_end` awaiting it, the
** next `step_begin`), with seq, ids and timer events advancing as in a real
** run, plus one `timer_new` per pass whose `when` takes a few dozen distinct
** values (as sleeps in a program do). What it measures is the formatter and
** the writes, not the runtime.
**
** usage: bench_writer EVENTS [TRACE_FILE]   prints "events_per_s N" and
** "bytes_per_event N" (default /dev/null; the time includes the final flush)
*/
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "trace_writer.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench_writer EVENTS [TRACE_FILE]\n");
        return 2;
    }
    long long events = atoll(argv[1]);
    const char *path = argc > 2 ? argv[2] : "/dev/null";
    char err[256];
    co_trace_header hdr = {"writer", "virtual", "coroscope-runtime 0.1", 0};
    co_trace_writer *w = co_trace_writer_open(path, &hdr, err, sizeof err);
    if (!w) {
        fprintf(stderr, "writer: %s\n", err);
        return 1;
    }
    static const co_value none = {CO_V_NONE, {0}};
    uint64_t seq = 0, id = 11;
    double t = 0;
    long long n = 0;
    double t0 = now();
    for (long long pass = 0; n < events; pass++) {
        uint64_t getter = pass & 1 ? 5 : 7, other = pass & 1 ? 7 : 5;
        uint64_t waited = id - 2, fut = id, h = id + 1;
        id += 2;
        if (pass % 64 == 63)
            t += 0.25;
        co_trace_event evs[8] = {
            {.ev = CO_EV_SYNC, .obj = 3, .kind = "queue", .op = "get", .task = getter, .count = 0},
            {.ev = CO_EV_SYNC, .obj = 4, .kind = "queue", .op = "put", .task = getter, .count = 1},
            {.ev = CO_EV_FUT_DONE, .fut = waited, .outcome = "result", .value = &none, .by = getter},
            {.ev = CO_EV_WAKE, .task = other, .fut = waited, .h = h},
            {.ev = CO_EV_FUT_NEW, .fut = fut, .kind = "queue", .label = "queue.get()", .by = getter},
            {.ev = CO_EV_STEP_END, .task = getter, .reason = "await", .fut = fut, .on = "queue.get()",
             .src = "tests/bench/pingpong.c:35"},
            {.ev = CO_EV_STEP_BEGIN, .task = other, .h = h},
            {.ev = CO_EV_TIMER_NEW, .timer = id++, .when = t + 0.1 * (double)(pass % 37), .fn = "_set_result_unless_cancelled"},
        };
        for (int i = 0; i < 8 && n < events; i++, n++) {
            evs[i].seq = ++seq;
            evs[i].t = t;
            co_trace_writer_event(w, &evs[i]);
        }
    }
    if (co_trace_writer_close(w, err, sizeof err) != CO_OK) {
        fprintf(stderr, "writer: %s\n", err);
        return 1;
    }
    double s = now() - t0;
    FILE *f = fopen(path, "rb");
    long size = -1;
    if (f && fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (f)
        fclose(f);
    printf("events_per_s %.1f\nseconds %.6f\n", (double)events / s, s);
    if (size > 0)
        printf("bytes_per_event %.1f\n", (double)size / (double)events);
    return 0;
}
