/*
** failures.c -- failure, timeout and cancellation scenarios.
**
** gather with and without return_exceptions, cancelling a gather, wait's three
** return_when modes and its timeout, as_completed with a timeout, cancelling
** tasks that clean up or swallow the cancellation, and a bare future resolved by
** another task. Each mirrors its twin NAME.py line for line.
*/
#include "scenarios.h"

static const char *pybool(bool b) { return b ? "True" : "False"; }

co_exc *scn_gather_exceptions(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_aw aws[] = {co_aw_coro(JOB("a", 1)), co_aw_coro(FAIL(2)), co_aw_coro(JOB("c", 3))};
    co_value results;
    TRY(co_await(co_gather(aws, 3, true), &results));
    co_print("%s", co_repr(results));
    return NULL;
}

co_exc *scn_gather_fail(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_aw aws[] = {co_aw_coro(JOB("a", 1)), co_aw_coro(FAIL(2)), co_aw_coro(JOB("c", 3))};
    co_exc *e = co_await(co_gather(aws, 3, false), NULL);
    if (e && co_exc_is(e, "ValueError"))
        co_print("gather raised ValueError: %s", e->msg);
    else if (e)
        return e;
    TRY(co_sleep(2));
    co_print("main done");
    return NULL;
}

co_exc *scn_gather_cancel(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_aw aws[] = {co_aw_coro(JOB("a", 3)), co_aw_coro(JOB("b", 1))};
    co_future *group = co_gather(aws, 2, false);
    TRY(co_sleep(2));
    co_print("cancel() returned %s", pybool(co_future_cancel(group, NULL)));
    co_exc *e = co_await(group, NULL);
    if (co_exc_is_cancel(e))
        co_print("gather was cancelled");
    else if (e)
        return e;
    return NULL;
}

static void three_tasks(co_future *fs[3], co_coro a, const char *na, co_coro b, const char *nb,
                        co_coro c, const char *nc)
{
    fs[0] = co_task_future(co_create_task(a, na));
    fs[1] = co_task_future(co_create_task(b, nb));
    fs[2] = co_task_future(co_create_task(c, nc));
}

co_exc *scn_wait_first_completed(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_future *tasks[3], *done[3], *pending[3], *done2[3], *pending2[3];
    size_t nd, np, nd2, np2;
    three_tasks(tasks, JOB("a", 3), "a", JOB("b", 1), "b", JOB("c", 2), "c");
    TRY(co_wait(tasks, 3, CO_NO_TIMEOUT, CO_FIRST_COMPLETED, done, &nd, pending, &np));
    co_print("done=%zu pending=%zu", nd, np);
    for (int i = 0; i < 3; i++)
        co_print("%s done=%s", co_task_name((co_task *)tasks[i]), pybool(co_future_done(tasks[i])));
    TRY(co_wait(pending, np, CO_NO_TIMEOUT, CO_ALL_COMPLETED, done2, &nd2, pending2, &np2));
    co_print("all done");
    return NULL;
}

co_exc *scn_wait_first_exception(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_future *tasks[3], *done[3], *pending[3], *done2[3], *pending2[3];
    size_t nd, np, nd2, np2;
    three_tasks(tasks, JOB("a", 3), "a", FAIL(1), "f", JOB("c", 2), "c");
    TRY(co_wait(tasks, 3, CO_NO_TIMEOUT, CO_FIRST_EXCEPTION, done, &nd, pending, &np));
    co_print("done=%zu pending=%zu", nd, np);
    co_exc *raised = NULL;
    TRY(co_future_exception(tasks[1], &raised));
    co_print("f raised %s", raised ? co_repr(co_excv(raised)) : "None");
    TRY(co_wait(pending, np, CO_NO_TIMEOUT, CO_ALL_COMPLETED, done2, &nd2, pending2, &np2));
    co_value a, c;
    TRY(co_future_result(tasks[0], &a));
    TRY(co_future_result(tasks[2], &c));
    co_print("%s %s", co_strv(a), co_strv(c));
    return NULL;
}

co_exc *scn_wait_timeout(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_future *tasks[2], *done[2], *pending[2];
    size_t nd, np;
    tasks[0] = co_task_future(co_create_task(JOB("a", 3), "a"));
    tasks[1] = co_task_future(co_create_task(JOB("b", 1), "b"));
    TRY(co_wait(tasks, 2, 2, CO_ALL_COMPLETED, done, &nd, pending, &np));
    co_print("done=%zu pending=%zu", nd, np);
    co_print("a done=%s", pybool(co_future_done(tasks[0])));
    co_value v;
    TRY(co_await(tasks[0], &v));
    co_print("%s", co_strv(v));
    return NULL;
}

co_exc *scn_as_completed_timeout(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_future *tasks[3];
    three_tasks(tasks, JOB("a", 3), "a", JOB("b", 1), "b", JOB("c", 5), "c");
    co_as_completed *ac = co_as_completed_new(tasks, 3, 4);
    for (size_t i = 0; i < co_as_completed_count(ac); i++) {
        co_value v;
        co_exc *e = co_as_completed_next(ac, &v);
        if (e && co_exc_is(e, "TimeoutError")) {
            co_print("timed out");
            break;
        }
        if (e)
            return e;
        co_print("%s", co_strv(v));
    }
    co_future_cancel(tasks[2], NULL);
    return NULL;
}

static co_exc *cleanup_worker(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_print("worker starts");                  /* try: */
    co_exc *e = co_sleep(5);
    if (!e)
        co_print("never printed");
    co_print("worker cleans up");               /* finally: */
    co_exc *e2 = co_sleep(1);
    if (e2)
        return e2;
    co_print("cleanup done");
    return e;                                   /* re-raise what the try raised */
}

co_exc *scn_cancel_cleanup(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *task = co_create_task(co_coro_make(cleanup_worker, "worker", 0, NULL), "worker");
    TRY(co_sleep(1));
    co_task_cancel(task, "stop now");
    co_print("cancelling=%d", co_task_cancelling(task));
    co_exc *e = co_await(co_task_future(task), NULL);
    if (co_exc_is_cancel(e))
        co_print("worker cancelled: %s", e->msg);
    else if (e)
        return e;
    co_print("cancelled=%s", pybool(co_future_cancelled(co_task_future(task))));
    return NULL;
}

static co_exc *stubborn(const co_value *args, co_value *result)
{
    (void)args;
    co_exc *e = co_sleep(5);
    if (co_exc_is_cancel(e)) {                  /* except CancelledError: */
        co_print("cancel caught, carrying on");
        co_task_uncancel(co_current_task());
    } else if (e)
        return e;
    TRY(co_sleep(1));
    *result = co_str("finished anyway");
    return NULL;
}

co_exc *scn_cancel_swallow(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *task = co_create_task(co_coro_make(stubborn, "stubborn", 0, NULL), "stubborn");
    TRY(co_sleep(1));
    co_task_cancel(task, NULL);
    co_value v;
    TRY(co_await(co_task_future(task), &v));
    co_print("%s", co_strv(v));
    co_print("cancelled=%s cancelling=%d", pybool(co_future_cancelled(co_task_future(task))),
             co_task_cancelling(task));
    return NULL;
}

static void report(co_future *fut, void *arg)
{
    (void)arg;
    co_value v;
    if (!co_future_result(fut, &v))
        co_print("callback sees %s", co_strv(v));
}

static void late(co_future *fut, void *arg)
{
    (void)fut;
    (void)arg;
    co_print("late callback runs too");
}

static co_exc *resolver(const co_value *args, co_value *result)
{
    (void)result;
    co_future *fut = args[0].u.p;
    TRY(co_sleep(1));
    co_print("resolver sets the result");
    TRY(co_future_set_result(fut, co_int(42)));
    return NULL;
}

co_exc *scn_future_callbacks(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_future *fut = co_future_new(co_running_loop());
    co_future_add_done_callback(fut, report, NULL, "report");
    co_create_task(CO_CORO(resolver, co_ptr(fut)), "resolver");
    co_value v;
    TRY(co_await(fut, &v));
    co_print("main got %s", co_strv(v));
    co_future_add_done_callback(fut, late, NULL, "late");
    TRY(co_sleep(0));
    return NULL;
}
