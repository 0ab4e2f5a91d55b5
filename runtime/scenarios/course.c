/*
** course.c -- the rest of the asyncio a course needs: Barrier, PriorityQueue
** and LifoQueue, contextvars, sleep's result and a task's name, the loop's
** exception handler, asyncio.Runner, run_coroutine_threadsafe, coroutine
** objects handed to gather / as_completed / wait, decisions CPython takes in
** set order, and the errors a program sees when it gets things wrong. Each
** mirrors its twin NAME.py line for line.
*/
#include <pthread.h>
#include <string.h>

#include "scenarios.h"

static const char *pybool(bool b) { return b ? "True" : "False"; }
static const char *pyfloat(double d) { return co_repr(co_float(d)); }
static const char *repr(co_exc *e) { return co_repr(co_excv(e)); }
static double now(void) { return co_loop_time(co_running_loop()); }

/* --- barrier_rounds ------------------------------------------------------------- */

static co_exc *barrier_worker(const co_value *args, co_value *result)
{
    (void)result;
    co_barrier *barrier = args[0].u.p;
    for (int round = 0; round < 2; round++) {
        TRY(co_sleep(co_num(args[2])));
        int index;
        TRY(co_barrier_wait(barrier, &index));
        co_print("%s passed round %d as %d at %s", args[1].u.s, round, index, pyfloat(now()));
    }
    return NULL;
}
#define BARRIER_WORKER(b, name, delay) \
    co_coro_make(barrier_worker, "worker", 3, (co_value[]){co_ptr(b), co_str(name), CO_NUM(delay)})

static co_exc *lonely(const co_value *args, co_value *result)
{
    (void)result;
    co_exc *e = co_barrier_wait(args[0].u.p, NULL);
    if (e && co_exc_is(e, "BrokenBarrierError"))
        co_print("lonely: %s", repr(e));
    else if (e)
        return e;
    return NULL;
}

co_exc *scn_barrier_rounds(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *loop = co_running_loop();
    co_barrier *barrier = co_barrier_new(loop, 3);
    co_aw workers[] = {co_aw_coro(BARRIER_WORKER(barrier, "a", 1)), co_aw_coro(BARRIER_WORKER(barrier, "b", 2)),
                       co_aw_coro(BARRIER_WORKER(barrier, "c", 3))};
    TRY(co_await(co_gather(workers, 3, false), NULL));
    co_print("parties=%d waiting=%d broken=%s", co_barrier_parties(barrier), co_barrier_n_waiting(barrier),
             pybool(co_barrier_broken(barrier)));
    co_barrier *pair = co_barrier_new(loop, 2);
    co_task *task = co_create_task(CO_CORO(lonely, co_ptr(pair)), NULL);
    TRY(co_sleep(1));
    TRY(co_barrier_abort(pair));
    TRY(co_await(co_task_future(task), NULL));
    co_exc *e = co_barrier_wait(pair, NULL);
    if (e && co_exc_is(e, "BrokenBarrierError"))
        co_print("late: %s, broken=%s", repr(e), pybool(co_barrier_broken(pair)));
    else if (e)
        return e;
    return NULL;
}

/* --- priority_queue -------------------------------------------------------------- */

static co_value pair_of(long long priority, const char *job)
{
    co_value v = co_list_new(2);
    if (v.kind == CO_V_LIST) {
        v.u.list->items[0] = co_int(priority);
        v.u.list->items[1] = co_str(job);
    }
    return v;
}

static co_exc *pq_producer(const co_value *args, co_value *result)
{
    (void)result;
    co_queue *queue = args[0].u.p;
    co_value items[] = {pair_of(3, "low"), pair_of(1, "urgent"), pair_of(2, "normal"), pair_of(1, "also urgent")};
    for (size_t i = 0; i < 4; i++) {
        TRY(co_queue_put(queue, items[i]));
        TRY(co_sleep(0));
    }
    return NULL;
}

static co_exc *pq_consumer(const co_value *args, co_value *result)
{
    (void)result;
    co_queue *queue = args[0].u.p;
    for (;;) {
        co_value item;
        TRY(co_queue_get(queue, &item));
        TRY(co_sleep(1));
        co_print("%s did %s (priority %s) at %s", args[1].u.s, co_repr(item.u.list->items[1]),
                 co_repr(item.u.list->items[0]), pyfloat(now()));
        TRY(co_queue_task_done(queue));
    }
}

co_exc *scn_priority_queue(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *loop = co_running_loop();
    co_queue *queue = co_priority_queue_new(loop, 0);
    co_task *worker = co_create_task(co_coro_make(pq_consumer, "consumer", 2,
                                                  (co_value[]){co_ptr(queue), co_str("worker")}), NULL);
    TRY(co_await_coro(co_coro_make(pq_producer, "producer", 1, (co_value[]){co_ptr(queue)}), NULL));
    TRY(co_queue_join(queue));
    co_task_cancel(worker, NULL);
    co_queue *stack = co_lifo_queue_new(loop, 0);
    for (int i = 0; i < 3; i++)
        TRY(co_queue_put_nowait(stack, co_int(i)));
    co_value got = co_list_new(3);
    for (size_t i = 0; i < 3; i++)
        TRY(co_queue_get_nowait(stack, &got.u.list->items[i]));
    co_print("lifo: %s", co_repr(got));
    TRY(co_queue_put_nowait(queue, pair_of(5, "x")));
    co_exc *e = co_queue_put_nowait(queue, co_none());
    if (e && co_exc_is(e, "TypeError"))
        co_print("%s", repr(e));
    else if (e)
        return e;
    return NULL;
}

/* --- context_vars ------------------------------------------------------------------- */

static co_cvar *request;

static void report(void *where)
{
    co_value v;
    co_cvar_get(request, NULL, &v);
    co_print("%s: request=%s", (const char *)where, co_strv(v));
}

static co_exc *current(const co_value *args, co_value *result)
{
    (void)args;
    return co_cvar_get(request, NULL, result);
}

static co_exc *handle(const co_value *args, co_value *result)
{
    (void)result;
    const char *name = args[0].u.s;
    report((void *)co_strf("%s starts", name));
    co_cvar_set(request, co_str(name));
    TRY(co_sleep(1));
    co_call_soon(co_running_loop(), report, (void *)co_strf("callback of %s", name), "report");
    TRY(co_sleep(0));
    co_task *child = co_create_task(CO_CORO0(current), NULL);
    co_value saw;
    TRY(co_await(co_task_future(child), &saw));
    co_print("%s: child saw %s", name, co_strv(saw));
    return NULL;
}

static co_exc *setter(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_cvar_set(request, co_str("set by a shared task"));
    return NULL;
}

co_exc *scn_context_vars(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_value none = co_str("none");
    request = co_cvar_new("request", &none);
    co_cvar_set(request, co_str("main"));
    co_aw handlers[] = {co_aw_coro(CO_CORO(handle, co_str("r1"))), co_aw_coro(CO_CORO(handle, co_str("r2")))};
    TRY(co_await(co_gather(handlers, 2, false), NULL));
    report("main after");
    co_vars *ctx = co_copy_context();
    TRY(co_await(co_task_future(co_create_task_in(CO_CORO0(setter), NULL, ctx)), NULL));
    co_value v;
    TRY(co_vars_get(ctx, request, &v));
    co_print("in ctx: %s", co_strv(v));
    report("main at the end");
    return NULL;
}

/* --- task_api ----------------------------------------------------------------------- */

static void ring(void *name) { co_print("%s rang at %s", (const char *)name, pyfloat(now())); }

static co_exc *nap(const co_value *args, co_value *result)
{
    return co_sleep_result(co_num(args[0]), co_str(co_strf("slept %s", co_repr(args[0]))), result);
}

co_exc *scn_task_api(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *loop = co_running_loop();
    co_value v;
    TRY(co_sleep_result(0, co_str("zero"), &v));
    co_print("%s", co_strv(v));
    co_task *task = co_create_task(CO_CORO(nap, co_int(2)), NULL);
    if (!task)
        return co_exc_new("MemoryError", NULL);
    co_print("%s runs %s()", co_task_name(task), co_task_get_coro(task).name);
    co_task_set_name(task, "napper");
    co_print("renamed: %s", co_task_name(task));
    co_handle *early = co_call_later(loop, 1, ring, "early", "ring");
    co_handle *late = co_call_later(loop, 3, ring, "late", "ring");
    if (!early || !late) {                   /* MemoryError */
        co_handle_release(early);
        co_handle_release(late);
        return co_exc_new("MemoryError", NULL);
    }
    co_print("timers due at %s and %s", pyfloat(co_handle_when(early)), pyfloat(co_handle_when(late)));
    TRY(co_await(co_task_future(task), &v));
    co_print("%s", co_strv(v));
    co_handle_cancel(late);
    co_print("late cancelled: %s", pybool(co_handle_cancelled(late)));
    co_handle_release(early);
    co_handle_release(late);
    return co_sleep(2);
}

/* --- exception_handler ------------------------------------------------------------------ */

static co_exc *handler(co_loop *loop, const co_exc_context *ctx, void *ud)
{
    (void)loop;
    (void)ud;
    if (ctx->exception)
        co_print("handler: %s (%s)", ctx->message, repr(ctx->exception));
    else
        co_print("handler: %s", ctx->message);
    return NULL;
}

co_exc *scn_exception_handler(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *loop = co_running_loop();
    co_print("custom handler before: %s", co_loop_get_exception_handler(loop, NULL) ? "set" : "None");
    co_loop_set_exception_handler(loop, handler, NULL);
    co_loop_call_exception_handler(loop, &(co_exc_context){.message = "something went wrong",
                                                          .exception = co_exc_new("ValueError", "boom")});
    co_loop_call_exception_handler(loop, &(co_exc_context){.message = "just a message"});
    co_loop_set_exception_handler(loop, NULL, NULL);
    co_print("custom handler after: %s", co_loop_get_exception_handler(loop, NULL) ? "set" : "None");
    co_loop_default_exception_handler(loop, &(co_exc_context){.message = "to the log"});
    return NULL;
}

/* --- runner ------------------------------------------------------------------------- */

static co_cvar *user;

static co_exc *background(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    for (;;) {
        co_exc *e = co_sleep(1);
        if (co_exc_is_cancel(e)) {
            co_print("background cancelled");
            return e;
        }
        if (e)
            return e;
        co_print("background tick at %s", pyfloat(now()));
    }
}

static co_exc *first(const co_value *args, co_value *result)
{
    (void)args;
    co_cvar_set(user, co_str("ada"));
    co_create_task(CO_CORO0(background), NULL);
    TRY(co_sleep(1.5));
    *result = co_str("first done");
    return NULL;
}

static co_exc *second(const co_value *args, co_value *result)
{
    (void)args;
    TRY(co_sleep(1));
    co_value who;
    co_cvar_get(user, NULL, &who);
    *result = co_str(co_strf("second done, user=%s", co_strv(who)));
    return NULL;
}

co_status scn_runner(co_loop *L)
{
    co_value nobody = co_str("nobody");
    user = co_cvar_new("user", &nobody);
    co_runner *runner = co_runner_new_with_loop(L);      /* with asyncio.Runner() as runner: */
    if (!runner)
        return CO_ENOMEM;
    co_value v;
    co_status st;
    co_exc *e = co_runner_run(runner, CO_CORO0(first), &v, &st);
    if (!e) {
        co_loop_print(L, "%s", co_strv(v));
        e = co_runner_run(runner, CO_CORO0(second), &v, &st);
    }
    if (!e)
        co_loop_print(L, "%s", co_strv(v));
    co_status closed = co_runner_free(runner);
    co_loop_print(L, "runner closed");               /* after the recording's end */
    if (e)
        return st != CO_OK ? st : CO_EINVAL;
    return closed;
}

/* --- threadsafe (real clock) ------------------------------------------------------------ */

static co_exc *ts_job(const co_value *args, co_value *result)
{
    TRY(co_sleep(co_num(args[1])));
    *result = co_str(co_strf("%s done", args[0].u.s));
    return NULL;
}

typedef struct ts_state {
    co_loop *loop;
    co_event *event;
    const char *line;          /* what the worker hands the loop to print */
} ts_state;

static void say(void *arg) { co_print("%s", ((ts_state *)arg)->line); }
static void set_event(void *arg) { co_event_set(((ts_state *)arg)->event); }

static void *ts_worker(void *arg)
{
    ts_state *s = arg;
    co_cfuture *future = co_run_coroutine_threadsafe(
        co_coro_make(ts_job, "job", 2, (co_value[]){co_str("from a thread"), CO_NUM(0.1)}), s->loop);
    co_value v = co_none();
    co_exc *e = future ? co_cfuture_result(future, 10, &v) : NULL;
    co_cfuture_release(future);
    /* The line is made here, with the loop's arena, which takes its lock
    ** while worker threads exist; co_print itself must run on the loop. */
    static char line[128];
    snprintf(line, sizeof line, "worker got %s", e ? e->type : v.kind == CO_V_STR ? "" : "?");
    if (!e && v.kind == CO_V_STR) {
        size_t n = strlen(line);
        snprintf(line + n, sizeof line - n, "'%s'", v.u.s);
    }
    s->line = line;
    co_call_soon_threadsafe(s->loop, say, s, "say");
    co_call_soon_threadsafe(s->loop, set_event, s, "Event.set");
    return NULL;
}

co_exc *scn_threadsafe(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    static ts_state s;
    s.loop = co_running_loop();
    s.event = co_event_new(s.loop);
    pthread_t thread;
    if (pthread_create(&thread, NULL, ts_worker, &s) != 0)
        return co_exc_new("RuntimeError", "can't start new thread");
    co_exc *e = co_event_wait(s.event);
    if (!e)
        co_print("main saw the event");
    pthread_join(thread, NULL);
    return e;
}

/* --- debug_mode ------------------------------------------------------------------------- */

static const char *refused;

static void never(void *arg) { (void)arg; }

static void *from_thread(void *loop)
{
    co_status st = co_call_soon(loop, never, NULL, "print");
    refused = st == CO_ETHREAD ? co_status_message(st) : "accepted";
    return NULL;
}

static co_exc *crunch(const co_value *args, co_value *result)
{
    (void)args;
    co_block(0.25, "time.sleep(0.25)");      /* holds the loop: logged as slow in debug mode */
    *result = co_str("crunched");
    return NULL;
}

static co_exc *debug_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *loop = co_running_loop();
    co_print("debug: %s", pybool(co_loop_get_debug(loop)));
    pthread_t thread;
    if (pthread_create(&thread, NULL, from_thread, loop) != 0)
        return co_exc_new("RuntimeError", "can't start new thread");
    pthread_join(thread, NULL);
    co_print("from a thread: %s", refused);
    co_task *t = co_create_task(CO_CORO0(crunch), NULL);
    if (!t)
        return co_exc_new("MemoryError", NULL);
    co_value v;
    TRY(co_await(co_task_future(t), &v));
    co_print("%s", co_strv(v));
    return NULL;
}

co_status scn_debug_mode(co_loop *L)
{
    co_loop_set_debug(L, true);               /* asyncio.run(main(), debug=True) */
    co_status st;
    co_exc *e = co_run(L, CO_CORO0(debug_main), NULL, &st);
    return e && st == CO_OK ? CO_EINVAL : st;
}

/* --- coroutines ---------------------------------------------------------------------- */

co_exc *scn_coroutines(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_value v;
    co_aw both[] = {co_aw_coro(JOB("a", 2)), co_aw_coro(JOB("b", 1))};
    TRY(co_await(co_gather(both, 2, false), &v));
    co_print("%s", co_repr(v));
    co_aw pair[] = {co_aw_coro(JOB("c", 2)), co_aw_coro(JOB("d", 1))};
    co_as_completed *ac = co_as_completed_aw(pair, 2, CO_NO_TIMEOUT);
    for (size_t i = 0; i < co_as_completed_count(ac); i++) {
        TRY(co_as_completed_next(ac, &v));
        co_print("as_completed: %s", co_strv(v));
    }
    co_aw coro[] = {co_aw_coro(JOB("e", 1))};
    co_future *done[1], *pending[1];
    size_t ndone, npending;
    co_exc *e = co_wait_aw(coro, 1, CO_NO_TIMEOUT, CO_ALL_COMPLETED, done, &ndone, pending, &npending);
    if (e && co_exc_is(e, "TypeError"))
        co_print("wait: %s", repr(e));
    else if (e)
        return e;
    TRY(co_await_coro(coro[0].coro, &v));
    co_print("awaited anyway: %s", co_strv(v));
    return NULL;
}

/* --- set_order --------------------------------------------------------------------------- */

static co_exc *so_worker(const co_value *args, co_value *result)
{
    co_exc *e = co_sleep(co_num(args[1]));
    if (co_exc_is_cancel(e)) {
        co_print("%s cancelled", args[0].u.s);
        return e;
    }
    if (e)
        return e;
    *result = args[0];
    return NULL;
}
#define SO_WORKER(name, delay) co_coro_make(so_worker, "worker", 2, (co_value[]){co_str(name), CO_NUM(delay)})

co_exc *scn_set_order(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_taskgroup *tg = co_taskgroup_enter();          /* async with asyncio.TaskGroup() as tg: */
    static const char *const names[] = {"x", "y", "z"};
    for (int i = 0; i < 3; i++)
        co_taskgroup_create_task(tg, SO_WORKER(names[i], 5), NULL, NULL);
    co_taskgroup_create_task(tg, FAIL(1), NULL, NULL);
    co_exc *e = co_taskgroup_exit(tg, NULL);
    if (e && co_exc_is(e, "ExceptionGroup"))
        co_print("caught %s", repr(e));
    else if (e)
        return e;
    static const char *const more[] = {"p", "q", "r"};
    co_future *tasks[3];
    for (int i = 0; i < 3; i++)
        tasks[i] = co_task_future(co_create_task(SO_WORKER(more[i], 1), NULL));
    co_future *done[3], *pending[3];
    size_t ndone, npending;
    TRY(co_wait(tasks, 3, CO_NO_TIMEOUT, CO_ALL_COMPLETED, done, &ndone, pending, &npending));
    for (size_t i = 0; i < ndone; i++) {            /* for task in done: (a set) */
        co_value v;
        TRY(co_future_result(done[i], &v));
        co_print("done: %s", co_strv(v));
    }
    co_print("%zu done, %zu pending", ndone, npending);
    return NULL;
}

/* --- error_messages ------------------------------------------------------------------------ */

static co_exc *idle(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return co_sleep(0);
}

static co_exc *fail_with(const co_value *args, co_value *result)
{
    (void)result;
    return co_exc_new("ValueError", "%s", args[0].u.s);
}

static co_exc *nap_for(const co_value *args, co_value *result)
{
    (void)result;
    return co_sleep(co_num(args[0]));
}
#define NAP(delay) co_coro_make(nap_for, "nap", 1, (co_value[]){CO_NUM(delay)})

static void show(const char *what, co_exc *e) { co_print("%s: %s", what, e ? repr(e) : "no error"); }

co_exc *scn_error_messages(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *loop = co_running_loop();
    co_future *fut = co_future_new(loop), *cancelled = co_future_new(loop);
    co_queue *queue = co_queue_new(loop, 1);
    co_lock *lock = co_lock_new(loop);
    co_semaphore *bounded = co_bounded_semaphore_new(loop, 1);
    co_condition *cond = co_condition_new(loop, NULL);
    if (!fut || !cancelled || !queue || !lock || !bounded || !cond)
        return co_exc_new("MemoryError", NULL);
    co_exc *e;
    show("result() while pending", co_future_result(fut, NULL));
    co_exc *out;
    show("exception() while pending", co_future_exception(fut, &out));
    co_future_set_result(fut, co_int(1));
    show("set_result() twice", co_future_set_result(fut, co_int(2)));
    show("set_exception() when done", co_future_set_exception(fut, co_exc_new("ValueError", NULL)));
    show("set_exception(StopIteration())", co_future_set_exception(co_future_new(loop), co_exc_new("StopIteration", NULL)));
    co_future_cancel(cancelled, "no longer needed");
    show("result() when cancelled", co_future_result(cancelled, NULL));

    co_queue_put_nowait(queue, co_str("x"));
    show("put_nowait() on a full queue", co_queue_put_nowait(queue, co_str("y")));
    co_queue_get_nowait(queue, NULL);
    show("get_nowait() on an empty queue", co_queue_get_nowait(queue, NULL));
    co_queue_task_done(queue);
    show("task_done() too often", co_queue_task_done(queue));

    show("Lock.release() unlocked", co_lock_release(lock));
    show("BoundedSemaphore.release() too often", co_semaphore_release(bounded));
    show("Condition.notify() unlocked", co_condition_notify(cond, 1));
    e = co_condition_wait(cond);
    if (e && co_exc_is(e, "RuntimeError"))
        co_print("Condition.wait() unlocked: %s", repr(e));
    else if (e)
        return e;

    co_taskgroup *tg = co_taskgroup_enter();
    co_taskgroup_create_task(tg, CO_CORO0(idle), NULL, NULL);
    TRY(co_taskgroup_exit(tg, NULL));
    co_taskgroup_create_task(tg, CO_CORO0(idle), NULL, &e);
    show("create_task() on a finished TaskGroup", e);
    tg = co_taskgroup_enter();
    co_taskgroup_create_task(tg, CO_CORO(fail_with, co_str("one")), NULL, NULL);
    co_taskgroup_create_task(tg, CO_CORO(fail_with, co_str("two")), NULL, NULL);
    e = co_taskgroup_exit(tg, NULL);
    if (e && co_exc_is(e, "ExceptionGroup")) {
        co_print("ExceptionGroup repr: %s", repr(e));
        co_print("ExceptionGroup str: %s", co_strv(co_excv(e)));
    } else if (e)
        return e;

    co_timeout *cm = co_timeout_enter(0.5);          /* async with asyncio.timeout(0.5) as cm: */
    e = co_timeout_exit(cm, co_sleep(1));
    if (e && co_exc_is(e, "TimeoutError"))
        co_print("timeout(): %s from %s", repr(e), e->cause ? repr(e->cause) : "None");
    else if (e)
        return e;
    show("reschedule() after it expired", co_timeout_reschedule(cm, CO_NO_TIMEOUT));
    e = co_wait_for(co_aw_coro(NAP(1)), 0.5, NULL);
    if (e && co_exc_is(e, "TimeoutError"))
        co_print("wait_for(): %s from %s", repr(e), e->cause ? repr(e->cause) : "None");
    else if (e)
        return e;
    co_future *none[1];
    size_t nd, np;
    e = co_wait(none, 0, CO_NO_TIMEOUT, CO_ALL_COMPLETED, none, &nd, none, &np);
    if (e && co_exc_is(e, "ValueError"))
        co_print("wait([]): %s", repr(e));
    else if (e)
        return e;
    co_task *task = co_create_task(NAP(1), NULL);
    if (!task)
        return co_exc_new("MemoryError", NULL);
    TRY(co_sleep(0));
    co_task_cancel(task, "stop");
    e = co_await(co_task_future(task), NULL);
    if (co_exc_is_cancel(e))
        co_print("awaiting a cancelled task: %s", repr(e));
    else if (e)
        return e;
    return NULL;
}
