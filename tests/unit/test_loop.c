/*
** test_loop.c -- the event loop: heapq-exact timers, iteration snapshots,
** clocks, deadlock reports, close. Each test ends with the loop closed and
** every allocation returned (the counting allocator below checks).
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "capture.h"
#include "coroscope.h"
#include "heap.h"
#include "internal.h"

#include "counting_alloc.h"
static void setup(void)
{
    counting_alloc_on();
}
static void no_leaks(void) { cr_expect(eq(long, live_allocs, 0), "allocations still live at the end"); }
TestSuite(loop, .init = setup, .fini = no_leaks);

/* --- the heap ------------------------------------------------------------- */

typedef struct item { double when; int id; } item;
static const double whens[] = {2, 1, 2, 1, 2, 1, 2, 2, 1, 3, 1, 2, 2, 1};
#define NW (sizeof whens / sizeof whens[0])

Test(loop, timer_ties_pop_in_heapq_order)
{
    /* Reference from CPython: heappush each, then heappop all (ids). */
    static const int expect[NW] = {1, 5, 13, 3, 10, 8, 6, 12, 11, 2, 7, 4, 0, 9};
    co_heap h = {0};
    item items[NW];
    for (size_t i = 0; i < NW; i++) {
        items[i] = (item){whens[i], (int)i};
        cr_assert(co__heap_push(&h, &items[i]));
    }
    for (size_t i = 0; i < NW; i++)
        cr_expect(eq(int, ((item *)co__heap_pop(&h))->id, expect[i]), "pop #%zu", i);
    co__heap_free(&h);
}

Test(loop, heapify_matches_heapq_heapify)
{
    static const int expect[NW] = {13, 5, 10, 1, 8, 3, 6, 2, 0, 12, 7, 4, 11, 9};
    item items[NW];
    void *ptrs[NW];
    for (size_t i = 0; i < NW; i++) {
        items[i] = (item){whens[i], (int)i};
        ptrs[i] = &items[i];
    }
    co_heap h = {ptrs, NW, NW};
    co__heap_heapify(&h);
    for (size_t i = 0; i < NW; i++)
        cr_expect(eq(int, ((item *)co__heap_pop(&h))->id, expect[i]), "pop #%zu", i);
}

/* --- callbacks and timers --------------------------------------------------- */

static int order[64], norder;
static co_loop *the_loop;
static void note(void *arg) { order[norder++] = (int)(intptr_t)arg; }
static void note_and_schedule(void *arg)
{
    note(arg);
    co_call_soon(the_loop, note, (void *)(intptr_t)99, "late");
}

Test(loop, callbacks_scheduled_while_running_wait_for_the_next_iteration)
{
    co_loop *L = the_loop = co_loop_new(NULL);
    co_call_soon(L, note_and_schedule, (void *)1, "a");
    co_call_soon(L, note, (void *)2, "b");
    cr_assert(eq(int, co_loop_run_once(L), CO_OK));
    cr_expect(eq(int, norder, 2));
    cr_expect(eq(int, order[0], 1));
    cr_expect(eq(int, order[1], 2));
    co_loop_run_once(L);
    cr_expect(eq(int, norder, 3));
    cr_expect(eq(int, order[2], 99));
    cr_assert(eq(int, co_loop_close(L), CO_OK));
}

Test(loop, timers_with_equal_deadlines_fire_in_heap_order_not_insertion_order)
{
    static const int expect[NW] = {1, 5, 13, 3, 10, 8, 6, 12, 11, 2, 7, 4, 0, 9};
    co_loop *L = co_loop_new(NULL);
    for (size_t i = 0; i < NW; i++)
        co_handle_release(co_call_at(L, whens[i], note, (void *)(intptr_t)i, "t"));
    while (norder < (int)NW)
        cr_assert(eq(int, co_loop_run_once(L), CO_OK));
    for (size_t i = 0; i < NW; i++)
        cr_expect(eq(int, order[i], expect[i]), "timer #%zu", i);
    cr_assert(eq(int, co_loop_close(L), CO_OK));
}

static double fired_at;
static void remember_time(void *arg) { fired_at = co_loop_time(arg); }
static void schedule_second(void *arg) { co_handle_release(co_call_later(arg, 0.2, remember_time, arg, "second")); }

Test(loop, time_is_computed_as_python_adds_floats)
{
    co_loop *L = co_loop_new(NULL);
    co_handle_release(co_call_later(L, 0.1, schedule_second, L, "first"));
    while (fired_at == 0)
        co_loop_run_once(L);
    cr_expect(eq(dbl, fired_at, 0.1 + 0.2), "0.1 + 0.2 is 0.30000000000000004 in Python too");
    cr_assert(eq(int, co_loop_close(L), CO_OK));
}

Test(loop, cancelled_timers_do_not_run_and_many_are_swept_at_once)
{
    co_loop *L = co_loop_new(NULL);
    co_handle *hs[150];
    for (int i = 0; i < 150; i++)
        hs[i] = co_call_later(L, 10 + i, note, (void *)(intptr_t)i, "t");
    for (int i = 0; i < 100; i++)
        co_handle_cancel(hs[i]);
    for (int i = 0; i < 150; i++)
        co_handle_release(hs[i]);
    cr_expect(eq(sz, L->timers.n, 150), "cancelled timers stay in the heap");
    co_loop_run_once(L);   /* > 100 scheduled, > 50% cancelled: rebuilt */
    cr_expect(eq(sz, L->timers.n, 49), "the sweep leaves the 50 live ones, one has fired");
    cr_expect(eq(int, norder, 1));
    cr_expect(eq(int, order[0], 100));
    cr_assert(eq(int, co_loop_close(L), CO_OK));
}

Test(loop, idle_loop_jumps_the_virtual_clock_to_the_next_timer)
{
    capture c = {0};
    co_loop *L = cap_loop(&c);
    co_handle_release(co_call_later(L, 5, note, (void *)1, "t"));
    co_loop_run_once(L);
    cr_expect(eq(dbl, co_loop_time(L), 5.0));
    cr_expect(eq(sz, cap_count(&c, CO_EV_IDLE), 1));
    cr_expect(eq(int, norder, 1));
    cr_assert(eq(int, co_loop_close(L), CO_OK));
    free(c.ev);
}

/* --- deadlock, close ---------------------------------------------------------- */

static co_exc *wait_forever(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_future *f = co_future_new(co_running_loop());
    return co_await(f, NULL);
}

Test(loop, a_loop_that_can_never_wake_reports_a_deadlock_naming_the_waiters)
{
    capture c = {0};
    co_loop *L = cap_loop(&c);
    co_status st;
    co_exc *e = co_run(L, CO_CORO0(wait_forever), NULL, &st);
    cr_expect(eq(int, st, CO_EDEADLOCK));
    cr_expect(e != NULL);
    const cap_event *w = cap_find_warn(&c, "deadlock");
    cr_assert(w != NULL, "a deadlock warning is recorded");
    cr_expect(strstr(w->text, "Task-") != NULL, "it names the task: %s", w->text);
    cr_expect(eq(int, co_loop_close(L), CO_EBUSY), "close refuses while a task is pending");
    cr_expect(cap_find_warn(&c, "pending_at_close") != NULL);
    co_loop_destroy(L);
    free(c.ev);
}

Test(loop, run_until_complete_refuses_to_nest)
{
    co_loop *L = co_loop_new(NULL);
    co_future *f = co_future_new(L);
    L->running = true;   /* as if called from inside a callback */
    cr_expect(eq(int, co_loop_run_until_complete(L, f), CO_ERUNNING));
    L->running = false;
    co_future_set_result(f, co_none());
    cr_expect(eq(int, co_loop_run_until_complete(L, f), CO_OK));
    cr_assert(eq(int, co_loop_close(L), CO_OK));
}

static void stop_it(void *arg) { co_loop_stop(arg); }

Test(loop, run_forever_ends_in_the_iteration_that_calls_stop)
{
    co_loop *L = co_loop_new(NULL);
    co_call_soon(L, note, (void *)1, "a");
    co_call_soon(L, stop_it, L, "stop");
    co_call_soon(L, note, (void *)2, "b");
    cr_assert(eq(int, co_loop_run_forever(L), CO_OK));
    cr_expect(eq(int, norder, 2), "the whole iteration ran");
    co_call_soon(L, stop_it, L, "stop");
    co_loop_run_forever(L);
    cr_assert(eq(int, co_loop_close(L), CO_OK));
}

static co_exc *nap(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return co_sleep(0.05);
}

Test(loop, the_real_clock_really_sleeps)
{
    co_loop_config cfg = {.clock = CO_CLOCK_REAL};
    co_loop *L = co_loop_new(&cfg);
    cr_assert(L != NULL);
    double t0 = co_loop_time(L);
    co_exc *e = co_run(L, CO_CORO0(nap), NULL, NULL);
    cr_expect(e == NULL);
    cr_expect(co_loop_time(L) - t0 >= 0.05, "slept %g s", co_loop_time(L) - t0);
    cr_assert(eq(int, co_loop_close(L), CO_OK));
}
