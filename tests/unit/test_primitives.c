/*
** test_primitives.c -- Lock, Semaphore, Event, Condition, Queue, wait_for,
** shield, TaskGroup and timeout(), each rule on its own, on the virtual clock.
** The scenario-sized programs (runtime/scenarios/more.c, primitives.c) are
** checked against CPython by tests/scripts/parity.py; these tests pin down the
** outcomes. Every test ends with the loop closed and every allocation returned.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>

#include "capture.h"
#include "coroscope.h"

/* --- fixture: a counting allocator, a recording loop ------------------------- */

#include "counting_alloc.h"

/* The v2 events with their op and count, besides capture.h's list. */
typedef struct op_event {
    co_trace_event_kind ev;
    char kind[16], op[16];
    int count;
    uint64_t obj;
} op_event;
static op_event ops[512];
static size_t nops;
static capture cap;
static co_loop *L;

static void record(void *ud, const co_trace_event *e)
{
    cap_event_fn(ud, e);
    if ((e->ev == CO_EV_SYNC || e->ev == CO_EV_TIMEOUT || e->ev == CO_EV_GROUP) && nops < 512) {
        op_event *o = &ops[nops++];
        o->ev = e->ev;
        snprintf(o->kind, sizeof o->kind, "%s", e->ev == CO_EV_SYNC ? e->kind : "");
        snprintf(o->op, sizeof o->op, "%s", e->op);
        o->count = e->count;
        o->obj = e->obj;
    }
}

static void setup(void)
{
    counting_alloc_on();
    co_loop_config cfg = {.tracer = {record, &cap}};
    L = co_loop_new(&cfg);
    cr_assert(L != NULL);
}

static void teardown(void)
{
    cr_expect(eq(int, co_loop_close(L), CO_OK), "the loop closes: no task left pending");
    cr_expect(eq(long, live_allocs, 0), "every allocation returned");
    free(cap.ev);
}

TestSuite(lock, .init = setup, .fini = teardown);
TestSuite(semaphore, .init = setup, .fini = teardown);
TestSuite(event, .init = setup, .fini = teardown);
TestSuite(condition, .init = setup, .fini = teardown);
TestSuite(queue, .init = setup, .fini = teardown);
TestSuite(wait_for, .init = setup, .fini = teardown);
TestSuite(shield, .init = setup, .fini = teardown);
TestSuite(taskgroup, .init = setup, .fini = teardown);
TestSuite(timeout, .init = setup, .fini = teardown);

static co_exc *run(co_fn main)
{
    co_status st;
    co_exc *e = co_run(L, co_coro_make(main, "main", 0, NULL), NULL, &st);
    cr_assert(eq(int, st, CO_OK), "co_run status %s", co_status_name(st));
    return e;
}

static double now(void) { return co_loop_time(co_running_loop()); }
#define TASKF(t) co_task_future(t)

/* What the tasks of a test did, in order. */
static int order[64], norder;

/* --- Lock ------------------------------------------------------------------- */

static co_exc *hold_lock(const co_value *args, co_value *result)
{
    (void)result;
    co_lock *lock = args[0].u.p;
    TRY(co_lock_acquire(lock));
    order[norder++] = (int)args[1].u.i;
    co_exc *e = co_sleep(1);
    co_lock_release(lock);
    return e;
}

static co_exc *lock_fifo_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_lock *lock = co_lock_new(co_running_loop());
    co_aw tasks[4];
    for (int i = 0; i < 4; i++)
        tasks[i] = co_aw_coro(CO_CORO(hold_lock, co_ptr(lock), co_int(i)));
    TRY(co_await(co_gather(tasks, 4, false), NULL));
    cr_expect(eq(dbl, now(), 4.0), "one holder at a time: 4 x 1 s");
    cr_expect(not(co_lock_locked(lock)));
    return NULL;
}

Test(lock, waiters_acquire_in_arrival_order)
{
    cr_assert(run(lock_fifo_main) == NULL);
    cr_assert(eq(int, norder, 4));
    for (int i = 0; i < 4; i++)
        cr_expect(eq(int, order[i], i), "holder #%d", i);
}

Test(lock, release_of_unlocked_lock_raises_runtime_error)
{
    co_lock *lock = co_lock_new(L);
    co_exc *e = co_lock_release(lock);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "RuntimeError"));
    cr_expect(eq(str, (char *)e->msg, "Lock is not acquired."));
}

static co_exc *wait_then_note(const co_value *args, co_value *result)
{
    (void)result;
    co_lock *lock = args[0].u.p;
    co_exc *e = co_lock_acquire(lock);
    if (e)
        return e;
    order[norder++] = (int)args[1].u.i;
    co_lock_release(lock);
    return NULL;
}

static co_exc *lock_handoff_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_lock *lock = co_lock_new(co_running_loop());
    TRY(co_lock_acquire(lock));
    co_task *b = co_create_task(CO_CORO(wait_then_note, co_ptr(lock), co_int(1)), NULL);
    co_task *c = co_create_task(CO_CORO(wait_then_note, co_ptr(lock), co_int(2)), NULL);
    TRY(co_sleep(0));                        /* both queue up */
    co_lock_release(lock);                   /* wakes b ... */
    co_task_cancel(b, NULL);                 /* ... which is cancelled before it runs */
    cr_expect(not(co_lock_locked(lock)));
    co_exc *e = co_await(TASKF(b), NULL);
    cr_expect(co_exc_is_cancel(e), "b ends cancelled");
    TRY(co_await(TASKF(c), NULL));
    return NULL;
}

Test(lock, a_woken_waiter_cancelled_before_it_runs_passes_the_lock_on)
{
    cr_assert(run(lock_handoff_main) == NULL);
    cr_assert(eq(int, norder, 1));
    cr_expect(eq(int, order[0], 2), "c got the lock b was woken for");
}

/* --- Semaphore -------------------------------------------------------------------- */

static int inside, max_inside;

static co_exc *limited(const co_value *args, co_value *result)
{
    (void)result;
    co_semaphore *sem = args[0].u.p;
    TRY(co_semaphore_acquire(sem));
    if (++inside > max_inside)
        max_inside = inside;
    co_exc *e = co_sleep(1 + (double)(args[1].u.i % 3));
    inside--;
    co_semaphore_release(sem);
    return e;
}

static co_exc *semaphore_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_semaphore *sem = co_semaphore_new(co_running_loop(), 3);
    co_aw tasks[10];
    for (int i = 0; i < 10; i++)
        tasks[i] = co_aw_coro(CO_CORO(limited, co_ptr(sem), co_int(i)));
    TRY(co_await(co_gather(tasks, 10, false), NULL));
    cr_expect(eq(int, co_semaphore_value(sem), 3), "every unit came back");
    return NULL;
}

Test(semaphore, limits_concurrency_to_its_initial_value)
{
    cr_assert(run(semaphore_main) == NULL);
    cr_expect(eq(int, max_inside, 3));
    cr_expect(eq(int, inside, 0));
}

Test(semaphore, bounded_semaphore_over_release_raises_value_error)
{
    co_semaphore *sem = co_bounded_semaphore_new(L, 2);
    co_exc *e = co_semaphore_release(sem);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "ValueError"));
    cr_expect(eq(str, (char *)e->msg, "BoundedSemaphore released too many times"));
    cr_expect(eq(int, co_semaphore_value(sem), 2), "the value did not rise");
    cr_expect(co_semaphore_release(co_semaphore_new(L, 2)) == NULL, "a plain semaphore may rise");
}

Test(semaphore, a_negative_initial_value_is_refused)
{
    cr_expect(co_semaphore_new(L, -1) == NULL);
    cr_expect(co_bounded_semaphore_new(L, -1) == NULL);
}

/* --- Event -------------------------------------------------------------------------- */

static co_exc *wait_event(const co_value *args, co_value *result)
{
    (void)result;
    TRY(co_event_wait(args[0].u.p));
    order[norder++] = (int)args[1].u.i;
    return NULL;
}

static co_exc *event_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_event *ev = co_event_new(co_running_loop());
    co_aw tasks[3];
    for (int i = 0; i < 3; i++)
        tasks[i] = co_aw_fut(TASKF(co_create_task(CO_CORO(wait_event, co_ptr(ev), co_int(i)), NULL)));
    TRY(co_sleep(1));
    cr_expect(eq(int, norder, 0), "nobody passes an unset event");
    co_event_set(ev);
    TRY(co_await(co_gather(tasks, 3, false), NULL));
    cr_expect(eq(dbl, now(), 1.0));
    TRY(co_event_wait(ev));                  /* set: returns at once */
    co_event_clear(ev);
    cr_expect(not(co_event_is_set(ev)));
    return NULL;
}

Test(event, set_releases_every_waiter_in_arrival_order)
{
    cr_assert(run(event_main) == NULL);
    cr_assert(eq(int, norder, 3));
    for (int i = 0; i < 3; i++)
        cr_expect(eq(int, order[i], i));
}

/* --- Condition ------------------------------------------------------------------------- */

static co_exc *cond_unlocked_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_condition *c = co_condition_new(co_running_loop(), NULL);
    co_exc *e = co_condition_wait(c);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->msg, "cannot wait on un-acquired lock"));
    e = co_condition_notify(c, 1);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->msg, "cannot notify on un-acquired lock"));
    return NULL;
}

Test(condition, waiting_or_notifying_without_the_lock_raises_runtime_error)
{
    cr_assert(run(cond_unlocked_main) == NULL);
}

static co_exc *cond_waiter(const co_value *args, co_value *result)
{
    (void)result;
    co_condition *c = args[0].u.p;
    TRY(co_condition_acquire(c));
    co_exc *e = co_condition_wait(c);
    if (!e) {
        cr_expect(co_condition_locked(c), "wait returns with the lock held");
        order[norder++] = (int)args[1].u.i;
    }
    co_condition_release(c);
    return e;
}

static co_exc *cond_notify_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_condition *c = co_condition_new(co_running_loop(), NULL);
    co_aw tasks[3];
    for (int i = 0; i < 3; i++)
        tasks[i] = co_aw_fut(TASKF(co_create_task(CO_CORO(cond_waiter, co_ptr(c), co_int(i)), NULL)));
    TRY(co_sleep(1));
    TRY(co_condition_acquire(c));
    co_condition_notify(c, 1);
    co_condition_release(c);
    TRY(co_sleep(1));
    cr_expect(eq(int, norder, 1), "notify(1) wakes one");
    TRY(co_condition_acquire(c));
    co_condition_notify_all(c);
    co_condition_release(c);
    TRY(co_await(co_gather(tasks, 3, false), NULL));
    return NULL;
}

Test(condition, notify_wakes_one_waiter_and_notify_all_the_rest)
{
    cr_assert(run(cond_notify_main) == NULL);
    cr_assert(eq(int, norder, 3));
    for (int i = 0; i < 3; i++)
        cr_expect(eq(int, order[i], i));
}

/* --- Queue ------------------------------------------------------------------------------- */

Test(queue, put_nowait_on_a_full_queue_raises_queue_full)
{
    co_queue *q = co_queue_new(L, 1);
    cr_assert(co_queue_put_nowait(q, co_int(1)) == NULL);
    co_exc *e = co_queue_put_nowait(q, co_int(2));
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "QueueFull"));
    cr_expect(eq(sz, co_queue_qsize(q), 1));
}

Test(queue, get_nowait_on_an_empty_queue_raises_queue_empty)
{
    co_queue *q = co_queue_new(L, 0);
    co_value v;
    co_exc *e = co_queue_get_nowait(q, &v);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "QueueEmpty"));
}

Test(queue, operations_are_recorded_as_sync_events_with_the_size_after)
{
    co_queue *q = co_queue_new(L, 0);
    co_queue_put_nowait(q, co_int(1));
    co_queue_put_nowait(q, co_int(2));
    co_queue_get_nowait(q, NULL);
    co_queue_task_done(q);
    static const char *const want_op[] = {"put", "put", "get", "task_done"};
    static const int want_count[] = {1, 2, 1, 1};
    cr_assert(eq(sz, nops, 4));
    for (int i = 0; i < 4; i++) {
        cr_expect(eq(str, ops[i].kind, "queue"));
        cr_expect(eq(str, ops[i].op, (char *)want_op[i]));
        cr_expect(eq(int, ops[i].count, want_count[i]), "event %d", i);
    }
}

/* --- wait_for ------------------------------------------------------------------------------ */

static co_task *inner_task;

static co_exc *sleeper(const co_value *args, co_value *result)
{
    inner_task = co_current_task();
    TRY(co_sleep(args[0].u.f));
    *result = co_str("done");
    return NULL;
}

static co_exc *wait_for_timeout_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_exc *e = co_wait_for(co_aw_coro(CO_CORO(sleeper, co_float(5))), 2, NULL);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "TimeoutError"));
    cr_expect(e->cause && co_exc_is_cancel(e->cause), "raised from the inner CancelledError");
    cr_expect(eq(dbl, now(), 2.0));
    cr_assert(inner_task != NULL);
    cr_expect(co_future_cancelled(TASKF(inner_task)), "the inner task ended cancelled before wait_for returned");
    return NULL;
}

Test(wait_for, timeout_raises_timeout_error_and_the_inner_task_ends_cancelled)
{
    cr_assert(run(wait_for_timeout_main) == NULL);
}

static co_exc *wait_for_ok_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_value v;
    TRY(co_wait_for(co_aw_coro(CO_CORO(sleeper, co_float(1))), 3, &v));
    cr_expect(eq(str, (char *)v.u.s, "done"));
    cr_expect(eq(dbl, now(), 1.0), "returns as soon as the job is done, not at the deadline");
    TRY(co_wait_for(co_aw_coro(CO_CORO(sleeper, co_float(1))), CO_NO_TIMEOUT, &v));
    cr_expect(eq(dbl, now(), 2.0));
    return NULL;
}

Test(wait_for, a_job_in_time_returns_its_result_at_once)
{
    cr_assert(run(wait_for_ok_main) == NULL);
    cr_expect(eq(dbl, co_loop_time(L), 2.0), "no timer was left to wait for");
}

static co_exc *never_runs(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    cr_fail("a coroutine under wait_for(..., 0) must not run");
    return NULL;
}

static co_exc *wait_for_zero_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_exc *e = co_wait_for(co_aw_coro(CO_CORO0(never_runs)), 0, NULL);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "TimeoutError"));
    return NULL;
}

Test(wait_for, timeout_zero_cancels_an_unfinished_coroutine_before_it_runs)
{
    cr_assert(run(wait_for_zero_main) == NULL);
}

static co_exc *wait_for_caller(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return co_wait_for(co_aw_coro(CO_CORO(sleeper, co_float(10))), 5, NULL);
}

static co_exc *wait_for_cancel_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *caller = co_create_task(CO_CORO0(wait_for_caller), NULL);
    TRY(co_sleep(1));
    co_task_cancel(caller, NULL);
    co_exc *e = co_await(TASKF(caller), NULL);
    cr_expect(co_exc_is_cancel(e), "the caller ends cancelled");
    cr_expect(co_future_cancelled(TASKF(inner_task)), "and so does the inner task");
    cr_expect(eq(dbl, now(), 1.0));
    return NULL;
}

Test(wait_for, cancelling_the_caller_cancels_the_inner_task_too)
{
    cr_assert(run(wait_for_cancel_main) == NULL);
}

/* --- shield ------------------------------------------------------------------------------------ */

static co_exc *shield_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(CO_CORO(sleeper, co_float(3)), NULL);
    co_exc *e = co_wait_for(co_aw_fut(co_shield(co_aw_fut(TASKF(t)))), 1, NULL);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "TimeoutError"));
    cr_expect(not(co_future_done(TASKF(t))), "the inner task still runs");
    co_value v;
    TRY(co_await(TASKF(t), &v));
    cr_expect(eq(str, (char *)v.u.s, "done"));
    cr_expect(eq(dbl, now(), 3.0));
    cr_expect(co_shield(co_aw_fut(TASKF(t))) == TASKF(t), "a done inner future is its own shield");
    return NULL;
}

Test(shield, the_inner_task_survives_the_cancellation_of_the_outer_future)
{
    cr_assert(run(shield_main) == NULL);
}

/* --- TaskGroup ----------------------------------------------------------------------------------- */

static co_exc *fail_after(const co_value *args, co_value *result)
{
    (void)result;
    TRY(co_sleep(args[0].u.f));
    return co_exc_new(args[1].u.s, "%s", "boom");
}

static co_exc *two_failures_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_taskgroup *tg = co_taskgroup_enter();
    co_taskgroup_create_task(tg, CO_CORO(fail_after, co_float(1), co_str("ValueError")), NULL, NULL);
    co_taskgroup_create_task(tg, CO_CORO(fail_after, co_float(1), co_str("KeyError")), NULL, NULL);
    co_task *slow = co_taskgroup_create_task(tg, CO_CORO(sleeper, co_float(5)), NULL, NULL);
    co_exc *e = co_taskgroup_exit(tg, NULL);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "ExceptionGroup"));
    cr_expect(eq(str, (char *)e->msg, "unhandled errors in a TaskGroup"));
    cr_assert(eq(sz, e->nmembers, 2));
    cr_expect(eq(str, (char *)e->members[0]->type, "ValueError"));
    cr_expect(eq(str, (char *)e->members[1]->type, "KeyError"));
    cr_expect(co_future_cancelled(TASKF(slow)), "the sibling was cancelled");
    cr_expect(eq(dbl, now(), 1.0));
    return NULL;
}

Test(taskgroup, two_failures_come_out_as_one_exception_group_of_two)
{
    cr_assert(run(two_failures_main) == NULL);
    size_t aborts = 0;
    for (size_t i = 0; i < nops; i++)
        aborts += ops[i].ev == CO_EV_GROUP && !strcmp(ops[i].op, "abort");
    cr_expect(eq(sz, aborts, 1), "the first failure aborts, once");
}

static co_task *children[2];

static co_exc *group_body(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_taskgroup *tg = co_taskgroup_enter();
    children[0] = co_taskgroup_create_task(tg, CO_CORO(sleeper, co_float(1)), "quick", NULL);
    children[1] = co_taskgroup_create_task(tg, CO_CORO(sleeper, co_float(10)), "slow", NULL);
    return co_taskgroup_exit(tg, co_sleep(10));
}

static co_exc *parent_cancel_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *body = co_create_task(CO_CORO0(group_body), NULL);
    TRY(co_sleep(2));
    co_task_cancel(body, NULL);
    co_exc *e = co_await(TASKF(body), NULL);
    cr_expect(co_exc_is_cancel(e), "the block raises CancelledError");
    cr_expect(not(co_future_cancelled(TASKF(children[0]))), "quick had finished");
    cr_expect(co_future_cancelled(TASKF(children[1])), "slow was cancelled");
    cr_expect(eq(dbl, now(), 2.0));
    return NULL;
}

Test(taskgroup, cancelling_the_parent_cancels_the_children_still_running)
{
    cr_assert(run(parent_cancel_main) == NULL);
}

static co_exc *finished_group_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_taskgroup *tg = co_taskgroup_enter();
    co_taskgroup_create_task(tg, CO_CORO(sleeper, co_float(1)), NULL, NULL);
    TRY(co_taskgroup_exit(tg, NULL));
    co_exc *err = NULL;
    cr_expect(co_taskgroup_create_task(tg, CO_CORO(sleeper, co_float(1)), NULL, &err) == NULL);
    cr_assert(err != NULL);
    cr_expect(eq(str, (char *)err->type, "RuntimeError"));
    cr_expect(eq(str, (char *)err->msg, "TaskGroup <TaskGroup entered> is finished"));
    return NULL;
}

Test(taskgroup, create_task_after_the_block_raises_runtime_error)
{
    cr_assert(run(finished_group_main) == NULL);
}

/* --- timeout() ----------------------------------------------------------------------------------- */

static co_exc *reschedule_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_timeout *cm = co_timeout_enter(1);
    cr_expect(eq(dbl, co_timeout_when(cm), 1.0));
    co_exc *e = co_timeout_reschedule(cm, now() + 3);
    cr_assert(e == NULL);
    e = co_sleep(2);
    cr_expect(e == NULL, "the old deadline (1 s) no longer applies");
    if (!e)
        e = co_sleep(5);
    cr_expect(co_exc_is_cancel(e), "the new one (3 s) cancels the body");
    e = co_timeout_exit(cm, e);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "TimeoutError"));
    cr_expect(co_timeout_expired(cm));
    cr_expect(eq(dbl, now(), 3.0));
    cr_expect(eq(int, co_task_cancelling(co_current_task()), 0), "the cancellation was taken back");
    e = co_timeout_reschedule(cm, 10);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->msg, "Cannot change state of expired Timeout"));
    return NULL;
}

Test(timeout, reschedule_moves_the_deadline_and_expiry_raises_timeout_error)
{
    cr_assert(run(reschedule_main) == NULL);
}

static co_exc *in_time_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_timeout *cm = co_timeout_at_enter(now() + 5);
    TRY(co_timeout_exit(cm, co_sleep(1)));
    cr_expect(not(co_timeout_expired(cm)));
    co_timeout *never = co_timeout_enter(NAN);
    TRY(co_timeout_exit(never, co_sleep(1)));
    cr_expect(isnan(co_timeout_when(never)));
    return NULL;
}

Test(timeout, a_block_that_ends_in_time_raises_nothing)
{
    cr_assert(run(in_time_main) == NULL);
    cr_expect(eq(dbl, co_loop_time(L), 2.0), "the cancelled deadline did not keep the loop waiting");
}

static co_exc *victim(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_timeout *cm = co_timeout_enter(1);
    return co_timeout_exit(cm, co_sleep(3));
}

static co_exc *outside_cancel_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(CO_CORO0(victim), NULL);
    TRY(co_sleep(1));                        /* due together with the deadline */
    co_task_cancel(t, NULL);
    co_exc *e = co_await(TASKF(t), NULL);
    cr_expect(co_exc_is_cancel(e), "another cancellation is pending: CancelledError, not TimeoutError");
    return NULL;
}

Test(timeout, an_outside_cancellation_is_not_turned_into_timeout_error)
{
    cr_assert(run(outside_cancel_main) == NULL);
}
