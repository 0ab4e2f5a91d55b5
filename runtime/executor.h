/*
** executor.h -- work that does not cooperate: executors and blocking calls.
**
** asyncio runs blocking functions on a thread pool (loop.run_in_executor,
** asyncio.to_thread): the awaiting task waits on an ordinary asyncio future,
** which a worker's completion resolves through call_soon_threadsafe, so the
** loop learns of it during its poll phase and the task wakes one iteration
** later. The same happens here, in two ways:
**
**   real clock     jobs run on real worker threads (one per worker slot);
**   virtual clock  a simulated pool: a job occupies a worker lane for the
**                  `duration` it is given, and completes at start + duration
**                  of virtual time; its function then runs on the loop thread
**                  to produce the result.
**
** Either way the loop decides which worker takes a job (the lowest-numbered
** free one, FIFO when all are busy) and records `job` events submit / start /
** done, so traces show worker lanes. A pool's default size is CPython's,
** min(32, CPUs + 4) -- machine-dependent, so scenarios that must be
** deterministic name their size with co_executor_new.
**
** A blocking call inside a coroutine is the opposite: co_block holds the loop
** for its duration (time.sleep, CPU work), recorded as a `block` event; every
** other task is stalled, and a step that took 100 ms or more gets asyncio's
** debug-mode "slow callback" warning.
*/
#ifndef CO_EXECUTOR_H
#define CO_EXECUTOR_H

#include "task.h"

typedef struct co_executor co_executor;

/* What a job runs: on a worker thread (real clock) or on the loop thread at
** the job's virtual completion time. It must not touch the loop. */
typedef co_exc *(*co_job_fn)(void *arg, co_value *result);

/* A pool of max_workers workers (0: min(32, CPUs + 4)); the loop owns it and
** joins its threads at close. NULL on no memory. */
co_executor *co_executor_new(co_loop *L, int max_workers);

/* loop.run_in_executor(ex, fn): an asyncio future resolved with the job's
** result or exception. ex NULL: the loop's default pool. duration: how long the
** job takes under the virtual clock (ignored under the real clock). label names
** it in traces. NULL on no memory (awaiting NULL raises MemoryError). */
co_future *co_run_in_executor(co_executor *ex, co_job_fn fn, void *arg, double duration,
                              const char *label);

/* asyncio.to_thread(fn): run_in_executor on the default pool. */
co_future *co_to_thread(co_job_fn fn, void *arg, double duration, const char *label);

/* loop.call_soon_threadsafe: from any thread. The loop's poll wakes up and
** the callback joins the ready queue there. */
co_status co_call_soon_threadsafe(co_loop *L, co_callback_fn fn, void *arg, const char *fn_name);

/* A blocking call inside the running task (time.sleep(seconds), CPU work):
** virtual clock: time jumps by `seconds` while the loop is held; real clock:
** the thread really sleeps. Not a suspension point: nothing else runs. */
void co_block(double seconds, const char *label);

/* --- asyncio.run_coroutine_threadsafe ------------------------------------ */

/* A concurrent.futures.Future: a result another thread can block on. */
typedef struct co_cfuture co_cfuture;

/* asyncio.run_coroutine_threadsafe(coro, loop), from any thread: the loop
** wraps coro in a task (in a callback it runs through call_soon_threadsafe)
** and the task's outcome is copied into the returned future. NULL on no
** memory. The caller holds a reference: co_cfuture_release it. */
co_cfuture *co_run_coroutine_threadsafe(co_coro coro, co_loop *L);

/* future.result(timeout): blocks until done, or timeout seconds (negative: no
** limit). NULL with *out set; the task's exception; CancelledError;
** TimeoutError() when time ran out. Never call it on the loop's thread. */
co_exc *co_cfuture_result(co_cfuture *cf, double timeout, co_value *out);
bool co_cfuture_done(co_cfuture *cf);
/* future.cancel(): cancels the task too (through call_soon_threadsafe). */
bool co_cfuture_cancel(co_cfuture *cf);
void co_cfuture_release(co_cfuture *cf);          /* NULL is fine */

#endif
