/*
** test_api.c -- the asyncio API a course needs, rule by rule: contextvars'
** errors and Context.run, to_thread's context, asyncio.Runner's life cycle,
** run_coroutine_threadsafe and its cancellation, Barrier.reset,
** PriorityQueue's heapq order for equal priorities. Messages are compared
** with CPython's (pyexpect.h), addresses taken out.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>

#include "coroscope.h"
#include "pyexpect.h"

static capture cap;
static co_loop *L;
static void setup(void) { L = py_loop(&cap); }
static void teardown(void)
{
    co_task *left[4];
    size_t n = L ? co_all_tasks(L, left, 4) : 0;
    for (size_t i = 0; i < n && i < 4; i++)
        cr_log_warn("still pending: %s (%s)", co_task_name(left[i]), co_task_get_coro(left[i]).name);
    if (L)
        cr_expect(eq(int, co_loop_close(L), CO_OK), "the loop closes: no task left pending");
    free(cap.ev);
}
TestSuite(api, .init = setup, .fini = teardown);

static const char *repr(co_exc *e) { return co_repr(co_excv(e)); }

static co_exc *run(co_fn main)
{
    co_status st;
    co_exc *e = co_run(L, co_coro_make(main, "main", 0, NULL), NULL, &st);
    cr_expect(eq(int, st, CO_OK));
    return e;
}

/* "at 0x7f..." -> "at 0x?": addresses are never the same twice. */
static char *norm_addresses(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        if (r[0] == '0' && r[1] == 'x') {
            char *q = r + 2;
            while ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f'))
                q++;
            if (q - r >= 3) {              /* "0x" and hex digits: at least as long as "0x?" */
                *w++ = '0';
                *w++ = 'x';
                *w++ = '?';
                r = q;
                continue;
            }
        }
        *w++ = *r++;
    }
    *w = 0;
    return s;
}

/* --- contextvars ------------------------------------------------------------ */

static co_cvar *var;
static co_cvar_token *tok2;
static co_exc *reset_result;

static void reset_elsewhere(void *arg)
{
    (void)arg;
    reset_result = co_cvar_reset(var, tok2);
}

static void nested_run(void *ctx) { reset_result = co_vars_run(ctx, reset_elsewhere, NULL); }

static co_exc *cvar_errors(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    var = co_cvar_new("x", NULL);
    co_value v;
    co_print("%s", repr(co_cvar_get(var, NULL, &v)));
    co_cvar_set(var, co_int(1));
    co_vars *ctx = co_copy_context();
    co_vars_run(ctx, nested_run, ctx);
    co_print("%s", repr(reset_result));
    tok2 = co_cvar_set(var, co_int(2));
    co_vars *ctx2 = co_copy_context();
    co_vars_run(ctx2, reset_elsewhere, NULL);
    co_print("%s", repr(reset_result));
    TRY(co_cvar_reset(var, tok2));
    co_print("%s", repr(co_cvar_reset(var, tok2)));
    co_cvar_get(var, NULL, &v);
    co_print("after reset: %s; len(ctx2)=%zu", co_repr(v), co_vars_len(ctx2));
    co_value deflt = co_int(7);
    co_print("%s", co_cvar_repr(co_cvar_new("y", &deflt)));
    return NULL;
}

Test(api, contextvar_errors_are_cpythons)
{
    cr_assert(run(cvar_errors) == NULL);
    char *py = py_output(
        "import asyncio, contextvars\n"
        "async def main():\n"
        "    v = contextvars.ContextVar('x')\n"
        "    try: v.get()\n"
        "    except LookupError as e: print(repr(e))\n"
        "    v.set(1)\n"
        "    ctx = contextvars.copy_context()\n"
        "    def nested():\n"
        "        try: ctx.run(print)\n"
        "        except RuntimeError as e: print(repr(e))\n"
        "    ctx.run(nested)\n"
        "    t2 = v.set(2)\n"
        "    ctx2 = contextvars.copy_context()\n"
        "    try: ctx2.run(v.reset, t2)\n"
        "    except ValueError as e: print(repr(e))\n"
        "    v.reset(t2)\n"
        "    try: v.reset(t2)\n"
        "    except RuntimeError as e: print(repr(e))\n"
        "    print('after reset: %r; len(ctx2)=%d' % (v.get(), len(ctx2)))\n"
        "    print(repr(contextvars.ContextVar('y', default=7)))\n"
        "asyncio.run(main())\n");
    char *c = cap_prints(&cap);
    norm_addresses(py);
    norm_addresses(c);
    cr_expect(eq(str, c, py), "contextvars' messages are CPython's, addresses aside");
    free(py);
    free(c);
}

static co_exc *in_thread(void *arg, co_value *result)
{
    return co_cvar_get(arg, NULL, result);
}

static co_exc *to_thread_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_cvar *who = co_cvar_new("who", NULL);
    co_cvar_set(who, co_str("caller"));
    co_value v;
    TRY(co_await(co_to_thread(in_thread, who, 1, "in_thread"), &v));
    co_print("to_thread saw %s", co_strv(v));
    co_exc *e = co_await(co_run_in_executor(NULL, in_thread, who, 1, "in_thread"), &v);
    co_print("run_in_executor: %s", e ? e->type : co_strv(v));
    return NULL;
}

Test(api, to_thread_runs_in_a_copy_of_the_callers_context_run_in_executor_does_not)
{
    cr_assert(run(to_thread_main) == NULL);
    cr_expect(eq(str, (char *)cap_print(&cap, 0), "to_thread saw caller"));
    cr_expect(eq(str, (char *)cap_print(&cap, 1), "run_in_executor: LookupError"));
}

/* --- asyncio.Runner ------------------------------------------------------------ */

static co_exc *answer(const co_value *args, co_value *result)
{
    (void)args;
    TRY(co_sleep(1));
    *result = co_int(42);
    return NULL;
}

Test(api, a_runner_runs_twice_on_one_loop_then_refuses_once_closed)
{
    co_runner *r = co_runner_new(NULL);
    co_value v;
    co_status st;
    cr_assert(co_runner_run(r, CO_CORO0(answer), &v, &st) == NULL);
    cr_expect(eq(i64, v.u.i, 42));
    co_loop *loop = co_runner_get_loop(r);
    cr_assert(co_runner_run(r, CO_CORO0(answer), &v, &st) == NULL);
    cr_expect(co_runner_get_loop(r) == loop, "the same loop");
    cr_expect(eq(dbl, co_loop_time(loop), 2.0), "one loop clock across runs");
    cr_expect(eq(int, co_runner_close(r), CO_OK));
    co_exc *e = co_runner_run(r, CO_CORO0(answer), &v, &st);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "RuntimeError"));   /* no loop is left for repr's string */
    cr_expect(eq(str, (char *)e->msg, "Runner is closed"));
    cr_expect(eq(int, co_runner_free(r), CO_OK));
}

/* --- run_coroutine_threadsafe ----------------------------------------------------- */

typedef struct ts_case {
    co_loop *loop;
    bool cancel;
    co_exc *got;
    co_value value;
    co_event *done;
} ts_case;

static void ts_set(void *arg) { co_event_set(((ts_case *)arg)->done); }

static co_exc *slow_answer(const co_value *args, co_value *result)
{
    (void)args;
    TRY(co_sleep(0.05));
    *result = co_int(42);
    return NULL;
}

static void *ts_thread(void *arg)
{
    ts_case *c = arg;
    co_cfuture *f = co_run_coroutine_threadsafe(CO_CORO0(slow_answer), c->loop);
    if (c->cancel)
        co_cfuture_cancel(f);
    c->got = co_cfuture_result(f, 5, &c->value);
    co_cfuture_release(f);
    co_call_soon_threadsafe(c->loop, ts_set, c, "set");
    return NULL;
}

static ts_case the_case;

static co_exc *ts_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    the_case.loop = co_running_loop();
    the_case.done = co_event_new(the_case.loop);
    pthread_t t;
    pthread_create(&t, NULL, ts_thread, &the_case);
    co_exc *e = co_event_wait(the_case.done);
    pthread_join(t, NULL);
    return e;
}

static void threadsafe_case(bool cancel)
{
    co_loop_close(L);
    co_loop_config cfg = {.clock = CO_CLOCK_REAL};
    L = co_loop_new(&cfg);
    the_case.cancel = cancel;
    cr_assert(run(ts_main) == NULL);
}

Test(api, run_coroutine_threadsafe_hands_the_result_to_the_other_thread)
{
    threadsafe_case(false);
    cr_assert(the_case.got == NULL, "%s", the_case.got ? repr(the_case.got) : "");
    cr_expect(eq(i64, the_case.value.u.i, 42));
}

Test(api, cancelling_the_concurrent_future_cancels_the_task)
{
    threadsafe_case(true);
    cr_assert(the_case.got != NULL);
    cr_expect(eq(str, (char *)repr(the_case.got), "CancelledError()"));
    cr_expect(eq(sz, co_all_tasks(L, NULL, 0), 0), "the task was cancelled and is done");
}

/* --- Barrier.reset, PriorityQueue order ---------------------------------------------- */

static co_exc *barrier_waiter(const co_value *args, co_value *result)
{
    (void)result;
    co_exc *e = co_barrier_wait(args[0].u.p, NULL);
    co_print("waiter: %s", e ? repr(e) : "passed");
    return NULL;
}

static co_exc *reset_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_barrier *b = co_barrier_new(co_running_loop(), 3);
    co_task *t1 = co_create_task(CO_CORO(barrier_waiter, co_ptr(b)), NULL);
    co_task *t2 = co_create_task(CO_CORO(barrier_waiter, co_ptr(b)), NULL);
    TRY(co_sleep(0));
    co_print("waiting: %d", co_barrier_n_waiting(b));
    TRY(co_barrier_reset(b));
    TRY(co_await(co_task_future(t1), NULL));
    TRY(co_await(co_task_future(t2), NULL));
    co_print("after reset: waiting %d broken %s", co_barrier_n_waiting(b), co_barrier_broken(b) ? "True" : "False");
    co_queue *q = co_priority_queue_new(co_running_loop(), 0);
    static const long long prio[] = {2, 1, 1, 3, 1, 2};
    for (int i = 0; i < 6; i++) {
        co_value item = co_list_new(2);
        item.u.list->items[0] = co_int(prio[i]);
        item.u.list->items[1] = co_int(i);
        TRY(co_queue_put_nowait(q, item));
    }
    co_value all = co_list_new(6);
    for (int i = 0; i < 6; i++)
        TRY(co_queue_get_nowait(q, &all.u.list->items[i]));
    co_print("%s", co_repr(all));
    return NULL;
}

Test(api, barrier_reset_breaks_its_waiters_and_priority_queue_pops_as_heapq)
{
    cr_assert(run(reset_main) == NULL);
    expect_same_output(&cap,
        "import asyncio\n"
        "async def barrier_waiter(b):\n"
        "    try:\n"
        "        await b.wait()\n"
        "        print('waiter: passed')\n"
        "    except asyncio.BrokenBarrierError as e:\n"
        "        print('waiter:', repr(e))\n"
        "async def main():\n"
        "    b = asyncio.Barrier(3)\n"
        "    t1 = asyncio.create_task(barrier_waiter(b))\n"
        "    t2 = asyncio.create_task(barrier_waiter(b))\n"
        "    await asyncio.sleep(0)\n"
        "    print('waiting:', b.n_waiting)\n"
        "    await b.reset()\n"
        "    await t1\n"
        "    await t2\n"
        "    print('after reset: waiting %d broken %s' % (b.n_waiting, b.broken))\n"
        "    q = asyncio.PriorityQueue()\n"
        "    for i, p in enumerate([2, 1, 1, 3, 1, 2]): q.put_nowait([p, i])\n"
        "    print([q.get_nowait() for _ in range(6)])\n"
        "asyncio.run(main())\n",
        false);
}
