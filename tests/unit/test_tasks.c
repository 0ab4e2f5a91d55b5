/*
** test_tasks.c -- futures, tasks, cancellation and the combinators, on the
** virtual clock. Scenario-sized programs live in runtime/scenarios and are
** checked against CPython by tests/scripts/parity.py; these tests pin down the
** individual rules, each on its own.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capture.h"
#include "coroscope.h"
#include "internal.h"

static capture cap;
static co_loop *L;
static void setup(void) { L = cap_loop(&cap); }
static void teardown(void)
{
    cr_expect(eq(int, co_loop_close(L), CO_OK), "the loop closes: no task left pending");
    free(cap.ev);
}
TestSuite(tasks, .init = setup, .fini = teardown);

static co_exc *run(co_fn main, co_value *out)
{
    co_status st;
    co_exc *e = co_run(L, co_coro_make(main, "main", 0, NULL), out, &st);
    cr_assert(eq(int, st, CO_OK), "co_run status %s", co_status_name(st));
    return e;
}

/* --- futures ---------------------------------------------------------------- */

static int cb_calls[8], ncb;
static void cb(co_future *f, void *arg) { (void)f; cb_calls[ncb++] = (int)(intptr_t)arg; }

Test(tasks, done_callbacks_are_scheduled_in_registration_order_never_run_inline)
{
    co_future *f = co_future_new(L);
    co_future_add_done_callback(f, cb, (void *)1, "one");
    co_future_add_done_callback(f, cb, (void *)2, "two");
    co_future_add_done_callback(f, cb, (void *)3, "three");
    cr_expect(eq(sz, co_future_remove_done_callback(f, cb, (void *)2), 1));
    cr_assert(co_future_set_result(f, co_int(7)) == NULL);
    cr_expect(eq(int, ncb, 0), "set_result runs nothing itself");
    co_loop_run_once(L);
    cr_assert(eq(int, ncb, 2));
    cr_expect(eq(int, cb_calls[0], 1));
    cr_expect(eq(int, cb_calls[1], 3));
    co_value v;
    cr_expect(co_future_result(f, &v) == NULL);
    cr_expect(eq(i64, v.u.i, 7));
}

Test(tasks, future_misuse_raises_invalid_state_error)
{
    co_future *f = co_future_new(L);
    co_exc *e = co_future_result(f, NULL);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "InvalidStateError"));
    cr_assert(co_future_set_result(f, co_none()) == NULL);
    e = co_future_set_result(f, co_none());
    cr_assert(e != NULL, "a second set_result fails");
    cr_expect(eq(str, (char *)e->type, "InvalidStateError"));
    cr_expect(eq(int, co_future_cancel(f, NULL), 0), "cancel() of a done future returns False");
}

/* --- tasks ------------------------------------------------------------------- */

static int child_ran;
static co_exc *child(const co_value *args, co_value *result)
{
    (void)args;
    child_ran = 1;
    *result = co_str("child");
    return NULL;
}

static co_exc *spawner(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(CO_CORO0(child), NULL);
    cr_expect(eq(int, child_ran, 0), "a new task does not run before its creator yields");
    cr_expect(eq(str, (char *)co_task_name(t), "Task-2"));
    TRY(co_sleep(0));
    cr_expect(eq(int, child_ran, 1), "it ran during the creator's yield");
    return NULL;
}

Test(tasks, create_task_runs_the_child_only_after_the_creator_yields)
{
    cr_expect(run(spawner, NULL) == NULL);
}

static co_exc *await_done_future(const co_value *args, co_value *result)
{
    (void)args;
    co_future *f = co_future_new(co_running_loop());
    co_future_set_result(f, co_int(5));
    unsigned long long steps = co_loop_get_stats(co_running_loop()).steps;
    TRY(co_await(f, result));
    cr_expect(eq(u64, co_loop_get_stats(co_running_loop()).steps, steps), "no new step: it did not suspend");
    return NULL;
}

Test(tasks, awaiting_a_done_future_does_not_suspend)
{
    co_value v;
    cr_expect(run(await_done_future, &v) == NULL);
    cr_expect(eq(i64, v.u.i, 5));
}

static co_exc *sleeper(const co_value *args, co_value *result)
{
    (void)result;
    co_exc *e = co_sleep(args[0].u.f);
    if (e)
        co_print("%s(%s) at %g", e->type, e->msg, co_loop_time(co_running_loop()));
    return e;
}

static co_exc *canceller(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(CO_CORO(sleeper, co_float(10)), "sleeper");
    TRY(co_sleep(1));
    cr_expect(co_task_cancel(t, "enough"));
    cr_expect(eq(int, co_task_cancelling(t), 1));
    co_exc *e = co_await(co_task_future(t), NULL);
    cr_assert(e != NULL);
    cr_expect(co_exc_is_cancel(e));
    cr_expect(eq(str, (char *)e->msg, "enough"), "the message travels with the CancelledError");
    cr_expect(co_future_cancelled(co_task_future(t)));
    cr_expect(eq(int, co_task_cancel(t, NULL), 0), "cancel() of a finished task returns False");
    return NULL;
}

Test(tasks, cancel_delivers_cancelled_error_at_the_await_point)
{
    cr_expect(run(canceller, NULL) == NULL);
    cr_expect(eq(str, (char *)cap_print(&cap, 0), "CancelledError(enough) at 1"));
}

static co_exc *cancel_before_start(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    child_ran = 0;
    co_task *t = co_create_task(CO_CORO0(child), NULL);
    co_task_cancel(t, NULL);
    co_exc *e = co_await(co_task_future(t), NULL);
    cr_expect(co_exc_is_cancel(e));
    cr_expect(eq(int, child_ran, 0), "a task cancelled before its first step never runs its body");
    return NULL;
}

Test(tasks, a_task_cancelled_before_it_starts_never_runs)
{
    cr_expect(run(cancel_before_start, NULL) == NULL);
}

static co_exc *swallower(const co_value *args, co_value *result)
{
    (void)args;
    co_exc *e = co_sleep(5);
    cr_expect(co_exc_is_cancel(e));
    cr_expect(eq(int, co_task_uncancel(co_current_task()), 0));
    TRY(co_sleep(1));
    *result = co_str("survived");
    return NULL;
}

static co_exc *cancel_swallower(const co_value *args, co_value *result)
{
    (void)args;
    co_task *t = co_create_task(CO_CORO0(swallower), NULL);
    TRY(co_sleep(1));
    co_task_cancel(t, NULL);
    TRY(co_await(co_task_future(t), result));
    cr_expect(eq(int, co_future_cancelled(co_task_future(t)), 0));
    return NULL;
}

Test(tasks, a_task_that_swallows_cancellation_finishes_normally)
{
    co_value v;
    cr_expect(run(cancel_swallower, &v) == NULL);
    cr_expect(eq(str, (char *)v.u.s, "survived"));
    cr_expect(eq(dbl, co_loop_time(L), 2.0));
}

static co_exc *raiser(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return co_exc_new("KeyError", "missing");
}

static co_exc *forget_failure(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_create_task(CO_CORO0(raiser), "forgotten");
    return co_sleep(1);
}

Test(tasks, an_exception_never_retrieved_is_warned_about)
{
    cr_expect(run(forget_failure, NULL) == NULL);
    const cap_event *w = cap_find_warn(&cap, "never_retrieved");
    cr_assert(w != NULL);
    cr_expect(strstr(w->text, "KeyError('missing')") != NULL, "%s", w->text);
}

static co_exc *outlive(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_create_task(CO_CORO(sleeper, co_float(100)), "straggler");
    return co_sleep(1);
}

Test(tasks, co_run_cancels_the_tasks_main_leaves_behind)
{
    cr_expect(run(outlive, NULL) == NULL);
    cr_expect(eq(str, (char *)cap_print(&cap, 0), "CancelledError() at 1"));
    cr_expect(eq(dbl, co_loop_time(L), 1.0));
}

/* --- combinators ------------------------------------------------------------------- */

static co_exc *job(const co_value *args, co_value *result)
{
    TRY(co_sleep(args[1].u.f));
    *result = args[0];
    return NULL;
}
static co_exc *boom(const co_value *args, co_value *result)
{
    (void)result;
    TRY(co_sleep(args[0].u.f));
    return co_exc_new("ValueError", "boom");
}
#define JOB(n, d) CO_CORO(job, co_str(n), co_float(d))

static co_exc *gather_three(const co_value *args, co_value *result)
{
    co_aw aws[] = {co_aw_coro(JOB("a", 3)), co_aw_coro(CO_CORO(boom, co_float(1))), co_aw_coro(JOB("c", 2))};
    return co_await(co_gather(aws, 3, args[0].u.b), result);
}

Test(tasks, gather_returns_results_in_argument_order_with_exceptions_as_values)
{
    co_value v;
    co_exc *e = co_run(L, CO_CORO(gather_three, co_bool(true)), &v, NULL);
    cr_assert(e == NULL);
    cr_assert(eq(int, v.kind, CO_V_LIST));
    cr_expect(eq(str, (char *)co_repr(v), "['a', ValueError('boom'), 'c']"));
    cr_expect(eq(dbl, co_loop_time(L), 3.0));
}

Test(tasks, gather_without_return_exceptions_raises_the_first_failure_at_once)
{
    co_exc *e = co_run(L, CO_CORO(gather_three, co_bool(false)), NULL, NULL);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "ValueError"));
    cr_expect(eq(dbl, co_loop_time(L), 1.0), "main ended at 1 s; the others were cancelled by co_run");
}

static co_exc *wait_first(const co_value *args, co_value *result)
{
    (void)args;
    co_future *fs[2] = {co_task_future(co_create_task(JOB("slow", 5), NULL)),
                        co_task_future(co_create_task(JOB("fast", 1), NULL))};
    co_future *done[2], *pending[2];
    size_t nd, np;
    TRY(co_wait(fs, 2, CO_NO_TIMEOUT, CO_FIRST_COMPLETED, done, &nd, pending, &np));
    cr_expect(eq(sz, nd, 1));
    cr_expect(eq(sz, np, 1));
    cr_expect(done[0] == fs[1]);
    cr_expect(eq(int, co_future_cancelled(fs[0]), 0), "wait never cancels");
    *result = co_float(co_loop_time(co_running_loop()));
    co_exc *e = co_wait(fs, 0, CO_NO_TIMEOUT, CO_ALL_COMPLETED, done, &nd, pending, &np);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "ValueError"), "an empty wait is a ValueError");
    return co_await(fs[0], NULL);
}

Test(tasks, wait_first_completed_returns_after_the_first_and_cancels_nothing)
{
    co_value v;
    cr_expect(run(wait_first, &v) == NULL);
    cr_expect(eq(dbl, co_loop_time(L), 5.0));
}

static co_exc *completion_order(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_future *fs[3] = {co_task_future(co_create_task(JOB("a", 3), NULL)),
                        co_task_future(co_create_task(JOB("b", 1), NULL)),
                        co_task_future(co_create_task(JOB("c", 5), NULL))};
    co_as_completed *ac = co_as_completed_new(fs, 3, 4);
    cr_assert(eq(sz, co_as_completed_count(ac), 3));
    co_value v;
    TRY(co_as_completed_next(ac, &v));
    cr_expect(eq(str, (char *)v.u.s, "b"));
    TRY(co_as_completed_next(ac, &v));
    cr_expect(eq(str, (char *)v.u.s, "a"));
    co_exc *e = co_as_completed_next(ac, &v);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "TimeoutError"));
    cr_expect(eq(dbl, co_loop_time(co_running_loop()), 4.0));
    return NULL;
}

Test(tasks, as_completed_yields_in_completion_order_until_its_timeout)
{
    cr_expect(run(completion_order, NULL) == NULL);
}

/* --- stacks --------------------------------------------------------------------- */

static co_exc *yield_twice(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    TRY(co_sleep(0));
    return co_sleep(0);
}

static co_exc *many(const co_value *args, co_value *result)
{
    (void)result;
    long n = (long)args[0].u.i;
    co_aw *aws = malloc((size_t)n * sizeof *aws);
    for (long i = 0; i < n; i++)
        aws[i] = co_aw_coro(CO_CORO0(yield_twice));
    co_future *g = co_gather(aws, (size_t)n, false);
    free(aws);
    co_loop_stats s = co_loop_get_stats(co_running_loop());
    cr_expect(eq(u64, s.tasks, (unsigned long long)n + 1));
    return co_await(g, NULL);
}

Test(tasks, fifty_thousand_suspended_tasks_fit_past_the_per_mmap_limit)
{
    /* One mmap per task would need 100k memory areas: beyond vm.max_map_count. */
    cr_expect(co_run(L, CO_CORO(many, co_int(50000)), NULL, NULL) == NULL);
    co_loop_stats s = co_loop_get_stats(L);
    cr_expect(eq(sz, s.stacks_in_use, 0), "every stack went back to the pool");
}

static co_exc *serial(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    for (int i = 0; i < 1000; i++) {
        co_task *t = co_create_task(CO_CORO0(yield_twice), NULL);
        TRY(co_await(co_task_future(t), NULL));
    }
    return NULL;
}

Test(tasks, finished_tasks_stacks_are_reused)
{
    cr_expect(run(serial, NULL) == NULL);
    cr_expect(le(sz, co_loop_get_stats(L).stacks_total, 128), "1000 tasks one after another need few stacks");
}

static co_exc *naming(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_create_task(CO_CORO0(child), "named");
    cr_expect(eq(str, (char *)co_task_name(co_create_task(CO_CORO0(child), NULL)), "Task-3"),
              "asyncio.create_task(name=...) used up Task-2, as in CPython 3.11");
    co_loop_create_task(co_running_loop(), CO_CORO0(child), "x");
    cr_expect(eq(str, (char *)co_task_name(co_create_task(CO_CORO0(child), NULL)), "Task-4"),
              "loop.create_task(name=...) did not use a number");
    return co_sleep(0);
}

Test(tasks, task_numbers_are_used_up_as_cpython_3_11_uses_them)
{
    cr_expect(run(naming, NULL) == NULL);
}

/* Task-N is formatted digit by digit (task.c): every number across the
** digit-count boundaries reads as Python's f'Task-{n}' does. */
static co_exc *many_names(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    for (unsigned long long n = 2; n <= 1001; n++) {   /* main is Task-1 */
        char want[32];
        snprintf(want, sizeof want, "Task-%llu", n);
        co_task *t = co_create_task(CO_CORO0(child), NULL);
        cr_assert(eq(str, (char *)co_task_name(t), want));
    }
    return co_sleep(0);
}

Test(tasks, numbered_names_read_as_python_formats_them_across_digit_counts)
{
    cr_expect(run(many_names, NULL) == NULL);
}

/* The run phase looks ahead in the ready queue (loop.c, prefetch_ahead):
** a queue longer than its reach that mixes task steps not yet started, steps
** of suspended tasks, callbacks and a cancelled callback still runs exactly
** in FIFO order, the cancelled one skipped: CPython 3.11 logs the same
** "AxBCmABCABC" for this program written with asyncio. */
static char order_log[32];
static size_t order_n;
static void log_char(char c)
{
    if (order_n + 1 < sizeof order_log)
        order_log[order_n++] = c;
}
static co_exc *logging_yielder(const co_value *args, co_value *result)
{
    (void)result;
    for (int i = 0; i < 3; i++) {
        log_char((char)args[0].u.i);
        if (i < 2)
            TRY(co_sleep(0));
    }
    return NULL;
}
static void log_callback(void *arg) { log_char((char)(intptr_t)arg); }

static co_exc *mixed_queue(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *loop = co_running_loop();
    co_task *a = co_create_task(CO_CORO(logging_yielder, co_int('A')), NULL);
    cr_assert(eq(int, co_call_soon(loop, log_callback, (void *)(intptr_t)'x', "x"), CO_OK));
    co_task *b = co_create_task(CO_CORO(logging_yielder, co_int('B')), NULL);
    co_handle *y = co_call_soon_handle(loop, log_callback, (void *)(intptr_t)'y', "y");
    co_handle_cancel(y);
    co_handle_release(y);
    co_task *c = co_create_task(CO_CORO(logging_yielder, co_int('C')), NULL);
    TRY(co_sleep(0));
    log_char('m');
    TRY(co_await(co_task_future(a), NULL));
    TRY(co_await(co_task_future(b), NULL));
    return co_await(co_task_future(c), NULL);
}

Test(tasks, a_long_mixed_ready_queue_runs_in_fifo_order)
{
    cr_expect(run(mixed_queue, NULL) == NULL);
    cr_expect(eq(str, order_log, "AxBCmABCABC"));
}
