/*
** loop.h -- the event loop: ready queue, timer heap, one iteration at a time.
**
** The loop reproduces CPython 3.11's BaseEventLoop scheduling exactly. One
** iteration (co_loop_run_once, CPython's _run_once) is four phases:
**
**   1. Drop cancelled timers from the head of the heap -- or, when more than
**      100 timers are scheduled and over half of them are cancelled, rebuild
**      the heap without them.
**   2. Poll: wait not at all if a handle is ready (or the loop is stopping),
**      else until the earliest timer. Under the virtual clock "waiting until T"
**      is a jump of the clock to T, recorded as an `idle` event.
**   3. Move every timer due before now + clock resolution to the ready queue,
**      in heap-pop order.
**   4. Run exactly the handles that were ready at this point; handles they
**      schedule wait for the next iteration.
**
** Ownership: the loop owns every handle, future and task it creates; handles
** are recycled as soon as they have run (a caller that keeps one holds a
** reference: co_handle_release), futures and tasks live until co_loop_close.
** Which calls may suspend: none here; suspension happens only in task.h's
** co_await family, inside a task.
*/
#ifndef CO_LOOP_H
#define CO_LOOP_H

#include <stdbool.h>
#include <stdio.h>

#include "status.h"
#include "trace.h"
#include "value.h"

typedef struct co_loop co_loop;
typedef struct co_handle co_handle;
typedef struct co_future co_future;
typedef struct co_task co_task;

typedef void (*co_callback_fn)(void *arg);

typedef enum co_clock {
    CO_CLOCK_VIRTUAL,   /* deterministic: time jumps to the next timer when idle */
    CO_CLOCK_REAL       /* CLOCK_MONOTONIC; the loop sleeps in epoll_wait */
} co_clock;

#define CO_MAXIMUM_SELECT_TIMEOUT (24.0 * 3600.0)  /* base_events.MAXIMUM_SELECT_TIMEOUT */
#define CO_CLOCK_RESOLUTION 1e-09                   /* time.get_clock_info('monotonic') on Linux */

/*
** Where tasks' frames live (docs/ARCHITECTURE.md, "What a task costs").
**
**   CO_STACK_OWN   every task has a stack of its own; a suspended task costs
**                  the page its frames touched (4 KiB) plus ~0.4 KiB.
**   CO_STACK_COPY  tasks take turns on two shared stacks per stack size: when
**                  another task needs a suspended task's stack, the bytes
**                  its frames use (a few hundred at an await) are copied to
**                  the heap, and copied back to the same addresses before it
**                  resumes. A suspended task then costs ~0.7 KiB, and such a
**                  switch a copy each way. The rule it asks of coroutines: a task must not hand a
**                  pointer to one of its locals to another task, a callback,
**                  a worker thread or any structure read while it is
**                  suspended -- while it waits, its locals are not where the
**                  pointer points (the runtime itself keeps no such pointer in
**                  this mode). Not available under AddressSanitizer nor where
**                  there is no assembly switch (co_stack_mode_unsupported).
**
** The schedule, results and output are the same in both modes.
*/
typedef enum co_stack_mode {
    CO_STACK_OWN,              /* the default */
    CO_STACK_COPY
} co_stack_mode;

/* Why this build cannot run loops in `mode` (a sentence), or NULL if it can. */
const char *co_stack_mode_unsupported(co_stack_mode mode);

typedef struct co_loop_config {
    co_clock clock;            /* default CO_CLOCK_VIRTUAL */
    size_t stack_size;         /* per-task stack bytes; 0 = CO_STACK_DEFAULT_SIZE; in copy mode the shared stacks' */
    co_stack_mode stack_mode;  /* default CO_STACK_OWN; co_loop_new returns NULL for a mode this build lacks */
    bool stack_poison;         /* copy mode: save a task's bytes as soon as it suspends and fill their place
                                  on the shared stack with 0xCC, so that a stale pointer reads garbage (tests) */
    co_tracer tracer;          /* recording; {NULL} = off */
    FILE *out;                 /* where co_print echoes lines; NULL = nowhere (stdout when cfg is NULL) */
    FILE *err;                 /* where asyncio's log lines go (exchandler.h); NULL = nowhere (stderr when cfg is NULL) */
    bool debug;                /* asyncio debug mode (co_loop_set_debug) */
} co_loop_config;

/* A new loop, or NULL when memory is exhausted. cfg may be NULL (defaults). */
co_loop *co_loop_new(const co_loop_config *cfg);

/* Free the loop and everything it owns. Refuses (CO_EBUSY) while tasks are
** still pending -- each gets a `pending_at_close` warning, once, as asyncio
** logs "Task was destroyed but it is pending!" -- and while the loop runs
** (CO_ERUNNING). On refusal the loop stays usable. NULL is fine. */
co_status co_loop_close(co_loop *L);

/* Like co_loop_close, but frees pending tasks too (after the warnings): their
** coroutines never resume, so their cleanup code never runs. For error paths. */
void co_loop_destroy(co_loop *L);

double co_loop_time(const co_loop *L);     /* loop.time() */
co_clock co_loop_clock(const co_loop *L);

/* loop.set_debug / get_debug: asyncio's debug mode. What it changes, as in
** CPython: a handle that holds the loop 0.1 s or more is logged ("Executing
** <Task ...> took 2.000 seconds", to the loop's err stream); coroutines
** remember where they were made, and one never awaited is reported
** (task.h, co_coro_make); call_soon / call_later / call_at / create_task from
** a thread other than the one running the loop are refused (CO_ETHREAD, or
** NULL, for "Non-thread-safe operation invoked on an event loop other than the
** current one"). */
void co_loop_set_debug(co_loop *L, bool enabled);
bool co_loop_get_debug(const co_loop *L);

/* loop.call_soon(fn, arg): fn(arg) runs in the next iteration's phase 4, after
** everything already ready, in a copy of the current Context (contextvars.h).
** fn_name labels it in traces. CO_ETHREAD: see co_loop_set_debug. */
co_status co_call_soon(co_loop *L, co_callback_fn fn, void *arg, const char *fn_name);

/* The same, handing back the handle (as CPython's call_soon does) so it can be
** cancelled: the caller holds a reference and must co_handle_release it. NULL
** on no memory. */
co_handle *co_call_soon_handle(co_loop *L, co_callback_fn fn, void *arg, const char *fn_name);

/* loop.call_later(delay, ...) / loop.call_at(when, ...): a timer handle. The
** caller receives a reference and must co_handle_release it (after
** co_handle_cancel if it wants the call not to happen). NULL on no memory. */
co_handle *co_call_later(co_loop *L, double delay, co_callback_fn fn, void *arg, const char *fn_name);
co_handle *co_call_at(co_loop *L, double when, co_callback_fn fn, void *arg, const char *fn_name);
void co_handle_cancel(co_handle *h);       /* Handle.cancel(); idempotent */
bool co_handle_cancelled(const co_handle *h);
double co_handle_when(const co_handle *h);  /* TimerHandle.when(): the loop time it is due */
void co_handle_release(co_handle *h);      /* NULL is fine */

/* loop.run_forever(): iterate until co_loop_stop. Returns CO_EDEADLOCK when
** nothing is ready, no timer is pending and nothing else could ever wake the
** loop (CPython would block forever) -- under the virtual clock also when the
** only timers left are never due (sleep(math.inf)): a `deadlock` warning in the
** trace names the waiting tasks. CO_ERUNNING if already running. */
co_status co_loop_run_forever(co_loop *L);
void co_loop_stop(co_loop *L);             /* loop.stop(): the current iteration ends the run */

/* loop.run_until_complete(fut): run until fut is done. CO_ESTOPPED if the loop
** was stopped first. Retrieve the outcome with co_future_result. */
co_status co_loop_run_until_complete(co_loop *L, co_future *fut);

/* A task that raises SystemExit or KeyboardInterrupt stops the loop as in
** CPython (Task.__step re-raises them, Handle._run lets them through): the
** task's future gets the exception, the iteration ends at once (handles still
** ready stay ready), and run_once / run_forever / run_until_complete return
** CO_EEXIT. This hands the exception over, once; NULL if there is none. */
co_exc *co_loop_exit_exception(co_loop *L);

/* One iteration (phases 1-4 above); exposed for tests and teaching. */
co_status co_loop_run_once(co_loop *L);

/* The loop running on this thread (asyncio.get_running_loop()), or NULL. */
co_loop *co_running_loop(void);

/* Emit a `print` event from outside any task, echoing it to cfg.out. */
void co_loop_print(co_loop *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write the trace's `end` event (co_run does it for you): reason "complete"
** for CO_OK, "deadlock" for CO_EDEADLOCK, else "error". */
void co_loop_trace_end(co_loop *L, co_status st);

/*
** Put a file's text in the trace (a `source` event, FORMAT.md version 3), so
** that readers can show the code that `src` fields point at. Call it before
** the first event whose `src` names `file`; nothing happens when not tracing.
*/
void co_loop_trace_source(co_loop *L, const char *file, const char *text);

/* Counters of what the loop did (for tests and benchmarks). */
typedef struct co_loop_stats {
    unsigned long long iterations;   /* _run_once calls */
    unsigned long long handles_run;  /* callbacks and steps run */
    unsigned long long steps;        /* task steps */
    unsigned long long tasks;        /* tasks created */
    size_t stacks_in_use;            /* task stacks handed out now */
    size_t stacks_total;             /* task stacks carved so far */
} co_loop_stats;
co_loop_stats co_loop_get_stats(const co_loop *L);

#endif
