/*
** taskgroup.c -- asyncio.TaskGroup (see taskgroup.h), after CPython 3.11's
** taskgroups.py.
**
** Three pieces cooperate. create_task registers _on_task_done on each child.
** _on_task_done drops the child from the group, wakes exit when the last one
** is gone, and on the first failure aborts: cancels the other children and
** the parent task, remembering (parent_cancel_requested) that exit owes the
** parent an uncancel(). exit waits on a fresh future for as long as children
** remain, aborting if the parent is cancelled meanwhile, then decides what
** the block raises.
*/
#include <string.h>

#include "futset.h"
#include "internal.h"
#include "taskgroup.h"

struct co_taskgroup {
    uint64_t id;                   /* trace id */
    co_loop *loop;                 /* owner */
    co_task *parent;               /* _parent_task: the task running the block */
    bool exiting;                  /* _exiting: exit has begun */
    bool aborting;                 /* _aborting: children are being cancelled */
    bool parent_cancel_requested;  /* _parent_cancel_requested: we cancelled the parent */
    bool errors_raised;            /* _errors = None: the group was raised */
    co_task **tasks;               /* _tasks: unfinished children, creation order; NULL: finished */
    size_t ntasks;                 /* unfinished children (len(self._tasks)) */
    size_t nslots, captasks;       /* used / allocated entries of tasks */
    co__futset index;              /* each child's entry in tasks (a set in CPython) */
    co_exc **errors;               /* _errors: failures, in completion order */
    size_t nerrors, caperrors;
    co_exc *base_error;            /* _base_error: KeyboardInterrupt / SystemExit */
    co_future *on_completed;       /* _on_completed_fut: exit waits on it, or NULL */
};

static void trace_group(co_taskgroup *tg, const char *op, uint64_t task)
{
    co_loop *L = tg->loop;
    if (co__tracing(L)) {
        co_trace_event ev = {.ev = CO_EV_GROUP, .obj = tg->id, .op = op, .task = task};
        co__emit(L, &ev);
    }
}

static void free_arrays(void *arg)
{
    co_taskgroup *tg = arg;
    co_free(tg->tasks);
    co_free(tg->errors);
    co__futset_free(&tg->index);
    tg->tasks = NULL;
    tg->nslots = 0;
    tg->errors = NULL;
    tg->captasks = tg->caperrors = 0;
}

/* Room for one more child, in tasks and in its index; false on no memory.
** A finished child leaves a NULL entry (removing it from the middle would
** make n children cost O(n^2)); when the array is full and at least half of
** it is such holes, it is compacted instead of grown, and the index rebuilt. */
static bool reserve_task(co_taskgroup *tg)
{
    if (tg->nslots < tg->captasks && tg->index.slot && 2 * (tg->index.n + 1) <= tg->index.mask + 1)
        return true;
    bool moved = false;
    if (tg->nslots == tg->captasks && 2 * tg->ntasks <= tg->nslots && tg->nslots) {
        size_t k = 0;
        for (size_t i = 0; i < tg->nslots; i++)
            if (tg->tasks[i])
                tg->tasks[k++] = tg->tasks[i];
        tg->nslots = k;
        moved = true;
    }
    if (tg->nslots == tg->captasks) {
        size_t cap = tg->captasks ? tg->captasks * 2 : 4;
        co_task **p = co_realloc(tg->tasks, cap * sizeof *p);
        if (!p)
            return false;
        tg->tasks = p;
        tg->captasks = cap;
    }
    if (moved || !tg->index.slot || 2 * (tg->index.n + 1) > tg->index.mask + 1) {
        co__futset fresh;
        if (!co__futset_init(&fresh, 2 * (tg->nslots + 1), false))
            return false;
        for (size_t i = 0; i < tg->nslots; i++)
            if (tg->tasks[i])
                co__futset_add(&fresh, tg->tasks[i], i);   /* sized: never grows */
        co__futset_free(&tg->index);
        tg->index = fresh;
    }
    return true;
}

static bool reserve_error(co_taskgroup *tg)
{
    if (tg->nerrors < tg->caperrors)
        return true;
    size_t cap = tg->caperrors ? tg->caperrors * 2 : 4;
    co_exc **p = co_realloc(tg->errors, cap * sizeof *p);
    if (!p)
        return false;
    tg->errors = p;
    tg->caperrors = cap;
    return true;
}

/* TaskGroup.__repr__, which CPython puts in its error messages. */
static const char *tg_repr(const co_taskgroup *tg)
{
    sbuf b = {0};
    sb_puts(&b, "<TaskGroup");
    if (tg->ntasks)
        sb_printf(&b, " tasks=%zu", tg->ntasks);
    if (tg->nerrors && !tg->errors_raised)
        sb_printf(&b, " errors=%zu", tg->nerrors);
    sb_puts(&b, tg->aborting ? " cancelling>" : " entered>");
    const char *s = co_strf("%s", b.p);
    sb_free(&b);
    return s;
}

/* TaskGroup._is_base_error */
static bool is_base_error(const co_exc *e)
{
    return co_exc_is(e, "SystemExit") || co_exc_is(e, "KeyboardInterrupt");
}

/* TaskGroup._abort: cancel every child still running. */
static void tg_abort(co_taskgroup *tg)
{
    tg->aborting = true;
    co_loop *L = tg->loop;
    /* `for t in self._tasks`: a set in CPython, creation order here. */
    bool saved = L->set_order;
    L->set_order = true;
    trace_group(tg, "abort", L->current ? L->current->fut.id : 0);
    for (size_t i = 0; i < tg->nslots; i++)
        if (tg->tasks[i] && !co_future_done(co_task_future(tg->tasks[i])))
            co_task_cancel(tg->tasks[i], NULL);
    L->set_order = saved;
}

/* TaskGroup._on_task_done, a done-callback of every child. */
static void on_task_done(co_future *f, void *arg)
{
    co_taskgroup *tg = arg;
    co__futset_slot *e = tg->index.slot ? co__futset_find(&tg->index, f) : NULL;   /* self._tasks.discard(task) */
    if (e && e->key && e->val < tg->nslots && tg->tasks[e->val] && co_task_future(tg->tasks[e->val]) == f) {
        tg->tasks[e->val] = NULL;
        tg->ntasks--;
    }
    if (tg->on_completed && !tg->ntasks && !co_future_done(tg->on_completed))
        co_future_set_result(tg->on_completed, co_bool(true));
    if (co_future_cancelled(f))
        return;
    co_exc *exc = NULL;
    co_future_exception(f, &exc);            /* also marks it retrieved */
    if (!exc)
        return;
    if (reserve_error(tg))
        tg->errors[tg->nerrors++] = exc;
    if (is_base_error(exc) && !tg->base_error)
        tg->base_error = exc;
    if (co_future_done(co_task_future(tg->parent))) {
        /* Nobody is left to raise it to: the loop's exception handler hears of it. */
        co_task *t = (co_task *)f;
        const char *msg = co_strf("Task %s has errored out but its parent task %s is already completed",
                                  co_repr(co_str(t->fut.label)), tg->parent->fut.label);
        co_exc_context ctx = {.message = msg, .exception = exc, .task = t};
        co__report(tg->loop, "exception", msg, &ctx);
        return;
    }
    if (!tg->aborting && !tg->parent_cancel_requested) {
        /* Interrupt the body wherever it awaits; exit will uncancel. */
        tg_abort(tg);
        tg->parent_cancel_requested = true;
        co_task_cancel(tg->parent, NULL);
    }
}

co_taskgroup *co_taskgroup_enter(void)
{
    co_task *parent = co__require_task("co_taskgroup_enter outside a task");
    co_loop *L = parent->fut.loop;
    co_taskgroup *tg = co__arena_alloc(sizeof *tg);
    if (!tg)
        return NULL;
    memset(tg, 0, sizeof *tg);
    if (co__at_close(L, free_arrays, tg) != CO_OK)
        return NULL;
    tg->id = co__new_id(L);
    tg->loop = L;
    tg->parent = parent;
    trace_group(tg, "new", parent->fut.id);
    return tg;
}

co_task *co_taskgroup_create_task(co_taskgroup *tg, co_coro coro, const char *name, co_exc **err)
{
    if (!tg) {
        if (err)
            *err = co__exc_nomem();
        return NULL;
    }
    co_exc *refused = NULL;
    if (tg->exiting && !tg->ntasks)
        refused = co_exc_new("RuntimeError", "TaskGroup %s is finished", tg_repr(tg));
    else if (tg->aborting)
        refused = co_exc_new("RuntimeError", "TaskGroup %s is shutting down", tg_repr(tg));
    else if (!reserve_task(tg))
        refused = co__exc_nomem();
    co_task *t = NULL;
    if (!refused) {
        /* CPython: loop.create_task(coro), then the name is set. */
        t = co_create_task(coro, name);
        if (!t || co_future_add_done_callback(co_task_future(t), on_task_done, tg,
                                              "TaskGroup._on_task_done") != CO_OK) {
            refused = co__exc_nomem();
            t = NULL;
        }
    }
    if (err)
        *err = refused;
    if (!t)
        return NULL;
    co__futset_add(&tg->index, t, tg->nslots);   /* reserved: cannot fail */
    tg->tasks[tg->nslots++] = t;
    tg->ntasks++;
    trace_group(tg, "add", t->fut.id);
    return t;
}

co_exc *co_taskgroup_exit_at(co_taskgroup *tg, co_exc *exc, const char *src)
{
    if (!tg)                        /* co_taskgroup_enter ran out of memory */
        return exc ? exc : co__exc_nomem();
    co_task *self = co__require_task("co_taskgroup_exit outside a task");
    CO_API_CHECK(!tg->exiting, "co_taskgroup_exit called twice");
    tg->exiting = true;
    /* `et is CancelledError`: the exact type, as CPython compares with `is`. */
    bool et_cancelled = exc && !strcmp(exc->type, "CancelledError");
    if (exc && is_base_error(exc) && !tg->base_error)
        tg->base_error = exc;

    co_exc *propagate_cancellation = et_cancelled ? exc : NULL;
    if (tg->parent_cancel_requested) {
        /* We cancelled the parent ourselves: take that request back. Only if
        ** none remains is the CancelledError ours to swallow. */
        if (co_task_uncancel(tg->parent) == 0)
            propagate_cancellation = NULL;
    }
    if (exc && !tg->aborting)
        tg_abort(tg);   /* the body raised, or the parent is being cancelled */

    /* A loop: the wait itself can be cancelled, more than once. */
    while (tg->ntasks) {
        if (!tg->on_completed) {
            tg->on_completed = co__future_new(tg->loop, "taskgroup", "taskgroup.__aexit__()", true);
            if (!tg->on_completed)
                return co__exc_nomem();
        }
        co_exc *e = co_await_at(tg->on_completed, NULL, src);
        co__future_unref(tg->on_completed);
        tg->on_completed = NULL;
        if (e && !co_exc_is_cancel(e))
            return e;
        if (e && !tg->aborting) {
            /* The parent was cancelled while its children still ran. */
            propagate_cancellation = e;
            tg_abort(tg);
        }
    }
    trace_group(tg, "exit", self->fut.id);

    co_exc *raised = NULL;
    if (tg->base_error)
        raised = tg->base_error;
    else if (propagate_cancellation && !tg->nerrors)
        raised = propagate_cancellation;   /* other errors have priority */
    else {
        if (exc && !et_cancelled && reserve_error(tg))
            tg->errors[tg->nerrors++] = exc;
        if (tg->nerrors) {
            raised = co_exc_group("unhandled errors in a TaskGroup", tg->errors, tg->nerrors);
            tg->errors_raised = true;
        }
    }
    free_arrays(tg);       /* no child is left to add to them */
    return raised;
}
