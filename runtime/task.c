/*
** task.c -- asyncio.Task on stackful coroutines (see task.h).
**
** Two sides meet here. On the loop's stack, co__task_run_step is CPython's
** Task.__step: it resumes the coroutine and, when control comes back, reads
** the task's mailbox (yield_kind) to learn why -- it awaits a future, made a
** bare yield, returned or raised -- and does the bookkeeping __step does. On
** the task's own stack, co__suspend fills the mailbox and switches back to the
** loop; co_await, co_sleep and every other awaiting call end up there.
*/
#include <assert.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

#ifdef CO_ASAN
#include <sanitizer/common_interface_defs.h>
static _Thread_local void *asan_fake_main;
#endif

static unsigned long long task_name_counter;   /* tasks._task_name_counter: process-wide */

co_coro co_coro_make_at(co_fn fn, const char *name, int nargs, const co_value *args, const char *src)
{
    co_coro c;
    memset(&c, 0, sizeof c);
    c.fn = fn;
    c.name = name;
    c.src = src;
    CO_API_CHECK(nargs >= 0 && nargs <= CO_MAXARGS, "too many coroutine arguments (CO_MAXARGS)");
    c.nargs = nargs;
    for (int i = 0; i < nargs; i++)
        c.args[i] = args[i];
    co_loop *L = co__tls_loop;
    if (L && L->debug)                     /* sys.set_coroutine_origin_tracking_depth */
        c.origin = co__origin_new(L, name, src);
    return c;
}

co_coro co_coro_make(co_fn fn, const char *name, int nargs, const co_value *args)
{
    return co_coro_make_at(fn, name, nargs, args, NULL);
}

/* --- debug mode: coroutine origins ------------------------------------------ */

struct co_origin {
    const char *name;          /* the coroutine function */
    const char *src;           /* where the coroutine was made, or NULL */
    bool awaited;              /* awaited or wrapped in a task */
    bool reported;             /* its never-awaited warning was given */
};

uint32_t co__origin_new(co_loop *L, const char *name, const char *src)
{
    if (L->norigins == L->caporigins) {
        size_t cap = L->caporigins ? L->caporigins * 2 : 16;
        struct co_origin *p = co_realloc(L->origins, cap * sizeof *p);
        if (!p)
            return 0;                      /* out of memory: this one is not tracked */
        L->origins = p;
        L->caporigins = cap;
    }
    L->origins[L->norigins] = (struct co_origin){name, src, false, false};
    return (uint32_t)++L->norigins;
}

/* The coroutine starts running (awaited, or its task's first step): it
** cannot start twice. */
static co_exc *origin_consume(co_loop *L, const co_coro *c)
{
    if (!c->origin || c->origin > L->norigins)
        return NULL;
    struct co_origin *o = &L->origins[c->origin - 1];
    if (o->awaited)
        return co_exc_new("RuntimeError", "cannot reuse already awaited coroutine");
    o->awaited = true;
    return NULL;
}

void co__origins_report(co_loop *L)
{
    for (size_t i = 0; i < L->norigins; i++) {
        struct co_origin *o = &L->origins[i];
        if (o->awaited || o->reported)
            continue;
        o->reported = true;
        const char *where = o->src ? o->src : "<unknown>";
        if (co__tracing(L)) {
            co_trace_event ev = {.ev = CO_EV_WARN, .kind = "never_awaited",
                                 .msg = co_strf("coroutine '%s' was never awaited (created at %s)", o->name, where)};
            co__emit(L, &ev);
        }
        /* warnings.warn's format, with the origin traceback debug mode adds. */
        const char *colon = o->src ? strrchr(o->src, ':') : NULL;
        if (colon)
            co__log(L, "%s: RuntimeWarning: coroutine '%s' was never awaited\n"
                       "Coroutine created at (most recent call last)\n  File \"%.*s\", line %s",
                    where, o->name, (int)(colon - o->src), o->src, colon + 1);
        else
            co__log(L, "%s: RuntimeWarning: coroutine '%s' was never awaited", where, o->name);
    }
}

void co__task_number_skip(void) { ++task_name_counter; }

const char *co_task_name(const co_task *t) { return t ? t->fut.label : "<no task>"; }
uint64_t co_task_id(const co_task *t) { return t->fut.id; }
int co_task_cancelling(const co_task *t) { return t->num_cancels_requested; }

co_task *co_current_task(void)
{
    co_loop *L = co__tls_loop;
    return L ? L->current : NULL;
}

co_task *co__require_task(const char *what)
{
    co_task *t = co_current_task();
    if (!t)
        co__api_fail(__FILE__, __LINE__, "co_current_task() != NULL", what);
    return t;
}

/* --- stack overflow reporting ----------------------------------------------- */

static void put_str(const char *s) { ssize_t r = write(2, s, strlen(s)); (void)r; }

static void report_overflow(const co_task *t)
{
    put_str("coroscope: stack overflow in task '");
    put_str(t->fut.label);
    put_str("' (coroutine ");
    put_str(t->coro.name);
    put_str("); give it a larger stack: co_coro.stack_size or co_loop_config.stack_size\n");
}

#if defined(__x86_64__) && defined(CO_CONTEXT_ASM)
/* Where __morestack goes (runtime/arch/switch_x86_64.S, through
** co__stack_overflow_hook): a split-stack prologue of the running task found
** no room for its frame. */
static _Noreturn void stack_overflowed(void)
{
    co_loop *L = co__tls_loop;
    if (L && L->current)
        report_overflow(L->current);
    else
        put_str("coroscope: stack overflow outside any task\n");
    abort();
}
#define SET_OVERFLOW_HOOK() (co__stack_overflow_hook = stack_overflowed)
#else
#define SET_OVERFLOW_HOOK() ((void)0)
#endif

#ifndef CO_ASAN
#if defined(CO_SPLIT_STACK)
__attribute__((no_split_stack))   /* it runs on the alternate signal stack, below any task's limit */
#endif
static void on_segv(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    co_loop *L = co__tls_loop;
    co_task *t = L ? L->current : NULL;
    if (t && t->stack) {
        /* Anywhere from the slab's guard page up to this stack's top: a deep
        ** recursion runs through the stacks below it, then into the guard. */
        char *lo = t->stack->lo, *addr = si->si_addr;
        size_t below = (size_t)CO_STACKS_PER_SLAB * t->stack->size + 2 * 65536;
        if (addr < lo + t->stack->size && (size_t)(lo - addr) <= below)
            report_overflow(t);
        else {
            put_str("coroscope: segmentation fault while task '");
            put_str(t->fut.label);
            put_str("' was running\n");
        }
    }
    signal(sig, SIG_DFL);
    raise(sig);
}

static void install_segv_handler(void)
{
    static int installed;
    if (installed)
        return;
    installed = 1;
    static char altstack[64 * 1024];
    stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
    sigaltstack(&ss, NULL);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_segv;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGSEGV, &sa, NULL);
}
#else
static void install_segv_handler(void) {}
#endif

/* --- creating tasks ---------------------------------------------------------- */

static co_pool_entry *pool_for(co_loop *L, size_t size)
{
    size = size ? co__stack_round(size) : L->stack_size;
    for (co_pool_entry *p = L->pools; p; p = p->next)
        if (p->pool.size == size)
            return p;
    co_pool_entry *p = co_malloc(sizeof *p);
    if (!p)
        return NULL;
    co__pool_entry_init(p, size);
    p->next = L->pools->next;       /* keep the default first */
    L->pools->next = p;
    return p;
}

co_handle *co__schedule_step(co_loop *L, co_task *t)
{
    co_handle *h = co__handle_new(L, CO_H_TASK_STEP);
    if (!h)
        return NULL;
    h->task = t;
    co__ready_push(L, h);
    return h;
}

/* Task-N numbering, as CPython 3.11 does it: Task.__init__ takes a number
** only when it gets no name, and asyncio.create_task(coro, name=...) creates
** the task unnamed and renames it -- so that one always takes a number, while
** loop.create_task(coro, name=...) does not. */
static co_task *create_task(co_loop *L, co_coro coro, const char *name, bool number_anyway, co_vars *ctx);

co_task *co_loop_create_task(co_loop *L, co_coro coro, const char *name)
{
    return create_task(L, coro, name, false, NULL);
}

co_task *co_loop_create_task_in(co_loop *L, co_coro coro, const char *name, co_vars *ctx)
{
    return create_task(L, coro, name, false, ctx);
}

/* "Task-N" (tasks.py's f'Task-{_task_name_counter()}'), in L's arena, or ""
** when it is full. Digit by digit: snprintf -- twice, as co_strf sizes its
** string first -- was a tenth of what creating a task costs in user time. */
static const char *task_number_name(co_loop *L, unsigned long long n)
{
    char digits[24];
    size_t nd = 0;
    do
        digits[nd++] = (char)('0' + n % 10);
    while ((n /= 10) != 0);
    char *s = co__arena_alloc_in(L, sizeof "Task-" - 1 + nd + 1);
    if (!s)
        return "";
    memcpy(s, "Task-", sizeof "Task-" - 1);
    char *p = s + sizeof "Task-" - 1;
    while (nd)
        *p++ = digits[--nd];
    *p = 0;
    return s;
}

static co_task *create_task(co_loop *L, co_coro coro, const char *name, bool number_anyway, co_vars *ctx)
{
    if (!L || !co__thread_ok(L))           /* create_task -> call_soon -> _check_thread */
        return NULL;
    CO_API_CHECK(coro.fn != NULL, "co_create_task needs a coroutine function");
    install_segv_handler();
    SET_OVERFLOW_HOOK();
    /* The arguments follow the task, as many as the coroutine has, and in
    ** copy mode its copy state follows them. */
    size_t size = sizeof(co_task) + (size_t)coro.nargs * sizeof(co_value) +
                  (L->stack_copy ? sizeof(co__task_copy_state) : 0);
    co_task *t = co__arena_alloc_in(L, size);
    if (!t)
        return NULL;
    memset(t, 0, size);
    co_loop *saved = co__tls_loop;
    co__tls_loop = L;
    co__future_init(L, &t->fut, "task", NULL);
    if (L->reserved_task_id) {              /* named already by wait_for's `of` (timeouts.c) */
        t->fut.id = L->reserved_task_id;
        L->reserved_task_id = 0;
        L->next_id--;                        /* the id co__future_init just took */
    }
    t->fut.is_task = true;
    t->coro = (co__coro_head){coro.fn, coro.name, coro.src, coro.stack_size, coro.origin, (uint8_t)coro.nargs};
    memcpy(t->args, coro.args, (size_t)coro.nargs * sizeof t->args[0]);
    t->mail_exc = origin_consume(L, &coro);   /* debug mode: a coroutine already awaited */
    t->own_vars.map = co__vars_current()->map;  /* contextvars.copy_context() */
    t->vars = ctx ? ctx : &t->own_vars;
    const char *numbered = name && !number_anyway ? NULL : task_number_name(L, ++task_name_counter);
    t->fut.label = name ? name : numbered;
    uint64_t parent = L->current ? L->current->fut.id : 0;
    /* The pool is made now, so that the first step finds it (resume). */
    co_handle *h = pool_for(L, coro.stack_size) ? co__schedule_step(L, t) : NULL;
    if (!h) {
        co__tls_loop = saved;
        return NULL;                         /* t stays in the arena, unused */
    }
    t->all_next = L->all_tasks;
    L->all_tasks = t;
    t->live_prev = L->live_tail;
    if (L->live_tail)
        L->live_tail->live_next = t;
    else
        L->live_head = t;
    L->live_tail = t;
    L->nlive++;
    L->stats.tasks++;
    if (co__tracing(L)) {
        co_trace_event ev = {.ev = CO_EV_TASK_NEW, .task = t->fut.id, .name = t->fut.label, .parent = parent,
                       .coro = coro.name, .h = h->id};
        co__emit(L, &ev);
    }
    co__tls_loop = saved ? saved : L;
    return t;
}

co_task *co_create_task(co_coro coro, const char *name)
{
    co_loop *L = co__tls_loop;
    CO_API_CHECK(L != NULL, "co_create_task needs a loop (co_loop_new)");
    return create_task(L, coro, name, true, NULL);
}

co_task *co_create_task_in(co_coro coro, const char *name, co_vars *ctx)
{
    co_loop *L = co__tls_loop;
    CO_API_CHECK(L != NULL, "co_create_task_in needs a loop (co_loop_new)");
    return create_task(L, coro, name, true, ctx);
}

co_status co_task_set_name(co_task *t, const char *name)
{
    const char *copy = co_strf("%s", name ? name : "None");
    if (!*copy && name && *name)
        return CO_ENOMEM;
    t->fut.label = copy;
    return CO_OK;
}

co_coro co_task_get_coro(const co_task *t)
{
    co_coro c;
    memset(&c, 0, sizeof c);
    c.fn = t->coro.fn;
    c.name = t->coro.name;
    c.nargs = t->coro.nargs;
    memcpy(c.args, t->args, (size_t)c.nargs * sizeof c.args[0]);
    c.stack_size = t->coro.stack_size;
    c.src = t->coro.src;
    c.origin = t->coro.origin;
    return c;
}
co_vars *co_task_get_context(const co_task *t) { return t->vars; }

co_future *co_ensure_future(co_aw aw)
{
    if (aw.fut)
        return aw.fut;
    if (!aw.coro.fn)                 /* co_aw_fut(NULL): a constructor ran out of memory */
        return NULL;
    co_task *t = co_create_task(aw.coro, NULL);
    return t ? &t->fut : NULL;
}

size_t co_all_tasks(co_loop *L, co_task **out, size_t cap)
{
    size_t n = 0;
    for (co_task *t = L->live_head; t; t = t->live_next, n++)
        if (n < cap)
            out[n] = t;
    return n;
}

void co__task_finished(co_task *t)
{
    co_loop *L = t->fut.loop;
    if (t->live_prev)
        t->live_prev->live_next = t->live_next;
    else
        L->live_head = t->live_next;
    if (t->live_next)
        t->live_next->live_prev = t->live_prev;
    else
        L->live_tail = t->live_prev;
    t->live_prev = t->live_next = NULL;
    L->nlive--;
}

void co__task_free_all(co_loop *L)
{
    for (co_task *t = L->all_tasks; t;) {
        co_task *next = t->all_next;
        if (t->fut.cb_heap)
            co_free(t->fut.cb.heap);
        if (L->stack_copy)                   /* a pending task's saved bytes */
            co_free(co__task_copy(t)->saved);
        t = next;                            /* t itself is in the arena */
    }
    L->all_tasks = NULL;
    L->live_head = L->live_tail = NULL;
    L->nlive = 0;
}

/* --- switching ---------------------------------------------------------------- */

static void switch_to_loop(co_task *t, bool final)
{
    co_loop *L = t->fut.loop;
#ifdef CO_ASAN
    __sanitizer_start_switch_fiber(final ? NULL : &t->asan_fake_stack, L->main_stack_bottom, L->main_stack_size);
#else
    (void)final;
#endif
    co__context_switch(&t->ctx, &L->main_ctx);
#ifdef CO_ASAN
    __sanitizer_finish_switch_fiber(t->asan_fake_stack, &L->main_stack_bottom, &L->main_stack_size);
#endif
}

static void task_entry(void *arg)
{
    co_task *t = arg;
#ifdef CO_ASAN
    __sanitizer_finish_switch_fiber(NULL, &t->fut.loop->main_stack_bottom, &t->fut.loop->main_stack_size);
#endif
    co_value v = co_none();
    co_exc *e = t->coro.fn(t->args, &v);
    t->fut.result = v;                   /* what set_result will store (co__task_run_step) */
    t->mail_exc = e;
    t->yield_kind = e ? CO_Y_RAISE : CO_Y_RETURN;
    switch_to_loop(t, true);
    abort();   /* a finished coroutine is never resumed */
}

/* --- copy mode: shared stacks, a task's bytes saved when another needs its stack */

const char *co_stack_mode_unsupported(co_stack_mode mode)
{
    if (mode == CO_STACK_OWN)
        return NULL;
    if (mode != CO_STACK_COPY)
        return "there is no such stack mode";
#if defined(CO_ASAN)
    return "copy mode is not available under AddressSanitizer (its shadow memory of a stack's frames "
           "would not follow their bytes to the heap and back); use the default mode";
#elif !defined(CO_CONTEXT_ASM)
    return "copy mode needs the assembly context switch (x86-64 or AArch64); use the default mode";
#else
    return NULL;
#endif
}

/* Task t's bytes, from its saved stack pointer sp to the top of its shared
** stack, go to its buffer, and with stack_poison the stack's copy is
** overwritten, so that a pointer into them that outlives the switch reads
** garbage (and faults, as a pointer). */
static void save_bytes(co_loop *L, co_task *t, const void *sp)
{
    char *top = (char *)t->stack->lo + t->stack->size;
    size_t n = (size_t)(top - (const char *)sp);
    co__task_copy_state *cs = co__task_copy(t);
    co__saved_stack *b = cs->saved;
    if (!b || b->cap < n) {
        b = co_realloc(b, sizeof *b + n);
        if (!b) {
            /* Its bytes cannot be kept, and another task needs the stack:
            ** nothing can go on. */
            put_str("coroscope: out of memory saving the stack of task '");
            put_str(t->fut.label);
            put_str("' (copy mode)\n");
            abort();
        }
        b->cap = (uint32_t)n;
        cs->saved = b;
    }
    b->len = (uint32_t)n;
    memcpy(b->bytes, sp, n);
    if (L->stack_poison)
        memset((void *)sp, CO__STACK_POISON, n);
}

/* Shared stack `slot` is wanted by another task: its owner's bytes leave it. */
static void evict(co_loop *L, co_pool_entry *pe, unsigned slot)
{
    co_task *o = pe->owner[slot];
    if (o) {
        save_bytes(L, o, co__context_sp(&o->ctx));
        pe->owner[slot] = NULL;
    }
}

/* Before task t resumes: its bytes back where they were, unless they still
** are (no other task ran on its stack since). */
static void copy_in(co_loop *L, co_pool_entry *pe, co_task *t)
{
    if (pe->owner[t->stack_slot] == t)
        return;
    evict(L, pe, t->stack_slot);
    const co__saved_stack *b = co__task_copy(t)->saved;
    char *top = (char *)t->stack->lo + t->stack->size;
    memcpy(top - b->len, b->bytes, b->len);
    pe->owner[t->stack_slot] = t;
}

/* Task t gave control back on its shared stack (sp: its stack pointer). */
static void copy_out(co_loop *L, co_pool_entry *pe, co_task *t, const void *sp, bool finished)
{
    if (finished) {                            /* its bytes are dead */
        co__task_copy_state *cs = co__task_copy(t);
        co_free(cs->saved);
        cs->saved = NULL;
        pe->owner[t->stack_slot] = NULL;
        if (L->stack_poison)
            memset((void *)sp, CO__STACK_POISON, (size_t)((char *)t->stack->lo + t->stack->size - (const char *)sp));
    } else if (L->stack_poison)                /* checking: saved at once, so a stale pointer sees poison */
        evict(L, pe, t->stack_slot);
    /* Else its bytes stay until another task wants the stack. */
}

/* Run the coroutine until it gives control back; exc is thrown in at its
** await point (or, for a coroutine that never started, raised at once). */
static void resume(co_task *t, co_exc *exc)
{
    co_loop *L = t->fut.loop;
    co_pool_entry *pe = NULL;                  /* copy mode: t's pool */
    if (!t->started) {
        if (!exc && t->mail_exc)               /* coro.send(None) on a used coroutine */
            exc = t->mail_exc;
        if (exc) {
            t->yield_kind = CO_Y_RAISE;
            t->mail_exc = exc;
            return;
        }
        pe = pool_for(L, t->coro.stack_size);   /* found: create_task made it */
        if (!L->stack_copy)
            t->stack = pe ? co__stack_acquire(&pe->pool) : NULL;
        else if (pe) {                         /* a shared stack, round robin */
            unsigned slot = pe->next_slot++ % CO__SHARED_STACKS;
            if (!pe->shared[slot])
                pe->shared[slot] = co__stack_acquire(&pe->pool);
            t->stack = pe->shared[slot];
            t->stack_slot = (uint8_t)slot;
        }
        if (!t->stack) {
            t->yield_kind = CO_Y_RAISE;
            t->mail_exc = co__exc_nomem();
            return;
        }
        if (L->stack_copy) {
            evict(L, pe, t->stack_slot);       /* before its first frame is written there */
            pe->owner[t->stack_slot] = t;
        }
        co__context_init(&t->ctx, t->stack->lo, t->stack->size, task_entry, t);
        t->started = true;
    } else if (L->stack_copy) {
        pe = pool_for(L, t->coro.stack_size);
        copy_in(L, pe, t);
    }
    t->mail_exc = exc;
    t->yield_kind = CO_Y_NONE;
#ifdef CO_ASAN
    __sanitizer_start_switch_fiber(&asan_fake_main, t->stack->lo, t->stack->size);
#endif
    co__context_set_limit(co__stack_limit(t->stack));   /* prologues check against it (stack.h) */
    co__context_switch(&L->main_ctx, &t->ctx);
    co__context_set_limit(NULL);
#ifdef CO_ASAN
    __sanitizer_finish_switch_fiber(asan_fake_main, NULL, NULL);
#endif
    /* The task's stack pointer where it gave control back, and its canary. */
    const void *sp = co__context_sp(&t->ctx);
    if ((sp && !co__stack_sp_ok(t->stack, sp)) || !co__stack_canary_ok(t->stack)) {
        report_overflow(t);
        abort();
    }
    bool finished = t->yield_kind == CO_Y_RETURN || t->yield_kind == CO_Y_RAISE;
    if (L->stack_copy)
        copy_out(L, pe, t, sp, finished);      /* the shared stacks stay acquired */
    else if (finished)
        co__stack_release(&pool_for(L, t->coro.stack_size)->pool, t->stack);
    if (finished)
        t->stack = NULL;
}

co_exc *co__suspend(co_task *t, co_yield kind, co_future *f, const char *src)
{
    t->yield_kind = (uint8_t)kind;
    t->fut_waiter = f;         /* the loop reads it as the mailbox, then keeps it as _fut_waiter */
    t->yield_src = src;
    switch_to_loop(t, false);
    co_exc *e = t->mail_exc;
    t->mail_exc = NULL;
    return e;
}

/* --- Task.__step and Task.__wakeup ------------------------------------------- */

static void trace_step_end(co_loop *L, co_task *t, const char *reason, const co_exc *e)
{
    co_trace_event ev;
    co__event_init(&ev, CO_EV_STEP_END);
    ev.task = t->fut.id;
    ev.reason = reason;
    if (e) {
        ev.exc = e->type;
        ev.msg = e->msg;
    }
    co__emit(L, &ev);
}

/* PEP 479: a StopIteration leaving a coroutine becomes RuntimeError, with
** the StopIteration as its cause (genobject.c's _PyGen_SetStopIterationValue
** counterpart, gen_send_ex). */
static co_exc *pep479(co_exc *e)
{
    if (!e || !co_exc_is(e, "StopIteration"))
        return e;
    co_exc *r = co_exc_new("RuntimeError", "coroutine raised StopIteration");
    if (r != co__exc_nomem())
        r->cause = e;
    return r;
}

/* call_soon(self.__step, exc): the next step throws exc into the coroutine. */
static co_handle *schedule_step_with(co_loop *L, co_task *t, co_exc *exc)
{
    co_handle *h = co__schedule_step(L, t);
    if (h)
        h->exc = exc;
    return h;
}

void co__task_run_step(co_task *t, co_exc *exc)
{
    co_loop *L = t->fut.loop;
    assert(t->fut.state == CO_PENDING);
    if (t->must_cancel) {
        if (!co_exc_is_cancel(exc))
            exc = co__future_make_cancelled_error(&t->fut);
        t->must_cancel = false;
    }
    t->fut_waiter = NULL;
    co_vars *saved_vars = co__vars_enter(t->vars);   /* the step runs in self._context */
    L->current = t;                            /* _enter_task */
    L->stats.steps++;
    if (exc && co__tracing(L)) {
        co_trace_event ev = {.ev = CO_EV_THROW, .task = t->fut.id, .exc = exc->type, .msg = exc->msg};
        co__emit(L, &ev);
    }
    resume(t, exc);

    switch (t->yield_kind) {
    case CO_Y_RETURN:                          /* except StopIteration */
        if (co__tracing(L))
            trace_step_end(L, t, "return", NULL);
        if (t->must_cancel) {                  /* cancelled right before the coroutine returned */
            t->must_cancel = false;
            t->fut.result = co_none();         /* a cancelled task has no result */
            co__future_base_cancel(&t->fut, t->fut.cancel_msg);
        } else
            co__future_set_result(&t->fut, t->fut.result);
        break;
    case CO_Y_RAISE: {
        co_exc *e = pep479(t->mail_exc);
        t->mail_exc = NULL;
        if (co_exc_is_cancel(e)) {             /* except CancelledError */
            if (co__tracing(L))
                trace_step_end(L, t, "cancelled", e);
            t->cancelled_exc = e;
            co__future_base_cancel(&t->fut, NULL);
            break;
        }
        if (co__tracing(L))
            trace_step_end(L, t, "raise", e);
        co__future_set_exception(&t->fut, e);
        /* except (KeyboardInterrupt, SystemExit): set_exception, then raise:
        ** out of Handle._run and _run_once, which stops the loop. */
        if (co_exc_is(e, "SystemExit") || co_exc_is(e, "KeyboardInterrupt"))
            L->exit_exc = e;
        break;
    }
    case CO_Y_AWAIT: {
        co_future *f = t->fut_waiter;
        if (f == &t->fut) {
            t->fut_waiter = NULL;
            /* The task awaited itself: a RuntimeError thrown in at the next step. */
            co_exc *e = co_exc_new("RuntimeError", "Task cannot await on itself: %s", co_future_repr(&t->fut));
            co_handle *h = schedule_step_with(L, t, e);
            if (co__tracing(L)) {
                co_trace_event ev = {.ev = CO_EV_STEP_END, .task = t->fut.id, .reason = "yield",
                                     .h = h ? h->id : 0, .src = t->yield_src};
                co__emit(L, &ev);
            }
            break;
        }
        co__future_add_wakeup(f, t);     /* t->fut_waiter = f: co__suspend left it there */
        /* Still inside __step (the task is current): a cancel() that came
        ** while it ran is passed on to what it now waits on. */
        if (t->must_cancel && co_future_cancel(f, t->fut.cancel_msg))
            t->must_cancel = false;
        if (co__tracing(L)) {
            co_trace_event ev;
            co__event_init(&ev, CO_EV_STEP_END);
            ev.task = t->fut.id;
            ev.reason = "await";
            ev.fut = f->id;
            ev.on = f->label ? f->label : f->kind;
            ev.src = t->yield_src;
            co__emit(L, &ev);
        }
        break;
    }
    case CO_Y_YIELD: {                         /* a bare yield: call_soon(self.__step) */
        co_handle *h = co__schedule_step(L, t);
        if (co__tracing(L)) {
            co_trace_event ev;
            co__event_init(&ev, CO_EV_STEP_END);
            ev.task = t->fut.id;
            ev.reason = "yield";
            ev.h = h ? h->id : 0;
            ev.src = t->yield_src;
            co__emit(L, &ev);
        }
        break;
    }
    case CO_Y_NONE:
        assert(!"a coroutine gave control back without saying why");
        break;
    }
    L->current = NULL;                         /* _leave_task */
    co__vars_leave(saved_vars);
}

void co__task_run_wakeup(co_task *t, co_future *fut)
{
    co_exc *e = co__future_result(fut, NULL);
    co__task_run_step(t, e);
}

/* --- cancellation ---------------------------------------------------------- */

bool co__task_cancel(co_task *t, const char *msg, const char *via)
{
    co_loop *L = t->fut.loop;
    t->fut.log_traceback = false;
    bool ok = t->fut.state == CO_PENDING;
    if (co__tracing(L)) {
        co_trace_event ev = {.ev = CO_EV_CANCEL, .target = t->fut.id, .by = L->current ? L->current->fut.id : 0,
                       .via = L->current ? NULL : (via ? via : L->current_cb), .msg = msg ? msg : "",
                       .ok = ok};
        co__emit(L, &ev);
    }
    if (!ok)
        return false;
    t->num_cancels_requested++;
    if (t->fut_waiter && co_future_cancel(t->fut_waiter, msg))
        return true;     /* fut_waiter stays: it may be a task that swallows this */
    /* The step already scheduled will raise it (Task.__step's must-cancel
    ** path); the message is kept on the future the task is. */
    t->must_cancel = true;
    t->fut.cancel_msg = msg;
    return true;
}

bool co_task_cancel(co_task *t, const char *msg) { return co__task_cancel(t, msg, NULL); }

int co_task_uncancel(co_task *t)
{
    if (t->num_cancels_requested > 0)
        t->num_cancels_requested--;
    co_loop *L = t->fut.loop;
    if (co__tracing(L)) {
        co_trace_event ev = {.ev = CO_EV_UNCANCEL, .task = t->fut.id, .count = t->num_cancels_requested};
        co__emit(L, &ev);
    }
    return t->num_cancels_requested;
}

/* --- awaiting --------------------------------------------------------------- */

co_exc *co_await_at(co_future *f, co_value *out, const char *src)
{
    co_task *t = co__require_task("co_await outside a task");
    if (!f)                                    /* its constructor ran out of memory */
        return co__exc_nomem();
    if (f->state == CO_PENDING) {
        co_exc *e = co__suspend(t, CO_Y_AWAIT, f, src);
        if (e)
            return e;
        if (f->state == CO_PENDING)
            return co_exc_new("RuntimeError", "await wasn't used with future");
    }
    return co__future_result(f, out);
}

/* futures._set_result_unless_cancelled(fut, result): the value sleep() will
** return waits in the pending future's result slot. */
static void set_result_unless_cancelled(void *arg)
{
    co_future *f = arg;
    if (!co_future_cancelled(f))
        co_future_set_result(f, f->result);
}

co_exc *co_sleep_result_at(double delay, co_value result, co_value *out, const char *src)
{
    co_task *t = co__require_task("co_sleep outside a task");
    co_loop *L = t->fut.loop;
    if (!(delay > 0)) {                        /* sleep(0): a bare yield */
        co_exc *e = co__suspend(t, CO_Y_YIELD, NULL, src);
        if (!e && out)
            *out = result;
        return e;
    }
    const char *label = "sleep";
    if (co__tracing(L)) {
        char num[40];
        co_format_double(num, delay);
        size_t n = strlen(num);
        if (n > 2 && !strcmp(num + n - 2, ".0"))
            num[n - 2] = 0;                    /* sleep(3), as Python shows an int */
        label = co_strf("sleep(%s)", num);
    }
    co_future *f = co__future_new(L, "sleep", label, true);
    if (!f)
        return co__exc_nomem();
    f->result = result;
    co_handle *h = co_call_later(L, delay, set_result_unless_cancelled, f, "_set_result_unless_cancelled");
    if (!h) {
        co__future_unref(f);
        return co__exc_nomem();
    }
    h->fut = f;                                /* the timer keeps the future alive */
    co__future_ref(f);
    co_exc *e = co_await_at(f, out, src);
    co_handle_cancel(h);                       /* finally: h.cancel() */
    co_handle_release(h);
    co__future_unref(f);
    return e;
}

co_exc *co_sleep_at(double delay, const char *src) { return co_sleep_result_at(delay, co_none(), NULL, src); }

co_exc *co_await_coro_at(co_coro coro, co_value *out, const char *src)
{
    co_task *t = co__require_task("co_await_coro outside a task");
    co_loop *L = t->fut.loop;
    co_value ignored;
    if (!out)
        out = &ignored;
    *out = co_none();
    co_exc *reused = origin_consume(L, &coro);
    if (reused)
        return reused;
    if (co__tracing(L)) {
        sbuf b = {0};
        sb_putc(&b, '(');
        for (int i = 0; i < coro.nargs; i++) {
            if (i)
                sb_puts(&b, ", ");
            co_value_repr(&b, coro.args[i]);
        }
        sb_putc(&b, ')');
        co_trace_event ev = {.ev = CO_EV_FRAME_ENTER, .task = t->fut.id, .fn = coro.name,
                             .args = b.p, .src = src};
        co__emit(L, &ev);
        sb_free(&b);
    }
    co_exc *e = pep479(coro.fn(coro.args, out));
    if (co__tracing(L)) {
        co_trace_event ev = {.ev = CO_EV_FRAME_EXIT, .task = t->fut.id, .fn = coro.name};
        co__emit(L, &ev);
    }
    return e;
}

void co_print_at(const char *src, const char *fmt, ...)
{
    co_loop *L = co__tls_loop;
    CO_API_CHECK(L != NULL, "co_print needs a loop");
    va_list ap;
    va_start(ap, fmt);
    co__loop_vprint(L, src, fmt, ap);
    va_end(ap);
}

const char *co_repr(co_value v)
{
    sbuf b = {0};
    co_value_repr(&b, v);
    const char *s = co_strf("%s", b.p ? b.p : "");
    sb_free(&b);
    return s;
}

const char *co_strv(co_value v)
{
    sbuf b = {0};
    co_value_str(&b, v);
    const char *s = co_strf("%s", b.p ? b.p : "");
    sb_free(&b);
    return s;
}
