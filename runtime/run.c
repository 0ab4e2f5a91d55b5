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
                                                   t->name, co_repr(co_excv(t->fut.exc))) : NULL;
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
    for (size_t i = 0; i < n; i++) {
        co_task_cancel(tasks[i], NULL);
        aws[i] = co_aw_fut(co_task_future(tasks[i]));
    }
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
                                                       tasks[i]->name, co_repr(co_excv(e))) : NULL;
            co__report(L, "shutdown_exception", msg, &ctx);
        }
    }
    return CO_OK;
}

co_exc *co_run(co_loop *L, co_coro main, co_value *out, co_status *status)
{
    co_status st;
    co_exc *e = NULL, *exiting = NULL;
    co_task *t = co_loop_create_task(L, main, NULL);
    if (!t) {
        st = CO_ENOMEM;
        e = co__exc_nomem();
        goto done;
    }
    st = co_loop_run_until_complete(L, co_task_future(t));
    if (st == CO_EEXIT)
        exiting = co_loop_exit_exception(L);
    /* Runner.close() runs whether run() returned or raised. */
    if (st == CO_OK || st == CO_EEXIT) {
        co_status st2 = cancel_all_tasks(L);
        if (st2 == CO_EEXIT)               /* raised while the first was on its way out */
            exiting = co_loop_exit_exception(L);
        if (st == CO_OK)
            st = st2;
    }
    if (exiting)
        e = exiting;
    else if (co_future_done(co_task_future(t)))
        e = co_future_result(co_task_future(t), out);
    else
        e = co_exc_new("RuntimeError", "%s", co_status_message(st));
done:
    warn_never_retrieved(L);
    if (L->nlive)                /* a deadlock or a failure left tasks behind */
        co__warn_pending(L);
    /* As the recorder ends a recording: complete once main is done. */
    co_loop_trace_end(L, st == CO_EDEADLOCK || !t || !co_future_done(co_task_future(t)) ? (st ? st : CO_EINVAL)
                                                                                      : CO_OK);
    if (status)
        *status = st;
    return e;
}
