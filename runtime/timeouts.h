/*
** timeouts.h -- giving up on time: wait_for, shield, and the timeout() block.
**
** Three ways asyncio puts a deadline on an await, each mirroring CPython
** 3.11's code callback for callback (tasks.wait_for and tasks.shield,
** timeouts.Timeout), because the iterations between a timer firing and a
** task waking are part of the schedule a student sees:
**
** - co_wait_for: `await asyncio.wait_for(aw, timeout)`. A coroutine becomes a
**   task; when the deadline passes, that task is cancelled and wait_for waits
**   until it has really finished (its cleanup may take time) before raising
**   TimeoutError. Cancelling the caller cancels the inner task too.
** - co_shield: `asyncio.shield(aw)`: an outer future that follows the inner
**   one; cancelling the outer (as wait_for does on timeout) leaves the inner
**   task running, and it can still be awaited.
** - co_timeout_enter / co_timeout_exit: `async with asyncio.timeout(delay)`.
**   On expiry the owning task is cancelled wherever it is awaiting; the exit
**   turns that CancelledError into TimeoutError and takes the cancellation
**   request back (uncancel).
**
** Timeouts are seconds of loop time; CO_NO_TIMEOUT (from combine.h) means None.
** Every deadline is recorded as `timeout` events (arm, reschedule, fire, exit).
**
** Which calls may suspend: co_wait_for (inside a task). co_timeout_enter and
** co_timeout_exit do not suspend -- Timeout.__aenter__/__aexit__ never await.
** Ownership: the outer future of co_shield and the co_timeout object live in
** the loop's arena until the loop is closed.
*/
#ifndef CO_TIMEOUTS_H
#define CO_TIMEOUTS_H

#include "combine.h"

/* result = await asyncio.wait_for(aw, timeout). Returns NULL with *out set (out
** may be NULL), or what the await raises: TimeoutError (its cause is the inner
** task's CancelledError), the inner awaitable's own exception, or
** CancelledError when the caller itself is cancelled (the inner task is
** cancelled and waited for first).
**   timeout CO_NO_TIMEOUT: a plain `await aw` (a coroutine is called, not
**       wrapped in a task);
**   timeout <= 0: an inner future already done gives its outcome at once,
**       otherwise it is cancelled and waited for, and TimeoutError follows (a
**       coroutine is wrapped in a task that never gets to run). */
co_exc *co_wait_for_at(co_aw aw, double timeout, co_value *out, const char *src);
#define co_wait_for(aw, timeout, out) co_wait_for_at((aw), (timeout), (out), CO_HERE)

/* asyncio.shield(aw): a coroutine becomes a task. An inner future already done
** is returned itself; otherwise a new outer future that finishes as the inner
** does, and whose cancellation does not reach the inner one. NULL on no memory.
** Needs a loop (running, or the last one created). */
co_future *co_shield(co_aw aw);

/* async with asyncio.timeout(delay) as cm / asyncio.timeout_at(when) as cm:
**
**     co_timeout *cm = co_timeout_enter(2);       // inside a task
**     co_exc *e = ...the body, stopping at its first exception...;
**     e = co_timeout_exit(cm, e);                 // what `async with` raises
**
** enter arms the deadline at loop.time() + delay (or at when; CO_NO_TIMEOUT
** arms nothing); a deadline already past fires on the next iteration. exit
** must be called exactly once, with what the body raised (NULL if nothing);
** it returns that exception, or TimeoutError (cause: the CancelledError) when
** this timeout expired and no other cancellation is pending on the task.
** enter returns NULL on no memory; calling it outside a task is a misuse. */
typedef struct co_timeout co_timeout;
co_timeout *co_timeout_enter(double delay);
co_timeout *co_timeout_at_enter(double when);
co_exc *co_timeout_exit(co_timeout *cm, co_exc *body_exc);

/* Timeout.reschedule(when): move the deadline (CO_NO_TIMEOUT: none). Only
** inside the block before it expired: otherwise RuntimeError ("Cannot change
** state of expiring Timeout", ... as CPython). */
co_exc *co_timeout_reschedule(co_timeout *cm, double when);
double co_timeout_when(const co_timeout *cm);     /* Timeout.when(); NAN for None */
bool co_timeout_expired(const co_timeout *cm);    /* Timeout.expired() */

#endif
