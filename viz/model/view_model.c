/*
** view_model.c -- building a run's display indexes, and describing the loop
** and its events in words (see view_model.h).
**
** Everything is built in one or two passes over the trace's arrays and sized
** per task, marker, link or callback, not per event, so a million-event trace
** costs about a megabyte on top of the model; the loop lane reuses the
** model's steps and idle periods and adds only the callbacks' event indexes.
*/
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "constructs.h"
#include "findings.h"
#include "jobs.h"
#include "overview.h"
#include "playhead.h"
#include "view_model.h"
#include "words.h"
#include "tm_safe.h"

/* ---- building ---------------------------------------------------------------- */

void vz_doc_init(vz_doc *doc)
{
    memset(doc, 0, sizeof *doc);
}

static void run_free(vz_run *run)
{
    tm_free(run->tr);
    co_free(run->label);
    co_free(run->path);
    co_free(run->cbs);
    co_free(run->mk_first);
    co_free(run->mk_ev);
    co_free(run->ln_first);
    co_free(run->ln_idx);
    co_free(run->levels);
    vz_jobs_free(run);
    co_free(run->rows);
    co_free(run->row_sub);
    co_free(run->row_of);
    co_free(run->findings);
    vz_constructs_free(run);
    vz_overview_free(run);
    memset(run, 0, sizeof *run);
}

void vz_doc_free(vz_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->n_runs; i++)
        run_free(&doc->runs[i]);
    vz_doc_init(doc);
}

vz_marker_kind vz_marker_of(const tm_trace *tr, const tm_event *ev, uint32_t *lane)
{
    *lane = ev->task;
    switch (ev->kind) {
    case TM_EV_TASK_NEW:
        return VZ_MK_CREATED;
    case TM_EV_CANCEL:
        return ev->task != TM_NONE ? VZ_MK_CANCEL_REQ : VZ_MK_NONE;
    case TM_EV_THROW:
        return VZ_MK_THROW;
    case TM_EV_TASK_DONE:
        if (ev->detail == TM_OUTCOME_CANCELLED)
            return VZ_MK_CANCELLED;
        return ev->detail == TM_OUTCOME_EXCEPTION ? VZ_MK_FAILED : VZ_MK_NONE;
    case TM_EV_TIMER_FIRE:
        *lane = TM_NONE;
        return VZ_MK_TIMER;
    case TM_EV_PRINT:
        return VZ_MK_PRINT;
    case TM_EV_WARN:
        return VZ_MK_WARN;
    case TM_EV_SYNC:
    case TM_EV_JOB:
    case TM_EV_IO:
    case TM_EV_TIMEOUT:
    case TM_EV_GROUP:
    case TM_EV_BLOCK: {
        /* What a bracket, a deadline or an I/O wait span already shows gets no marker. */
        const char *op = tm_text(tr, ev->s1);
        if (ev->task == TM_NONE)
            *lane = tm_event_by(tr, (uint32_t)(ev - tr->events));
        switch (ev->kind) {
        case TM_EV_BLOCK:
            return VZ_MK_BLOCK;
        case TM_EV_TIMEOUT:
            return !strcmp(op, "fire") ? VZ_MK_TIMEOUT_FIRE
                 : !strcmp(op, "arm") || !strcmp(op, "reschedule") ? VZ_MK_TIMEOUT
                 : !strcmp(op, "exit") ? VZ_MK_NONE : VZ_MK_OTHER;
        case TM_EV_GROUP:
            return !strcmp(op, "abort") ? VZ_MK_GROUP_ABORT
                 : !strcmp(op, "new") || !strcmp(op, "add") || !strcmp(op, "exit") ? VZ_MK_NONE : VZ_MK_OTHER;
        case TM_EV_IO:
            return !strcmp(op, "ready") ? VZ_MK_IO_READY : !strcmp(op, "wait") ? VZ_MK_NONE : VZ_MK_OTHER;
        default:
            return VZ_MK_OTHER;
        }
    }
    default:
        return VZ_MK_NONE;
    }
}

/* The loop lane's callbacks: every cb_run event, in order. */
static int build_cbs(vz_run *run)
{
    const tm_trace *tr = run->tr;
    size_t n = tr->stats.callbacks, k = 0;
    run->cbs = co_malloc((n ? n : 1) * sizeof *run->cbs);
    if (!run->cbs)
        return -1;
    for (size_t i = 0; i < tr->n_events && k < n; i++)
        if (tr->events[i].kind == TM_EV_CB_RUN)
            run->cbs[k++] = (uint32_t)i;
    run->n_cbs = k;
    return 0;
}

uint32_t vz_seg_events(const vz_run *run, vz_seg_kind kind, size_t i, uint32_t *last)
{
    const tm_trace *tr = run->tr;
    uint32_t first;
    switch (kind) {
    case VZ_SEG_STEP:
        first = tr->steps[i].ev_begin;
        *last = tr->steps[i].ev_end != TM_NONE ? tr->steps[i].ev_end : (uint32_t)(tr->n_events - 1);
        return first;
    case VZ_SEG_CALLBACK: {
        /* A callback owns what it does at the same instant -- the futures it
        ** resolves, the cancel() calls and call_soon()s it makes -- up to the
        ** loop's next action of its own: another handle run, a timer moved to
        ** the ready queue, an idle wait, the end (BaseEventLoop._run_once runs
        ** one handle to completion before the next). */
        first = run->cbs[i];
        size_t j = (size_t)first + 1;
        double t = tr->events[first].t;
        while (j < tr->n_events && j - first < 10000 && tr->events[j].t == t && tm_event_by(tr, j) == TM_NONE) {
            uint8_t k = tr->events[j].kind;
            if (k == TM_EV_STEP_BEGIN || k == TM_EV_CB_RUN || k == TM_EV_TIMER_FIRE || k == TM_EV_IDLE ||
                k == TM_EV_END)
                break;
            j++;
        }
        *last = (uint32_t)(j - 1);
        return first;
    }
    default:
        *last = tr->idles[i].ev;
        return tr->idles[i].ev;
    }
}

/* The marker of event i and its lane: version-2 markers go where constructs.c put them. */
static vz_marker_kind marker_and_lane(const vz_run *run, size_t i, uint32_t *lane)
{
    const tm_trace *tr = run->tr;
    const tm_event *e = &tr->events[i];
    vz_marker_kind mk = vz_marker_of(tr, e, lane);
    if (mk != VZ_MK_NONE && e->obj < tr->n_marks && tr->marks[e->obj].ev == i)
        *lane = run->mk_lane[e->obj];
    return mk;
}

/* Group values by lane slot (task index, or n_tasks for the loop) into CSR arrays. */
static int build_markers(vz_run *run)
{
    const tm_trace *tr = run->tr;
    size_t slots = tr->n_tasks + 1;
    run->mk_first = co_calloc(slots + 1, sizeof *run->mk_first);
    if (!run->mk_first)
        return -1;
    size_t total = 0;
    for (size_t i = 0; i < tr->n_events; i++) {
        uint32_t lane;
        if (marker_and_lane(run, i, &lane) == VZ_MK_NONE)
            continue;
        run->mk_first[(lane < tr->n_tasks ? lane : tr->n_tasks) + 1]++;
        total++;
    }
    for (size_t s = 0; s < slots; s++)
        run->mk_first[s + 1] += run->mk_first[s];
    run->mk_ev = co_malloc((total ? total : 1) * sizeof *run->mk_ev);
    uint32_t *fill = co_malloc(slots * sizeof *fill);
    if (!run->mk_ev || !fill) {
        co_free(fill);
        return -1;
    }
    memcpy(fill, run->mk_first, slots * sizeof *fill);
    for (size_t i = 0; i < tr->n_events; i++) {
        uint32_t lane;
        vz_marker_kind mk = marker_and_lane(run, i, &lane);
        if (mk == VZ_MK_NONE)
            continue;
        run->mk_ev[fill[lane < tr->n_tasks ? lane : tr->n_tasks]++] = (uint32_t)i;
        run->mk_present |= 1u << mk;
    }
    co_free(fill);
    return 0;
}

static int link_drawn(const tm_link *l)
{
    return l->kind == TM_LINK_SPAWN || l->kind == TM_LINK_WAKE || l->kind == TM_LINK_CANCEL;
}

static int build_links(vz_run *run)
{
    const tm_trace *tr = run->tr;
    size_t slots = tr->n_tasks + 1, total = 0;
    run->ln_first = co_calloc(slots + 1, sizeof *run->ln_first);
    if (!run->ln_first)
        return -1;
    for (size_t i = 0; i < tr->n_links; i++) {
        if (!link_drawn(&tr->links[i]))
            continue;
        uint32_t lane = tm_event_by(tr, tr->links[i].to);
        run->ln_first[(lane < tr->n_tasks ? lane : tr->n_tasks) + 1]++;
        total++;
    }
    for (size_t s = 0; s < slots; s++)
        run->ln_first[s + 1] += run->ln_first[s];
    run->ln_idx = co_malloc((total ? total : 1) * sizeof *run->ln_idx);
    uint32_t *fill = co_malloc(slots * sizeof *fill);
    if (!run->ln_idx || !fill) {
        co_free(fill);
        return -1;
    }
    memcpy(fill, run->ln_first, slots * sizeof *fill);
    for (size_t i = 0; i < tr->n_links; i++) {
        if (!link_drawn(&tr->links[i]))
            continue;
        uint32_t lane = tm_event_by(tr, tr->links[i].to);
        run->ln_idx[fill[lane < tr->n_tasks ? lane : tr->n_tasks]++] = (uint32_t)i;
    }
    co_free(fill);
    return 0;
}

static int build_levels(vz_run *run)
{
    const tm_trace *tr = run->tr;
    run->levels = co_calloc(tr->n_tasks ? tr->n_tasks : 1, 1);
    if (!run->levels)
        return -1;
    for (size_t f = 0; f < tr->n_frames; f++) {
        const tm_frame *fr = &tr->frames[f];
        if (fr->task >= tr->n_tasks)
            continue;
        uint32_t lv = fr->depth + 1 > VZ_MAX_LEVELS ? VZ_MAX_LEVELS : fr->depth + 1;
        if (lv > run->levels[fr->task])
            run->levels[fr->task] = (uint8_t)lv;
    }
    return 0;
}

int vz_match(const char *hay, const char *needle)
{
    if (!*needle)
        return 1;
    for (; *hay; hay++) {
        size_t i = 0;
        while (needle[i] && hay[i] && tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (!needle[i])
            return 1;
    }
    return 0;
}

/* The rows: tree order, less what the filter leaves out or a folded lane holds, then sorted. */
static void build_rows(vz_run *run, const char *filter, int sort)
{
    const tm_trace *tr = run->tr;
    size_t n = 0;
    run->row_sub[0] = 0;
    for (size_t i = 0; i < tr->n_tasks; i++)
        run->row_of[i] = TM_NONE;
    for (size_t i = 0; i < tr->n_tasks; i++) {
        uint32_t t = tr->lanes[i];
        const tm_task *tk = &tr->tasks[t];
        if (*filter && !vz_match(tm_text(tr, tk->name), filter) && !vz_match(tm_text(tr, tk->coro), filter))
            continue;
        run->rows[n++] = t;
        if (!*filter && run->collapsed[t])   /* its subtree follows it in tree order */
            i += run->subtree[t];
    }
    vz_sort_rows(run, (vz_sort)sort, run->rows, n);
    for (size_t r = 0; r < n; r++) {
        uint32_t t = run->rows[r];
        run->row_of[t] = (uint32_t)r;
        run->row_sub[r + 1] = run->row_sub[r] + run->levels[t];
    }
    run->n_rows = n;
    run->no_match = !n && *filter && tr->n_tasks;
}

/* Count decisions per instant: the dense instants and the densest. */
static void build_dense(vz_run *run)
{
    const tm_trace *tr = run->tr;
    run->n_dense = 0;
    run->dense_most = TM_NONE;
    run->n_decisions = 0;
    for (size_t i = 0; i < tr->n_events;) {
        size_t j = i;
        uint32_t n = 0;
        while (j < tr->n_events && tr->events[j].t == tr->events[i].t)
            n += (uint32_t)vz_is_decision(&tr->events[j++]);
        run->n_decisions += n;
        if (n >= VZ_DENSE_MIN) {
            if (run->n_dense < VZ_DENSE_MAX) {
                run->dense[run->n_dense] = (vz_dense){tr->events[i].t, (uint32_t)i, n};
                if (run->dense_most == TM_NONE || n > run->dense[run->dense_most].decisions)
                    run->dense_most = (uint32_t)run->n_dense;
                run->n_dense++;
            }
        }
        i = j;
    }
}

int vz_doc_wants_event_order(const vz_doc *doc)
{
    for (size_t r = 0; r < doc->n_runs; r++) {
        const vz_run *run = &doc->runs[r];
        if (run->dense_most != TM_NONE && run->dense[run->dense_most].decisions * 10 >= run->n_decisions * 4)
            return (int)r;
    }
    return -1;
}

int vz_doc_add(vz_doc *doc, tm_trace *tr, const char *label, const char *path)
{
    if (doc->n_runs >= VZ_MAX_RUNS || !tr) {
        tm_free(tr);
        return -1;
    }
    vz_run *run = &doc->runs[doc->n_runs];
    memset(run, 0, sizeof *run);
    run->tr = tr;
    run->label = co_strdup(label ? label : "");
    run->path = co_strdup(path ? path : "");
    run->t0 = tr->n_events && tr->events[0].t < 0 ? tr->events[0].t : 0;   /* the overview's bins need them */
    run->t1 = tr->stats.t_end > run->t0 ? tr->stats.t_end : run->t0;
    size_t nt = tr->n_tasks ? tr->n_tasks : 1;
    run->rows = co_malloc(nt * sizeof *run->rows);
    run->row_sub = co_malloc((nt + 1) * sizeof *run->row_sub);
    run->row_of = co_malloc(nt * sizeof *run->row_of);
    if (!run->label || !run->path || !run->rows || !run->row_sub || !run->row_of || build_cbs(run) ||
        vz_constructs_build(run) || build_markers(run) || build_links(run) || build_levels(run) ||
        vz_jobs_build(run) || vz_findings_build(run) || vz_overview_build(run)) {
        run_free(run);
        return -1;
    }
    build_rows(run, doc->filter, doc->sort);
    build_dense(run);
    run->cur = TM_NONE;
    run->loop.ev = TM_NONE;
    doc->n_runs++;
    if (doc->n_runs == 1 || run->t0 < doc->t_min)
        doc->t_min = run->t0;
    if (doc->n_runs == 1 || run->t1 > doc->t_max)
        doc->t_max = run->t1;
    if (tr->n_events > doc->max_events)
        doc->max_events = tr->n_events;
    return 0;
}

void vz_doc_filter(vz_doc *doc, const char *filter)
{
    snprintf(doc->filter, sizeof doc->filter, "%s", filter ? filter : "");
    for (size_t i = 0; i < doc->n_runs; i++)
        build_rows(&doc->runs[i], doc->filter, doc->sort);
}

void vz_doc_sort(vz_doc *doc, int sort)
{
    doc->sort = (uint8_t)(sort >= 0 && sort < VZ_SORT__COUNT ? sort : VZ_SORT_TREE);
    for (size_t i = 0; i < doc->n_runs; i++)
        build_rows(&doc->runs[i], doc->filter, doc->sort);
}

size_t vz_doc_collapse(vz_doc *doc, size_t r, uint32_t task, int how)
{
    if (r >= doc->n_runs)
        return 0;
    vz_run *run = &doc->runs[r];
    const tm_trace *tr = run->tr;
    size_t changed = 0;
    if (task == TM_NONE && how < 0) {   /* toggle all: fold them unless some are folded already */
        how = 1;
        for (size_t t = 0; t < tr->n_tasks; t++)
            if (run->collapsed[t])
                how = 0;
    }
    for (size_t t = task == TM_NONE ? 0 : task; t < tr->n_tasks && (task == TM_NONE || t == task); t++) {
        if (!run->subtree[t] && !run->collapsed[t])
            continue;   /* nothing to fold */
        uint8_t v = (uint8_t)(how < 0 ? !run->collapsed[t] : how != 0);
        changed += run->collapsed[t] != v;
        run->collapsed[t] = v;
    }
    if (changed)
        build_rows(run, doc->filter, doc->sort);
    return changed;
}

/* ---- reading ------------------------------------------------------------------ */

double vz_run_pos(const vz_run *run, uint32_t ev, int step_view)
{
    if (step_view)
        return (double)ev;
    return run->tr->events[ev].t;
}

char *vz_format_seconds(double s, char *buf, size_t size)
{
    if (s == 0) {
        tm_safe_snprintf(buf, size, "0 s");
        return buf;
    }
    return tm_format_seconds(s, buf, size);
}

const char *vz_task_name(const vz_run *run, uint32_t task)
{
    if (task == TM_NONE || task >= run->tr->n_tasks)
        return "loop";
    return tm_text(run->tr, run->tr->tasks[task].name);
}

const char *vz_timer_purpose(const vz_run *run, uint32_t timer)
{
    const tm_trace *tr = run->tr;
    const tm_timer *t = &tr->timers[timer];
    if (t->ev_new > 0 && t->ev_new < tr->n_events) {
        const tm_event *e = &tr->events[t->ev_new - 1];
        if (e->kind == TM_EV_FUT_NEW && *tm_text(tr, e->s1))
            return vz_wait_words(run, tm_text(tr, e->s1));
    }
    return vz_callback_words(tm_text(tr, t->fn));
}

const char *vz_future_label(const vz_run *run, uint32_t id)
{
    const tm_trace *tr = run->tr;
    uint32_t t = tm_find_task(tr, id);
    if (t != TM_NONE)
        return tm_text(tr, tr->tasks[t].name);
    uint32_t f = tm_find_future(tr, id);
    if (f != TM_NONE) {
        const char *l = tm_text(tr, tr->futures[f].label);
        return *l ? l : tm_text(tr, tr->futures[f].kind);
    }
    return "a future";
}

/* The last of n sorted event indexes (at stride bytes apart) at or before ev, or n. */
static size_t last_at(const void *base, size_t n, size_t stride, uint32_t ev)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        uint32_t e;
        memcpy(&e, (const char *)base + mid * stride, sizeof e);
        if (e <= ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo ? lo - 1 : n;
}

void vz_run_loop_state(const vz_run *run, uint32_t ev, vz_loop_state *out)
{
    const tm_trace *tr = run->tr;
    memset(out, 0, sizeof *out);
    out->ev = ev;
    out->running = out->callback = out->idle = TM_NONE;
    if (ev == TM_NONE || ev >= tr->n_events)
        return;
    out->running = tm_running_at(tr, ev);
    if (out->running == TM_NONE) {   /* what the loop did last: a step, a callback or an idle wait */
        size_t st = last_at(tr->n_steps ? &tr->steps[0].ev_begin : NULL, tr->n_steps, sizeof *tr->steps, ev);
        size_t cb = last_at(run->cbs, run->n_cbs, sizeof *run->cbs, ev);
        size_t id = last_at(tr->n_idles ? &tr->idles[0].ev : NULL, tr->n_idles, sizeof *tr->idles, ev);
        uint32_t e_st = st < tr->n_steps ? tr->steps[st].ev_begin : 0;
        uint32_t e_cb = cb < run->n_cbs ? run->cbs[cb] : 0, e_id = id < tr->n_idles ? tr->idles[id].ev : 0, last;
        if (cb < run->n_cbs && e_cb >= e_st && (id >= tr->n_idles || e_cb > e_id)) {
            vz_seg_events(run, VZ_SEG_CALLBACK, cb, &last);
            if (ev <= last)
                out->callback = e_cb;
        } else if (id < tr->n_idles && e_id >= e_st) {
            out->idle = (uint32_t)id;
        }
    }
    out->n_graph = tm_await_graph_at(tr, ev, out->graph, VZ_GRAPH_MAX);
    out->n_ready = tm_ready_at(tr, ev, out->ready, VZ_LOOP_LIST);
    out->n_timers = tm_timers_at(tr, ev, out->timers, VZ_LOOP_LIST);
    for (size_t i = 0; i < tr->n_tasks; i++) {
        uint32_t t = tr->lanes[i];
        const tm_task *tk = &tr->tasks[t];
        if (tk->ev_new > ev || (tk->ev_done != TM_NONE && tk->ev_done <= ev))
            continue;
        out->n_alive++;
        uint32_t sp = tm_span_at(tr, t, ev);
        if (sp == TM_NONE || tr->spans[sp].state != TM_STATE_WAITING)
            continue;
        if (out->n_waiting < VZ_LOOP_LIST) {
            out->waiting[out->n_waiting] = t;
            out->waiting_span[out->n_waiting] = sp;
        }
        out->n_waiting++;
    }
}

size_t vz_task_waits(const vz_run *run, uint32_t task, vz_wait_sum *out, size_t cap)
{
    const tm_trace *tr = run->tr;
    if (task >= tr->n_tasks)
        return 0;
    const tm_task *tk = &tr->tasks[task];
    size_t n = 0, limit = tk->span_count < 100000 ? tk->span_count : 100000;
    for (size_t i = 0; i < limit; i++) {
        const tm_span *sp = &tr->spans[tk->span_first + i];
        if (sp->state != TM_STATE_WAITING)
            continue;
        double d = tm_span_t1(tr, sp) - tm_span_t0(tr, sp);
        size_t j = 0;
        while (j < n && out[j].label != sp->label)
            j++;
        if (j == n) {
            if (n == cap)
                continue;
            out[n++] = (vz_wait_sum){sp->label, 0, 0};
        }
        out[j].seconds += d;
        out[j].count++;
    }
    return n;
}

char *vz_event_text(const vz_run *run, uint32_t ev, char *buf, size_t size)
{
    const tm_trace *tr = run->tr;
    if (ev >= tr->n_events) {
        tm_safe_snprintf(buf, size, "before the first event");
        return buf;
    }
    const tm_event *e = &tr->events[ev];
    const char *task = vz_task_name(run, e->task), *by = vz_task_name(run, tm_event_by(tr, ev));
    const char *s1 = tm_text(tr, e->s1), *s2 = tm_text(tr, tm_event_s2(tr, ev));
    char when[32];
    switch ((tm_kind)e->kind) {
    case TM_EV_TASK_NEW:
        if (tm_event_by(tr, ev) == TM_NONE)
            tm_safe_snprintf(buf, size, "%s (%s) created; its first step is queued", task, s2);
        else
            tm_safe_snprintf(buf, size, "%s creates %s (%s); its first step is queued", by, task, s2);
        break;
    case TM_EV_STEP_BEGIN:
        tm_safe_snprintf(buf, size, "the loop runs a step of %s", task);
        break;
    case TM_EV_THROW:
        tm_safe_snprintf(buf, size, "%s%s%s is raised inside %s", s1, *s2 ? ": " : "", s2, task);
        break;
    case TM_EV_STEP_END:
        switch ((tm_reason)e->detail) {
        case TM_REASON_AWAIT:
            tm_safe_snprintf(buf, size, "%s awaits %s and gives the loop back", task,
                     *s1 ? vz_wait_words(run, s1) : vz_future_label(run, e->obj));
            break;
        case TM_REASON_YIELD:
            tm_safe_snprintf(buf, size, "%s yields (sleep(0)) and is queued again", task);
            break;
        case TM_REASON_RETURN:
            tm_safe_snprintf(buf, size, "%s returns", task);
            break;
        case TM_REASON_RAISE:
            tm_safe_snprintf(buf, size, "%s raises %s%s%s", task, s1, *s2 ? ": " : "", s2);
            break;
        case TM_REASON_CANCELLED:
            tm_safe_snprintf(buf, size, "%s lets CancelledError out", task);
            break;
        default:
            tm_safe_snprintf(buf, size, "%s gives the loop back", task);
        }
        break;
    case TM_EV_TASK_DONE:
        if (e->detail == TM_OUTCOME_RESULT)
            tm_safe_snprintf(buf, size, "%s is done: %s", task, s1);
        else if (e->detail == TM_OUTCOME_EXCEPTION)
            tm_safe_snprintf(buf, size, "%s failed: %s%s%s", task, s1, *s2 ? ": " : "", s2);
        else
            tm_safe_snprintf(buf, size, "%s is cancelled%s%s", task, *s2 ? ": " : "", s2);
        break;
    case TM_EV_FUT_NEW:
        tm_safe_snprintf(buf, size, "%s creates future %s (%s)", by, *s1 ? s1 : "?", s2);
        break;
    case TM_EV_FUT_DONE:
        if (e->detail == TM_OUTCOME_CANCELLED)
            tm_safe_snprintf(buf, size, "future %s is cancelled", vz_future_label(run, e->obj));
        else if (e->detail == TM_OUTCOME_EXCEPTION)
            tm_safe_snprintf(buf, size, "future %s fails: %s%s%s", vz_future_label(run, e->obj), s1, *s2 ? ": " : "", s2);
        else
            tm_safe_snprintf(buf, size, "future %s is resolved: %s", vz_future_label(run, e->obj), s1);
        break;
    case TM_EV_CB_ADD:
        tm_safe_snprintf(buf, size, "callback %s added to %s%s%s%s", s1, vz_future_label(run, e->obj),
                 vz_plain_callback(s1) ? " (" : "", vz_plain_callback(s1) ? vz_plain_callback(s1) : "",
                 vz_plain_callback(s1) ? ")" : "");
        break;
    case TM_EV_WAKE:
        tm_safe_snprintf(buf, size, "%s finished: %s's wake-up is queued", vz_future_label(run, e->obj), task);
        break;
    case TM_EV_CALL_SOON:
        if (vz_plain_callback(s1))
            tm_safe_snprintf(buf, size, "a callback is queued: %s (%s)", vz_plain_callback(s1), s1);
        else
            tm_safe_snprintf(buf, size, "callback %s is queued", s1);
        break;
    case TM_EV_CB_RUN:
        if (vz_plain_callback(s1))
            tm_safe_snprintf(buf, size, "the loop runs a callback: %s (%s)", vz_plain_callback(s1), s1);
        else
            tm_safe_snprintf(buf, size, "the loop runs callback %s", s1);
        break;
    case TM_EV_HANDLE_CANCEL:
        tm_safe_snprintf(buf, size, "queued handle %u is cancelled (the loop will skip it)", tm_event_h(tr, ev));
        break;
    case TM_EV_CANCEL:
        if (tm_event_by(tr, ev) == TM_NONE && *s2 && vz_plain_callback(s2))   /* a callback cancels: name it, as the trace does */
            tm_safe_snprintf(buf, size, "%s (%s) calls cancel() on %s%s", s2, vz_plain_callback(s2),
                     e->task != TM_NONE ? task : vz_future_label(run, e->obj), e->detail ? "" : " (already done)");
        else
            tm_safe_snprintf(buf, size, "%s calls cancel() on %s%s", tm_event_by(tr, ev) == TM_NONE && *s2 ? s2 : by,
                     e->task != TM_NONE ? task : vz_future_label(run, e->obj), e->detail ? "" : " (already done)");
        break;
    case TM_EV_UNCANCEL:
        tm_safe_snprintf(buf, size, "%s calls uncancel()", task);
        break;
    case TM_EV_TIMER_NEW: {
        uint32_t ti = tm_find_timer(tr, e->obj);
        vz_format_seconds(ti != TM_NONE ? tr->timers[ti].when : 0, when, sizeof when);
        tm_safe_snprintf(buf, size, "%s sets a timer for %s (%s)", by, when, vz_callback_words(s1));
        break;
    }
    case TM_EV_TIMER_FIRE: {
        uint32_t ti = tm_find_timer(tr, e->obj);
        vz_format_seconds(ti != TM_NONE ? tr->timers[ti].when : e->t, when, sizeof when);
        tm_safe_snprintf(buf, size, "the timer due at %s fires: its callback is queued", when);
        break;
    }
    case TM_EV_TIMER_CANCEL:
        tm_safe_snprintf(buf, size, "a timer is cancelled");
        break;
    case TM_EV_IDLE: {
        char from[32];
        const tm_idle *id = e->obj < tr->n_idles ? &tr->idles[e->obj] : NULL;
        vz_format_seconds(id ? id->from : e->t, from, sizeof from);
        vz_format_seconds(id ? id->until : e->t, when, sizeof when);
        tm_safe_snprintf(buf, size, "nothing is ready: the loop waits from %s to %s for a timer", from, when);
        break;
    }
    case TM_EV_END:
        tm_safe_snprintf(buf, size, "the recording ends: %s", s1);
        break;
    case TM_EV_FRAME_ENTER:
        tm_safe_snprintf(buf, size, "%s awaits %s%s as a plain call", task, s1, s2);
        break;
    case TM_EV_FRAME_EXIT:
        tm_safe_snprintf(buf, size, "%s() returns in %s", s1, task);
        break;
    case TM_EV_PRINT:
        tm_safe_snprintf(buf, size, "%s prints: %s", e->task == TM_NONE ? "the program" : task, s1);
        break;
    case TM_EV_WARN:
        tm_safe_snprintf(buf, size, "warning (%s): %s", s2, s1);
        break;
    case TM_EV_BLOCK: {
        const tm_mark *m = e->obj < tr->n_marks ? &tr->marks[e->obj] : NULL;
        vz_format_seconds(m ? m->num : 0, when, sizeof when);
        tm_safe_snprintf(buf, size, "%s blocks the loop for %s (%s): nothing else can run", task, when,
                 m ? tm_text(tr, m->what) : "?");
        break;
    }
    case TM_EV_SYNC:
    case TM_EV_JOB:
    case TM_EV_IO:
    case TM_EV_TIMEOUT:
    case TM_EV_GROUP:
        vz_construct_text(run, ev, buf, size);
        break;
    default:
        tm_safe_snprintf(buf, size, "%s", tm_kind_name((tm_kind)e->kind));
    }
    return buf;
}
