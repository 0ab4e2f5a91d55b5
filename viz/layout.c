/*
** layout.c -- the timeline: trace title rows, the loop lane, task lanes with
** state spans, frames and markers, causality arrows, the axis and the
** playhead (see layout.h). The panels live in layout_panels.c.
**
** A lane is drawn from a binary search to the first span (or segment, frame,
** marker, arrow) that reaches the visible range, then left to right until the
** range ends. Anything narrower than a pixel is merged: the column it falls in
** gets one rectangle in the most telling state among the first few things in
** it, and a second binary search skips the rest of the column. That bounds the
** work per lane by the width of the window, not by the size of the trace.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "layout_internal.h"

#define FUTURE_FADE 0.72f   /* how far what lies after the playhead fades to the background */
#define MERGE_SCAN 8        /* things inspected per pixel column before skipping the rest */

/* ---- vertical structure -------------------------------------------------------- */

static float header_h(const vz_run *run, float s)
{
    return (VZ_M_RUN_H + (run->tr->n_problems ? 24 : 0)) * s;
}

/* Top of a row's lane relative to the top of its run's block. */
static float row_y(const vz_run *run, size_t row, float s)
{
    return header_h(run, s) + VZ_M_LANE_H * s * (float)(row + 1) + VZ_M_SUB_H * s * (float)run->row_sub[row];
}

static float lane_h(const vz_run *run, uint32_t task, float s)
{
    return (VZ_M_LANE_H + (task == TM_NONE ? 0 : VZ_M_SUB_H * run->levels[task])) * s;
}

float vz_layout_run_height(const vz_run *run, float s)
{
    return row_y(run, run->n_rows, s) + VZ_M_RUN_GAP * s;
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
    return y + row_y(rn, rn->row_of[task], s);
}

/* ---- per-run drawing context ------------------------------------------------------ */

typedef struct lanes {
    vz__lctx *c;
    const vz_run *run;
    const tm_trace *tr;
    size_t r;            /* run index */
    float top;           /* window y of the run's block */
    uint32_t cur;        /* the run's cursor */
    float px;            /* playhead x */
    int step;            /* step view */
    double v0, v1;       /* visible axis range, a little widened */
    float right;         /* right edge of the lanes area */
    int hide;            /* hide (not dim) the future */
    float stack_top;     /* window y of the top of all runs (for other lanes' y) */
} lanes;

static double pos(const lanes *L, uint32_t ev)
{
    return L->step ? (double)ev : L->tr->events[ev].t;
}

static float X(const lanes *L, double p)
{
    return vz_ui_x(L->c->ui, &L->c->g, p);
}

static int is_future(const lanes *L, uint32_t ev)
{
    return L->cur == TM_NONE || ev > L->cur;
}

static float bar_top(const lanes *L, float lane_y)
{
    return lane_y + (VZ_M_LANE_H - VZ_M_BAR_H) * L->c->s / 2;
}

/* Rank of a state when several share a pixel column: the most telling wins. */
static int state_rank(unsigned st)
{
    static const int rank[TM_STATE__COUNT] = {
        [TM_STATE_RUNNING] = 6, [TM_STATE_FAILED] = 5, [TM_STATE_CANCELLED] = 4,
        [TM_STATE_READY] = 3,   [TM_STATE_WAITING] = 2, [TM_STATE_DONE] = 1,
    };
    return st < TM_STATE__COUNT ? rank[st] : 0;
}

/* ---- task spans ------------------------------------------------------------------ */

/* First span of the task (from index lo) whose end reaches pos p. */
static uint32_t span_reaching(const lanes *L, uint32_t lo, uint32_t hi, double p)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (pos(L, L->tr->spans[mid].ev_end) < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void span_label(const lanes *L, uint32_t task, const tm_span *sp, char *buf, size_t size)
{
    const tm_task *tk = &L->tr->tasks[task];
    const char *res = tm_text(L->tr, tk->result), *msg = tm_text(L->tr, tk->msg);
    switch (sp->state) {
    case TM_STATE_WAITING:
        snprintf(buf, size, "%s", *tm_text(L->tr, sp->label) ? tm_text(L->tr, sp->label) : "a future");
        break;
    case TM_STATE_DONE:
        snprintf(buf, size, "\xE2\x9C\x93 %s", *res ? res : "done");
        break;
    case TM_STATE_FAILED:
        snprintf(buf, size, "\xE2\x9C\x97 %s%s%s", res, *msg ? ": " : "", msg);
        break;
    case TM_STATE_CANCELLED:
        snprintf(buf, size, "\xE2\x8A\x98 cancelled%s%s", *msg ? ": " : "", msg);
        break;
    default:
        buf[0] = 0;
    }
}

static void draw_span(lanes *L, uint32_t task, uint32_t si, float xa, float xb, float y)
{
    vz__lctx *c = L->c;
    const tm_span *sp = &L->tr->spans[si];
    float s = c->s, by = bar_top(L, y), bh = VZ_M_BAR_H * s;
    int terminal = sp->state >= TM_STATE_DONE;
    if (terminal) {
        by += bh * 0.3f;
        bh *= 0.4f;
    }
    vz_color col = vz_state_color((tm_state)sp->state);
    int future = is_future(L, sp->ev_begin);
    if (future && L->hide)
        return;
    float xend = xb;
    if (!future && is_future(L, sp->ev_end)) {   /* the playhead is inside this span */
        xend = L->px < xa ? xa : (L->px > xb ? xb : L->px);
    }
    if ((sp->state == TM_STATE_RUNNING || sp->state == TM_STATE_READY) && xend - xa < VZ_M_MIN_SPAN * s)
        xend = xa + VZ_M_MIN_SPAN * s;
    vz_dl_tag(c->dl, VZ_TAG_SPAN, sp->state, (unsigned)L->r, si);
    if (future) {
        vz_dl_tag(c->dl, VZ_TAG_FUTURE, sp->state, (unsigned)L->r, si);
        vz_dl_rect(c->dl, xa, by, (xb - xa < VZ_M_MIN_SPAN * s ? VZ_M_MIN_SPAN * s : xb - xa), bh,
                   vz_fade(col, FUTURE_FADE));
    } else {
        vz_dl_rect(c->dl, xa, by, xend - xa, bh, col);
        if (xb > xend && !L->hide) {
            vz_dl_tag(c->dl, VZ_TAG_FUTURE, sp->state, (unsigned)L->r, si);
            vz_dl_rect(c->dl, xend, by, xb - xend, bh, vz_fade(col, FUTURE_FADE));
        }
    }
    /* A label when there is room: what it waits on (known as soon as the wait
    ** begins, so drawn across the whole span), or how it ended. */
    float room = xb - xa;
    if (terminal)
        room = L->right - xa;
    if (sp->state == TM_STATE_WAITING || terminal) {
        if (room > 28 * s) {
            char label[200];
            span_label(L, task, sp, label, sizeof label);
            vz_color tc = vz_state_text_color((tm_state)sp->state);
            float lh = vz__line_h(c, VZ_FONT_SMALL);
            float ty = terminal ? y + (VZ_M_LANE_H * s - lh) / 2 : by + (bh - lh) / 2;
            float tx = (xa < c->g.lanes.x ? c->g.lanes.x : xa) + 4 * s;
            vz_dl_tag(c->dl, VZ_TAG_SPAN, sp->state, (unsigned)L->r, si);
            if (terminal) {   /* keep the text readable over the thin bar */
                float tw = vz__text_w(c, VZ_FONT_SMALL, label);
                if (tw > room - 8 * s)
                    tw = room - 8 * s;
                vz_dl_rect(c->dl, tx - 2 * s, ty, tw + 4 * s, lh, future ? VZ_C_BG : vz_fade(col, 0.5f));
            }
            vz_dl_text(c->dl, VZ_FONT_SMALL, tx, ty, (xa + room) - tx - 3 * s, future ? vz_fade(tc, 0.6f) : tc,
                       label);
        }
    }
    float hw = xb - xa < VZ_M_MIN_SPAN * s ? VZ_M_MIN_SPAN * s : xb - xa;
    vz_dl_hit(c->dl, xa, y, hw, VZ_M_LANE_H * s, VZ_HIT_SPAN, (unsigned)L->r, task, si);
}

static void draw_spans(lanes *L, uint32_t task, float y)
{
    vz__lctx *c = L->c;
    const tm_task *tk = &L->tr->tasks[task];
    uint32_t first = tk->span_first, end = tk->span_first + tk->span_count;
    float s = c->s;
    for (uint32_t i = span_reaching(L, first, end, L->v0); i < end;) {
        const tm_span *sp = &L->tr->spans[i];
        double p0 = pos(L, sp->ev_begin);
        if (p0 > L->v1)
            break;
        if (L->hide && is_future(L, sp->ev_begin))
            break;
        float xa = X(L, p0), xb = X(L, pos(L, sp->ev_end));
        if (xb - xa >= 1.5f || sp->state >= TM_STATE_DONE) {
            draw_span(L, task, i, xa, xb, y);
            i++;
            continue;
        }
        /* Narrow: merge what starts in this pixel column. */
        float col = floorf(xa);
        int best_past = -1, best_future = -1, n = 0;
        uint32_t j = i, best_span = i;
        while (j < end && n < MERGE_SCAN) {
            const tm_span *sj = &L->tr->spans[j];
            float ja = X(L, pos(L, sj->ev_begin)), jb = X(L, pos(L, sj->ev_end));
            if (ja >= col + 1 || jb - ja >= 1.5f || sj->state >= TM_STATE_DONE)
                break;
            int *best = is_future(L, sj->ev_begin) ? &best_future : &best_past;
            if (*best < 0 || state_rank(sj->state) > state_rank((unsigned)*best)) {
                *best = sj->state;
                if (best == &best_past)
                    best_span = j;
            }
            j++;
            n++;
        }
        if (n == MERGE_SCAN)   /* skip the rest of this column's narrow spans */
            j = span_reaching(L, j, end, vz_ui_pos(c->ui, &c->g, col + 1));
        if (j <= i)
            j = i + 1;
        if (n <= 1 && j == i + 1) {
            draw_span(L, task, i, xa, xb, y);
        } else if (best_past >= 0 || !L->hide) {
            int st = best_past >= 0 ? best_past : best_future;
            vz_color cl = vz_state_color((tm_state)st);
            vz_dl_tag(c->dl, best_past >= 0 ? VZ_TAG_MERGED : VZ_TAG_FUTURE, (unsigned)st, (unsigned)L->r, best_span);
            vz_dl_rect(c->dl, col, bar_top(L, y), VZ_M_MIN_SPAN * s, VZ_M_BAR_H * s,
                       best_past >= 0 ? cl : vz_fade(cl, FUTURE_FADE));
            vz_dl_hit(c->dl, col, y, VZ_M_MIN_SPAN * s, VZ_M_LANE_H * s, VZ_HIT_SPAN, (unsigned)L->r, task,
                      best_span);
        }
        i = j;
    }
}

/* ---- coroutine frames ------------------------------------------------------------- */

static void draw_frame(lanes *L, uint32_t task, uint32_t fi, float y)
{
    vz__lctx *c = L->c;
    const tm_frame *fr = &L->tr->frames[fi];
    if (fr->depth >= VZ_MAX_LEVELS)
        return;
    int future = is_future(L, fr->ev_enter);
    if (future && L->hide)
        return;
    float s = c->s;
    uint32_t exit = fr->ev_exit != TM_NONE ? fr->ev_exit : (uint32_t)(L->tr->n_events - 1);
    float xa = X(L, pos(L, fr->ev_enter)), xb = X(L, pos(L, exit));
    float xend = xb;
    if (!future && is_future(L, exit))
        xend = L->px < xa ? xa : (L->px > xb ? xb : L->px);
    if (xend - xa < 2 * s)
        xend = xa + 2 * s;
    float fy = y + VZ_M_LANE_H * s + fr->depth * VZ_M_SUB_H * s, fh = VZ_M_SUB_H * s - 3 * s;
    vz_color fill = VZ_RGB(0xFF, 0xFF, 0xFF), edge = VZ_RGB(0x8C, 0x95, 0x9F), text = VZ_C_TEXT;
    if (future) {
        fill = vz_fade(fill, FUTURE_FADE);
        edge = vz_fade(edge, FUTURE_FADE);
        text = VZ_C_TEXT_FAINT;
        xend = xb;
    }
    vz_dl_tag(c->dl, future ? VZ_TAG_FUTURE : VZ_TAG_FRAME, 0, (unsigned)L->r, fi);
    vz_dl_rect(c->dl, xa, fy, xend - xa, fh, fill);
    vz_dl_frame(c->dl, xa, fy, xend - xa, fh, edge);
    if (!future && xb > xend && !L->hide)
        vz_dl_frame(c->dl, xend, fy, xb - xend, fh, vz_fade(edge, FUTURE_FADE));
    if (xend - xa > 24 * s) {
        char label[160];
        snprintf(label, sizeof label, "%s%s", tm_text(L->tr, fr->fn), tm_text(L->tr, fr->args));
        float tx = (xa < c->g.lanes.x ? c->g.lanes.x : xa) + 3 * s;
        vz_dl_text(c->dl, VZ_FONT_SMALL, tx, fy + (fh - vz__line_h(c, VZ_FONT_SMALL)) / 2, xend - tx - 2 * s, text,
                   label);
    }
    vz_dl_hit(c->dl, xa, fy, xb - xa < 2 * s ? 2 * s : xb - xa, fh, VZ_HIT_FRAME, (unsigned)L->r, task, fi);
}

static uint32_t frame_entering(const lanes *L, uint32_t lo, uint32_t hi, double p)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (pos(L, L->tr->frames[mid].ev_enter) < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void draw_frames(lanes *L, uint32_t task, float y)
{
    const tm_task *tk = &L->tr->tasks[task];
    if (!tk->frame_count)
        return;
    uint32_t first = tk->frame_first, end = first + tk->frame_count;
    uint32_t i0 = frame_entering(L, first, end, L->v0);
    /* Frames entered before the view that may still be open: the last one and its callers. */
    for (uint32_t f = i0 > first ? i0 - 1 : TM_NONE, n = 0; f != TM_NONE && n < 64; f = L->tr->frames[f].parent, n++)
        draw_frame(L, task, f, y);
    float last_col[VZ_MAX_LEVELS];
    int in_col[VZ_MAX_LEVELS];
    for (int d = 0; d < VZ_MAX_LEVELS; d++) {
        last_col[d] = -1e9f;
        in_col[d] = 0;
    }
    for (uint32_t i = i0; i < end; i++) {
        const tm_frame *fr = &L->tr->frames[i];
        double p = pos(L, fr->ev_enter);
        if (p > L->v1)
            break;
        if (fr->depth >= VZ_MAX_LEVELS)
            continue;
        float col = floorf(X(L, p));
        if (col == last_col[fr->depth]) {
            if (++in_col[fr->depth] > MERGE_SCAN) {   /* a crowded column: jump past it */
                uint32_t j = frame_entering(L, i, end, vz_ui_pos(L->c->ui, &L->c->g, col + 1));
                i = j > i ? j - 1 : i;
                continue;
            }
        } else {
            last_col[fr->depth] = col;
            in_col[fr->depth] = 0;
        }
        draw_frame(L, task, i, y);
    }
}

/* ---- markers ---------------------------------------------------------------------- */

static uint32_t marker_at(const lanes *L, uint32_t lo, uint32_t hi, double p)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (pos(L, L->run->mk_ev[mid]) < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void draw_markers(lanes *L, uint32_t slot, float y)
{
    vz__lctx *c = L->c;
    const vz_run *run = L->run;
    uint32_t lo = run->mk_first[slot], hi = run->mk_first[slot + 1];
    float s = c->s, size = 10 * s, last_x = -1e9f;
    float my = bar_top(L, y);
    for (uint32_t i = marker_at(L, lo, hi, L->v0); i < hi; i++) {
        uint32_t ev = run->mk_ev[i];
        double p = pos(L, ev);
        if (p > L->v1)
            break;
        int future = is_future(L, ev);
        if (future && L->hide)
            break;
        float x = X(L, p);
        if (x < last_x + 3 * s) {   /* crowded: skip to the next few pixels */
            uint32_t j = marker_at(L, i, hi, vz_ui_pos(c->ui, &c->g, last_x + 3 * s));
            i = j > i ? j - 1 : i;
            continue;
        }
        last_x = x;
        uint32_t lane;
        vz_marker_kind mk = vz_marker_of(L->tr, &L->tr->events[ev], &lane);
        vz_color col = vz_marker_color(mk);
        if (future)
            col = vz_fade(col, FUTURE_FADE);
        vz_dl_tag(c->dl, future ? VZ_TAG_FUTURE : VZ_TAG_MARKER, mk, (unsigned)L->r, ev);
        vz__marker(c, mk, x, my, size, col);
        vz_dl_hit(c->dl, x - size / 2 - 2 * s, my - size / 2 - 2 * s, size + 4 * s, size + 4 * s, VZ_HIT_MARKER,
                  (unsigned)L->r, ev, 0);
    }
}

/* ---- the loop lane ---------------------------------------------------------------- */

static void seg_range(const lanes *L, const vz_loopseg *sg, double *p0, double *p1)
{
    if (sg->kind == VZ_SEG_IDLE) {
        if (L->step) {
            *p0 = sg->ev - 0.5;
            *p1 = sg->ev + 0.5;
        } else {
            *p0 = L->tr->idles[sg->ref].from;
            *p1 = L->tr->idles[sg->ref].until;
        }
        return;
    }
    *p0 = pos(L, sg->ev);
    *p1 = pos(L, sg->ev_end);
}

static uint32_t seg_reaching(const lanes *L, uint32_t lo, uint32_t hi, double p)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        double a, b;
        seg_range(L, &L->run->segs[mid], &a, &b);
        if (b < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static int seg_rank(unsigned kind)
{
    return kind == VZ_SEG_STEP ? 3 : kind == VZ_SEG_CALLBACK ? 2 : 1;
}

/* How much of a segment the playhead has reached: 0 none, 1 part, 2 all. */
static int seg_reached(const lanes *L, const vz_loopseg *sg, double p0)
{
    if (sg->kind == VZ_SEG_IDLE && !L->step) {
        if (!is_future(L, sg->ev))
            return 2;
        return L->c->ui->t > p0 ? 1 : 0;
    }
    if (is_future(L, sg->ev))
        return 0;
    return is_future(L, sg->ev_end) && sg->ev_end != sg->ev ? 1 : 2;
}

static void draw_seg(lanes *L, uint32_t si, float xa, float xb, float y)
{
    vz__lctx *c = L->c;
    const vz_loopseg *sg = &L->run->segs[si];
    double p0, p1;
    seg_range(L, sg, &p0, &p1);
    int reached = seg_reached(L, sg, p0);
    if (!reached && L->hide)
        return;
    float s = c->s, by = bar_top(L, y), bh = VZ_M_BAR_H * s;
    vz_color col = vz_seg_color((vz_seg_kind)sg->kind);
    float xend = reached == 2 ? xb : reached == 1 ? (L->px < xa ? xa : L->px > xb ? xb : L->px) : xa;
    if (sg->kind != VZ_SEG_IDLE && reached && xend - xa < VZ_M_MIN_SPAN * s)
        xend = xa + VZ_M_MIN_SPAN * s;
    vz_dl_tag(c->dl, VZ_TAG_LOOPSEG, sg->kind, (unsigned)L->r, si);
    if (sg->kind == VZ_SEG_IDLE) {
        by += bh * 0.25f;
        bh *= 0.5f;
    }
    if (reached)
        vz_dl_rect(c->dl, xa, by, xend - xa, bh, col);
    if (xb > xend && !L->hide) {
        vz_dl_tag(c->dl, VZ_TAG_FUTURE, sg->kind, (unsigned)L->r, si);
        float w = xb - xend < VZ_M_MIN_SPAN * s && sg->kind != VZ_SEG_IDLE ? VZ_M_MIN_SPAN * s : xb - xend;
        vz_dl_rect(c->dl, xend, by, w, bh, vz_fade(col, FUTURE_FADE));
    }
    float room = (reached == 2 ? xb : xend) - xa;
    if (room > 40 * s) {
        char label[160], when[32];
        vz_color tc = VZ_RGB(0xFF, 0xFF, 0xFF);
        if (sg->kind == VZ_SEG_STEP) {
            snprintf(label, sizeof label, "%s", vz_task_name(L->run, sg->ref));
        } else if (sg->kind == VZ_SEG_CALLBACK) {
            snprintf(label, sizeof label, "%s", tm_text(L->tr, L->tr->events[sg->ev].s1));
        } else {
            tm_format_seconds(L->tr->idles[sg->ref].until, when, sizeof when);
            snprintf(label, sizeof label, "idle until %s (next timer)", when);
            tc = VZ_C_IDLE_TEXT;
        }
        float lh = vz__line_h(c, VZ_FONT_SMALL);
        float tx = (xa < c->g.lanes.x ? c->g.lanes.x : xa) + 4 * s;
        vz_dl_text(c->dl, VZ_FONT_SMALL, tx, y + (VZ_M_LANE_H * s - lh) / 2, xa + room - tx - 2 * s, tc, label);
    }
    vz_dl_hit(c->dl, xa, y, xb - xa < VZ_M_MIN_SPAN * s ? VZ_M_MIN_SPAN * s : xb - xa, VZ_M_LANE_H * s,
              VZ_HIT_LOOPSEG, (unsigned)L->r, si, 0);
}

static void draw_loop_lane(lanes *L, float y)
{
    vz__lctx *c = L->c;
    const vz_run *run = L->run;
    float s = c->s;
    for (uint32_t i = seg_reaching(L, 0, (uint32_t)run->n_segs, L->v0); i < run->n_segs;) {
        double p0, p1;
        seg_range(L, &run->segs[i], &p0, &p1);
        if (p0 > L->v1)
            break;
        float xa = X(L, p0), xb = X(L, p1);
        if (xb - xa >= 1.5f) {
            draw_seg(L, i, xa, xb, y);
            i++;
            continue;
        }
        float col = floorf(xa);
        int best = -1, best_future = -1, n = 0;
        uint32_t j = i, best_i = i;
        while (j < run->n_segs && n < MERGE_SCAN) {
            double a, b;
            seg_range(L, &run->segs[j], &a, &b);
            float ja = X(L, a), jb = X(L, b);
            if (ja >= col + 1 || jb - ja >= 1.5f)
                break;
            int reached = seg_reached(L, &run->segs[j], a);
            int *bp = reached ? &best : &best_future;
            if (*bp < 0 || seg_rank(run->segs[j].kind) > seg_rank((unsigned)*bp)) {
                *bp = run->segs[j].kind;
                if (reached)
                    best_i = j;
            }
            j++;
            n++;
        }
        if (n == MERGE_SCAN)
            j = seg_reaching(L, j, (uint32_t)run->n_segs, vz_ui_pos(c->ui, &c->g, col + 1));
        if (j <= i)
            j = i + 1;
        if (n <= 1 && j == i + 1) {
            draw_seg(L, i, xa, xb, y);
        } else if (best >= 0 || !L->hide) {
            int k = best >= 0 ? best : best_future;
            vz_color cl = vz_seg_color((vz_seg_kind)k);
            vz_dl_tag(c->dl, best >= 0 ? VZ_TAG_LOOPSEG : VZ_TAG_FUTURE, (unsigned)k, (unsigned)L->r, best_i);
            vz_dl_rect(c->dl, col, bar_top(L, y), VZ_M_MIN_SPAN * s, VZ_M_BAR_H * s,
                       best >= 0 ? cl : vz_fade(cl, FUTURE_FADE));
            vz_dl_hit(c->dl, col, y, VZ_M_MIN_SPAN * s, VZ_M_LANE_H * s, VZ_HIT_LOOPSEG, (unsigned)L->r, best_i, 0);
        }
        i = j;
    }
}

/* ---- arrows ----------------------------------------------------------------------- */

static uint32_t link_reaching(const lanes *L, uint32_t lo, uint32_t hi, double p)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (pos(L, L->tr->links[L->run->ln_idx[mid]].to) < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void arrow(vz__lctx *c, float x0, float y0, float x1, float y1, vz_color col)
{
    float s = c->s, dx = x1 - x0, dy = y1 - y0, len = sqrtf(dx * dx + dy * dy);
    if (len < 1)
        return;
    float ux = dx / len, uy = dy / len, head = 8 * s, half = 4 * s;
    float bx = x1 - ux * head, by = y1 - uy * head;
    vz_dl_line(c->dl, x0, y0, bx, by, 2 * s, col);
    vz_dl_tri(c->dl, x1, y1, bx - uy * half, by + ux * half, bx + uy * half, by - ux * half, col);
}

/* Incoming arrows of one lane (slot: task index, or n_tasks for the loop). */
static void draw_arrows(lanes *L, uint32_t slot, float lane_top)
{
    vz__lctx *c = L->c;
    const vz_run *run = L->run;
    const tm_trace *tr = L->tr;
    float s = c->s, last_x = -1e9f;
    uint32_t last_src = TM_NONE - 1;
    uint32_t lo = run->ln_first[slot], hi = run->ln_first[slot + 1];
    for (uint32_t i = link_reaching(L, lo, hi, L->v0 - (L->v1 - L->v0) * 0.02); i < hi; i++) {
        const tm_link *lk = &tr->links[run->ln_idx[i]];
        double pt = pos(L, lk->to);
        if (pt > L->v1)
            break;
        if (!c->ui->arrows[lk->kind] || is_future(L, lk->to) || is_future(L, lk->from))
            continue;
        uint32_t src = tr->events[lk->from].by;
        float xt = X(L, pt);
        if (floorf(xt) == floorf(last_x) && src == last_src)
            continue;
        last_x = xt;
        last_src = src;
        float sy = vz_layout_lane_y(c->doc, L->r, src, s);
        if (sy < 0)
            continue;
        sy += L->stack_top;
        float xs = X(L, pos(L, lk->from)) + VZ_M_MIN_SPAN * s / 2;
        xt += VZ_M_MIN_SPAN * s / 2;
        float src_mid = bar_top(L, sy) + VZ_M_BAR_H * s / 2, top = bar_top(L, lane_top);
        float ty = src_mid < top ? top : top + VZ_M_BAR_H * s;
        vz_dl_tag(c->dl, VZ_TAG_ARROW, lk->kind, (unsigned)L->r, run->ln_idx[i]);
        arrow(c, xs, src_mid, xt, ty, vz_link_color((tm_link_kind)lk->kind));
    }
}

/* ---- one run ------------------------------------------------------------------------ */

/* The first row whose lane reaches window y `ytop`, for a block starting at `top`. */
static size_t first_visible_row(const vz_run *run, float top, float ytop, float s)
{
    size_t lo = 0, hi = run->n_rows;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        float bottom = top + row_y(run, mid, s) + lane_h(run, run->rows[mid], s);
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
    vz_dl_text(c->dl, VZ_FONT_TITLE, tx, y + (h - lh) / 2, c->g.labels.w - 20 * s, VZ_C_TEXT, run->label);
    tm_format_seconds(tr->stats.makespan, mk, sizeof mk);
    tm_format_seconds(tr->stats.idle, idle, sizeof idle);
    int n = snprintf(facts, sizeof facts, "makespan %s  \xC2\xB7  peak %u task%s at once  \xC2\xB7  loop idle %s", mk,
                     tr->stats.peak_tasks, tr->stats.peak_tasks == 1 ? "" : "s", idle);
    if (doc->n_runs > 1 && n > 0 && (size_t)n < sizeof facts) {
        double m0 = doc->runs[0].tr->stats.makespan, m = tr->stats.makespan;
        if (r == 0)
            snprintf(facts + n, sizeof facts - (size_t)n, "  \xC2\xB7  reference for speed-up");
        else if (m > 0 && m0 > 0)
            snprintf(facts + n, sizeof facts - (size_t)n, "  \xC2\xB7  %.2f\xC3\x97 %s than %s", m0 >= m ? m0 / m : m / m0,
                     m0 >= m ? "faster" : "slower", doc->runs[0].label);
    }
    float fx = c->g.lanes.x + 8 * s;
    vz_dl_text(c->dl, VZ_FONT_BODY, fx, y + (h - vz__line_h(c, VZ_FONT_BODY)) / 2, x + w - fx - 8 * s, VZ_C_TEXT,
               facts);
    vz_dl_hit(c->dl, x, y, w, h, VZ_HIT_RUN, (unsigned)r, (uint32_t)r, 0);
    if (tr->n_problems) {
        const tm_problem *p = &tr->problems[0];
        char warn[400];
        float wy = y + h, wh = 24 * s;
        snprintf(warn, sizeof warn, "\xE2\x9A\xA0 line %u, column %u: %s%s", p->line, p->column, p->message,
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
        uint32_t depth = tk->depth > 12 ? 12 : tk->depth;
        x += depth * VZ_M_INDENT * s;
        if (depth) {   /* an elbow from the parent's column */
            float ex = x - 9 * s, my = y + VZ_M_LANE_H * s / 2;
            vz_dl_rect(c->dl, ex, y, 1 * s, VZ_M_LANE_H * s / 2, VZ_C_TEXT_FAINT);
            vz_dl_rect(c->dl, ex, my, 6 * s, 1 * s, VZ_C_TEXT_FAINT);
        }
        const char *name = tm_text(tr, tk->name);
        vz_dl_text(c->dl, VZ_FONT_BOLD, x, ty, maxx - x, VZ_C_TEXT, name);
        float nx = x + vz__text_w(c, VZ_FONT_BOLD, name) + 6 * s;
        if (nx < maxx - 20 * s) {
            char coro[120];
            snprintf(coro, sizeof coro, "%s()", tm_text(tr, tk->coro));
            vz_dl_text(c->dl, VZ_FONT_BODY, nx, ty + (lh - vz__line_h(c, VZ_FONT_BODY)) / 2, maxx - nx,
                       VZ_C_TEXT_DIM, coro);
        }
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
        float y = top + row_y(run, row, s);
        if (y > ybot)
            break;
        lane_label(c, r, run->rows[row], y, lane_h(run, run->rows[row], s), (int)(row % 2 == 0));
    }
}

/* Spans, frames, markers and arrows of one run (clipped to the lanes). */
static void run_lanes(vz__lctx *c, size_t r, float top)
{
    const vz_run *run = &c->doc->runs[r];
    const vz_ui *ui = c->ui;
    float s = c->s, ybot = c->g.lanes.y + c->g.lanes.h;
    double widen = (ui->x1 - ui->x0) * 0.01;
    lanes L = {c, run, run->tr, r, top, run->cur, 0, ui->step_view, ui->x0 - widen, ui->x1 + widen,
               c->g.lanes.x + c->g.lanes.w, ui->hide_future, c->g.lanes.y - (float)ui->scroll};
    L.px = X(&L, vz_ui_playhead_pos(ui, run));
    if (!run->tr->n_events)
        return;
    float ly = top + header_h(run, s);
    size_t first = first_visible_row(run, top, c->g.lanes.y, s), last = first;
    if (ly + VZ_M_LANE_H * s >= c->g.lanes.y && ly <= ybot) {
        draw_loop_lane(&L, ly);
        draw_markers(&L, (uint32_t)run->tr->n_tasks, ly);
    }
    for (size_t row = first; row < run->n_rows; row++, last = row) {
        float y = top + row_y(run, row, s);
        if (y > ybot)
            break;
        uint32_t task = run->rows[row];
        draw_spans(&L, task, y);
        if (run->levels[task])
            draw_frames(&L, task, y);
        draw_markers(&L, task, y);
    }
    for (size_t row = first; row < last && row < run->n_rows; row++)
        draw_arrows(&L, run->rows[row], top + row_y(run, row, s));
    /* The selected event: a thin line through the run. */
    if (ui->sel_kind == VZ_SEL_EVENT && ui->sel_run == r && ui->sel < run->tr->n_events) {
        float x = X(&L, pos(&L, ui->sel));
        vz_dl_tag(c->dl, VZ_TAG_NONE, 0, (unsigned)r, ui->sel);
        vz_dl_rect(c->dl, x - 1 * s, top + header_h(run, s), 2 * s, vz_layout_run_height(run, s) - header_h(run, s),
                   VZ_C_SELECT_LINE);
    }
    if (ui->step_view) {   /* each trace has its own cursor on an event axis */
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
    t.i0 = (long long)ceil(ui->x0 / t.step);
    t.i1 = (long long)floor(ui->x1 / t.step);
    if (t.i1 - t.i0 > 200)
        t.i1 = t.i0 + 200;
    return t;
}

static void tick_label(const vz__lctx *c, const ticks *t, long long i, char *buf, size_t size)
{
    double p = (double)i * t->step;
    if (c->ui->step_view) {
        snprintf(buf, size, "#%lld", (long long)llround(p));
        return;
    }
    double base = (double)t->i0 * t->step;
    if (fabs(p) < t->step * 1e-6)
        p = 0;
    if (i != t->i0 && base != 0 && t->step < fabs(base) * 1e-3) {
        char d[32];   /* deep zoom: label ticks relative to the first one */
        tm_format_seconds(p - base, d, sizeof d);
        snprintf(buf, size, "+%s", d);
        return;
    }
    tm_format_seconds(p, buf, size);
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
    vz_dl_text(c->dl, VZ_FONT_SMALL, c->g.labels.x + 10 * s, a.y + (a.h - vz__line_h(c, VZ_FONT_SMALL)) / 2,
               c->g.labels.w - 14 * s, VZ_C_TEXT_DIM,
               ui->step_view ? "event number  (T: time)" : "loop time  (T: event order)");
    vz_dl_clip(c->dl, a.x, a.y, a.w, a.h);
    float lh = vz__line_h(c, VZ_FONT_SMALL);
    for (long long i = t.i0; i <= t.i1; i++) {
        float x = vz_ui_x(ui, &c->g, (double)i * t.step);
        char label[48];
        tick_label(c, &t, i, label, sizeof label);
        vz_dl_rect(c->dl, x, a.y + a.h - 7 * s, 1 * s, 7 * s, VZ_C_TEXT_DIM);
        float w = vz__text_w(c, VZ_FONT_SMALL, label);
        vz_dl_text(c->dl, VZ_FONT_SMALL, x - w / 2, a.y + a.h - 9 * s - lh, 0, VZ_C_TEXT, label);
    }
    /* The playhead's handle (the focused trace's, in step view). */
    if (c->doc->n_runs) {
        const vz_run *run = &c->doc->runs[ui->focus < (int)c->doc->n_runs ? ui->focus : 0];
        float x = vz_ui_x(ui, &c->g, vz_ui_playhead_pos(ui, run));
        vz_dl_tag(c->dl, VZ_TAG_PLAYHEAD, 0, 0, 0);
        vz_dl_tri(c->dl, x - 7 * s, a.y + a.h - 12 * s, x + 7 * s, a.y + a.h - 12 * s, x, a.y + a.h, VZ_C_PLAYHEAD);
        vz_dl_rect(c->dl, x - 1 * s, a.y + a.h - 14 * s, 2 * s, 3 * s, VZ_C_PLAYHEAD);
    }
    vz_dl_unclip(c->dl);
    vz_dl_hit(c->dl, a.x, a.y, a.w, a.h, VZ_HIT_AXIS, 0, 0, 0);
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
    if (!ui->step_view && doc->n_runs) {   /* one shared time: one line through every trace */
        float x = vz_ui_x(ui, g, ui->t);
        vz_dl_tag(c->dl, VZ_TAG_PLAYHEAD, 0, 0, 0);
        vz_dl_rect(c->dl, x - 1 * s, body_y, 2 * s, body_h, VZ_C_PLAYHEAD);
    }
    vz_dl_unclip(c->dl);
    /* The line between labels and lanes. */
    vz_dl_tag(c->dl, VZ_TAG_NONE, 0, 0, 0);
    vz_dl_rect(c->dl, g->lanes.x - 1, body_y, 1, body_h, VZ_C_BORDER);
    axis(c);
}

void vz_layout(const vz_doc *doc, const vz_ui *ui, const vz_text_metrics *tm, vz_drawlist *dl)
{
    vz_dl_reset(dl);
    vz__lctx c = {.doc = doc, .ui = ui, .tm = tm, .dl = dl, .s = 1};
    vz_ui_geom(ui, &c.g);
    c.s = c.g.s;
    vz_dl_tag(dl, VZ_TAG_NONE, 0, 0, 0);
    vz_dl_rect(dl, 0, 0, (float)ui->w, (float)ui->h, VZ_C_BG);
    timeline(&c);
    vz__layout_toolbar(&c);
    if (ui->show_panels) {
        vz__layout_side(&c);
        vz__layout_bottom(&c);
    }
    vz__layout_legend(&c);
    if (ui->show_help)
        vz__layout_help(&c);
    else
        vz__layout_tooltip(&c);
}
