/*
** combine.c -- gather, wait and as_completed (see combine.h), each following
** its function in CPython 3.11's tasks.py callback for callback.
**
** Their state lives in the loop's arena, not on the awaiting task's stack:
** a done-callback already in the ready queue may run after the awaiter has
** moved on, as a Python closure outlives its frame.
*/
#include <string.h>

#include "combine.h"
#include "futset.h"
#include "internal.h"
#include "queue.h"

/* --- gather ----------------------------------------------------------------- */

typedef struct gather_state {
    co_future *outer;          /* the _GatheringFuture */
    co_future **children;      /* one per argument (duplicates repeat) */
    size_t nchildren;          /* arguments */
    size_t nfuts;              /* distinct children */
    size_t nfinished;          /* distinct children done */
    bool return_exceptions;
} gather_state;

/* gather's _done_callback, run once per distinct child. */
static void gather_done(co_future *fut, void *arg)
{
    gather_state *g = arg;
    co_future *outer = g->outer;
    g->nfinished++;
    if (!outer || co_future_done(outer)) {   /* no outer: gather itself failed (bpo-46672) */
        if (!co_future_cancelled(fut)) {
            co_exc *ignored;
            co_future_exception(fut, &ignored);   /* mark it retrieved */
        }
        return;
    }
    if (!g->return_exceptions) {
        if (co_future_cancelled(fut)) {
            co_future_set_exception(outer, co__future_make_cancelled_error(fut));
            return;
        }
        co_exc *e = NULL;
        co_future_exception(fut, &e);
        if (e) {
            co_future_set_exception(outer, e);
            return;
        }
    }
    if (g->nfinished == g->nfuts) {
        co_value results = co_list_new(g->nchildren);
        co_future *last = NULL;
        for (size_t i = 0; i < g->nchildren; i++) {
            co_future *c = last = g->children[i];
            co_value r;
            if (co_future_cancelled(c))
                r = co_excv(co_exc_new("CancelledError", "%s", c->cancel_msg ? c->cancel_msg : ""));
            else {
                co_exc *e = NULL;
                co_future_exception(c, &e);
                if (e)
                    r = co_excv(e);
                else
                    r = c->result;
            }
            if (results.kind == CO_V_LIST)
                results.u.list->items[i] = r;
        }
        if (outer->cancel_requested)
            /* As CPython: the error of the loop's last child, `fut`. */
            co_future_set_exception(outer, co__future_make_cancelled_error(last));
        else
            co_future_set_result(outer, results);
    }
}

/* _GatheringFuture.cancel: cancel the children, not the outer future itself. */
bool co__gather_cancel(co_future *outer, const char *msg)
{
    gather_state *g = outer->gather;
    if (co_future_done(outer))
        return false;
    bool ret = false;
    for (size_t i = 0; i < g->nchildren; i++)
        if (co_future_cancel(g->children[i], msg))
            ret = true;
    if (ret)
        outer->cancel_requested = true;
    return ret;
}

co_future *co_gather(const co_aw *aws, size_t n, bool return_exceptions)
{
    co_loop *L = co__tls_loop;
    CO_API_CHECK(L != NULL, "co_gather needs a loop");
    const char *label = co__tracing(L) ? co_strf("gather(%zu)", n) : "gather";
    if (n == 0) {
        co_future *outer = co__future_new(L, "gather", label, false);
        if (outer)
            co_future_set_result(outer, co_list_new(0));
        return outer;
    }
    gather_state *g = co__arena_alloc(sizeof *g);
    co_future **children = co__arena_alloc(n * sizeof *children);
    if (!g || !children)
        return NULL;
    memset(g, 0, sizeof *g);
    g->children = children;
    g->nchildren = n;
    g->return_exceptions = return_exceptions;
    co__futset seen;                         /* arg_to_fut: the futures met so far */
    if (!co__futset_init(&seen, n, false))
        return NULL;
    for (size_t i = 0; i < n; i++) {
        /* A future given twice is one child; each coroutine is a new task. */
        if (aws[i].fut && co__futset_add(&seen, aws[i].fut, i) == 0) {
            children[i] = aws[i].fut;
            continue;
        }
        co_future *f = co_ensure_future(aws[i]);
        if (!f) {
            co__futset_free(&seen);
            return NULL;
        }
        g->nfuts++;
        co_future_add_done_callback(f, gather_done, g, "gather._done_callback");
        children[i] = f;
    }
    co__futset_free(&seen);
    /* `of`: the children in argument order, as _GatheringFuture holds them */
    co_future *outer = co__future_new_of(L, "gather", label, false, co__ids_of(L, children, n), n);
    if (!outer)
        return NULL;
    outer->gather = g;
    g->outer = outer;
    return outer;
}

/* --- wait --------------------------------------------------------------------- */

typedef struct wait_state {
    co_future *waiter;         /* resolved when wait() should return */
    co_handle *timeout_handle; /* NULL when no timeout (or after wait() returned) */
    size_t counter;            /* children not yet done */
    co_return_when rw;
} wait_state;

/* wait() returns now: what the program then gets are sets, whose order in
** CPython follows addresses (here: input order). */
static void wait_release(wait_state *w)
{
    if (co_future_done(w->waiter))
        return;
    co_loop *L = w->waiter->loop;
    bool saved = L->set_order;
    L->set_order = true;
    co_future_set_result(w->waiter, co_none());
    L->set_order = saved;
}

static void release_waiter(void *arg) { wait_release(arg); }

/* _wait's _on_completion */
static void wait_on_completion(co_future *f, void *arg)
{
    wait_state *w = arg;
    w->counter--;
    bool failed = false;
    if (w->rw == CO_FIRST_EXCEPTION && !co_future_cancelled(f)) {
        co_exc *e = NULL;
        co_future_exception(f, &e);
        failed = e != NULL;
    }
    if (w->counter == 0 || w->rw == CO_FIRST_COMPLETED || failed) {
        if (w->timeout_handle)
            co_handle_cancel(w->timeout_handle);
        wait_release(w);
    }
}

co_exc *co_wait_at(co_future *const *fs, size_t n, double timeout, co_return_when rw,
                   co_future **done, size_t *ndone, co_future **pending, size_t *npending,
                   const char *src)
{
    co_task *t = co__require_task("co_wait outside a task");
    co_loop *L = t->fut.loop;
    *ndone = *npending = 0;
    if (n == 0)
        return co_exc_new("ValueError", "Set of Tasks/Futures is empty.");
    for (size_t i = 0; i < n; i++)
        if (!fs[i])
            return co__exc_nomem();
    co_future **uniq = co__arena_alloc(n * sizeof *uniq);
    wait_state *w = co__arena_alloc(sizeof *w);
    if (!uniq || !w)
        return co__exc_nomem();
    co__futset seen;                         /* fs = set(fs) */
    if (!co__futset_init(&seen, n, false))
        return co__exc_nomem();
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (co__futset_add(&seen, fs[i], m) == 1)
            uniq[m++] = fs[i];
    co__futset_free(&seen);
    static const char *const modes[] = {"ALL_COMPLETED", "FIRST_COMPLETED", "FIRST_EXCEPTION"};
    const char *label = co__tracing(L) ? co_strf("wait(%zu, %s)", m, modes[rw]) : "wait";
    memset(w, 0, sizeof *w);
    w->waiter = co__future_new_of(L, "wait", label, false, co__ids_of(L, uniq, m), m);
    if (!w->waiter)
        return co__exc_nomem();
    w->counter = m;
    w->rw = rw;
    if (!isnan(timeout))
        w->timeout_handle = co_call_later(L, timeout, release_waiter, w, "_release_waiter");
    /* `for f in fs: f.add_done_callback(...)`: fs is a set, and a future
    ** already done schedules its callback at once, in that order. */
    bool saved = L->set_order;
    for (size_t i = 0; i < m; i++) {
        L->set_order = saved || co_future_done(uniq[i]);
        co_future_add_done_callback(uniq[i], wait_on_completion, w, "_on_completion");
    }
    L->set_order = saved;
    co_exc *e = co_await_at(w->waiter, NULL, src);
    if (w->timeout_handle) {
        co_handle_cancel(w->timeout_handle);
        co_handle_release(w->timeout_handle);
        w->timeout_handle = NULL;
    }
    for (size_t i = 0; i < m; i++)
        co_future_remove_done_callback(uniq[i], wait_on_completion, w);
    if (e)
        return e;
    for (size_t i = 0; i < m; i++) {
        if (co_future_done(uniq[i]))
            done[(*ndone)++] = uniq[i];
        else
            pending[(*npending)++] = uniq[i];
    }
    return NULL;
}

co_exc *co_wait_aw_at(const co_aw *aws, size_t n, double timeout, co_return_when rw,
                      co_future **done, size_t *ndone, co_future **pending, size_t *npending,
                      const char *src)
{
    *ndone = *npending = 0;
    if (n == 0)
        return co_exc_new("ValueError", "Set of Tasks/Futures is empty.");
    co_future **fs = co__arena_alloc(n * sizeof *fs);
    if (!fs)
        return co__exc_nomem();
    for (size_t i = 0; i < n; i++) {
        if (!aws[i].fut && aws[i].coro.fn)   /* asyncio.wait: coroutines.iscoroutine(f) */
            return co_exc_new("TypeError", "Passing coroutines is forbidden, use tasks explicitly.");
        fs[i] = aws[i].fut;
    }
    return co_wait_at(fs, n, timeout, rw, done, ndone, pending, npending, src);
}

/* --- as_completed -------------------------------------------------------------- */

struct co_as_completed {
    co_queue *done;            /* finished futures, or None after the timeout */
    co_future **todo;          /* not yet finished, in input order; NULL where one finished */
    size_t ntodo;              /* how many are not yet finished */
    size_t nslots;             /* length of todo */
    co__futset index;          /* each future's place in todo */
    size_t total;              /* how many results the caller will ask for */
    co_handle *timeout_handle; /* reference held until it fires or is cancelled */
    uint64_t *of;              /* `of` of the futures next() waits on: the inputs, in order */
};

static void ac_on_completion(co_future *f, void *arg);

static void ac_on_timeout(void *arg)
{
    co_as_completed *ac = arg;
    for (size_t i = 0; i < ac->nslots; i++) {
        if (!ac->todo[i])
            continue;
        co_future_remove_done_callback(ac->todo[i], ac_on_completion, ac);
        co_queue_put_nowait(ac->done, co_none());
    }
    ac->ntodo = 0;
    co_handle_release(ac->timeout_handle);   /* the loop still holds it while it runs */
    ac->timeout_handle = NULL;
}

static void ac_on_completion(co_future *f, void *arg)
{
    co_as_completed *ac = arg;
    if (!ac->ntodo)
        return;                              /* the timeout came first */
    co__futset_slot *e = co__futset_find(&ac->index, f);  /* todo.remove(f) */
    if (e->key && ac->todo[e->val] == f) {
        ac->todo[e->val] = NULL;
        ac->ntodo--;
    }
    co_queue_put_nowait(ac->done, co_ptr(f));
    if (!ac->ntodo && ac->timeout_handle) {
        co_handle_cancel(ac->timeout_handle);
        co_handle_release(ac->timeout_handle);
        ac->timeout_handle = NULL;
    }
}

co_as_completed *co_as_completed_new(co_future *const *fs, size_t n, double timeout)
{
    co_loop *L = co__tls_loop;
    CO_API_CHECK(L != NULL, "co_as_completed_new needs a loop");
    co_as_completed *ac = co__arena_alloc(sizeof *ac);
    co_future **todo = co__arena_alloc(n ? n * sizeof *todo : 1);
    if (!ac || !todo)
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (!fs[i])
            return NULL;
    memset(ac, 0, sizeof *ac);
    ac->todo = todo;
    ac->done = co_queue_new(L, 0);
    if (!ac->done)
        return NULL;
    if (!co__futset_init(&ac->index, n, true))   /* todo = set(fs) */
        return NULL;
    for (size_t i = 0; i < n; i++)
        if (co__futset_add(&ac->index, fs[i], ac->ntodo) == 1)
            todo[ac->ntodo++] = fs[i];
    ac->total = ac->nslots = ac->ntodo;
    ac->of = co__ids_of(L, todo, ac->ntodo);
    bool saved = L->set_order;               /* `for f in todo`: a set (see co_wait_at) */
    for (size_t i = 0; i < ac->nslots; i++) {
        L->set_order = saved || co_future_done(todo[i]);
        co_future_add_done_callback(todo[i], ac_on_completion, ac, "as_completed._on_completion");
    }
    L->set_order = saved;
    if (ac->ntodo && !isnan(timeout))
        ac->timeout_handle = co_call_later(L, timeout, ac_on_timeout, ac, "as_completed._on_timeout");
    return ac;
}

co_as_completed *co_as_completed_aw(const co_aw *aws, size_t n, double timeout)
{
    co_loop *L = co__tls_loop;
    CO_API_CHECK(L != NULL, "co_as_completed_aw needs a loop");
    co_future **fs = co__arena_alloc(n ? n * sizeof *fs : 1);
    if (!fs)
        return NULL;
    /* todo = {ensure_future(f) for f in set(fs)}: set order in CPython. */
    bool saved = L->set_order;
    L->set_order = true;
    for (size_t i = 0; i < n; i++)
        fs[i] = co_ensure_future(aws[i]);
    L->set_order = saved;
    return co_as_completed_new(fs, n, timeout);
}

size_t co_as_completed_count(const co_as_completed *ac)
{
    return ac ? ac->total : 1;   /* NULL (no memory): one call, which raises MemoryError */
}

/* as_completed's _wait_for_one */
co_exc *co_as_completed_next_at(co_as_completed *ac, co_value *out, const char *src)
{
    if (!ac)
        return co__exc_nomem();
    co_value v;
    co_loop *L = co__tls_loop;
    L->next_of = ac->of;                     /* done.get()'s waiter, if it makes one */
    L->next_nof = ac->total;
    co_exc *e = co_queue_get_at(ac->done, &v, src);
    L->next_of = NULL;
    if (e)
        return e;
    if (v.kind == CO_V_NONE)
        return co_exc_new("TimeoutError", NULL);
    return co_future_result(v.u.p, out);
}
