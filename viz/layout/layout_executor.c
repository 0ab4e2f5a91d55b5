/*
** layout_executor.c -- the executor's lanes (see jobs.h): one lane per worker
** thread with the jobs it ran, and under them the queue lane, where a job that
** had to wait for a free worker is drawn from its submit to its start as an
** outlined bar, with an arrow up to the worker that took it.
**
** The worker lanes merge jobs narrower than a pixel as the task lanes do
** (layout_lanes.c). Queued jobs are few -- a pool is only full for a while --
** and are visited in submission order until the visible range ends.
*/
#include <math.h>
#include <stdio.h>

#include "jobs.h"
#include "layout_internal.h"
#include "tm_safe.h"

/* ---- the worker lanes -------------------------------------------------------------- */

static void job_range(const vz__lanes *L, const tm_job *jb, double *p0, double *p1, uint32_t *e1)
{
    *e1 = jb->ev_done != TM_NONE ? jb->ev_done : (uint32_t)(L->tr->n_events - 1);
    *p0 = vz__ev_pos(L, jb->ev_start);
    *p1 = vz__ev_pos(L, *e1);
}

/* First job of a worker (from lo) whose end reaches pos p. */
static uint32_t job_reaching(const vz__lanes *L, uint32_t lo, uint32_t hi, double p)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        double a, b;
        uint32_t e1;
        job_range(L, &L->tr->jobs[L->run->wk_job[mid]], &a, &b, &e1);
        if (b < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void vz__draw_worker(vz__lanes *L, uint32_t w, float y)
{
    vz__lctx *c = L->c;
    const vz_run *run = L->run;
    float s = c->s, by = vz__bar_top(L, y), bh = VZ_M_BAR_H * s, last_col = -1e9f;
    uint32_t lo = run->wk_first[w], hi = run->wk_first[w + 1];
    for (uint32_t i = job_reaching(L, lo, hi, L->v0); i < hi; i++) {
        uint32_t j = run->wk_job[i], e1;
        const tm_job *jb = &L->tr->jobs[j];
        double p0, p1;
        job_range(L, jb, &p0, &p1, &e1);
        if (p0 > L->v1)
            break;
        int future = vz__after_playhead(L, jb->ev_start);
        if (future && L->hide)
            break;
        float xa = vz__ev_x(L, p0), xb = vz__ev_x(L, p1);
        if (xb - xa < 1.5f && floorf(xa) == last_col)
            continue;
        last_col = floorf(xa);
        float xend = future ? xb : vz__after_playhead(L, e1) ? (L->px < xa ? xa : L->px > xb ? xb : L->px) : xb;
        if (xend - xa < VZ_M_MIN_SPAN * s)
            xend = xa + VZ_M_MIN_SPAN * s;
        vz_dl_tag(c->dl, VZ_TAG_JOB, 0, (unsigned)L->r, j);
        if (future)
            vz_dl_ghost(c->dl);
        vz_dl_rect(c->dl, xa, by, xend - xa, bh, future ? vz_fade(VZ_C_JOB, VZ__FUTURE_FADE) : VZ_C_JOB);
        if (!future && xb > xend && !L->hide) {
            vz_dl_ghost(c->dl);
            vz_dl_rect(c->dl, xend, by, xb - xend, bh, vz_fade(VZ_C_JOB, VZ__FUTURE_FADE));
        }
        if (xb - xa > 40 * s) {
            char label[160];
            tm_safe_snprintf(label, sizeof label, "%s()", tm_text(L->tr, jb->fn));
            float tx = (xa < c->g.lanes.x ? c->g.lanes.x : xa) + 4 * s;
            vz_dl_text(c->dl, VZ_FONT_SMALL, tx, by + (bh - vz__line_h(c, VZ_FONT_SMALL)) / 2, xb - tx - 2 * s,
                       future ? VZ_C_TEXT_FAINT : VZ_RGB(0xFF, 0xFF, 0xFF), label);
        }
        vz_dl_hit(c->dl, xa, y, xb - xa < VZ_M_MIN_SPAN * s ? VZ_M_MIN_SPAN * s : xb - xa, VZ_M_LANE_H * s,
                  VZ_HIT_JOB, (unsigned)L->r, j, 0);
    }
}

/* ---- the queue lane ------------------------------------------------------------------ */

float vz__queue_y(const vz_run *run, float s)
{
    return vz__row_y(run, run->n_rows + run->tr->n_workers, s);
}

float vz__queue_h(const vz_run *run, float s)
{
    return run->q_rows ? (VZ_M_LANE_H + VZ_M_SUB_H * (float)(run->q_rows - 1)) * s : 0;
}

void vz__draw_job_queue(vz__lanes *L, float y)
{
    vz__lctx *c = L->c;
    const vz_run *run = L->run;
    const tm_trace *tr = L->tr;
    float s = c->s, bh = (VZ_M_SUB_H - 3) * s, last_col[VZ_QUEUE_ROWS];
    for (int k = 0; k < VZ_QUEUE_ROWS; k++)
        last_col[k] = -1e9f;
    for (size_t i = 0; i < run->n_queued; i++) {
        uint32_t j = run->jq_job[i], to = vz_job_queue_end(run, j);
        const tm_job *jb = &tr->jobs[j];
        double p0 = vz__ev_pos(L, jb->ev_submit), p1 = vz__ev_pos(L, to);
        if (p0 > L->v1)
            break;   /* submissions come in order */
        int future = vz__after_playhead(L, jb->ev_submit);
        if (future && L->hide)
            break;
        if (p1 < L->v0)
            continue;
        unsigned row = run->jq_row[i];
        float xa = vz__ev_x(L, p0), xb = vz__ev_x(L, p1), by = y + (8 + VZ_M_SUB_H * (float)row) * s;
        if (xb - xa < 1.5f && floorf(xa) == last_col[row])
            continue;
        last_col[row] = floorf(xa);
        if (xb - xa < VZ_M_MIN_SPAN * s)
            xb = xa + VZ_M_MIN_SPAN * s;
        float xend = future ? xa : vz__after_playhead(L, to) ? (L->px < xa ? xa : L->px > xb ? xb : L->px) : xb;
        vz_dl_tag(c->dl, VZ_TAG_JOB_QUEUE, row, (unsigned)L->r, j);
        if (xend > xa) {   /* waited so far: the queue's colour, outlined as a job */
            vz_dl_rect(c->dl, xa, by, xend - xa, bh, VZ_C_JOB_QUEUED);
            vz_dl_frame(c->dl, xa, by, xend - xa, bh, VZ_C_JOB);
        }
        if (xb > xend && !L->hide) {
            vz_dl_ghost(c->dl);
            vz_dl_rect(c->dl, xend, by, xb - xend, bh, vz_fade(VZ_C_JOB_QUEUED, VZ__FUTURE_FADE));
            vz_dl_frame(c->dl, xend, by, xb - xend, bh, vz_fade(VZ_C_JOB, VZ__FUTURE_FADE));
            vz_dl_tag(c->dl, VZ_TAG_JOB_QUEUE, row, (unsigned)L->r, j);
        }
        if (xb - xa > 60 * s) {
            char label[160];
            tm_safe_snprintf(label, sizeof label, "%s() waits \xC2\xB7 %u busy", tm_text(tr, jb->fn), vz_job_busy(run, j));
            float tx = (xa < c->g.lanes.x ? c->g.lanes.x : xa) + 4 * s;
            vz_dl_text(c->dl, VZ_FONT_SMALL, tx, by + (bh - vz__line_h(c, VZ_FONT_SMALL)) / 2, xb - tx - 3 * s,
                       future ? VZ_C_TEXT_FAINT : VZ_C_ON_QUEUED, label);
        }
        /* A worker came free: an arrow up to where the job starts on it. */
        if (jb->ev_start != TM_NONE && jb->worker >= 0 && (uint32_t)jb->worker < tr->n_workers &&
            !vz__after_playhead(L, jb->ev_start)) {
            float wy = L->top + vz__row_y(run, run->n_rows + (uint32_t)jb->worker, s);
            vz_dl_tag(c->dl, VZ_TAG_JOB_QUEUE, row, (unsigned)L->r, j);
            vz__arrow(c, xb, by, xb, vz__bar_top(L, wy) + VZ_M_BAR_H * s, VZ_C_JOB);
        }
        vz_dl_hit(c->dl, xa, by - 2 * s, xb - xa, bh + 4 * s, VZ_HIT_JOB_QUEUE, (unsigned)L->r, j, 0);
    }
}
