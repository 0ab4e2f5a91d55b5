/*
** bench_rt.c -- the runtime's workloads for `make bench` (tools/bench.py).
**
** One program, one workload per run, chosen by its first argument; each
** prints what it measured as "key value" lines on stdout, which the harness
** reads (tools/bench.py names the key each measure takes). The workloads are
** the twins of tests/bench/asyncio_bench.py, which runs the same programs on
** CPython's asyncio (and on uvloop): same tasks, same awaits, same counts.
** Only the workload itself is timed (CLOCK_MONOTONIC around co_run), not the
** process start.
**
**   pingpong PASSES [TRACE virtual|real]  passes_per_s: a token handed between
**                                  two tasks over two queues (recording to
**                                  TRACE when given)
**   sleep0 TASKS STEPS             steps_per_s: TASKS tasks, each STEPS x sleep(0)
**   memory TASKS                   bytes_per_task (RSS growth while TASKS tasks
**                                  wait on one Event, divided by TASKS), peak_rss
**   switch N                       asm_switch_ns: one bare co__context_switch;
**                                  sched_switch_ns: one switch of a task that
**                                  yields (sleep(0)) through the scheduler, i.e.
**                                  a step's time over its two switches
**   growth OP N                    seconds: one combinator or primitive over N
**                                  tasks; OP is gather, wait, as_completed,
**                                  taskgroup, cancel_gather, all_tasks, queue
**                                  or lock (see the functions below)
**
** A last argument `copy` runs the workload's loop in copy stack mode
** (CO_STACK_COPY, loop.h): `memory 100000 copy`, `sleep0 100000 10 copy`,
** `pingpong 2000000 copy`.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "context.h"
#include "coroscope.h"
#include "trace_writer.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static _Noreturn void die(const char *what)
{
    fprintf(stderr, "bench_rt: %s\n", what);
    exit(1);
}

static co_exc *nomem(void) { return co_exc_new("MemoryError", "%s", "out of memory"); }

static long long arg_count(const char *s)
{
    char *end;
    long long n = strtoll(s, &end, 10);
    if (*end || n <= 0)
        die("counts must be positive integers");
    return n;
}

static co_stack_mode stack_mode = CO_STACK_OWN;   /* a last argument `copy`: CO_STACK_COPY */

/* Run main on a fresh loop (real clock unless a tracer asks for virtual, in
** the stack mode asked for); returns the seconds co_run took. */
static double run_timed(co_coro main, co_loop_config *cfg, co_value *out)
{
    co_loop_config dflt = {.clock = CO_CLOCK_REAL};
    if (!cfg)
        cfg = &dflt;
    cfg->stack_mode = stack_mode;
    co_loop *L = co_loop_new(cfg);
    if (!L)
        die(co_stack_mode_unsupported(stack_mode) ? co_stack_mode_unsupported(stack_mode) : "no memory for a loop");
    co_value v = co_none();
    double t0 = now();
    co_exc *e = co_run(L, main, &v, NULL);
    double t1 = now();
    co_loop_destroy(L);
    if (e)
        die("the workload raised");
    if (out)
        *out = v;
    return t1 - t0;
}

/* --- pingpong --------------------------------------------------------------- */

static co_exc *player(const co_value *args, co_value *result)
{
    co_queue *in = args[0].u.p, *out = args[1].u.p;
    long long rounds = args[2].u.i;
    int serves = args[3].u.b;
    co_value token = co_int(0);
    for (long long i = 0; i < rounds; i++) {
        co_exc *e;
        if (serves) {
            e = co_queue_put(out, token);
            if (!e)
                e = co_queue_get(in, &token);
        } else {
            e = co_queue_get(in, &token);
            if (!e)
                e = co_queue_put(out, co_int(token.u.i + 1));
        }
        if (e)
            return e;
    }
    *result = token;
    return NULL;
}

static co_exc *pingpong_main(const co_value *args, co_value *result)
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

static void bench_pingpong(int argc, char **argv)
{
    if (argc < 1)
        die("usage: pingpong PASSES [TRACE virtual|real]");
    long long passes = arg_count(argv[0]);
    co_trace_writer *w = NULL;
    co_loop_config cfg = {.clock = CO_CLOCK_REAL};
    if (argc > 1) {
        char err[256];
        const char *clock = argc > 2 ? argv[2] : "real";
        if (!strcmp(clock, "virtual"))
            cfg.clock = CO_CLOCK_VIRTUAL;
        co_trace_header hdr = {"pingpong", clock, "coroscope-runtime 0.1", 0};
        w = co_trace_writer_open(argv[1], &hdr, err, sizeof err);
        if (!w)
            die(err);
        cfg.tracer = co_trace_writer_tracer(w);
    }
    co_value v;
    double s = run_timed(CO_CORO(pingpong_main, co_int(passes)), &cfg, &v);
    if (w && co_trace_writer_close(w, NULL, 0) != CO_OK)
        die("writing the trace failed");
    if (v.u.i != passes / 2)   /* ping ends holding the token pong counted up */
        die("ping-pong: wrong outcome");
    printf("passes_per_s %.1f\nseconds %.6f\n", (double)passes / s, s);
}

/* --- sleep0: many tasks yielding ---------------------------------------------- */

static co_exc *yielder(const co_value *args, co_value *result)
{
    (void)result;
    for (long long i = 0; i < args[0].u.i; i++) {
        co_exc *e = co_sleep(0);
        if (e)
            return e;
    }
    return NULL;
}

static co_exc *sleep0_main(const co_value *args, co_value *result)
{
    (void)result;
    long long n = args[0].u.i;
    co_task **ts = malloc((size_t)n * sizeof *ts);
    if (!ts)
        return nomem();
    for (long long i = 0; i < n; i++)
        ts[i] = co_create_task(CO_CORO(yielder, args[1]), NULL);
    co_exc *e = NULL;
    for (long long i = 0; i < n && !e; i++)
        e = co_await(co_task_future(ts[i]), NULL);
    free(ts);
    return e;
}

static void bench_sleep0(int argc, char **argv)
{
    if (argc < 2)
        die("usage: sleep0 TASKS STEPS");
    long long n = arg_count(argv[0]), steps = arg_count(argv[1]);
    double s = run_timed(CO_CORO(sleep0_main, co_int(n), co_int(steps)), NULL, NULL);
    /* Each task takes steps + 1 steps: one per sleep(0), one to return. */
    printf("steps_per_s %.1f\nseconds %.6f\n", (double)(n * (steps + 1)) / s, s);
}

/* --- memory: many suspended tasks --------------------------------------------- */

static long rss_bytes(void)
{
    FILE *f = fopen("/proc/self/statm", "r");
    long size = 0, resident = 0;
    if (!f || fscanf(f, "%ld %ld", &size, &resident) != 2)
        die("cannot read /proc/self/statm");
    fclose(f);
    return resident * sysconf(_SC_PAGESIZE);
}

static co_exc *waiter(const co_value *args, co_value *result)
{
    (void)result;
    return co_event_wait((co_event *)args[0].u.p);
}

static co_exc *memory_main(const co_value *args, co_value *result)
{
    long long n = args[0].u.i;
    co_event *ev = co_event_new(co_running_loop());
    co_task **ts = malloc((size_t)n * sizeof *ts);
    if (!ts)
        return nomem();
    long before = rss_bytes();
    for (long long i = 0; i < n; i++)
        ts[i] = co_create_task(CO_CORO(waiter, co_ptr(ev)), NULL);
    co_exc *e = co_sleep(0);              /* every task runs to its wait */
    long during = rss_bytes();
    co_event_set(ev);
    for (long long i = 0; i < n && !e; i++)
        e = co_await(co_task_future(ts[i]), NULL);
    free(ts);
    *result = co_float((double)(during - before) / (double)n);
    return e;
}

static void bench_memory(int argc, char **argv)
{
    if (argc < 1)
        die("usage: memory TASKS");
    co_value v;
    run_timed(CO_CORO(memory_main, co_int(arg_count(argv[0]))), NULL, &v);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("bytes_per_task %.1f\npeak_rss %.0f\n", v.u.f, (double)ru.ru_maxrss * 1024.0);
}

/* --- switch: the bare assembly switch, and a scheduled one --------------------- */

static co_context sw_main, sw_other;
static long long sw_left;

static void sw_entry(void *arg)
{
    (void)arg;
    for (;;)
        co__context_switch(&sw_other, &sw_main);
}

static void bench_switch(int argc, char **argv)
{
    if (argc < 1)
        die("usage: switch N");
    long long n = arg_count(argv[0]);
    size_t size = 64 * 1024;
    void *stack = aligned_alloc(64, size);
    if (!stack)
        die("no memory for a stack");
    co__context_init(&sw_other, stack, size, sw_entry, NULL);
    co__context_set_limit(NULL);
    double t0 = now();
    for (sw_left = n; sw_left > 0; sw_left--)
        co__context_switch(&sw_main, &sw_other);   /* there and back: two switches */
    double asm_ns = (now() - t0) * 1e9 / (double)(2 * n);
    /* One task yielding through the loop: each step is a switch in and one out. */
    double s = run_timed(CO_CORO(yielder, co_int(n)), NULL, NULL);
    printf("asm_switch_ns %.2f\nsched_switch_ns %.2f\n", asm_ns, s * 1e9 / (double)(2 * (n + 1)));
}

/* --- growth: combinators and primitives over N tasks ------------------------- */

static co_exc *nothing(const co_value *args, co_value *result)
{
    *result = args[0];
    return NULL;
}

static co_exc *sleeper(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return co_sleep(3600);
}

static co_exc *getter(const co_value *args, co_value *result)
{
    return co_queue_get((co_queue *)args[0].u.p, result);
}

static co_exc *locker(const co_value *args, co_value *result)
{
    (void)result;
    co_lock *lk = args[0].u.p;
    co_exc *e = co_lock_acquire(lk);
    return e ? e : co_lock_release(lk);
}

static co_task **spawn(long long n, co_coro c)
{
    co_task **ts = malloc((size_t)n * sizeof *ts);
    if (!ts)
        return NULL;
    for (long long i = 0; i < n; i++) {
        if (c.fn == nothing)
            c.args[0] = co_int(i);
        ts[i] = co_create_task(c, NULL);
        if (!ts[i]) {
            free(ts);
            return NULL;
        }
    }
    return ts;
}

static co_exc *await_all(co_task **ts, long long n)
{
    co_exc *e = NULL;
    for (long long i = 0; i < n && !e; i++)
        e = co_await(co_task_future(ts[i]), NULL);
    return e;
}

static co_exc *gather_of(co_task **ts, long long n, bool return_exceptions)
{
    co_aw *aws = malloc((size_t)n * sizeof *aws);
    if (!aws)
        return nomem();
    for (long long i = 0; i < n; i++)
        aws[i] = co_aw_fut(co_task_future(ts[i]));
    co_exc *e = co_await(co_gather(aws, (size_t)n, return_exceptions), NULL);
    free(aws);
    return e;
}

static co_exc *growth_main(const co_value *args, co_value *result)
{
    (void)result;
    const char *op = args[0].u.s;
    long long n = args[1].u.i;
    co_loop *L = co_running_loop();
    co_exc *e = NULL;
    co_task **ts = NULL;
    if (!strcmp(op, "gather")) {                 /* await gather(*tasks) */
        ts = spawn(n, CO_CORO(nothing, co_none()));
        e = ts ? gather_of(ts, n, false) : nomem();
    } else if (!strcmp(op, "wait")) {            /* await wait(tasks) */
        ts = spawn(n, CO_CORO(nothing, co_none()));
        if (!ts)
            return nomem();
        co_future **fs = malloc((size_t)n * sizeof *fs), **done = malloc((size_t)n * sizeof *done);
        if (!fs || !done)
            return nomem();
        for (long long i = 0; i < n; i++)
            fs[i] = co_task_future(ts[i]);
        size_t nd = 0, np = 0;
        e = co_wait(fs, (size_t)n, CO_NO_TIMEOUT, CO_ALL_COMPLETED, done, &nd, NULL, &np);
        if (!e && (long long)nd != n)
            e = co_exc_new("RuntimeError", "wait: not all done");
        free(fs);
        free(done);
    } else if (!strcmp(op, "as_completed")) {    /* for f in as_completed(tasks): await f */
        ts = spawn(n, CO_CORO(nothing, co_none()));
        if (!ts)
            return nomem();
        co_future **fs = malloc((size_t)n * sizeof *fs);
        if (!fs)
            return nomem();
        for (long long i = 0; i < n; i++)
            fs[i] = co_task_future(ts[i]);
        co_as_completed *ac = co_as_completed_new(fs, (size_t)n, CO_NO_TIMEOUT);
        free(fs);
        if (!ac)
            return nomem();
        for (long long i = 0; i < n && !e; i++)
            e = co_as_completed_next(ac, NULL);
    } else if (!strcmp(op, "taskgroup")) {       /* async with TaskGroup() as tg: tg.create_task(...) x n */
        co_taskgroup *tg = co_taskgroup_enter();
        for (long long i = 0; i < n && !e; i++)
            co_taskgroup_create_task(tg, CO_CORO(nothing, co_int(i)), NULL, &e);
        e = co_taskgroup_exit(tg, e);
    } else if (!strcmp(op, "cancel_gather")) {   /* n sleeping tasks: cancel each, gather them */
        ts = spawn(n, CO_CORO(sleeper, co_none()));
        if (!ts)
            return nomem();
        e = co_sleep(0);                         /* every task starts sleeping */
        for (long long i = 0; i < n; i++)
            co_task_cancel(ts[i], NULL);
        if (!e)
            e = gather_of(ts, n, true);
    } else if (!strcmp(op, "all_tasks")) {       /* all_tasks() with n tasks alive */
        ts = spawn(n, CO_CORO(nothing, co_none()));
        if (!ts)
            return nomem();
        co_task **all = malloc((size_t)(n + 1) * sizeof *all);
        if (!all)
            return nomem();
        if ((long long)co_all_tasks(L, all, (size_t)n + 1) != n + 1)
            e = co_exc_new("RuntimeError", "all_tasks: wrong count");
        free(all);
        if (!e)
            e = await_all(ts, n);
    } else if (!strcmp(op, "queue")) {           /* n getters wait on a queue, then n puts */
        co_queue *q = co_queue_new(L, 0);
        ts = spawn(n, CO_CORO(getter, co_ptr(q)));
        if (!ts)
            return nomem();
        e = co_sleep(0);
        for (long long i = 0; i < n && !e; i++)
            e = co_queue_put_nowait(q, co_int(i));
        if (!e)
            e = await_all(ts, n);
    } else if (!strcmp(op, "lock")) {            /* n tasks wait on a held lock */
        co_lock *lk = co_lock_new(L);
        e = co_lock_acquire(lk);
        ts = e ? NULL : spawn(n, CO_CORO(locker, co_ptr(lk)));
        if (!e && !ts)
            return nomem();
        if (!e)
            e = co_sleep(0);
        if (!e)
            e = co_lock_release(lk);
        if (!e)
            e = await_all(ts, n);
    } else
        die("growth: unknown operation (gather wait as_completed taskgroup cancel_gather all_tasks queue lock)");
    free(ts);
    return e;
}

static void bench_growth(int argc, char **argv)
{
    if (argc < 2)
        die("usage: growth OP N");
    double s = run_timed(CO_CORO(growth_main, co_str(argv[0]), co_int(arg_count(argv[1]))), NULL, NULL);
    printf("seconds %.6f\n", s);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        void (*fn)(int, char **);
    } cmds[] = {{"pingpong", bench_pingpong}, {"sleep0", bench_sleep0}, {"memory", bench_memory},
                {"switch", bench_switch},     {"growth", bench_growth}};
    if (argc > 2 && !strcmp(argv[argc - 1], "copy")) {
        stack_mode = CO_STACK_COPY;
        argc--;
    }
    for (size_t i = 0; argc > 1 && i < sizeof cmds / sizeof cmds[0]; i++)
        if (!strcmp(argv[1], cmds[i].name)) {
            cmds[i].fn(argc - 2, argv + 2);
            return 0;
        }
    fprintf(stderr, "usage: bench_rt pingpong|sleep0|memory|switch|growth ARGS (see tests/bench/bench_rt.c)\n");
    return 2;
}
