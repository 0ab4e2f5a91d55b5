/*
** tm_query.c -- questions asked of a loaded trace: lookups by id, the loop's
** state at an event (running task, ready queue, pending timers), printable
** names, and the small formatting helpers the CLI and the viewer share.
**
** The ready queue at event i is never stored. The loop's ready queue is FIFO,
** so handles leave it in about the order they entered; handles[] is in entry
** order, and handle_gone_max[] (a running maximum of when they left, at the
** end of every block of 16) is sorted, so a binary search over the blocks and
** a walk of one block skip every handle that had certainly left by i
** and only the live tail of the queue is scanned. Timers use the same trick;
** a long timer that stays pending makes that scan longer, which is why
** tm_timers_at() asks for a small cap.
*/
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "tm_internal.h"
#include "tm_safe.h"

void tm_free(tm_trace *tr)
{
    if (!tr)
        return;
    struct tm__private *p = tr->priv;
    if (p) {
        for (size_t i = 0; i < tr->n_problems; i++)
            co_free(p->messages[i]);
        co_free(p->messages);
        tm__strings_free(&p->strings);
        tm__idmap_free(&p->objects);
        tm__idmap_free(&p->handles);
        co_free(p->handle_gone_max);
        co_free(p->timer_gone_max);
        co_free(p->seq_runs.v);
        co_free(p->by_x.v);
        co_free(p->h_x.v);
        co_free(p->s2_x.v);
        co_free(p);
    }
    co_free(tr->events);
    co_free(tr->tasks);
    co_free(tr->lanes);
    co_free(tr->spans);
    co_free(tr->steps);
    co_free(tr->handles);
    co_free(tr->futures);
    co_free(tr->timers);
    co_free(tr->frames);
    co_free(tr->links);
    co_free(tr->idles);
    co_free(tr->prints);
    co_free(tr->warns);
    co_free(tr->marks);
    co_free(tr->jobs);
    for (size_t i = 0; i < tr->n_sources; i++) {
        co_free((char *)tr->sources[i].text);
        co_free(tr->sources[i].line_start);
    }
    co_free(tr->sources);
    co_free(tr->srcrefs);
    co_free(tr->locals);
    co_free(tr->lframes);
    co_free(tr->vars);
    co_free(tr->of_ids);
    co_free(tr->problems);
    co_free(tr);
}

const char *tm_text(const tm_trace *tr, tm_str s)
{
    if (!tr || !tr->priv || s >= tr->priv->strings.len)
        return "";
    return tr->priv->strings.buf + s;
}

static uint32_t find_tagged(const tm_trace *tr, uint64_t id, uint32_t tag)
{
    if (id == 0 || id > UINT32_MAX)
        return TM_NONE;
    uint32_t v = tm__idmap_get(&tr->priv->objects, (uint32_t)id);
    if (v == TM_NONE || (v & TM__TAG_MASK) != tag)
        return TM_NONE;
    return v & ~TM__TAG_MASK;
}

uint32_t tm_find_task(const tm_trace *tr, uint64_t id)
{
    return find_tagged(tr, id, TM__TAG_TASK);
}

uint32_t tm_find_future(const tm_trace *tr, uint64_t id)
{
    return find_tagged(tr, id, TM__TAG_FUTURE);
}

uint32_t tm_find_timer(const tm_trace *tr, uint64_t id)
{
    return find_tagged(tr, id, TM__TAG_TIMER);
}

uint32_t tm_find_job(const tm_trace *tr, uint64_t id)
{
    return find_tagged(tr, id, TM__TAG_JOB);
}

uint32_t tm_find_handle(const tm_trace *tr, uint64_t id)
{
    if (id == 0 || id > UINT32_MAX)
        return TM_NONE;
    for (size_t i = tr->n_handles; i-- > 0;)   /* the id table is freed after loading */
        if (tr->handles[i].id == id)
            return (uint32_t)i;
    return TM_NONE;
}

/* ---- names ------------------------------------------------------------------ */

const char *tm_kind_name(tm_kind kind)
{
    static const char *const names[] = {
#define TM__KIND_NAME(name, text) text,
        TM_EVENT_KINDS(TM__KIND_NAME)
#undef TM__KIND_NAME
    };
    return (unsigned)kind < TM_EV__COUNT ? names[kind] : "?";
}

const char *tm_state_name(tm_state state)
{
    static const char *const names[] = {"ready", "running", "waiting", "done", "failed", "cancelled"};
    return (unsigned)state < TM_STATE__COUNT ? names[state] : "?";
}

const char *tm_outcome_name(tm_outcome outcome)
{
    static const char *const names[] = {"pending", "result", "exception", "cancelled"};
    return (unsigned)outcome < 4 ? names[outcome] : "?";
}

const char *tm_reason_name(tm_reason reason)
{
    static const char *const names[] = {"await", "yield", "return", "raise", "cancelled", "?"};
    return (unsigned)reason < 6 ? names[reason] : "?";
}

const char *tm_end_name(tm_end end)
{
    static const char *const names[] = {"missing", "complete", "deadlock", "error",
                                        "max_events", "max_time", "interrupted", "other"};
    return (unsigned)end < sizeof names / sizeof *names ? names[end] : "?";
}

const char *tm_link_name(tm_link_kind kind)
{
    static const char *const names[] = {"spawn", "wake", "cancel", "callback", "timer"};
    return (unsigned)kind < 5 ? names[kind] : "?";
}

double tm_span_t0(const tm_trace *tr, const tm_span *sp)
{
    return tr->events[sp->ev_begin].t;
}

double tm_span_t1(const tm_trace *tr, const tm_span *sp)
{
    return tr->events[sp->ev_end].t;
}

/* ---- what tm_event does not store -------------------------------------------- */

/* Only a call_soon and a fired timer queue a callback (tm_build.c). */
tm_str tm_handle_fn(const tm_trace *tr, uint32_t handle)
{
    if (handle >= tr->n_handles || tr->handles[handle].task != TM_NONE)
        return 0;
    const tm_event *e = &tr->events[tr->handles[handle].ev_queued];
    if (e->kind == TM_EV_CALL_SOON)
        return e->s1;
    uint32_t tm = e->kind == TM_EV_TIMER_FIRE ? tm_find_timer(tr, e->obj) : TM_NONE;
    return tm != TM_NONE ? tr->timers[tm].fn : 0;
}

size_t tm__lower_bound(const void *base, size_t n, size_t stride, size_t offset, uint32_t key)
{
    size_t lo = 0, hi = n;
    uint32_t k;
#define KEY_AT(i) (memcpy(&k, (const char *)base + (i) * stride + offset, sizeof k), k)
    if (hi && KEY_AT(hi - 1) < key)
        return n;   /* past the last: what loading asks, event by event */
    if (hi > 1 && KEY_AT(hi - 2) < key)
        lo = hi - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (KEY_AT(mid) < key)
            lo = mid + 1;
        else
            hi = mid;
    }
#undef KEY_AT
    return lo;
}

const tm__evval *tm__evvals_find(const tm__evvals *x, uint32_t ev, int run)
{
    size_t lo = 0, hi = x->n;   /* first pair after ev */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x->v[mid].ev <= ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return NULL;
    return run || x->v[lo - 1].ev == ev ? &x->v[lo - 1] : NULL;
}

/* A task's own step events happen in its lane; anything else in the lane of
** the step running at that moment (a step_begin, step_end, throw or task_done
** is the only event that ends a step or begins one). */
uint32_t tm__derived_by(const tm_trace *tr, uint32_t ev)
{
    const tm_event *e = &tr->events[ev];
    if (e->kind == TM_EV_STEP_BEGIN || e->kind == TM_EV_STEP_END || e->kind == TM_EV_THROW ||
        e->kind == TM_EV_TASK_DONE)
        return e->task;
    return tm_running_at(tr, ev);
}

/* The handle queued at `ev` (handles[] is in queueing order), or the one a
** step_begin, cb_run or handle_cancel took, which its obj holds; 0 when none. */
uint32_t tm__derived_h(const tm_trace *tr, uint32_t ev)
{
    size_t i;
    switch (tr->events[ev].kind) {
    case TM_EV_TASK_NEW:
    case TM_EV_STEP_END:
    case TM_EV_WAKE:
    case TM_EV_CALL_SOON:
        i = tm__lower_bound(tr->handles, tr->n_handles, sizeof *tr->handles, offsetof(tm_handle, ev_queued), ev);
        return i < tr->n_handles && tr->handles[i].ev_queued == ev ? tr->handles[i].id : 0;
    case TM_EV_STEP_BEGIN:
    case TM_EV_CB_RUN:
    case TM_EV_HANDLE_CANCEL:
        return tr->events[ev].obj;   /* the handle it took (see the event table) */
    default:
        return 0;
    }
}

/* The future created at `ev` (futures[] is in creation order), or TM_NONE.
** (ev_new is a bit-field: the search goes by the word it shares with outcome.) */
static uint32_t future_made_at(const tm_trace *tr, uint32_t ev)
{
    size_t lo = 0, hi = tr->n_futures;
    if (hi && tr->futures[hi - 1].ev_new < ev)
        return TM_NONE;
    if (hi > 1 && tr->futures[hi - 2].ev_new < ev)
        lo = hi - 1;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tr->futures[mid].ev_new < ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < tr->n_futures && tr->futures[lo].ev_new == ev ? (uint32_t)lo : TM_NONE;
}

/* The second string as the object the event made or finished holds it. */
tm_str tm__derived_s2(const tm_trace *tr, uint32_t ev)
{
    const tm_event *e = &tr->events[ev];
    uint32_t f;
    switch (e->kind) {
    case TM_EV_TASK_NEW:
        return e->task != TM_NONE ? tr->tasks[e->task].coro : 0;
    case TM_EV_TASK_DONE:
        return e->task != TM_NONE && tr->tasks[e->task].ev_done == ev ? tr->tasks[e->task].msg : 0;
    case TM_EV_FUT_NEW:
        f = future_made_at(tr, ev);
        return f != TM_NONE ? tr->futures[f].kind : 0;
    case TM_EV_FUT_DONE:
        f = tm_find_future(tr, e->obj);
        return f != TM_NONE && tr->futures[f].ev_done == ev ? tr->futures[f].msg : 0;
    case TM_EV_FRAME_ENTER:
        return e->obj < tr->n_frames ? tr->frames[e->obj].args : 0;
    case TM_EV_SYNC:
    case TM_EV_JOB:
    case TM_EV_IO:
    case TM_EV_TIMEOUT:
    case TM_EV_GROUP:
    case TM_EV_BLOCK:
        return e->obj < tr->n_marks ? tr->marks[e->obj].what : 0;
    default:
        return 0;
    }
}

uint32_t tm_event_seq(const tm_trace *tr, uint32_t ev)
{
    const tm__evval *r = ev < tr->n_events ? tm__evvals_find(&tr->priv->seq_runs, ev, 1) : NULL;
    return r ? r->val + (ev - r->ev) : 0;
}

uint32_t tm_event_by(const tm_trace *tr, uint32_t ev)
{
    if (ev >= tr->n_events)
        return TM_NONE;
    const tm__evval *x = tm__evvals_find(&tr->priv->by_x, ev, 0);
    return x ? x->val : tm__derived_by(tr, ev);
}

uint32_t tm_event_h(const tm_trace *tr, uint32_t ev)
{
    if (ev >= tr->n_events)
        return 0;
    const tm__evval *x = tm__evvals_find(&tr->priv->h_x, ev, 0);
    return x ? x->val : tm__derived_h(tr, ev);
}

tm_str tm_event_s2(const tm_trace *tr, uint32_t ev)
{
    if (ev >= tr->n_events)
        return 0;
    const tm__evval *x = tm__evvals_find(&tr->priv->s2_x, ev, 0);
    return x ? x->val : tm__derived_s2(tr, ev);
}

/* ---- the loop at a moment ------------------------------------------------------ */

uint32_t tm_event_at_time(const tm_trace *tr, double t)
{
    size_t lo = 0, hi = tr->n_events;   /* first event with time > t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tr->events[mid].t <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == 0 ? TM_NONE : (uint32_t)(lo - 1);
}

uint32_t tm_running_at(const tm_trace *tr, uint32_t ev)
{
    size_t lo = 0, hi = tr->n_steps;   /* first step beginning after ev */
    if (hi && tr->steps[hi - 1].ev_begin <= ev)
        lo = hi;   /* at or after the last step's start: what loading asks, event by event */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tr->steps[mid].ev_begin <= ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == 0)
        return TM_NONE;
    const tm_step *st = &tr->steps[lo - 1];
    return st->ev_end == TM_NONE || ev < st->ev_end ? tr->events[st->ev_begin].task : TM_NONE;
}

uint32_t tm_span_at(const tm_trace *tr, uint32_t task, uint32_t ev)
{
    if (task >= tr->n_tasks)
        return TM_NONE;
    const tm_task *tk = &tr->tasks[task];
    size_t lo = tk->span_first, hi = (size_t)tk->span_first + tk->span_count;
    size_t base = lo;
    while (lo < hi) {   /* first span beginning after ev */
        size_t mid = lo + (hi - lo) / 2;
        if (tr->spans[mid].ev_begin <= ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo == base ? TM_NONE : (uint32_t)(lo - 1);
}

/* When handle / timer i left (TM_NONE: never). */
static uint32_t handle_gone(const tm_trace *tr, size_t i)
{
    return tr->handles[i].ev_gone;
}

static uint32_t timer_gone(const tm_trace *tr, size_t i)
{
    const tm_timer *tm = &tr->timers[i];
    return tm->ev_fire < tm->ev_cancel ? tm->ev_fire : tm->ev_cancel;
}

/*
** Entries [first, last) of a list ordered by entry event that may still be
** present at ev: `last` is the count entered by ev, `first` the first whose
** running maximum of leaving events is past ev. gone_max[k] is that maximum
** at the end of block k (TM__GONE_BLOCK entries): the blocks are searched,
** then the one block is walked.
*/
static void live_range(const tm_trace *tr, const uint32_t *gone_max, size_t n, uint32_t ev,
                       const void *base, size_t stride, size_t entered_offset,
                       uint32_t (*gone)(const tm_trace *, size_t), size_t *first, size_t *last)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t entered;
        memcpy(&entered, (const char *)base + mid * stride + entered_offset, sizeof entered);
        if (entered <= ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    *last = lo;
    lo = 0;
    hi = (*last + TM__GONE_BLOCK - 1) / TM__GONE_BLOCK;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (gone_max[mid] <= ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    uint32_t m = lo ? gone_max[lo - 1] : 0;
    size_t i = lo * TM__GONE_BLOCK;
    for (; i < *last; i++) {
        uint32_t g = gone(tr, i);
        m = g > m ? g : m;
        if (m > ev)
            break;
    }
    *first = i < *last ? i : *last;
}

size_t tm_ready_at(const tm_trace *tr, uint32_t ev, uint32_t *out, size_t cap)
{
    size_t first, last, count = 0;
    live_range(tr, tr->priv->handle_gone_max, tr->n_handles, ev, tr->handles, sizeof *tr->handles,
               offsetof(tm_handle, ev_queued), handle_gone, &first, &last);
    for (size_t i = first; i < last; i++) {
        uint32_t gone = tr->handles[i].ev_gone;
        if (gone != TM_NONE && gone <= ev)
            continue;
        if (count < cap)
            out[count] = (uint32_t)i;
        count++;
    }
    return count;
}

size_t tm_timers_at(const tm_trace *tr, uint32_t ev, uint32_t *out, size_t cap)
{
    size_t first, last, count = 0, kept = 0;
    live_range(tr, tr->priv->timer_gone_max, tr->n_timers, ev, tr->timers, sizeof *tr->timers,
               offsetof(tm_timer, ev_new), timer_gone, &first, &last);
    for (size_t i = first; i < last; i++) {
        const tm_timer *tm = &tr->timers[i];
        if ((tm->ev_fire != TM_NONE && tm->ev_fire <= ev) ||
            (tm->ev_cancel != TM_NONE && tm->ev_cancel <= ev))
            continue;
        count++;
        /* Keep the `cap` soonest, sorted: insertion into a short list. */
        size_t j = kept < cap ? kept++ : cap;
        while (j > 0 && tr->timers[out[j - 1]].when > tm->when) {
            if (j < cap)
                out[j] = out[j - 1];
            j--;
        }
        if (j < cap)
            out[j] = (uint32_t)i;
    }
    return count;
}

/* ---- formatting ------------------------------------------------------------------ */

char *tm_format_seconds(double s, char *buf, size_t size)
{
    double a = fabs(s);
    if (a == 0 || !isfinite(s)) {
        snprintf(buf, size, "%s", a == 0 ? "0" : "?");
        return buf;
    }
    const char *unit = "s";
    double v = s;
    if (a < 1e-6) {
        v = s * 1e9;
        unit = "ns";
    } else if (a < 1e-3) {
        v = s * 1e6;
        unit = "µs";
    } else if (a < 1) {
        v = s * 1e3;
        unit = "ms";
    }
    if (fabs(v) >= 1e15)   /* not 300 digits for a time near DBL_MAX */
        snprintf(buf, size, "%.4g %s", v, unit);
    else if (fabs(v) >= 10000)
        snprintf(buf, size, "%.0f %s", v, unit);
    else
        snprintf(buf, size, "%.4g %s", v, unit);
    return buf;
}

double tm_nice_step(double range, int max_ticks)
{
    if (!(range > 0) || max_ticks < 1)
        return 1;
    if (!isfinite(range))
        return DBL_MAX;
    double raw = range / max_ticks;
    double mag = pow(10, floor(log10(raw)));
    if (!(mag > 0))   /* raw underflowed (range ~ 1e-323): a 0 step would never advance */
        return range;
    static const double mult[] = {1, 2, 5, 10};
    for (int i = 0; i < 4; i++)
        if (mult[i] * mag >= raw * (1 - 1e-9))
            return mult[i] * mag;
    return 10 * mag;
}

void tm_print_problems(FILE *to, const char *path, const char *label, const tm_trace *tr)
{
    for (size_t i = 0; i < tr->n_problems; i++) {
        const tm_problem *p = &tr->problems[i];
        tm_safe_fprintf(to, "%s:%u:%u: %s%s\n", path, p->line, p->column, label, p->message);
    }
    if (tr->problems_dropped)
        tm_safe_fprintf(to, "%s: %s%zu more problem%s not shown (run `coroscope validate %s`)\n", path,
                label, tr->problems_dropped, tr->problems_dropped == 1 ? "" : "s", path);
}

void tm_print_error(FILE *to, const char *who, const char *path, const tm_error *err)
{
    if (err->line)
        tm_safe_fprintf(to, "%s%s:%u:%u: %s\n", who, path, err->line, err->column ? err->column : 1,
                err->message);
    else
        tm_safe_fprintf(to, "%s%s: %s\n", who, path, err->message);
}
