/*
** future.c -- asyncio.Future (see future.h), mirroring futures.py.
**
** The part a student should read is the completion path: set_result /
** set_exception / cancel change the state once, then
** co__future_schedule_callbacks hands every done-callback to call_soon in
** registration order. Nothing a future does runs a callback directly.
*/
#include <string.h>

#include "internal.h"

/* --- life cycle ----------------------------------------------------------- */

/* The loop's list of futures is what it frees at close: every future it
** malloc'ed, and the transient ones (blocks of its arena) only once they own
** a callback array -- the sleep or queue waiter that one task awaits never
** does, and never joins the list. */
static void link_future(co_loop *L, co_future *f)
{
    f->next = L->futures;
    f->prev = NULL;
    if (L->futures)
        L->futures->prev = f;
    L->futures = f;
}

/* The fut_new event of f (kind and label are f's). */
static CO__NOINLINE void trace_fut_new(co_loop *L, co_future *f, const uint64_t *of, size_t nof)
{
    if (!of && L->next_of) {             /* the one future a caller announced (as_completed) */
        of = L->next_of;
        nof = L->next_nof;
    }
    L->next_of = NULL;
    co_trace_event ev;
    co__event_init(&ev, CO_EV_FUT_NEW);
    ev.fut = f->id;
    ev.kind = f->kind;
    ev.label = f->label;
    ev.by = L->current ? L->current->fut.id : 0;
    ev.of = of;
    ev.nof = of ? nof : 0;
    co__emit(L, &ev);
}

co_future *co__future_new_of(co_loop *L, const char *kind, const char *label, bool transient,
                             const uint64_t *of, size_t nof)
{
    co__block *b = transient ? co__block_get(L) : NULL;
    co_future *f = transient ? (b ? &b->f : NULL) : co_malloc(sizeof *f);
    if (!f)
        return NULL;
    co__future_init(L, f, kind, label);
    f->transient = transient;
    f->refs = 1;
    if (!transient)
        link_future(L, f);
    if (co__tracing(L))
        trace_fut_new(L, f, of, nof);
    return f;
}

uint64_t *co__ids_of(co_loop *L, co_future *const *fs, size_t n)
{
    if (!co__tracing(L) || !n)
        return NULL;
    uint64_t *ids = co__arena_alloc(n * sizeof *ids);
    if (ids)
        for (size_t i = 0; i < n; i++)
            ids[i] = fs[i]->id;
    return ids;
}

co_future *co_future_new(co_loop *L)
{
    return co__future_new(L, "future", NULL, false);
}


static void unlink_future(co_loop *L, co_future *f)
{
    if (f->prev)
        f->prev->next = f->next;
    else
        L->futures = f->next;
    if (f->next)
        f->next->prev = f->prev;
}

void co__future_release_array(co_future *f)
{
    unlink_future(f->loop, f);         /* on the list since it got the array (link_future) */
    co_free(f->cb.heap);
    f->cb_heap = false;
}

void co__future_free_all(co_loop *L)
{
    for (co_future *f = L->futures; f;) {
        co_future *next = f->next;
        if (f->cb_heap)
            co_free(f->cb.heap);
        if (!f->transient)                 /* transient ones are blocks in the arena */
            co_free(f);
        f = next;
    }
    L->futures = NULL;
}

bool co_future_done(const co_future *f) { return !f || f->state != CO_PENDING; }
bool co_future_cancelled(const co_future *f) { return f && f->state == CO_CANCELLED; }
uint64_t co_future_id(const co_future *f) { return f->id; }

/* --- completion ----------------------------------------------------------- */

/* The call_soon event of a callback just scheduled on handle h. */
static CO__NOINLINE void trace_scheduled(co_loop *L, co_future *f, co_fut_cb cb, const co_handle *h)
{
    co_trace_event ev;
    if (cb.task) {
        co__event_init(&ev, CO_EV_WAKE);
        ev.task = cb.task->fut.id;
    } else {
        co__event_init(&ev, CO_EV_CALL_SOON);
        ev.fn = cb.name;
    }
    ev.fut = f->id;
    ev.h = h->id;
    co__emit(L, &ev);
}

/* call_soon(cb, f): the task's wake-up (Task.__wakeup(f)), or fn(f, arg) in
** the Context copied when it was added. */
static inline void schedule_one(co_loop *L, co_future *f, co_fut_cb cb)
{
    co_handle *h = co__handle_new(L, cb.task ? CO_H_TASK_WAKEUP : CO_H_FUT_CALLBACK);
    if (!h)
        return;   /* out of memory: the callback is lost, as a failed call_soon would be */
    h->fut = f;
    co__future_ref(f);
    h->fn_name = cb.name;
    if (cb.task)
        h->task = cb.task;
    else {                                 /* call_soon(fn, self, context=ctx) */
        h->done_fn = cb.fn;
        h->arg = cb.arg;
        h->own_vars.map = cb.vars;
        h->vars = &h->own_vars;
    }
    co__ready_push(L, h);
    if (co__tracing(L))
        trace_scheduled(L, f, cb, h);
}

/* Future.__schedule_callbacks: each callback goes to call_soon, in order. */
void co__future_schedule_callbacks(co_future *f)
{
    co_loop *L = f->loop;
    uint32_t n = f->ncb;
    f->ncb = 0;
    for (uint32_t i = 0; i < n; i++)
        schedule_one(L, f, co__future_cb(f, i));
}

/* The same where a future finishes (finished): a future without the array
** has at most one callback, a task's wake-up -- the path of every await on a
** queue, a lock or a sleep -- scheduled here inline. */
static inline void schedule_callbacks(co_future *f)
{
    if (f->cb_heap) {
        co__future_schedule_callbacks(f);
        return;
    }
    if (f->ncb) {
        f->ncb = 0;
        schedule_one(f->loop, f, (co_fut_cb){NULL, NULL, "__wakeup", f->cb.wake, NULL});
    }
}

static CO__NOINLINE void trace_done(co_future *f)
{
    co_loop *L = f->loop;
    co_trace_event ev;
    co__event_init(&ev, f->is_task ? CO_EV_TASK_DONE : CO_EV_FUT_DONE);
    if (f->is_task)
        ev.task = f->id;
    else {
        ev.fut = f->id;
        ev.by = L->current ? L->current->fut.id : 0;
        ev.via = L->current ? NULL : L->current_cb;
    }
    if (f->state == CO_CANCELLED) {
        ev.outcome = "cancelled";
        const co_exc *ce = f->is_task ? ((const co_task *)f)->cancelled_exc : NULL;
        ev.msg = ce ? ce->msg : (f->cancel_msg ? f->cancel_msg : "");
    } else if (f->exc) {
        ev.outcome = "exception";
        ev.exc = f->exc->type;
        ev.msg = f->exc->msg;
    } else {
        ev.outcome = "result";
        ev.value = &f->result;
    }
    co__emit(L, &ev);
}

static inline void finished(co_future *f)
{
    if (f->is_task)
        co__task_finished((co_task *)f);
    if (co__tracing(f->loop))
        trace_done(f);
    schedule_callbacks(f);
}

static co_exc *invalid_state(const char *msg) { return co_exc_new("InvalidStateError", "%s", msg); }

/* Future.set_result without Task's refusal: how a task finishes itself. */
co_exc *co__future_set_result(co_future *f, co_value v)
{
    if (f->state != CO_PENDING)
        return invalid_state("invalid state");
    f->result = v;
    f->state = CO_FINISHED;
    finished(f);
    return NULL;
}


co_exc *co__future_set_exception(co_future *f, co_exc *e)
{
    if (f->state != CO_PENDING)
        return invalid_state("invalid state");
    if (co_exc_is(e, "StopIteration"))      /* as _asyncio.Future.set_exception */
        return co_exc_new("TypeError", "StopIteration interacts badly with generators "
                                       "and cannot be raised into a Future");
    f->exc = e;
    f->state = CO_FINISHED;
    f->log_traceback = true;
    finished(f);
    return NULL;
}

/* A task's future is the task's own business: Task.set_result and
** Task.set_exception refuse (_asyncio.Task's messages). */
co_exc *co_future_set_result(co_future *f, co_value v)
{
    if (!f)                            /* a failed constructor: see co_await_at */
        return co__exc_nomem();
    if (f->is_task)
        return co_exc_new("RuntimeError", "Task does not support set_result operation");
    return co__future_set_result(f, v);
}

co_exc *co_future_set_exception(co_future *f, co_exc *e)
{
    if (!f)
        return co__exc_nomem();
    if (f->is_task)
        return co_exc_new("RuntimeError", "Task does not support set_exception operation");
    return co__future_set_exception(f, e);
}

/* Future.cancel: the base behaviour, shared by tasks and combinators. */
bool co__future_base_cancel(co_future *f, const char *msg)
{
    f->log_traceback = false;
    if (f->state != CO_PENDING)
        return false;
    f->state = CO_CANCELLED;
    f->cancel_msg = msg;
    finished(f);
    return true;
}

bool co_future_cancel(co_future *f, const char *msg)
{
    if (!f)
        return false;
    if (f->is_task)
        return co__task_cancel((co_task *)f, msg, NULL);
    co_loop *L = f->loop;
    if (co__tracing(L)) {
        co_trace_event ev = {.ev = CO_EV_CANCEL, .target = f->id, .by = L->current ? L->current->fut.id : 0,
                       .via = L->current ? NULL : L->current_cb, .msg = msg ? msg : "",
                       .ok = f->state == CO_PENDING};
        co__emit(L, &ev);
    }
    if (f->gather)
        return co__gather_cancel(f, msg);
    return co__future_base_cancel(f, msg);
}

/* --- reading the outcome --------------------------------------------------- */

co_exc *co__future_make_cancelled_error(co_future *f)
{
    co_task *t = f->is_task ? (co_task *)f : NULL;
    if (t && t->cancelled_exc) {
        co_exc *e = t->cancelled_exc;
        t->cancelled_exc = NULL;
        return e;
    }
    return co_exc_new("CancelledError", "%s", f->cancel_msg ? f->cancel_msg : "");
}

co_exc *co_future_result(co_future *f, co_value *out)
{
    if (!f)                            /* a failed constructor: see co_await_at */
        return co__exc_nomem();
    if (f->state == CO_CANCELLED)
        return co__future_make_cancelled_error(f);
    if (f->state != CO_FINISHED)
        return invalid_state("Result is not set.");   /* _asyncio.Future.result */
    f->log_traceback = false;
    if (f->exc)
        return f->exc;
    if (out)
        *out = f->result;
    return NULL;
}

co_exc *co_future_exception(co_future *f, co_exc **out)
{
    *out = NULL;
    if (!f)
        return co__exc_nomem();
    if (f->state == CO_CANCELLED)
        return co__future_make_cancelled_error(f);
    if (f->state != CO_FINISHED)
        return invalid_state("Exception is not set.");
    f->log_traceback = false;
    *out = f->exc;
    return NULL;
}

/* --- callbacks ------------------------------------------------------------ */

/* Add a callback: a wake-up as the only one stays inline; anything else moves
** every callback to the heap array, which doubles at each power of two. */
static co_status push_cb(co_future *f, co_fut_cb cb)
{
    if (!f->cb_heap && f->ncb == 0 && cb.task) {
        f->cb.wake = cb.task;
        f->ncb = 1;
        return CO_OK;
    }
    if (!f->cb_heap) {
        co_fut_cb *cbs = co_malloc(4 * sizeof *cbs);
        if (!cbs)
            return CO_ENOMEM;
        if (f->ncb)
            cbs[0] = co__future_cb(f, 0);
        f->cb.heap = cbs;
        f->cb_heap = true;
        if (f->transient)              /* the loop frees the array at close, if need be */
            link_future(f->loop, f);
    } else if (f->ncb >= 4 && (f->ncb & (f->ncb - 1)) == 0) {
        co_fut_cb *cbs = co_realloc(f->cb.heap, 2 * (size_t)f->ncb * sizeof *cbs);
        if (!cbs)
            return CO_ENOMEM;
        f->cb.heap = cbs;
    }
    f->cb.heap[f->ncb++] = cb;
    return CO_OK;
}

co_status co_future_add_done_callback(co_future *f, co_done_fn fn, void *arg, const char *fn_name)
{
    if (!f)                            /* a failed constructor: see co_await_at */
        return CO_ENOMEM;
    co_fut_cb cb = {fn, arg, fn_name ? fn_name : "callback", NULL, co__vars_current()->map};
    co_loop *L = f->loop;
    if (co__tracing(L)) {
        co_trace_event ev;
        co__event_init(&ev, CO_EV_CB_ADD);
        ev.fut = f->id;
        ev.fn = cb.name;
        co__emit(L, &ev);
    }
    if (f->state != CO_PENDING) {
        /* Already done: call_soon(fn, fut) straight away. */
        co_status st = push_cb(f, cb);
        if (st == CO_OK)
            co__future_schedule_callbacks(f);
        return st;
    }
    return push_cb(f, cb);
}

co_status co__future_add_wakeup_slow(co_future *f, co_task *t)
{
    co_fut_cb cb = {NULL, NULL, "__wakeup", t, NULL};   /* it runs in the task's Context */
    co_status st = push_cb(f, cb);
    if (st == CO_OK && f->state != CO_PENDING)
        co__future_schedule_callbacks(f);
    return st;
}

size_t co_future_remove_done_callback(co_future *f, co_done_fn fn, void *arg)
{
    if (!f->cb_heap)                   /* at most a wake-up: never a plain callback */
        return 0;
    uint32_t kept = 0;
    co_fut_cb *cbs = f->cb.heap;
    for (uint32_t i = 0; i < f->ncb; i++)
        if (cbs[i].task || cbs[i].fn != fn || cbs[i].arg != arg)
            cbs[kept++] = cbs[i];
    size_t removed = f->ncb - kept;
    f->ncb = kept;
    return removed;
}

/* --- repr --------------------------------------------------------------------- */

/* One callback as format_helpers._format_callback_source shows it, minus the
** source location ("at FILE:LINE") a C callback does not have. A task's
** wake-up is the C Task's bound method, Task.task_wakeup. */
static void repr_callback(sbuf *b, co_fut_cb cb)
{
    sb_puts(b, cb.task ? "Task.task_wakeup" : cb.name);
    sb_puts(b, "()");
}

static void repr_into(sbuf *b, const co_future *f, int depth);

/* coroutines._format_coroutine: "job() running at SRC" while the coroutine
** exists, "job() done" once it has finished. CPython adds the source line the
** coroutine is suspended at (or, when done, defined at); the C runtime knows
** the file:line of the await it is suspended at, and nothing when the
** coroutine has not started or has finished. */
static void repr_coro(sbuf *b, const co_task *t)
{
    sb_printf(b, "%s()", t->coro.name);
    if (t->fut.state != CO_PENDING)
        sb_puts(b, " done");
    else if (t->started && t->yield_src)
        sb_printf(b, " running at %s", t->yield_src);
    else
        sb_puts(b, " running");
}

static void repr_into(sbuf *b, const co_future *f, int depth)
{
    const co_task *t = f->is_task ? (const co_task *)f : NULL;
    if (depth > 8) {                   /* reprlib.recursive_repr's guard */
        sb_puts(b, "...");
        return;
    }
    /* base_futures._future_repr_info, with base_tasks._task_repr_info's
    ** additions for a task: cancelling, name, coro, wait_for. */
    sb_puts(b, t ? "<Task " : f->kind && !strcmp(f->kind, "gather") ? "<_GatheringFuture " : "<Future ");
    if (t && t->num_cancels_requested && f->state == CO_PENDING)
        sb_puts(b, "cancelling");
    else
        sb_puts(b, f->state == CO_PENDING ? "pending" : f->state == CO_CANCELLED ? "cancelled" : "finished");
    if (t) {
        sb_puts(b, " name=");
        co_value_repr(b, co_str(t->fut.label));
        sb_puts(b, " coro=<");
        repr_coro(b, t);
        sb_putc(b, '>');
        if (t->fut_waiter) {
            sb_puts(b, " wait_for=");
            repr_into(b, t->fut_waiter, depth + 1);
        }
    }
    if (f->state == CO_FINISHED) {
        if (f->exc) {
            sb_puts(b, " exception=");
            co_exc_repr(b, f->exc);
        } else {
            sb_puts(b, " result=");
            co_value_reprlib(b, f->result);
        }
    }
    if (f->ncb) {                       /* base_futures._format_callbacks */
        sb_puts(b, " cb=[");
        repr_callback(b, co__future_cb(f, 0));
        if (f->ncb == 2) {
            sb_puts(b, ", ");
            repr_callback(b, co__future_cb(f, 1));
        } else if (f->ncb > 2) {
            sb_printf(b, ", <%u more>, ", f->ncb - 2);
            repr_callback(b, co__future_cb(f, f->ncb - 1));
        }
        sb_putc(b, ']');
    }
    sb_putc(b, '>');
}

const char *co_future_repr(const co_future *f)
{
    if (!f)
        return "<no future: out of memory>";
    sbuf b = {0};
    repr_into(&b, f, 0);
    const char *s = co_strf("%s", b.p ? b.p : "");
    sb_free(&b);
    return s;
}
