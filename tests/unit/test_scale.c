/*
** test_scale.c -- the combinators and TaskGroup with thousands of children:
** the same answers as with a few, in the same order.
**
** gather, wait and as_completed find their distinct futures through a table
** (runtime/futset.h), and TaskGroup keeps finished children as holes that it
** compacts now and then; these tests pin down that duplicates still collapse,
** results keep argument order, every future is delivered once, and a group
** whose children finish in every order -- while more are added -- still waits
** for all of them, cancels the right ones when it aborts, and frees
** everything. (How fast is `make bench`'s business, not a test's.)
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>

#include "coroscope.h"
#include "capture.h"
#include "counting_alloc.h"

static co_loop *L;

static void setup(void)
{
    counting_alloc_on();
    L = co_loop_new(NULL);
    cr_assert(L != NULL);
}

static void teardown(void)
{
    cr_expect(eq(int, co_loop_close(L), CO_OK), "the loop closes: no task left pending");
    cr_expect(eq(long, live_allocs, 0), "every allocation returned");
}

TestSuite(scale, .init = setup, .fini = teardown);

static co_exc *run(co_fn main)
{
    co_status st;
    co_exc *e = co_run(L, co_coro_make(main, "main", 0, NULL), NULL, &st);
    cr_assert(eq(int, st, CO_OK), "co_run status %s", co_status_name(st));
    return e;
}

#define N 3000

/* Sleeps args[1] seconds, returns args[0]. */
static co_exc *echo_after(const co_value *args, co_value *result)
{
    TRY(co_sleep(args[1].u.f));
    *result = args[0];
    return NULL;
}

/* Child i finishes at (N - i) ms: last created, first done. */
static co_task *spawn_reversed(int i)
{
    return co_create_task(CO_CORO(echo_after, co_int(i), co_float((N - i) * 0.001)), NULL);
}

static co_exc *gather_dups_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    static co_task *ts[N];
    static co_aw aws[2 * N];
    for (int i = 0; i < N; i++)
        ts[i] = spawn_reversed(i);
    /* Each task twice: once in order, once from the end. */
    for (int i = 0; i < N; i++) {
        aws[i] = co_aw_fut(co_task_future(ts[i]));
        aws[N + i] = co_aw_fut(co_task_future(ts[N - 1 - i]));
    }
    co_value v;
    TRY(co_await(co_gather(aws, 2 * N, false), &v));
    cr_assert(eq(int, v.kind, CO_V_LIST));
    cr_assert(eq(sz, v.u.list->n, (size_t)(2 * N)), "one result per argument");
    for (int i = 0; i < N; i++) {
        cr_expect(eq(i64, v.u.list->items[i].u.i, i), "result %d in argument order", i);
        cr_expect(eq(i64, v.u.list->items[N + i].u.i, N - 1 - i), "duplicate %d has its future's result", i);
    }
    return NULL;
}

Test(scale, gather_of_thousands_keeps_argument_order_and_collapses_duplicates)
{
    cr_assert(run(gather_dups_main) == NULL);
}

static co_exc *wait_dups_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    static co_task *ts[N];
    static co_future *fs[2 * N], *done[2 * N], *pending[2 * N];
    for (int i = 0; i < N; i++)
        ts[i] = spawn_reversed(i);
    for (int i = 0; i < 2 * N; i++)
        fs[i] = co_task_future(ts[i % N]);
    size_t nd, np;
    /* FIRST_COMPLETED: the last task finishes first. */
    TRY(co_wait(fs, 2 * N, CO_NO_TIMEOUT, CO_FIRST_COMPLETED, done, &nd, pending, &np));
    cr_expect(eq(sz, nd, 1), "one done");
    cr_expect(eq(sz, np, (size_t)(N - 1)), "every other distinct task pending, once");
    cr_expect(done[0] == co_task_future(ts[N - 1]));
    for (size_t i = 0; i < np; i++)
        cr_expect(pending[i] == co_task_future(ts[i]), "pending %zu in first-appearance order", i);
    TRY(co_wait(fs, 2 * N, CO_NO_TIMEOUT, CO_ALL_COMPLETED, done, &nd, pending, &np));
    cr_expect(eq(sz, nd, (size_t)N), "all distinct tasks done, once each");
    cr_expect(eq(sz, np, 0));
    return NULL;
}

Test(scale, wait_over_thousands_counts_each_future_once)
{
    cr_assert(run(wait_dups_main) == NULL);
}

static co_exc *as_completed_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    static co_task *ts[N];
    static co_future *fs[2 * N];
    static bool seen[N];
    for (int i = 0; i < N; i++)
        ts[i] = spawn_reversed(i);
    for (int i = 0; i < 2 * N; i++)
        fs[i] = co_task_future(ts[i % N]);
    co_as_completed *ac = co_as_completed_new(fs, 2 * N, CO_NO_TIMEOUT);
    cr_assert(eq(sz, co_as_completed_count(ac), (size_t)N), "one result per distinct future");
    for (int k = 0; k < N; k++) {
        co_value v;
        TRY(co_as_completed_next(ac, &v));
        cr_expect(eq(i64, v.u.i, N - 1 - k), "the %d-th to finish comes %d-th", N - 1 - k, k);
        cr_expect(not(seen[v.u.i]), "delivered once");
        seen[v.u.i] = true;
    }
    return NULL;
}

Test(scale, as_completed_over_thousands_yields_each_once_in_completion_order)
{
    cr_assert(run(as_completed_main) == NULL);
}

/* A timeout part-way: the ones not yet done come back as TimeoutError. */
static co_exc *as_completed_timeout_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    static co_task *ts[N];
    static co_future *fs[N];
    for (int i = 0; i < N; i++) {
        ts[i] = spawn_reversed(i);
        fs[i] = co_task_future(ts[i]);
    }
    /* Tasks N-1 .. N/2 finish by N/2 ms; the timeout comes just after. */
    co_as_completed *ac = co_as_completed_new(fs, N, (N / 2) * 0.001 + 0.0005);
    int ok = 0, timeouts = 0;
    for (int k = 0; k < N; k++) {
        co_exc *e = co_as_completed_next(ac, NULL);
        if (!e)
            ok++;
        else if (co_exc_is(e, "TimeoutError"))
            timeouts++;
        else
            return e;
    }
    cr_expect(eq(int, ok, N / 2), "the ones done before the timeout");
    cr_expect(eq(int, timeouts, N - N / 2), "one TimeoutError for each of the rest");
    for (int i = 0; i < N; i++)
        TRY(co_await(fs[i], NULL));
    return NULL;
}

Test(scale, as_completed_timeout_hands_out_the_rest_as_timeouts)
{
    cr_assert(run(as_completed_timeout_main) == NULL);
}

/* TaskGroup: waves of children finishing in reverse order while more are
** added, so finished ones leave holes the group compacts; every child runs. */
static int finished_children;

static co_exc *child(const co_value *args, co_value *result)
{
    (void)result;
    TRY(co_sleep(args[0].u.f));
    finished_children++;
    return NULL;
}

static co_exc *taskgroup_waves_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_taskgroup *tg = co_taskgroup_enter();
    co_exc *body = NULL;
    for (int wave = 0; wave < 30 && !body; wave++) {
        for (int i = 0; i < 100 && !body; i++)
            co_taskgroup_create_task(tg, CO_CORO(child, co_float((100 - i) * 0.0001 + (i % 3) * 0.01)), NULL, &body);
        if (!body)
            body = co_sleep(0.005);   /* some of this wave finish, others not yet */
    }
    TRY(co_taskgroup_exit(tg, body));
    cr_expect(eq(int, finished_children, 3000), "the group waited for every child");
    return NULL;
}

Test(scale, taskgroup_waits_for_thousands_finishing_in_any_order)
{
    cr_assert(run(taskgroup_waves_main) == NULL);
}

static co_exc *failing_child(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    TRY(co_sleep(0.5));
    return co_exc_new("ValueError", "boom");
}

static co_exc *taskgroup_abort_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    static co_task *ts[N];
    co_taskgroup *tg = co_taskgroup_enter();
    co_exc *body = NULL;
    /* Half finish before the failure (at 0.5 s), half would after it. */
    for (int i = 0; i < N && !body; i++)
        ts[i] = co_taskgroup_create_task(tg, CO_CORO(child, co_float(i % 2 ? 0.25 : 1.0)), NULL, &body);
    co_taskgroup_create_task(tg, CO_CORO0(failing_child), NULL, &body);
    co_exc *e = co_taskgroup_exit(tg, body);
    cr_assert(e != NULL && co_exc_is(e, "ExceptionGroup"), "the failure comes out as an ExceptionGroup");
    cr_expect(eq(int, finished_children, N / 2), "the children done before the failure ran to the end");
    int cancelled = 0;
    for (int i = 0; i < N; i++)
        cancelled += co_future_cancelled(co_task_future(ts[i]));
    cr_expect(eq(int, cancelled, N / 2), "every child still running was cancelled");
    return NULL;
}

Test(scale, taskgroup_abort_cancels_exactly_the_children_still_running)
{
    cr_assert(run(taskgroup_abort_main) == NULL);
}

/* Many waiters on one lock: they get it in arrival order. */
static int lock_order[N], nlock_order;

static co_exc *locker(const co_value *args, co_value *result)
{
    (void)result;
    co_lock *lk = args[0].u.p;
    TRY(co_lock_acquire(lk));
    lock_order[nlock_order++] = (int)args[1].u.i;
    co_exc *e = co_sleep(0);
    co_exc *r = co_lock_release(lk);
    return e ? e : r;
}

static co_exc *lock_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    static co_task *ts[N];
    co_lock *lk = co_lock_new(co_running_loop());
    TRY(co_lock_acquire(lk));
    for (int i = 0; i < N; i++)
        ts[i] = co_create_task(CO_CORO(locker, co_ptr(lk), co_int(i)), NULL);
    TRY(co_sleep(0));
    TRY(co_lock_release(lk));
    for (int i = 0; i < N; i++)
        TRY(co_await(co_task_future(ts[i]), NULL));
    cr_assert(eq(int, nlock_order, N));
    for (int i = 0; i < N; i++)
        cr_expect(eq(int, lock_order[i], i), "waiter %d in arrival order", i);
    return NULL;
}

Test(scale, lock_with_thousands_of_waiters_serves_them_in_arrival_order)
{
    cr_assert(run(lock_main) == NULL);
}
