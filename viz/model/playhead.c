/*
** playhead.c -- the playhead's cursor per run and its moves (see playhead.h).
**
** Events are in time order, so "the events at instant t" is a range found by
** binary search; within it, decisions are counted by walking forward.
*/
#include <math.h>

#include "playhead.h"

int vz_is_decision(const tm_event *ev)
{
    switch (ev->kind) {
    case TM_EV_TASK_NEW:
    case TM_EV_STEP_BEGIN:
    case TM_EV_STEP_END:
    case TM_EV_WAKE:
    case TM_EV_CALL_SOON:
    case TM_EV_HANDLE_CANCEL:
    case TM_EV_CB_RUN:
    case TM_EV_TIMER_FIRE:
    case TM_EV_CANCEL:
    case TM_EV_END:
        return 1;
    default:
        return 0;
    }
}

/* First event with time >= t (strict = 0) or > t (strict = 1). */
static size_t first_time(const tm_trace *tr, double t, int strict)
{
    size_t lo = 0, hi = tr->n_events;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        double mt = tr->events[mid].t;
        if (strict ? mt <= t : mt < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Walk the decisions at time t from event i (with `seen` already counted) until
** the (k+1)-th; returns the stopping index. */
static size_t walk(const tm_trace *tr, size_t i, size_t hi, uint32_t k, uint32_t *seen)
{
    for (; i < hi; i++) {
        if (vz_is_decision(&tr->events[i])) {
            if (*seen == k)
                break;
            (*seen)++;
        }
    }
    return i;
}

uint32_t vz_run_cursor(const vz_run *run, double t, uint32_t k)
{
    const tm_trace *tr = run->tr;
    size_t hi = first_time(tr, t, 1);
    if (k != VZ_K_ALL) {
        uint32_t seen = 0;
        hi = walk(tr, first_time(tr, t, 0), hi, k, &seen);
    }
    return hi ? (uint32_t)(hi - 1) : TM_NONE;
}

uint32_t vz_run_decisions_at(const vz_run *run, double t)
{
    const tm_trace *tr = run->tr;
    uint32_t n = 0;
    for (size_t i = first_time(tr, t, 0), hi = first_time(tr, t, 1); i < hi; i++)
        n += (uint32_t)vz_is_decision(&tr->events[i]);
    return n;
}

uint32_t vz_run_next_decision(const vz_run *run, uint32_t ev)
{
    const tm_trace *tr = run->tr;
    for (size_t i = ev == TM_NONE ? 0 : (size_t)ev + 1; i < tr->n_events; i++)
        if (vz_is_decision(&tr->events[i]))
            return (uint32_t)i;
    return TM_NONE;
}

uint32_t vz_run_prev_decision_before(const vz_run *run, double t)
{
    const tm_trace *tr = run->tr;
    for (size_t i = first_time(tr, t, 0); i-- > 0;)
        if (vz_is_decision(&tr->events[i]))
            return (uint32_t)i;
    return TM_NONE;
}

void vz_run_playhead_for(const vz_run *run, uint32_t ev, double *t, uint32_t *k)
{
    const tm_trace *tr = run->tr;
    if (!tr->n_events) {
        *t = 0;
        *k = 0;
        return;
    }
    if (ev == TM_NONE || ev >= tr->n_events) {
        *t = tr->events[ev == TM_NONE ? 0 : tr->n_events - 1].t;
        *k = ev == TM_NONE ? 0 : VZ_K_ALL;
        return;
    }
    *t = tr->events[ev].t;
    uint32_t n = 0;
    for (size_t i = first_time(tr, *t, 0); i <= ev; i++)
        n += (uint32_t)vz_is_decision(&tr->events[i]);
    *k = n;
}

uint32_t vz_run_prev_decision(const vz_run *run, uint32_t ev)
{
    const tm_trace *tr = run->tr;
    if (ev == TM_NONE)
        return TM_NONE;
    for (size_t i = ev < tr->n_events ? ev : tr->n_events; i-- > 0;)
        if (vz_is_decision(&tr->events[i]))
            return (uint32_t)i;
    return TM_NONE;
}

int vz_run_step_next(const vz_run *run, double *t, uint32_t *k)
{
    uint32_t cur = vz_run_cursor(run, *t, *k), nd = vz_run_next_decision(run, cur);
    double nt;
    uint32_t nk;
    if (nd == TM_NONE) {   /* past its last decision: show any trailing events */
        if (!run->tr->n_events || *k == VZ_K_ALL || cur == vz_run_cursor(run, *t, VZ_K_ALL))
            return 0;
        *k = VZ_K_ALL;
        return 1;
    }
    vz_run_playhead_for(run, nd, &nt, &nk);
    *t = nt;
    *k = nk;
    return 1;
}

int vz_run_step_prev(const vz_run *run, double *t, uint32_t *k)
{
    uint32_t cur = vz_run_cursor(run, *t, *k);
    if (cur == TM_NONE)
        return 0;
    /* The decision the cursor shows (its last one), and the one before it. */
    uint32_t shown = vz_is_decision(&run->tr->events[cur]) ? cur : vz_run_prev_decision(run, cur);
    uint32_t pd = shown == TM_NONE ? TM_NONE : vz_run_prev_decision(run, shown);
    if (pd == TM_NONE) {   /* before its first decision: nothing has happened yet */
        *t = run->tr->events[0].t;
        *k = 0;
        return 1;
    }
    vz_run_playhead_for(run, pd, t, k);
    return 1;
}

int vz_doc_more_at(const vz_doc *doc, double t, uint32_t k)
{
    if (k == VZ_K_ALL)
        return 0;
    for (size_t r = 0; r < doc->n_runs; r++) {
        const vz_run *run = &doc->runs[r];
        uint32_t nd = vz_run_next_decision(run, vz_run_cursor(run, t, k));
        if (nd != TM_NONE && run->tr->events[nd].t == t)
            return 1;
    }
    return 0;
}

double vz_doc_next_time(const vz_doc *doc, double t)
{
    double best = INFINITY;
    for (size_t r = 0; r < doc->n_runs; r++) {
        const vz_run *run = &doc->runs[r];
        uint32_t nd = vz_run_next_decision(run, vz_run_cursor(run, t, VZ_K_ALL));
        if (nd != TM_NONE && run->tr->events[nd].t < best)
            best = run->tr->events[nd].t;
    }
    return isfinite(best) ? best : doc->t_max;
}

int vz_doc_step_next(const vz_doc *doc, double *t, uint32_t *k)
{
    if (vz_doc_more_at(doc, *t, *k)) {
        (*k)++;
        return 1;
    }
    double tn = vz_doc_next_time(doc, *t);
    if (tn > *t) {
        *t = tn;
        *k = 1;
        return 1;
    }
    if (*k != VZ_K_ALL) {   /* no decision left anywhere: show any trailing events */
        int moved = 0;
        for (size_t r = 0; r < doc->n_runs; r++)
            moved |= vz_run_cursor(&doc->runs[r], *t, *k) != vz_run_cursor(&doc->runs[r], *t, VZ_K_ALL);
        *k = VZ_K_ALL;
        return moved;
    }
    return 0;
}

int vz_doc_step_prev(const vz_doc *doc, double *t, uint32_t *k)
{
    uint32_t most = 0;
    for (size_t r = 0; r < doc->n_runs; r++) {
        uint32_t n = vz_run_decisions_at(&doc->runs[r], *t);
        if (n > most)
            most = n;
    }
    uint32_t kk = *k > most ? most : *k;
    if (kk > 1) {
        *k = kk - 1;
        return 1;
    }
    double tp = -INFINITY;
    for (size_t r = 0; r < doc->n_runs; r++) {
        const vz_run *run = &doc->runs[r];
        uint32_t pd = vz_run_prev_decision_before(run, *t);
        if (pd != TM_NONE && run->tr->events[pd].t > tp)
            tp = run->tr->events[pd].t;
    }
    if (isfinite(tp)) {
        *t = tp;
        *k = VZ_K_ALL;
        return 1;
    }
    if (*k != 0) {   /* before the first decision: nothing has happened yet */
        *k = 0;
        return 1;
    }
    return 0;
}

int vz_doc_instant_next(const vz_doc *doc, double *t, uint32_t *k)
{
    double best = INFINITY;
    for (size_t r = 0; r < doc->n_runs; r++) {
        const tm_trace *tr = doc->runs[r].tr;
        size_t i = first_time(tr, *t, *k == VZ_K_ALL);
        if (*k != VZ_K_ALL && i < tr->n_events && tr->events[i].t == *t) {
            *k = VZ_K_ALL;   /* finish this instant first */
            return 1;
        }
        if (i < tr->n_events && tr->events[i].t < best)
            best = tr->events[i].t;
    }
    if (!isfinite(best))
        return 0;
    *t = best;
    *k = VZ_K_ALL;
    return 1;
}

int vz_doc_instant_prev(const vz_doc *doc, double *t, uint32_t *k)
{
    double best = -INFINITY;
    for (size_t r = 0; r < doc->n_runs; r++) {
        const tm_trace *tr = doc->runs[r].tr;
        size_t i = first_time(tr, *t, 0);
        if (i > 0 && tr->events[i - 1].t > best)
            best = tr->events[i - 1].t;
    }
    if (!isfinite(best)) {
        if (*k == 0)
            return 0;
        *k = 0;
        return 1;
    }
    *t = best;
    *k = VZ_K_ALL;
    return 1;
}

/* The cursor for (t, k), reusing the walk of the previous call at the same t. */
static uint32_t cached_cursor(vz_run *run, double t, uint32_t k)
{
    const tm_trace *tr = run->tr;
    if (k == VZ_K_ALL || !tr->n_events) {
        run->cache_ok = 0;
        return vz_run_cursor(run, t, k);
    }
    size_t hi = first_time(tr, t, 1);
    if (!run->cache_ok || run->cache_t != t || k < run->cache_k) {
        run->cache_pos = (uint32_t)first_time(tr, t, 0);
        run->cache_seen = 0;
    }
    uint32_t seen = run->cache_seen;
    size_t i = walk(tr, run->cache_pos, hi, k, &seen);
    run->cache_ok = 1;
    run->cache_t = t;
    run->cache_k = k;
    run->cache_pos = (uint32_t)i;
    run->cache_seen = seen;
    return i ? (uint32_t)(i - 1) : TM_NONE;
}

void vz_doc_sync(vz_doc *doc, double t, uint32_t k)
{
    for (size_t r = 0; r < doc->n_runs; r++) {
        vz_run *run = &doc->runs[r];
        const tm_trace *tr = run->tr;
        uint32_t cur = cached_cursor(run, t, k);
        /* Between instants, when the next thing the trace records is an idle wait,
        ** the loop is already waiting (the idle event is written when it ends). */
        int idle_now = cur != TM_NONE && (size_t)cur + 1 < tr->n_events && tr->events[cur + 1].kind == TM_EV_IDLE &&
                       t > tr->events[cur].t && tr->events[cur + 1].obj < tr->n_idles;
        if (cur != run->cur || run->loop.ev != cur || idle_now != run->idle_now || !tr->n_events) {
            run->cur = cur;
            run->idle_now = idle_now;
            vz_run_loop_state(run, cur, &run->loop);
            if (idle_now) {
                run->loop.running = TM_NONE;
                run->loop.callback = TM_NONE;
                run->loop.idle = tr->events[cur + 1].obj;
            }
        }
    }
}

