/*
** sync.h -- asyncio's synchronization primitives: Lock, Event, Semaphore,
** BoundedSemaphore, Condition and Barrier.
**
** They are not thread locks: they coordinate tasks of one loop. A task that
** must wait parks on a waiter future of its own, queued in arrival order; the
** operation that frees the resource completes the first waiter still pending,
** and that task runs one iteration later (a completed future wakes its task
** through call_soon). Who is served, and when, follows CPython 3.11.7's
** locks.py exactly, including its corners:
**
** - Lock.acquire takes the fast path only when the lock is free and no waiter
**   is still pending (waiters that were cancelled do not count); release
**   wakes the first waiter, which marks the lock held only when it runs -- a
**   woken waiter cancelled before that passes the wake-up on.
** - Semaphore: release hands the unit straight to the first pending waiter
**   (the value does not rise); a waiter that finds units left over wakes the
**   next one; locked() is true while any waiter is pending, so a newcomer
**   cannot overtake the queue.
** - Condition.wait releases the lock, waits to be notified, then re-acquires
**   the lock even if it is cancelled meanwhile.
**
** Errors are values, as in Python: releasing an unlocked lock gives
** RuntimeError('Lock is not acquired.'), over-releasing a bounded semaphore
** ValueError('BoundedSemaphore released too many times').
**
** Which calls may suspend: the *_acquire, *_wait and *_wait_for calls (inside a
** task). Everything else returns at once. Ownership: each primitive belongs
** to the loop that made it and lives in its arena until the loop is closed.
** Every operation is recorded as a `sync` event; waiting shows as an await on
** a future of kind "lock", "event", "semaphore" or "condition".
*/
#ifndef CO_SYNC_H
#define CO_SYNC_H

#include "task.h"

/* --- Lock ----------------------------------------------------------------- */

typedef struct co_lock co_lock;

co_lock *co_lock_new(co_loop *L);                  /* asyncio.Lock(); NULL on no memory */
bool co_lock_locked(const co_lock *lk);            /* Lock.locked() */

/* await lock.acquire(): NULL once the lock is ours, or the exception the wait
** raised (CancelledError). `async with lock:` is acquire, body, release. */
co_exc *co_lock_acquire_at(co_lock *lk, const char *src);
#define co_lock_acquire(lk) co_lock_acquire_at((lk), CO_HERE)

/* Lock.release(): RuntimeError('Lock is not acquired.') if it is not held. */
co_exc *co_lock_release(co_lock *lk);

/* --- Event ---------------------------------------------------------------- */

typedef struct co_event co_event;

co_event *co_event_new(co_loop *L);                /* asyncio.Event(); NULL on no memory */
bool co_event_is_set(const co_event *ev);
void co_event_set(co_event *ev);                   /* wakes every waiter */
void co_event_clear(co_event *ev);

/* await event.wait(): at once if the flag is set, else until set() is called. */
co_exc *co_event_wait_at(co_event *ev, const char *src);
#define co_event_wait(ev) co_event_wait_at((ev), CO_HERE)

/* --- Semaphore and BoundedSemaphore --------------------------------------- */

typedef struct co_semaphore co_semaphore;

/* asyncio.Semaphore(value) / asyncio.BoundedSemaphore(value). NULL when value
** < 0 (CPython: ValueError "Semaphore initial value must be >= 0") or on no
** memory. */
co_semaphore *co_semaphore_new(co_loop *L, int value);
co_semaphore *co_bounded_semaphore_new(co_loop *L, int value);
bool co_semaphore_locked(const co_semaphore *s);   /* Semaphore.locked() */
int co_semaphore_value(const co_semaphore *s);     /* Semaphore._value */

co_exc *co_semaphore_acquire_at(co_semaphore *s, const char *src);
#define co_semaphore_acquire(s) co_semaphore_acquire_at((s), CO_HERE)

/* release(): a bounded semaphore refuses to rise above its initial value. */
co_exc *co_semaphore_release(co_semaphore *s);

/* --- Condition ------------------------------------------------------------ */

typedef struct co_condition co_condition;

/* asyncio.Condition(lock): lock NULL makes a new Lock. NULL on no memory. */
co_condition *co_condition_new(co_loop *L, co_lock *lock);
co_lock *co_condition_lock(co_condition *c);       /* the underlying lock */
bool co_condition_locked(const co_condition *c);

co_exc *co_condition_acquire_at(co_condition *c, const char *src);
#define co_condition_acquire(c) co_condition_acquire_at((c), CO_HERE)
co_exc *co_condition_release(co_condition *c);

/* await cond.wait(): RuntimeError('cannot wait on un-acquired lock') unless
** the lock is held. Releases it, waits for notify, re-acquires it (even when
** cancelled meanwhile: the CancelledError comes after the lock is back). */
co_exc *co_condition_wait_at(co_condition *c, const char *src);
#define co_condition_wait(c) co_condition_wait_at((c), CO_HERE)

/* await cond.wait_for(predicate): wait until predicate(arg) is true; *result
** (may be NULL) gets its last value. */
co_exc *co_condition_wait_for_at(co_condition *c, bool (*predicate)(void *arg), void *arg,
                                 bool *result, const char *src);
#define co_condition_wait_for(c, predicate, arg, result) \
    co_condition_wait_for_at((c), (predicate), (arg), (result), CO_HERE)

/* notify(n) / notify_all(): wake up to n waiters (they run once they get the
** lock back). RuntimeError('cannot notify on un-acquired lock') unless held. */
co_exc *co_condition_notify(co_condition *c, int n);
co_exc *co_condition_notify_all(co_condition *c);

/* --- Barrier (3.11) ------------------------------------------------------ */

typedef struct co_barrier co_barrier;

/* asyncio.Barrier(parties): NULL when parties < 1 (CPython: ValueError
** "parties must be > 0") or on no memory. Built on a Condition, as CPython's
** is, so waking follows the Condition's order; its operations are recorded as
** `sync` events of kind "barrier" (wait, pass, reset, abort), its waits as
** futures of kind "barrier". */
co_barrier *co_barrier_new(co_loop *L, int parties);
int co_barrier_parties(const co_barrier *br);      /* Barrier.parties */
int co_barrier_n_waiting(const co_barrier *br);    /* Barrier.n_waiting */
bool co_barrier_broken(const co_barrier *br);      /* Barrier.broken */

/* index = await barrier.wait(): waits until `parties` tasks are waiting, then
** all go on; *index (may be NULL) gets 0 .. parties-1 in arrival order.
** BrokenBarrierError("Barrier aborted") on a broken barrier,
** BrokenBarrierError("Abort or reset of barrier") when reset or aborted while
** waiting. */
co_exc *co_barrier_wait_at(co_barrier *br, int *index, const char *src);
#define co_barrier_wait(br, index) co_barrier_wait_at((br), (index), CO_HERE)

/* await barrier.reset() / await barrier.abort(): the tasks waiting get
** BrokenBarrierError; after abort() every wait() does. */
co_exc *co_barrier_reset_at(co_barrier *br, const char *src);
co_exc *co_barrier_abort_at(co_barrier *br, const char *src);
#define co_barrier_reset(br) co_barrier_reset_at((br), CO_HERE)
#define co_barrier_abort(br) co_barrier_abort_at((br), CO_HERE)

#endif
