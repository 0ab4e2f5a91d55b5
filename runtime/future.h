/*
** future.h -- asyncio.Future: a result that will exist later.
**
** A future is pending, then finished (with a result or an exception) or
** cancelled; it never changes again. When it leaves the pending state it
** schedules each of its done-callbacks with call_soon, in registration order
** (a task waiting on it is one such callback), so nothing runs inside
** set_result itself. Futures belong to the loop that made them and live until
** that loop is closed. None of these calls suspends.
**
** Errors that Python raises (InvalidStateError from set_result on a finished
** future, CancelledError from result() of a cancelled one) come back as a
** co_exc *, NULL meaning success.
*/
#ifndef CO_FUTURE_H
#define CO_FUTURE_H

#include <stdbool.h>
#include <stddef.h>

#include "loop.h"

typedef void (*co_done_fn)(co_future *fut, void *arg);

/* loop.create_future(). NULL when memory is exhausted; the calls below treat
** a NULL future as that failure (awaiting it or asking its result raises
** MemoryError), so an out-of-memory constructor propagates like Python's. */
co_future *co_future_new(co_loop *L);

bool co_future_done(const co_future *f);
bool co_future_cancelled(const co_future *f);
uint64_t co_future_id(const co_future *f);      /* the id traces use */

/* Future.set_result / set_exception: InvalidStateError if already done. */
co_exc *co_future_set_result(co_future *f, co_value v);
co_exc *co_future_set_exception(co_future *f, co_exc *e);

/* Future.cancel(msg) (msg may be NULL); for a task this is Task.cancel. Returns
** false if it was already done. */
bool co_future_cancel(co_future *f, const char *msg);

/* Future.result(): NULL and *out set when finished with a result; the
** exception when finished with one (which counts as retrieved); CancelledError
** when cancelled; InvalidStateError when still pending. out may be NULL. */
co_exc *co_future_result(co_future *f, co_value *out);

/* Future.exception(): *out = the exception or NULL; the return value is
** CancelledError if cancelled, InvalidStateError if pending, else NULL. */
co_exc *co_future_exception(co_future *f, co_exc **out);

/* repr(fut), as CPython 3.11 prints it -- `<Future pending cb=[...]>`,
** `<Task finished name='Task-2' coro=<job() done> result='a'>` -- except that
** source locations are C ones (the await a task is suspended at) or absent.
** A string in the loop's arena. For a task too (co_task_future). */
const char *co_future_repr(const co_future *f);

/* Future.add_done_callback(fn, arg): arg plays the part of functools.partial's
** extra arguments. Scheduled at once (call_soon) if the future is done. */
co_status co_future_add_done_callback(co_future *f, co_done_fn fn, void *arg, const char *fn_name);

/* Future.remove_done_callback: removes every registration of (fn, arg) not
** yet scheduled; returns how many. */
size_t co_future_remove_done_callback(co_future *f, co_done_fn fn, void *arg);

#endif
