/*
** combine.h -- asyncio's combinators: gather, wait, as_completed.
**
** Each mirrors its CPython 3.11 counterpart in tasks.py callback for callback,
** because the number of loop iterations between a child finishing and its
** awaiter waking is part of the schedule a student sees:
**
** - gather: children's done-callbacks count completions; the outer future
**   resolves one iteration after the last child (or the first failure when
**   return_exceptions is false), and the awaiter wakes one iteration later.
** - wait: never cancels; returns done and pending in input order (CPython
**   returns sets; their order depends on addresses, ours on the input).
** - as_completed: completion order, through an internal queue.
**
** timeout arguments: CO_NO_TIMEOUT means None.
*/
#ifndef CO_COMBINE_H
#define CO_COMBINE_H

#include <math.h>

#include "task.h"

#define CO_NO_TIMEOUT NAN

/* asyncio.gather(*aws, return_exceptions=...): coroutines become tasks (named
** Task-N in argument order). Await the returned future for the list of results
** in argument order. Cancelling it cancels the unfinished children. NULL on no
** memory. Must be called with a running loop or after co_loop_new. */
co_future *co_gather(const co_aw *aws, size_t n, bool return_exceptions);

typedef enum co_return_when {
    CO_ALL_COMPLETED,
    CO_FIRST_COMPLETED,
    CO_FIRST_EXCEPTION
} co_return_when;

/* done, pending = await asyncio.wait(fs, timeout=..., return_when=...).
** done and pending must each have room for n futures; counts go to *ndone and
** *npending. Returns NULL, or the exception the await raised (CancelledError),
** or ValueError for an empty fs. */
co_exc *co_wait_at(co_future *const *fs, size_t n, double timeout, co_return_when rw,
                   co_future **done, size_t *ndone, co_future **pending, size_t *npending,
                   const char *src);
#define co_wait(fs, n, timeout, rw, done, ndone, pending, npending) \
    co_wait_at((fs), (n), (timeout), (rw), (done), (ndone), (pending), (npending), CO_HERE)

/* asyncio.wait(aws, ...) with awaitables as a Python program passes them:
** in 3.11 a coroutine among them is refused with TypeError("Passing
** coroutines is forbidden, use tasks explicitly.") before anything waits. */
co_exc *co_wait_aw_at(const co_aw *aws, size_t n, double timeout, co_return_when rw,
                      co_future **done, size_t *ndone, co_future **pending, size_t *npending,
                      const char *src);
#define co_wait_aw(aws, n, timeout, rw, done, ndone, pending, npending) \
    co_wait_aw_at((aws), (n), (timeout), (rw), (done), (ndone), (pending), (npending), CO_HERE)

/* for f in asyncio.as_completed(fs, timeout=...): result = await f
**
**     co_as_completed *ac = co_as_completed_new(fs, n, timeout);
**     for (size_t i = 0; i < co_as_completed_count(ac); i++) {
**         co_exc *e = co_as_completed_next(ac, &result);
**         ...
**     }
**
** co_as_completed_next raises TimeoutError once the timeout expired (and again
** for each later call). The iterator lives in the loop's arena. */
typedef struct co_as_completed co_as_completed;
co_as_completed *co_as_completed_new(co_future *const *fs, size_t n, double timeout);
/* The same from awaitables: coroutines become tasks (ensure_future), as
** as_completed does -- CPython makes them while iterating a set, so their
** Task-N numbers follow object addresses; here argument order, recorded as
** set order (traces/FORMAT.md). NULL on no memory. */
co_as_completed *co_as_completed_aw(const co_aw *aws, size_t n, double timeout);
size_t co_as_completed_count(const co_as_completed *ac);
co_exc *co_as_completed_next_at(co_as_completed *ac, co_value *out, const char *src);
#define co_as_completed_next(ac, out) co_as_completed_next_at((ac), (out), CO_HERE)

#endif
