/*
** scenarios.h -- the built-in scenarios: small asyncio programs written in C
** against the runtime, each with a CPython twin (NAME.py beside it) that the
** parity test runs under the CPython recorder. A scenario is its main coroutine.
*/
#ifndef CO_SCENARIOS_H
#define CO_SCENARIOS_H

#include <stddef.h>

#include "coroscope.h"

typedef struct co_scenario {
    const char *name;          /* what `coroscope record NAME` takes */
    const char *summary;       /* one line for `coroscope list` */
    co_fn main;                /* the main coroutine (no arguments) */
    int sized;                 /* 1: reads co_scenario_size */
    int real_clock;            /* 1: needs real sockets: always recorded on the real clock */
    co_status (*drive)(co_loop *L);  /* instead of main: drives the loop itself */
} co_scenario;

/* The size parameter of sized scenarios (`record --size N`); default 20. */
extern long co_scenario_size;

const co_scenario *co_scenario_find(const char *name);   /* NULL if unknown */
const co_scenario *co_scenario_list(size_t *n);          /* all of them, in list order */

/* The scenario functions, by group (each file's header comment says more). */
co_exc *scn_sequential(const co_value *args, co_value *result);
co_exc *scn_gather(const co_value *args, co_value *result);
co_exc *scn_wait(const co_value *args, co_value *result);
co_exc *scn_as_completed(const co_value *args, co_value *result);
co_exc *scn_create_task(const co_value *args, co_value *result);
co_exc *scn_round_robin(const co_value *args, co_value *result);
co_exc *scn_gather_exceptions(const co_value *args, co_value *result);
co_exc *scn_gather_fail(const co_value *args, co_value *result);
co_exc *scn_gather_cancel(const co_value *args, co_value *result);
co_exc *scn_wait_first_completed(const co_value *args, co_value *result);
co_exc *scn_wait_first_exception(const co_value *args, co_value *result);
co_exc *scn_wait_timeout(const co_value *args, co_value *result);
co_exc *scn_as_completed_timeout(const co_value *args, co_value *result);
co_exc *scn_cancel_cleanup(const co_value *args, co_value *result);
co_exc *scn_cancel_swallow(const co_value *args, co_value *result);
co_exc *scn_future_callbacks(const co_value *args, co_value *result);
co_exc *scn_swarm(const co_value *args, co_value *result);

/* more.c: deadlines, task groups, futures. */
co_exc *scn_wait_for_timeout(const co_value *args, co_value *result);
co_exc *scn_wait_for_ok(const co_value *args, co_value *result);
co_exc *scn_wait_for_zero(const co_value *args, co_value *result);
co_exc *scn_shield_wait_for(const co_value *args, co_value *result);
co_exc *scn_taskgroup_ok(const co_value *args, co_value *result);
co_exc *scn_taskgroup_fail(const co_value *args, co_value *result);
co_exc *scn_taskgroup_cancel(const co_value *args, co_value *result);
co_exc *scn_timeout_block(const co_value *args, co_value *result);
co_exc *scn_ensure_future(const co_value *args, co_value *result);
co_exc *scn_done_callback_args(const co_value *args, co_value *result);

/* primitives.c: queues and locks. */
co_exc *scn_pipeline(const co_value *args, co_value *result);
co_exc *scn_semaphore_downloads(const co_value *args, co_value *result);
co_exc *scn_lock_counter(const co_value *args, co_value *result);
co_exc *scn_event_release(const co_value *args, co_value *result);
co_exc *scn_condition_notify(const co_value *args, co_value *result);

/* course.c: the rest of the asyncio a course needs. */
co_exc *scn_barrier_rounds(const co_value *args, co_value *result);
co_exc *scn_priority_queue(const co_value *args, co_value *result);
co_exc *scn_context_vars(const co_value *args, co_value *result);
co_exc *scn_task_api(const co_value *args, co_value *result);
co_exc *scn_exception_handler(const co_value *args, co_value *result);
co_status scn_runner(co_loop *L);
co_status scn_debug_mode(co_loop *L);
co_exc *scn_threadsafe(const co_value *args, co_value *result);
co_exc *scn_coroutines(const co_value *args, co_value *result);
co_exc *scn_set_order(const co_value *args, co_value *result);
co_exc *scn_error_messages(const co_value *args, co_value *result);

co_exc *scn_blocking_call(const co_value *args, co_value *result);
co_exc *scn_executor_job(const co_value *args, co_value *result);
co_exc *scn_echo_server(const co_value *args, co_value *result);
co_status scn_run_forever(co_loop *L);

/* Run scenario sc on L as `coroscope record` does (co_run, or its own driver),
** writing its twin's `source` first and the trace's `end` last (wrap L's tracer
** with co_twin_tracer_wrap, twins.h, so that src fields name the twin). Returns main's exception, or NULL; *status gets the
** loop's status (CO_EDEADLOCK ...). */
co_exc *co_scenario_run(const co_scenario *sc, co_loop *L, co_status *status);

/* Record sc into the file at path on the scenario's own clock (real for real
** sockets, else virtual), as `coroscope record` does, printing nothing. A main
** that raises or deadlocks still gives a complete trace. CO_OK, or a failure
** with a message (what, and why) in err. */
co_status co_scenario_record_file(const co_scenario *sc, const char *path, const char *producer,
                                  char *err, size_t errlen);

/* `await`, propagating: the scenario's coroutine returns what the call raised
** (Python's default when no `except` catches it). */
#define TRY(expr)                    \
    do {                             \
        co_exc *e_ = (expr);         \
        if (e_)                      \
            return e_;               \
    } while (0)

/* Shared coroutines: job(name, delay) sleeps delay and returns name;
** fail(delay) sleeps delay and raises ValueError("boom"). */
co_exc *scn_job(const co_value *args, co_value *result);
co_exc *scn_fail(const co_value *args, co_value *result);
#define JOB(name, delay) co_coro_make(scn_job, "job", 2, (co_value[]){co_str(name), CO_NUM(delay)})
#define FAIL(delay) co_coro_make(scn_fail, "fail", 1, (co_value[]){CO_NUM(delay)})

#endif
