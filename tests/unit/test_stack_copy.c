/*
** test_stack_copy.c -- copy mode (CO_STACK_COPY): tasks take turns on shared
** stacks, and a suspended task's bytes wait on the heap while another task
** uses its stack (task.c).
**
** Most tests run twice: with stack_poison, where a task's bytes leave the
** stack as soon as it suspends and their place is overwritten -- a frame
** restored wrong, or a pointer into a suspended task's frames kept by the
** runtime, reads 0xCC bytes and the test fails -- and without, where they
** leave only when another task needs the stack; both give the same results. Deep frames, big locals, cancelled tasks whose
** cleanup reads their locals, every synchronization primitive with
** cancellation in the middle, many tasks, a larger stack for one coroutine,
** what a local lent to another task reads, and the two ways the process
** stops: an overflow of the shared stack, reported with the task's name as in
** the default mode, and no memory for a suspended task's bytes.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "child_run.h"
#include "coroscope.h"
#include "counting_alloc.h"

static co_loop *copy_loop(bool poison)
{
    co_loop_config cfg = {.stack_mode = CO_STACK_COPY, .stack_poison = poison};
    co_loop *L = co_loop_new(&cfg);
    cr_assert(L != NULL, "a copy-mode loop (%s)", co_stack_mode_unsupported(CO_STACK_COPY));
    return L;
}

static char prims_seen[128];   /* what prims_main saw, as text (its values go with its loop) */

/* Run main in copy mode twice: with stack_poison (every suspended task's
** bytes saved at once, the stack's copy poisoned), and without (bytes saved
** only when another task needs the stack). Both must give the same integer
** result (and the same prims_seen); its exception fails the test. */
static co_value run_copy(co_fn main, co_loop_stats *stats)
{
    co_value first = co_none();
    char seen[sizeof prims_seen];
    for (int poison = 1; poison >= 0; poison--) {
        co_loop *L = copy_loop(poison);
        co_value v = co_none();
        prims_seen[0] = 0;
        co_exc *e = co_run(L, co_coro_make(main, "main", 0, NULL), &v, NULL);
        cr_assert(e == NULL, "main raised %s: %s (poison %d)", e ? e->type : "", e && e->msg ? e->msg : "", poison);
        if (stats)
            *stats = co_loop_get_stats(L);
        cr_assert(co_loop_close(L) == CO_OK);
        if (poison) {
            first = v;
            memcpy(seen, prims_seen, sizeof seen);
        } else {
            cr_expect(eq(i64, v.u.i, first.u.i), "the same result with and without poison");
            cr_expect(eq(str, prims_seen, seen), "the same result with and without poison");
        }
    }
    return first;
}

static void init(void)
{
    const char *why = co_stack_mode_unsupported(CO_STACK_COPY);
    if (why)
        cr_skip_test("%s", why);
}

TestSuite(stack_copy, .init = init);

/* --- the mode itself ------------------------------------------------------- */

/* Not in the suite above: it holds where copy mode does not, too. */
Test(stack_mode, an_unknown_mode_is_refused_and_the_default_always_works)
{
    cr_expect(co_stack_mode_unsupported(CO_STACK_OWN) == NULL);
    cr_expect(co_stack_mode_unsupported((co_stack_mode)7) != NULL);
    co_loop_config cfg = {.stack_mode = (co_stack_mode)7};
    cr_expect(co_loop_new(&cfg) == NULL);
}

/* --- deep frames: locals at every level survive many switches ---------------- */

static long long __attribute__((noinline)) descend(long long depth, long long seed)
{
    volatile long long mine[4] = {seed, seed * 3, seed * 7, depth};
    if (depth == 0) {
        for (int i = 0; i < 5; i++)
            if (co_sleep(0))
                return -1000000;
        return seed;
    }
    long long below = descend(depth - 1, seed + 1);
    /* Read after the switches below: restored, not poisoned. */
    return below + mine[0] + mine[1] + mine[2] + mine[3];
}

static long long expected_descend(long long depth, long long seed)
{
    if (depth == 0)
        return seed;
    return expected_descend(depth - 1, seed + 1) + seed * 11 + depth;
}

static co_exc *deep_task(const co_value *args, co_value *result)
{
    *result = co_int(descend(args[0].u.i, args[1].u.i));
    return NULL;
}

static co_exc *deep_main(const co_value *args, co_value *result)
{
    (void)args;
    enum { N = 8 };
    co_task *ts[N];
    for (int i = 0; i < N; i++)                /* different depths: different bytes to save */
        ts[i] = co_create_task(CO_CORO(deep_task, co_int(20 + 15 * i), co_int(100 * i)), NULL);
    long long bad = 0;
    for (int i = 0; i < N; i++) {
        co_value v;
        co_exc *e = co_await(co_task_future(ts[i]), &v);
        if (e)
            return e;
        if (v.u.i != expected_descend(20 + 15 * i, 100 * i))
            bad++;
    }
    *result = co_int(bad);
    return NULL;
}

Test(stack_copy, deep_frames_come_back_intact)
{
    cr_expect(eq(i64, run_copy(deep_main, NULL).u.i, 0));
}

/* --- big locals --------------------------------------------------------------- */

#define BIGLOCAL (24 * 1024)

static co_exc *big_task(const co_value *args, co_value *result)
{
    unsigned char buf[BIGLOCAL];
    unsigned char mark = (unsigned char)args[0].u.i;
    memset(buf, mark, sizeof buf);
    for (int round = 0; round < 4; round++) {
        co_exc *e = co_sleep(0);
        if (e)
            return e;
        for (size_t i = 0; i < sizeof buf; i++)
            if (buf[i] != mark) {
                *result = co_int((long long)i + 1);
                return NULL;
            }
        buf[round] = mark;                     /* written between switches too */
    }
    *result = co_int(0);
    return NULL;
}

static co_exc *big_main(const co_value *args, co_value *result)
{
    (void)args;
    co_task *ts[4];
    for (int i = 0; i < 4; i++)
        ts[i] = co_create_task(CO_CORO(big_task, co_int(0x11 * (i + 1))), NULL);
    long long bad = 0;
    for (int i = 0; i < 4; i++) {
        co_value v;
        co_exc *e = co_await(co_task_future(ts[i]), &v);
        if (e)
            return e;
        bad += v.u.i != 0;
    }
    *result = co_int(bad);
    return NULL;
}

Test(stack_copy, big_locals_come_back_intact)
{
    cr_expect(eq(i64, run_copy(big_main, NULL).u.i, 0));
}

/* --- a coroutine with a larger stack gets a shared stack of that size --------- */

static co_exc *huge_local(const co_value *args, co_value *result)
{
    (void)args;
    unsigned char buf[160 * 1024];             /* more than the loop's 64 KiB */
    memset(buf, 0x5A, sizeof buf);
    co_exc *e = co_sleep(0);
    if (e)
        return e;
    size_t bad = 0;
    for (size_t i = 0; i < sizeof buf; i++)
        bad += buf[i] != 0x5A;
    *result = co_int((long long)bad);
    return NULL;
}

static co_exc *sized_main(const co_value *args, co_value *result)
{
    (void)args;
    co_coro c = CO_CORO0(huge_local);
    c.stack_size = 256 * 1024;
    co_task *big = co_create_task(c, "big");
    co_task *small = co_create_task(CO_CORO(big_task, co_int(0x42)), "small");
    co_value a, b;
    co_exc *e = co_await(co_task_future(big), &a);
    if (!e)
        e = co_await(co_task_future(small), &b);
    if (!e)
        *result = co_int(a.u.i + b.u.i);
    return e;
}

Test(stack_copy, a_coroutine_stack_size_gets_its_own_shared_stack)
{
    co_loop_stats st;
    cr_expect(eq(i64, run_copy(sized_main, &st).u.i, 0));
    cr_expect(eq(sz, st.stacks_total, 3), "two shared stacks of the default size, one of the larger");
}

/* --- cancellation: the cleanup code finds its frames restored ------------------ */

static co_exc *cancelled_deep(const co_value *args, co_value *result)
{
    long long mine[32];
    for (int i = 0; i < 32; i++)
        mine[i] = args[0].u.i * 1000 + i;
    co_exc *e = co_sleep(3600);                /* cancelled while it sleeps */
    if (!co_exc_is_cancel(e))
        return e ? e : co_exc_new("AssertionError", "not cancelled");
    long long sum = 0;                         /* except CancelledError: read the locals, swallow it */
    for (int i = 0; i < 32; i++)
        sum += mine[i];
    *result = co_int(sum);
    return NULL;
}

static co_exc *cancel_main(const co_value *args, co_value *result)
{
    (void)args;
    co_task *ts[6];
    for (int i = 0; i < 6; i++)
        ts[i] = co_create_task(CO_CORO(cancelled_deep, co_int(i)), NULL);
    co_exc *e = co_sleep(1);
    for (int i = 5; i >= 0; i--)               /* not in the order they suspended */
        co_task_cancel(ts[i], "stop");
    long long bad = 0;
    for (int i = 0; i < 6 && !e; i++) {
        co_value v;
        e = co_await(co_task_future(ts[i]), &v);
        bad += v.u.i != i * 32000 + 31 * 32 / 2;
    }
    *result = co_int(bad);
    return e;
}

Test(stack_copy, cancelled_tasks_clean_up_with_their_locals_intact)
{
    cr_expect(eq(i64, run_copy(cancel_main, NULL).u.i, 0));
}

/* --- primitives, with cancellation while waiting -------------------------------- */

typedef struct prims {
    co_lock *lock;
    co_event *event;
    co_semaphore *sem;
    co_condition *cond;
    long long order[64];
    int n;
} prims;

static co_exc *lock_user(const co_value *args, co_value *result)
{
    prims *p = args[0].u.p;
    (void)result;
    co_exc *e = co_lock_acquire(p->lock);
    if (e)
        return e;
    p->order[p->n++] = args[1].u.i;
    e = co_sleep(0.1);
    co_lock_release(p->lock);
    return e;
}

static co_exc *event_user(const co_value *args, co_value *result)
{
    prims *p = args[0].u.p;
    (void)result;
    co_exc *e = co_event_wait(p->event);
    if (!e)
        p->order[p->n++] = 100 + args[1].u.i;
    return e;
}

static co_exc *sem_user(const co_value *args, co_value *result)
{
    prims *p = args[0].u.p;
    (void)result;
    co_exc *e = co_semaphore_acquire(p->sem);
    if (e)
        return e;
    p->order[p->n++] = 200 + args[1].u.i;
    e = co_sleep(0.1);
    co_semaphore_release(p->sem);
    return e;
}

static co_exc *cond_user(const co_value *args, co_value *result)
{
    prims *p = args[0].u.p;
    (void)result;
    co_exc *e = co_condition_acquire(p->cond);
    if (e)
        return e;
    e = co_condition_wait(p->cond);
    if (!e)
        p->order[p->n++] = 300 + args[1].u.i;
    co_condition_release(p->cond);
    return e;
}

static co_exc *prims_main(const co_value *args, co_value *result)
{
    (void)args;
    co_loop *L = co_running_loop();
    prims *p = calloc(1, sizeof *p);
    p->lock = co_lock_new(L);
    p->event = co_event_new(L);
    p->sem = co_semaphore_new(L, 1);
    p->cond = co_condition_new(L, NULL);
    co_fn fns[4] = {lock_user, event_user, sem_user, cond_user};
    co_task *ts[4][5];
    for (int k = 0; k < 4; k++)
        for (int i = 0; i < 5; i++)
            ts[k][i] = co_create_task(co_coro_make(fns[k], "user", 2, (co_value[]){co_ptr(p), co_int(i)}), NULL);
    co_exc *e = co_sleep(0.01);                /* everyone waits somewhere now */
    for (int k = 0; k < 4; k++) {              /* the second and fourth of each kind give up */
        co_task_cancel(ts[k][1], NULL);
        co_task_cancel(ts[k][3], NULL);
    }
    if (!e)
        e = co_sleep(0.01);
    co_event_set(p->event);
    if (!e)
        e = co_condition_acquire(p->cond);
    if (!e) {
        co_condition_notify_all(p->cond);
        co_condition_release(p->cond);
    }
    long long cancelled = 0;
    for (int k = 0; k < 4 && !e; k++)
        for (int i = 0; i < 5; i++) {
            co_exc *te = co_await(co_task_future(ts[k][i]), NULL);
            if (te && co_exc_is_cancel(te))
                cancelled++;
            else if (te)
                e = te;
        }
    /* Who got through, in the order they did, as one number per kind. */
    long long sig[4] = {0, 0, 0, 0};
    for (int i = 0; i < p->n; i++)
        sig[p->order[i] / 100] = sig[p->order[i] / 100] * 10 + p->order[i] % 100 + 1;
    co_value list = co_list_new(5);
    list.u.list->items[0] = co_int(cancelled);
    for (int k = 0; k < 4; k++)
        list.u.list->items[k + 1] = co_int(sig[k]);
    snprintf(prims_seen, sizeof prims_seen, "%s", co_repr(list));   /* the arena goes with the loop */
    free(p);
    *result = co_none();
    return e;
}

Test(stack_copy, waiters_of_every_primitive_live_off_the_shared_stack)
{
    run_copy(prims_main, NULL);
    /* The first of each kind was not waiting when cancelled for the lock and
    ** semaphore (it holds them), so all eight cancellations land; the rest
    ** get through in arrival order: 0, 2, 4 (digits are index + 1). */
    cr_expect(eq(str, prims_seen, "[8, 135, 135, 135, 135]"));
}

/* --- many tasks ------------------------------------------------------------------- */

static co_exc *many_waiter(const co_value *args, co_value *result)
{
    long long mine = args[1].u.i * 7;
    co_exc *e = co_event_wait((co_event *)args[0].u.p);
    *result = co_int(mine);
    return e;
}

static co_exc *many_main(const co_value *args, co_value *result)
{
    (void)args;
    enum { N = 20000 };
    co_event *ev = co_event_new(co_running_loop());
    co_task **ts = malloc(N * sizeof *ts);
    for (long long i = 0; i < N; i++)
        ts[i] = co_create_task(CO_CORO(many_waiter, co_ptr(ev), co_int(i)), NULL);
    co_exc *e = co_sleep(0);
    co_event_set(ev);
    long long bad = 0;
    for (long long i = 0; i < N && !e; i++) {
        co_value v;
        e = co_await(co_task_future(ts[i]), &v);
        bad += v.u.i != i * 7;
    }
    free(ts);
    *result = co_int(bad);
    return e;
}

Test(stack_copy, twenty_thousand_tasks_share_two_stacks)
{
    co_loop_stats st;
    cr_expect(eq(i64, run_copy(many_main, &st).u.i, 0));
    cr_expect(eq(sz, st.stacks_total, 2));
    cr_expect(eq(sz, st.stacks_in_use, 2), "the shared stacks stay until the loop closes");
}

/* --- the rule: a local lent to another task is not there while its owner waits --- */

static co_exc *lender(const co_value *args, co_value *result)
{
    (void)result;
    volatile long long local = 0x1234567812345678ll;
    *(volatile long long **)args[0].u.p = &local;   /* what copy mode forbids */
    co_exc *e = co_sleep(0.1);
    return e ? e : co_int(local).u.i == 0x1234567812345678ll ? NULL : co_exc_new("AssertionError", "lost");
}

static co_exc *borrower(const co_value *args, co_value *result)
{
    volatile long long **slot = args[0].u.p;
    *result = co_int(**slot);                  /* the lender is suspended: not its value */
    return NULL;
}

/* Where the lender puts its pointer: not in lend_main's frame, which is a
** suspended task's too while the borrower runs. */
static volatile long long *slot;

static co_exc *lend_main(const co_value *args, co_value *result)
{
    (void)args;
    slot = NULL;
    co_task *a = co_create_task(CO_CORO(lender, co_ptr((void *)&slot)), "lender");
    co_exc *e = co_sleep(0);                   /* the lender has lent and waits */
    co_task *b = co_create_task(CO_CORO(borrower, co_ptr((void *)&slot)), "borrower");
    co_value v = co_none();
    if (!e)
        e = co_await(co_task_future(b), &v);
    if (!e)
        e = co_await(co_task_future(a), NULL);
    *result = v;
    return e;
}

Test(stack_copy, a_lent_local_reads_poison_while_its_task_waits)
{
    /* With poison the lender's bytes left the stack when it suspended: the
    ** address holds poison or another task's frames -- anything but the
    ** lender's value, which the lender itself finds intact when it resumes
    ** (it raises otherwise). */
    co_loop *L = copy_loop(true);              /* without poison the lender's bytes may still be there */
    co_value v = co_none();
    cr_assert(co_run(L, co_coro_make(lend_main, "main", 0, NULL), &v, NULL) == NULL);
    cr_assert(co_loop_close(L) == CO_OK);
    cr_expect(ne(i64, v.u.i, 0x1234567812345678ll));
}

/* --- overflow of the shared stack -------------------------------------------------- */

static int __attribute__((noinline)) bottomless(int n)
{
    volatile char pad[512];
    pad[0] = (char)n;
    if (n > 1 << 30)                           /* never: 64 KiB ends long before */
        return 0;
    return bottomless(n + 1) + pad[0];
}

static co_exc *overflower(const co_value *args, co_value *result)
{
    (void)args;
    *result = co_int(bottomless(0));
    return NULL;
}

static co_exc *overflow_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(CO_CORO0(overflower), "bottomless");
    co_exc *e = co_sleep(0);                   /* another task waits while it overflows */
    return e ? e : co_await(co_task_future(t), NULL);
}

Test(stack_copy, an_overflow_of_the_shared_stack_names_the_task)
{
    co_loop_config cfg = {.stack_mode = CO_STACK_COPY, .stack_poison = true};
    char buf[2048];
    int status = run_in_child(overflow_main, &cfg, buf, sizeof buf);
    int stopped = WIFSIGNALED(status);
    cr_expect(stopped, "the process was stopped (status %d); stderr: %s", status, buf);
    cr_expect(strstr(buf, "stack overflow in task 'bottomless'") != NULL, "stderr was: %s", buf);
}

/* --- no memory for a suspended task's bytes ------------------------------------------ */

static co_exc *starved(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    alloc_budget = 0;                          /* the next allocation is its bytes' buffer */
    return co_sleep(0);
}

static co_exc *starve_main(const co_value *args, co_value *result)
{
    (void)args;
    (void)result;
    co_task *t = co_create_task(CO_CORO0(starved), "starved");
    return co_await(co_task_future(t), NULL);
}

Test(stack_copy, no_memory_for_a_tasks_bytes_stops_the_process_naming_the_task)
{
    counting_alloc_on();                       /* inherited by the child */
    /* With poison its bytes are saved as soon as it suspends. */
    co_loop_config cfg = {.stack_mode = CO_STACK_COPY, .stack_poison = true};
    char buf[2048];
    int status = run_in_child(starve_main, &cfg, buf, sizeof buf);
    int stopped = WIFSIGNALED(status);
    cr_expect(stopped, "the process was stopped (status %d); stderr: %s", status, buf);
    cr_expect(strstr(buf, "out of memory saving the stack of task 'starved' (copy mode)") != NULL,
              "stderr was: %s", buf);
}
