/*
** sync.c -- Lock, Event, Semaphore, BoundedSemaphore, Condition (see sync.h),
** after CPython 3.11.7's locks.py.
**
** Each primitive keeps its waiters as CPython keeps its deque of futures. A
** waiter is a node linked in only while its task is inside the awaiting call
** (CPython's `_waiters.append(fut)` ... `finally: _waiters.remove(fut)`). In
** the default stack mode the node is on the waiting task's own stack, which
** stays put while it is suspended, so no allocation is needed beyond the
** waiter future itself (a transient one, recycled once its wake-up has run).
** In copy mode a suspended task's frames may be on the heap (task.c):
** the node is the one the task has in its copy state, which is enough, as a
** task waits on one primitive at a time.
*/
#include <string.h>

#include "internal.h"
#include "sync.h"

/* --- waiters ------------------------------------------------------------------ */

typedef co__waiter waiter;     /* internal.h */

typedef struct waiter_list {
    waiter *head, *tail;       /* arrival order */
    size_t n;
} waiter_list;

static void list_append(waiter_list *l, waiter *w)
{
    w->next = NULL;
    w->prev = l->tail;
    if (l->tail)
        l->tail->next = w;
    else
        l->head = w;
    l->tail = w;
    l->n++;
}

static void list_remove(waiter_list *l, waiter *w)
{
    if (w->prev)
        w->prev->next = w->next;
    else
        l->head = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        l->tail = w->prev;
    l->n--;
}

/* The first waiter whose future is not done yet, or NULL. */
static waiter *first_pending(const waiter_list *l)
{
    for (waiter *w = l->head; w; w = w->next)
        if (!co_future_done(w->fut))
            return w;
    return NULL;
}

/* Park the running task: a new waiter future at the end of l, awaited, then
** taken out of l whatever happened. Returns what the await raised;
** *fut_cancelled (may be NULL) says whether the waiter future itself ended
** cancelled (a task cancelled while parked) rather than completed. */
static co_exc *park(co_loop *L, waiter_list *l, const char *kind, const char *label,
                    const char *src, bool *fut_cancelled)
{
    co_future *f = co__future_new(L, kind, label, true);
    if (!f)
        return co__exc_nomem();
    co_task *t = co__require_task("waiting outside a task");
    waiter local;
    waiter *w = t->fut.loop->stack_copy ? &co__task_copy(t)->waiter : &local;
    w->fut = f;
    list_append(l, w);
    co_exc *e = co_await_at(f, NULL, src);
    list_remove(l, w);
    if (fut_cancelled)
        *fut_cancelled = co_future_cancelled(f);
    co__future_unref(f);
    return e;
}

/* A `sync` event; obj 0 records nothing (a Barrier's inner Condition: the
** Barrier records its own operations). */
static void trace_sync(co_loop *L, uint64_t obj, const char *kind, const char *op, int count)
{
    if (co__tracing(L) && obj) {
        co_trace_event ev;
        co__event_init(&ev, CO_EV_SYNC);
        ev.obj = obj;
        ev.kind = kind;
        ev.op = op;
        ev.task = L->current ? L->current->fut.id : 0;
        ev.count = count;
        co__emit(L, &ev);
    }
}

/* --- Lock --------------------------------------------------------------------- */

struct co_lock {
    uint64_t id;               /* trace id */
    co_loop *loop;             /* owner */
    bool locked;               /* Lock._locked */
    waiter_list waiters;       /* Lock._waiters */
};

co_lock *co_lock_new(co_loop *L)
{
    co_lock *lk = co__arena_alloc(sizeof *lk);
    if (!lk)
        return NULL;
    memset(lk, 0, sizeof *lk);
    lk->id = co__new_id(L);
    lk->loop = L;
    return lk;
}

bool co_lock_locked(const co_lock *lk) { return lk && lk->locked; }

/* Lock._wake_up_first: only the first waiter, and only if it is pending. */
static void lock_wake_up_first(co_lock *lk)
{
    waiter *w = lk->waiters.head;
    if (w && !co_future_done(w->fut))
        co_future_set_result(w->fut, co_bool(true));
}

/* Lock.acquire, recorded as an operation on `obj` of kind `kind` (a Condition
** records its lock's operations as its own). */
static co_exc *lock_acquire(co_lock *lk, const char *kind, uint64_t obj, const char *label, const char *src)
{
    co__require_task("acquiring a lock outside a task");
    /* `not self._locked and all(w.cancelled() for w in self._waiters)`: both
    ** short-circuit, so a held lock or a live first waiter costs no scan
    ** (scanning every waiter made 100k waiters quadratic). */
    bool all_cancelled = !lk->locked;
    for (waiter *w = lk->waiters.head; w && all_cancelled; w = w->next)
        if (!co_future_cancelled(w->fut))
            all_cancelled = false;
    if (all_cancelled) {                     /* the fast path */
        lk->locked = true;
        trace_sync(lk->loop, obj, kind, "acquire", 1);
        return NULL;
    }
    co_exc *e = park(lk->loop, &lk->waiters, kind, label, src, NULL);
    if (e) {
        /* Woken but cancelled before running: pass the wake-up on. */
        if (co_exc_is_cancel(e) && !lk->locked)
            lock_wake_up_first(lk);
        return e;
    }
    lk->locked = true;
    trace_sync(lk->loop, obj, kind, "acquire", 1);
    return NULL;
}

static co_exc *lock_release(co_lock *lk, const char *kind, uint64_t obj)
{
    if (!lk->locked)
        return co_exc_new("RuntimeError", "Lock is not acquired.");
    lk->locked = false;
    trace_sync(lk->loop, obj, kind, "release", 0);
    lock_wake_up_first(lk);
    return NULL;
}

co_exc *co_lock_acquire_at(co_lock *lk, const char *src)
{
    if (!lk)
        return co__exc_nomem();
    return lock_acquire(lk, "lock", lk->id, "lock.acquire()", src);
}

co_exc *co_lock_release(co_lock *lk) { return lk ? lock_release(lk, "lock", lk->id) : co__exc_nomem(); }

/* --- Event -------------------------------------------------------------------- */

struct co_event {
    uint64_t id;               /* trace id */
    co_loop *loop;             /* owner */
    bool value;                /* Event._value: the flag */
    waiter_list waiters;       /* Event._waiters */
};

co_event *co_event_new(co_loop *L)
{
    co_event *ev = co__arena_alloc(sizeof *ev);
    if (!ev)
        return NULL;
    memset(ev, 0, sizeof *ev);
    ev->id = co__new_id(L);
    ev->loop = L;
    return ev;
}

bool co_event_is_set(const co_event *ev) { return ev && ev->value; }

void co_event_set(co_event *ev)
{
    if (!ev)
        return;
    trace_sync(ev->loop, ev->id, "event", "set", 1);
    if (ev->value)
        return;
    ev->value = true;
    for (waiter *w = ev->waiters.head; w; w = w->next)
        if (!co_future_done(w->fut))
            co_future_set_result(w->fut, co_bool(true));
}

void co_event_clear(co_event *ev)
{
    if (!ev)
        return;
    ev->value = false;
    trace_sync(ev->loop, ev->id, "event", "clear", 0);
}

co_exc *co_event_wait_at(co_event *ev, const char *src)
{
    if (!ev)
        return co__exc_nomem();
    co__require_task("co_event_wait outside a task");
    trace_sync(ev->loop, ev->id, "event", "wait", ev->value);
    if (ev->value)
        return NULL;
    return park(ev->loop, &ev->waiters, "event", "event.wait()", src, NULL);
}

/* --- Semaphore ------------------------------------------------------------------ */

struct co_semaphore {
    uint64_t id;               /* trace id */
    co_loop *loop;             /* owner */
    int value;                 /* Semaphore._value */
    int bound;                 /* BoundedSemaphore._bound_value */
    bool bounded;              /* a BoundedSemaphore */
    waiter_list waiters;       /* Semaphore._waiters */
};

static co_semaphore *semaphore_new(co_loop *L, int value, bool bounded)
{
    if (value < 0)
        return NULL;
    co_semaphore *s = co__arena_alloc(sizeof *s);
    if (!s)
        return NULL;
    memset(s, 0, sizeof *s);
    s->id = co__new_id(L);
    s->loop = L;
    s->value = s->bound = value;
    s->bounded = bounded;
    return s;
}

co_semaphore *co_semaphore_new(co_loop *L, int value) { return semaphore_new(L, value, false); }
co_semaphore *co_bounded_semaphore_new(co_loop *L, int value) { return semaphore_new(L, value, true); }
int co_semaphore_value(const co_semaphore *s) { return s->value; }

/* Semaphore.locked(): no unit free, or someone already queued for one. */
bool co_semaphore_locked(const co_semaphore *s)
{
    if (s->value == 0)
        return true;
    for (waiter *w = s->waiters.head; w; w = w->next)
        if (!co_future_cancelled(w->fut))
            return true;
    return false;
}

/* The second half of Semaphore._wake_up_next: the unit goes to w directly. */
static void hand_over(co_semaphore *s, waiter *w)
{
    s->value--;
    co_future_set_result(w->fut, co_bool(true));
}

co_exc *co_semaphore_acquire_at(co_semaphore *s, const char *src)
{
    if (!s)
        return co__exc_nomem();
    co__require_task("co_semaphore_acquire outside a task");
    if (!co_semaphore_locked(s)) {
        s->value--;
        trace_sync(s->loop, s->id, "semaphore", "acquire", s->value);
        return NULL;
    }
    bool fut_cancelled = false;
    co_exc *e = park(s->loop, &s->waiters, "semaphore", "semaphore.acquire()", src, &fut_cancelled);
    if (e) {
        /* Handed a unit, then cancelled before running: give it back. */
        if (co_exc_is_cancel(e) && !fut_cancelled) {
            s->value++;
            waiter *next = first_pending(&s->waiters);
            if (next)
                hand_over(s, next);
        }
        return e;
    }
    /* Units left over (several releases at once): wake the next in line too. */
    waiter *next = s->value > 0 ? first_pending(&s->waiters) : NULL;
    trace_sync(s->loop, s->id, "semaphore", "acquire", s->value - (next != NULL));
    if (next)
        hand_over(s, next);
    return NULL;
}

co_exc *co_semaphore_release(co_semaphore *s)
{
    if (!s)
        return co__exc_nomem();
    if (s->bounded && s->value >= s->bound)
        return co_exc_new("ValueError", "BoundedSemaphore released too many times");
    s->value++;
    waiter *next = first_pending(&s->waiters);   /* Semaphore._wake_up_next */
    trace_sync(s->loop, s->id, "semaphore", "release", s->value - (next != NULL));
    if (next)
        hand_over(s, next);
    return NULL;
}

/* --- Condition ------------------------------------------------------------------ */

struct co_condition {
    uint64_t id;               /* trace id */
    co_loop *loop;             /* owner */
    co_lock *lock;             /* Condition._lock */
    waiter_list waiters;       /* Condition._waiters */
    const char *kind;          /* what its waits are recorded as: "condition", or its owner's */
    uint64_t obj;              /* the id its sync events name; 0: none (inside a Barrier) */
    const char *acquire_label, *wait_label;   /* step_end labels of its two waits */
};

static co_condition *condition_new(co_loop *L, co_lock *lock, const char *kind, bool quiet,
                                   const char *acquire_label, const char *wait_label)
{
    if (!lock && !(lock = co_lock_new(L)))
        return NULL;
    co_condition *c = co__arena_alloc(sizeof *c);
    if (!c)
        return NULL;
    memset(c, 0, sizeof *c);
    c->id = co__new_id(L);
    c->loop = L;
    c->lock = lock;
    c->kind = kind;
    c->obj = quiet ? 0 : c->id;
    c->acquire_label = acquire_label;
    c->wait_label = wait_label;
    return c;
}

co_condition *co_condition_new(co_loop *L, co_lock *lock)
{
    return condition_new(L, lock, "condition", false, "condition.acquire()", "condition.wait()");
}

co_lock *co_condition_lock(co_condition *c) { return c->lock; }
bool co_condition_locked(const co_condition *c) { return c->lock->locked; }

co_exc *co_condition_acquire_at(co_condition *c, const char *src)
{
    if (!c)
        return co__exc_nomem();
    return lock_acquire(c->lock, c->kind, c->obj, c->acquire_label, src);
}

co_exc *co_condition_release(co_condition *c) { return c ? lock_release(c->lock, c->kind, c->obj) : co__exc_nomem(); }

co_exc *co_condition_wait_at(co_condition *c, const char *src)
{
    if (!c)
        return co__exc_nomem();
    co__require_task("co_condition_wait outside a task");
    if (!c->lock->locked)
        return co_exc_new("RuntimeError", "cannot wait on un-acquired lock");
    trace_sync(c->loop, c->obj, c->kind, "wait", (int)c->waiters.n + 1);
    lock_release(c->lock, c->kind, c->obj);
    co_exc *e = park(c->loop, &c->waiters, c->kind, c->wait_label, src, NULL);
    /* finally: get the lock back, however long it takes and however often
    ** this task is cancelled meanwhile. */
    bool cancelled = false;
    for (;;) {
        co_exc *e2 = lock_acquire(c->lock, c->kind, c->obj, c->wait_label, src);
        if (!e2)
            break;
        if (!co_exc_is_cancel(e2))
            return e2;
        cancelled = true;
    }
    if (cancelled)
        return co_exc_new("CancelledError", NULL);
    return e;
}

co_exc *co_condition_wait_for_at(co_condition *c, bool (*predicate)(void *arg), void *arg,
                                 bool *result, const char *src)
{
    bool r = predicate(arg);
    while (!r) {
        co_exc *e = co_condition_wait_at(c, src);
        if (e)
            return e;
        r = predicate(arg);
    }
    if (result)
        *result = r;
    return NULL;
}

co_exc *co_condition_notify(co_condition *c, int n)
{
    if (!c)
        return co__exc_nomem();
    if (!c->lock->locked)
        return co_exc_new("RuntimeError", "cannot notify on un-acquired lock");
    int woken = 0;
    for (waiter *w = c->waiters.head; w && woken < n; w = w->next)
        woken += !co_future_done(w->fut);
    trace_sync(c->loop, c->obj, c->kind, "notify", woken);
    int idx = 0;
    for (waiter *w = c->waiters.head; w && idx < n; w = w->next)
        if (!co_future_done(w->fut)) {
            idx++;
            co_future_set_result(w->fut, co_bool(false));
        }
    return NULL;
}

co_exc *co_condition_notify_all(co_condition *c) { return c ? co_condition_notify(c, (int)c->waiters.n) : co__exc_nomem(); }

/* --- Barrier -------------------------------------------------------------------- */

typedef enum barrier_state { B_FILLING, B_DRAINING, B_RESETTING, B_BROKEN } barrier_state;

struct co_barrier {
    uint64_t id;               /* trace id */
    co_loop *loop;             /* owner */
    co_condition *cond;        /* Barrier._cond: its waits are recorded as the barrier's */
    int parties;               /* Barrier._parties */
    barrier_state state;       /* Barrier._state */
    int count;                 /* Barrier._count: tasks inside wait() */
};

co_barrier *co_barrier_new(co_loop *L, int parties)
{
    if (parties < 1)
        return NULL;
    co_barrier *br = co__arena_alloc(sizeof *br);
    if (!br)
        return NULL;
    memset(br, 0, sizeof *br);
    br->cond = condition_new(L, NULL, "barrier", true, "barrier.wait()", "barrier.wait()");
    if (!br->cond)
        return NULL;
    br->id = co__new_id(L);
    br->loop = L;
    br->parties = parties;
    return br;
}

int co_barrier_parties(const co_barrier *br) { return br->parties; }
int co_barrier_n_waiting(const co_barrier *br) { return br->state == B_FILLING ? br->count : 0; }
bool co_barrier_broken(const co_barrier *br) { return br->state == B_BROKEN; }

static bool not_draining(void *arg)
{
    co_barrier *br = arg;
    return br->state != B_DRAINING && br->state != B_RESETTING;
}

static bool not_filling(void *arg) { return ((co_barrier *)arg)->state != B_FILLING; }

/* Barrier._exit: the last task out lets the next round in. */
static void barrier_exit(co_barrier *br)
{
    if (br->count == 0) {
        if (br->state == B_RESETTING || br->state == B_DRAINING)
            br->state = B_FILLING;
        co_condition_notify_all(br->cond);
    }
}

co_exc *co_barrier_wait_at(co_barrier *br, int *index, const char *src)
{
    if (!br)
        return co__exc_nomem();
    co__require_task("co_barrier_wait outside a task");
    co_lock *lk = br->cond->lock;
    co_exc *e = lock_acquire(lk, "barrier", 0, "barrier.wait()", src);   /* async with self._cond: */
    if (e)
        return e;
    /* _block: wait while the barrier drains or resets; refuse a broken one. */
    e = co_condition_wait_for_at(br->cond, not_draining, br, NULL, src);
    if (!e && br->state == B_BROKEN)
        e = co_exc_new("BrokenBarrierError", "Barrier aborted");
    if (e) {
        lock_release(lk, "barrier", 0);
        return e;
    }
    int i = br->count++;
    trace_sync(br->loop, br->id, "barrier", "wait", br->count);
    if (i + 1 == br->parties) {              /* _release: the last one in opens it */
        br->state = B_DRAINING;
        trace_sync(br->loop, br->id, "barrier", "pass", br->parties);
        co_condition_notify_all(br->cond);
    } else {                                 /* _wait: until it opens, breaks or resets */
        e = co_condition_wait_for_at(br->cond, not_filling, br, NULL, src);
        if (!e && (br->state == B_BROKEN || br->state == B_RESETTING))
            e = co_exc_new("BrokenBarrierError", "Abort or reset of barrier");
    }
    br->count--;                             /* finally: */
    barrier_exit(br);
    lock_release(lk, "barrier", 0);
    if (!e && index)
        *index = i;
    return e;
}

/* reset() and abort() take the condition's lock for their moment of work. */
static co_exc *barrier_set(co_barrier *br, const char *label, bool abort, const char *src)
{
    if (!br)
        return co__exc_nomem();
    co__require_task("resetting or aborting a barrier outside a task");
    co_lock *lk = br->cond->lock;
    co_exc *e = lock_acquire(lk, "barrier", 0, label, src);
    if (e)
        return e;
    int waiting = br->count;
    if (abort)
        br->state = B_BROKEN;
    else if (br->count > 0)
        br->state = B_RESETTING;
    else
        br->state = B_FILLING;
    trace_sync(br->loop, br->id, "barrier", abort ? "abort" : "reset", waiting);
    co_condition_notify_all(br->cond);
    lock_release(lk, "barrier", 0);
    return NULL;
}

co_exc *co_barrier_reset_at(co_barrier *br, const char *src) { return barrier_set(br, "barrier.reset()", false, src); }
co_exc *co_barrier_abort_at(co_barrier *br, const char *src) { return barrier_set(br, "barrier.abort()", true, src); }
