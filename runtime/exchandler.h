/*
** exchandler.h -- the loop's exception handler, and what asyncio logs.
**
** When asyncio meets an error nobody can catch -- a task's exception never
** retrieved, a task still pending when the loop goes away, a task that failed
** while asyncio.run() shut down -- it calls the loop's exception handler with
** a context: a message, the exception, the future, task or handle concerned.
** The default handler logs all of it as CPython's does; a program can install
** its own (loop.set_exception_handler) and defer to the default one.
**
** The default handler writes to the loop's `err` stream (co_loop_config.err;
** stderr for co_loop_new(NULL), nowhere when a config leaves it NULL) what
** CPython's logging writes to stderr: the message, one `key: repr` line per
** context entry in sorted order, then the exception as traceback prints it --
** without the frames ("File ..., line ..."), which a C exception has not.
** Every call is also recorded as a `warn` event.
**
** None of these calls suspends.
*/
#ifndef CO_EXCHANDLER_H
#define CO_EXCHANDLER_H

#include "loop.h"

/* The context dict of call_exception_handler; unused entries NULL. */
typedef struct co_exc_context {
    const char *message;       /* 'message'; NULL or "": "Unhandled exception in event loop" */
    co_exc *exception;         /* 'exception' */
    co_future *future;         /* 'future' (a future, or a task as a future) */
    co_task *task;             /* 'task' */
    co_handle *handle;         /* 'handle' */
} co_exc_context;

/* handler(loop, context). An exception it returns is reported by the default
** handler as "Unhandled error in exception handler", as CPython does. */
typedef co_exc *(*co_exception_handler)(co_loop *L, const co_exc_context *ctx, void *ud);

/* loop.set_exception_handler(handler): fn NULL restores the default. */
void co_loop_set_exception_handler(co_loop *L, co_exception_handler fn, void *ud);
co_exception_handler co_loop_get_exception_handler(const co_loop *L, void **ud);

/* loop.call_exception_handler(context) / loop.default_exception_handler(context). */
void co_loop_call_exception_handler(co_loop *L, const co_exc_context *ctx);
void co_loop_default_exception_handler(co_loop *L, const co_exc_context *ctx);

/* repr(handle): <Handle fn()>, <TimerHandle when=2.0 fn()>, with "cancelled". */
const char *co_handle_repr(const co_handle *h);

#endif
