/*
** test_fidelity.c -- what a program sees is what CPython shows it: cancel
** messages, exception messages, PEP 479, a task awaiting itself, SystemExit
** and KeyboardInterrupt leaving the loop, reprs of futures and tasks.
**
** Each test runs a C program on the runtime and the same program in Python on
** CPython 3.11 (pyexpect.h), and compares what the two printed, byte for byte;
** reprs are compared with their source locations taken out, since the C
** runtime's are C files.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <pthread.h>

#include "coroscope.h"
#include "internal.h"
#include "pyexpect.h"

static capture cap;
static co_loop *L;
static void setup(void) { L = py_loop(&cap); }
static void teardown(void)
{
    cr_expect(eq(int, co_loop_close(L), CO_OK), "the loop closes: no task left pending");
    free(cap.ev);
}
TestSuite(fidelity, .init = setup, .fini = teardown);

static const char *repr(co_exc *e) { return co_repr(co_excv(e)); }

static co_exc *run(co_fn main)
{
    co_status st;
    co_value v;
    co_exc *e = co_run(L, co_coro_make(main, "main", 0, NULL), &v, &st);
    return e;
}

/* --- cancel(msg) reaches the task whatever state it is in ------------------- */

static co_exc *victim(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_exc *e = co_sleep(0);
    if (co_exc_is_cancel(e))
        co_print("between sleep0: %s", repr(e));
    return e;
}

static co_exc *notstarted(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_print("never");
    return NULL;
}

static co_exc *child(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    TRY(co_sleep(0));
    return co_sleep(10);
}

static co_exc *cancel_messages(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(CO_CORO0(notstarted), NULL);
    co_task_cancel(t, "early");
    co_exc *e = co_await(co_task_future(t), NULL);
    co_print("not started: %s", repr(e));
    t = co_create_task(CO_CORO0(victim), NULL);
    TRY(co_sleep(0));
    co_task_cancel(t, "mid");
    e = co_await(co_task_future(t), NULL);
    co_print("awaiter: %s", repr(e));
    co_aw kids[] = {co_aw_coro(CO_CORO0(child)), co_aw_coro(CO_CORO0(child))};
    co_future *g = co_gather(kids, 2, false);
    TRY(co_sleep(0));
    co_future_cancel(g, "gmsg");
    e = co_await(g, NULL);
    co_print("gather: %s", repr(e));
    /* woken, not yet run: its future is done, its wake-up is queued */
    t = co_create_task(CO_CORO0(victim), NULL);
    TRY(co_sleep(0));
    co_task_cancel(t, "late");
    e = co_await(co_task_future(t), NULL);
    co_print("woken: %s", repr(e));
    return NULL;
}

Test(fidelity, cancel_keeps_its_message_in_every_state_of_the_task)
{
    cr_assert(run(cancel_messages) == NULL);
    expect_same_output(&cap,
        "import asyncio\n"
        "async def victim():\n"
        "    try:\n"
        "        await asyncio.sleep(0)\n"
        "    except asyncio.CancelledError as e:\n"
        "        print('between sleep0:', repr(e))\n"
        "        raise\n"
        "async def notstarted():\n"
        "    print('never')\n"
        "async def child():\n"
        "    await asyncio.sleep(0)\n"
        "    await asyncio.sleep(10)\n"
        "async def main():\n"
        "    t = asyncio.create_task(notstarted())\n"
        "    t.cancel('early')\n"
        "    try: await t\n"
        "    except asyncio.CancelledError as e: print('not started:', repr(e))\n"
        "    t = asyncio.create_task(victim())\n"
        "    await asyncio.sleep(0)\n"
        "    t.cancel('mid')\n"
        "    try: await t\n"
        "    except asyncio.CancelledError as e: print('awaiter:', repr(e))\n"
        "    g = asyncio.gather(child(), child())\n"
        "    await asyncio.sleep(0)\n"
        "    g.cancel('gmsg')\n"
        "    try: await g\n"
        "    except asyncio.CancelledError as e: print('gather:', repr(e))\n"
        "    t = asyncio.create_task(victim())\n"
        "    await asyncio.sleep(0)\n"
        "    t.cancel('late')\n"
        "    try: await t\n"
        "    except asyncio.CancelledError as e: print('woken:', repr(e))\n"
        "asyncio.run(main())\n",
        false);
}

/* --- futures: messages and reprs -------------------------------------------- */

static void cb_noop(co_future *f, void *arg)
{
    (void)f;
    (void)arg;
}

static co_exc *future_messages(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *loop = co_running_loop();
    co_future *f = co_future_new(loop);
    co_exc *e;
    co_print("%s", repr(co_future_result(f, NULL)));
    co_future_exception(f, &e);
    co_print("%s", repr(co_future_exception(f, &e)));
    co_print("%s", co_future_repr(f));
    co_future_add_done_callback(f, cb_noop, NULL, "noop");
    co_print("%s", co_future_repr(f));
    co_future_remove_done_callback(f, cb_noop, NULL);
    co_future_set_result(f, co_int(5));
    co_print("%s", co_future_repr(f));
    co_print("%s", repr(co_future_set_result(f, co_int(6))));
    co_print("%s", repr(co_future_set_exception(f, co_exc_new("ValueError", NULL))));
    co_future *g = co_future_new(loop);
    co_print("%s", repr(co_future_set_exception(g, co_exc_new("StopIteration", NULL))));
    co_future_cancel(g, "why");
    co_print("%s", co_future_repr(g));
    co_print("%s", repr(co_future_result(g, NULL)));
    co_future *h = co_future_new(loop);
    co_future_set_exception(h, co_exc_new("ValueError", "boom"));
    co_print("%s", co_future_repr(h));
    co_future_exception(h, &e);
    co_future *s = co_future_new(loop);
    co_future_set_result(s, co_str("a fairly long string result of fifty characters"));
    co_print("%s", co_future_repr(s));
    co_value list = co_list_new(8);
    for (size_t i = 0; i < 8; i++)
        list.u.list->items[i] = co_int((long long)i);
    co_future *l = co_future_new(loop);
    co_future_set_result(l, list);
    co_print("%s", co_future_repr(l));
    co_future *m = co_future_new(loop);
    for (int i = 0; i < 4; i++)
        co_future_add_done_callback(m, cb_noop, NULL, i == 3 ? "last" : "noop");
    co_print("%s", co_future_repr(m));
    co_future_cancel(m, NULL);
    return NULL;
}

Test(fidelity, future_errors_and_reprs_are_cpythons)
{
    cr_assert(run(future_messages) == NULL);
    expect_same_output(&cap,
        "import asyncio\n"
        "def show(fn):\n"
        "    try: fn()\n"
        "    except BaseException as e: print(repr(e))\n"
        "def last(f): pass\n"
        "def noop(f): pass\n"
        "async def main():\n"
        "    loop = asyncio.get_running_loop()\n"
        "    f = loop.create_future()\n"
        "    show(f.result)\n"
        "    show(f.exception)\n"
        "    print(repr(f))\n"
        "    f.add_done_callback(noop)\n"
        "    print(repr(f))\n"
        "    f.remove_done_callback(noop)\n"
        "    f.set_result(5)\n"
        "    print(repr(f))\n"
        "    show(lambda: f.set_result(6))\n"
        "    show(lambda: f.set_exception(ValueError()))\n"
        "    g = loop.create_future()\n"
        "    show(lambda: g.set_exception(StopIteration()))\n"
        "    g.cancel('why')\n"
        "    print(repr(g))\n"
        "    show(g.result)\n"
        "    h = loop.create_future()\n"
        "    h.set_exception(ValueError('boom'))\n"
        "    print(repr(h))\n"
        "    h.exception()\n"
        "    s = loop.create_future()\n"
        "    s.set_result('a fairly long string result of fifty characters')\n"
        "    print(repr(s))\n"
        "    l = loop.create_future()\n"
        "    l.set_result(list(range(8)))\n"
        "    print(repr(l))\n"
        "    m = loop.create_future()\n"
        "    for i in range(4): m.add_done_callback(last if i == 3 else noop)\n"
        "    print(repr(m))\n"
        "    m.cancel()\n"
        "asyncio.run(main())\n",
        true);
}

/* --- PEP 479 ------------------------------------------------------------------ */

static co_exc *raise_stop(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return co_exc_new("StopIteration", "3");
}

static co_exc *pep479_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(CO_CORO0(raise_stop), NULL);
    co_exc *e = co_await(co_task_future(t), NULL);
    co_print("%s %s", repr(e), e->cause ? repr(e->cause) : "None");
    e = co_await_coro(CO_CORO0(raise_stop), NULL);
    co_print("%s %s", repr(e), e->cause ? repr(e->cause) : "None");
    return NULL;
}

Test(fidelity, a_coroutine_raising_stop_iteration_ends_with_runtime_error)
{
    cr_assert(run(pep479_main) == NULL);
    expect_same_output(&cap,
        "import asyncio\n"
        "async def raise_stop():\n"
        "    raise StopIteration('3')\n"
        "async def main():\n"
        "    t = asyncio.create_task(raise_stop())\n"
        "    try: await t\n"
        "    except BaseException as e: print(repr(e), repr(e.__cause__))\n"
        "    try: await raise_stop()\n"
        "    except BaseException as e: print(repr(e), repr(e.__cause__))\n"
        "asyncio.run(main())\n",
        false);
}

/* --- a task awaiting itself --------------------------------------------------- */

static co_exc *self_await(const co_value *args, co_value *result)
{
    (void)args;
    co_exc *e = co_await(co_task_future(co_current_task()), NULL);
    if (e && co_exc_is(e, "RuntimeError"))
        co_print("caught %s: %s", e->type, e->msg);
    else
        return e ? e : co_exc_new("AssertionError", "the await returned");
    TRY(co_sleep(1));
    *result = co_int(1);
    return NULL;
}

static co_exc *self_await_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_value v;
    TRY(co_await(co_task_future(co_create_task(CO_CORO0(self_await), NULL)), &v));
    co_print("then %s", co_repr(v));
    return NULL;
}

Test(fidelity, a_task_awaiting_itself_gets_a_runtime_error_it_can_catch)
{
    cr_assert(run(self_await_main) == NULL);
    expect_same_output(&cap,
        "import asyncio\n"
        "async def self_await():\n"
        "    try:\n"
        "        await asyncio.current_task()\n"
        "    except RuntimeError as e:\n"
        "        print('caught %s: %s' % (type(e).__name__, e))\n"
        "    await asyncio.sleep(1)\n"
        "    return 1\n"
        "async def main():\n"
        "    v = await asyncio.create_task(self_await())\n"
        "    print('then', v)\n"
        "asyncio.run(main())\n",
        true);
}

/* --- SystemExit and KeyboardInterrupt leave the loop -------------------------- */

static co_exc *bystander(const co_value *args, co_value *result)
{
    (void)result;
    co_exc *e = co_sleep(co_num(args[1]));
    if (e) {
        co_print("%s: %s", args[0].u.s, e->type);
        return e;
    }
    co_print("%s: still running at %s", args[0].u.s, co_repr(co_float(co_loop_time(co_running_loop()))));
    return NULL;
}

static co_exc *exiter(const co_value *args, co_value *result)
{
    (void)result;
    TRY(co_sleep(1));
    return co_exc_new(args[0].u.s, "%s", args[1].u.s);
}

static co_exc *exit_main(const co_value *args, co_value *result)
{
    (void)result;
    co_create_task(co_coro_make(bystander, "bystander", 2, (co_value[]){co_str("early"), co_int(1)}), NULL);
    co_create_task(co_coro_make(exiter, "exiter", 2, (co_value[]){args[0], co_str("bye")}), NULL);
    co_create_task(co_coro_make(bystander, "bystander", 2, (co_value[]){co_str("late"), co_int(2)}), NULL);
    co_exc *e = co_sleep(5);
    co_print("main: %s", e ? e->type : "done");
    return e;
}

static void exit_case(const char *type)
{
    co_status st;
    co_exc *e = co_run(L, co_coro_make(exit_main, "main", 1, (co_value[]){co_str(type)}), NULL, &st);
    cr_assert(e != NULL);
    cr_expect(eq(int, st, CO_EEXIT));
    /* After asyncio.run: the trace has ended, so not a print event. */
    const char *line = co_strf("asyncio.run raised %s\n", repr(e));
    py_printed = realloc(py_printed, py_printed_len + strlen(line) + 1);
    strcpy(py_printed + py_printed_len, line);
    py_printed_len += strlen(line);
    char program[2048];
    snprintf(program, sizeof program,
             "import asyncio\n"
             "async def bystander(name, delay):\n"
             "    try:\n"
             "        await asyncio.sleep(delay)\n"
             "    except BaseException as e:\n"
             "        print('%%s: %%s' %% (name, type(e).__name__))\n"
             "        raise\n"
             "    print('%%s: still running at %%r' %% (name, asyncio.get_running_loop().time()))\n"
             "async def exiter(kind, msg):\n"
             "    await asyncio.sleep(1)\n"
             "    raise kind(msg)\n"
             "async def main():\n"
             "    asyncio.create_task(bystander('early', 1))\n"
             "    asyncio.create_task(exiter(%s, 'bye'))\n"
             "    asyncio.create_task(bystander('late', 2))\n"
             "    try:\n"
             "        await asyncio.sleep(5)\n"
             "    except BaseException as e:\n"
             "        print('main:', type(e).__name__)\n"
             "        raise\n"
             "try:\n"
             "    asyncio.run(main())\n"
             "except BaseException as e:\n"
             "    print('asyncio.run raised', repr(e))\n",
             type);
    /* The recorder's virtual clock makes loop.time() 1.0 here too; on real
    ** CPython it is the monotonic clock, so the expected text comes from
    ** the recorder, which runs the program on CPython's own loop. */
    char wrapped[4096];
    snprintf(wrapped, sizeof wrapped,
             "import runpy, sys, tempfile, subprocess\n"
             "src = %s\n"
             "f = tempfile.NamedTemporaryFile('w', suffix='.py', delete=False); f.write(src); f.close()\n"
             "r = subprocess.run([sys.executable, 'runtime/recorder/coroscope_record.py', f.name, '-o', '/dev/null'],"
             " capture_output=True, text=True)\n"
             "sys.stdout.write(r.stdout)\n",
             co_repr(co_str(program)));
    expect_same_output(&cap, wrapped, false);
}

Test(fidelity, system_exit_in_a_task_stops_the_loop_and_leaves_asyncio_run)
{
    exit_case("SystemExit");
}

Test(fidelity, keyboard_interrupt_in_a_task_stops_the_loop_and_leaves_asyncio_run)
{
    exit_case("KeyboardInterrupt");
}

/* --- task reprs ---------------------------------------------------------------- */

static co_exc *job(const co_value *args, co_value *result)
{
    TRY(co_sleep(1));
    *result = args[0];
    return NULL;
}

static co_exc *bad(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return co_exc_new("ValueError", "x");
}

static co_exc *task_reprs(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(co_coro_make(job, "job", 1, (co_value[]){co_int(1)}), NULL);
    co_print("%s", co_future_repr(co_task_future(t)));
    TRY(co_sleep(0));
    co_print("%s", co_future_repr(co_task_future(t)));
    co_task_cancel(t, NULL);
    co_print("%s", co_future_repr(co_task_future(t)));
    co_await(co_task_future(t), NULL);
    co_print("%s", co_future_repr(co_task_future(t)));
    co_task *t2 = co_create_task(co_coro_make(job, "job", 1, (co_value[]){co_int(2)}), "two");
    TRY(co_await(co_task_future(t2), NULL));
    co_print("%s", co_future_repr(co_task_future(t2)));
    co_task *t3 = co_create_task(CO_CORO0(bad), NULL);
    co_await(co_task_future(t3), NULL);
    co_print("%s", co_future_repr(co_task_future(t3)));
    co_aw kids[] = {co_aw_coro(co_coro_make(job, "job", 1, (co_value[]){co_int(3)}))};
    co_future *g = co_gather(kids, 1, false);
    co_print("%s", co_future_repr(g));
    TRY(co_await(g, NULL));
    co_print("%s", co_future_repr(g));
    return NULL;
}

Test(fidelity, task_reprs_are_cpythons_but_for_source_locations)
{
    cr_assert(run(task_reprs) == NULL);
    expect_same_output(&cap,
        "import asyncio\n"
        "async def job(x):\n"
        "    await asyncio.sleep(1)\n"
        "    return x\n"
        "async def bad():\n"
        "    raise ValueError('x')\n"
        "async def main():\n"
        "    t = asyncio.create_task(job(1))\n"
        "    print(repr(t))\n"
        "    await asyncio.sleep(0)\n"
        "    print(repr(t))\n"
        "    t.cancel()\n"
        "    print(repr(t))\n"
        "    try: await t\n"
        "    except asyncio.CancelledError: pass\n"
        "    print(repr(t))\n"
        "    t2 = asyncio.create_task(job(2), name='two')\n"
        "    await t2\n"
        "    print(repr(t2))\n"
        "    t3 = asyncio.create_task(bad())\n"
        "    try: await t3\n"
        "    except ValueError: pass\n"
        "    print(repr(t3))\n"
        "    g = asyncio.gather(job(3))\n"
        "    print(repr(g))\n"
        "    await g\n"
        "    print(repr(g))\n"
        "asyncio.run(main())\n",
        true);
}

/* --- the runtime's traces pass its own validator ----------------------------- */

#include "trace_writer.h"

/* Record main through the trace writer, as `coroscope record` does; the
** bytes (free them) must validate. */
static char *record_valid(const char *label, co_fn main, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    co_trace_header hdr = {label, "virtual", "test", 3};   /* version 3: the tests read raw lines */
    co_trace_writer *w = co_trace_writer_new(f, &hdr);
    co_loop_config cfg = {.tracer = co_trace_writer_tracer(w)};
    co_loop *L2 = co_loop_new(&cfg);
    co_status st;
    co_run(L2, co_coro_make(main, "main", 0, NULL), NULL, &st);
    co_loop_destroy(L2);
    cr_assert(eq(int, co_trace_writer_close(w, NULL, 0), CO_OK));
    fclose(f);
    expect_valid(label, buf, *len);
    return buf;
}

static co_future *parked;

static co_exc *cancels_itself(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task_cancel(co_current_task(), "myself");
    parked = co_future_new(co_running_loop());
    co_exc *e = co_await(parked, NULL);
    co_print("%s cancelled=%s", repr(e), co_future_cancelled(parked) ? "True" : "False");
    return NULL;
}

Test(fidelity, a_task_that_cancels_itself_then_awaits_records_a_valid_trace)
{
    size_t len;
    char *t = record_valid("cancels_itself", cancels_itself, &len);
    cr_expect(strstr(t, "\"msg\":\"myself\"") != NULL);
    free(t);
    cr_assert(run(cancels_itself) == NULL);
    expect_same_output(&cap,
        "import asyncio\n"
        "async def main():\n"
        "    asyncio.current_task().cancel('myself')\n"
        "    parked = asyncio.get_running_loop().create_future()\n"
        "    try: await parked\n"
        "    except asyncio.CancelledError as e: print(repr(e), 'cancelled=%s' % parked.cancelled())\n"
        "asyncio.run(main())\n",
        false);
}

static void nothing(void *arg) { (void)arg; }

static co_exc *timers_cancelled_in_the_heap(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *loop = co_running_loop();
    co_handle *a = co_call_later(loop, 1, nothing, NULL, "a");
    co_handle *b = co_call_later(loop, 1, nothing, NULL, "b");
    co_handle_cancel(b);                 /* not at the heap's head: it moves when due */
    TRY(co_sleep(2));
    co_print("a when=%s cancelled=%s", co_repr(co_float(co_handle_when(a))), co_handle_cancelled(a) ? "True" : "False");
    co_handle_release(a);
    co_handle_release(b);
    return NULL;
}

Test(fidelity, a_timer_cancelled_in_the_heap_moves_but_is_not_reported_fired)
{
    size_t len;
    char *t = record_valid("timer_cancelled", timers_cancelled_in_the_heap, &len);
    size_t fires = 0;
    for (const char *p = t; (p = strstr(p, "\"ev\":\"timer_fire\"")); p++)
        fires++;
    cr_expect(eq(sz, fires, 2), "a and the sleep fire, b does not");
    free(t);
}

static co_exc *sleeps_forever(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return co_sleep(INFINITY);
}

static co_exc *infinite_sleep(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(CO_CORO0(sleeps_forever), NULL);
    TRY(co_sleep(1));
    co_task_cancel(t, NULL);
    co_exc *e = co_await(co_task_future(t), NULL);
    co_print("%s", repr(e));
    return NULL;
}

Test(fidelity, sleep_forever_is_a_timer_never_due)
{
    size_t len;
    char *t = record_valid("sleep_inf", infinite_sleep, &len);
    cr_expect(strstr(t, "\"when\":null") != NULL);
    free(t);
}

static co_exc *deadlocks(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_create_task(CO_CORO0(sleeps_forever), NULL);
    return co_await(co_future_new(co_running_loop()), NULL);
}

Test(fidelity, a_deadlock_writes_its_warnings_before_end_and_nothing_after)
{
    size_t len;
    char *t = record_valid("deadlock", deadlocks, &len);
    const char *end = strstr(t, "\"ev\":\"end\"");
    cr_assert(end != NULL);
    cr_expect(strchr(end, '\n')[1] == 0, "end is the last line");
    cr_expect(strstr(t, "pending_at_close") != NULL && strstr(t, "pending_at_close") < end);
    free(t);
}

/* --- the loop's exception handler ---------------------------------------------- */

/* Remove traceback frames (which C exceptions have not) from CPython's log. */
static char *drop_frames(char *s)
{
    static const char tb[] = "Traceback (most recent call last):";
    char *w = s, *r = s;
    bool in_tb = false;
    while (*r) {
        size_t n = strcspn(r, "\n");
        size_t len = n + (r[n] == '\n');
        if (n == sizeof tb - 1 && !strncmp(r, tb, n))
            in_tb = true;                    /* the frames follow, indented */
        else if (!(in_tb && !strncmp(r, "  ", 2))) {
            in_tb = false;
            memmove(w, r, len);
            w += len;
        }
        r += len;
    }
    *w = 0;
    return s;
}

static co_exc *broken_handler(co_loop *loop, const co_exc_context *ctx, void *ud)
{
    (void)loop;
    (void)ctx;
    (void)ud;
    return co_exc_new("RuntimeError", "handler broke");
}

static co_exc *fail_soon(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return co_exc_new("ValueError", "boom");
}

static co_exc *handler_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *loop = co_running_loop();
    co_loop_call_exception_handler(loop, &(co_exc_context){.message = "plain"});
    co_loop_call_exception_handler(loop, &(co_exc_context){.message = "with exc", .exception = co_exc_new("KeyError", "k")});
    co_loop_call_exception_handler(loop, &(co_exc_context){0});
    co_future *f = co_future_new(loop);
    co_loop_call_exception_handler(loop, &(co_exc_context){.message = "fut", .future = f,
                                                          .exception = co_exc_new("InvalidStateError", "x")});
    co_exc *members[] = {co_exc_new("ValueError", "a"), co_exc_new("TypeError", "b")};
    co_exc *inner[] = {co_exc_new("KeyError", "k")};
    co_exc *nested[] = {co_exc_new("ValueError", "a"), co_exc_group("inner", inner, 1)};
    co_loop_call_exception_handler(loop, &(co_exc_context){.message = "eg", .exception = co_exc_group("grp", members, 2)});
    co_loop_call_exception_handler(loop, &(co_exc_context){.message = "nested",
                                                          .exception = co_exc_group("outer", nested, 2)});
    co_exc *to = co_exc_new("TimeoutError", NULL);
    to->cause = co_exc_new("CancelledError", NULL);
    co_loop_call_exception_handler(loop, &(co_exc_context){.message = "chained", .exception = to});
    co_loop_set_exception_handler(loop, broken_handler, NULL);
    co_loop_call_exception_handler(loop, &(co_exc_context){.message = "m"});
    co_loop_set_exception_handler(loop, NULL, NULL);
    co_create_task(CO_CORO0(fail_soon), NULL);
    TRY(co_sleep(0));
    return co_sleep(0);
}

Test(fidelity, the_default_exception_handler_logs_what_cpython_logs)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *err = open_memstream(&buf, &len);
    co_loop_config cfg = {.err = err};
    co_loop *L2 = co_loop_new(&cfg);
    co_status st;
    cr_assert(co_run(L2, CO_CORO0(handler_main), NULL, &st) == NULL);
    cr_assert(eq(int, co_loop_close(L2), CO_OK));
    fclose(err);
    char *py = py_output(
        "import asyncio\n"
        "async def fail_soon():\n"
        "    raise ValueError('boom')\n"
        "async def main():\n"
        "    loop = asyncio.get_running_loop()\n"
        "    loop.call_exception_handler({'message': 'plain'})\n"
        "    loop.call_exception_handler({'message': 'with exc', 'exception': KeyError('k')})\n"
        "    loop.call_exception_handler({})\n"
        "    f = loop.create_future()\n"
        "    loop.call_exception_handler({'message': 'fut', 'future': f, 'exception': asyncio.InvalidStateError('x')})\n"
        "    loop.call_exception_handler({'message': 'eg', 'exception': ExceptionGroup('grp', [ValueError('a'), TypeError('b')])})\n"
        "    loop.call_exception_handler({'message': 'nested', 'exception': ExceptionGroup('outer', [ValueError('a'), ExceptionGroup('inner', [KeyError('k')])])})\n"
        "    to = TimeoutError(); to.__cause__ = asyncio.CancelledError()\n"
        "    loop.call_exception_handler({'message': 'chained', 'exception': to})\n"
        "    def broken_handler(loop, ctx): raise RuntimeError('handler broke')\n"
        "    loop.set_exception_handler(broken_handler)\n"
        "    loop.call_exception_handler({'message': 'm'})\n"
        "    loop.set_exception_handler(None)\n"
        "    t = asyncio.create_task(fail_soon())\n"
        "    await asyncio.sleep(0)\n"
        "    await asyncio.sleep(0)\n"
        "asyncio.run(main())\n");
    drop_frames(py);
    norm_locations(py);
    norm_locations(buf);
    cr_expect(eq(str, buf, py), "the default handler's log is CPython's, frames aside");
    free(py);
    free(buf);
}

/* --- debug mode ---------------------------------------------------------------------- */

static co_exc *nothing_much(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return NULL;
}

static co_exc *debug_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_block(0.25, "time.sleep(0.25)");
    co_coro never = CO_CORO0(nothing_much);     /* job(): never awaited */
    (void)never;
    return co_sleep(0);
}

/* What debug mode logs is CPython's: the slow step, then the coroutine
** nobody awaited (its origin is a C file: compared for its first line). */
Test(fidelity, debug_mode_logs_slow_steps_and_never_awaited_coroutines)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *err = open_memstream(&buf, &len);
    co_loop_config cfg = {.err = err, .debug = true};
    co_loop *L2 = co_loop_new(&cfg);
    cr_assert(co_loop_get_debug(L2));
    co_status st;
    cr_assert(co_run(L2, co_coro_make(debug_main, "main", 0, NULL), NULL, &st) == NULL);
    cr_assert(eq(int, co_loop_close(L2), CO_OK));
    fclose(err);
    const char *slow = strstr(buf, "Executing ");
    const char *never = strstr(buf, ": RuntimeWarning: coroutine 'nothing_much' was never awaited\n"
                                    "Coroutine created at (most recent call last)\n  File \"tests/unit/test_fidelity.c\", line ");
    cr_expect(never != NULL, "the never-awaited coroutine is reported with its origin:\n%s", buf);
    cr_assert(slow != NULL, "the slow step is logged:\n%s", buf);
    char line[512];
    snprintf(line, sizeof line, "%.*s", (int)strcspn(slow, "\n"), slow);
    /* CPython's, under the recorder's virtual clock (time.sleep holds the
    ** loop for exactly 0.25 s there), its Task class and debug mode's
    ** "created at" taken out as well as locations. */
    char *py = py_output(
        "import subprocess, sys, tempfile\n"
        "src = '''import asyncio, time\n"
        "async def nothing_much():\n"
        "    pass\n"
        "async def main():\n"
        "    time.sleep(0.25)\n"
        "    nothing_much()\n"
        "    await asyncio.sleep(0)\n"
        "asyncio.run(main(), debug=True)\n'''\n"
        "f = tempfile.NamedTemporaryFile('w', suffix='.py', delete=False); f.write(src); f.close()\n"
        "r = subprocess.run([sys.executable, 'runtime/recorder/coroscope_record.py', f.name, '-o', '/dev/null'],"
        " capture_output=True, text=True)\n"
        "line = [l for l in r.stderr.splitlines() if l.startswith('Executing ')][0]\n"
        "import re\n"
        "line = line.replace('<RecordedTask ', '<Task ')\n"
        "print(re.sub(r' created at [^ >]+:[0-9]+', '', line))\n");
    py[strcspn(py, "\n")] = 0;
    norm_locations(py);
    norm_locations(line);
    cr_expect(eq(str, line, py), "the slow-callback line is CPython's");
    free(py);
    free(buf);
}

static void nothing_cb(void *arg) { (void)arg; }

static co_loop *running;
static co_status from_thread;

static void *call_from_thread(void *arg)
{
    (void)arg;
    from_thread = co_call_soon(running, nothing_cb, NULL, "print");
    return NULL;
}

static co_exc *thread_check_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    running = co_running_loop();
    pthread_t t;
    pthread_create(&t, NULL, call_from_thread, NULL);
    pthread_join(t, NULL);
    co_print("%s", from_thread == CO_ETHREAD ? co_status_message(from_thread) : co_status_name(from_thread));
    co_coro c = CO_CORO0(nothing_much);
    TRY(co_await_coro(c, NULL));
    co_exc *e = co_await_coro(c, NULL);
    co_print("%s", e ? repr(e) : "awaited twice");
    return NULL;
}

Test(fidelity, debug_mode_refuses_other_threads_and_reused_coroutines)
{
    co_loop_set_debug(L, true);
    cr_assert(run(thread_check_main) == NULL);
    expect_same_output(&cap,
        "import asyncio, threading\n"
        "async def nothing_much():\n"
        "    pass\n"
        "async def main():\n"
        "    loop = asyncio.get_running_loop()\n"
        "    def call():\n"
        "        try: loop.call_soon(print)\n"
        "        except RuntimeError as e: print(e)\n"
        "    t = threading.Thread(target=call); t.start(); t.join()\n"
        "    c = nothing_much()\n"
        "    await c\n"
        "    try: await c\n"
        "    except RuntimeError as e: print(repr(e))\n"
        "asyncio.run(main(), debug=True)\n",
        false);
}

/* --- the audit: every error message and repr the runtime makes ------------------- */

/* What went wrong, as a student prints it: repr and str. */
static void show_exc(const char *what, co_exc *e)
{
    if (e)
        co_print("%s: %s %s", what, repr(e), co_repr(co_str(co_strv(co_excv(e)))));
    else
        co_print("%s: no error", what);
}

static co_barrier *barrier;

static co_exc *barrier_waiter(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_exc *e = co_barrier_wait(barrier, NULL);
    if (e && co_exc_is(e, "BrokenBarrierError"))
        show_exc("waiter", e);
    else if (e)
        return e;
    return NULL;
}

static co_exc *fail(const co_value *args, co_value *result)
{
    (void)result;
    return co_exc_new("ValueError", "%s", args[0].u.s);
}

static co_exc *fail_group(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_exc *members[] = {co_exc_new("KeyError", "'k'")};
    members[0]->msg_unquoted = true;
    return co_exc_group("inner", members, 1);
}

static co_exc *idle(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return co_sleep(0);
}

static co_exc *audit_sync_groups_timeouts(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    barrier = co_barrier_new(co_running_loop(), 2);
    co_task *t = co_create_task(CO_CORO0(barrier_waiter), NULL);
    TRY(co_sleep(0));
    TRY(co_barrier_reset(barrier));
    TRY(co_await(co_task_future(t), NULL));
    t = co_create_task(CO_CORO0(barrier_waiter), NULL);
    TRY(co_sleep(0));
    TRY(co_barrier_abort(barrier));
    TRY(co_await(co_task_future(t), NULL));
    co_exc *e = co_barrier_wait(barrier, NULL);
    co_print("broken: %s", e ? repr(e) : "no error");

    co_taskgroup *tg = co_taskgroup_enter();
    co_taskgroup_create_task(tg, CO_CORO(fail, co_str("x")), NULL, NULL);
    e = co_sleep(1);
    if (e && !co_exc_is_cancel(e))
        return e;
    co_taskgroup_create_task(tg, CO_CORO0(idle), NULL, &e);
    co_print("shutting down: %s", e ? repr(e) : "no error");
    e = co_taskgroup_exit(tg, NULL);
    co_print("%s / %s", repr(e), co_strv(co_excv(e)));
    tg = co_taskgroup_enter();
    co_taskgroup_create_task(tg, CO_CORO0(fail_group), NULL, NULL);
    co_taskgroup_create_task(tg, CO_CORO(fail, co_str("v")), NULL, NULL);
    e = co_taskgroup_exit(tg, NULL);
    co_print("%s / %s / %s", repr(e), co_strv(co_excv(e)), co_strv(co_excv(e->members[0])));
    co_exc *one[] = {co_exc_new("CancelledError", NULL)};
    co_exc *two[] = {co_exc_new("CancelledError", NULL), co_exc_new("ValueError", NULL)};
    co_print("%s %s", repr(co_exc_group("b", one, 1)), co_strv(co_excv(co_exc_group("b", two, 2))));

    co_timeout *cm = co_timeout_enter(CO_NO_TIMEOUT);
    TRY(co_timeout_exit(cm, NULL));
    show_exc("reschedule() after the block", co_timeout_reschedule(cm, CO_NO_TIMEOUT));
    cm = co_timeout_enter(0);
    e = co_sleep(1);
    if (co_exc_is_cancel(e))
        show_exc("reschedule() while expiring", co_timeout_reschedule(cm, CO_NO_TIMEOUT));
    e = co_timeout_exit(cm, e);
    co_print("timeout: %s %s", e ? repr(e) : "None", e && e->cause ? repr(e->cause) : "None");
    return NULL;
}

/* BrokenBarrierError's two texts, TaskGroup's refusal while it aborts (its
** repr inside), ExceptionGroup and BaseExceptionGroup repr and str (nested,
** one and several members), Timeout's state errors. */
Test(fidelity, barrier_taskgroup_group_and_timeout_errors_are_cpythons)
{
    cr_assert(run(audit_sync_groups_timeouts) == NULL);
    expect_same_output(&cap,
        "import asyncio\n"
        "def show(what, fn):\n"
        "    try: fn()\n"
        "    except BaseException as e: print(f'{what}: {e!r} {str(e)!r}')\n"
        "async def idle(): await asyncio.sleep(0)\n"
        "async def fail(m): raise ValueError(m)\n"
        "async def fail_group(): raise ExceptionGroup('inner', [KeyError('k')])\n"
        "async def barrier_waiter(b):\n"
        "    try: await b.wait()\n"
        "    except asyncio.BrokenBarrierError as e: print(f'waiter: {e!r} {str(e)!r}')\n"
        "async def main():\n"
        "    b = asyncio.Barrier(2)\n"
        "    t = asyncio.create_task(barrier_waiter(b)); await asyncio.sleep(0)\n"
        "    await b.reset(); await t\n"
        "    t = asyncio.create_task(barrier_waiter(b)); await asyncio.sleep(0)\n"
        "    await b.abort(); await t\n"
        "    try: await b.wait()\n"
        "    except asyncio.BrokenBarrierError as e: print(f'broken: {e!r}')\n"
        "    try:\n"
        "        async with asyncio.TaskGroup() as tg:\n"
        "            tg.create_task(fail('x'))\n"
        "            try: await asyncio.sleep(1)\n"
        "            except asyncio.CancelledError: pass\n"
        "            c = idle()\n"
        "            try: tg.create_task(c)\n"
        "            except RuntimeError as e: print(f'shutting down: {e!r}')\n"
        "            c.close()\n"
        "    except ExceptionGroup as eg: print(f'{eg!r} / {eg}')\n"
        "    try:\n"
        "        async with asyncio.TaskGroup() as tg:\n"
        "            tg.create_task(fail_group())\n"
        "            tg.create_task(fail('v'))\n"
        "    except ExceptionGroup as eg: print(f'{eg!r} / {eg} / {eg.exceptions[0]}')\n"
        "    print(repr(BaseExceptionGroup('b', [asyncio.CancelledError()])),"
        " str(BaseExceptionGroup('b', [asyncio.CancelledError(), ValueError()])))\n"
        "    async with asyncio.timeout(None) as cm:\n"
        "        pass\n"
        "    show('reschedule() after the block', lambda: cm.reschedule(None))\n"
        "    try:\n"
        "        async with asyncio.timeout(0) as cm:\n"
        "            try: await asyncio.sleep(1)\n"
        "            except asyncio.CancelledError:\n"
        "                show('reschedule() while expiring', lambda: cm.reschedule(None))\n"
        "                raise\n"
        "    except TimeoutError as e: print(f'timeout: {e!r} {e.__cause__!r}')\n"
        "asyncio.run(main())\n",
        false);
}

static void tick(void *arg) { (void)arg; }

/* "when=1.5" -> "when=W": CPython's clock is not the virtual one. */
static const char *no_when(const char *s)
{
    char *c = strdup(s), *w = strstr(c, "when=");
    if (w) {
        size_t n = strspn(w + 5, "0123456789.e+-");
        memmove(w + 6, w + 5 + n, strlen(w + 5 + n) + 1);
        w[5] = 'W';
    }
    const char *r = co_strf("%s", c);
    free(c);
    return r;
}

static co_exc *nested_run(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_print("never");
    return NULL;
}

static co_exc *audit_handles_queues_tasks(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *loop = co_running_loop();
    co_handle *h = co_call_soon_handle(loop, tick, NULL, "tick");
    co_print("%s", co_handle_repr(h));
    co_handle_cancel(h);
    co_print("%s", co_handle_repr(h));
    co_handle_release(h);
    h = co_call_soon_handle(loop, tick, NULL, "print");
    co_print("%s", co_handle_repr(h));
    co_handle_cancel(h);
    co_handle_release(h);
    h = co_call_later(loop, 1.5, tick, NULL, "tick");
    co_print("%s", no_when(co_handle_repr(h)));
    co_handle_cancel(h);
    co_print("%s", no_when(co_handle_repr(h)));
    co_handle_release(h);

    co_queue *q = co_priority_queue_new(loop, 0);
    TRY(co_queue_put_nowait(q, co_int(1)));
    co_value list = co_list_new(1);
    list.u.list->items[0] = co_int(1);
    show_exc("uncomparable", co_queue_put_nowait(q, list));
    show_exc("uncomparable str", co_queue_put_nowait(q, co_str("s")));
    co_print("%zu", co_queue_qsize(q));
    show_exc("QueueEmpty str", co_queue_get_nowait(co_queue_new(loop, 1), NULL));
    co_queue *full = co_queue_new(loop, 1);
    TRY(co_queue_put_nowait(full, co_none()));
    show_exc("QueueFull str", co_queue_put_nowait(full, co_none()));

    co_future *self = co_task_future(co_current_task());
    show_exc("Task.set_result", co_future_set_result(self, co_int(1)));
    show_exc("Task.set_exception", co_future_set_exception(self, co_exc_new("ValueError", NULL)));
    co_status st;
    co_exc *e = co_run(loop, CO_CORO0(nested_run), NULL, &st);
    co_print("run in a loop: %s", e ? repr(e) : "no error");
    return NULL;
}

/* Handle and TimerHandle reprs (live and cancelled), PriorityQueue's
** uncomparable items (kept in the heap, as heapq keeps them), QueueEmpty and
** QueueFull, a task refusing set_result/set_exception, asyncio.run inside a
** running loop. */
Test(fidelity, handle_queue_task_and_run_errors_are_cpythons)
{
    cr_assert(run(audit_handles_queues_tasks) == NULL);
    expect_same_output(&cap,
        "import asyncio, re\n"
        "def tick(): pass\n"
        "def show(what, fn):\n"
        "    try: fn()\n"
        "    except BaseException as e: print(f'{what}: {e!r} {str(e)!r}')\n"
        "def no_when(h): return re.sub(r'when=[0-9.e+-]+', 'when=W', repr(h))\n"
        "async def nested_run(): print('never')\n"
        "async def main():\n"
        "    loop = asyncio.get_running_loop()\n"
        "    h = loop.call_soon(tick); print(repr(h)); h.cancel(); print(repr(h))\n"
        "    h = loop.call_soon(print); print(repr(h)); h.cancel()\n"
        "    h = loop.call_later(1.5, tick); print(no_when(h)); h.cancel(); print(no_when(h))\n"
        "    q = asyncio.PriorityQueue()\n"
        "    q.put_nowait(1)\n"
        "    show('uncomparable', lambda: q.put_nowait([1]))\n"
        "    show('uncomparable str', lambda: q.put_nowait('s'))\n"
        "    print(q.qsize())\n"
        "    show('QueueEmpty str', asyncio.Queue(1).get_nowait)\n"
        "    full = asyncio.Queue(1); full.put_nowait(None)\n"
        "    show('QueueFull str', lambda: full.put_nowait(None))\n"
        "    t = asyncio.current_task()\n"
        "    show('Task.set_result', lambda: t.set_result(1))\n"
        "    show('Task.set_exception', lambda: t.set_exception(ValueError()))\n"
        "    c = nested_run()\n"
        "    try: asyncio.run(c)\n"
        "    except RuntimeError as e: print(f'run in a loop: {e!r}')\n"
        "    c.close()\n"
        "asyncio.run(main())\n",
        true);
}

static co_exc *stops_the_loop(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop_stop(co_running_loop());
    co_exc *e = co_sleep(0);
    if (co_exc_is_cancel(e))
        co_print("main cancelled");
    return e;
}

/* loop.stop() before main is done: asyncio.run raises CPython's text, after
** cancelling main. */
Test(fidelity, a_loop_stopped_before_main_is_done_raises_cpythons_runtime_error)
{
    co_exc *e = run(stops_the_loop);
    cr_assert(e != NULL);
    /* printed after the recording's end: joined to what main printed here */
    char *printed = cap_prints(&cap);
    char *c_side = NULL;
    cr_assert(asprintf(&c_side, "%s%s\n", printed, repr(e)) > 0);
    char *py = py_output(
        "import asyncio\n"
        "async def main():\n"
        "    asyncio.get_running_loop().stop()\n"
        "    try: await asyncio.sleep(0)\n"
        "    except asyncio.CancelledError: print('main cancelled'); raise\n"
        "try: asyncio.run(main())\n"
        "except RuntimeError as e: print(repr(e))\n");
    cr_expect(eq(str, c_side, py));
    free(printed);
    free(c_side);
    free(py);
}

static co_exc *audit_locks(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_loop *loop = co_running_loop();
    show_exc("Lock.release()", co_lock_release(co_lock_new(loop)));
    co_semaphore *s = co_bounded_semaphore_new(loop, 1);
    TRY(co_semaphore_acquire(s));
    TRY(co_semaphore_release(s));
    show_exc("BoundedSemaphore.release()", co_semaphore_release(s));
    co_condition *c = co_condition_new(loop, NULL);
    show_exc("Condition.notify()", co_condition_notify(c, 1));
    show_exc("Condition.notify_all()", co_condition_notify_all(c));
    show_exc("Condition.wait()", co_condition_wait(c));
    show_exc("Condition.release()", co_condition_release(c));
    co_queue *q = co_queue_new(loop, 0);
    show_exc("Queue.task_done()", co_queue_task_done(q));
    return NULL;
}

/* The lock, semaphore, condition and queue misuse errors. */
Test(fidelity, lock_semaphore_condition_and_queue_errors_are_cpythons)
{
    cr_assert(run(audit_locks) == NULL);
    expect_same_output(&cap,
        "import asyncio\n"
        "def show(what, fn):\n"
        "    try: fn()\n"
        "    except BaseException as e: print(f'{what}: {e!r} {str(e)!r}')\n"
        "async def main():\n"
        "    show('Lock.release()', asyncio.Lock().release)\n"
        "    s = asyncio.BoundedSemaphore(1)\n"
        "    await s.acquire(); s.release()\n"
        "    show('BoundedSemaphore.release()', s.release)\n"
        "    c = asyncio.Condition()\n"
        "    show('Condition.notify()', c.notify)\n"
        "    show('Condition.notify_all()', c.notify_all)\n"
        "    try: await c.wait()\n"
        "    except RuntimeError as e: print(f'Condition.wait(): {e!r} {str(e)!r}')\n"
        "    show('Condition.release()', c.release)\n"
        "    show('Queue.task_done()', asyncio.Queue().task_done)\n"
        "asyncio.run(main())\n",
        false);
}

/* --- `of`: who waits for whom (FORMAT.md) ----------------------------------------- */

static co_exc *napping(const co_value *args, co_value *result)
{
    TRY(co_sleep(co_num(args[0])));
    *result = args[0];
    return NULL;
}

static co_exc *waits_on_others(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_aw two[] = {co_aw_coro(CO_CORO(napping, co_int(1))), co_aw_coro(CO_CORO(napping, co_int(2)))};
    TRY(co_await(co_gather(two, 2, false), NULL));                       /* Task-2, Task-3 */
    co_task *a = co_create_task(CO_CORO(napping, co_int(1)), NULL);     /* Task-4 */
    co_task *b = co_create_task(CO_CORO(napping, co_int(2)), NULL);     /* Task-5 */
    co_future *fs[] = {co_task_future(b), co_task_future(a)}, *done[2], *pending[2];
    size_t nd, np;
    TRY(co_wait(fs, 2, CO_NO_TIMEOUT, CO_ALL_COMPLETED, done, &nd, pending, &np));
    TRY(co_wait_for(co_aw_coro(CO_CORO(napping, co_int(1))), 5, NULL));  /* Task-6 */
    co_task *c = co_create_task(CO_CORO(napping, co_int(1)), NULL);     /* Task-7 */
    TRY(co_await(co_shield(co_aw_fut(co_task_future(c))), NULL));
    co_task *d = co_create_task(CO_CORO(napping, co_int(2)), NULL);     /* Task-8 */
    co_task *e = co_create_task(CO_CORO(napping, co_int(1)), NULL);     /* Task-9 */
    co_future *pair[] = {co_task_future(d), co_task_future(e)};
    co_as_completed *ac = co_as_completed_new(pair, 2, CO_NO_TIMEOUT);
    for (size_t i = 0; i < co_as_completed_count(ac); i++)
        TRY(co_as_completed_next(ac, NULL));
    return NULL;
}

/* The id of the task named name in trace t, as text. */
static const char *task_id(const char *t, const char *name)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"name\":\"%s\"", name);
    const char *at = strstr(t, pat);
    cr_assert(at != NULL, "no task %s", name);
    const char *line = at;
    while (line > t && line[-1] != '\n')
        line--;
    const char *id = strstr(line, "\"task\":");
    cr_assert(id != NULL && id < at);
    static char out[8][24];
    static int k;
    char *o = out[k++ % 8];
    snprintf(o, 24, "%.*s", (int)strspn(id + 7, "0123456789"), id + 7);
    return o;
}

/* The `of` of the n-th fut_new of this kind ("" when it has none). */
static const char *of_of(const char *t, const char *kind, int n)
{
    char pat[64];
    snprintf(pat, sizeof pat, "\"ev\":\"fut_new\"");
    static char out[128];
    for (const char *p = t; (p = strstr(p, pat)); p++) {
        const char *eol = strchr(p, '\n');
        char k[48];
        snprintf(k, sizeof k, "\"kind\":\"%s\"", kind);
        const char *kk = strstr(p, k);
        if (!kk || kk > eol || n-- > 0)
            continue;
        const char *of = strstr(p, "\"of\":[");
        if (!of || of > eol)
            return "";
        snprintf(out, sizeof out, "%.*s", (int)strcspn(of + 6, "]"), of + 6);
        return out;
    }
    cr_assert(false, "no fut_new of kind %s", kind);
    return NULL;
}

/* gather names its children in argument order, wait its futures as given,
** wait_for the task its coroutine becomes (named before that task exists),
** shield its inner task, as_completed's waits the futures given. */
Test(fidelity, fut_new_says_what_a_combinator_waits_for)
{
    size_t len;
    char *t = record_valid("of", waits_on_others, &len);
    char want[128];
    snprintf(want, sizeof want, "%s,%s", task_id(t, "Task-2"), task_id(t, "Task-3"));
    cr_expect(eq(str, (char *)of_of(t, "gather", 0), want));
    snprintf(want, sizeof want, "%s,%s", task_id(t, "Task-5"), task_id(t, "Task-4"));
    cr_expect(eq(str, (char *)of_of(t, "wait", 0), want));
    cr_expect(eq(str, (char *)of_of(t, "wait_for", 0), (char *)task_id(t, "Task-6")));
    const char *wf = strstr(t, "\"kind\":\"wait_for\""), *t6 = strstr(t, "\"name\":\"Task-6\"");
    cr_expect(wf && t6 && wf < t6, "wait_for's waiter comes first, as in 3.11.7");
    cr_expect(eq(str, (char *)of_of(t, "shield", 0), (char *)task_id(t, "Task-7")));
    snprintf(want, sizeof want, "%s,%s", task_id(t, "Task-8"), task_id(t, "Task-9"));
    cr_expect(eq(str, (char *)of_of(t, "queue", 0), want), "as_completed's done.get()");
    free(t);
}
