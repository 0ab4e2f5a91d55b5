/*
** timeouts.c -- wait_for, shield and the timeout() block (see timeouts.h).
**
** wait_for follows CPython 3.11.7's tasks.wait_for line by line: a waiter
** future released either by a timer or by the inner future's done-callback,
** then, if the inner future is not done, _cancel_and_wait. Its waiters are
** transient futures: each _release_waiter done-callback holds a reference to
** its waiter until it runs or is removed, because a callback already in the
** ready queue may run after wait_for has returned (a Python closure outliving
** its frame). The timer's argument is the waiter, whose result slot holds
** the waiting task's id until it is released (nothing on the task's stack,
** which copy mode moves while it waits); wait_for cancels the timer before it
** returns, and a cancelled handle never runs.
*/
#include <assert.h>
#include <math.h>
#include <string.h>

#include "internal.h"
#include "timeouts.h"

static void trace_timeout(co_loop *L, uint64_t obj, const char *op, double when, uint64_t task)
{
    if (co__tracing(L)) {
        co_trace_event ev = {.ev = CO_EV_TIMEOUT, .obj = obj, .op = op, .when = when, .task = task};
        co__emit(L, &ev);
    }
}

/* "2", "0.5": a number of seconds as a Python program would have written it. */
static const char *seconds(double s)
{
    char num[40];
    co_format_double(num, s);
    size_t n = strlen(num);
    if (n > 2 && !strcmp(num + n - 2, ".0"))
        num[n - 2] = 0;
    return co_strf("%s", num);
}

/* --- _release_waiter as a done-callback ----------------------------------- */

/* functools.partial(_release_waiter, waiter): the registration holds a
** reference to the waiter, dropped when the callback runs or is removed. */
static void release_waiter_cb(co_future *fut, void *arg)
{
    (void)fut;
    co_future *waiter = arg;
    if (!co_future_done(waiter))
        co_future_set_result(waiter, co_none());
    co__future_unref(waiter);
}

static co_status add_release_cb(co_future *fut, co_future *waiter)
{
    co__future_ref(waiter);
    co_status st = co_future_add_done_callback(fut, release_waiter_cb, waiter, "_release_waiter");
    if (st != CO_OK)
        co__future_unref(waiter);
    return st;
}

static void remove_release_cb(co_future *fut, co_future *waiter)
{
    for (size_t n = co_future_remove_done_callback(fut, release_waiter_cb, waiter); n > 0; n--)
        co__future_unref(waiter);
}

/* tasks._cancel_and_wait: cancel fut and wait on a waiter of our own (not on
** fut itself, so that this wait stays cancellable) until fut is done. */
static co_exc *cancel_and_wait(co_loop *L, co_future *fut, const char *src)
{
    /* `of`: fut, which wait_for's frame holds (the recorder says so too) */
    co_future *waiter = co__future_new_of(L, "wait_for", "_cancel_and_wait()", true, &fut->id, 1);
    if (!waiter)
        return co__exc_nomem();
    co_exc *e;
    if (add_release_cb(fut, waiter) != CO_OK)
        e = co__exc_nomem();
    else {
        co_future_cancel(fut, NULL);
        e = co_await_at(waiter, NULL, src);
        remove_release_cb(fut, waiter);      /* finally: */
    }
    co__future_unref(waiter);
    return e;
}

/* `except CancelledError as exc: raise TimeoutError() from exc` */
static co_exc *timeout_from(co_exc *e)
{
    if (!co_exc_is_cancel(e))
        return e;
    co_exc *t = co_exc_new("TimeoutError", NULL);
    t->cause = e;
    return t;
}

/* --- wait_for --------------------------------------------------------------- */

/* _release_waiter(waiter), run by the timer: the deadline passed. Until
** then the pending waiter's result slot holds the id of the task inside
** wait_for, for the trace. */
static void wait_for_expired(void *arg)
{
    co_future *waiter = arg;
    if (co_future_done(waiter))
        return;
    co_loop *L = waiter->loop;
    trace_timeout(L, waiter->id, "fire", co_loop_time(L), (uint64_t)waiter->result.u.i);
    co_future_set_result(waiter, co_none());
}

co_exc *co_wait_for_at(co_aw aw, double timeout, co_value *out, const char *src)
{
    co_task *self = co__require_task("co_wait_for outside a task");
    co_loop *L = self->fut.loop;

    if (isnan(timeout))                      /* None: a plain await */
        return aw.fut ? co_await_at(aw.fut, out, src) : co_await_coro_at(aw.coro, out, src);

    if (timeout <= 0) {                      /* no time at all: done now, or never */
        co_future *fut = co_ensure_future(aw);
        if (!fut)
            return co__exc_nomem();
        if (co_future_done(fut))
            return co_future_result(fut, out);
        trace_timeout(L, fut->id, "fire", co_loop_time(L), self->fut.id);
        co_exc *e = cancel_and_wait(L, fut, src);
        return e ? e : timeout_from(co_future_result(fut, out));
    }

    /* As 3.11.7: the waiter and the timer first, then the inner task. */
    const char *label = co__tracing(L) ? co_strf("wait_for(%s)", seconds(timeout)) : "wait_for";
    /* `of`: the inner future, or for a coroutine the task it will become,
    ** whose id is reserved now (the recorder reserves it the same way). */
    uint64_t inner = aw.fut ? aw.fut->id : co__tracing(L) ? co__new_id(L) : 0;
    co_future *waiter = co__future_new_of(L, "wait_for", label, true, &inner, inner ? 1 : 0);
    if (!waiter)
        return co__exc_nomem();
    if (!aw.fut)
        L->reserved_task_id = inner;
    waiter->result = co_int((long long)self->fut.id);   /* the owner, for wait_for_expired */
    co_handle *timer = co_call_later(L, timeout, wait_for_expired, waiter, "_release_waiter");
    if (!timer) {
        co__future_unref(waiter);
        return co__exc_nomem();
    }
    trace_timeout(L, waiter->id, "arm", timer->when, self->fut.id);

    co_exc *e;
    co_future *fut = co_ensure_future(aw);
    L->reserved_task_id = 0;                 /* taken, or the task was never made */
    if (!fut || add_release_cb(fut, waiter) != CO_OK) {
        e = co__exc_nomem();
        goto out;
    }
    e = co_await_at(waiter, NULL, src);
    if (e) {
        if (co_exc_is_cancel(e)) {           /* the caller is being cancelled */
            if (co_future_done(fut)) {
                e = co_future_result(fut, out);
                goto out;
            }
            remove_release_cb(fut, waiter);
            /* The inner task must not run on after wait_for returns (bpo-32751). */
            co_exc *e2 = cancel_and_wait(L, fut, src);
            if (e2)
                e = e2;
        }
        goto out;                            /* raise */
    }
    if (co_future_done(fut))
        e = co_future_result(fut, out);
    else {                                   /* the deadline passed */
        remove_release_cb(fut, waiter);
        e = cancel_and_wait(L, fut, src);
        /* The inner task may have swallowed the cancellation (bpo-40607). */
        if (!e)
            e = timeout_from(co_future_result(fut, out));
    }
out:
    co_handle_cancel(timer);                 /* finally: timeout_handle.cancel() */
    trace_timeout(L, waiter->id, "exit", timer->when, self->fut.id);
    co_handle_release(timer);
    co__future_unref(waiter);
    return e;
}

/* --- shield ----------------------------------------------------------------- */

typedef struct shield_state {
    co_future *inner;          /* what is protected */
    co_future *outer;          /* what the caller awaits (and may cancel) */
} shield_state;

/* shield's _inner_done_callback: pass the outcome on, unless outer is gone. */
static void shield_inner_done(co_future *inner, void *arg)
{
    shield_state *s = arg;
    if (co_future_cancelled(s->outer)) {
        if (!co_future_cancelled(inner)) {
            co_exc *ignored;
            co_future_exception(inner, &ignored);   /* mark it retrieved */
        }
        return;
    }
    if (co_future_cancelled(inner)) {
        co_future_cancel(s->outer, NULL);
        return;
    }
    co_exc *e = NULL;
    co_future_exception(inner, &e);
    if (e)
        co_future_set_exception(s->outer, e);
    else {
        co_value v = co_none();
        co_future_result(inner, &v);
        co_future_set_result(s->outer, v);
    }
}

/* shield's _outer_done_callback: a cancelled outer stops listening. */
static void shield_outer_done(co_future *outer, void *arg)
{
    (void)outer;
    shield_state *s = arg;
    if (!co_future_done(s->inner))
        co_future_remove_done_callback(s->inner, shield_inner_done, s);
}

co_future *co_shield(co_aw aw)
{
    co_loop *L = co__tls_loop;
    CO_API_CHECK(L != NULL, "co_shield needs a loop");
    co_future *inner = co_ensure_future(aw);
    if (!inner || co_future_done(inner))
        return inner;                        /* the shortcut */
    shield_state *s = co__arena_alloc(sizeof *s);
    if (!s)
        return NULL;
    const char *label = "shield";
    if (co__tracing(L))
        label = co_strf("shield(%s)", inner->label ? inner->label : inner->kind);
    co_future *outer = co__future_new_of(L, "shield", label, false, &inner->id, 1);
    if (!outer)
        return NULL;
    s->inner = inner;
    s->outer = outer;
    if (co_future_add_done_callback(inner, shield_inner_done, s, "shield._inner_done_callback") != CO_OK ||
        co_future_add_done_callback(outer, shield_outer_done, s, "shield._outer_done_callback") != CO_OK)
        return NULL;
    return outer;
}

/* --- timeout() / timeout_at() ----------------------------------------------- */

typedef enum to_state { TO_CREATED, TO_ENTERED, TO_EXPIRING, TO_EXPIRED, TO_EXITED } to_state;
static const char *const to_state_names[] = {"created", "active", "expiring", "expired", "finished"};

struct co_timeout {
    uint64_t id;               /* trace id */
    co_loop *loop;             /* owner */
    co_task *task;             /* Timeout._task: who gets cancelled */
    to_state state;            /* Timeout._state */
    double when;               /* Timeout._when; NAN for None */
    co_handle *handler;        /* Timeout._timeout_handler (a reference), or NULL */
    int cancelling;            /* task.cancelling() on entry */
};

/* Timeout._on_timeout */
static void timeout_expired(void *arg)
{
    co_timeout *cm = arg;
    assert(cm->state == TO_ENTERED);
    trace_timeout(cm->loop, cm->id, "fire", cm->when, cm->task->fut.id);
    co_task_cancel(cm->task, NULL);
    cm->state = TO_EXPIRING;
    co_handle_release(cm->handler);          /* the loop holds it while it runs */
    cm->handler = NULL;
}

/* The body of Timeout.reschedule, past its state check. */
static co_exc *reschedule(co_timeout *cm, double when, const char *op)
{
    co_loop *L = cm->loop;
    cm->when = when;
    if (cm->handler) {
        co_handle_cancel(cm->handler);
        co_handle_release(cm->handler);
        cm->handler = NULL;
    }
    if (!isnan(when)) {
        if (when <= co_loop_time(L))         /* already past: the next iteration */
            cm->handler = co_call_soon_handle(L, timeout_expired, cm, "Timeout._on_timeout");
        else
            cm->handler = co_call_at(L, when, timeout_expired, cm, "Timeout._on_timeout");
        if (!cm->handler)
            return co__exc_nomem();
    }
    trace_timeout(L, cm->id, op, when, cm->task->fut.id);
    return NULL;
}

co_exc *co_timeout_reschedule(co_timeout *cm, double when)
{
    if (!cm)
        return co__exc_nomem();
    if (cm->state != TO_ENTERED) {
        if (cm->state == TO_CREATED)
            return co_exc_new("RuntimeError", "Timeout has not been entered");
        return co_exc_new("RuntimeError", "Cannot change state of %s Timeout", to_state_names[cm->state]);
    }
    return reschedule(cm, when, "reschedule");
}

double co_timeout_when(const co_timeout *cm) { return cm ? cm->when : NAN; }
bool co_timeout_expired(const co_timeout *cm) { return cm && (cm->state == TO_EXPIRING || cm->state == TO_EXPIRED); }

/* Timeout(when).__aenter__() */
co_timeout *co_timeout_at_enter(double when)
{
    co_task *t = co__require_task("co_timeout_enter outside a task (Timeout should be used inside a task)");
    co_loop *L = t->fut.loop;
    co_timeout *cm = co__arena_alloc(sizeof *cm);
    if (!cm)
        return NULL;
    memset(cm, 0, sizeof *cm);
    cm->id = co__new_id(L);
    cm->loop = L;
    cm->task = t;
    cm->state = TO_ENTERED;
    cm->cancelling = co_task_cancelling(t);
    if (reschedule(cm, when, "arm"))
        return NULL;
    return cm;
}

/* asyncio.timeout(delay): the deadline is computed when the block is entered. */
co_timeout *co_timeout_enter(double delay)
{
    co_loop *L = co__require_task("co_timeout_enter outside a task")->fut.loop;
    return co_timeout_at_enter(isnan(delay) ? delay : co_loop_time(L) + delay);
}

/* Timeout.__aexit__ */
co_exc *co_timeout_exit(co_timeout *cm, co_exc *body_exc)
{
    if (!cm)                        /* co_timeout_enter ran out of memory */
        return body_exc ? body_exc : co__exc_nomem();
    CO_API_CHECK(cm->state == TO_ENTERED || cm->state == TO_EXPIRING, "co_timeout_exit called twice");
    if (cm->handler) {
        co_handle_cancel(cm->handler);
        co_handle_release(cm->handler);
        cm->handler = NULL;
    }
    co_exc *raised = body_exc;
    if (cm->state == TO_EXPIRING) {
        cm->state = TO_EXPIRED;
        /* Ours is the only cancellation pending, and the body let it out:
        ** an exact CancelledError, as CPython compares the type with `is`. */
        if (co_task_uncancel(cm->task) <= cm->cancelling && body_exc &&
            !strcmp(body_exc->type, "CancelledError"))
            raised = timeout_from(body_exc);
    } else
        cm->state = TO_EXITED;
    trace_timeout(cm->loop, cm->id, "exit", cm->when, cm->task->fut.id);
    return raised;
}
