/*
** run.c -- co_run, the equivalent of asyncio.run(main()).
**
** asyncio.run makes the main task, runs the loop until it is done, then
** cancels every task still pending and runs the loop until they have all
** finished (runners._cancel_all_tasks). We do the same, in the same order, so
** that a trace of a program whose tasks outlive main shows their cancellation
** exactly as CPython schedules it. The one liberty: CPython cancels them in
** the order of a set (by address); we cancel in creation order.
*/
#include <string.h>

#include "combine.h"
#include "executor.h"
#include "internal.h"

/* Future.__del__ of a future whose exception nobody retrieved: CPython says
** so when the object is freed; here, when asyncio.run() ends, in creation
** order. */
static void warn_never_retrieved(co_loop *L)
{
    for (co_task *t = L->all_tasks; t; t = t->all_next) {
        if (!t->fut.log_traceback || !t->fut.exc)
            continue;
        co_exc_context ctx = {.message = "Task exception was never retrieved", .exception = t->fut.exc,
                              .future = &t->fut};
        const char *msg = co__tracing(L) ? co_strf("Task exception was never retrieved: task '%s' raised %s",
                                                   t->fut.label, co_repr(co_excv(t->fut.exc))) : NULL;
        t->fut.log_traceback = false;
        co__report(L, "never_retrieved", msg, &ctx);
    }
    for (co_future *f = L->futures; f; f = f->next) {
        if (!f->log_traceback || !f->exc)
            continue;
        const char *cls = f->kind && !strcmp(f->kind, "gather") ? "_GatheringFuture" : "Future";
        co_exc_context ctx = {.message = co_strf("%s exception was never retrieved", cls), .exception = f->exc,
                              .future = f};
        const char *msg = co__tracing(L) ? co_strf("%s exception was never retrieved: %s", cls,
                                                   co_repr(co_excv(f->exc))) : NULL;
        f->log_traceback = false;
        co__report(L, "never_retrieved", msg, &ctx);
    }
}

/* runners._cancel_all_tasks */
static co_status cancel_all_tasks(co_loop *L)
{
    size_t n = co_all_tasks(L, NULL, 0);
    if (!n)
        return CO_OK;
    co_task **tasks = co__arena_alloc(n * sizeof *tasks);
    co_aw *aws = co__arena_alloc(n * sizeof *aws);
    if (!tasks || !aws)
        return CO_ENOMEM;
    co_all_tasks(L, tasks, n);
    bool saved = L->set_order;             /* all_tasks() is a set in CPython */
    L->set_order = true;
    for (size_t i = 0; i < n; i++) {
        co_task_cancel(tasks[i], NULL);
        aws[i] = co_aw_fut(co_task_future(tasks[i]));
    }
    L->set_order = saved;
    co_future *g = co_gather(aws, n, true);
    if (!g)
        return CO_ENOMEM;
    co_status st = co_loop_run_until_complete(L, g);
    if (st != CO_OK)
        return st;
    for (size_t i = 0; i < n; i++) {
        co_exc *e = NULL;
        if (co_future_cancelled(co_task_future(tasks[i])))
            continue;
        co_future_exception(co_task_future(tasks[i]), &e);
        if (e) {
            co_exc_context ctx = {.message = "unhandled exception during asyncio.run() shutdown", .exception = e,
                                  .task = tasks[i]};
            const char *msg = co__tracing(L) ? co_strf("unhandled exception during asyncio.run() shutdown: task '%s' raised %s",
                                                       tasks[i]->fut.label, co_repr(co_excv(e))) : NULL;
            co__report(L, "shutdown_exception", msg, &ctx);
        }
    }
    return CO_OK;
}

/* --- shutting down: Runner.close() ------------------------------------------ */

/* loop.shutdown_asyncgens(): a C program has no async generators. */
static co_exc *shutdown_asyncgens(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return NULL;
}

static void shutdown_done(void *arg)
{
    co_future *f = arg;
    if (!co_future_done(f))
        co_future_set_result(f, co_none());
}

/* Called by the executor when its last job is delivered: the thread that
** shuts the default executor down tells the loop it is done. */
void co__executor_idle(co_loop *L)
{
    if (L->shutdown_waiter && !L->jobs_pending) {
        co_call_soon_threadsafe(L, shutdown_done, L->shutdown_waiter, "Future.set_result");
        L->shutdown_waiter = NULL;
    }
}

/* loop.shutdown_default_executor(): if the default pool exists, wait (on a
** future a helper thread resolves through call_soon_threadsafe) until its
** jobs are done. */
static co_exc *shutdown_default_executor(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *L = co_running_loop();
    if (!L->default_executor)
        return NULL;
    co_future *f = co_future_new(L);
    if (!f)
        return co__exc_nomem();
    L->shutdown_waiter = f;
    co__executor_idle(L);
    return co_await(f, NULL);
}

/* Runner.close() after the cancellation: run_until_complete of the two
** shutdown coroutines, each a task of its own as in CPython. */
static co_status shut_down(co_loop *L)
{
    co_fn steps[] = {shutdown_asyncgens, shutdown_default_executor};
    const char *names[] = {"BaseEventLoop.shutdown_asyncgens", "BaseEventLoop.shutdown_default_executor"};
    for (int i = 0; i < 2; i++) {
        co_task *t = co_loop_create_task(L, co_coro_make(steps[i], names[i], 0, NULL), NULL);
        if (!t)
            return CO_ENOMEM;
        co_status st = co_loop_run_until_complete(L, co_task_future(t));
        if (st != CO_OK)
            return st;
    }
    return CO_OK;
}

/* --- asyncio.run and asyncio.Runner ---------------------------------------------- */

/* The RuntimeError run() raises when the loop ends without the task done:
** CPython's text where CPython has the state (BaseEventLoop's
** _check_running, _check_closed, run_until_complete), ours otherwise (a
** deadlock, where CPython would hang). */
static co_exc *status_error(co_status st)
{
    switch (st) {
    case CO_ERUNNING: return co_exc_new("RuntimeError", "This event loop is already running");
    case CO_ECLOSED: return co_exc_new("RuntimeError", "Event loop is closed");
    case CO_ESTOPPED: return co_exc_new("RuntimeError", "Event loop stopped before Future completed.");
    default: return co_exc_new("RuntimeError", "%s", co_status_message(st));
    }
}

/* Runner.run's body: the task, run to completion; *st the loop's status; the
** return value what run() raises (NULL with *out set when it returns). */
static co_exc *run_main(co_loop *L, co_coro main, co_vars *ctx, co_value *out, co_status *st, co_task **task)
{
    co_task *t = *task = co_loop_create_task_in(L, main, NULL, ctx);
    if (!t) {
        *st = CO_ENOMEM;
        return co__exc_nomem();
    }
    *st = co_loop_run_until_complete(L, co_task_future(t));
    if (*st == CO_EEXIT)
        return co_loop_exit_exception(L);
    if (co_future_done(co_task_future(t)))
        return co_future_result(co_task_future(t), out);
    return status_error(*st);
}

/* Runner.close()'s cancellation: *st takes a later failure; an exception
** raised meanwhile replaces the one on its way out. */
static void close_tasks(co_loop *L, co_status *st, co_exc **e)
{
    if (*st != CO_OK && *st != CO_EEXIT && *st != CO_ESTOPPED)
        return;                              /* the loop cannot run again */
    co_status st2 = cancel_all_tasks(L);
    if (st2 == CO_EEXIT)
        *e = co_loop_exit_exception(L);
    if (*st == CO_OK)
        *st = st2;
}

/* What every recording ends with: warnings, then `end` (complete once the
** main task is done, as the recorder ends one). */
static void end_recording(co_loop *L, co_status st, bool main_done)
{
    warn_never_retrieved(L);
    co__origins_report(L);
    if (L->nlive)                            /* a deadlock or a failure left tasks behind */
        co__warn_pending(L);
    co_loop_trace_end(L, st == CO_EDEADLOCK || !main_done ? (st ? st : CO_EINVAL) : CO_OK);
}

co_exc *co_run(co_loop *L, co_coro main, co_value *out, co_status *status)
{
    co_status st;
    co_task *t;
    if (co_running_loop()) {                /* asyncio.run's first check: main is not run */
        if (status)
            *status = CO_ERUNNING;
        return co_exc_new("RuntimeError", "asyncio.run() cannot be called from a running event loop");
    }
    co_exc *e = run_main(L, main, NULL, out, &st, &t);
    close_tasks(L, &st, &e);
    /* The recorder ends asyncio.run()'s recording here, before the shutdown. */
    end_recording(L, st, t && co_future_done(co_task_future(t)));
    if (st == CO_OK || st == CO_EEXIT || st == CO_ESTOPPED)
        shut_down(L);
    if (status)
        *status = st;
    return e;
}

struct co_runner {
    co_loop_config cfg;        /* for the loop made at the first run */
    co_loop *loop;             /* Runner._loop, NULL until then */
    bool borrowed;             /* the caller's loop (co_runner_new_with_loop): not freed */
    co_vars *ctx;              /* Runner._context: every run's task runs in it */
    bool closed;
    co_status st;              /* the loop's state after the last run */
};

co_runner *co_runner_new(const co_loop_config *cfg)
{
    co_runner *r = co_calloc(1, sizeof *r);
    if (!r)
        return NULL;
    if (cfg)
        r->cfg = *cfg;
    else {
        r->cfg.out = stdout;
        r->cfg.err = stderr;
    }
    return r;
}

co_runner *co_runner_new_with_loop(co_loop *L)
{
    co_runner *r = co_runner_new(NULL);
    if (!r)
        return NULL;
    r->loop = L;
    r->borrowed = true;
    if (!(r->ctx = co_copy_context())) {
        co_free(r);
        return NULL;
    }
    return r;
}

/* Runner._lazy_init */
co_loop *co_runner_get_loop(co_runner *r)
{
    if (r->closed)
        return NULL;
    if (!r->loop) {
        r->loop = co_loop_new(&r->cfg);
        if (r->loop && !(r->ctx = co_copy_context())) {
            co_loop_destroy(r->loop);
            r->loop = NULL;
        }
    }
    return r->loop;
}

co_exc *co_runner_run(co_runner *r, co_coro coro, co_value *out, co_status *status)
{
    co_status st = CO_ECLOSED;
    co_exc *e;
    static co_exc closed = {"RuntimeError", "Runner is closed", NULL, NULL, 0, false};
    if (r->closed)
        e = &closed;                         /* no loop is left to allocate it in */
    else if (co_running_loop())             /* events._get_running_loop(): any loop */
        e = co_exc_new("RuntimeError", "Runner.run() cannot be called from a running event loop");
    else if (r->st != CO_OK)
        e = status_error(r->st);
    else if (!co_runner_get_loop(r)) {
        st = CO_ENOMEM;
        e = co__exc_nomem();
    } else {
        co_task *t;
        e = run_main(r->loop, coro, r->ctx, out, &st, &t);
        /* after an exit or a stop the loop can run again */
        r->st = st == CO_EEXIT || st == CO_ESTOPPED ? CO_OK : st;
    }
    if (status)
        *status = st;
    return e;
}

co_status co_runner_close(co_runner *r)
{
    if (!r || r->closed)
        return CO_OK;
    r->closed = true;
    co_status st = r->st;
    if (r->loop) {
        co_exc *ignored = NULL;
        close_tasks(r->loop, &st, &ignored);
        if (st == CO_OK)
            st = shut_down(r->loop);
        end_recording(r->loop, st, true);
        if (!r->borrowed)
            co_loop_destroy(r->loop);  /* loop.close() */
        r->loop = NULL;
    }
    return st;
}

co_status co_runner_free(co_runner *r)
{
    co_status st = co_runner_close(r);
    co_free(r);
    return st;
}
