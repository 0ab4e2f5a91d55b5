/*
** registry.c -- the list of built-in scenarios (see scenarios.h).
*/
#include <string.h>

#include "scenarios.h"

long co_scenario_size = 20;

static const co_scenario scenarios[] = {
    {"sequential", "three jobs (a=3s, b=1s, c=2s) awaited one after another: 6 s", scn_sequential, 0},
    {"gather", "the same jobs under gather: 3 s, results in argument order", scn_gather, 0},
    {"wait", "three named tasks under wait(ALL_COMPLETED): 3 s", scn_wait, 0},
    {"as_completed", "three named tasks through as_completed: b, c, a", scn_as_completed, 0},
    {"create_task", "a task started before a plain await overlaps with it", scn_create_task, 0},
    {"round_robin", "three counters taking turns with sleep(0)", scn_round_robin, 0},
    {"gather_exceptions", "gather(return_exceptions=True): a failure is a result", scn_gather_exceptions, 0},
    {"gather_fail", "gather without return_exceptions: the first failure propagates", scn_gather_fail, 0},
    {"gather_cancel", "cancelling a gather cancels its unfinished children", scn_gather_cancel, 0},
    {"wait_first_completed", "wait(FIRST_COMPLETED) returns after the first task", scn_wait_first_completed, 0},
    {"wait_first_exception", "wait(FIRST_EXCEPTION) returns after the first failure", scn_wait_first_exception, 0},
    {"wait_timeout", "wait(timeout=2) returns what is done and what is pending", scn_wait_timeout, 0},
    {"as_completed_timeout", "as_completed(timeout=4) raises TimeoutError", scn_as_completed_timeout, 0},
    {"cancel_cleanup", "task.cancel() with cleanup in a finally block", scn_cancel_cleanup, 0},
    {"cancel_swallow", "a task that catches CancelledError and carries on", scn_cancel_swallow, 0},
    {"future_callbacks", "a bare future resolved by another task, with done callbacks", scn_future_callbacks, 0},
    {"swarm", "N workers (--size N, default 20) sleeping staggered delays", scn_swarm, 1},
};

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
