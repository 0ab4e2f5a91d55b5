/*
** overview.c -- the concurrency bins, the minimap cells, folding and sorting
** of a run's lanes (see overview.h).
**
** The counts per state change only where a span begins: the task leaves the
** state of its previous span and enters the new one. Those changes go into a
** transient array of three counters per event, and one sweep over the events
** applies them, bin by bin, for both axis modes.
*/
#include <ctype.h>
#include <string.h>

#include "alloc.h"
#include "overview.h"

int vz_state_rank(unsigned state)
{
    static const int rank[TM_STATE__COUNT] = {
        [TM_STATE_RUNNING] = 6, [TM_STATE_FAILED] = 5, [TM_STATE_CANCELLED] = 4,
        [TM_STATE_READY] = 3,   [TM_STATE_WAITING] = 2, [TM_STATE_DONE] = 1,
    };
    return state < TM_STATE__COUNT ? rank[state] : 0;
}

void vz_ov_range(const vz_run *run, int step_view, double *lo, double *hi)
{
    if (step_view) {
        *lo = 0;
        *hi = (double)run->tr->n_events;
    } else {
        *lo = run->t0;
        *hi = run->t1;
    }
}

size_t vz_ov_bin(const vz_run *run, int step_view, double p, size_t n)
{
    double lo, hi;
    vz_ov_range(run, step_view, &lo, &hi);
    if (!(hi > lo) || !(p > lo))   /* NaN too */
        return 0;
    double b = (p - lo) / (hi - lo) * (double)n;
    return b >= (double)n ? n - 1 : (size_t)b;
}

const vz_conc *vz_ov_bins(const vz_run *run, int step_view)
{
    return run->conc + (step_view ? VZ_OV_BINS : 0);
}

const uint8_t *vz_mm_cells(const vz_run *run, int step_view, uint32_t task)
{
    return run->mm + ((size_t)task * 2 + (step_view ? 1 : 0)) * VZ_MM_COLS;
}

static uint32_t alive(const vz_conc *c)
{
    return c->running + c->ready + c->waiting;
}

/* Is moment a a better sample of its bin than b? More alive, then more running, then more ready. */
static int better(const vz_conc *a, const vz_conc *b)
{
    if (alive(a) != alive(b))
        return alive(a) > alive(b);
    if (a->running != b->running)
        return a->running > b->running;
    return a->ready > b->ready;
}

static double ev_pos(const tm_trace *tr, int step_view, size_t i)
{
    return step_view ? (double)i : tr->events[i].t;
}

static int build_conc(vz_run *run)
{
    const tm_trace *tr = run->tr;
    size_t n = tr->n_events;
    run->conc = co_calloc(2 * VZ_OV_BINS, sizeof *run->conc);
    if (!run->conc)
        return -1;
    if (!n)
        return 0;
    /* Per event: the change of ready, running, waiting. An event begins at
    ** most one span and so ends at most one (trace_model.h), so each change
    ** is -1, 0 or 1: a byte, not an int (3 bytes an event at the load's peak). */
    int8_t *d = co_calloc(n * 3, sizeof *d);
    if (!d)
        return -1;
    for (size_t t = 0; t < tr->n_tasks; t++) {
        const tm_task *tk = &tr->tasks[t];
        for (uint32_t i = 0; i < tk->span_count; i++) {
            const tm_span *sp = &tr->spans[tk->span_first + i];
            if (sp->state > TM_STATE_WAITING || sp->ev_begin >= n)
                continue;   /* a finished task counts nowhere */
            d[(size_t)sp->ev_begin * 3 + sp->state]++;
            if (i + 1 < tk->span_count) {   /* left when the next span begins */
                uint32_t next = tr->spans[tk->span_first + i + 1].ev_begin;
                if (next < n)
                    d[(size_t)next * 3 + sp->state]--;
            }
        }
    }
    for (int mode = 0; mode < 2; mode++) {
        vz_conc *bins = run->conc + (mode ? VZ_OV_BINS : 0);
        uint8_t set[VZ_OV_BINS] = {0};
        long long c[3] = {0, 0, 0};
        vz_conc cur = {0, 0, 0};
        size_t last = 0;
        for (size_t i = 0; i < n; i++) {
            size_t b = vz_ov_bin(run, mode, ev_pos(tr, mode, i), VZ_OV_BINS);
            for (size_t k = last + 1; k < b; k++) {   /* no event in these: what held before */
                if (!set[k]) {
                    bins[k] = cur;
                    set[k] = 1;
                }
            }
            for (int s = 0; s < 3; s++) {
                c[s] += d[i * 3 + (size_t)s];
                if (c[s] < 0)   /* a damaged trace: never negative */
                    c[s] = 0;
            }
            cur = (vz_conc){(uint32_t)c[TM_STATE_RUNNING], (uint32_t)c[TM_STATE_READY], (uint32_t)c[TM_STATE_WAITING]};
            if (!set[b] || better(&cur, &bins[b])) {
                bins[b] = cur;
                set[b] = 1;
            }
            if (b > last)
                last = b;
            if (alive(&cur) > run->conc_peak)
                run->conc_peak = alive(&cur);
        }
    }
    co_free(d);
    return 0;
}

/*
** Each task's state per cell, in both modes: the state it spent the most of
** the cell in (loop time, or events in event order); in a cell where no time
** passed in any state -- a zero-time cascade under the virtual clock -- the
** most telling state it was in there.
*/
static int build_cells(vz_run *run)
{
    const tm_trace *tr = run->tr;
    run->mm = co_calloc((tr->n_tasks ? tr->n_tasks : 1) * 2, VZ_MM_COLS);
    if (!run->mm)
        return -1;
    for (size_t t = 0; t < tr->n_tasks; t++) {
        const tm_task *tk = &tr->tasks[t];
        for (int mode = 0; mode < 2; mode++) {
            double lo, hi, took[VZ_MM_COLS][TM_STATE__COUNT];
            uint8_t seen[VZ_MM_COLS] = {0};   /* the most telling state present, 1 + state */
            memset(took, 0, sizeof took);
            vz_ov_range(run, mode, &lo, &hi);
            double cell_w = hi > lo ? (hi - lo) / VZ_MM_COLS : 1;
            for (uint32_t i = 0; i < tk->span_count; i++) {
                const tm_span *sp = &tr->spans[tk->span_first + i];
                if (sp->ev_begin >= tr->n_events || sp->ev_end >= tr->n_events || sp->state >= TM_STATE__COUNT)
                    continue;
                double pa = ev_pos(tr, mode, sp->ev_begin), pb = ev_pos(tr, mode, sp->ev_end);
                size_t a = vz_ov_bin(run, mode, pa, VZ_MM_COLS), b = vz_ov_bin(run, mode, pb, VZ_MM_COLS);
                for (size_t k = a; k <= b; k++) {
                    double ca = lo + cell_w * (double)k, cb = ca + cell_w;
                    double part = (pb < cb ? pb : cb) - (pa > ca ? pa : ca);
                    if (part > 0)
                        took[k][sp->state] += part;
                    if (!seen[k] || vz_state_rank(sp->state) > vz_state_rank(seen[k] - 1u))
                        seen[k] = (uint8_t)(sp->state + 1);
                }
            }
            uint8_t *cell = run->mm + (t * 2 + (size_t)mode) * VZ_MM_COLS;
            for (size_t k = 0; k < VZ_MM_COLS; k++) {
                int best = -1;
                for (int st = 0; st < TM_STATE__COUNT; st++)
                    if (took[k][st] > 0 && (best < 0 || took[k][st] > took[k][best]))
                        best = st;
                cell[k] = best >= 0 ? (uint8_t)(best + 1) : seen[k];
            }
        }
    }
    return 0;
}

int vz_overview_build(vz_run *run)
{
    const tm_trace *tr = run->tr;
    size_t n = tr->n_tasks ? tr->n_tasks : 1;
    run->subtree = co_calloc(n, sizeof *run->subtree);
    run->collapsed = co_calloc(n, 1);
    if (!run->subtree || !run->collapsed)
        return -1;
    /* Tree order puts every descendant after its ancestors: children first, backwards. */
    for (size_t i = tr->n_tasks; i-- > 0;) {
        uint32_t t = tr->lanes[i], p = tr->tasks[t].parent;
        if (p != TM_NONE && p < tr->n_tasks)
            run->subtree[p] += run->subtree[t] + 1;
    }
    return build_conc(run) || build_cells(run) ? -1 : 0;
}

void vz_overview_free(vz_run *run)
{
    co_free(run->conc);
    co_free(run->mm);
    co_free(run->subtree);
    co_free(run->collapsed);
    run->conc = NULL;
    run->mm = NULL;
    run->subtree = NULL;
    run->collapsed = NULL;
    run->conc_peak = 0;
}

/* ---- sorting ------------------------------------------------------------------------ */

const char *vz_sort_name(vz_sort sort)
{
    static const char *const names[VZ_SORT__COUNT] = {"tree order", "by start", "by total wait", "by name"};
    return sort < VZ_SORT__COUNT ? names[sort] : "?";
}

int vz_natural_cmp(const char *a, const char *b)
{
    while (*a && *b) {
        if (isdigit((unsigned char)*a) && isdigit((unsigned char)*b)) {
            while (*a == '0')
                a++;
            while (*b == '0')
                b++;
            size_t la = 0, lb = 0;
            while (isdigit((unsigned char)a[la]))
                la++;
            while (isdigit((unsigned char)b[lb]))
                lb++;
            if (la != lb)   /* more digits, a bigger number */
                return la < lb ? -1 : 1;
            int c = memcmp(a, b, la);
            if (c)
                return c < 0 ? -1 : 1;
            a += la;
            b += lb;
            continue;
        }
        if (*a != *b)
            return (unsigned char)*a < (unsigned char)*b ? -1 : 1;
        a++;
        b++;
    }
    return *a ? 1 : *b ? -1 : 0;
}

/* Does task x come before task y? Ties go by creation. */
static int before(const vz_run *run, vz_sort sort, uint32_t x, uint32_t y)
{
    const tm_trace *tr = run->tr;
    const tm_task *a = &tr->tasks[x], *b = &tr->tasks[y];
    switch (sort) {
    case VZ_SORT_WAIT:
        if (a->t_waiting != b->t_waiting)
            return a->t_waiting > b->t_waiting;
        break;
    case VZ_SORT_NAME: {
        int c = vz_natural_cmp(tm_text(tr, a->name), tm_text(tr, b->name));
        if (c)
            return c < 0;
        break;
    }
    default:
        if (a->ev_new != b->ev_new)
            return a->ev_new < b->ev_new;
        break;
    }
    return x < y;
}

/* A merge sort (stable, O(n log n), no global state), bottom up through a scratch array. */
void vz_sort_rows(const vz_run *run, vz_sort sort, uint32_t *rows, size_t n)
{
    if (sort == VZ_SORT_TREE || sort >= VZ_SORT__COUNT || n < 2)
        return;
    uint32_t *tmp = co_malloc(n * sizeof *tmp);
    if (!tmp)
        return;   /* out of memory: the rows stay in tree order */
    uint32_t *src = rows, *dst = tmp;
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            while (i < mid && j < hi)
                dst[k++] = before(run, sort, src[j], src[i]) ? src[j++] : src[i++];
            while (i < mid)
                dst[k++] = src[i++];
            while (j < hi)
                dst[k++] = src[j++];
        }
        uint32_t *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != rows)
        memcpy(rows, src, n * sizeof *rows);
    co_free(tmp);
}
