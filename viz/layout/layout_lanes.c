/*
** layout_lanes.c -- what goes inside one lane: a task's state spans, its
** coroutine frames and event markers, the loop lane's steps, callbacks and
** idle waits, and the causality arrows into a lane (see layout.h; layout.c
** places the lanes, layout_executor.c draws the executor's).
**
** A lane is drawn from a binary search to the first span (or segment, frame,
** marker, arrow) that reaches the visible range, then left to right until
** the range ends. Anything narrower than a pixel is merged: the column it falls
** in gets one rectangle in the most telling state among the first few things
** in it, and a second binary search skips the rest of the column. That bounds
** the work per lane by the width of the window, not by the size of the trace.
*/
#include <math.h>
#include <stdio.h>

#include "constructs.h"
#include "layout_internal.h"
#include "words.h"
#include "tm_safe.h"

#define FUTURE_FADE VZ__FUTURE_FADE
#define MERGE_SCAN 8        /* things inspected per pixel column before skipping the rest */

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

static void draw_span_pass(vz__lanes *L, uint32_t task, float y, int narrow);

/* First span of the task (from index lo) whose end reaches pos p. */
static uint32_t span_reaching(const vz__lanes *L, uint32_t lo, uint32_t hi, double p)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (vz__ev_pos(L, L->tr->spans[mid].ev_end) < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void span_label(const vz__lanes *L, uint32_t task, const tm_span *sp, char *buf, size_t size)
{
    const tm_task *tk = &L->tr->tasks[task];
    const char *res = tm_text(L->tr, tk->result), *msg = tm_text(L->tr, tk->msg);
    switch (sp->state) {
    case TM_STATE_WAITING:
        tm_safe_snprintf(buf, size, "%s", *tm_text(L->tr, sp->label) ? vz_wait_words(L->run, tm_text(L->tr, sp->label))
                                                              : "a future");
        break;
    case TM_STATE_DONE:
        tm_safe_snprintf(buf, size, "\xE2\x9C\x93 %s", *res ? res : "done");
        break;
    case TM_STATE_FAILED:
        tm_safe_snprintf(buf, size, "\xE2\x9C\x97 %s%s%s", res, *msg ? ": " : "", msg);
        break;
    case TM_STATE_CANCELLED:
        tm_safe_snprintf(buf, size, "\xE2\x8A\x98 cancelled%s%s", *msg ? ": " : "", msg);
        break;
    default:
        buf[0] = 0;
    }
}

static void draw_span(vz__lanes *L, uint32_t task, uint32_t si, float xa, float xb, float y)
{
    vz__lctx *c = L->c;
    const tm_span *sp = &L->tr->spans[si];
    float s = c->s, by = vz__bar_top(L, y), bh = VZ_M_BAR_H * s;
    int terminal = sp->state >= TM_STATE_DONE;
    if (terminal) {
        by += bh * 0.3f;
        bh *= 0.4f;
    }
    int io = sp->state == TM_STATE_WAITING && vz_span_is_io(L->run, si);   /* a socket wait: its own colour */
    vz_color col = io ? VZ_C_IO_WAIT : vz_state_color((tm_state)sp->state);
    vz_color ghost = io ? vz_fade(VZ_C_IO_WAIT, FUTURE_FADE) : vz_state_ghost((tm_state)sp->state);
    int future = vz__after_playhead(L, sp->ev_begin);
    if (future && L->hide)
        return;
    float xend = xb;
    if (!future && vz__after_playhead(L, sp->ev_end)) {   /* the playhead is inside this span */
        xend = L->px < xa ? xa : (L->px > xb ? xb : L->px);
    }
    if ((sp->state == TM_STATE_RUNNING || sp->state == TM_STATE_READY) && xend - xa < VZ_M_MIN_SPAN * s)
        xend = xa + VZ_M_MIN_SPAN * s;
    vz_dl_tag(c->dl, VZ_TAG_SPAN, sp->state, (unsigned)L->r, si);
    if (future) {
        vz_dl_ghost(c->dl);
        vz_dl_rect(c->dl, xa, by, (xb - xa < VZ_M_MIN_SPAN * s ? VZ_M_MIN_SPAN * s : xb - xa), bh, ghost);
    } else {
        vz_dl_rect(c->dl, xa, by, xend - xa, bh, col);
        if (io && xend - xa >= 3 * s)
            vz_dl_rect(c->dl, xa, by + bh - 3 * s, xend - xa, 3 * s, VZ_C_IO_EDGE);
        if (xb > xend && !L->hide) {
            vz_dl_ghost(c->dl);
            vz_dl_rect(c->dl, xend, by, xb - xend, bh, ghost);
        }
    }
    /* A label when there is room: what it waits on (known as soon as the wait
    ** begins, so drawn across the whole span), or how it ended. */
    float room = xb - xa;
    if (terminal)
        room = L->right - xa;
    if (sp->state == TM_STATE_WAITING || terminal) {
        if (room > 28 * s || (terminal && xa < L->right)) {
            char label[200];
            span_label(L, task, sp, label, sizeof label);
            vz_color tc = io ? VZ_C_ON_IO : vz_state_text_color((tm_state)sp->state);
            float lh = vz__line_h(c, VZ_FONT_SMALL);
            float ty = terminal ? y + (VZ_M_LANE_H * s - lh) / 2 : by + (bh - lh) / 2;
            float tx = (xa < c->g.lanes.x ? c->g.lanes.x : xa) + 4 * s, tmax = (xa + room) - tx - 3 * s;
            vz_dl_tag(c->dl, VZ_TAG_SPAN, sp->state, (unsigned)L->r, si);
            if (terminal) {   /* keep the text readable over the thin bar */
                float tw = vz__text_w(c, VZ_FONT_SMALL, label);
                /* An outcome near the right edge moves left so it is read whole ("✓ None"
                ** at the end of a fitted trace), over the end of the span before it. */
                float edge = L->right - 4 * s - L->bar_w;
                if (tx + tw > edge) {
                    float lx = edge - tw;
                    tx = lx > c->g.lanes.x + 4 * s ? lx : c->g.lanes.x + 4 * s;
                    tmax = edge - tx;
                }
                if (tw > tmax)
                    tw = tmax;
                vz_dl_rect(c->dl, tx - 2 * s, ty, tw + 4 * s, lh, future ? VZ_C_BG : vz_fade(col, 0.5f));
            }
            vz_dl_text(c->dl, VZ_FONT_SMALL, tx, ty, tmax, future ? vz_fade(tc, 0.6f) : tc, label);
        }
    }
    float hw = xb - xa < VZ_M_MIN_SPAN * s ? VZ_M_MIN_SPAN * s : xb - xa;
    vz_dl_hit(c->dl, xa, y, hw, VZ_M_LANE_H * s, VZ_HIT_SPAN, (unsigned)L->r, task, si);
}

/*
** Two passes over the visible spans: wide ones first, then the marks for
** spans narrower than a pixel, so a zero-time step stays visible where a long
** wait begins in the same column.
*/
void vz__draw_spans(vz__lanes *L, uint32_t task, float y)
{
    draw_span_pass(L, task, y, 0);
    draw_span_pass(L, task, y, 1);
}

static void draw_span_pass(vz__lanes *L, uint32_t task, float y, int narrow)
{
    vz__lctx *c = L->c;
    const tm_task *tk = &L->tr->tasks[task];
    uint32_t first = tk->span_first, end = tk->span_first + tk->span_count;
    float s = c->s;
    for (uint32_t i = span_reaching(L, first, end, L->v0); i < end;) {
        const tm_span *sp = &L->tr->spans[i];
        double p0 = vz__ev_pos(L, sp->ev_begin);
        if (p0 > L->v1)
            break;
        if (L->hide && vz__after_playhead(L, sp->ev_begin))
            break;
        float xa = vz__ev_x(L, p0), xb = vz__ev_x(L, vz__ev_pos(L, sp->ev_end));
        if (xb - xa >= 1.5f || sp->state >= TM_STATE_DONE) {
            if (!narrow)
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
            float ja = vz__ev_x(L, vz__ev_pos(L, sj->ev_begin)), jb = vz__ev_x(L, vz__ev_pos(L, sj->ev_end));
            if (ja >= col + 1 || jb - ja >= 1.5f || sj->state >= TM_STATE_DONE)
                break;
            int *best = vz__after_playhead(L, sj->ev_begin) ? &best_future : &best_past;
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
        if (!narrow) {
            /* the marks come in the second pass */
        } else if (n <= 1 && j == i + 1) {
            draw_span(L, task, i, xa, xb, y);
        } else if (best_past >= 0 || !L->hide) {
            int st = best_past >= 0 ? best_past : best_future;
            vz_color cl = st == TM_STATE_WAITING && best_past >= 0 && vz_span_is_io(L->run, best_span)
                              ? VZ_C_IO_WAIT : vz_state_color((tm_state)st);
            vz_dl_tag(c->dl, VZ_TAG_MERGED, (unsigned)st, (unsigned)L->r, best_span);
            if (best_past < 0)
                vz_dl_ghost(c->dl);
            vz_dl_rect(c->dl, col, vz__bar_top(L, y), VZ_M_MIN_SPAN * s, VZ_M_BAR_H * s,
                       best_past >= 0 ? cl : vz_state_ghost((tm_state)st));
            vz_dl_hit(c->dl, col, y, VZ_M_MIN_SPAN * s, VZ_M_LANE_H * s, VZ_HIT_SPAN, (unsigned)L->r, task,
                      best_span);
        }
        i = j;
    }
}

/* ---- coroutine frames ------------------------------------------------------------- */

static void draw_frame(vz__lanes *L, uint32_t task, uint32_t fi, float y)
{
    vz__lctx *c = L->c;
    const tm_frame *fr = &L->tr->frames[fi];
    if (fr->depth >= VZ_MAX_LEVELS)
        return;
    int future = vz__after_playhead(L, fr->ev_enter);
    if (future && L->hide)
        return;
    float s = c->s;
    uint32_t exit = fr->ev_exit != TM_NONE ? fr->ev_exit : (uint32_t)(L->tr->n_events - 1);
    float xa = vz__ev_x(L, vz__ev_pos(L, fr->ev_enter)), xb = vz__ev_x(L, vz__ev_pos(L, exit));
    float xend = xb;
    if (!future && vz__after_playhead(L, exit))
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
    vz_dl_tag(c->dl, VZ_TAG_FRAME, 0, (unsigned)L->r, fi);
    if (future)
        vz_dl_ghost(c->dl);
    vz_dl_rect(c->dl, xa, fy, xend - xa, fh, fill);
    vz_dl_frame(c->dl, xa, fy, xend - xa, fh, edge);
    if (!future && xb > xend && !L->hide) {
        vz_dl_ghost(c->dl);
        vz_dl_frame(c->dl, xend, fy, xb - xend, fh, vz_fade(edge, FUTURE_FADE));
        vz_dl_tag(c->dl, VZ_TAG_FRAME, 0, (unsigned)L->r, fi);
    }
    if (xend - xa > 24 * s) {
        char label[160];
        tm_safe_snprintf(label, sizeof label, "%s%s", tm_text(L->tr, fr->fn), tm_text(L->tr, fr->args));
        float tx = (xa < c->g.lanes.x ? c->g.lanes.x : xa) + 3 * s;
        vz_dl_text(c->dl, VZ_FONT_SMALL, tx, fy + (fh - vz__line_h(c, VZ_FONT_SMALL)) / 2, xend - tx - 2 * s, text,
                   label);
    }
    vz_dl_hit(c->dl, xa, fy, xb - xa < 2 * s ? 2 * s : xb - xa, fh, VZ_HIT_FRAME, (unsigned)L->r, task, fi);
}

static uint32_t frame_entering(const vz__lanes *L, uint32_t lo, uint32_t hi, double p)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (vz__ev_pos(L, L->tr->frames[mid].ev_enter) < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void vz__draw_frames(vz__lanes *L, uint32_t task, float y)
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
        double p = vz__ev_pos(L, fr->ev_enter);
        if (p > L->v1)
            break;
        if (fr->depth >= VZ_MAX_LEVELS)
            continue;
        float col = floorf(vz__ev_x(L, p));
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

static uint32_t marker_at(const vz__lanes *L, uint32_t lo, uint32_t hi, double p)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (vz__ev_pos(L, L->run->mk_ev[mid]) < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Which marker of a crowd is drawn: the first, unless one of these comes in it. */
static int marker_rank(vz_marker_kind mk)
{
    switch (mk) {
    case VZ_MK_TIMEOUT_FIRE:
        return 3;
    case VZ_MK_GROUP_ABORT:
        return 2;
    case VZ_MK_TIMEOUT:
    case VZ_MK_IO_READY:
        return 1;
    default:
        return 0;
    }
}

void vz__draw_markers(vz__lanes *L, uint32_t slot, float y)
{
    vz__lctx *c = L->c;
    const vz_run *run = L->run;
    uint32_t lo = run->mk_first[slot], hi = run->mk_first[slot + 1];
    float s = c->s, size = 10 * s, last_x = -1e9f;
    float my = vz__bar_top(L, y);
    for (uint32_t i = marker_at(L, lo, hi, L->v0); i < hi; i++) {
        uint32_t ev = run->mk_ev[i];
        double p = vz__ev_pos(L, ev);
        if (p > L->v1)
            break;
        int future = vz__after_playhead(L, ev);
        if (future && L->hide)
            break;
        float x = vz__ev_x(L, p);
        if (x < last_x + 3 * s) {   /* crowded: skip to the next few pixels */
            uint32_t j = marker_at(L, i, hi, vz_ui_pos(c->ui, &c->g, last_x + 3 * s));
            i = j > i ? j - 1 : i;
            continue;
        }
        last_x = x;
        uint32_t lane;
        vz_marker_kind mk = vz_marker_of(L->tr, &L->tr->events[ev], &lane);
        /* A crowd shows its first marker, unless a timeout or TaskGroup marker is in it. */
        for (uint32_t j = i + 1, n = 0; j < hi && n < MERGE_SCAN; j++, n++) {
            uint32_t ej = run->mk_ev[j];
            if (vz__ev_x(L, vz__ev_pos(L, ej)) >= last_x + 3 * s || (L->hide && vz__after_playhead(L, ej)))
                break;
            vz_marker_kind mj = vz_marker_of(L->tr, &L->tr->events[ej], &lane);
            if (marker_rank(mj) > marker_rank(mk)) {
                mk = mj;
                ev = ej;
                x = vz__ev_x(L, vz__ev_pos(L, ej));
                future = vz__after_playhead(L, ej);
            }
        }
        vz_color col = vz_marker_color(mk);
        if (future)
            col = vz_fade(col, FUTURE_FADE);
        vz_dl_tag(c->dl, VZ_TAG_MARKER, mk, (unsigned)L->r, ev);
        if (future)
            vz_dl_ghost(c->dl);
        vz__marker(c, mk, x, my, size, col);
        vz_dl_hit(c->dl, x - size / 2 - 2 * s, my - size / 2 - 2 * s, size + 4 * s, size + 4 * s, VZ_HIT_MARKER,
                  (unsigned)L->r, ev, 0);
    }
}

/* ---- the loop lane ---------------------------------------------------------------- */

/*
** The loop lane is drawn in three layers, one per kind of segment, each from
** its own sorted array: idle periods first, then callbacks, then steps on top,
** so a pixel column where the loop did several things shows the step.
*/

static size_t seg_count(const vz__lanes *L, vz_seg_kind kind)
{
    return kind == VZ_SEG_STEP ? L->tr->n_steps : kind == VZ_SEG_CALLBACK ? L->run->n_cbs : L->tr->n_idles;
}

/* A segment's extent on the axis, and its first and last events. */
static void seg_range(const vz__lanes *L, vz_seg_kind kind, size_t i, double *p0, double *p1, uint32_t *e0,
                      uint32_t *e1)
{
    *e0 = vz_seg_events(L->run, kind, i, e1);
    if (kind == VZ_SEG_IDLE) {
        if (L->step) {
            *p0 = *e0 - 0.5;
            *p1 = *e0 + 0.5;
        } else {
            *p0 = L->tr->idles[i].from;
            *p1 = L->tr->idles[i].until;
        }
        return;
    }
    *p0 = vz__ev_pos(L, *e0);
    *p1 = vz__ev_pos(L, *e1);
}

/* First segment of a kind (from lo) whose end reaches pos p. */
static size_t seg_reaching(const vz__lanes *L, vz_seg_kind kind, size_t lo, size_t hi, double p)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        double a, b;
        uint32_t e0, e1;
        seg_range(L, kind, mid, &a, &b, &e0, &e1);
        if (b < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* How much of a segment the playhead has reached: 0 none, 1 part, 2 all. */
static int seg_reached(const vz__lanes *L, vz_seg_kind kind, double p0, uint32_t e0, uint32_t e1)
{
    if (kind == VZ_SEG_IDLE && !L->step) {
        if (!vz__after_playhead(L, e0))
            return 2;
        return L->c->ui->t > p0 ? 1 : 0;
    }
    if (vz__after_playhead(L, e0))
        return 0;
    return vz__after_playhead(L, e1) && e1 != e0 ? 1 : 2;
}

/* A loop segment's colour after the playhead: a step dims as a running span does. */
static vz_color seg_ghost(vz_seg_kind kind)
{
    return kind == VZ_SEG_STEP ? vz_state_ghost(TM_STATE_RUNNING) : vz_fade(vz_seg_color(kind), FUTURE_FADE);
}

static void seg_label(const vz__lanes *L, vz_seg_kind kind, size_t i, uint32_t e0, char *buf, size_t size)
{
    char when[32];
    if (kind == VZ_SEG_STEP) {
        tm_safe_snprintf(buf, size, "%s", vz_task_name(L->run, L->tr->events[L->tr->steps[i].ev_begin].task));
    } else if (kind == VZ_SEG_CALLBACK) {
        tm_safe_snprintf(buf, size, "%s", vz_callback_words(tm_text(L->tr, L->tr->events[e0].s1)));
    } else {
        vz_format_seconds(L->tr->idles[i].until, when, sizeof when);
        tm_safe_snprintf(buf, size, "idle until %s (next timer)", when);
    }
}

static void draw_seg(vz__lanes *L, vz_seg_kind kind, size_t i, float xa, float xb, float y, double p0, uint32_t e0,
                     uint32_t e1)
{
    vz__lctx *c = L->c;
    int reached = seg_reached(L, kind, p0, e0, e1);
    if (!reached && L->hide)
        return;
    float s = c->s, by = vz__bar_top(L, y), bh = VZ_M_BAR_H * s;
    vz_color col = vz_seg_color(kind);
    float xend = reached == 2 ? xb : reached == 1 ? (L->px < xa ? xa : L->px > xb ? xb : L->px) : xa;
    if (kind != VZ_SEG_IDLE && reached && xend - xa < VZ_M_MIN_SPAN * s)
        xend = xa + VZ_M_MIN_SPAN * s;
    if (kind == VZ_SEG_IDLE) {
        by += bh * 0.25f;
        bh *= 0.5f;
    }
    vz_dl_tag(c->dl, VZ_TAG_LOOPSEG, kind, (unsigned)L->r, (uint32_t)i);
    if (reached)
        vz_dl_rect(c->dl, xa, by, xend - xa, bh, col);
    if (xb > xend && !L->hide) {
        vz_dl_ghost(c->dl);
        float w = xb - xend < VZ_M_MIN_SPAN * s && kind != VZ_SEG_IDLE ? VZ_M_MIN_SPAN * s : xb - xend;
        vz_dl_rect(c->dl, xend, by, w, bh, seg_ghost(kind));
    }
    float room = (reached == 2 ? xb : xend) - xa;
    if (room > 40 * s) {
        char label[160];
        seg_label(L, kind, i, e0, label, sizeof label);
        float lh = vz__line_h(c, VZ_FONT_SMALL);
        float tx = (xa < c->g.lanes.x ? c->g.lanes.x : xa) + 4 * s;
        vz_dl_tag(c->dl, VZ_TAG_LOOPSEG, kind, (unsigned)L->r, (uint32_t)i);
        vz_dl_text(c->dl, VZ_FONT_SMALL, tx, y + (VZ_M_LANE_H * s - lh) / 2, xa + room - tx - 2 * s,
                   kind == VZ_SEG_IDLE ? VZ_C_IDLE_TEXT : VZ_RGB(0xFF, 0xFF, 0xFF), label);
    }
    vz_dl_hit(c->dl, xa, y, xb - xa < VZ_M_MIN_SPAN * s ? VZ_M_MIN_SPAN * s : xb - xa, VZ_M_LANE_H * s,
              VZ_HIT_LOOPSEG, (unsigned)L->r, (uint32_t)i, kind);
}

static void draw_seg_layer(vz__lanes *L, vz_seg_kind kind, float y)
{
    vz__lctx *c = L->c;
    float s = c->s;
    size_t n = seg_count(L, kind);
    for (size_t i = seg_reaching(L, kind, 0, n, L->v0); i < n;) {
        double p0, p1;
        uint32_t e0, e1;
        seg_range(L, kind, i, &p0, &p1, &e0, &e1);
        if (p0 > L->v1)
            break;
        float xa = vz__ev_x(L, p0), xb = vz__ev_x(L, p1);
        if (xb - xa >= 1.5f) {
            draw_seg(L, kind, i, xa, xb, y, p0, e0, e1);
            i++;
            continue;
        }
        /* Narrow: one mark for everything of this kind starting in this pixel column. */
        float col = floorf(xa);
        size_t j = seg_reaching(L, kind, i + 1, n, vz_ui_pos(c->ui, &c->g, col + 1));
        if (j == i + 1) {
            draw_seg(L, kind, i, xa, xb, y, p0, e0, e1);
        } else {
            int reached = seg_reached(L, kind, p0, e0, e1);
            if (reached || !L->hide) {
                vz_color cl = vz_seg_color(kind);
                float by = vz__bar_top(L, y), bh = VZ_M_BAR_H * s;
                if (kind == VZ_SEG_IDLE) {
                    by += bh * 0.25f;
                    bh *= 0.5f;
                }
                vz_dl_tag(c->dl, VZ_TAG_LOOPSEG, kind, (unsigned)L->r, (uint32_t)i);
                if (!reached)
                    vz_dl_ghost(c->dl);
                vz_dl_rect(c->dl, col, by, VZ_M_MIN_SPAN * s, bh, reached ? cl : seg_ghost(kind));
                vz_dl_hit(c->dl, col, y, VZ_M_MIN_SPAN * s, VZ_M_LANE_H * s, VZ_HIT_LOOPSEG, (unsigned)L->r,
                          (uint32_t)i, kind);
            }
        }
        i = j > i ? j : i + 1;
    }
}

void vz__draw_loop_lane(vz__lanes *L, float y)
{
    draw_seg_layer(L, VZ_SEG_IDLE, y);
    draw_seg_layer(L, VZ_SEG_CALLBACK, y);
    draw_seg_layer(L, VZ_SEG_STEP, y);
}

/* ---- arrows ----------------------------------------------------------------------- */

static uint32_t link_reaching(const vz__lanes *L, uint32_t lo, uint32_t hi, double p)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (vz__ev_pos(L, L->tr->links[L->run->ln_idx[mid]].to) < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void vz__arrow(vz__lctx *c, float x0, float y0, float x1, float y1, vz_color col)
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
void vz__draw_arrows(vz__lanes *L, uint32_t slot, float lane_top)
{
    vz__lctx *c = L->c;
    const vz_run *run = L->run;
    const tm_trace *tr = L->tr;
    float s = c->s, last_x = -1e9f, col_x = -1e9f;
    uint32_t last_src = TM_NONE - 1, in_col = 0;
    uint32_t lo = run->ln_first[slot], hi = run->ln_first[slot + 1];
    for (uint32_t i = link_reaching(L, lo, hi, L->v0 - (L->v1 - L->v0) * 0.02); i < hi; i++) {
        const tm_link *lk = &tr->links[run->ln_idx[i]];
        double pt = vz__ev_pos(L, lk->to);
        if (pt > L->v1)
            break;
        float xt = vz__ev_x(L, pt);
        if (floorf(xt) != floorf(col_x)) {
            col_x = xt;
            in_col = 0;
        } else if (++in_col >= MERGE_SCAN) {   /* this pixel column has its arrows: skip the rest of it */
            uint32_t next = link_reaching(L, i, hi, vz_ui_pos(c->ui, &c->g, floorf(xt) + 1));
            i = next > i ? next - 1 : i;
            continue;
        }
        if (!c->ui->arrows[lk->kind] || vz__after_playhead(L, lk->to) || vz__after_playhead(L, lk->from))
            continue;
        uint32_t src = tm_event_by(tr, lk->from);
        if (floorf(xt) == floorf(last_x) && src == last_src)
            continue;
        last_x = xt;
        last_src = src;
        float sy = vz_layout_lane_y(c->doc, L->r, src, s);
        if (sy < 0)
            continue;
        sy += L->stack_top;
        /* Beside the steps they join, not over them: a zero-time step is only a few pixels wide. */
        float xs = vz__ev_x(L, vz__ev_pos(L, lk->from)) + VZ_M_MIN_SPAN * s * 1.5f;
        xt += VZ_M_MIN_SPAN * s * 1.5f;
        float src_mid = vz__bar_top(L, sy) + VZ_M_BAR_H * s / 2, top = vz__bar_top(L, lane_top);
        float ty = src_mid < top ? top : top + VZ_M_BAR_H * s;
        vz_dl_tag(c->dl, VZ_TAG_ARROW, lk->kind, (unsigned)L->r, run->ln_idx[i]);
        vz__arrow(c, xs, src_mid, xt, ty, vz_link_color((tm_link_kind)lk->kind));
    }
}

