/*
** headline.c -- the headline comparison and its neighbours.
**
** One workload -- job("a", 3), job("b", 1), job("c", 2) -- done four ways:
** sequential awaits (6 s), gather (3 s), wait (3 s) and as_completed (3 s,
** results in completion order). Then create_task against a plain await, and
** sleep(0) round-robin. Each function mirrors the twin NAME.py line for line.
*/
#include "scenarios.h"

co_exc *scn_job(const co_value *args, co_value *result)
{
    TRY(co_sleep(co_num(args[1])));  /* await asyncio.sleep(delay) */
    *result = args[0];               /* return name */
    return NULL;
}

co_exc *scn_fail(const co_value *args, co_value *result)
{
    (void)result;
    TRY(co_sleep(co_num(args[0])));
    return co_exc_new("ValueError", "boom");
}

co_exc *scn_sequential(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_value v;
    TRY(co_await_coro(JOB("a", 3), &v));
    co_print("%s", co_strv(v));
    TRY(co_await_coro(JOB("b", 1), &v));
    co_print("%s", co_strv(v));
    TRY(co_await_coro(JOB("c", 2), &v));
    co_print("%s", co_strv(v));
    return NULL;
}

co_exc *scn_gather(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_aw jobs[] = {co_aw_coro(JOB("a", 3)), co_aw_coro(JOB("b", 1)), co_aw_coro(JOB("c", 2))};
    co_value results;
    TRY(co_await(co_gather(jobs, 3, false), &results));
    co_print("%s", co_repr(results));
    return NULL;
}

/* tasks = [create_task(job("a", 3), name="a"), ...] */
static void abc_tasks(co_future *fs[3], int a, int b, int c)
{
    fs[0] = co_task_future(co_create_task(JOB("a", a), "a"));
    fs[1] = co_task_future(co_create_task(JOB("b", b), "b"));
    fs[2] = co_task_future(co_create_task(JOB("c", c), "c"));
}

co_exc *scn_wait(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_future *tasks[3], *done[3], *pending[3];
    size_t ndone, npending;
    abc_tasks(tasks, 3, 1, 2);
    TRY(co_wait(tasks, 3, CO_NO_TIMEOUT, CO_ALL_COMPLETED, done, &ndone, pending, &npending));
    co_print("done=%zu pending=%zu", ndone, npending);
    for (int i = 0; i < 3; i++) {
        co_value v;
        TRY(co_future_result(tasks[i], &v));
        co_print("%s", co_strv(v));
    }
    return NULL;
}

co_exc *scn_as_completed(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_future *tasks[3];
    abc_tasks(tasks, 3, 1, 2);
    co_as_completed *ac = co_as_completed_new(tasks, 3, CO_NO_TIMEOUT);
    for (size_t i = 0; i < co_as_completed_count(ac); i++) {
        co_value v;
        TRY(co_as_completed_next(ac, &v));
        co_print("%s", co_strv(v));
    }
    return NULL;
}

co_exc *scn_create_task(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_value v;
    co_task *background = co_create_task(JOB("x", 2), NULL);
    TRY(co_await_coro(JOB("y", 2), &v));
    co_print("%s", co_strv(v));
    TRY(co_await(co_task_future(background), &v));
    co_print("%s", co_strv(v));
    TRY(co_await_coro(JOB("z", 1), &v));
    co_print("%s", co_strv(v));
    return NULL;
}

static co_exc *counter(const co_value *args, co_value *result)
{
    for (long long i = 0; i < args[1].u.i; i++) {
        co_print("%s %lld", args[0].u.s, i);
        TRY(co_sleep(0));
    }
    *result = args[1];
    return NULL;
}

co_exc *scn_round_robin(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_aw counters[] = {co_aw_coro(CO_CORO(counter, co_str("A"), co_int(3))),
                        co_aw_coro(CO_CORO(counter, co_str("B"), co_int(2))),
                        co_aw_coro(CO_CORO(counter, co_str("C"), co_int(3)))};
    TRY(co_await(co_gather(counters, 3, false), NULL));
    return NULL;
}

static co_exc *worker(const co_value *args, co_value *result)
{
    long long i = args[0].u.i;
    for (long long r = 0; r < args[1].u.i; r++)
        TRY(co_sleep((double)((i * 7 + r * 3) % 10) / 10));
    *result = args[0];
    return NULL;
}

co_exc *scn_swarm(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    long n = co_scenario_size;
    co_aw *workers = co_malloc((size_t)(n ? n : 1) * sizeof *workers);
    if (!workers)
        return co_exc_new("MemoryError", NULL);
    for (long i = 0; i < n; i++)
        workers[i] = co_aw_coro(CO_CORO(worker, co_int(i), co_int(5)));
    co_future *g = co_gather(workers, (size_t)n, false);
    co_free(workers);
    co_value done;
    TRY(co_await(g, &done));
    co_print("%zu workers done", done.kind == CO_V_LIST ? done.u.list->n : 0);
    return NULL;
}
