/*
** internal.h -- what the runtime's own files share and users never see.
**
** The layouts of handles, futures, tasks and the loop, and the co__ functions
** that pass work between loop.c, future.c, task.c and the combinators.
*/
#ifndef CO_INTERNAL_H
#define CO_INTERNAL_H

#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "context.h"
#include "exchandler.h"
#include "contextvars.h"
#include "heap.h"
#include "alloc.h"
#include "stack.h"
#include "task.h"

/* AddressSanitizer builds announce stack switches (task.c) and keep a word
** per task for it. */
#if defined(__SANITIZE_ADDRESS__)
#define CO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CO_ASAN 1
#endif
#endif

/* Functions off the hot path: kept out of line (so that the hot one keeps
** a small frame), and for CO__COLD its calls predicted not taken;
** CO__ALWAYS_INLINE for a hot helper the compiler must not keep as a call. */
#if defined(__GNUC__)
#define CO__NOINLINE __attribute__((noinline))
#define CO__COLD __attribute__((cold, noinline))
#define CO__ALWAYS_INLINE __attribute__((always_inline))
#else
#define CO__NOINLINE
#define CO__COLD
#define CO__ALWAYS_INLINE
#endif

/* API misuse that would corrupt the loop: always checked, prints and aborts. */
#define CO_API_CHECK(cond, what)                                                   \
    do {                                                                           \
        if (!(cond))                                                               \
            co__api_fail(__FILE__, __LINE__, #cond, (what));                       \
    } while (0)
_Noreturn void co__api_fail(const char *file, int line, const char *expr, const char *what);

/* --- contexts (contextvars.c) ---------------------------------------------- */

typedef struct co__vmap co__vmap;     /* an immutable variable -> value mapping */

struct co_vars {                      /* contextvars.Context */
    const co__vmap *map;              /* its values now (NULL: none) */
    bool entered;                     /* current somewhere (Context.run refuses re-entry) */
};

extern _Thread_local co_vars *co__tls_vars;   /* the current Context, NULL: the thread's own */
co_vars *co__vars_current(void);              /* never NULL */

/* Enter ctx (make it current); returns what to give co__vars_leave. */
static inline co_vars *co__vars_enter(co_vars *ctx)
{
    co_vars *saved = co__tls_vars;
    ctx->entered = true;
    co__tls_vars = ctx;
    return saved;
}
static inline void co__vars_leave(co_vars *saved)
{
    co__tls_vars->entered = false;
    co__tls_vars = saved;
}

/* --- handles --------------------------------------------------------------- */

typedef enum co_handle_kind {
    CO_H_CALLBACK,      /* fn(arg): call_soon / call_later */
    CO_H_FUT_CALLBACK,  /* done_fn(fut, arg): a future's done-callback */
    CO_H_TASK_STEP,     /* Task.__step(): first step, or after a bare yield */
    CO_H_TASK_WAKEUP    /* Task.__wakeup(fut): the future it awaited is done */
} co_handle_kind;

struct co_handle {
    double when;               /* timers: deadline (first: heap.h reads it) */
    uint64_t id;               /* trace id */
    co_loop *loop;             /* owner */
    co_handle_kind kind;       /* what running it does */
    int refs;                  /* queue/heap + callers holding it */
    bool cancelled;            /* Handle._cancelled */
    bool scheduled;            /* TimerHandle._scheduled: in the heap */
    bool is_timer;             /* a TimerHandle */
    bool foreign;              /* made by another thread with co_malloc (call_soon_threadsafe): freed, not recycled */
    /* What it calls. One kind never uses both members of a union. */
    union {
        co_callback_fn fn;     /* CO_H_CALLBACK */
        co_done_fn done_fn;    /* CO_H_FUT_CALLBACK */
    };
    union {
        void *arg;             /* CO_H_*CALLBACK: argument of fn / done_fn */
        co_task *task;         /* CO_H_TASK_*: the task to step */
    };
    const char *fn_name;       /* for traces */
    co_future *fut;            /* CO_H_FUT_CALLBACK / CO_H_TASK_WAKEUP, a sleep's timer (a reference) */
    co_exc *exc;               /* CO_H_TASK_STEP: thrown in at the step (call_soon(__step, exc)) */
    co_vars *vars;             /* callbacks: the Context they run in (Handle._context) */
    co_vars own_vars;          /* ... usually this one: a copy made when it was scheduled */
    co_handle *next;           /* ready queue link */
};

/* The task a handle steps, or NULL for a callback. */
static inline co_task *co__handle_task(const co_handle *h)
{
    return h->kind == CO_H_TASK_STEP || h->kind == CO_H_TASK_WAKEUP ? h->task : NULL;
}

/* --- futures ---------------------------------------------------------------- */

typedef enum co_fut_state { CO_PENDING, CO_FINISHED, CO_CANCELLED } co_fut_state;

typedef struct co_fut_cb {
    co_done_fn fn;             /* plain callback, or NULL for a task wake-up */
    void *arg;                 /* its argument */
    const char *name;          /* for traces */
    co_task *task;             /* the task to wake (fn == NULL) */
    const co__vmap *vars;      /* plain callbacks: the Context copied when it was added */
} co_fut_cb;

struct gather_state;

/* The field order packs the flags into one word: a future is inside every
** task and is the block an awaited sleep, queue or Event waiter takes, so
** every byte counts twice per suspended task (docs/ARCHITECTURE.md). */
struct co_future {
    uint64_t id;               /* trace id */
    co_loop *loop;             /* owner */
    uint8_t state;             /* _state (a co_fut_state) */
    bool is_task;              /* this is the first member of a co_task */
    bool log_traceback;        /* exception set and not yet retrieved */
    bool cancel_requested;     /* _GatheringFuture._cancel_requested */
    bool transient;            /* internal (sleep, queue waiters): recycled at refs == 0 */
    bool cb_heap;              /* the callbacks are in cb.heap (else: at most one, a wake-up in cb.wake) */
    int refs;                  /* transient futures: holders */
    uint32_t ncb;              /* _callbacks: how many */
    union {                    /* _callbacks, registration order */
        co_task *wake;         /* !cb_heap: the one callback almost every future gets, its awaiting task's wake-up */
        co_fut_cb *heap;       /* cb_heap: all of them (capacity: the next power of two >= max(ncb, 4)) */
    } cb;
    co_value result;           /* _result */
    co_exc *exc;               /* _exception */
    const char *cancel_msg;    /* _cancel_message */
    const char *kind, *label;  /* what a timeline shows */
    struct gather_state *gather;  /* _GatheringFuture: its children (combine.c), else NULL */
    co_future *next;           /* loop's list of futures */
    co_future *prev;           /* loop's list of futures */
};

/* Handles and transient futures are blocks of one size, recycled through one
** free list: the handle a task's first step ran on becomes the future it then
** waits on, so a suspended task holds one block, not two (as CPython's
** allocator hands a freed Handle's memory to the next Future). Blocks come
** from the loop's arena and go back with it (call_soon_threadsafe's handles,
** made on other threads, are the exception: h.foreign). */
typedef union co__block {
    co_handle h;
    co_future f;
    union co__block *next;     /* on the free list */
} co__block;

/* --- tasks ----------------------------------------------------------------- */

typedef enum co_yield {
    CO_Y_NONE,                 /* running */
    CO_Y_AWAIT,                /* waits on fut_waiter */
    CO_Y_YIELD,                /* bare yield */
    CO_Y_RETURN,               /* coroutine returned fut.result (not yet set: the future is pending) */
    CO_Y_RAISE                 /* coroutine raised mail_exc */
} co_yield;

/* What a task keeps of its co_coro: all but the arguments, which follow
** the task (co_task.args) and take only the room their number needs. */
typedef struct co__coro_head {
    co_fn fn;                  /* the coroutine function */
    const char *name;          /* its name, as traces show it */
    const char *src;           /* file:line where it was made, or NULL */
    size_t stack_size;         /* 0: the loop's default */
    uint32_t origin;           /* debug mode: its entry in the loop's list of coroutines */
    uint8_t nargs;             /* arguments in co_task.args */
} co__coro_head;

/* A waiter of a Lock, Event, Semaphore or Condition (sync.c): a node of the
** primitive's list of waiting tasks, linked in only while its task is inside
** the awaiting call. */
typedef struct co__waiter {
    co_future *fut;            /* completed to wake the task */
    struct co__waiter *prev, *next;
} co__waiter;

/* A task's stack bytes while it is suspended in copy mode: copied out of its
** shared stack when another task needs it (or, with stack_poison, when it
** gives control back), and back to the same addresses before it resumes. */
typedef struct co__saved_stack {
    uint32_t len;              /* bytes saved: from the saved stack pointer to the stack's top */
    uint32_t cap;              /* room in bytes[] */
    unsigned char bytes[];
} co__saved_stack;

/* What a task has in copy mode only, after its arguments (co__task_copy):
** the default mode allocates none of it. A task waits on one primitive at a
** time, so one waiter node is enough. */
typedef struct co__task_copy_state {
    co__waiter waiter;         /* its node in a primitive's list (sync.c), off the shared stack */
    co__saved_stack *saved;    /* its bytes once evicted from its stack, or NULL (stale while it owns it) */
} co__task_copy_state;

/* A task lives until the loop is freed (co__task_free_all), in the loop's
** arena; its stack goes back to the pool when it finishes. The mailbox is what the coroutine and
** the loop pass each other at a switch. */
struct co_task {
    co_future fut;             /* a task is a future: keep first; fut.label is get_name() */
    co__coro_head coro;        /* what it runs */
    bool must_cancel;          /* _must_cancel (the message is fut.cancel_msg, as in CPython) */
    bool started;              /* the coroutine has begun running */
    uint8_t yield_kind;        /* mailbox: why the coroutine gave control back (a co_yield) */
    uint8_t stack_slot;        /* copy mode: which of its pool's shared stacks it runs on */
    int num_cancels_requested; /* cancelling() */
    co_context ctx;            /* saved registers while suspended */
    co_stack *stack;           /* NULL until the first step, and after the end */
    co_future *fut_waiter;     /* _fut_waiter; mailbox: the future awaited (CO_Y_AWAIT) */
    const char *yield_src;     /* mailbox: file:line of the await (read by repr while suspended) */
    co_exc *mail_exc;          /* mailbox: thrown in at the await (to the task), or raised by the coroutine
                                  (CO_Y_RAISE); before the first step: debug mode's "cannot reuse already
                                  awaited coroutine", thrown in then unless something else is */
    co_exc *cancelled_exc;     /* _cancelled_exc: the CancelledError it ended with */
    co_vars *vars;             /* _context: each step runs in it */
    co_vars own_vars;          /* ... usually this one: copy_context() at creation */
    co_task *live_prev, *live_next;  /* unfinished tasks, creation order */
    co_task *all_next;         /* every task of the loop (for freeing) */
#ifdef CO_ASAN
    void *asan_fake_stack;     /* AddressSanitizer bookkeeping */
#endif
    co_value args[];           /* the coroutine's arguments (coro.nargs), by value */
};

/* A copy-mode task's own state: after its arguments (create_task sizes it so). */
static inline co__task_copy_state *co__task_copy(co_task *t)
{
    return (co__task_copy_state *)(t->args + t->coro.nargs);
}

#define CO__STACK_POISON 0xCC   /* a pointer read from it is not canonical on x86-64: it faults */

/* --- the loop ------------------------------------------------------------- */

typedef struct co_arena_block co_arena_block;

/* Copy mode: how many stacks of one size the tasks take turns on. A task
** keeps the one it started on; its bytes are saved only when another task
** needs that stack, so two tasks taking turns copy nothing. */
#define CO__SHARED_STACKS 2

typedef struct co_pool_entry {
    co_stack_pool pool;        /* stacks of one size */
    co_stack *shared[CO__SHARED_STACKS];  /* copy mode: the stacks its tasks take turns on, once acquired */
    co_task *owner[CO__SHARED_STACKS];    /* ... the task whose bytes are on each, or NULL */
    unsigned next_slot;        /* ... round robin: the slot the next task to start takes */
    struct co_pool_entry *next;
} co_pool_entry;

static inline void co__pool_entry_init(co_pool_entry *p, size_t size)
{
    co__stack_pool_init(&p->pool, size);
    for (int i = 0; i < CO__SHARED_STACKS; i++) {
        p->shared[i] = NULL;
        p->owner[i] = NULL;
    }
    p->next_slot = 0;
}

struct co_loop {
    double now;                /* virtual clock: seconds */
    double t0;                 /* real clock: CLOCK_MONOTONIC at creation */
    co_clock clock;            /* which clock */
    co_handle *ready_head;     /* _ready: FIFO of handles */
    co_handle *ready_tail;
    size_t nready;
    co_heap timers;            /* _scheduled */
    size_t timer_cancelled_count;  /* _timer_cancelled_count */
    bool stopping;             /* _stopping */
    bool running;              /* inside run_forever */
    bool closing_warned;       /* pending_at_close already reported */
    bool trace_ended;          /* `end` was written: nothing more is */
    bool set_order;            /* CPython would be iterating a set now: events say "order":"set" */
    co_task *current;          /* task whose step runs, or NULL */
    co_exc *exit_exc;          /* SystemExit / KeyboardInterrupt raised by the handle running */
    co_exc *exit_raised;       /* ... and passed out of run_forever (co_loop_exit_exception) */
    const char *current_cb;    /* callback being run, or NULL */
    uint64_t next_id;          /* id counter for traces */
    uint64_t reserved_task_id; /* the id the next task takes (wait_for named it in `of` first), or 0 */
    const uint64_t *next_of;   /* `of` for the next future made (as_completed's queue get), or NULL */
    size_t next_nof;
    uint64_t seq;              /* last event seq */
    co_tracer tracer;          /* recording */
    FILE *out;                 /* echo for print */
    FILE *err;                 /* what asyncio logs (the default exception handler), or NULL */
    bool debug;                /* loop.get_debug() */
    pthread_t thread;          /* run_forever's thread (BaseEventLoop._thread_id) */
    struct co_origin *origins; /* debug mode: every coroutine made (task.c) */
    size_t norigins, caporigins;
    co_exception_handler exc_handler;   /* set_exception_handler, or NULL: the default */
    void *exc_handler_ud;
    co_task *live_head, *live_tail;  /* unfinished tasks */
    size_t nlive;
    co_task *all_tasks;        /* every task created */
    co_future *futures;        /* every live future (not tasks) */
    co__block *free_blocks;    /* recycled handles and transient futures */
    co_pool_entry *pools;      /* stack pools by size; the first is the default */
    size_t stack_size;         /* default per-task stack size */
    bool stack_copy;           /* CO_STACK_COPY: tasks share one stack per size (task.c) */
    bool stack_poison;         /* copy mode: save a task's bytes at once, their place filled with CO__STACK_POISON */
    co_arena_block *arena;     /* values, strings, exceptions */
    co_context main_ctx;       /* the loop's own stack while a task runs */
    const void *main_stack_bottom;  /* AddressSanitizer: the loop's stack */
    size_t main_stack_size;
    int epfd;                  /* real clock: epoll instance, or -1 */
    size_t nfds;               /* descriptors registered with epfd */
    co_loop_stats stats;       /* counters */
    struct co_closer *closers; /* co__at_close list */
    /* executors and other threads (executor.c) */
    struct co_executor *executors;      /* every pool, the default first once made */
    struct co_executor *default_executor;
    size_t jobs_pending;       /* submitted jobs not yet delivered to the loop */
    co_future *shutdown_waiter; /* shutdown_default_executor waits on it until no job is pending */
    pthread_mutex_t ts_lock;   /* guards ts_head/ts_tail and done_jobs */
    co_handle *ts_head, *ts_tail;       /* call_soon_threadsafe handles, not yet ready */
    struct co_job *done_jobs;  /* real clock: finished jobs, not yet delivered */
    int wakefd;                /* eventfd that wakes epoll_wait from other threads, or -1 */
    bool ts_used;              /* call_soon_threadsafe was ever called */
    bool threaded;             /* worker threads exist: the arena takes ts_lock */
};

/* The loop current on this thread: running, or the last created. */
extern _Thread_local co_loop *co__tls_loop;

void *co__arena_alloc(size_t size);          /* from co__tls_loop's arena */
void *co__arena_alloc_in(co_loop *L, size_t size);   /* from L's (16-byte aligned, freed with L) */
co_exc *co__exc_nomem(void);                 /* a static MemoryError */

static inline bool co__tracing(const co_loop *L) { return L->tracer.event != NULL; }
void co__emit(co_loop *L, co_trace_event *ev);     /* stamps seq and t, hands it on */

/*
** An event of kind k, every other field zero, to fill in and hand to
** co__emit: what `co_trace_event ev = {.ev = k, ...}` does, for the events
** every pass makes. GCC clears a struct of this size (~310 bytes) with `rep
** stosq`, whose start-up cost made the clearing ~10% of a recorded ping-pong
** pass; unrolled 16-byte stores take a few cycles.
*/
#if defined(__GNUC__) && !defined(__clang__)
#define CO__UNROLL _Pragma("GCC unroll 32")
#else
#define CO__UNROLL
#endif
static inline void co__event_init(co_trace_event *ev, co_trace_event_kind k)
{
    const uint64_t zero[2] = {0, 0};
    unsigned char *p = (unsigned char *)ev;
    CO__UNROLL
    for (size_t i = 0; i + sizeof zero <= sizeof *ev; i += sizeof zero)
        memcpy(p + i, zero, sizeof zero);
    memcpy(p + (sizeof *ev - sizeof *ev % sizeof zero), zero, sizeof *ev % sizeof zero);
    ev->ev = k;
}
/* co_loop_print with a source location (co_print_at). */
void co__loop_vprint(co_loop *L, const char *src, const char *fmt, va_list ap);
static inline uint64_t co__new_id(co_loop *L) { return ++L->next_id; }
void co__warn_pending(co_loop *L);   /* pending_at_close for each live task, once */

/* A `warn` event of this kind and message (when tracing), then the loop's
** exception handler with ctx: what CPython's call_exception_handler sites do. */
void co__report(co_loop *L, const char *kind, const char *msg, const co_exc_context *ctx);
/* A line of what asyncio's logger writes (to the loop's err stream). */
void co__log(co_loop *L, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Blocks (handles, transient futures): from the free list, or new. */
static inline co__block *co__block_get(co_loop *L)
{
    co__block *b = L->free_blocks;
    if (!b)
        return co__arena_alloc_in(L, sizeof *b);
    L->free_blocks = b->next;
    return b;
}
static inline void co__block_put(co_loop *L, co__block *b)
{
    b->next = L->free_blocks;
    L->free_blocks = b;
}

/* Handles. co__handle_new gives a handle of one reference (the ready queue's
** or the heap's, once pushed), every other field zero. It is inline, and
** clears field by field: a task's wake-up and its next step make one per
** pass, and GCC turns a memset of this size into `rep stosq`, whose start-up
** alone costs more than these stores. */
static inline co_handle *co__handle_new(co_loop *L, co_handle_kind kind)
{
    co__block *b = co__block_get(L);
    if (!b)
        return NULL;
    co_handle *h = &b->h;
    h->when = 0;
    h->id = co__new_id(L);
    h->loop = L;
    h->kind = kind;
    h->refs = 1;
    h->cancelled = h->scheduled = h->is_timer = h->foreign = false;
    h->fn = NULL;
    h->arg = NULL;
    h->fn_name = NULL;
    h->fut = NULL;
    h->exc = NULL;
    h->vars = NULL;
    h->own_vars.map = NULL;
    h->own_vars.entered = false;
    h->next = NULL;
    return h;
}
#if UINTPTR_MAX == 0xffffffffffffffffu
_Static_assert(sizeof(co_handle) == 112, "a field was added to co_handle: clear it in co__handle_new");
#endif
void co__handle_free(co_handle *h);    /* the last reference went */
static inline void co__handle_unref(co_handle *h)
{
    if (--h->refs <= 0)
        co__handle_free(h);
}
/* call_soon's half that every handle shares: h joins the ready queue's tail. */
static inline void co__ready_push(co_loop *L, co_handle *h)
{
    h->next = NULL;
    if (L->ready_tail)
        L->ready_tail->next = h;
    else
        L->ready_head = h;
    L->ready_tail = h;
    L->nready++;
}
co_handle *co__schedule_step(co_loop *L, co_task *t);   /* call_soon(task.__step) */

/* Handle(..., context=None): the callback will run in a copy of the Context
** current now (a copy is a pointer: nothing is allocated). */
static inline void co__handle_copy_context(co_handle *h)
{
    h->own_vars.map = co__vars_current()->map;
    h->own_vars.entered = false;
    h->vars = &h->own_vars;
}

/* Futures. */
/* Future.__init__: pending, no callbacks, no holders yet. Field by field
** rather than memset: this runs for every await on a queue or a sleep. */
static inline void co__future_init(co_loop *L, co_future *f, const char *kind, const char *label)
{
    f->id = co__new_id(L);
    f->loop = L;
    f->state = CO_PENDING;
    f->is_task = false;
    f->log_traceback = false;
    f->cancel_requested = false;
    f->transient = false;
    f->cb_heap = false;
    f->refs = 0;
    f->ncb = 0;
    f->cb.wake = NULL;
    f->result = co_none();
    f->exc = NULL;
    f->cancel_msg = NULL;
    f->kind = kind;
    f->label = label;
    f->gather = NULL;
    f->next = f->prev = NULL;
}
void co__future_release_array(co_future *f);   /* frees the callback array (and leaves the loop's list) */
static inline void co__future_ref(co_future *f) { f->refs++; }
/* A transient future's last reference went: back to the free list. */
static inline void co__future_release(co_future *f)
{
    if (f->cb_heap)
        co__future_release_array(f);
    co__block_put(f->loop, (co__block *)f);
}
static inline void co__future_unref(co_future *f)
{
    if (--f->refs <= 0 && f->transient)
        co__future_release(f);
}
bool co__future_base_cancel(co_future *f, const char *msg);   /* Future.cancel */
/* co__future_new with FORMAT.md's `of` on its fut_new: the ids of what it
** waits for on a task's behalf (gather's children, wait's futures, wait_for's
** and shield's inner one). of is read at once. */
co_future *co__future_new_of(co_loop *L, const char *kind, const char *label, bool transient,
                             const uint64_t *of, size_t nof);
/* A pending future of this kind and label (what a timeline shows); a
** transient one is a block that goes back to the free list at refs == 0. */
static inline co_future *co__future_new(co_loop *L, const char *kind, const char *label, bool transient)
{
    if (transient && L->free_blocks && !co__tracing(L)) {
        /* Inline, what co__future_new_of does for a waiter made in a block
        ** of the free list -- every await on a queue, a lock or a sleep. */
        co__block *b = L->free_blocks;
        L->free_blocks = b->next;
        co_future *f = &b->f;
        co__future_init(L, f, kind, label);
        f->transient = true;
        f->refs = 1;
        return f;
    }
    return co__future_new_of(L, kind, label, transient, NULL, 0);
}
/* The ids of fs[0..n), for an `of`: in the arena, NULL when not tracing or
** out of memory (the fut_new then goes without). */
uint64_t *co__ids_of(co_loop *L, co_future *const *fs, size_t n);
co_exc *co__future_set_result(co_future *f, co_value v);       /* Future.set_result, tasks too */
co_exc *co__future_set_exception(co_future *f, co_exc *e);   /* Future.set_exception, tasks too */
co_exc *co__future_make_cancelled_error(co_future *f);
/* co_future_result, with the outcome nearly every await has -- a result --
** read inline. */
static inline co_exc *co__future_result(co_future *f, co_value *out)
{
    if (f && f->state == CO_FINISHED && !f->exc) {
        f->log_traceback = false;
        if (out)
            *out = f->result;
        return NULL;
    }
    return co_future_result(f, out);
}
void co__future_schedule_callbacks(co_future *f);
/* Callback i of f (i < ncb). */
static inline co_fut_cb co__future_cb(const co_future *f, uint32_t i)
{
    if (f->cb_heap)
        return f->cb.heap[i];
    co_fut_cb cb = {NULL, NULL, "__wakeup", f->cb.wake, NULL};
    return cb;
}
/* _GatheringFuture.cancel (combine.c): f->gather is set. */
bool co__gather_cancel(co_future *f, const char *msg);
/* add_done_callback(t.__wakeup): what every await that suspends does. The
** first callback of a pending future is stored inline (cb.wake). */
co_status co__future_add_wakeup_slow(co_future *f, co_task *t);
static inline co_status co__future_add_wakeup(co_future *f, co_task *t)
{
    if (f->ncb == 0 && !f->cb_heap && f->state == CO_PENDING) {
        f->cb.wake = t;
        f->ncb = 1;
        return CO_OK;
    }
    return co__future_add_wakeup_slow(f, t);
}
void co__future_free_all(co_loop *L);

/* Tasks. */
void co__task_run_step(co_task *t, co_exc *exc);        /* Task.__step(exc) */
void co__task_run_wakeup(co_task *t, co_future *fut);   /* Task.__wakeup(fut) */
bool co__task_cancel(co_task *t, const char *msg, const char *via);
void co__task_finished(co_task *t);                     /* leaves the live list */
void co__task_free_all(co_loop *L);
co_task *co__require_task(const char *what);  /* the current task, or API failure */
void co__task_number_skip(void);  /* a Task-N number CPython spends on an internal task */
uint32_t co__origin_new(co_loop *L, const char *name, const char *src);   /* debug: a coroutine made */
void co__origins_report(co_loop *L);   /* debug: "coroutine ... was never awaited", once each */

/* Debug mode's BaseEventLoop._check_thread: false when the loop runs on
** another thread than the caller's (the operation must then be refused). */
static inline bool co__thread_ok(const co_loop *L)
{
    return !L->debug || !L->running || pthread_equal(L->thread, pthread_self());
}
co_exc *co__suspend(co_task *t, co_yield kind, co_future *f, const char *src);

/* Executors (executor.c): the poll phase asks when the next simulated job
** finishes, then hands over whatever finished (both clocks). */
double co__executor_next_due(co_loop *L);          /* INFINITY if none */
void co__executor_deliver(co_loop *L);             /* poll phase: completions -> ready */
void co__executor_free_all(co_loop *L);            /* joins threads */
void co__executor_idle(co_loop *L);                /* a job was delivered: shutdown may be done */
size_t co__executor_threads(const co_loop *L);     /* worker threads started */
void co__threadsafe_drain(co_loop *L);             /* call_soon_threadsafe -> ready */
void co__loop_watch_wakefd(co_loop *L);            /* make the eventfd and poll it */

/* Sockets (stream.c): hand the poller's ready descriptors to their waiters. */
struct epoll_event;
void co__io_dispatch(co_loop *L, struct epoll_event *evs, int n);

/* Run fn(arg) when the loop is freed (for objects that own C memory). */
co_status co__at_close(co_loop *L, void (*fn)(void *), void *arg);

#endif
