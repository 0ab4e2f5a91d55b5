/*
** more.c -- deadlines, task groups and futures: wait_for (timing out, in time,
** with timeout 0), shield under wait_for, TaskGroup (all well, one child
** failing, the parent cancelled), the timeout() block, ensure_future, and
** done-callbacks with an extra argument. Each mirrors its twin NAME.py line
** for line.
*/
#include "scenarios.h"

static const char *pybool(bool b) { return b ? "True" : "False"; }
static const char *pyfloat(double d) { return co_repr(co_float(d)); }
static double now(void) { return co_loop_time(co_running_loop()); }

/* --- wait_for ------------------------------------------------------------- */

static co_exc *slow(const co_value *args, co_value *result)
{
    (void)args;
    co_exc *e = co_sleep(5);
    if (co_exc_is_cancel(e)) {                  /* except CancelledError: */
        co_print("slow: cancelled, cleaning up");
        TRY(co_sleep(1));
        co_print("slow: cleanup done");
        return e;                               /* raise */
    }
    if (e)
        return e;
    *result = co_str("slow result");
    return NULL;
}

co_exc *scn_wait_for_timeout(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_exc *e = co_wait_for(co_aw_coro(co_coro_make(slow, "slow", 0, NULL)), 2, NULL);
    if (e && co_exc_is(e, "TimeoutError"))
        co_print("TimeoutError at %s", pyfloat(now()));
    else if (e)
        return e;
    return NULL;
}

co_exc *scn_wait_for_ok(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_value v;
    TRY(co_wait_for(co_aw_coro(JOB("fast", 1)), 3, &v));
    co_print("got %s at %s", co_strv(v), pyfloat(now()));
    co_task *task = co_create_task(JOB("task", 2), NULL);
    TRY(co_wait_for(co_aw_fut(co_task_future(task)), 5, &v));
    co_print("got %s at %s", co_strv(v), pyfloat(now()));
    TRY(co_wait_for(co_aw_coro(JOB("plain", 1)), CO_NO_TIMEOUT, &v));
    co_print("got %s at %s", co_strv(v), pyfloat(now()));
    return NULL;
}

static co_exc *loud_job(const co_value *args, co_value *result)
{
    co_print("%s runs", args[0].u.s);
    TRY(co_sleep(co_num(args[1])));
    *result = args[0];
    return NULL;
}
#define LOUD_JOB(name, delay) co_coro_make(loud_job, "job", 2, (co_value[]){co_str(name), CO_NUM(delay)})

co_exc *scn_wait_for_zero(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *task = co_create_task(LOUD_JOB("early", 0), NULL);
    TRY(co_await(co_task_future(task), NULL));
    co_value v;
    TRY(co_wait_for(co_aw_fut(co_task_future(task)), 0, &v));
    co_print("finished task: %s", co_strv(v));
    co_exc *e = co_wait_for(co_aw_coro(LOUD_JOB("never", 0)), 0, NULL);
    if (e && co_exc_is(e, "TimeoutError"))
        co_print("unfinished coroutine: TimeoutError");
    else if (e)
        return e;
    return NULL;
}

co_exc *scn_shield_wait_for(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *backup = co_create_task(JOB("backup", 3), "backup");
    co_exc *e = co_wait_for(co_aw_fut(co_shield(co_aw_fut(co_task_future(backup)))), 1, NULL);
    if (e && co_exc_is(e, "TimeoutError"))
        co_print("TimeoutError at %s; backup cancelled=%s", pyfloat(now()),
                 pybool(co_future_cancelled(co_task_future(backup))));
    else if (e)
        return e;
    co_value v;
    TRY(co_await(co_task_future(backup), &v));
    co_print("backup finished anyway: %s at %s", co_strv(v), pyfloat(now()));
    return NULL;
}

/* --- TaskGroup ---------------------------------------------------------------- */

co_exc *scn_taskgroup_ok(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_taskgroup *tg = co_taskgroup_enter();    /* async with TaskGroup() as tg: */
    co_task *a = co_taskgroup_create_task(tg, JOB("a", 2), NULL, NULL);
    co_task *b = co_taskgroup_create_task(tg, JOB("b", 1), NULL, NULL);
    co_print("body done, waiting for the children");
    TRY(co_taskgroup_exit(tg, NULL));
    co_value ra, rb;
    TRY(co_future_result(co_task_future(a), &ra));
    TRY(co_future_result(co_task_future(b), &rb));
    co_print("results: %s %s at %s", co_strv(ra), co_strv(rb), pyfloat(now()));
    return NULL;
}

static co_exc *worker(const co_value *args, co_value *result)
{
    (void)result;
    co_exc *e = co_sleep(co_num(args[1]));
    if (co_exc_is_cancel(e)) {
        co_print("%s cancelled", args[0].u.s);
        return e;
    }
    if (e)
        return e;
    co_print("%s finished", args[0].u.s);
    return NULL;
}
#define WORKER(name, delay) co_coro_make(worker, "worker", 2, (co_value[]){co_str(name), CO_NUM(delay)})

co_exc *scn_taskgroup_fail(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_taskgroup *tg = co_taskgroup_enter();
    co_taskgroup_create_task(tg, JOB("a", 1), NULL, NULL);
    co_taskgroup_create_task(tg, FAIL(2), NULL, NULL);
    co_taskgroup_create_task(tg, WORKER("c", 5), NULL, NULL);
    co_exc *e = co_sleep(10);
    if (co_exc_is_cancel(e))
        co_print("body cancelled");
    e = co_taskgroup_exit(tg, e);
    if (e && co_exc_is(e, "ExceptionGroup"))
        co_print("caught %s", co_repr(co_excv(e)));
    else if (e)
        return e;
    co_print("main goes on, cancelling=%d", co_task_cancelling(co_current_task()));
    return NULL;
}

static co_exc *body(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_taskgroup *tg = co_taskgroup_enter();
    co_taskgroup_create_task(tg, WORKER("quick", 1), NULL, NULL);
    co_taskgroup_create_task(tg, WORKER("slow", 10), NULL, NULL);
    co_exc *slept = co_sleep(10);           /* await asyncio.sleep(10) in the block */
    TRY(co_taskgroup_exit(tg, slept));      /* the block's end: wait for the children */
    co_print("never printed");
    return NULL;
}

co_exc *scn_taskgroup_cancel(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *task = co_create_task(co_coro_make(body, "body", 0, NULL), NULL);
    TRY(co_sleep(2));
    co_task_cancel(task, NULL);
    co_exc *e = co_await(co_task_future(task), NULL);
    if (co_exc_is_cancel(e))
        co_print("body cancelled=%s", pybool(co_future_cancelled(co_task_future(task))));
    else if (e)
        return e;
    return NULL;
}

/* --- timeout() ------------------------------------------------------------------ */

co_exc *scn_timeout_block(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_timeout *cm = co_timeout_enter(2);       /* async with asyncio.timeout(2) as cm: */
    co_print("deadline %s", pyfloat(co_timeout_when(cm)));
    co_exc *e = co_timeout_reschedule(cm, now() + 3);
    if (!e) {
        co_print("moved to %s", pyfloat(co_timeout_when(cm)));
        e = co_sleep(10);
        if (!e)
            co_print("never printed");
    }
    e = co_timeout_exit(cm, e);
    if (e && co_exc_is(e, "TimeoutError"))
        co_print("TimeoutError at %s, expired=%s", pyfloat(now()), pybool(co_timeout_expired(cm)));
    else if (e)
        return e;
    co_timeout *cm2 = co_timeout_at_enter(now() + 5);
    TRY(co_timeout_exit(cm2, co_sleep(1)));
    co_print("in time at %s, expired=%s", pyfloat(now()), pybool(co_timeout_expired(cm2)));
    return NULL;
}

/* --- futures ---------------------------------------------------------------------- */

static void set_from_a_future(void *fut) { co_future_set_result(fut, co_str("from a future")); }

co_exc *scn_ensure_future(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *L = co_running_loop();
    co_future *t1 = co_ensure_future(co_aw_coro(JOB("from a coroutine", 1)));
    co_print("coroutine -> new task %s", co_task_name((co_task *)t1));
    co_task *t2 = co_create_task(JOB("from create_task", 2), NULL);
    co_print("task -> same object: %s",
             pybool(co_ensure_future(co_aw_fut(co_task_future(t2))) == co_task_future(t2)));
    co_future *fut = co_future_new(L);
    co_print("future -> same object: %s", pybool(co_ensure_future(co_aw_fut(fut)) == fut));
    co_handle_release(co_call_later(L, 1.5, set_from_a_future, fut, "set_result"));
    co_value v;
    TRY(co_await(t1, &v));
    co_print("%s", co_strv(v));
    TRY(co_await(fut, &v));
    co_print("%s", co_strv(v));
    TRY(co_await(co_task_future(t2), &v));
    co_print("%s", co_strv(v));
    return NULL;
}

/* report(label, fut): the label is the extra argument functools.partial binds. */
static void report(co_future *fut, void *label)
{
    co_value v;
    if (!co_future_result(fut, &v))
        co_print("%s: %s", (const char *)label, co_strv(v));
}

static void set_42(void *fut) { co_future_set_result(fut, co_int(42)); }

co_exc *scn_done_callback_args(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *L = co_running_loop();
    co_future *fut = co_future_new(L);
    co_future_add_done_callback(fut, report, "first", "partial(report, 'first')");
    co_future_add_done_callback(fut, report, "second", "partial(report, 'second')");
    co_task *task = co_create_task(JOB("job", 2), NULL);
    co_future_add_done_callback(co_task_future(task), report, "task", "partial(report, 'task')");
    co_handle_release(co_call_later(L, 1, set_42, fut, "set_result"));
    co_value v;
    TRY(co_await(fut, &v));
    co_print("main got %s", co_strv(v));
    TRY(co_await(co_task_future(task), &v));
    co_print("main got %s", co_strv(v));
    return NULL;
}
