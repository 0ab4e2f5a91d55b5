/*
** executor.c -- thread pools, call_soon_threadsafe and blocking calls (see
** executor.h).
**
** One scheduling path serves both clocks. The loop thread owns the pool's
** bookkeeping: which worker runs which job, the FIFO of jobs waiting for a
** worker. A job's completion is noticed in the loop's poll phase (phase 2 of
** an iteration): under the virtual clock when time reaches start + duration,
** under the real clock when the worker thread has posted it and written to the
** loop's eventfd. Either way the loop then records `job done`, gives the worker
** the next queued job, and schedules the handle that copies the outcome into
** the asyncio future -- futures._set_state, as call_soon_threadsafe does in
** CPython -- so the awaiting task wakes one iteration after that.
*/
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "executor.h"
#include "internal.h"

typedef struct co_job {
    uint64_t id;               /* trace id */
    co_executor *ex;           /* its pool */
    co_job_fn fn;              /* the work */
    void *arg;
    double duration;           /* virtual clock: how long it takes */
    const char *label;         /* for traces */
    co_future *fut;            /* the asyncio future it resolves (owned by the loop) */
    int worker;                /* slot running it, -1 while queued */
    double t_done;             /* virtual clock: when it finishes */
    co_value result;           /* outcome, once run */
    co_exc *exc;
    bool cancelled;            /* the future was cancelled before the job started */
    bool in_context;           /* to_thread: fn runs in `vars` (ctx.run(func)) */
    co_vars vars;              /* ... a copy of the caller's Context */
    struct co_job *next;       /* queue / done list link */
} co_job;

typedef struct worker {
    struct co_executor *ex;    /* the pool it belongs to */
    co_job *job;               /* loop's view: the job it runs, or NULL when free */
    co_job *handed;            /* real clock: mailbox the thread takes work from */
    pthread_t thread;          /* real clock: the thread, once started */
    bool started;
    pthread_cond_t cond;       /* real clock: work was handed over */
} worker;

struct co_executor {
    co_loop *loop;
    int max_workers;
    worker *workers;           /* max_workers slots */
    co_job *queue_head, *queue_tail;  /* jobs waiting for a free worker */
    pthread_mutex_t lock;      /* real clock: guards workers[].job handoff */
    bool stopping;             /* real clock: threads should exit */
    struct co_executor *next;  /* the loop's list */
};

/* --- call_soon_threadsafe -------------------------------------------------- */

static void wake_loop(co_loop *L)
{
    if (L->wakefd >= 0) {
        uint64_t one = 1;
        ssize_t r = write(L->wakefd, &one, sizeof one);
        (void)r;   /* a full eventfd counter still wakes the poll */
    }
}

co_status co_call_soon_threadsafe(co_loop *L, co_callback_fn fn, void *arg, const char *fn_name)
{
    co_handle *h = co_calloc(1, sizeof *h);  /* not from the loop's free list: another thread */
    if (!h)
        return CO_ENOMEM;
    h->foreign = true;
    h->loop = L;
    h->kind = CO_H_CALLBACK;
    h->refs = 1;
    h->fn = fn;
    h->arg = arg;
    h->fn_name = fn_name ? fn_name : "callback";
    co__handle_copy_context(h);      /* the calling thread's Context */
    pthread_mutex_lock(&L->ts_lock);
    L->ts_used = true;
    if (L->ts_tail)
        L->ts_tail->next = h;
    else
        L->ts_head = h;
    L->ts_tail = h;
    pthread_mutex_unlock(&L->ts_lock);
    wake_loop(L);
    return CO_OK;
}

void co__threadsafe_drain(co_loop *L)
{
    if (!L->ts_used)
        return;
    pthread_mutex_lock(&L->ts_lock);
    co_handle *h = L->ts_head;
    L->ts_head = L->ts_tail = NULL;
    pthread_mutex_unlock(&L->ts_lock);
    while (h) {
        co_handle *next = h->next;
        h->id = co__new_id(L);
        co__ready_push(L, h);
        if (co__tracing(L)) {
            co_trace_event ev = {.ev = CO_EV_CALL_SOON, .h = h->id, .fn = h->fn_name};
            co__emit(L, &ev);
        }
        h = next;
    }
}

/* --- pools -------------------------------------------------------------------- */

static void *worker_main(void *arg);

static int default_workers(void)
{
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    long n = (cpus > 0 ? cpus : 1) + 4;   /* ThreadPoolExecutor's default */
    return (int)(n < 32 ? n : 32);
}

co_executor *co_executor_new(co_loop *L, int max_workers)
{
    co_executor *ex = co_calloc(1, sizeof *ex);
    if (!ex)
        return NULL;
    ex->loop = L;
    ex->max_workers = max_workers > 0 ? max_workers : default_workers();
    ex->workers = co_calloc((size_t)ex->max_workers, sizeof *ex->workers);
    if (!ex->workers) {
        co_free(ex);
        return NULL;
    }
    pthread_mutex_init(&ex->lock, NULL);
    for (int i = 0; i < ex->max_workers; i++) {
        ex->workers[i].ex = ex;
        pthread_cond_init(&ex->workers[i].cond, NULL);
    }
    ex->next = L->executors;
    L->executors = ex;
    return ex;
}

void co__executor_free_all(co_loop *L)
{
    for (co_executor *ex = L->executors; ex;) {
        co_executor *next = ex->next;
        pthread_mutex_lock(&ex->lock);
        ex->stopping = true;
        for (int i = 0; i < ex->max_workers; i++)
            pthread_cond_signal(&ex->workers[i].cond);
        pthread_mutex_unlock(&ex->lock);
        for (int i = 0; i < ex->max_workers; i++) {
            if (ex->workers[i].started)
                pthread_join(ex->workers[i].thread, NULL);
            pthread_cond_destroy(&ex->workers[i].cond);
        }
        pthread_mutex_destroy(&ex->lock);
        co_free(ex->workers);
        co_free(ex);
        ex = next;
    }
    L->executors = NULL;
    L->default_executor = NULL;
}

/* --- the life of a job ---------------------------------------------------------- */

static void trace_job(co_loop *L, co_job *j, const char *op, const char *outcome)
{
    if (!co__tracing(L))
        return;
    co_trace_event ev = {.ev = CO_EV_JOB, .obj = j->id, .op = op, .worker = j->worker,
                         .fn = j->label, .fut = j->fut->id, .outcome = outcome};
    co__emit(L, &ev);
}

/* Give job j to free worker w (loop thread). */
static void start_job(co_executor *ex, co_job *j, int w)
{
    co_loop *L = ex->loop;
    j->worker = w;
    trace_job(L, j, "start", NULL);
    if (L->clock == CO_CLOCK_VIRTUAL) {
        ex->workers[w].job = j;
        j->t_done = co_loop_time(L) + j->duration;
        return;
    }
    ex->workers[w].job = j;
    pthread_mutex_lock(&ex->lock);
    ex->workers[w].handed = j;
    if (!ex->workers[w].started) {
        ex->workers[w].started = true;
        L->threaded = true;
        pthread_create(&ex->workers[w].thread, NULL, worker_main, &ex->workers[w]);
    }
    pthread_cond_signal(&ex->workers[w].cond);
    pthread_mutex_unlock(&ex->lock);
}

/* The job's function, in its Context if it has one (to_thread's ctx.run). */
static co_exc *run_job(co_job *j)
{
    if (!j->in_context)
        return j->fn(j->arg, &j->result);
    co_vars *saved = co__vars_enter(&j->vars);
    co_exc *e = j->fn(j->arg, &j->result);
    co__vars_leave(saved);
    return e;
}

static void *worker_main(void *arg)
{
    worker *w = arg;
    co_executor *ex = w->ex;
    co_loop *L = ex->loop;
    co__tls_loop = L;          /* co_exc_new etc. allocate from the loop's arena (locked) */
    pthread_mutex_lock(&ex->lock);
    for (;;) {
        while (!w->handed && !ex->stopping)
            pthread_cond_wait(&w->cond, &ex->lock);
        if (!w->handed)
            break;
        co_job *j = w->handed;
        w->handed = NULL;
        pthread_mutex_unlock(&ex->lock);
        j->exc = run_job(j);
        pthread_mutex_lock(&L->ts_lock);
        j->next = L->done_jobs;
        L->done_jobs = j;
        pthread_mutex_unlock(&L->ts_lock);
        wake_loop(L);
        pthread_mutex_lock(&ex->lock);
    }
    pthread_mutex_unlock(&ex->lock);
    return NULL;
}

/* futures._set_state: copy the job's outcome into the asyncio future, unless
** that future was cancelled meanwhile. */
static void set_state(void *arg)
{
    co_job *j = arg;
    if (co_future_cancelled(j->fut))
        return;
    if (j->exc)
        co_future_set_exception(j->fut, j->exc);
    else
        co_future_set_result(j->fut, j->result);
}

/* A job finished (loop thread, poll phase): record it, free its worker for the
** next queued job, and schedule set_state. */
static void job_finished(co_executor *ex, co_job *j)
{
    co_loop *L = ex->loop;
    int w = j->worker;
    trace_job(L, j, "done", j->exc ? "exception" : "result");
    ex->workers[w].job = NULL;
    L->jobs_pending--;
    while (ex->queue_head) {
        co_job *next = ex->queue_head;
        ex->queue_head = next->next;
        if (!ex->queue_head)
            ex->queue_tail = NULL;
        if (next->cancelled) {
            L->jobs_pending--;
            continue;
        }
        start_job(ex, next, w);
        break;
    }
    co_call_soon(L, set_state, j, "_set_state");
    co__executor_idle(L);
}

size_t co__executor_threads(const co_loop *L)
{
    size_t n = 0;
    for (const co_executor *ex = L->executors; ex; ex = ex->next)
        for (int i = 0; i < ex->max_workers; i++)
            n += ex->workers[i].started;
    return n;
}

double co__executor_next_due(co_loop *L)
{
    double due = INFINITY;
    if (L->clock != CO_CLOCK_VIRTUAL)
        return due;
    for (co_executor *ex = L->executors; ex; ex = ex->next)
        for (int i = 0; i < ex->max_workers; i++)
            if (ex->workers[i].job && ex->workers[i].job->t_done < due)
                due = ex->workers[i].job->t_done;
    return due;
}

void co__executor_deliver(co_loop *L)
{
    co__threadsafe_drain(L);
    if (!L->jobs_pending)
        return;
    if (L->clock == CO_CLOCK_VIRTUAL) {
        /* Every job due by now, earliest first (ties: lower worker first). */
        double limit = co_loop_time(L) + CO_CLOCK_RESOLUTION;
        for (;;) {
            co_executor *best_ex = NULL;
            co_job *best = NULL;
            for (co_executor *ex = L->executors; ex; ex = ex->next)
                for (int i = 0; i < ex->max_workers; i++) {
                    co_job *j = ex->workers[i].job;
                    if (j && j->t_done < limit && (!best || j->t_done < best->t_done)) {
                        best = j;
                        best_ex = ex;
                    }
                }
            if (!best)
                break;
            best->exc = run_job(best);               /* the simulated work */
            job_finished(best_ex, best);
        }
        return;
    }
    pthread_mutex_lock(&L->ts_lock);
    co_job *done = L->done_jobs;
    L->done_jobs = NULL;
    pthread_mutex_unlock(&L->ts_lock);
    /* The list is newest first: reverse it to deliver in completion order. */
    co_job *rev = NULL;
    while (done) {
        co_job *next = done->next;
        done->next = rev;
        rev = done;
        done = next;
    }
    while (rev) {
        co_job *next = rev->next;
        job_finished(rev->ex, rev);
        rev = next;
    }
}

/* The Context co_to_thread hands to the job co_run_in_executor is making
** (loop thread only). */
static _Thread_local const co_vars *pending_context;

/* wrap_future's _call_check_cancel: a cancelled future cancels a job that has
** not started yet. */
static void on_future_done(co_future *f, void *arg)
{
    co_job *j = arg;
    if (co_future_cancelled(f) && j->worker < 0)
        j->cancelled = true;
}

co_future *co_run_in_executor(co_executor *ex, co_job_fn fn, void *arg, double duration, const char *label)
{
    co_loop *L = co__tls_loop;
    CO_API_CHECK(L != NULL, "co_run_in_executor needs a loop");
    if (!ex) {
        if (!L->default_executor)
            L->default_executor = co_executor_new(L, 0);
        ex = L->default_executor;
        if (!ex)
            return NULL;
    }
    co_job *j = co__arena_alloc(sizeof *j);
    if (!j)
        return NULL;
    memset(j, 0, sizeof *j);
    j->id = co__new_id(L);
    j->ex = ex;
    j->fn = fn;
    j->arg = arg;
    j->duration = duration > 0 ? duration : 0;
    j->label = label ? label : "job";
    j->worker = -1;
    if (pending_context) {           /* co_to_thread: a copy of the caller's Context */
        j->in_context = true;
        j->vars = *pending_context;
    }
    j->fut = co__future_new(L, "executor", co__tracing(L) ? co_strf("run_in_executor(%s)", j->label) : "executor",
                            false);
    if (!j->fut)
        return NULL;
    co_future_add_done_callback(j->fut, on_future_done, j, "_call_check_cancel");
    L->jobs_pending++;
    trace_job(L, j, "submit", NULL);
    for (int w = 0; w < ex->max_workers; w++)
        if (!ex->workers[w].job) {
            start_job(ex, j, w);
            return j->fut;
        }
    if (ex->queue_tail)
        ex->queue_tail->next = j;
    else
        ex->queue_head = j;
    ex->queue_tail = j;
    return j->fut;
}

co_future *co_to_thread(co_job_fn fn, void *arg, double duration, const char *label)
{
    /* asyncio.to_thread: functools.partial(contextvars.copy_context().run, func) */
    co_vars ctx = {co__vars_current()->map, false};
    pending_context = &ctx;
    co_future *f = co_run_in_executor(NULL, fn, arg, duration, label);
    pending_context = NULL;
    return f;
}

/* --- blocking calls ---------------------------------------------------------------- */

void co_block(double seconds, const char *label)
{
    co_loop *L = co__tls_loop;
    CO_API_CHECK(L != NULL, "co_block needs a loop");
    if (!(seconds > 0))
        return;
    if (co__tracing(L)) {
        co_trace_event ev = {.ev = CO_EV_BLOCK, .task = L->current ? L->current->fut.id : 0, .dur = seconds,
                             .label = label ? label : "blocking call"};
        co__emit(L, &ev);
    }
    if (L->clock == CO_CLOCK_VIRTUAL) {
        L->now = L->now + seconds;
        return;
    }
    struct timespec ts = {(time_t)seconds, (long)((seconds - (double)(time_t)seconds) * 1e9)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* --- asyncio.run_coroutine_threadsafe ------------------------------------------------ */

typedef enum cf_state { CF_PENDING, CF_CANCELLED, CF_FINISHED } cf_state;

struct co_cfuture {
    pthread_mutex_t lock;
    pthread_cond_t done;       /* signalled when state leaves PENDING */
    cf_state state;
    co_value result;
    co_exc *exc;
    int refs;                  /* the caller's and the loop's */
    co_loop *loop;
    co_coro coro;              /* what the callback wraps in a task */
    co_task *task;             /* the task, once made (loop thread) */
};

static void cf_unref(co_cfuture *cf)
{
    pthread_mutex_lock(&cf->lock);
    int left = --cf->refs;
    pthread_mutex_unlock(&cf->lock);
    if (left)
        return;
    pthread_cond_destroy(&cf->done);
    pthread_mutex_destroy(&cf->lock);
    co_free(cf);
}

void co_cfuture_release(co_cfuture *cf)
{
    if (cf)
        cf_unref(cf);
}

/* Set the state once (concurrent.futures' _set_concurrent_future_state). */
static void cf_settle(co_cfuture *cf, cf_state st, co_value v, co_exc *e)
{
    pthread_mutex_lock(&cf->lock);
    if (cf->state == CF_PENDING) {
        cf->state = st;
        cf->result = v;
        cf->exc = e;
        pthread_cond_broadcast(&cf->done);
    }
    pthread_mutex_unlock(&cf->lock);
}

/* _chain_future's _call_set_state: the task finished; copy its outcome. */
static void cf_task_done(co_future *f, void *arg)
{
    co_cfuture *cf = arg;
    if (co_future_cancelled(f))
        cf_settle(cf, CF_CANCELLED, co_none(), NULL);
    else {
        co_value v = co_none();
        co_exc *e = co_future_result(f, &v);
        cf_settle(cf, CF_FINISHED, v, e);
    }
    cf_unref(cf);                            /* the loop's reference */
}

/* run_coroutine_threadsafe's callback, on the loop thread: ensure_future,
** then _chain_future. The concurrent future stays pending until the task is
** done (set_running_or_notify_cancel comes with its outcome). */
static void cf_start(void *arg)
{
    co_cfuture *cf = arg;
    co_task *t = co_loop_create_task(cf->loop, cf->coro, NULL);
    if (!t || co_future_add_done_callback(co_task_future(t), cf_task_done, cf, "_chain_future._call_set_state") != CO_OK) {
        cf_settle(cf, CF_FINISHED, co_none(), co__exc_nomem());
        cf_unref(cf);
        return;
    }
    cf->task = t;
}

co_cfuture *co_run_coroutine_threadsafe(co_coro coro, co_loop *L)
{
    co_cfuture *cf = co_calloc(1, sizeof *cf);
    if (!cf)
        return NULL;
    pthread_mutex_init(&cf->lock, NULL);
    pthread_cond_init(&cf->done, NULL);
    cf->refs = 2;
    cf->loop = L;
    cf->coro = coro;
    if (co_call_soon_threadsafe(L, cf_start, cf, "run_coroutine_threadsafe.callback") != CO_OK) {
        pthread_cond_destroy(&cf->done);
        pthread_mutex_destroy(&cf->lock);
        co_free(cf);
        return NULL;
    }
    return cf;
}

bool co_cfuture_done(co_cfuture *cf)
{
    pthread_mutex_lock(&cf->lock);
    bool done = cf->state != CF_PENDING;
    pthread_mutex_unlock(&cf->lock);
    return done;
}

static void cancel_task(void *arg)
{
    co_cfuture *cf = arg;
    if (cf->task)
        co_task_cancel(cf->task, NULL);
    cf_unref(cf);
}

bool co_cfuture_cancel(co_cfuture *cf)
{
    pthread_mutex_lock(&cf->lock);
    bool ok = cf->state == CF_PENDING;
    if (ok) {
        cf->state = CF_CANCELLED;
        cf->refs++;                          /* for cancel_task */
        pthread_cond_broadcast(&cf->done);
    }
    pthread_mutex_unlock(&cf->lock);
    /* _call_check_cancel: source_loop.call_soon_threadsafe(source.cancel),
    ** queued after cf_start, so the task exists when it runs. */
    if (ok && co_call_soon_threadsafe(cf->loop, cancel_task, cf, "Task.cancel") != CO_OK)
        cf_unref(cf);
    return ok;
}

co_exc *co_cfuture_result(co_cfuture *cf, double timeout, co_value *out)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    if (timeout >= 0) {
        double s = floor(timeout);
        until.tv_sec += (time_t)s;
        until.tv_nsec += (long)((timeout - s) * 1e9);
        if (until.tv_nsec >= 1000000000L) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000L;
        }
    }
    pthread_mutex_lock(&cf->lock);
    while (cf->state == CF_PENDING) {
        if (timeout < 0)
            pthread_cond_wait(&cf->done, &cf->lock);
        else if (pthread_cond_timedwait(&cf->done, &cf->lock, &until) == ETIMEDOUT)
            break;
    }
    cf_state st = cf->state;
    co_value v = cf->result;
    co_exc *e = cf->exc;
    pthread_mutex_unlock(&cf->lock);
    /* Not from the loop's arena: this is another thread. */
    static co_exc cancelled = {"CancelledError", "", NULL, NULL, 0, false};
    static co_exc timed_out = {"TimeoutError", "", NULL, NULL, 0, false};
    if (st == CF_CANCELLED)
        return &cancelled;
    if (st != CF_FINISHED)
        return &timed_out;
    if (!e && out)
        *out = v;
    return e;
}
