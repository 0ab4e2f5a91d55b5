/*
** loop.c -- the event loop (see loop.h for the four phases of an iteration).
**
** Read co_loop_run_once first: it is CPython's BaseEventLoop._run_once, phase
** by phase. The rest of the file is the machinery it uses: handles and the
** ready queue, timers on the heapq-exact heap, the clocks, and the arena that
** holds values until the loop closes.
*/
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "exchandler.h"
#include "internal.h"

_Thread_local co_loop *co__tls_loop;

_Noreturn void co__api_fail(const char *file, int line, const char *expr, const char *what)
{
    fprintf(stderr, "coroscope: API misuse at %s:%d: %s (check failed: %s)\n", file, line, what, expr);
    abort();
}

/* --- arena ---------------------------------------------------------------- */

struct co_arena_block {
    co_arena_block *next;      /* older block */
    size_t used, cap;          /* bytes of data[] */
    _Alignas(16) char data[];
};

static void *arena_alloc(co_loop *L, size_t size)
{
    size = (size + 15) & ~(size_t)15;
    co_arena_block *b = L->arena;
    if (!b || b->used + size > b->cap) {
        size_t cap = size > 16384 ? size : 16384;
        b = co_malloc(sizeof *b + cap);
        if (!b)
            return NULL;
        b->used = 0;
        b->cap = cap;
        b->next = L->arena;
        L->arena = b;
    }
    void *p = b->data + b->used;
    b->used += size;
    return p;
}

void *co__arena_alloc(size_t size)
{
    co_loop *L = co__tls_loop;
    CO_API_CHECK(L != NULL, "values need a loop: create one with co_loop_new first");
    return co__arena_alloc_in(L, size);
}

void *co__arena_alloc_in(co_loop *L, size_t size)
{
    if (!L->threaded)
        return arena_alloc(L, size);
    pthread_mutex_lock(&L->ts_lock);       /* worker threads allocate too */
    void *p = arena_alloc(L, size);
    pthread_mutex_unlock(&L->ts_lock);
    return p;
}

co_exc *co__exc_nomem(void)
{
    static co_exc nomem = {"MemoryError", "", NULL, NULL, 0, false};
    return &nomem;
}

/* --- events --------------------------------------------------------------- */

const char *co_trace_event_name(co_trace_event_kind k)
{
    static const char *const names[] = {
#define CO_X_EVNAME(name, str) str,
        CO_EVENT_LIST(CO_X_EVNAME)
#undef CO_X_EVNAME
    };
    return (unsigned)k < CO_EV__COUNT ? names[k] : "?";
}

void co__emit(co_loop *L, co_trace_event *ev)
{
    if (L->trace_ended)        /* nothing follows `end` (FORMAT.md) */
        return;
    if (ev->ev == CO_EV_END)
        L->trace_ended = true;
    if (L->set_order)          /* decided while CPython iterates a set */
        ev->order = "set";
    ev->seq = ++L->seq;
    ev->t = co_loop_time(L);
    L->tracer.event(L->tracer.ud, ev);
}

/* --- the loop object ------------------------------------------------------ */

static double monotonic(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

co_loop *co_loop_new(const co_loop_config *cfg)
{
    co_loop_config defaults = {.out = stdout, .err = stderr};   /* co_loop_new(NULL): print() prints */
    if (!cfg)
        cfg = &defaults;
    if (co_stack_mode_unsupported(cfg->stack_mode))
        return NULL;
    co_loop *L = co_calloc(1, sizeof *L);
    if (!L)
        return NULL;
    L->clock = cfg->clock;
    L->stack_copy = cfg->stack_mode == CO_STACK_COPY;
    L->stack_poison = L->stack_copy && cfg->stack_poison;
    L->tracer = cfg->tracer;
    L->out = cfg->out;
    L->err = cfg->err;
    L->debug = cfg->debug;
    L->epfd = -1;
    L->wakefd = -1;
    pthread_mutex_init(&L->ts_lock, NULL);
    L->stack_size = co__stack_round(cfg->stack_size ? cfg->stack_size : CO_STACK_DEFAULT_SIZE);
    L->pools = co_malloc(sizeof *L->pools);
    if (!L->pools) {
        co_free(L);
        return NULL;
    }
    co__pool_entry_init(L->pools, L->stack_size);
    L->pools->next = NULL;
    if (L->clock == CO_CLOCK_REAL) {
        L->t0 = monotonic();
        L->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (L->epfd < 0) {
            co_free(L->pools);
            co_free(L);
            return NULL;
        }
        co__loop_watch_wakefd(L);
    }
    co__tls_loop = L;
    return L;
}

double co_loop_time(const co_loop *L)
{
    return L->clock == CO_CLOCK_VIRTUAL ? L->now : monotonic() - L->t0;
}

co_clock co_loop_clock(const co_loop *L) { return L->clock; }
void co_loop_set_debug(co_loop *L, bool enabled) { L->debug = enabled; }
bool co_loop_get_debug(const co_loop *L) { return L->debug; }
co_loop *co_running_loop(void) { return co__tls_loop && co__tls_loop->running ? co__tls_loop : NULL; }

co_loop_stats co_loop_get_stats(const co_loop *L)
{
    co_loop_stats s = L->stats;
    s.stacks_in_use = 0;
    s.stacks_total = 0;
    for (co_pool_entry *p = L->pools; p; p = p->next) {
        s.stacks_in_use += p->pool.in_use;
        s.stacks_total += p->pool.total;
    }
    return s;
}

void co__warn_pending(co_loop *L)
{
    if (L->closing_warned)
        return;
    L->closing_warned = true;
    for (co_task *t = L->live_head; t; t = t->live_next) {
        /* Task.__del__ of a pending task: "Task was destroyed but it is pending!" */
        co_exc_context ctx = {.message = "Task was destroyed but it is pending!", .task = t};
        const char *msg = co__tracing(L) ? co_strf("Task was destroyed but it is pending! task: %s",
                                                   co_future_repr(&t->fut)) : NULL;
        co__report(L, "pending_at_close", msg, &ctx);
    }
}

struct co_closer {
    void (*fn)(void *);        /* what to run at close */
    void *arg;
    struct co_closer *next;
};

co_status co__at_close(co_loop *L, void (*fn)(void *), void *arg)
{
    struct co_closer *c = co__arena_alloc(sizeof *c);
    if (!c)
        return CO_ENOMEM;
    c->fn = fn;
    c->arg = arg;
    c->next = L->closers;
    L->closers = c;
    return CO_OK;
}

static void free_everything(co_loop *L)
{
    co__executor_free_all(L);
    for (struct co_closer *c = L->closers; c; c = c->next)
        c->fn(c->arg);
    for (co_handle *h = L->ts_head; h;) {
        co_handle *next = h->next;
        co_free(h);                        /* foreign: not in the arena */
        h = next;
    }
    if (L->wakefd >= 0)
        close(L->wakefd);
    pthread_mutex_destroy(&L->ts_lock);
    co__task_free_all(L);
    co__future_free_all(L);
    /* Handles are blocks in the arena, freed with it below, but for those
    ** call_soon_threadsafe made. */
    for (co_handle *h = L->ready_head; h;) {
        co_handle *next = h->next;
        if (h->foreign)
            co_free(h);
        h = next;
    }
    L->ready_head = NULL;
    co__heap_free(&L->timers);
    L->free_blocks = NULL;
    for (co_pool_entry *p = L->pools; p;) {
        co_pool_entry *next = p->next;
        co__stack_pool_destroy(&p->pool);
        co_free(p);
        p = next;
    }
    for (co_arena_block *b = L->arena; b;) {
        co_arena_block *next = b->next;
        co_free(b);
        b = next;
    }
    if (L->epfd >= 0)
        close(L->epfd);
    co_free(L->origins);
    if (co__tls_loop == L)
        co__tls_loop = NULL;
    co_free(L);
}

co_status co_loop_close(co_loop *L)
{
    if (!L)
        return CO_OK;
    if (L->running)
        return CO_ERUNNING;
    if (L->nlive) {
        co__warn_pending(L);
        return CO_EBUSY;
    }
    co__origins_report(L);
    co_loop_trace_end(L, CO_OK);   /* a loop driven by hand ends its recording here */
    free_everything(L);
    return CO_OK;
}

void co_loop_destroy(co_loop *L)
{
    if (!L)
        return;
    CO_API_CHECK(!L->running, "co_loop_destroy called while the loop runs");
    co__warn_pending(L);
    co__origins_report(L);
    co_loop_trace_end(L, L->nlive ? CO_EBUSY : CO_OK);
    free_everything(L);
}

/* --- handles and the ready queue ----------------------------------------- */

void co__handle_free(co_handle *h)
{
    if (h->fut)
        co__future_unref(h->fut);
    if (h->foreign)
        co_free(h);
    else
        co__block_put(h->loop, (co__block *)h);
}

void co_handle_release(co_handle *h)
{
    if (h)
        co__handle_unref(h);
}

static co_handle *ready_pop(co_loop *L)
{
    co_handle *h = L->ready_head;
    L->ready_head = h->next;
    if (!L->ready_head)
        L->ready_tail = NULL;
    L->nready--;
    return h;
}

co_handle *co_call_soon_handle(co_loop *L, co_callback_fn fn, void *arg, const char *fn_name)
{
    if (!co__thread_ok(L))
        return NULL;
    co_handle *h = co__handle_new(L, CO_H_CALLBACK);
    if (!h)
        return NULL;
    h->fn = fn;
    h->arg = arg;
    h->fn_name = fn_name ? fn_name : "callback";
    co__handle_copy_context(h);
    co__ready_push(L, h);
    h->refs++;                 /* one for the ready queue, one for the caller */
    if (co__tracing(L)) {
        co_trace_event ev;
        co__event_init(&ev, CO_EV_CALL_SOON);
        ev.h = h->id;
        ev.fn = h->fn_name;
        co__emit(L, &ev);
    }
    return h;
}

co_status co_call_soon(co_loop *L, co_callback_fn fn, void *arg, const char *fn_name)
{
    if (!co__thread_ok(L))
        return CO_ETHREAD;
    co_handle *h = co_call_soon_handle(L, fn, arg, fn_name);
    co_handle_release(h);
    return h ? CO_OK : CO_ENOMEM;
}

co_handle *co_call_at(co_loop *L, double when, co_callback_fn fn, void *arg, const char *fn_name)
{
    if (!co__thread_ok(L))
        return NULL;
    co_handle *h = co__handle_new(L, CO_H_CALLBACK);
    if (!h)
        return NULL;
    h->when = when;
    h->fn = fn;
    h->arg = arg;
    h->fn_name = fn_name ? fn_name : "callback";
    h->is_timer = true;
    co__handle_copy_context(h);
    if (!co__heap_push(&L->timers, h)) {
        co__handle_unref(h);
        return NULL;
    }
    h->scheduled = true;
    h->refs++;                 /* one for the heap, one for the caller */
    if (co__tracing(L)) {
        co_trace_event ev;
        co__event_init(&ev, CO_EV_TIMER_NEW);
        ev.timer = h->id;
        ev.when = when;
        ev.fn = h->fn_name;
        co__emit(L, &ev);
    }
    return h;
}

co_handle *co_call_later(co_loop *L, double delay, co_callback_fn fn, void *arg, const char *fn_name)
{
    return co_call_at(L, co_loop_time(L) + delay, fn, arg, fn_name);
}

void co_handle_cancel(co_handle *h)
{
    if (!h || h->cancelled)
        return;
    co_loop *L = h->loop;
    if (h->is_timer && h->scheduled)          /* TimerHandle.cancel */
        L->timer_cancelled_count++;
    h->cancelled = true;
    if (co__tracing(L)) {
        co_trace_event ev = {.ev = h->is_timer ? CO_EV_TIMER_CANCEL : CO_EV_HANDLE_CANCEL};
        if (h->is_timer)
            ev.timer = h->id;
        else
            ev.h = h->id;
        co__emit(L, &ev);
    }
}

bool co_handle_cancelled(const co_handle *h) { return h->cancelled; }
double co_handle_when(const co_handle *h) { return h->when; }

/* asyncio's debug mode logs a handle that held the loop for
** slow_callback_duration (0.1 s) or more (_run_once, with _format_handle:
** a task's step shows as the task); traces always carry that warning. */
static void check_slow(co_loop *L, co_handle *h, double t0)
{
    double dt = co_loop_time(L) - t0;
    if (dt < 0.1)
        return;
    co_task *t = co__handle_task(h);
    const char *what = t ? co_future_repr(&t->fut) : co_handle_repr(h);
    const char *msg = co_strf("Executing %s took %.3f seconds", what, dt);
    if (co__tracing(L)) {
        co_trace_event ev = {.ev = CO_EV_WARN, .kind = "slow_callback", .msg = msg,
                             .task = t ? t->fut.id : 0};
        co__emit(L, &ev);
    }
    if (L->debug)
        co__log(L, "%s", msg);
}

/* The event a handle's run begins with: `step_begin` for a task's step or
** wake-up, `cb_run` for a callback. */
static CO__NOINLINE void trace_handle_run(co_loop *L, co_handle *h)
{
    co_trace_event ev;
    if (h->kind == CO_H_TASK_STEP || h->kind == CO_H_TASK_WAKEUP) {
        co__event_init(&ev, CO_EV_STEP_BEGIN);
        ev.task = h->task->fut.id;
    } else {
        co__event_init(&ev, CO_EV_CB_RUN);
        ev.fn = h->fn_name;
    }
    ev.h = h->id;
    co__emit(L, &ev);
}

/* Handle._run for a callback: fn(arg), or done_fn(fut, arg), in the
** handle's Context. */
static void run_callback(co_loop *L, co_handle *h)
{
    L->current_cb = h->fn_name;
    co_vars *saved = h->vars ? co__vars_enter(h->vars) : co__tls_vars;   /* Handle._run: context.run */
    if (h->kind == CO_H_CALLBACK)
        h->fn(h->arg);
    else
        h->done_fn(h->fut, h->arg);
    if (h->vars)
        co__vars_leave(saved);
    L->current_cb = NULL;
}

/* Handle._run. A recording or debug-mode loop times each handle
** (check_slow); otherwise the clock is not read. */
static inline void run_handle(co_loop *L, co_handle *h)
{
    L->stats.handles_run++;
    bool timed = co__tracing(L) || L->debug;
    double t0 = 0;
    if (timed) {
        t0 = co_loop_time(L);
        if (co__tracing(L))
            trace_handle_run(L, h);
    }
    switch (h->kind) {
    case CO_H_CALLBACK:
    case CO_H_FUT_CALLBACK:
        run_callback(L, h);
        break;
    case CO_H_TASK_STEP:
        co__task_run_step(h->task, h->exc);
        break;
    case CO_H_TASK_WAKEUP:
        co__task_run_wakeup(h->task, h->fut);
        break;
    }
    if (timed)
        check_slow(L, h, t0);
}

/* --- polling -------------------------------------------------------------- */

/* Wait for up to `timeout` seconds (negative: no limit). Under the virtual
** clock there is nothing to wait for, so time itself moves: now += timeout,
** the same arithmetic the CPython recorder's selector does. */
void co__loop_watch_wakefd(co_loop *L)
{
    if (L->wakefd >= 0 || L->epfd < 0)
        return;
    L->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (L->wakefd < 0)
        return;
    struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0};
    epoll_ctl(L->epfd, EPOLL_CTL_ADD, L->wakefd, &ev);
}

/* Wait for up to `timeout` seconds (negative: no limit), then hand over what
** other threads and simulated workers finished. Under the virtual clock there
** is nothing to wait for, so time itself moves -- to the earlier of the
** timeout and the next simulated job completion: now += timeout, the same
** arithmetic the CPython recorder's selector does. */
static CO__NOINLINE void poll_io(co_loop *L, double timeout)
{
    if (L->clock == CO_CLOCK_VIRTUAL) {
        double due = co__executor_next_due(L);
        if (due < INFINITY) {
            double until_due = due - L->now;
            if (!(until_due > 0))
                until_due = 0;
            if (timeout < 0 || until_due < timeout)
                timeout = until_due;
        }
        if (timeout > 0) {
            double from = L->now;
            L->now = L->now + timeout;
            if (co__tracing(L)) {
                co_trace_event ev = {.ev = CO_EV_IDLE, .from = from, .until = L->now};
                co__emit(L, &ev);
            }
        }
        co__executor_deliver(L);
        return;
    }
    double from = co_loop_time(L);
    int ms = timeout < 0 ? -1 : (int)ceil(timeout * 1000.0);
    struct epoll_event evs[64];
    int n;
    do
        n = epoll_wait(L->epfd, evs, 64, ms);
    while (n < 0 && errno == EINTR);
    if (timeout > 0 && co__tracing(L)) {
        co_trace_event ev = {.ev = CO_EV_IDLE, .from = from, .until = co_loop_time(L)};
        co__emit(L, &ev);
    }
    for (int i = 0; i < n; i++)
        if (evs[i].data.u64 == 0) {        /* the wake-up eventfd */
            uint64_t count;
            ssize_t r = read(L->wakefd, &count, sizeof count);
            (void)r;
        }
    co__executor_deliver(L);
    co__io_dispatch(L, evs, n > 0 ? n : 0);
}

/* Whether a poll with this timeout could change anything: a zero-timeout
** poll lets no time pass, so with no descriptor registered, no job submitted
** and no other thread ever handing work over (call_soon_threadsafe) there is
** nothing for it to hear. */
static inline bool poll_needed(const co_loop *L, double timeout)
{
    if (timeout != 0 || L->ts_used)
        return true;
    if (L->clock == CO_CLOCK_VIRTUAL)
        return L->executors != NULL;   /* simulated jobs finish as time passes */
    return L->nfds != 0 || L->jobs_pending != 0;
}

/* Real clock: whether some thread other than this one and the loop's idle
** workers exists, which could still wake the loop with call_soon_threadsafe
** (the CPython recorder asks the same of threading.enumerate()). Linux's
** /proc/self/task lists the process's threads. */
static bool other_threads(const co_loop *L)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return false;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += e->d_name[0] != '.';
    closedir(d);
    return n > 1 + co__executor_threads(L);
}

/* call_soon_threadsafe handles not yet in the ready queue: the poll hands
** them over, so the loop is not stuck. */
static bool threadsafe_waiting(co_loop *L)
{
    if (!L->ts_used)
        return false;
    pthread_mutex_lock(&L->ts_lock);
    bool any = L->ts_head != NULL;
    pthread_mutex_unlock(&L->ts_lock);
    return any;
}

static void report_deadlock(co_loop *L)
{
    if (!co__tracing(L))
        return;
    sbuf b = {0};
    sb_puts(&b, "nothing is ready, no timer is pending, and nothing can wake the loop; waiting:");
    for (co_task *t = L->live_head; t; t = t->live_next) {
        const char *on = t->fut_waiter ? (t->fut_waiter->label ? t->fut_waiter->label : "a future") : "nothing";
        sb_printf(&b, " %s (on %s);", t->fut.label, on);
    }
    co_trace_event ev = {.ev = CO_EV_WARN, .kind = "deadlock", .msg = b.p ? b.p : ""};
    co__emit(L, &ev);
    sb_free(&b);
}

/* --- one iteration: BaseEventLoop._run_once ------------------------------ */

/* Phase 1 with timers in the heap: drop the cancelled ones, all at once if
** they are many (over 100 timers, more than half cancelled: heapify what is
** left), else those at the head. */
static CO__NOINLINE void drop_cancelled_timers(co_loop *L)
{
    size_t sched_count = L->timers.n;
    if (sched_count > 100 && (double)L->timer_cancelled_count / (double)sched_count > 0.5) {
        size_t kept = 0;
        for (size_t i = 0; i < L->timers.n; i++) {
            co_handle *h = L->timers.items[i];
            if (h->cancelled) {
                h->scheduled = false;
                co__handle_unref(h);
            } else
                L->timers.items[kept++] = h;
        }
        L->timers.n = kept;
        co__heap_heapify(&L->timers);
        L->timer_cancelled_count = 0;
    } else {
        while (L->timers.n && ((co_handle *)L->timers.items[0])->cancelled) {
            L->timer_cancelled_count--;
            co_handle *h = co__heap_pop(&L->timers);
            h->scheduled = false;
            co__handle_unref(h);
        }
    }
}

/* Phase 2 when nothing is ready: how long the poll may wait (negative: no
** limit), or a deadlock (*st set) when nothing could ever wake the loop. */
static CO__COLD double idle_timeout(co_loop *L, co_status *st)
{
    if (L->timers.n) {
        double when = ((co_handle *)L->timers.items[0])->when;
        if (isinf(when) && L->clock == CO_CLOCK_VIRTUAL && !L->jobs_pending) {
            /* Only never-due timers (sleep(math.inf)) are left: under the
            ** virtual clock nothing can ever happen again. */
            report_deadlock(L);
            *st = CO_EDEADLOCK;
            return 0;
        }
        double timeout = when - co_loop_time(L);
        if (!(timeout > 0))
            timeout = 0;
        if (timeout > CO_MAXIMUM_SELECT_TIMEOUT)
            timeout = CO_MAXIMUM_SELECT_TIMEOUT;
        return timeout;
    }
    if (!L->jobs_pending && !L->nfds && !threadsafe_waiting(L) &&
        !(L->clock == CO_CLOCK_REAL && (L->ts_used || other_threads(L)))) {
        /* CPython would block in select() forever: report it instead. */
        report_deadlock(L);
        *st = CO_EDEADLOCK;
    }
    return -1;
}

/* Phase 3 with timers in the heap: those due before now + resolution join
** the ready queue, in heap-pop order. The clock is read here only, as
** CPython's _run_once reads it (its other reading, for the poll's timeout,
** is idle_timeout's). */
static CO__NOINLINE void ready_due_timers(co_loop *L)
{
    double end_time = co_loop_time(L) + CO_CLOCK_RESOLUTION;
    while (L->timers.n) {
        co_handle *h = L->timers.items[0];
        if (h->when >= end_time)
            break;
        co__heap_pop(&L->timers);
        h->scheduled = false;
        co__ready_push(L, h);
        if (co__tracing(L) && !h->cancelled) {   /* a cancelled one moves too, but never runs */
            co_trace_event ev;
            co__event_init(&ev, CO_EV_TIMER_FIRE);
            ev.timer = h->id;
            co__emit(L, &ev);
        }
    }
}

/*
** Phase 4's look-ahead. With many tasks every step resumes a different stack,
** each on a page of its own that was last touched a whole round ago: without
** help a step waits first for the page walk (a TLB miss, dear under nested
** paging) and then for the cache lines of the suspended frames -- about 180
** ns a step at 100k tasks. The handles to run next are known, so while one
** runs, the memory of those after it is fetched: the stack's descriptor (at
** the top of the page: resume reads it) and the saved registers of the task
** two handles on, and the task itself three on, whose stack and saved stack
** pointer that prefetch reads (a step takes ~80 ns, less than a miss: one
** handle ahead left much of it exposed). Only pointers the task holds are
** read, and a prefetch never faults, so a task that has not started (no
** stack) or a cancelled handle costs nothing; nothing is written, so the
** schedule cannot change. Copy mode (task.c) runs its tasks on two warm
** stacks and is left alone. When the handle run next is the last ready one
** (two tasks taking turns, ping-pong), it is one test.
**
** Always inlined: GCC deems a function whose only effect is prefetches pure,
** and drops its calls.
*/
static inline CO__ALWAYS_INLINE void prefetch_ahead(const co_loop *L, const co_handle *next)
{
    if (!next || !(next = next->next) || L->stack_copy)   /* the handle after the next one */
        return;
    const co_task *t = co__handle_task(next);
    if (t && t->stack) {
        const char *sp = co__context_sp(&t->ctx);
        __builtin_prefetch(t->stack);
        if (sp) {
            __builtin_prefetch(sp);
            __builtin_prefetch(sp + 64);
        }
    }
    if ((next = next->next) && (t = co__handle_task(next)))
        __builtin_prefetch(&t->stack);
}

co_status co_loop_run_once(co_loop *L)
{
    L->stats.iterations++;

    /* 1. Drop cancelled timers: all at once if they are many, else from the head. */
    if (L->timers.n)
        drop_cancelled_timers(L);

    /* 2. Poll: not at all if something is ready, else until the first timer. */
    double timeout = 0;
    if (!L->nready && !L->stopping) {
        co_status st = CO_OK;
        timeout = idle_timeout(L, &st);
        if (st != CO_OK)
            return st;
    }
    if (poll_needed(L, timeout))
        poll_io(L, timeout);

    /* 3. Timers due before now + resolution join the ready queue. */
    if (L->timers.n)
        ready_due_timers(L);

    /* 4. Run what is ready now; what they schedule waits for the next round. */
    size_t ntodo = L->nready;
    for (size_t i = 0; i < ntodo; i++) {
        co_handle *h = ready_pop(L);
        prefetch_ahead(L, L->ready_head);      /* what the handles after h will touch */
        if (!h->cancelled)
            run_handle(L, h);
        co__handle_unref(h);
        /* Handle._run lets SystemExit and KeyboardInterrupt through: the
        ** iteration ends here, what is still ready stays ready. */
        if (L->exit_exc) {
            L->exit_raised = L->exit_exc;
            L->exit_exc = NULL;
            return CO_EEXIT;
        }
    }
    return CO_OK;
}

co_status co_loop_run_forever(co_loop *L)
{
    if (L->running)
        return CO_ERUNNING;
    co_loop *saved = co__tls_loop;
    co__tls_loop = L;
    L->thread = pthread_self();
    L->running = true;
    co_status st = CO_OK;
    for (;;) {
        st = co_loop_run_once(L);
        if (st != CO_OK || L->stopping)
            break;
    }
    L->stopping = false;
    L->running = false;
    co__tls_loop = saved ? saved : L;
    return st;
}

void co_loop_stop(co_loop *L) { L->stopping = true; }

/* base_events._run_until_complete_cb: retrieve the exception, stop the loop. */
static void run_until_complete_cb(co_future *f, void *arg)
{
    (void)arg;
    if (!co_future_cancelled(f)) {
        co_exc *e = NULL;
        co_future_exception(f, &e);
    }
    co_loop_stop(f->loop);
}

co_status co_loop_run_until_complete(co_loop *L, co_future *fut)
{
    if (L->running)
        return CO_ERUNNING;
    co_status st = co_future_add_done_callback(fut, run_until_complete_cb, NULL, "_run_until_complete_cb");
    if (st != CO_OK)
        return st;
    st = co_loop_run_forever(L);
    co_future_remove_done_callback(fut, run_until_complete_cb, NULL);
    if (st == CO_EEXIT && co_future_done(fut) && !co_future_cancelled(fut)) {
        co_exc *ignored;                   /* the exception is on its way out: retrieved */
        co_future_exception(fut, &ignored);
    }
    if (st != CO_OK)
        return st;
    return co_future_done(fut) ? CO_OK : CO_ESTOPPED;
}

co_exc *co_loop_exit_exception(co_loop *L)
{
    co_exc *e = L->exit_raised;
    L->exit_raised = NULL;
    return e;
}

void co_loop_print(co_loop *L, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    co__loop_vprint(L, NULL, fmt, ap);
    va_end(ap);
}

void co__loop_vprint(co_loop *L, const char *src, const char *fmt, va_list ap)
{
    sbuf b = {0};
    sb_vprintf(&b, fmt, ap);
    const char *text = b.p ? b.p : "";
    if (co__tracing(L)) {
        co_trace_event ev = {.ev = CO_EV_PRINT, .task = L->current ? L->current->fut.id : 0,
                             .text = text, .src = src};
        co__emit(L, &ev);
    }
    if (L->out) {
        fputs(text, L->out);
        fputc('\n', L->out);
    }
    sb_free(&b);
}

void co_loop_trace_source(co_loop *L, const char *file, const char *text)
{
    if (!co__tracing(L))
        return;
    co_trace_event ev = {.ev = CO_EV_SOURCE, .file = file, .text = text};
    co__emit(L, &ev);
}

void co_loop_trace_end(co_loop *L, co_status st)
{
    if (!co__tracing(L) || L->trace_ended)
        return;
    co_trace_event ev = {.ev = CO_EV_END,
                         .reason = st == CO_OK ? "complete" : st == CO_EDEADLOCK ? "deadlock" : "error"};
    co__emit(L, &ev);
}
