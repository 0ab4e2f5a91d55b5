/*
** layout_constructs.c -- TaskGroups and timeouts on the timeline (see
** layout.h; constructs.h derives what is drawn here).
**
** A TaskGroup is drawn twice. In the lanes, a band behind the lanes of its
** owner and members, from `new` to `exit`, outlined in the group colour and,
** from its `abort` on, in the warning colour. In the lane names' gutter, a
** bracket over the same lanes with a tick per member and a "TaskGroup" label
** on the owner's row ("TaskGroup · aborting" once the playhead passes the
** abort). Brackets of groups that share lanes get columns of their own, outer
** groups to the left, and nested bands are inset a little, so two groups stay
** apart. Only groups whose lifetime reaches the visible range are drawn.
**
** A timeout's deadline is drawn on its owner's lane: a thin line along the
** lane's foot from where it was armed (or rescheduled) to when it is due,
** and a tick at that time. A deadline that a reschedule replaced, or that the
** block left before it came due, fades once the playhead passes that moment.
*/
#include <math.h>
#include <stdio.h>

#include "constructs.h"
#include "layout_internal.h"

#define FUTURE_FADE VZ__FUTURE_FADE
#define SUPERSEDED_FADE 0.55f /* a deadline that was moved or dropped */
#define CHIPS_MAX 32          /* owner rows labelled per run and frame */
#define BAND_ROWS 64          /* member rows split into bands; a bigger group gets one band */

static double ev_pos(const vz_run *run, int step, uint32_t ev)
{
    return step ? (double)ev : run->tr->events[ev].t;
}

static int future_at(uint32_t cur, uint32_t ev)
{
    return cur == TM_NONE || ev > cur;
}

/* The last event of a group's lifetime: its exit, or the end of the trace. */
static uint32_t group_end(const vz_run *run, const vz_group *g)
{
    return g->ev_exit != TM_NONE ? g->ev_exit : (uint32_t)(run->tr->n_events - 1);
}

/* Does a group's lifetime reach the visible axis range [v0, v1]? */
static int group_visible(const vz_run *run, const vz_group *g, int step, double v0, double v1)
{
    return ev_pos(run, step, g->ev_new) <= v1 && ev_pos(run, step, group_end(run, g)) >= v0;
}

/* The first and last shown rows of a group's owner and members; 0 when none is shown. */
static int group_rows(const vz_run *run, const vz_group *g, uint32_t *lo, uint32_t *hi)
{
    uint32_t a = UINT32_MAX, b = 0;
    for (uint32_t k = 0; k <= g->count; k++) {
        uint32_t t = k < g->count ? run->grp_task[g->first + k] : g->owner;
        if (t == TM_NONE || t >= run->tr->n_tasks || run->row_of[t] == TM_NONE)
            continue;
        uint32_t row = run->row_of[t];
        a = row < a ? row : a;
        b = row > b ? row : b;
    }
    *lo = a;
    *hi = b;
    return a != UINT32_MAX;
}

/* The shown rows of a group's owner and members, sorted, in out[cap]; 0 when there are more. */
static size_t group_row_list(const vz_run *run, const vz_group *g, uint32_t *out, size_t cap)
{
    size_t n = 0;
    for (uint32_t k = 0; k <= g->count; k++) {
        uint32_t t = k < g->count ? run->grp_task[g->first + k] : g->owner;
        if (t == TM_NONE || t >= run->tr->n_tasks || run->row_of[t] == TM_NONE)
            continue;
        if (n == cap)
            return 0;
        uint32_t row = run->row_of[t];
        size_t i = n++;
        while (i > 0 && out[i - 1] > row) {   /* insertion: members come nearly in row order */
            out[i] = out[i - 1];
            i--;
        }
        out[i] = row;
    }
    return n;
}

/* ---- bands behind the lanes ---------------------------------------------------------------- */

/* One stretch of a band: fill and top/bottom edges, split at the playhead. */
static void band_part(vz__lanes *L, uint32_t gi, vz_group_part part, float x0, float x1, float y0, float y1,
                      vz_color fill, vz_color edge)
{
    vz__lctx *c = L->c;
    float s = c->s, e = 1.5f * s;
    if (x1 <= x0)
        return;
    float split = L->px < x0 ? x0 : L->px > x1 ? x1 : L->px;
    for (int ghost = 0; ghost < 2; ghost++) {
        float a = ghost ? split : x0, b = ghost ? x1 : split;
        if (b <= a || (ghost && L->hide))
            continue;
        vz_dl_tag(c->dl, VZ_TAG_GROUP, part, (unsigned)L->r, gi);
        vz_color f = fill, ed = edge;
        if (ghost) {
            vz_dl_ghost(c->dl);
            f.a = (uint8_t)(f.a / 2);
            ed = vz_fade(ed, FUTURE_FADE);
        }
        vz_dl_rect(c->dl, a, y0, b - a, y1 - y0, f);
        vz_dl_rect(c->dl, a, y0, b - a, e, ed);
        vz_dl_rect(c->dl, a, y1 - e, b - a, e, ed);
    }
}

void vz__draw_group_bands(vz__lanes *L)
{
    vz__lctx *c = L->c;
    const vz_run *run = L->run;
    float s = c->s, ybot = c->g.lanes.y + c->g.lanes.h;
    float last_x[VZ_GROUP_COLS];
    for (int k = 0; k < VZ_GROUP_COLS; k++)
        last_x[k] = -1e9f;
    for (size_t gi = 0; gi < run->n_groups; gi++) {
        const vz_group *g = &run->groups[gi];
        uint32_t lo, hi, end = group_end(run, g);
        if (!group_visible(run, g, L->step, L->v0, L->v1) || !group_rows(run, g, &lo, &hi))
            continue;
        int future = future_at(L->cur, g->ev_new);
        if (future && L->hide)
            continue;
        float inset = (float)g->col * 3 * s;
        float y0 = L->top + vz__row_y(run, lo, s) + 1 * s + inset;
        float y1 = L->top + vz__row_y(run, hi, s) + vz__lane_h(run, run->rows[hi], s) - 1 * s - inset;
        if (y1 < c->g.lanes.y || y0 > ybot)
            continue;
        float xa = vz_ui_x(c->ui, &c->g, ev_pos(run, L->step, g->ev_new));
        float xb = vz_ui_x(c->ui, &c->g, ev_pos(run, L->step, end));
        if (xb - xa < 3 * s)
            xb = xa + 3 * s;
        if (xb - xa < 4 * s && floorf(xa) == last_x[g->col])
            continue;   /* a crowd of short groups in one pixel column: one is enough */
        last_x[g->col] = floorf(xa);
        float xab = g->ev_abort != TM_NONE ? vz_ui_x(c->ui, &c->g, ev_pos(run, L->step, g->ev_abort)) : xb;
        if (xab > xb - 3 * s && g->ev_abort != TM_NONE)
            xab = xb - 3 * s;   /* an abort and exit at one instant still show the warning colour */
        /* A band per run of adjacent member rows: lanes between them that are not members stay clear. */
        uint32_t rows[BAND_ROWS];
        size_t n = group_row_list(run, g, rows, BAND_ROWS);
        if (!n) {   /* too many to sort here: one band over them all */
            rows[0] = lo;
            rows[1] = hi;
            n = 2;
        }
        for (size_t i = 0; i < n;) {
            size_t j = i + 1;
            while (j < n && rows[j] <= rows[j - 1] + 1)
                j++;
            uint32_t a = rows[i], b = rows[j - 1];
            float ya = L->top + vz__row_y(run, a, s) + 1 * s + inset;
            float yb = L->top + vz__row_y(run, b, s) + vz__lane_h(run, run->rows[b], s) - 1 * s - inset;
            band_part(L, (uint32_t)gi, VZ_GROUP_BAND, xa, xab, ya, yb, VZ_C_GROUP_BAND, VZ_C_GROUP);
            if (g->ev_abort != TM_NONE)
                band_part(L, (uint32_t)gi, VZ_GROUP_ABORTING, xab, xb, ya, yb, VZ_C_ABORT_BAND, VZ_C_ABORT);
            vz_dl_hit(c->dl, xa, ya, xb - xa, yb - ya, VZ_HIT_GROUP, (unsigned)L->r, (uint32_t)gi, 0);
            i = j;
        }
        /* The sides, joining the bands: where the block began, and where it ended. */
        float e = 1.5f * s;
        vz_dl_tag(c->dl, VZ_TAG_GROUP, VZ_GROUP_BAND, (unsigned)L->r, (uint32_t)gi);
        if (future)
            vz_dl_ghost(c->dl);
        vz_dl_rect(c->dl, xa, y0, e, y1 - y0, future ? vz_fade(VZ_C_GROUP, FUTURE_FADE) : VZ_C_GROUP);
        if (g->ev_exit != TM_NONE && !(L->hide && future_at(L->cur, end))) {
            vz_color side = g->ev_abort != TM_NONE ? VZ_C_ABORT : VZ_C_GROUP;
            vz_dl_tag(c->dl, VZ_TAG_GROUP, g->ev_abort != TM_NONE ? VZ_GROUP_ABORTING : VZ_GROUP_BAND,
                      (unsigned)L->r, (uint32_t)gi);
            if (future_at(L->cur, end))
                vz_dl_ghost(c->dl);
            vz_dl_rect(c->dl, xb - e, y0, e, y1 - y0, future_at(L->cur, end) ? vz_fade(side, FUTURE_FADE) : side);
        }
    }
}

/* ---- brackets in the gutter ------------------------------------------------------------------- */

/* How well a group speaks for its owner's row at the cursor: open at the cursor
** beats begun before it (the latest), which beats merely in view (the first). */
static int chip_score(const vz_run *run, const vz_group *g)
{
    uint32_t cur = run->cur;
    if (future_at(cur, g->ev_new))
        return 1;
    return g->ev_exit == TM_NONE || g->ev_exit > cur ? 3 : 2;
}

/* Where a label may start on a row: after the task's name (its coroutine's name may be covered). */
static float name_end(vz__lctx *c, const vz_run *run, uint32_t task)
{
    const tm_task *tk = &run->tr->tasks[task];
    float s = c->s;
    return c->g.labels.x + 10 * s + (float)(tk->depth > 12 ? 12 : tk->depth) * VZ_M_INDENT * s +
           vz__text_w(c, VZ_FONT_BOLD, tm_text(run->tr, tk->name)) + 6 * s;
}

/* A small framed label on a row, right-aligned against x; returns 0 when it does not fit after `from`. */
static int chip(vz__lctx *c, size_t r, uint32_t gi, float x, float from, float row_top, vz_color col, int future,
                const char *text)
{
    float s = c->s, lh = vz__line_h(c, VZ_FONT_SMALL), w = vz__text_w(c, VZ_FONT_SMALL, text) + 8 * s;
    float h = lh + 2 * s, cx = x - 3 * s - w, cy = row_top + (VZ_M_LANE_H * s - h) / 2;
    if (cx < from)
        return 0;
    vz_dl_tag(c->dl, VZ_TAG_GROUP, VZ_GROUP_LABEL, (unsigned)r, gi);
    if (future)
        vz_dl_ghost(c->dl);
    vz_dl_rect(c->dl, cx, cy, w, h, VZ_C_PANEL);
    vz_dl_frame(c->dl, cx, cy, w, h, col);
    vz_dl_text(c->dl, VZ_FONT_SMALL, cx + 4 * s, cy + 1 * s, 0, col, text);
    vz_dl_hit(c->dl, cx, cy, w, h, VZ_HIT_GROUP, (unsigned)r, gi, 0);
    return 1;
}

/*
** The label of a group, right-aligned against the bracket at x, always on its
** owner's row (the row of the task running the `async with`): "TaskGroup",
** and from the abort on "TaskGroup · aborting" ("aborted" once it has exited)
** in the warning colour, shortened to "aborting" when the row has no room for
** both words. A member's row never carries it: a member that returned
** normally is not what aborted.
*/
static void group_chips(vz__lctx *c, size_t r, uint32_t gi, float x, float top)
{
    const vz_run *run = &c->doc->runs[r];
    const vz_group *g = &run->groups[gi];
    float s = c->s;
    int aborting = g->ev_abort != TM_NONE && !future_at(run->cur, g->ev_abort);
    int ended = g->ev_exit != TM_NONE && !future_at(run->cur, g->ev_exit);
    int future = future_at(run->cur, g->ev_new);
    vz_color col = aborting ? VZ_C_ABORT : VZ_C_GROUP;
    if (future)
        col = vz_fade(col, FUTURE_FADE);
    float otop = top + vz__row_y(run, run->row_of[g->owner], s), from = name_end(c, run, g->owner);
    if (!aborting) {
        if (!chip(c, r, gi, x, from, otop, col, future, "TaskGroup"))
            chip(c, r, gi, x, c->g.labels.x + 4 * s, otop, col, future, "group");
        return;
    }
    if (!chip(c, r, gi, x, from, otop, col, future, ended ? "TaskGroup \xC2\xB7 aborted" : "TaskGroup \xC2\xB7 aborting"))
        chip(c, r, gi, x, c->g.labels.x + 4 * s, otop, col, future, ended ? "aborted" : "aborting");
}

/* The group chosen to label an owner's row. */
typedef struct owner_chip {
    uint32_t owner;   /* task index */
    uint32_t g;       /* group index */
    int score;        /* chip_score */
} owner_chip;

void vz__draw_group_gutter(vz__lctx *c, size_t r, float top)
{
    const vz_run *run = &c->doc->runs[r];
    const vz_ui *ui = c->ui;
    float s = c->s, right = c->g.labels.x + c->g.labels.w, ybot = c->g.lanes.y + c->g.lanes.h;
    double widen = (ui->x1 - ui->x0) * 0.01;
    owner_chip chips[CHIPS_MAX];
    size_t n_chips = 0;
    for (size_t gi = 0; gi < run->n_groups; gi++) {
        const vz_group *g = &run->groups[gi];
        uint32_t lo, hi;
        if (!group_visible(run, g, ui->step_view, ui->x0 - widen, ui->x1 + widen) || !group_rows(run, g, &lo, &hi))
            continue;
        int future = future_at(run->cur, g->ev_new);
        if (future && ui->hide_future)
            continue;
        float ylo = top + vz__row_y(run, lo, s) + VZ_M_LANE_H * s / 2;
        float yhi = top + vz__row_y(run, hi, s) + VZ_M_LANE_H * s / 2;
        if (yhi < c->g.lanes.y - VZ_M_LANE_H * s || ylo > ybot + VZ_M_LANE_H * s)
            continue;
        int aborting = g->ev_abort != TM_NONE && !future_at(run->cur, g->ev_abort);
        vz_color col = aborting ? VZ_C_ABORT : VZ_C_GROUP;
        if (future)
            col = vz_fade(col, FUTURE_FADE);
        float x = right - 4 * s - (float)(run->grp_cols - g->col) * VZ_M_GUTTER_COL * s, e = 1.5f * s;
        vz_dl_tag(c->dl, VZ_TAG_GROUP, VZ_GROUP_BRACKET, (unsigned)r, (uint32_t)gi);
        if (future)
            vz_dl_ghost(c->dl);
        vz_dl_rect(c->dl, x, ylo - 5 * s, e, yhi - ylo + 10 * s, col);
        for (uint32_t k = 0; k <= g->count; k++) {   /* a tick per member; the owner's ends in a square */
            uint32_t t = k < g->count ? run->grp_task[g->first + k] : g->owner;
            if (t == TM_NONE || t >= run->tr->n_tasks || run->row_of[t] == TM_NONE)
                continue;
            float y = top + vz__row_y(run, run->row_of[t], s) + VZ_M_LANE_H * s / 2;
            vz_dl_rect(c->dl, x, y - e / 2, right - x, e, col);
            if (k == g->count)
                vz_dl_rect(c->dl, x - 2 * s, y - 3 * s, 6 * s, 6 * s, col);
        }
        vz_dl_hit(c->dl, x - 3 * s, ylo - 6 * s, right - x + 3 * s, yhi - ylo + 12 * s, VZ_HIT_GROUP, (unsigned)r,
                  (uint32_t)gi, 0);
        /* Which group labels its owner's row. */
        if (g->owner == TM_NONE || run->row_of[g->owner] == TM_NONE)
            continue;
        int score = chip_score(run, g);
        size_t i = 0;
        while (i < n_chips && chips[i].owner != g->owner)
            i++;
        if (i == n_chips && n_chips < CHIPS_MAX)
            chips[n_chips++] = (owner_chip){g->owner, (uint32_t)gi, score};
        else if (i < n_chips && (score > chips[i].score || (score == 2 && chips[i].score == 2)))
            chips[i] = (owner_chip){g->owner, (uint32_t)gi, score};
    }
    float x = right - 4 * s - (float)run->grp_cols * VZ_M_GUTTER_COL * s;   /* left of every bracket */
    for (size_t i = 0; i < n_chips; i++)
        group_chips(c, r, chips[i].g, x, top);
}

/* ---- deadlines ------------------------------------------------------------------------------------ */

/* First deadline of a lane (from lo) set at or after axis position p. */
static uint32_t deadline_from(const vz__lanes *L, uint32_t lo, uint32_t hi, double p)
{
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (ev_pos(L->run, L->step, L->run->deadlines[mid].ev) < p)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void vz__draw_deadlines(vz__lanes *L, uint32_t task, float y)
{
    vz__lctx *c = L->c;
    const vz_run *run = L->run;
    const tm_trace *tr = L->tr;
    float s = c->s, bar_top = y + (VZ_M_LANE_H - VZ_M_BAR_H) * s / 2, foot = bar_top + VZ_M_BAR_H * s + 2 * s;
    float last_col = -1e9f;
    int in_col = 0;
    uint32_t lo = run->dl_first[task], hi = run->dl_first[task + 1];
    uint32_t i = deadline_from(L, lo, hi, L->v0);
    i = i > lo + 8 ? i - 8 : lo;   /* a few set before the view may still be due inside it */
    for (; i < hi; i++) {
        const vz_deadline *d = &run->deadlines[i];
        double p_set = ev_pos(run, L->step, d->ev), p_due = vz_time_pos(run, d->when, L->step);
        if (p_set > L->v1)
            break;
        double p_end = d->ev_end != TM_NONE ? ev_pos(run, L->step, d->ev_end) : p_due;
        if ((p_due > p_end ? p_due : p_end) < L->v0)
            continue;
        int future = future_at(L->cur, d->ev);
        if (future && L->hide)
            break;
        float xa = vz_ui_x(c->ui, &c->g, p_set), xd = vz_ui_x(c->ui, &c->g, p_due);
        if (floorf(xa) == last_col) {
            if (++in_col > 3)
                continue;
        } else {
            last_col = floorf(xa);
            in_col = 0;
        }
        /* Moved by a reschedule, or left by the block, before it came due. */
        int dropped = d->ev_end != TM_NONE && d->end != VZ_DL_FIRED && tr->events[d->ev_end].t < d->when &&
                      !future_at(L->cur, d->ev_end);
        vz_color col = future ? vz_fade(VZ_C_DEADLINE, FUTURE_FADE)
                     : dropped ? vz_fade(VZ_C_DEADLINE, SUPERSEDED_FADE) : VZ_C_DEADLINE;
        vz_dl_tag(c->dl, VZ_TAG_DEADLINE, d->end, (unsigned)L->r, i);
        if (future)
            vz_dl_ghost(c->dl);
        /* The line: solid while it was armed, faint past where it was dropped. */
        float xe = dropped ? vz_ui_x(c->ui, &c->g, p_end) : xd;
        if (xe > xd)
            xe = xd;
        if (xe > xa)
            vz_dl_rect(c->dl, xa, foot - 0.75f * s, xe - xa, 1.5f * s, col);
        if (xd > xe)
            vz_dl_rect(c->dl, xe, foot - 0.5f * s, xd - xe, 1 * s, vz_fade(col, 0.5f));
        /* The tick, with a small flag toward the time before it. */
        vz_dl_rect(c->dl, xd - 1 * s, bar_top - 3 * s, 2 * s, VZ_M_BAR_H * s + 6 * s, col);
        vz_dl_tri(c->dl, xd - 1 * s, bar_top - 3 * s, xd - 1 * s, bar_top + 4 * s, xd - 7 * s, bar_top + 0.5f * s, col);
        vz_dl_hit(c->dl, xd - 5 * s, y, 10 * s, VZ_M_LANE_H * s, VZ_HIT_DEADLINE, (unsigned)L->r, i, 0);
    }
}
