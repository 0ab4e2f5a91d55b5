/*
** tm_finish.c -- turning the arrays tm_build.c filled, in file order, into
** the shape trace_model.h promises: every task's spans closed and grouped
** together, frames grouped by task, lanes in tree order, per-task times and
** the whole-trace statistics computed, query indexes built, arrays trimmed.
**
** Grouping is a counting sort by task index: one pass counts, one places. It
** is stable, so each task's spans stay in time order without comparing times.
*/
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "tm_internal.h"

/*
** Group spans by task (stable: each task's spans stay in time order). In
** place: each span's destination is computed first (4 bytes a span, where a
** sorted copy would cost the span's 24 at the load's peak), then the
** permutation is applied cycle by cycle.
*/
static int group_spans(tm__builder *b)
{
    tm_trace *tr = b->tr;
    if (!tr->n_spans)
        return 0;
    tm__shrink(&tr->spans, tr->n_spans, sizeof *tr->spans);
    uint32_t *dest = co_malloc(tr->n_spans * sizeof *dest);
    if (!dest)
        return TM__NOMEM(b);
    uint32_t next = 0;
    for (size_t t = 0; t < tr->n_tasks; t++) {
        tr->tasks[t].span_first = next;
        next += tr->tasks[t].span_count;
        tr->tasks[t].span_count = 0;
    }
    for (size_t i = 0; i < tr->n_spans; i++) {
        tm_task *tk = &tr->tasks[tr->spans[i].task];
        dest[i] = tk->span_first + tk->span_count++;
    }
    for (size_t i = 0; i < tr->n_spans; i++) {
        /* Carry the span at i to its place, and the one there to its own,
        ** until the cycle comes back to i; placed slots are marked TM_NONE. */
        while (dest[i] != TM_NONE && dest[i] != i) {
            uint32_t d = dest[i];
            tm_span tmp = tr->spans[d];
            tr->spans[d] = tr->spans[i];
            tr->spans[i] = tmp;
            dest[i] = dest[d];
            dest[d] = TM_NONE;
        }
        dest[i] = TM_NONE;
    }
    co_free(dest);
    return 0;
}

static int group_frames(tm__builder *b)
{
    tm_trace *tr = b->tr;
    if (!tr->n_frames)
        return 0;
    tm_frame *sorted = co_malloc(tr->n_frames * sizeof *sorted);
    uint32_t *where = co_malloc(tr->n_frames * sizeof *where);
    if (!sorted || !where) {
        co_free(sorted);
        co_free(where);
        return TM__NOMEM(b);
    }
    uint32_t next = 0;
    for (size_t t = 0; t < tr->n_tasks; t++) {
        tr->tasks[t].frame_first = next;
        next += tr->tasks[t].frame_count;
        tr->tasks[t].frame_count = 0;
    }
    for (size_t i = 0; i < tr->n_frames; i++) {
        tm_task *tk = &tr->tasks[tr->frames[i].task];
        where[i] = tk->frame_first + tk->frame_count++;
        sorted[where[i]] = tr->frames[i];
    }
    for (size_t i = 0; i < tr->n_frames; i++) {   /* parents and events follow the move */
        if (sorted[i].parent != TM_NONE)
            sorted[i].parent = where[sorted[i].parent];
    }
    for (size_t i = 0; i < tr->n_events; i++) {
        tm_event *e = &tr->events[i];
        if (e->kind == TM_EV_FRAME_ENTER || e->kind == TM_EV_FRAME_EXIT)
            if (e->task != TM_NONE && e->obj < tr->n_frames)
                e->obj = where[e->obj];
    }
    co_free(where);
    co_free(tr->frames);
    tr->frames = sorted;
    return 0;
}

/* Lanes in tree order: a depth-first walk, children in creation order. */
static int order_lanes(tm__builder *b)
{
    tm_trace *tr = b->tr;
    size_t n = tr->n_tasks;
    if (!n)
        return 0;
    uint32_t *first = co_malloc((n + 1) * sizeof *first);   /* children of i: kids[first[i]..first[i+1]) */
    uint32_t *kids = co_malloc(n * sizeof *kids);
    uint32_t *stack = co_malloc(n * sizeof *stack);
    tr->lanes = co_malloc(n * sizeof *tr->lanes);
    if (!first || !kids || !stack || !tr->lanes) {
        co_free(first);
        co_free(kids);
        co_free(stack);
        return TM__NOMEM(b);
    }
    memset(first, 0, (n + 1) * sizeof *first);
    for (size_t i = 0; i < n; i++)
        if (tr->tasks[i].parent != TM_NONE)
            first[tr->tasks[i].parent + 1]++;
    for (size_t i = 0; i < n; i++)
        first[i + 1] += first[i];
    uint32_t *fill = stack;   /* borrowed as a cursor per parent, reset below */
    for (size_t i = 0; i < n; i++)
        fill[i] = first[i];
    for (size_t i = 0; i < n; i++)
        if (tr->tasks[i].parent != TM_NONE)
            kids[fill[tr->tasks[i].parent]++] = (uint32_t)i;
    size_t out = 0, top = 0;
    for (size_t r = n; r-- > 0;)   /* roots, pushed in reverse so the first pops first */
        if (tr->tasks[r].parent == TM_NONE)
            stack[top++] = (uint32_t)r;
    while (top) {
        uint32_t t = stack[--top];
        tr->lanes[out++] = t;
        for (uint32_t k = first[t + 1]; k-- > first[t];)
            stack[top++] = kids[k];
    }
    co_free(first);
    co_free(kids);
    co_free(stack);
    return 0;
}

/* Running maxima of when handles / timers left, at the end of each block of
** TM__GONE_BLOCK, for tm_ready_at and tm_timers_at. */
static int index_queues(tm__builder *b)
{
    tm_trace *tr = b->tr;
    struct tm__private *p = tr->priv;
    p->handle_gone_max = co_malloc((tr->n_handles / TM__GONE_BLOCK + 1) * sizeof *p->handle_gone_max);
    p->timer_gone_max = co_malloc((tr->n_timers / TM__GONE_BLOCK + 1) * sizeof *p->timer_gone_max);
    if (!p->handle_gone_max || !p->timer_gone_max)
        return TM__NOMEM(b);
    uint32_t m = 0;
    for (size_t i = 0; i < tr->n_handles; i++) {
        uint32_t g = tr->handles[i].ev_gone;
        m = g > m ? g : m;
        if (i % TM__GONE_BLOCK == TM__GONE_BLOCK - 1 || i + 1 == tr->n_handles)
            p->handle_gone_max[i / TM__GONE_BLOCK] = m;
    }
    m = 0;
    for (size_t i = 0; i < tr->n_timers; i++) {
        uint32_t g = tr->timers[i].ev_fire < tr->timers[i].ev_cancel ? tr->timers[i].ev_fire
                                                                    : tr->timers[i].ev_cancel;
        m = g > m ? g : m;
        if (i % TM__GONE_BLOCK == TM__GONE_BLOCK - 1 || i + 1 == tr->n_timers)
            p->timer_gone_max[i / TM__GONE_BLOCK] = m;
    }
    return 0;
}

int tm__finish(tm__builder *b)
{
    tm_trace *tr = b->tr;
    uint32_t last = tr->n_events ? (uint32_t)tr->n_events - 1 : 0;

    if (!b->end_line && !b->stopped)   /* a stop at a bad line was reported already */
        tm__problem_at(b, b->line ? b->line : 1, 1,
                       "no end event: the trace was cut short after line %u", b->line);
    if (b->unknown_kinds > 1 && !(b->flags & TM_LOAD_STRICT))
        tm__problem_at(b, b->line, 1, "%u lines with unknown event kinds were skipped",
                       b->unknown_kinds);

    for (size_t t = 0; t < tr->n_tasks; t++) {
        tm__live *lv = &b->live[t];
        if (lv->span != TM_NONE && tr->spans[lv->span].ev_end == TM_NONE)
            tr->spans[lv->span].ev_end = last;
    }
    tm__idmap_trim(&tr->priv->objects);   /* before the peak of grouping */
    tm__idmap_free(&tr->priv->handles);   /* only loading looks handles up by id */
    for (size_t i = 0; i < tr->n_spans; i++)
        tr->tasks[tr->spans[i].task].span_count++;
    for (size_t i = 0; i < tr->n_frames; i++)
        tr->tasks[tr->frames[i].task].frame_count++;
    if (group_spans(b) < 0 || group_frames(b) < 0 || order_lanes(b) < 0 || index_queues(b) < 0)
        return -1;
    tm__finish_sources(b);

    for (size_t i = 0; i < tr->n_spans; i++) {
        const tm_span *sp = &tr->spans[i];
        double d = tr->events[sp->ev_end].t - tr->events[sp->ev_begin].t;
        tm_task *tk = &tr->tasks[sp->task];
        if (sp->state == TM_STATE_RUNNING)
            tk->t_running += d;
        else if (sp->state == TM_STATE_READY)
            tk->t_ready += d;
        else if (sp->state == TM_STATE_WAITING)
            tk->t_waiting += d;
    }
    if (tr->n_events) {
        tm_stats *st = &tr->stats;
        st->t_end = tr->events[last].t;
        double start = tr->events[0].t < 0 ? tr->events[0].t : 0;
        st->makespan = st->t_end - start;
    }

    tm__shrink(&tr->events, tr->n_events, sizeof *tr->events);
    tm__shrink(&tr->tasks, tr->n_tasks, sizeof *tr->tasks);
    tm__shrink(&tr->steps, tr->n_steps, sizeof *tr->steps);
    tm__shrink(&tr->handles, tr->n_handles, sizeof *tr->handles);
    tm__shrink(&tr->futures, tr->n_futures, sizeof *tr->futures);
    tm__shrink(&tr->timers, tr->n_timers, sizeof *tr->timers);
    tm__shrink(&tr->links, tr->n_links, sizeof *tr->links);
    tm__shrink(&tr->idles, tr->n_idles, sizeof *tr->idles);
    tm__shrink(&tr->prints, tr->n_prints, sizeof *tr->prints);
    tm__shrink(&tr->warns, tr->n_warns, sizeof *tr->warns);
    tm__shrink(&tr->marks, tr->n_marks, sizeof *tr->marks);
    tm__shrink(&tr->jobs, tr->n_jobs, sizeof *tr->jobs);
    struct tm__private *p = tr->priv;
    tm__shrink(&p->strings.buf, p->strings.len, 1);
    tm__strings_done(&p->strings);   /* nothing is interned after loading */
    tm__shrink(&p->seq_runs.v, p->seq_runs.n, sizeof *p->seq_runs.v);
    tm__shrink(&p->by_x.v, p->by_x.n, sizeof *p->by_x.v);
    tm__shrink(&p->h_x.v, p->h_x.n, sizeof *p->h_x.v);
    tm__shrink(&p->s2_x.v, p->s2_x.n, sizeof *p->s2_x.v);
    return 0;
}
