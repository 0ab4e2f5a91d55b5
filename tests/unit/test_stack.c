/*
** test_stack.c -- stack overflow is caught where it happens and blamed on the
** task that overflowed (runtime/stack.h).
**
** Task stacks sit side by side in a slab. A task whose frame is larger than
** what is left of its stack reaches over into the stack below it; if it skips
** over its own canary and writes only the far end of its frame, it clobbers
** its neighbour's saved registers and returns as if nothing happened -- and the
** neighbour crashes later, blamed for what it did not do. These tests build
** exactly that, and one that suspends deep inside an oversized frame; each
** runs in a child process, since an overflow ends the process.
**
** Also: what a suspended task costs (memory maps and touched pages), which
** the overflow checks must not raise.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_run.h"
#include "coroscope.h"

/* Run main in a child: the process must stop, blaming task `name` for a stack
** overflow. Returns what it wrote to stderr (a static buffer). */
static const char *expect_overflow_in(co_fn main, const char *name)
{
    static char buf[2048];
    char want[128];
    int status = run_in_child(main, NULL, buf, sizeof buf);
    int stopped = WIFSIGNALED(status);
    cr_expect(stopped, "the process was stopped (status %d); stderr: %s", status, buf);
    snprintf(want, sizeof want, "stack overflow in task '%s'", name);
    cr_expect(strstr(buf, want) != NULL, "stderr was: %s", buf);
    return buf;
}

/* The neighbour: it sleeps while the culprit runs, then returns. */
static co_exc *victim(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return co_sleep(0.5);
}

/*
** A frame 2 KiB larger than the whole stack, written only from its far (low)
** end up to -- not into -- the canary words at the bottom of the culprit's own
** stack: everything it writes lies in the neighbour's stack, on its top frames.
*/
#define BIG (64 * 1024 + 2048)

static co_exc *culprit(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    volatile unsigned char frame[BIG];
    const unsigned long long canary0 = 0xC0C0C0DEADC0FFEEull;   /* stack.h's first canary word */
    for (size_t i = 0; i + 8 <= sizeof frame; i++) {
        unsigned long long w;
        memcpy(&w, (const void *)&frame[i], 8);
        if (w == canary0)
            break;   /* the culprit's own stack starts here: leave it alone */
        frame[i] = 0xA5;
    }
    return NULL;
}

static co_exc *victim_then_culprit(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    /* The victim's first step takes the stack just below the culprit's. */
    co_task *v = co_create_task(co_coro_make(victim, "victim", 0, NULL), "victim");
    co_exc *e = co_sleep(0);
    if (e)
        return e;
    co_task *c = co_create_task(co_coro_make(culprit, "culprit", 0, NULL), "culprit");
    co_aw both[] = {co_aw_fut(co_task_future(v)), co_aw_fut(co_task_future(c))};
    return co_await(co_gather(both, 2, false), NULL);
}

Test(stack, a_frame_that_reaches_into_the_neighbour_is_blamed_on_its_own_task)
{
#if defined(__SANITIZE_ADDRESS__)
    cr_skip_test("under AddressSanitizer the overflow is ASan's to report");
#endif
    const char *err = expect_overflow_in(victim_then_culprit, "culprit");
    cr_expect(strstr(err, "victim") == NULL, "the victim is not blamed; stderr was: %s", err);
}

/* A frame too big for the stack, with a suspension inside it. */
static co_exc *deep_sleeper(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    volatile char frame[BIG];
    frame[sizeof frame - 1] = 1;   /* only the end next to the caller: nothing near the canary */
    co_exc *e = co_sleep(0);
    return e ? e : (frame[sizeof frame - 1] == 1 ? NULL : co_exc_new("RuntimeError", "corrupt"));
}

static co_exc *spawn_deep_sleeper(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(co_coro_make(deep_sleeper, "deep_sleeper", 0, NULL), "sleeper");
    return co_await(co_task_future(t), NULL);
}

Test(stack, a_task_that_suspends_inside_an_oversized_frame_is_caught)
{
#if defined(__SANITIZE_ADDRESS__)
    cr_skip_test("under AddressSanitizer the overflow is ASan's to report");
#endif
    expect_overflow_in(spawn_deep_sleeper, "sleeper");
}

/* A task that uses most of its stack but not more runs normally. */
static co_exc *near_the_limit(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    volatile char frame[40 * 1024];
    for (size_t i = 0; i < sizeof frame; i += 512)
        frame[i] = (char)i;
    co_exc *e = co_sleep(0);
    *result = co_int(frame[512]);
    return e;
}

Test(stack, a_task_that_fits_its_stack_runs)
{
    co_loop *L = co_loop_new(NULL);
    co_value v;
    co_exc *e = co_run(L, co_coro_make(near_the_limit, "near_the_limit", 0, NULL), &v, NULL);
    cr_expect(e == NULL);
    cr_expect(eq(i64, v.u.i, 0), "the frame kept its contents across the suspension");
    co_loop_destroy(L);
}

/* ---- deep recursion and big frames --------------------------------------------------- */

static int depth_reached;
static int __attribute__((noinline)) recurse(int n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    depth_reached = n;
    return n > 1000000 ? pad[0] : recurse(n + 1) + pad[0];
}

static co_exc *deep(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    recurse(0);
    return NULL;
}

static co_exc *spawn_deep(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(co_coro_make(deep, "deep", 0, NULL), "deep");
    return co_await(co_task_future(t), NULL);
}

Test(stack, deep_recursion_is_reported_with_the_task_name)
{
#if defined(__SANITIZE_ADDRESS__)
    cr_skip_test("under AddressSanitizer the overflow is ASan's to report");
#endif
    expect_overflow_in(spawn_deep, "deep");
}

static co_exc *greedy(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    volatile char big[80 * 1024];   /* more than the 64 KiB stack */
    for (size_t i = 0; i < sizeof big; i += 64)
        big[i] = 1;
    return co_sleep(0);
}

static co_exc *spawn_greedy(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(co_coro_make(greedy, "greedy", 0, NULL), "greedy");
    return co_await(co_task_future(t), NULL);
}

Test(stack, a_frame_bigger_than_the_stack_is_reported_with_the_task_name)
{
#if defined(__SANITIZE_ADDRESS__)
    cr_skip_test("under AddressSanitizer the overflow is ASan's to report");
#endif
    expect_overflow_in(spawn_greedy, "greedy");
}

/* ---- what a suspended task costs --------------------------------------------------- */

static long count_maps(void)
{
    FILE *f = fopen("/proc/self/maps", "r");
    long n = 0;
    for (int c; f && (c = fgetc(f)) != EOF;)
        n += c == '\n';
    if (f)
        fclose(f);
    return n;
}

static co_exc *sleeper(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    return co_sleep(1);
}

static long maps_before, maps_after;

static co_exc *many_sleepers(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    maps_before = count_maps();
    for (int i = 0; i < 20000; i++)
        if (!co_create_task(CO_CORO0(sleeper), NULL))
            return co_exc_new("MemoryError", "%s", "no task");
    co_exc *e = co_sleep(0.5);   /* every task has run its first step and holds its stack */
    maps_after = count_maps();
    return e;
}

Test(stack, twenty_thousand_suspended_tasks_cost_a_few_hundred_memory_maps)
{
    co_loop *L = co_loop_new(NULL);
    co_exc *e = co_run(L, CO_CORO0(many_sleepers), NULL, NULL);
    cr_expect(e == NULL);
    /* Stacks come 64 to a slab with one guard page: two maps per slab, where a
    ** guard page per stack would need two per task and stop near 32.7k tasks. */
    cr_expect(maps_after - maps_before <= 20000 / 64 * 2 + 16, "%ld maps for 20000 tasks",
              maps_after - maps_before);
    co_loop_destroy(L);
}
