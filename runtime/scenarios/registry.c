/*
** registry.c -- the list of built-in scenarios (see scenarios.h).
*/
#include <stdio.h>
#include <string.h>

#include "trace_writer.h"

#include "scenarios.h"
#include "twins.h"

long co_scenario_size = 20;

static const co_scenario scenarios[] = {
    {"sequential", "three jobs (a=3s, b=1s, c=2s) awaited one after another: 6 s", scn_sequential, 0, 0, NULL},
    {"gather", "the same jobs under gather: 3 s, results in argument order", scn_gather, 0, 0, NULL},
    {"wait", "three named tasks under wait(ALL_COMPLETED): 3 s", scn_wait, 0, 0, NULL},
    {"as_completed", "three named tasks through as_completed: b, c, a", scn_as_completed, 0, 0, NULL},
    {"create_task", "a task started before a plain await overlaps with it", scn_create_task, 0, 0, NULL},
    {"round_robin", "three counters taking turns with sleep(0)", scn_round_robin, 0, 0, NULL},
    {"gather_exceptions", "gather(return_exceptions=True): a failure is a result", scn_gather_exceptions, 0, 0, NULL},
    {"gather_fail", "gather without return_exceptions: the first failure propagates", scn_gather_fail, 0, 0, NULL},
    {"gather_cancel", "cancelling a gather cancels its unfinished children", scn_gather_cancel, 0, 0, NULL},
    {"wait_first_completed", "wait(FIRST_COMPLETED) returns after the first task", scn_wait_first_completed, 0, 0, NULL},
    {"wait_first_exception", "wait(FIRST_EXCEPTION) returns after the first failure", scn_wait_first_exception, 0, 0, NULL},
    {"wait_timeout", "wait(timeout=2) returns what is done and what is pending", scn_wait_timeout, 0, 0, NULL},
    {"as_completed_timeout", "as_completed(timeout=4) raises TimeoutError", scn_as_completed_timeout, 0, 0, NULL},
    {"cancel_cleanup", "task.cancel() with cleanup in a finally block", scn_cancel_cleanup, 0, 0, NULL},
    {"cancel_swallow", "a task that catches CancelledError and carries on", scn_cancel_swallow, 0, 0, NULL},
    {"future_callbacks", "a bare future resolved by another task, with done callbacks", scn_future_callbacks, 0, 0, NULL},
    {"swarm", "N workers (--size N, default 20) sleeping staggered delays", scn_swarm, 1, 0, NULL},
    {"wait_for_timeout", "wait_for(slow(), 2) cancels the job, waits for its cleanup, raises TimeoutError", scn_wait_for_timeout, 0, 0, NULL},
    {"wait_for_ok", "wait_for on jobs that beat their deadline; timeout=None is a plain await", scn_wait_for_ok, 0, 0, NULL},
    {"wait_for_zero", "wait_for(..., 0): a finished task's result, or TimeoutError at once", scn_wait_for_zero, 0, 0, NULL},
    {"shield_wait_for", "wait_for(shield(task), 1) times out; the task runs on and is awaited", scn_shield_wait_for, 0, 0, NULL},
    {"taskgroup_ok", "a TaskGroup block waits for its two children", scn_taskgroup_ok, 0, 0, NULL},
    {"taskgroup_fail", "a failing child cancels its sibling and the body: ExceptionGroup", scn_taskgroup_fail, 0, 0, NULL},
    {"taskgroup_cancel", "cancelling the task running a TaskGroup cancels its children", scn_taskgroup_cancel, 0, 0, NULL},
    {"timeout_block", "async with timeout(): reschedule, expire into TimeoutError; timeout_at in time", scn_timeout_block, 0, 0, NULL},
    {"ensure_future", "ensure_future on a coroutine, a task and a future", scn_ensure_future, 0, 0, NULL},
    {"done_callback_args", "done callbacks with a functools.partial extra argument", scn_done_callback_args, 0, 0, NULL},
    {"pipeline", "producer and consumer over a Queue(maxsize=2), then join()", scn_pipeline, 0, 0, NULL},
    {"semaphore_downloads", "ten downloads, three at a time, under a Semaphore(3)", scn_semaphore_downloads, 0, 0, NULL},
    {"lock_counter", "a Lock around a read-modify-write that yields", scn_lock_counter, 0, 0, NULL},
    {"event_release", "one Event.set() releases three waiting tasks", scn_event_release, 0, 0, NULL},
    {"condition_notify", "consumers on a Condition: notify() one, notify_all() the rest", scn_condition_notify, 0, 0, NULL},
    {"blocking_call", "time.sleep(2) inside a coroutine stalls every other task", scn_blocking_call, 0, 0, NULL},
    {"executor_job", "the same blocking work on a 2-worker pool via run_in_executor", scn_executor_job, 0, 0, NULL},
    {"run_forever", "a loop driven by call_soon/call_later, run_forever() and stop()", NULL, 0, 0, scn_run_forever},
    {"echo_server", "a TCP echo server and two clients on loopback (real clock)", scn_echo_server, 0, 1, NULL},
    {"barrier_rounds", "three workers meet at a Barrier(3) twice; an aborted barrier breaks", scn_barrier_rounds, 0, 0, NULL},
    {"priority_queue", "a PriorityQueue serves the smallest item first; a LifoQueue the last", scn_priority_queue, 0, 0, NULL},
    {"context_vars", "a ContextVar follows tasks and callbacks; create_task(context=ctx)", scn_context_vars, 0, 0, NULL},
    {"task_api", "sleep(delay, result), Task.set_name/get_coro, TimerHandle.when()", scn_task_api, 0, 0, NULL},
    {"exception_handler", "the loop's exception handler, custom and default", scn_exception_handler, 0, 0, NULL},
    {"runner", "asyncio.Runner: two runs on one loop, one context, then close", NULL, 0, 0, scn_runner},
    {"threadsafe", "run_coroutine_threadsafe from another thread (real clock)", scn_threadsafe, 0, 1, NULL},
    {"coroutines", "gather and as_completed wrap coroutines; wait() refuses them", scn_coroutines, 0, 0, NULL},
    {"set_order", "a TaskGroup aborting three children, wait() returning a set", scn_set_order, 0, 0, NULL},
    {"debug_mode", "asyncio.run(debug=True): a slow step logged, call_soon from a thread refused", NULL, 0, 0,
     scn_debug_mode},
    {"error_messages", "the exceptions asyncio raises at a program that gets it wrong", scn_error_messages, 0, 0, NULL},
};

co_exc *co_scenario_run(const co_scenario *sc, co_loop *L, co_status *status)
{
    const co_twin *twin = co_scenario_c_lines ? NULL : co_twin_find(sc->name);
    if (twin)
        co_loop_trace_source(L, twin->file, twin->text);   /* the program a student reads */
    if (sc->drive) {
        co_status st = sc->drive(L);
        co_loop_trace_end(L, st);
        if (status)
            *status = st;
        return st == CO_OK ? NULL : co_exc_new("RuntimeError", "%s", co_status_message(st));
    }
    co_value ignored;
    return co_run(L, co_coro_make(sc->main, "main", 0, NULL), &ignored, status);
}

co_status co_scenario_record_file(const co_scenario *sc, const char *path, const char *producer,
                                  char *err, size_t errlen)
{
    co_trace_header hdr = {sc->name, sc->real_clock ? "real" : "virtual", producer, 0};
    co_trace_writer *w = co_trace_writer_open(path, &hdr, err, errlen);
    if (!w)
        return CO_EIO;
    co_twin_tracer tt;
    co_loop_config cfg = {.clock = sc->real_clock ? CO_CLOCK_REAL : CO_CLOCK_VIRTUAL,
                          .tracer = co_twin_tracer_wrap(&tt, sc->name, co_trace_writer_tracer(w))};
    co_loop *L = co_loop_new(&cfg);
    if (!L) {
        co_trace_writer_close(w, NULL, 0);
        snprintf(err, errlen, "out of memory recording %s", sc->name);
        return CO_ENOMEM;
    }
    co_scenario_run(sc, L, NULL);
    co_loop_destroy(L);
    return co_trace_writer_close(w, err, errlen);
}

const co_scenario *co_scenario_list(size_t *n)
{
    *n = sizeof scenarios / sizeof scenarios[0];
    return scenarios;
}

const co_scenario *co_scenario_find(const char *name)
{
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        if (!strcmp(scenarios[i].name, name))
            return &scenarios[i];
    return NULL;
}
