/*
** test_threads_io.c -- executors (simulated and real threads),
** call_soon_threadsafe, blocking calls and TCP streams.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"
#include "coroscope.h"
#include "executor.h"
#include "stream.h"

static capture cap;

/* --- simulated pool ---------------------------------------------------------- */

static co_exc *times_ten(void *arg, co_value *result)
{
    *result = co_int((long long)(intptr_t)arg * 10);
    return NULL;
}

static double done_at[3];
static co_exc *three_jobs_two_workers(const co_value *args, co_value *result)
{
    (void)args;
    co_executor *pool = co_executor_new(co_running_loop(), 2);
    co_future *fs[3];
    for (int i = 0; i < 3; i++)
        fs[i] = co_run_in_executor(pool, times_ten, (void *)(intptr_t)(i + 1), 2, "times_ten");
    for (int i = 0; i < 3; i++) {
        TRY(co_await(fs[i], result));
        done_at[i] = co_loop_time(co_running_loop());
    }
    return NULL;
}

Test(executor, a_full_pool_queues_jobs_until_a_worker_is_free)
{
    co_loop *L = cap_loop(&cap);
    co_value v;
    cr_assert(co_run(L, CO_CORO0(three_jobs_two_workers), &v, NULL) == NULL);
    cr_expect(eq(i64, v.u.i, 30));
    cr_expect(eq(dbl, done_at[0], 2.0));
    cr_expect(eq(dbl, done_at[1], 2.0));
    cr_expect(eq(dbl, done_at[2], 4.0), "the third job waited for a worker");
    cr_expect(eq(sz, cap_count(&cap, CO_EV_JOB), 9), "submit, start, done for each");
    cr_assert(eq(int, co_loop_close(L), CO_OK));
    free(cap.ev);
}

/* --- real threads --------------------------------------------------------------- */

static pthread_t loop_thread;
static co_exc *which_thread(void *arg, co_value *result)
{
    (void)arg;
    *result = co_bool(!pthread_equal(pthread_self(), loop_thread));
    usleep(20000);
    return NULL;
}

static co_exc *failing_job(void *arg, co_value *result)
{
    (void)arg;
    (void)result;
    return co_exc_new("ValueError", "from a worker");
}

static co_exc *use_threads(const co_value *args, co_value *result)
{
    (void)args;
    co_value elsewhere;
    TRY(co_await(co_to_thread(which_thread, NULL, 0, "which_thread"), &elsewhere));
    cr_expect(elsewhere.u.b, "the job ran on a worker thread");
    co_exc *e = co_await(co_to_thread(failing_job, NULL, 0, "failing_job"), NULL);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "ValueError"), "a job's exception reaches the awaiting task");
    *result = co_bool(true);
    return NULL;
}

Test(executor, real_threads_run_jobs_and_hand_results_back_to_the_loop)
{
    co_loop_config cfg = {.clock = CO_CLOCK_REAL};
    co_loop *L = co_loop_new(&cfg);
    loop_thread = pthread_self();
    co_status st;
    co_value v;
    cr_assert(co_run(L, CO_CORO0(use_threads), &v, &st) == NULL);
    cr_expect(eq(int, st, CO_OK), "no deadlock reported while a job runs");
    cr_assert(eq(int, co_loop_close(L), CO_OK));
}

static int called;
static void mark(void *arg) { (void)arg; called = 1; }
static void *poke(void *arg)
{
    usleep(20000);
    co_call_soon_threadsafe(arg, mark, NULL, "mark");
    return NULL;
}

static co_exc *wait_for_poke(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    pthread_t th;
    pthread_create(&th, NULL, poke, co_running_loop());
    while (!called)
        TRY(co_sleep(0.005));
    pthread_join(th, NULL);
    return NULL;
}

Test(executor, call_soon_threadsafe_reaches_the_loop)
{
    co_loop_config cfg = {.clock = CO_CLOCK_REAL};
    co_loop *L = co_loop_new(&cfg);
    cr_assert(co_run(L, CO_CORO0(wait_for_poke), NULL, NULL) == NULL);
    cr_expect(eq(int, called, 1));
    cr_assert(eq(int, co_loop_close(L), CO_OK));
}

/* --- blocking ------------------------------------------------------------------- */

static co_exc *hog(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_block(1.5, "time.sleep(1.5)");
    return NULL;
}

Test(executor, a_blocking_call_holds_the_virtual_clock_and_is_warned_about)
{
    co_loop *L = cap_loop(&cap);
    cr_assert(co_run(L, CO_CORO0(hog), NULL, NULL) == NULL);
    cr_expect(eq(dbl, co_loop_time(L), 1.5));
    cr_expect(eq(sz, cap_count(&cap, CO_EV_BLOCK), 1));
    const cap_event *w = cap_find_warn(&cap, "slow_callback");
    cr_assert(w != NULL);
    cr_expect(strstr(w->text, "took 1.500 seconds") != NULL, "%s", w->text);
    cr_assert(eq(int, co_loop_close(L), CO_OK));
    free(cap.ev);
}

/* --- sockets --------------------------------------------------------------------- */

static co_exc *echo_once(const co_value *args, co_value *result)
{
    (void)result;
    co_stream *s = args[0].u.p;
    co_value line;
    TRY(co_stream_readline(s, &line));
    TRY(co_stream_write(s, line.u.s, strlen(line.u.s)));
    TRY(co_stream_drain(s));
    co_stream_close(s);
    return NULL;
}

static co_exc *round_trip(const co_value *args, co_value *result)
{
    (void)args;
    co_server *srv;
    TRY(co_start_server(echo_once, "echo_once", "127.0.0.1", 0, &srv));
    co_stream *c;
    TRY(co_open_connection("127.0.0.1", co_server_port(srv), &c));
    TRY(co_stream_write(c, "ping\n", 5));
    TRY(co_stream_readline(c, result));
    co_stream_close(c);
    int port = co_server_port(srv);
    co_server_close(srv);
    co_exc *e = co_open_connection("127.0.0.1", port, &c);
    cr_assert(e != NULL, "nobody listens any more");
    cr_expect(eq(str, (char *)e->type, "ConnectionRefusedError"));
    return NULL;
}

Test(streams, a_line_round_trips_through_an_echo_server_and_a_closed_port_refuses)
{
    co_loop_config cfg = {.clock = CO_CLOCK_REAL};
    co_loop *L = co_loop_new(&cfg);
    co_value v;
    cr_assert(co_run(L, CO_CORO0(round_trip), &v, NULL) == NULL);
    cr_expect(eq(str, (char *)v.u.s, "ping\n"));
    cr_assert(eq(int, co_loop_close(L), CO_OK));
}

static co_exc *virtual_socket(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_stream *c;
    return co_open_connection("127.0.0.1", 9, &c);
}

Test(streams, sockets_on_the_virtual_clock_are_refused_with_a_clear_error)
{
    co_loop *L = co_loop_new(NULL);
    co_exc *e = co_run(L, CO_CORO0(virtual_socket), NULL, NULL);
    cr_assert(e != NULL);
    cr_expect(eq(str, (char *)e->type, "RuntimeError"));
    cr_expect(strstr(e->msg, "real clock") != NULL, "%s", e->msg);
    cr_assert(eq(int, co_loop_close(L), CO_OK));
}
