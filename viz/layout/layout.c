/*
** layout.c -- the timeline's frame: where each trace's block, title row and
** lanes go, the lane names, the axis and the playhead, and vz_layout itself
** (see layout.h). What goes inside a lane is in layout_lanes.c; the toolbar,
** panels and overlays are in layout_panels.c.
**
** Vertically, runs are stacked: a title row (taller when the trace had load
** problems), the loop lane, one lane per shown task (taller by one sub-row per
** level of coroutine frames), then one lane per executor worker and, when a
** job had to wait for a free worker, the executor's queue lane (a sub-row per
** job waiting at once). Only the rows inside the viewport are visited: the
** first is found by binary search.
*/
#include <math.h>
#include <stdio.h>

#include "layout_internal.h"
#include "overview.h"
#include "tm_safe.h"

/* ---- vertical structure -------------------------------------------------------- */

static float header_h(const vz_run *run, float s)
{
    return (VZ_M_RUN_H + (run->tr->n_problems && !run->paused ? 24 : 0)) * s;
}

/* Top of a row's lane relative to the top of its run's block. Rows past the
** task rows are the executor's worker lanes. */
float vz__row_y(const vz_run *run, size_t row, float s)
{
    size_t sub = row < run->n_rows ? row : run->n_rows;
    return header_h(run, s) + VZ_M_LANE_H * s * (float)(row + 1 + (size_t)run->no_match) +
           VZ_M_SUB_H * s * (float)run->row_sub[sub];
}

float vz__lane_h(const vz_run *run, uint32_t task, float s)
{
    return (VZ_M_LANE_H + (task == TM_NONE ? 0 : VZ_M_SUB_H * run->levels[task])) * s;
}

float vz_layout_run_height(const vz_run *run, float s)
{
    return vz__queue_y(run, s) + vz__queue_h(run, s) + VZ_M_RUN_GAP * s;
}

float vz_layout_content_height(const vz_doc *doc, float s)
{
    float h = 0;
    for (size_t r = 0; r < doc->n_runs; r++)
        h += vz_layout_run_height(&doc->runs[r], s);
    return h;
}

float vz_layout_lane_y(const vz_doc *doc, size_t run, uint32_t task, float s)
{
    float y = 0;
    for (size_t r = 0; r < run && r < doc->n_runs; r++)
        y += vz_layout_run_height(&doc->runs[r], s);
    const vz_run *rn = &doc->runs[run];
    if (task == TM_NONE)
        return y + header_h(rn, s);
    if (task >= rn->tr->n_tasks || rn->row_of[task] == TM_NONE)
        return -1;
    return y + vz__row_y(rn, rn->row_of[task], s);
}

/* ---- one run ------------------------------------------------------------------------ */

/* The first row whose lane reaches window y `ytop`, for a block starting at `top`. */
static size_t first_visible_row(const vz_run *run, float top, float ytop, float s)
{
    size_t lo = 0, hi = run->n_rows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        float bottom = top + vz__row_y(run, mid, s) + vz__lane_h(run, run->rows[mid], s);
        if (bottom < ytop)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void run_header(vz__lctx *c, size_t r, float y)
{
    const vz_doc *doc = c->doc;
    const vz_run *run = &doc->runs[r];
    const tm_trace *tr = run->tr;
    float s = c->s, x = c->g.timeline.x, w = c->g.timeline.w, h = VZ_M_RUN_H * s;
    char facts[320], mk[32], idle[32];
    vz_dl_tag(c->dl, VZ_TAG_RUN_HEADER, 0, (unsigned)r, (uint32_t)r);
    vz_dl_rect(c->dl, x, y, w, h, VZ_C_HEADER);
    if (doc->n_runs > 1 && (int)r == c->ui->focus)
        vz_dl_rect(c->dl, x, y, 5 * s, h, VZ_C_PLAYHEAD);
    float tx = x + 12 * s, lh = vz__line_h(c, VZ_FONT_TITLE);
    char title[300];   /* the focused trace, the one the panels show and the arrow keys step, is marked */
    tm_safe_snprintf(title, sizeof title, "%s%s", doc->n_runs > 1 && (int)r == c->ui->focus ? "\xE2\x96\xB6 " : "",
             run->label);
    vz_dl_text(c->dl, VZ_FONT_TITLE, tx, y + (h - lh) / 2, c->g.labels.w - 20 * s,
               doc->n_runs > 1 && (int)r == c->ui->focus ? VZ_C_PLAYHEAD : VZ_C_TEXT, title);
    vz_format_seconds(tr->stats.makespan, mk, sizeof mk);
    vz_format_seconds(tr->stats.idle, idle, sizeof idle);
    /* With the future hidden, nothing of the outcome: no makespan, no speed-up. */
    int hidden = c->ui->hide_future && run->cur + 1 < tr->n_events;
    char at[32];
    if (hidden)
        vz_format_seconds(c->ui->t, at, sizeof at);
    int n = run->paused
          ? tm_safe_snprintf(facts, sizeof facts, "paused at %s: what happens next is yours to predict", mk)
          : hidden ? tm_safe_snprintf(facts, sizeof facts, "at %s so far: the rest is hidden (G shows it)", at)
          : tm_safe_snprintf(facts, sizeof facts, "makespan %s  \xC2\xB7  peak %u task%s at once  \xC2\xB7  loop idle %s", mk,
                     tr->stats.peak_tasks, tr->stats.peak_tasks == 1 ? "" : "s", idle);
    if (doc->n_runs > 1 && !run->paused && !hidden && n > 0 && (size_t)n < sizeof facts) {
        double m0 = doc->runs[0].tr->stats.makespan, m = tr->stats.makespan;
        if (r == 0)
            tm_safe_snprintf(facts + n, sizeof facts - (size_t)n, "  \xC2\xB7  reference for speed-up");
        else if (m > 0 && m0 > 0)
            tm_safe_snprintf(facts + n, sizeof facts - (size_t)n, "  \xC2\xB7  %.2f\xC3\x97 %s than %s", m0 >= m ? m0 / m : m / m0,
                     m0 >= m ? "faster" : "slower", doc->runs[0].label);
    }
    float fx = c->g.lanes.x + 8 * s;
    vz_dl_text(c->dl, VZ_FONT_BODY, fx, y + (h - vz__line_h(c, VZ_FONT_BODY)) / 2, x + w - fx - 8 * s, VZ_C_TEXT,
               facts);
    vz_dl_hit(c->dl, x, y, w, h, VZ_HIT_RUN, (unsigned)r, (uint32_t)r, 0);
    if (tr->n_problems && !run->paused) {   /* a paused run was cut on purpose */
        const tm_problem *p = &tr->problems[0];
        char warn[400];
        float wy = y + h, wh = 24 * s;
        tm_safe_snprintf(warn, sizeof warn, "\xE2\x9A\xA0 line %u, column %u: %s%s", p->line, p->column, p->message,
                 tr->n_problems + tr->problems_dropped > 1 ? "  (and more: see `coroscope validate`)" : "");
        vz_dl_tag(c->dl, VZ_TAG_WARNING, 0, (unsigned)r, p->line);
        vz_dl_rect(c->dl, x, wy, w, wh, VZ_C_WARN_BG);
        vz_dl_text(c->dl, VZ_FONT_BODY, tx, wy + (wh - vz__line_h(c, VZ_FONT_BODY)) / 2, w - 24 * s, VZ_C_WARN_TEXT,
                   warn);
    }
}

static void lane_label(vz__lctx *c, size_t r, uint32_t task, float y, float h, int stripe)
{
    const vz_run *run = &c->doc->runs[r];
    const tm_trace *tr = run->tr;
    const vz_ui *ui = c->ui;
    float s = c->s;
    int selected = task != TM_NONE && ui->sel_kind == VZ_SEL_TASK && ui->sel_run == r && ui->sel == task;
    vz_dl_tag(c->dl, VZ_TAG_LANE_LABEL, 0, (unsigned)r, task);
    if (selected)
        vz_dl_rect(c->dl, c->g.timeline.x, y, c->g.timeline.w, h, VZ_C_SELECT);
    else if (stripe)
        vz_dl_rect(c->dl, c->g.timeline.x, y, c->g.timeline.w, h, VZ_C_STRIPE);
    float lh = vz__line_h(c, VZ_FONT_BOLD), ty = y + (VZ_M_LANE_H * s - lh) / 2;
    float x = c->g.labels.x + 10 * s, maxx = c->g.labels.x + c->g.labels.w - 6 * s;
    if (task == TM_NONE) {
        vz_dl_text(c->dl, VZ_FONT_BOLD, x, ty, maxx - x, VZ_C_TEXT, "event loop");
    } else {
        const tm_task *tk = &tr->tasks[task];
        /* Indented under its parent in tree order; flat when the lanes are sorted. */
        uint32_t depth = c->doc->sort != VZ_SORT_TREE ? 0 : tk->depth > 12 ? 12 : tk->depth;
        x += depth * VZ_M_INDENT * s;
        if (depth) {   /* an elbow from the parent's column */
            float ex = x - 9 * s, my = y + VZ_M_LANE_H * s / 2;
            vz_dl_rect(c->dl, ex, y, 1 * s, VZ_M_LANE_H * s / 2, VZ_C_TEXT_FAINT);
            vz_dl_rect(c->dl, ex, my, 6 * s, 1 * s, VZ_C_TEXT_FAINT);
        }
        int parent = run->subtree[task] > 0, folded = parent && run->collapsed[task];
        float fx = x;
        if (parent) {   /* the fold mark: pointing down while the children show, right when folded */
            float cy = y + VZ_M_LANE_H * s / 2, z = 4 * s;
            vz_dl_tag(c->dl, VZ_TAG_LANE_LABEL, 3 + (unsigned)folded, (unsigned)r, task);
            if (folded)
                vz_dl_tri(c->dl, fx, cy - z, fx, cy + z, fx + z * 1.6f, cy, VZ_C_TEXT);
            else
                vz_dl_tri(c->dl, fx - 1 * s, cy - z * 0.7f, fx + z * 2 - 1 * s, cy - z * 0.7f, fx + z - 1 * s,
                          cy + z * 0.9f, VZ_C_TEXT_DIM);
            vz_dl_tag(c->dl, VZ_TAG_LANE_LABEL, 0, (unsigned)r, task);
            x += 12 * s;
        }
        const char *name = tm_text(tr, tk->name);
        vz_dl_text(c->dl, VZ_FONT_BOLD, x, ty, maxx - x, VZ_C_TEXT, name);
        float nx = x + vz__text_w(c, VZ_FONT_BOLD, name) + 6 * s;
        if (nx < maxx - 20 * s) {
            char coro[160];
            if (folded)
                tm_safe_snprintf(coro, sizeof coro, "%.100s()  +%u folded", tm_text(tr, tk->coro), run->subtree[task]);
            else
                tm_safe_snprintf(coro, sizeof coro, "%.100s()", tm_text(tr, tk->coro));
            vz_dl_text(c->dl, VZ_FONT_BODY, nx, ty + (lh - vz__line_h(c, VZ_FONT_BODY)) / 2, maxx - nx,
                       VZ_C_TEXT_DIM, coro);
        }
        vz_dl_hit(c->dl, c->g.labels.x, y, c->g.labels.w, h, VZ_HIT_LANE, (unsigned)r, task, 0);
        if (parent)   /* over the lane's own hit */
            vz_dl_hit(c->dl, fx - 4 * s, y, 16 * s, VZ_M_LANE_H * s, VZ_HIT_FOLD, (unsigned)r, task, 0);
        return;
    }
    vz_dl_hit(c->dl, c->g.labels.x, y, c->g.labels.w, h, VZ_HIT_LANE, (unsigned)r, task, 0);
}

/* Labels, stripes and the header of one run (clipped to the timeline body). */
static void run_frame(vz__lctx *c, size_t r, float top)
{
    const vz_run *run = &c->doc->runs[r];
    float s = c->s, ybot = c->g.lanes.y + c->g.lanes.h;
    run_header(c, r, top);
    float ly = top + header_h(run, s);
    if (ly + VZ_M_LANE_H * s >= c->g.lanes.y && ly <= ybot)
        lane_label(c, r, TM_NONE, ly, VZ_M_LANE_H * s, 0);
    for (size_t row = first_visible_row(run, top, c->g.lanes.y, s); row < run->n_rows; row++) {
        float y = top + vz__row_y(run, row, s);
        if (y > ybot)
            break;
        lane_label(c, r, run->rows[row], y, vz__lane_h(run, run->rows[row], s), (int)(row % 2 == 0));
    }
    if (run->no_match) {   /* the filter hides every task: say so where the lanes would be */
        char text[VZ_FILTER_MAX + 80];
        float y = ly + VZ_M_LANE_H * s;
        tm_safe_snprintf(text, sizeof text, "no task matches \xE2\x80\x9C%s\xE2\x80\x9D  (Esc clears the filter)", c->doc->filter);
        vz_dl_tag(c->dl, VZ_TAG_NO_MATCH, 0, (unsigned)r, 0);
        vz_dl_text(c->dl, VZ_FONT_BODY, c->g.lanes.x + 12 * s, y + (VZ_M_LANE_H * s - vz__line_h(c, VZ_FONT_BODY)) / 2,
                   c->g.lanes.w - 24 * s, VZ_C_TEXT_DIM, text);
    }
    if (run->n_groups)
        vz__draw_group_gutter(c, r, top);
    for (uint32_t w = 0; w < run->tr->n_workers; w++) {
        float y = top + vz__row_y(run, run->n_rows + w, s);
        if (y > ybot)
            break;
        if (y + VZ_M_LANE_H * s < c->g.lanes.y)
            continue;
        char name[32];
        float lh = vz__line_h(c, VZ_FONT_BOLD), ty = y + (VZ_M_LANE_H * s - lh) / 2, x = c->g.labels.x + 10 * s;
        tm_safe_snprintf(name, sizeof name, "worker-%u", w);
        vz_dl_tag(c->dl, VZ_TAG_LANE_LABEL, 1, (unsigned)r, w);
        vz_dl_rect(c->dl, c->g.timeline.x, y, c->g.timeline.w, VZ_M_LANE_H * s, VZ_C_WORKER_BG);
        vz_dl_text(c->dl, VZ_FONT_BOLD, x, ty, c->g.labels.w - 16 * s, VZ_C_TEXT, name);
        float nx = x + vz__text_w(c, VZ_FONT_BOLD, name) + 6 * s;
        vz_dl_text(c->dl, VZ_FONT_BODY, nx, ty + (lh - vz__line_h(c, VZ_FONT_BODY)) / 2,
                   c->g.labels.x + c->g.labels.w - 6 * s - nx, VZ_C_TEXT_DIM, "executor thread");
    }
    float qy = top + vz__queue_y(run, s), qh = vz__queue_h(run, s);
    if (qh > 0 && qy <= ybot && qy + qh >= c->g.lanes.y) {   /* the jobs that waited for a free worker */
        float lh = vz__line_h(c, VZ_FONT_BOLD), ty = qy + (VZ_M_LANE_H * s - lh) / 2, x = c->g.labels.x + 10 * s;
        vz_dl_tag(c->dl, VZ_TAG_LANE_LABEL, 2, (unsigned)r, 0);
        vz_dl_rect(c->dl, c->g.timeline.x, qy, c->g.timeline.w, qh, VZ_C_WORKER_BG);
        vz_dl_rect(c->dl, c->g.timeline.x, qy, c->g.timeline.w, 1 * s, VZ_C_BORDER);
        vz_dl_text(c->dl, VZ_FONT_BOLD, x, ty, c->g.labels.w - 16 * s, VZ_C_TEXT, "queue");
        float nx = x + vz__text_w(c, VZ_FONT_BOLD, "queue") + 6 * s;
        vz_dl_text(c->dl, VZ_FONT_BODY, nx, ty + (lh - vz__line_h(c, VZ_FONT_BODY)) / 2,
                   c->g.labels.x + c->g.labels.w - 6 * s - nx, VZ_C_TEXT_DIM, "jobs waiting");
        vz_dl_hit(c->dl, c->g.labels.x, qy, c->g.labels.w, qh, VZ_HIT_LANE_QUEUE, (unsigned)r, 0, 0);
    }
}

/* Does some other trace of the doc last longer than this one? */
static int doc_longer(const vz_doc *doc, const vz_run *run)
{
    return doc->n_runs > 1 && doc->t_max > run->t1;
}

/* Spans, frames, markers and arrows of one run (clipped to the lanes). */
static void run_lanes(vz__lctx *c, size_t r, float top)
{
    const vz_run *run = &c->doc->runs[r];
    const vz_ui *ui = c->ui;
    float s = c->s, ybot = c->g.lanes.y + c->g.lanes.h;
    double widen = (ui->x1 - ui->x0) * 0.01;
    vz__lanes L = {c, run, run->tr, r, top, run->cur, 0, ui->step_view, ui->x0 - widen, ui->x1 + widen,
               c->g.lanes.x + c->g.lanes.w, ui->hide_future, c->g.lanes.y - (float)ui->scroll, 0};
    L.px = vz_ui_x(ui, &c->g, vz_ui_playhead_pos(ui, run));
    vz_rect bar;
    float bar_y, bar_h;
    L.bar_w = vz_ui_scroll_thumb(ui, c->doc, &c->g, &bar, &bar_y, &bar_h) ? bar.w : 0;
    if (!run->tr->n_events)
        return;
    float ly = top + header_h(run, s);
    size_t first = first_visible_row(run, top, c->g.lanes.y, s), last = first;
    if (!ui->step_view && doc_longer(c->doc, run)) {   /* after this trace ended: shaded, so makespans compare */
        float xe = vz_ui_x(ui, &c->g, run->t1), body = vz_layout_run_height(run, s) - header_h(run, s) - VZ_M_RUN_GAP * s;
        if (xe < L.right) {
            char text[64], when[32];
            vz_format_seconds(run->t1, when, sizeof when);
            tm_safe_snprintf(text, sizeof text, "finished at %s", when);
            vz_dl_tag(c->dl, VZ_TAG_NONE, 0, (unsigned)r, 0);
            vz_dl_rect(c->dl, xe, ly, L.right - xe, body, VZ_C_ENDED);
            vz_dl_rect(c->dl, xe, ly, 1 * s, body, VZ_C_TEXT_FAINT);
            if (L.right - xe > vz__text_w(c, VZ_FONT_SMALL, text) + 16 * s)
                vz_dl_text(c->dl, VZ_FONT_SMALL, xe + 8 * s, ly + (VZ_M_LANE_H * s - vz__line_h(c, VZ_FONT_SMALL)) / 2,
                           0, VZ_C_TEXT_DIM, text);
        }
    }
    if (run->n_groups)   /* behind the spans: the bands show through between the bars */
        vz__draw_group_bands(&L);
    if (ly + VZ_M_LANE_H * s >= c->g.lanes.y && ly <= ybot) {
        vz__draw_loop_lane(&L, ly);
        vz__draw_markers(&L, (uint32_t)run->tr->n_tasks, ly);
    }
    for (size_t row = first; row < run->n_rows; row++, last = row) {
        float y = top + vz__row_y(run, row, s);
        if (y > ybot)
            break;
        uint32_t task = run->rows[row];
        vz__draw_spans(&L, task, y);
        if (run->levels[task])
            vz__draw_frames(&L, task, y);
        if (run->dl_first[task + 1] > run->dl_first[task])
            vz__draw_deadlines(&L, task, y);
        vz__draw_markers(&L, task, y);
    }
    for (uint32_t w = 0; w < run->tr->n_workers; w++) {
        float y = top + vz__row_y(run, run->n_rows + w, s);
        if (y > ybot)
            break;
        if (y + VZ_M_LANE_H * s >= c->g.lanes.y)
            vz__draw_worker(&L, w, y);
    }
    float qy = top + vz__queue_y(run, s);
    if (run->q_rows && qy <= ybot && qy + vz__queue_h(run, s) >= c->g.lanes.y)
        vz__draw_job_queue(&L, qy);
    for (size_t row = first; row < last && row < run->n_rows; row++)
        vz__draw_arrows(&L, run->rows[row], top + vz__row_y(run, row, s));
    vz__draw_code_steps(&L);
    /* The selected event: a thin line through the run. */
    if (ui->sel_kind == VZ_SEL_EVENT && ui->sel_run == r && ui->sel < run->tr->n_events) {
        float x = vz_ui_x(ui, &c->g, ui->step_view ? (double)ui->sel : run->tr->events[ui->sel].t);
        vz_dl_tag(c->dl, VZ_TAG_NONE, 0, (unsigned)r, ui->sel);
        vz_dl_rect(c->dl, x - 1 * s, top + header_h(run, s), 2 * s, vz_layout_run_height(run, s) - header_h(run, s),
                   VZ_C_SELECT_LINE);
    }
    if (ui->step_view && !ui->bare) {   /* each trace has its own cursor on an event axis */
        vz_dl_tag(c->dl, VZ_TAG_PLAYHEAD, 0, (unsigned)r, run->cur);
        vz_dl_rect(c->dl, L.px - 1 * s, top, 2 * s, vz_layout_run_height(run, s) - VZ_M_RUN_GAP * s, VZ_C_PLAYHEAD);
    }
}

/* ---- the axis ----------------------------------------------------------------------- */

typedef struct ticks {
    double step;     /* axis units between ticks */
    long long i0, i1;/* first and last tick index */
} ticks;

static ticks axis_ticks(const vz__lctx *c)
{
    const vz_ui *ui = c->ui;
    int max = (int)(c->g.axis.w / (85 * c->s));
    ticks t;
    t.step = tm_nice_step(ui->x1 - ui->x0, max < 2 ? 2 : max);
    if (ui->step_view && t.step < 1)
        t.step = 1;
    /* Clamp before converting: a huge time at a deep zoom would not fit. */
    double a = ceil(ui->x0 / t.step), b = floor(ui->x1 / t.step);
    const double lim = 4e18;
    t.i0 = (long long)(a < -lim ? -lim : a > lim ? lim : a);
    t.i1 = (long long)(b < -lim ? -lim : b > lim ? lim : b);
    if (t.i1 - t.i0 > 200)
        t.i1 = t.i0 + 200;
    return t;
}

static void tick_label(const vz__lctx *c, const ticks *t, long long i, char *buf, size_t size)
{
    double p = (double)i * t->step;
    if (c->ui->step_view) {
        tm_safe_snprintf(buf, size, "#%lld", (long long)llround(p));
        return;
    }
    double base = (double)t->i0 * t->step;
    if (fabs(p) < t->step * 1e-6)
        p = 0;
    if (i != t->i0 && base != 0 && t->step < fabs(base) * 1e-3) {
        char d[32];   /* deep zoom: label ticks relative to the first one */
        vz_format_seconds(p - base, d, sizeof d);
        tm_safe_snprintf(buf, size, "+%s", d);
        return;
    }
    vz_format_seconds(p, buf, size);
}

static void grid(vz__lctx *c)
{
    ticks t = axis_ticks(c);
    vz_dl_tag(c->dl, VZ_TAG_AXIS, 0, 0, 0);
    for (long long i = t.i0; i <= t.i1; i++) {
        float x = vz_ui_x(c->ui, &c->g, (double)i * t.step);
        vz_dl_rect(c->dl, x, c->g.lanes.y, 1, c->g.lanes.h, VZ_C_GRID);
    }
}

static void axis(vz__lctx *c)
{
    const vz_ui *ui = c->ui;
    vz_rect a = c->g.axis;
    float s = c->s;
    ticks t = axis_ticks(c);
    vz_dl_tag(c->dl, VZ_TAG_AXIS, 0, 0, 0);
    vz_dl_rect(c->dl, c->g.timeline.x, a.y, c->g.timeline.w, a.h, VZ_C_PANEL);
    vz_dl_rect(c->dl, c->g.timeline.x, a.y + a.h - 1, c->g.timeline.w, 1, VZ_C_BORDER);
    char why[200];
    const char *what = ui->step_view ? "event number  (T: time)" : "loop time  (T: event order)";
    if (ui->step_view && ui->step_auto > 0 && ui->step_auto <= (int)c->doc->n_runs) {
        /* Chosen at the start: say why, and how to get loop time back. */
        const vz_run *run = &c->doc->runs[ui->step_auto - 1];
        const vz_dense *d = &run->dense[run->dense_most];
        char at[32];
        vz_format_seconds(d->t, at, sizeof at);
        tm_safe_snprintf(why, sizeof why, "event order: %u of %u decisions happen at %s  (T: loop time)", d->decisions,
                 run->n_decisions, at);
        what = why;
    }
    float tw = vz__text_w(c, VZ_FONT_SMALL, what), room = c->g.labels.w - 14 * s;
    vz_dl_tag(c->dl, VZ_TAG_AXIS, 1, 0, 0);
    if (tw > room) {   /* two lines when the lane names' column is narrow */
        vz__wrap(c, VZ_FONT_SMALL, c->g.labels.x + 10 * s, a.y + 1 * s, room, a.y + a.h, VZ_C_TEXT_DIM, what);
    } else {
        vz_dl_text(c->dl, VZ_FONT_SMALL, c->g.labels.x + 10 * s, a.y + (a.h - vz__line_h(c, VZ_FONT_SMALL)) / 2,
                   room, VZ_C_TEXT_DIM, what);
    }
    vz_dl_tag(c->dl, VZ_TAG_AXIS, 0, 0, 0);
    vz_dl_clip(c->dl, a.x, a.y, a.w, a.h);
    float lh = vz__line_h(c, VZ_FONT_SMALL);
    /*
    ** In loop time, instants that hold many decisions get a chip ("2 s ×25"):
    ** they are one pixel column here, and event order (T, or a click on the
    ** chip) spreads them out. A chip names its time, so a tick label it would
    ** cover is left out.
    */
    float chip_x0[32], chip_x1[32];
    size_t n_chips = 0;
    if (!ui->step_view) {
        float last = -1e9f;
        for (size_t r = 0; r < c->doc->n_runs; r++) {
            const vz_run *run = &c->doc->runs[r];
            for (size_t i = 0; i < run->n_dense && n_chips < 32; i++) {
                const vz_dense *d = &run->dense[i];
                if (d->t < ui->x0 || d->t > ui->x1)
                    continue;
                float x = vz_ui_x(ui, &c->g, d->t);
                char chip[64], at[32];
                tm_safe_snprintf(chip, sizeof chip, "%s \xC3\x97%u", vz_format_seconds(d->t, at, sizeof at), d->decisions);
                float w = vz__text_w(c, VZ_FONT_SMALL, chip) + 8 * s, h = lh + 2 * s;
                float cx = x - w / 2, cy = a.y + a.h - 9 * s - lh - 1 * s;
                if (cx + w > a.x + a.w)   /* whole inside the axis */
                    cx = a.x + a.w - w;
                if (cx < a.x)
                    cx = a.x;
                if (cx < last + 2 * s)
                    continue;
                last = cx + w;
                chip_x0[n_chips] = cx;
                chip_x1[n_chips++] = cx + w;
                vz_dl_tag(c->dl, VZ_TAG_AXIS, 2, (unsigned)r, (uint32_t)i);
                vz_dl_rect(c->dl, cx, cy, w, h, VZ_C_BUTTON_ON);
                vz_dl_frame(c->dl, cx, cy, w, h, VZ_C_BORDER);
                vz_dl_text(c->dl, VZ_FONT_SMALL, cx + 4 * s, cy + 1 * s, 0, VZ_C_TEXT, chip);
                vz_dl_hit(c->dl, cx, cy, w, h, VZ_HIT_DENSE, (unsigned)r, (uint32_t)i, 0);
            }
        }
        vz_dl_tag(c->dl, VZ_TAG_AXIS, 0, 0, 0);
    }
    for (long long i = t.i0; i <= t.i1; i++) {
        float x = vz_ui_x(ui, &c->g, (double)i * t.step);
        char label[48];
        tick_label(c, &t, i, label, sizeof label);
        vz_dl_rect(c->dl, x, a.y + a.h - 7 * s, 1 * s, 7 * s, VZ_C_TEXT_DIM);
        float w = vz__text_w(c, VZ_FONT_SMALL, label);
        int covered = 0;
        for (size_t k = 0; k < n_chips; k++)
            covered |= x + w / 2 > chip_x0[k] && x - w / 2 < chip_x1[k];
        if (!covered)
            vz_dl_text(c->dl, VZ_FONT_SMALL, x - w / 2, a.y + a.h - 9 * s - lh, 0, VZ_C_TEXT, label);
    }
    /* The playhead's handle (the focused trace's, in step view). */
    if (c->doc->n_runs && !ui->bare) {
        const vz_run *run = &c->doc->runs[ui->focus < (int)c->doc->n_runs ? ui->focus : 0];
        float x = vz_ui_x(ui, &c->g, vz_ui_playhead_pos(ui, run));
        vz_dl_tag(c->dl, VZ_TAG_PLAYHEAD, 0, 0, 0);
        vz_dl_tri(c->dl, x - 7 * s, a.y + a.h - 12 * s, x + 7 * s, a.y + a.h - 12 * s, x, a.y + a.h, VZ_C_PLAYHEAD);
        vz_dl_rect(c->dl, x - 1 * s, a.y + a.h - 14 * s, 2 * s, 3 * s, VZ_C_PLAYHEAD);
    }
    vz_dl_unclip(c->dl);
    /* The axis itself goes under its chips (later hits win). */
    size_t first = c->dl->n_hits;
    vz_dl_hit(c->dl, a.x, a.y, a.w, a.h, VZ_HIT_AXIS, 0, 0, 0);
    if (first > 0 && c->dl->n_hits == first + 1) {
        vz_hit axis_hit = c->dl->hits[first];
        size_t k = first;
        while (k > 0 && c->dl->hits[k - 1].kind == VZ_HIT_DENSE) {
            c->dl->hits[k] = c->dl->hits[k - 1];
            k--;
        }
        c->dl->hits[k] = axis_hit;
    }
}

/* ---- the scrollbar -------------------------------------------------------------------- */

/*
** When the lanes are taller than their area, a scrollbar along the lanes'
** right edge shows how much there is and where the view is; dragging its
** thumb or clicking its track scrolls (vz_ui_scroll_thumb says where).
*/
static void scrollbar(vz__lctx *c)
{
    vz_rect t;
    float y, h;
    if (c->ui->bare || !vz_ui_scroll_thumb(c->ui, c->doc, &c->g, &t, &y, &h))
        return;
    vz_dl_tag(c->dl, VZ_TAG_SCROLLBAR, 0, 0, 0);
    vz_dl_rect(c->dl, t.x, t.y, t.w, t.h, VZ_RGBA(0xD0, 0xD0, 0xC6, 150));
    vz_dl_tag(c->dl, VZ_TAG_SCROLLBAR, 1, 0, 0);
    vz_dl_rect(c->dl, t.x + 1 * c->s, y, t.w - 2 * c->s, h, VZ_RGB(0x8C, 0x95, 0x9F));
    vz_dl_hit(c->dl, t.x, t.y, t.w, t.h, VZ_HIT_SCROLLBAR, 0, 0, 0);
}

/* ---- the frame ----------------------------------------------------------------------- */

static void timeline(vz__lctx *c)
{
    const vz_doc *doc = c->doc;
    const vz_ui *ui = c->ui;
    vz_geom *g = &c->g;
    float s = c->s, body_y = g->lanes.y, body_h = g->lanes.h, ybot = body_y + body_h;
    vz_dl_hit(c->dl, g->lanes.x, g->lanes.y, g->lanes.w, g->lanes.h, VZ_HIT_TIMELINE, 0, 0, 0);
    vz_dl_clip(c->dl, g->timeline.x, body_y, g->timeline.w, body_h);
    float top = body_y - (float)ui->scroll;
    for (size_t r = 0; r < doc->n_runs; r++) {
        float h = vz_layout_run_height(&doc->runs[r], s);
        if (top + h >= body_y && top <= ybot)
            run_frame(c, r, top);
        top += h;
    }
    vz_dl_clip(c->dl, g->lanes.x, body_y, g->lanes.w, body_h);
    grid(c);
    top = body_y - (float)ui->scroll;
    for (size_t r = 0; r < doc->n_runs; r++) {
        float h = vz_layout_run_height(&doc->runs[r], s);
        if (top + h >= body_y && top <= ybot)
            run_lanes(c, r, top);
        top += h;
    }
    if (!ui->step_view && doc->n_runs && !ui->bare) {   /* one shared time: one line through every trace */
        float x = vz_ui_x(ui, g, ui->t);
        vz_dl_tag(c->dl, VZ_TAG_PLAYHEAD, 0, 0, 0);
        vz_dl_rect(c->dl, x - 1 * s, body_y, 2 * s, body_h, VZ_C_PLAYHEAD);
    }
    vz_dl_unclip(c->dl);
    scrollbar(c);
    /* The line between labels and lanes. */
    vz_dl_tag(c->dl, VZ_TAG_NONE, 0, 0, 0);
    vz_dl_rect(c->dl, g->lanes.x - 1, body_y, 1, body_h, VZ_C_BORDER);
    axis(c);
}

void vz_layout(const vz_doc *doc, const vz_ui *ui, const vz_text_metrics *tm, vz_drawlist *dl)
{
    vz_dl_reset(dl);
    vz_ui u = *ui;   /* with the toolbar rows this frame needs */
    vz__lctx c = {.doc = doc, .ui = &u, .tm = tm, .dl = dl, .s = 1};
    vz_ui_geom(&u, &c.g);
    c.s = c.g.s;
    vz_dl_tag(dl, VZ_TAG_NONE, 0, 0, 0);
    vz_dl_rect(dl, 0, 0, (float)u.w, (float)u.h, VZ_C_BG);
    dl->toolbar_rows = c.g.toolbar_rows;
    if (!u.bare) {
        /* The toolbar first: it wraps onto as many rows as its controls need,
        ** and the rest of the window is laid out below them. */
        int rows = vz__layout_toolbar(&c);
        if (rows != c.g.toolbar_rows) {
            u.toolbar_rows = rows;
            vz_ui_geom(&u, &c.g);
            vz_dl_reset(dl);
            vz_dl_tag(dl, VZ_TAG_NONE, 0, 0, 0);
            vz_dl_rect(dl, 0, 0, (float)u.w, (float)u.h, VZ_C_BG);
            vz__layout_toolbar(&c);
        }
        dl->toolbar_rows = rows;
    }
    timeline(&c);
    vz__layout_overview(&c);
    vz__layout_minimap(&c);
    if (u.bare) {   /* the timeline alone, for a slide */
        vz__layout_legend(&c);
        return;
    }
    if (u.show_panels) {
        vz__layout_side(&c);
        vz__layout_bottom(&c);
    }
    vz__layout_legend(&c);
    if (u.show_help)
        vz__layout_help(&c);
    else
        vz__layout_tooltip(&c);
}
