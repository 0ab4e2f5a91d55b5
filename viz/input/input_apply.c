/*
** input_apply.c -- what each viewer action does to the UI state (see input.h).
** No SDL here: tests apply actions directly.
**
** Playback replays decisions, not just time: while undecided decisions remain
** at the playhead's instant they are revealed one by one, eight per second at
** 1x; between instants loop time advances at the chosen speed (1x is real
** time) until the next decision's time. So a schedule that happens entirely
** at t = 0 under the virtual clock still unfolds step by step.
*/
#include <math.h>
#include <string.h>

#include "findings.h"
#include "input.h"
#include "layout.h"
#include "overview.h"
#include "playhead.h"
#include "theme.h"

#define DECISIONS_PER_SECOND 8.0   /* playback rate within one instant, at 1x */
#define SPEED_MIN (-5)             /* 1/32x */
#define SPEED_MAX 12               /* 4096x */
#define DRAG_SLOP 4                /* pixels the pointer may move and still click */

static const vz_run *focus(const vz_ui *ui, const vz_doc *doc)
{
    return &doc->runs[ui->focus >= 0 && ui->focus < (int)doc->n_runs ? ui->focus : 0];
}

static void clamp_scroll(vz_ui *ui, const vz_doc *doc, const vz_geom *g)
{
    double max = vz_ui_scroll_max(ui, doc, g);
    if (ui->scroll > max)
        ui->scroll = max;
    if (ui->scroll < 0)
        ui->scroll = 0;
}

/* Pan so the playhead stays inside the visible range. */
static void follow(vz_ui *ui, const vz_doc *doc)
{
    double p = ui->step_view ? (double)vz_run_cursor(focus(ui, doc), ui->t, ui->k) + 0.5 : ui->t;
    if (ui->step_view && vz_run_cursor(focus(ui, doc), ui->t, ui->k) == TM_NONE)
        p = 0;
    double span = ui->x1 - ui->x0;
    if (p < ui->x0 || p > ui->x1) {
        double d = p < ui->x0 ? p - span * 0.3 - ui->x0 : p - span * 0.7 - ui->x0;
        ui->x0 += d;
        ui->x1 += d;
        vz_ui_clamp(ui, doc);
        if (!isfinite(ui->x0) || !isfinite(ui->x1))   /* a time near DBL_MAX (fuzz_view) */
            vz_ui_fit(ui, doc);
    }
}

static void set_playhead(vz_ui *ui, const vz_doc *doc, double t, uint32_t k)
{
    ui->t = t;
    ui->k = k;
    ui->dirty = 1;
    follow(ui, doc);
}

static void jump(vz_ui *ui, const vz_doc *doc, int run, uint32_t ev)
{
    if (run < 0 || run >= (int)doc->n_runs)
        return;
    double t;
    uint32_t k;
    vz_run_playhead_for(&doc->runs[run], ev, &t, &k);
    set_playhead(ui, doc, t, k);
}

static int at_end(const vz_ui *ui, const vz_doc *doc)
{
    double t = ui->t;
    uint32_t k = ui->k;
    return !vz_doc_step_next(doc, &t, &k);
}

/*
** One decision forward or back. With one trace, or the focused trace alone
** (step_all 0), that trace moves by exactly one decision and the others show
** the same clock. With step_all, the playhead goes to the next decision of any
** trace; when that is not the focused trace, the focus (and so the panels)
** moves to the trace that changed, so a step never looks like nothing happened.
*/
static void step(vz_ui *ui, const vz_doc *doc, int forward)
{
    ui->code_line = 0;   /* the source panel follows the playhead again */
    double t = ui->t;
    uint32_t k = ui->k;
    int f = ui->focus >= 0 && ui->focus < (int)doc->n_runs ? ui->focus : 0;
    if (doc->n_runs == 1 || !ui->step_all) {
        if (forward ? vz_run_step_next(&doc->runs[f], &t, &k) : vz_run_step_prev(&doc->runs[f], &t, &k))
            set_playhead(ui, doc, t, k);
        return;
    }
    uint32_t before[VZ_MAX_RUNS];
    for (size_t r = 0; r < doc->n_runs; r++)
        before[r] = vz_run_cursor(&doc->runs[r], ui->t, ui->k);
    if (!(forward ? vz_doc_step_next(doc, &t, &k) : vz_doc_step_prev(doc, &t, &k)))
        return;
    set_playhead(ui, doc, t, k);
    if (vz_run_cursor(&doc->runs[f], t, k) != before[f])
        return;
    for (size_t r = 0; r < doc->n_runs; r++) {
        if (vz_run_cursor(&doc->runs[r], t, k) != before[r]) {
            ui->focus = (int)r;
            return;
        }
    }
}

/* Put the playhead where the pointer is on the axis. */
static void scrub(vz_ui *ui, const vz_doc *doc, const vz_geom *g, float x)
{
    double p = vz_ui_pos(ui, g, x);
    if (ui->step_view) {
        const vz_run *run = focus(ui, doc);
        double n = (double)run->tr->n_events;
        if (p < 0.5 || !n) {
            set_playhead(ui, doc, run->t0, 0);
            return;
        }
        uint32_t ev = (uint32_t)(p - 0.5 >= n ? n - 1 : floor(p - 0.5));
        jump(ui, doc, ui->focus, ev);
        return;
    }
    double t = p < doc->t_min ? doc->t_min : p > doc->t_max ? doc->t_max : p;
    /* Snap to an instant with events within a few pixels. */
    double best = t, best_d = 6 * g->s;
    for (size_t r = 0; r < doc->n_runs; r++) {
        const tm_trace *tr = doc->runs[r].tr;
        uint32_t e = tm_event_at_time(tr, t);
        uint32_t cand[2] = {e, e == TM_NONE ? 0 : e + 1};
        for (int i = 0; i < 2; i++) {
            if (cand[i] == TM_NONE || cand[i] >= tr->n_events)
                continue;
            double d = fabs(vz_ui_x(ui, g, tr->events[cand[i]].t) - x);
            if (d <= best_d) {
                best_d = d;
                best = tr->events[cand[i]].t;
            }
        }
    }
    ui->t = best;
    ui->k = VZ_K_ALL;
    ui->dirty = 1;
}

static void tick(vz_ui *ui, const vz_doc *doc, double dt)
{
    if (!ui->playing || !doc->n_runs)
        return;
    ui->code_line = 0;
    double speed = vz_ui_speed(ui);
    if (vz_doc_more_at(doc, ui->t, ui->k)) {
        ui->play_acc += dt * DECISIONS_PER_SECOND * speed;
        int moved = 0;
        while (ui->play_acc >= 1 && vz_doc_more_at(doc, ui->t, ui->k)) {
            ui->k++;
            ui->play_acc -= 1;
            moved = 1;
        }
        if (ui->play_acc > 1)
            ui->play_acc = 0;
        if (moved)
            set_playhead(ui, doc, ui->t, ui->k);
        return;
    }
    double tn = vz_doc_next_time(doc, ui->t);
    if (!(tn > ui->t)) {
        ui->k = VZ_K_ALL;
        ui->playing = 0;
        ui->dirty = 1;
        return;
    }
    double t = ui->t + dt * speed;
    if (t >= tn) {
        ui->play_acc = 0;
        set_playhead(ui, doc, tn, 0);
    } else {
        set_playhead(ui, doc, t, 0);
    }
}

static void refilter(vz_ui *ui, vz_doc *doc, const vz_geom *g)
{
    vz_doc_filter(doc, ui->filter);
    clamp_scroll(ui, doc, g);
    ui->dirty = 1;
}

/* Scroll so a task's lane is on screen. */
static void reveal(vz_ui *ui, const vz_doc *doc, const vz_geom *g, size_t run, uint32_t task)
{
    float y = vz_layout_lane_y(doc, run, task, g->s);
    if (y < 0)
        return;
    if (y < ui->scroll || y + VZ_M_LANE_H * g->s > ui->scroll + g->lanes.h)
        ui->scroll = y - g->lanes.h / 3;
    clamp_scroll(ui, doc, g);
}

/*
** A click or drag on the concurrency track or the minimap: centre the view's
** time range on the position under the pointer (its width kept), and on the
** minimap also scroll the lanes so the row under the pointer is in the middle.
*/
static void overview_jump(vz_ui *ui, const vz_doc *doc, const vz_geom *g, float x, float y, int minimap)
{
    vz_rect r = minimap ? g->minimap : g->track;
    float pad = minimap ? 1 * g->s : 0, w = r.w - 2 * pad;
    if (w <= 0)
        return;
    double lo, hi;
    vz_ui_extent(ui, doc, &lo, &hi);
    double f = (x - r.x - pad) / w;
    f = f < 0 ? 0 : f > 1 ? 1 : f;
    double p = lo + f * (hi - lo), span = ui->x1 - ui->x0;
    ui->x0 = p - span / 2;
    ui->x1 = p + span / 2;
    vz_ui_clamp(ui, doc);
    if (minimap) {
        ui->scroll = (y - r.y) / vz_ui_minimap_scale(ui, doc, g) - g->lanes.h / 2;
        clamp_scroll(ui, doc, g);
    }
    ui->dirty = 1;
}

/*
** C, or a click on a fold mark: fold a task's descendants into its lane, or
** unfold them. From the keyboard (run < 0) it is the selected task's -- or,
** for a task without children, its parent's, which then becomes the
** selection -- and with nothing selected every parent's in every trace.
*/
static void fold(vz_ui *ui, vz_doc *doc, const vz_geom *g, int run, uint32_t task)
{
    if (run < 0) {
        if (ui->sel_kind != VZ_SEL_TASK || ui->sel_run >= doc->n_runs) {
            int any = 0;
            for (size_t r = 0; r < doc->n_runs; r++)
                for (size_t t = 0; t < doc->runs[r].tr->n_tasks; t++)
                    any |= doc->runs[r].collapsed[t];
            for (size_t r = 0; r < doc->n_runs; r++)
                vz_doc_collapse(doc, r, TM_NONE, !any);
            clamp_scroll(ui, doc, g);
            return;
        }
        run = ui->sel_run;
        task = ui->sel;
        const vz_run *rn = &doc->runs[run];
        if (task < rn->tr->n_tasks && !rn->subtree[task] && rn->tr->tasks[task].parent != TM_NONE) {
            task = rn->tr->tasks[task].parent;
            ui->sel = task;
        }
    }
    if (run >= (int)doc->n_runs || task >= doc->runs[run].tr->n_tasks)
        return;
    vz_doc_collapse(doc, (size_t)run, task, -1);
    clamp_scroll(ui, doc, g);
    reveal(ui, doc, g, (size_t)run, task);
}

/*
** Scroll the source panel to the line a clicked span, marker or event is
** about: the await that began a wait, the line an event names, else where its
** task stood then.
*/
static void show_code_of(vz_ui *ui, const vz_run *run, const vz_hit *h)
{
    const tm_trace *tr = run->tr;
    uint32_t ev = TM_NONE, task = TM_NONE;
    if (h->kind == VZ_HIT_SPAN) {
        ev = tr->spans[h->b].ev_begin;
        task = h->a;
    } else if (ui->sel_kind == VZ_SEL_EVENT && ui->sel < tr->n_events) {
        ev = ui->sel;
        task = tr->events[ev].task;
    }
    if (ev == TM_NONE || !tr->n_sources)
        return;
    const tm_srcref *r = tm_event_src(tr, ev);
    if ((!r || r->source == TM_NONE) && task != TM_NONE && task < tr->n_tasks)
        r = tm_task_src_at(tr, task, ev, NULL);
    if (!r || r->source == TM_NONE)
        return;
    ui->code_run = h->run;
    ui->code_line = r->line;
    ui->code_source = r->source;
}

/*
** A click on a line of the source panel: select it (the timeline rings the
** steps that suspended there) and move the playhead to the next such step,
** from the start again after the last.
*/
static void click_code_line(vz_ui *ui, const vz_doc *doc, const vz_hit *h)
{
    if (h->run >= doc->n_runs)
        return;
    const tm_trace *tr = doc->runs[h->run].tr;
    ui->code_sel_run = h->run;
    ui->code_sel_line = h->a;
    ui->code_sel_source = h->b;
    uint32_t cur = doc->runs[h->run].cur, first = TM_NONE, next = TM_NONE;
    for (size_t i = 0; i < tr->n_srcrefs; i++) {
        const tm_srcref *r = &tr->srcrefs[i];
        if (r->line != h->a || r->source != h->b || tr->events[r->ev].kind != TM_EV_STEP_END)
            continue;
        if (first == TM_NONE)
            first = r->ev;
        if (cur == TM_NONE || r->ev > cur) {
            next = r->ev;
            break;
        }
    }
    if (next == TM_NONE)
        next = first;
    if (next != TM_NONE) {
        ui->playing = 0;
        jump(ui, doc, h->run, next);
    }
    ui->code_line = 0;   /* the panel follows the playhead there */
    ui->focus = h->run;
}

static void select_hit(vz_ui *ui, const vz_doc *doc, const vz_hit *h)
{
    if (!h || h->run >= doc->n_runs) {
        if (h && h->kind == VZ_HIT_TIMELINE)
            ui->sel_kind = VZ_SEL_NONE;
        return;
    }
    const vz_run *run = &doc->runs[h->run];
    switch (h->kind) {
    case VZ_HIT_SPAN:
    case VZ_HIT_FRAME:
    case VZ_HIT_LANE:
        if (h->a == TM_NONE)
            return;
        ui->sel_kind = VZ_SEL_TASK;
        ui->sel = h->a;
        break;
    case VZ_HIT_MARKER:
    case VZ_HIT_EVENT_ROW:
        ui->sel_kind = VZ_SEL_EVENT;
        ui->sel = h->a;
        break;
    case VZ_HIT_LOOPSEG: {
        uint32_t last;
        ui->sel_kind = VZ_SEL_EVENT;
        ui->sel = vz_seg_events(run, (vz_seg_kind)h->b, h->a, &last);
        break;
    }
    case VZ_HIT_JOB:
        ui->sel_kind = VZ_SEL_EVENT;
        ui->sel = run->tr->jobs[h->a].ev_start;
        break;
    case VZ_HIT_JOB_QUEUE:   /* its submit: the inspector says how long it waited, and for whom */
        ui->sel_kind = VZ_SEL_EVENT;
        ui->sel = run->tr->jobs[h->a].ev_submit;
        break;
    case VZ_HIT_GROUP:   /* the group's `new`: the inspector says who opened it */
        ui->sel_kind = VZ_SEL_EVENT;
        ui->sel = run->groups[h->a].ev_new;
        break;
    case VZ_HIT_DEADLINE:   /* the arm or reschedule that set it */
        ui->sel_kind = VZ_SEL_EVENT;
        ui->sel = run->deadlines[h->a].ev;
        break;
    case VZ_HIT_TIMELINE:
        ui->sel_kind = VZ_SEL_NONE;
        return;
    default:
        return;
    }
    ui->sel_run = h->run;
    ui->focus = h->run;
    show_code_of(ui, run, h);
}

static void pointer_down(vz_ui *ui, vz_doc *doc, const vz_drawlist *last, const vz_geom *g, const vz_action *a)
{
    ui->mx = a->x;
    ui->my = a->y;
    if (ui->show_help) {
        ui->show_help = 0;
        return;
    }
    if (a->arg != 1 || !last)
        return;
    const vz_hit *h = vz_dl_hit_at(last, a->x, a->y);
    if (!h)
        return;
    vz_hit hit = *h;
    if (ui->searching && !(hit.kind == VZ_HIT_BUTTON && hit.a == VZ_ACT_SEARCH))
        ui->searching = 0;
    switch (hit.kind) {
    case VZ_HIT_BUTTON: {
        vz_action b = {0};
        b.kind = (uint8_t)hit.a;
        b.arg = (int)hit.b;
        if (b.kind != VZ_ACT_NONE)
            vz_apply(ui, doc, last, &b);
        return;
    }
    case VZ_HIT_DENSE:   /* a dense instant's chip: spread it out in event order */
        if (!ui->step_view)
            vz_apply_simple(ui, doc, VZ_ACT_STEP_VIEW);
        return;
    case VZ_HIT_CODE_LINE:
        click_code_line(ui, doc, &hit);
        return;
    case VZ_HIT_FOLD:
        fold(ui, doc, g, hit.run, hit.a);
        return;
    case VZ_HIT_OVERVIEW:
    case VZ_HIT_MINIMAP:
        ui->drag = hit.kind == VZ_HIT_MINIMAP ? VZ_DRAG_MINIMAP : VZ_DRAG_OVERVIEW;
        overview_jump(ui, doc, g, a->x, a->y, hit.kind == VZ_HIT_MINIMAP);
        return;
    case VZ_HIT_SCROLLBAR: {   /* the thumb drags; the track jumps the thumb under the pointer */
        vz_rect tr;
        float ty, th;
        if (!vz_ui_scroll_thumb(ui, doc, g, &tr, &ty, &th))
            return;
        double max = vz_ui_scroll_max(ui, doc, g);
        if (a->y < ty || a->y > ty + th) {
            ui->scroll = (a->y - th / 2 - tr.y) / (tr.h - th > 1 ? tr.h - th : 1) * max;
            clamp_scroll(ui, doc, g);
        }
        ui->drag = VZ_DRAG_SCROLL;
        ui->drag_py = a->y;
        ui->drag_scroll = ui->scroll;
        return;
    }
    case VZ_HIT_AXIS:
        ui->drag = VZ_DRAG_SCRUB;
        ui->playing = 0;
        scrub(ui, doc, g, a->x);
        return;
    case VZ_HIT_EVENT_ROW:
        ui->focus = hit.run;
        select_hit(ui, doc, &hit);
        jump(ui, doc, hit.run, hit.a);
        return;
    case VZ_HIT_FINDING: {
        vz_action b = {0};
        b.kind = VZ_ACT_FINDING;
        b.arg = hit.run;
        b.arg2 = (int)hit.a;
        vz_apply(ui, doc, last, &b);
        return;
    }
    case VZ_HIT_RUN:
        ui->focus = hit.run;
        ui->dirty = 1;
        return;
    case VZ_HIT_LANE:
        ui->focus = hit.run;
        select_hit(ui, doc, &hit);
        ui->dirty = 1;
        return;
    case VZ_HIT_SPAN:
    case VZ_HIT_FRAME:
    case VZ_HIT_MARKER:
    case VZ_HIT_LOOPSEG:
    case VZ_HIT_JOB:
    case VZ_HIT_JOB_QUEUE:
    case VZ_HIT_GROUP:
    case VZ_HIT_DEADLINE:
    case VZ_HIT_TIMELINE:
        ui->drag = VZ_DRAG_PAN;
        ui->drag_moved = 0;
        ui->drag_px = a->x;
        ui->drag_py = a->y;
        ui->drag_x0 = ui->x0;
        ui->drag_x1 = ui->x1;
        ui->drag_scroll = ui->scroll;
        return;
    default:
        return;
    }
}

static void wheel(vz_ui *ui, vz_doc *doc, const vz_geom *g, const vz_action *a)
{
    float x = a->x, y = a->y;
    int in_lanes = x >= g->lanes.x && x < g->lanes.x + g->lanes.w && y >= g->axis.y && y < g->lanes.y + g->lanes.h;
    int in_labels = x >= g->labels.x && x < g->labels.x + g->labels.w && y >= g->labels.y &&
                    y < g->labels.y + g->labels.h;
    int in_events = x >= g->events.x && x < g->events.x + g->events.w && y >= g->events.y &&
                    y < g->events.y + g->events.h;
    int in_map = x >= g->minimap.x && x < g->minimap.x + g->minimap.w && y >= g->minimap.y &&
                 y < g->minimap.y + g->minimap.h;
    if (in_map && a->f != 0) {   /* the minimap scrolls the lanes */
        ui->scroll -= a->f * 60 * g->s;
        clamp_scroll(ui, doc, g);
        ui->dirty = 1;
        return;
    }
    if (in_events && a->f != 0) {
        vz_apply_simple(ui, doc, a->f < 0 ? VZ_ACT_NEXT : VZ_ACT_PREV);
        return;
    }
    if (!in_lanes && !in_labels)
        return;
    if (a->arg2 && in_lanes)
        vz_ui_pan(ui, doc, g, a->arg2 * 15 * g->s);
    if (a->f == 0)
        return;
    if (a->arg || in_labels) {
        ui->scroll -= a->f * 60 * g->s;
        clamp_scroll(ui, doc, g);
    } else {
        vz_ui_zoom(ui, doc, g, pow(1.25, a->f), x);
    }
    ui->dirty = 1;
}

void vz_apply(vz_ui *ui, vz_doc *doc, const vz_drawlist *last, const vz_action *a)
{
    vz_geom g;
    vz_ui_geom(ui, &g);
    if (!doc->n_runs && a->kind != VZ_ACT_QUIT && a->kind != VZ_ACT_RESIZE)
        return;
    if (a->kind != VZ_ACT_TICK)
        ui->dirty = 1;
    double t = ui->t;
    uint32_t k = ui->k;
    switch ((vz_action_kind)a->kind) {
    case VZ_ACT_NONE:
        break;
    case VZ_ACT_QUIT:
        ui->quit = 1;
        break;
    case VZ_ACT_PLAY:
        if (!ui->playing && at_end(ui, doc))
            set_playhead(ui, doc, doc->t_min, 0);
        ui->playing = !ui->playing;
        ui->play_acc = 0;
        break;
    case VZ_ACT_NEXT:
    case VZ_ACT_PREV:
        ui->playing = 0;
        step(ui, doc, a->kind == VZ_ACT_NEXT);
        break;
    case VZ_ACT_STEP_MODE:
        ui->step_all = !ui->step_all;
        break;
    case VZ_ACT_NEXT_INSTANT:
        ui->playing = 0;
        if (vz_doc_instant_next(doc, &t, &k))
            set_playhead(ui, doc, t, k);
        break;
    case VZ_ACT_PREV_INSTANT:
        ui->playing = 0;
        if (vz_doc_instant_prev(doc, &t, &k))
            set_playhead(ui, doc, t, k);
        break;
    case VZ_ACT_START:
        ui->playing = 0;
        set_playhead(ui, doc, doc->t_min, 0);
        break;
    case VZ_ACT_END:
        ui->playing = 0;
        set_playhead(ui, doc, doc->t_max, VZ_K_ALL);
        break;
    case VZ_ACT_FASTER:
        if (ui->speed < SPEED_MAX)
            ui->speed++;
        break;
    case VZ_ACT_SLOWER:
        if (ui->speed > SPEED_MIN)
            ui->speed--;
        break;
    case VZ_ACT_ZOOM:
        vz_ui_zoom(ui, doc, &g, a->f, a->x);
        break;
    case VZ_ACT_PAN:
        vz_ui_pan(ui, doc, &g, a->x);
        break;
    case VZ_ACT_SCROLL:
        ui->scroll += a->y;
        clamp_scroll(ui, doc, &g);
        break;
    case VZ_ACT_FIT:
        vz_ui_fit(ui, doc);
        break;
    case VZ_ACT_STEP_VIEW: {
        double scroll = ui->scroll;
        ui->step_view = !ui->step_view;
        ui->step_auto = 0;
        vz_ui_fit(ui, doc);
        ui->scroll = scroll;
        break;
    }
    case VZ_ACT_ARROWS:
        if (a->arg >= 0 && a->arg < VZ_ARROW_KINDS)
            ui->arrows[a->arg] = !ui->arrows[a->arg];
        break;
    case VZ_ACT_FUTURE:
        ui->hide_future = !ui->hide_future;
        break;
    case VZ_ACT_HELP:
        ui->show_help = !ui->show_help;
        break;
    case VZ_ACT_PANELS:
        ui->show_panels = !ui->show_panels;
        vz_ui_geom(ui, &g);
        clamp_scroll(ui, doc, &g);
        break;
    case VZ_ACT_FOCUS:
        if (a->arg < 0)
            ui->focus = (ui->focus + 1) % (int)doc->n_runs;
        else if (a->arg < (int)doc->n_runs)
            ui->focus = a->arg;
        break;
    case VZ_ACT_SEARCH:
        ui->searching = 1;
        break;
    case VZ_ACT_TEXT:
        if (ui->searching) {
            size_t len = strlen(ui->filter), add = strlen(a->text);
            if (len + add < sizeof ui->filter) {
                memcpy(ui->filter + len, a->text, add + 1);
                refilter(ui, doc, &g);
            }
        }
        break;
    case VZ_ACT_BACKSPACE:
        if (ui->searching && ui->filter[0]) {
            size_t len = strlen(ui->filter);
            do   /* drop one UTF-8 character */
                len--;
            while (len > 0 && ((unsigned char)ui->filter[len] & 0xC0) == 0x80);
            ui->filter[len] = 0;
            refilter(ui, doc, &g);
        }
        break;
    case VZ_ACT_ENTER:
        ui->searching = 0;
        break;
    case VZ_ACT_ESCAPE:
        if (ui->show_help) {
            ui->show_help = 0;
        } else if (ui->searching || (ui->filter[0] && ui->sel_kind == VZ_SEL_NONE)) {
            ui->searching = 0;
            ui->filter[0] = 0;
            refilter(ui, doc, &g);
        } else {
            ui->sel_kind = VZ_SEL_NONE;
        }
        break;
    case VZ_ACT_SCALE: {
        float sc = ui->scale * (float)a->f;
        ui->scale = sc < 0.5f ? 0.5f : sc > 4 ? 4 : sc;
        vz_ui_geom(ui, &g);
        clamp_scroll(ui, doc, &g);
        break;
    }
    case VZ_ACT_POINTER_MOVE:
        ui->mx = a->x;
        ui->my = a->y;
        ui->mouse_in = 1;
        if (ui->drag == VZ_DRAG_SCRUB) {
            scrub(ui, doc, &g, a->x);
        } else if (ui->drag == VZ_DRAG_OVERVIEW || ui->drag == VZ_DRAG_MINIMAP) {
            overview_jump(ui, doc, &g, a->x, a->y, ui->drag == VZ_DRAG_MINIMAP);
        } else if (ui->drag == VZ_DRAG_SCROLL) {
            vz_rect tr;
            float ty, th;
            if (vz_ui_scroll_thumb(ui, doc, &g, &tr, &ty, &th)) {
                ui->scroll = ui->drag_scroll + (a->y - ui->drag_py) / (tr.h - th > 1 ? tr.h - th : 1) *
                                                   vz_ui_scroll_max(ui, doc, &g);
                clamp_scroll(ui, doc, &g);
            }
        } else if (ui->drag == VZ_DRAG_PAN) {
            float dx = a->x - ui->drag_px, dy = a->y - ui->drag_py;
            if (fabsf(dx) > DRAG_SLOP * g.s || fabsf(dy) > DRAG_SLOP * g.s)
                ui->drag_moved = 1;
            if (ui->drag_moved) {
                ui->x0 = ui->drag_x0;
                ui->x1 = ui->drag_x1;
                vz_ui_pan(ui, doc, &g, -dx);
                ui->scroll = ui->drag_scroll - dy;
                clamp_scroll(ui, doc, &g);
            }
        }
        break;
    case VZ_ACT_POINTER_DOWN:
        ui->mouse_in = 1;
        pointer_down(ui, doc, last, &g, a);
        break;
    case VZ_ACT_POINTER_UP:
        if (ui->drag == VZ_DRAG_PAN && !ui->drag_moved && last)
            select_hit(ui, doc, vz_dl_hit_at(last, a->x, a->y));
        ui->drag = VZ_DRAG_NONE;
        ui->drag_moved = 0;
        break;
    case VZ_ACT_POINTER_LEAVE:
        ui->mouse_in = 0;
        break;
    case VZ_ACT_WHEEL:
        wheel(ui, doc, &g, a);
        break;
    case VZ_ACT_RESIZE:
        if (a->arg > 0 && a->arg2 > 0) {
            ui->w = a->arg;
            ui->h = a->arg2;
            vz_ui_geom(ui, &g);
            clamp_scroll(ui, doc, &g);
        }
        break;
    case VZ_ACT_TICK:
        tick(ui, doc, a->f);
        break;
    case VZ_ACT_JUMP:
        ui->playing = 0;
        jump(ui, doc, a->arg, (uint32_t)a->arg2);
        break;
    case VZ_ACT_SELECT_TASK:
        if (a->arg >= 0 && a->arg < (int)doc->n_runs && (size_t)a->arg2 < doc->runs[a->arg].tr->n_tasks) {
            ui->sel_kind = VZ_SEL_TASK;
            ui->sel_run = (uint8_t)a->arg;
            ui->sel = (uint32_t)a->arg2;
            ui->focus = a->arg;
            reveal(ui, doc, &g, (size_t)a->arg, ui->sel);
        }
        break;
    case VZ_ACT_OVERVIEW:
        ui->overview = !ui->overview;
        vz_ui_geom(ui, &g);
        clamp_scroll(ui, doc, &g);
        break;
    case VZ_ACT_SORT:
        vz_doc_sort(doc, a->arg >= 0 ? a->arg : (doc->sort + 1) % VZ_SORT__COUNT);
        clamp_scroll(ui, doc, &g);
        if (ui->sel_kind == VZ_SEL_TASK)
            reveal(ui, doc, &g, ui->sel_run, ui->sel);
        break;
    case VZ_ACT_FOLD:
        fold(ui, doc, &g, a->arg, (uint32_t)a->arg2);
        break;
    case VZ_ACT_FINDING:
        if (a->arg >= 0 && a->arg < (int)doc->n_runs && (size_t)a->arg2 < doc->runs[a->arg].n_findings) {
            const vz_finding *f = &doc->runs[a->arg].findings[a->arg2];
            ui->open_run = a->arg;
            ui->open_finding = a->arg2;
            ui->focus = a->arg;
            if (f->task != TM_NONE) {
                ui->sel_kind = VZ_SEL_TASK;
                ui->sel_run = (uint8_t)a->arg;
                ui->sel = f->task;
                reveal(ui, doc, &g, (size_t)a->arg, f->task);
            }
            ui->playing = 0;
            if (f->kind == VZ_FIND_STALL || f->kind == VZ_FIND_SWALLOWED_CANCEL)   /* a moment worth replaying */
                jump(ui, doc, a->arg, f->ev);
        }
        break;
    }
}

void vz_apply_simple(vz_ui *ui, vz_doc *doc, vz_action_kind kind)
{
    vz_action a;
    memset(&a, 0, sizeof a);
    a.kind = (uint8_t)kind;
    vz_apply(ui, doc, NULL, &a);
}
