/*
** layout_panels.c -- the panels beside and below the timeline: the loop at
** the playhead, the inspector, the findings, the event list and the printed
** output (see layout.h), with the text helpers every layout file uses.
**
** Panels show the focused trace (ui->focus) at its playhead cursor; the loop
** panel reads the state vz_doc_sync computed, so a frame costs no scan of the
** trace here either.
*/
#include <stdio.h>
#include <string.h>

#include "findings.h"
#include "jobs.h"
#include "layout_internal.h"
#include "words.h"
#include "tm_safe.h"

/* ---- shared helpers --------------------------------------------------------------- */

float vz__text_w(const vz__lctx *c, vz_font font, const char *s)
{
    return c->tm->width(c->tm->ud, font, s);
}

float vz__line_h(const vz__lctx *c, vz_font font)
{
    return c->tm->line_h[font];
}

float vz__wrap(vz__lctx *c, vz_font font, float x, float y, float max_w, float y_max, vz_color col,
               const char *text)
{
    float lh = vz__line_h(c, font), h = 0;
    char line[512];
    size_t len = 0;
    const char *p = text;
    /* Only what can be seen is laid out: the loop stops at y_max, and a word
    ** longer than a line is taken a line's worth at a time, so a 10 MB print
    ** text costs a panel's worth of work. */
    while (*p && y + h + lh <= y_max) {
        const char *w = p;
        while (*w == ' ')
            w++;
        const char *e = w;
        while (*e && *e != ' ' && e - w < (ptrdiff_t)sizeof line - 8)
            e++;
        while (*e && *e != ' ' && e > w + 1 && ((unsigned char)*e & 0xC0) == 0x80)
            e--;   /* a long word is cut between characters */
        size_t wl = (size_t)(e - w);
        char cand[512];
        int n = tm_safe_snprintf(cand, sizeof cand, "%.*s%s%.*s", (int)len, line, len ? " " : "", (int)wl, w);
        if (n < 0)
            break;
        if (len && (vz__text_w(c, font, cand) > max_w || (size_t)n >= sizeof line)) {
            vz_dl_text(c->dl, font, x, y + h, max_w, col, line);
            h += lh;
            len = (size_t)tm_safe_snprintf(line, sizeof line, "%.*s", (int)wl, w);
        } else {
            memcpy(line, cand, (size_t)n + 1);
            len = (size_t)n;
        }
        p = e;
        if (len >= sizeof line - 1)
            len = sizeof line - 1;
    }
    if (len) {
        if (y + h + lh <= y_max)
            vz_dl_text(c->dl, font, x, y + h, max_w, col, line);
        h += lh;
    }
    return h;
}

float vz__panel(vz__lctx *c, vz_rect r, const char *title)
{
    float s = c->s, th = vz__line_h(c, VZ_FONT_BOLD) + 10 * s;
    vz_dl_tag(c->dl, VZ_TAG_PANEL, VZ_PANEL_FRAME, 0, 0);
    vz_dl_rect(c->dl, r.x, r.y, r.w, r.h, VZ_C_PANEL);
    vz_dl_rect(c->dl, r.x, r.y, r.w, th, VZ_C_PANEL_HEAD);
    vz_dl_frame(c->dl, r.x, r.y, r.w, r.h, VZ_C_BORDER);
    vz_dl_text(c->dl, VZ_FONT_BOLD, r.x + VZ_M_PAD * s, r.y + 5 * s, r.w - 2 * VZ_M_PAD * s, VZ_C_TEXT, title);
    vz_dl_hit(c->dl, r.x, r.y, r.w, r.h, VZ_HIT_PANEL, 0, 0, 0);
    return r.y + th + 6 * s;
}

static void shape(vz__lctx *c, vz_marker_kind kind, float x, float y, float z, vz_color col)
{
    float h = z / 2;
    switch (kind) {
    case VZ_MK_CREATED:
        vz_dl_tri(c->dl, x - h * 0.6f, y - h, x - h * 0.6f, y + h, x + h, y, col);
        break;
    case VZ_MK_CANCEL_REQ:
        vz_dl_line(c->dl, x - h, y - h, x + h, y + h, z / 4, col);
        vz_dl_line(c->dl, x - h, y + h, x + h, y - h, z / 4, col);
        break;
    case VZ_MK_THROW:
        vz_dl_tri(c->dl, x - h, y - h, x + h, y - h, x, y + h, col);
        break;
    case VZ_MK_CANCELLED:
    case VZ_MK_FAILED:
        vz_dl_rect(c->dl, x - h * 0.8f, y - h * 0.8f, h * 1.6f, h * 1.6f, col);
        break;
    case VZ_MK_TIMER:
        vz_dl_tri(c->dl, x - h, y, x, y - h, x + h, y, col);
        vz_dl_tri(c->dl, x - h, y, x + h, y, x, y + h, col);
        break;
    case VZ_MK_PRINT:
        vz_dl_rect(c->dl, x - h, y - h, z, z * 0.7f, col);
        vz_dl_tri(c->dl, x - h * 0.6f, y - h + z * 0.7f - 0.5f, x, y - h + z * 0.7f - 0.5f, x - h * 0.7f, y + h, col);
        break;
    case VZ_MK_WARN:
        vz_dl_tri(c->dl, x - h, y + h, x + h, y + h, x, y - h, col);
        break;
    case VZ_MK_OTHER:   /* a small circle-ish octagon */
        vz_dl_rect(c->dl, x - h * 0.7f, y - h, h * 1.4f, 2 * h, col);
        vz_dl_rect(c->dl, x - h, y - h * 0.7f, 2 * h, h * 1.4f, col);
        break;
    case VZ_MK_BLOCK:   /* a stop bar */
        vz_dl_rect(c->dl, x - h, y - h * 0.45f, 2 * h, h * 0.9f, col);
        break;
    case VZ_MK_TIMEOUT:   /* an hourglass: a deadline starts counting */
        vz_dl_tri(c->dl, x - h * 0.8f, y - h, x + h * 0.8f, y - h, x, y, col);
        vz_dl_tri(c->dl, x - h * 0.8f, y + h, x + h * 0.8f, y + h, x, y, col);
        break;
    case VZ_MK_TIMEOUT_FIRE:   /* a six-pointed burst: the deadline passed */
        vz_dl_tri(c->dl, x - h * 1.1f, y - h * 0.55f, x + h * 1.1f, y - h * 0.55f, x, y + h * 1.2f, col);
        vz_dl_tri(c->dl, x - h * 1.1f, y + h * 0.55f, x + h * 1.1f, y + h * 0.55f, x, y - h * 1.2f, col);
        break;
    case VZ_MK_GROUP_ABORT:   /* a stop square crossed out */
        vz_dl_rect(c->dl, x - h, y - h, z, z, col);
        break;
    case VZ_MK_IO_READY:   /* an arrow up: the descriptor is ready */
        vz_dl_tri(c->dl, x - h, y, x + h, y, x, y - h, col);
        vz_dl_rect(c->dl, x - h * 0.35f, y - 0.5f, h * 0.7f, h, col);
        break;
    default:
        break;
    }
}

void vz__marker(vz__lctx *c, vz_marker_kind kind, float x, float y, float size, vz_color col)
{
    if (kind == VZ_MK_CANCEL_REQ)
        shape(c, kind, x, y, size + 2 * c->s, VZ_RGB(0xFF, 0xFF, 0xFF));
    else
        shape(c, kind, x, y, size + 3 * c->s, VZ_RGB(0xFF, 0xFF, 0xFF));
    shape(c, kind, x, y, size, col);
    if (kind == VZ_MK_GROUP_ABORT) {   /* the cross inside the square */
        float h = size * 0.28f;
        vz_dl_line(c->dl, x - h, y - h, x + h, y + h, size / 6, VZ_RGB(0xFF, 0xFF, 0xFF));
        vz_dl_line(c->dl, x - h, y + h, x + h, y - h, size / 6, VZ_RGB(0xFF, 0xFF, 0xFF));
    }
}

const vz_run *vz__focus_run(const vz__lctx *c)
{
    int f = c->ui->focus;
    return &c->doc->runs[f >= 0 && f < (int)c->doc->n_runs ? f : 0];
}

/* ---- the side panels -------------------------------------------------------------------- */

/* One line of a list: a colour chip and text. Returns the next y. */
static float list_row(vz__lctx *c, float x, float y, float w, vz_color chip, vz_color text, const char *s)
{
    float lh = vz__line_h(c, VZ_FONT_BODY), k = c->s;
    if (chip.a)
        vz_dl_rect(c->dl, x, y + lh / 2 - 5 * k, 10 * k, 10 * k, chip);
    vz_dl_text(c->dl, VZ_FONT_BODY, x + (chip.a ? 16 * k : 0), y, w - 16 * k, text, s);
    return y + lh + 1 * k;
}

/*
** Who awaits whom at the playhead, as a small tree (like Python 3.14's
** `python -m asyncio pstree`): a task, what it awaits (gather, wait_for, a
** TaskGroup's end), and under that the tasks those wait for. Shown when some
** task awaits another; rows that do not fit are counted.
*/
static float await_graph(vz__lctx *c, const vz_run *run, float x, float y, float w, float ymax)
{
    const tm_trace *tr = run->tr;
    const vz_loop_state *ls = &run->loop;
    float s = c->s, lh = vz__line_h(c, VZ_FONT_BODY) + 1 * s;
    size_t n = ls->n_graph < VZ_GRAPH_MAX ? ls->n_graph : VZ_GRAPH_MAX;
    int nested = 0;
    for (size_t i = 0; i < n; i++)
        nested |= ls->graph[i].depth > 0;
    if (!nested || y + 2 * lh > ymax)
        return y;
    vz_dl_tag(c->dl, VZ_TAG_PANEL, VZ_PANEL_AWAITS, (unsigned)c->ui->focus, 0);
    y = list_row(c, x, y, w, VZ_RGBA(0, 0, 0, 0), VZ_C_TEXT_DIM, "Who awaits whom:");
    char line[300];
    size_t i = 0;
    for (; i < n && y + lh <= ymax; i++) {
        const tm_await_node *nd = &ls->graph[i];
        float ix = x + 10 * s + (float)(nd->depth > 8 ? 8 : nd->depth) * 14 * s;
        const char *elbow = nd->depth ? "\xE2\x94\x94 " : "";
        vz_color chip = VZ_RGBA(0, 0, 0, 0);
        if (nd->task != TM_NONE && nd->task < tr->n_tasks) {
            const tm_task *tk = &tr->tasks[nd->task];
            tm_safe_snprintf(line, sizeof line, "%s%s  %s()%s", elbow, vz_task_name(run, nd->task), tm_text(tr, tk->coro),
                     tk->ev_done != TM_NONE && run->cur != TM_NONE && tk->ev_done <= run->cur ? "  \xE2\x9C\x93 done"
                                                                                               : "");
            chip = vz_task_color(nd->task);
        } else if (nd->fut != TM_NONE && nd->fut < tr->n_futures) {
            const tm_future *f = &tr->futures[nd->fut];
            const char *label = *tm_text(tr, f->label) ? tm_text(tr, f->label) : tm_text(tr, f->kind);
            tm_safe_snprintf(line, sizeof line, "%s%s", elbow, vz_wait_words(run, label));
        } else {
            continue;
        }
        vz_dl_tag(c->dl, VZ_TAG_PANEL, VZ_PANEL_AWAITS, (unsigned)c->ui->focus, nd->task);
        y = list_row(c, ix, y, x + w - ix, chip, nd->task != TM_NONE ? VZ_C_TEXT : VZ_C_TEXT_DIM, line);
    }
    if (i < ls->n_graph && y + lh <= ymax) {
        tm_safe_snprintf(line, sizeof line, "\xE2\x80\xA6 %zu more", ls->n_graph - i);
        y = list_row(c, x + 10 * s, y, w - 10 * s, VZ_RGBA(0, 0, 0, 0), VZ_C_TEXT_DIM, line);
    }
    return y;
}

static float loop_panel(vz__lctx *c, vz_rect r)
{
    const vz_run *run = vz__focus_run(c);
    const tm_trace *tr = run->tr;
    const vz_loop_state *ls = &run->loop;
    float s = c->s, lh = vz__line_h(c, VZ_FONT_BODY) + 1 * s;
    char title[200], line[300], a[32], b[32];
    if (c->doc->n_runs > 1)
        tm_safe_snprintf(title, sizeof title, "The loop at the playhead \xE2\x80\x94 %s", run->label);
    else
        tm_safe_snprintf(title, sizeof title, "The loop at the playhead");
    float y = vz__panel(c, r, title), x = r.x + VZ_M_PAD * s, w = r.w - 2 * VZ_M_PAD * s, ymax = r.y + r.h - 4 * s;
    vz_dl_clip(c->dl, r.x, r.y, r.w, r.h);
    vz_dl_tag(c->dl, VZ_TAG_PANEL, VZ_PANEL_LOOP, (unsigned)c->ui->focus, 0);
    if (ls->ev == TM_NONE) {
        y = list_row(c, x, y, w, VZ_RGBA(0, 0, 0, 0), VZ_C_TEXT_DIM, "Nothing has happened yet. Press \xE2\x86\x92 to step.");
        vz_dl_unclip(c->dl);
        return y;
    }
    /* What the loop is doing. */
    if (ls->ev + 1 >= tr->n_events && tr->end_reason != TM_END_MISSING) {
        tm_safe_snprintf(line, sizeof line, "Finished: the recording ended (%s)", tm_end_name((tm_end)tr->end_reason));
        y = list_row(c, x, y, w, VZ_RGBA(0, 0, 0, 0), VZ_C_TEXT, line);
    } else if (ls->running != TM_NONE) {
        tm_safe_snprintf(line, sizeof line, "Running: %s  (%s)", vz_task_name(run, ls->running),
                 tm_text(tr, tr->tasks[ls->running].coro));
        y = list_row(c, x, y, w, vz_state_color(TM_STATE_RUNNING), VZ_C_TEXT, line);
    } else if (ls->callback != TM_NONE) {
        const char *fn = tm_text(tr, tr->events[ls->callback].s1);
        if (vz_plain_callback(fn))
            tm_safe_snprintf(line, sizeof line, "Running a callback: %s  (%s)", vz_plain_callback(fn), fn);
        else
            tm_safe_snprintf(line, sizeof line, "Running callback: %s", fn);
        y = list_row(c, x, y, w, VZ_C_CALLBACK, VZ_C_TEXT, line);
    } else if (ls->idle != TM_NONE) {
        vz_format_seconds(tr->idles[ls->idle].from, a, sizeof a);
        vz_format_seconds(tr->idles[ls->idle].until, b, sizeof b);
        tm_safe_snprintf(line, sizeof line, "Idle: nothing ready; waits from %s until the timer at %s", a, b);
        y = list_row(c, x, y, w, VZ_C_IDLE, VZ_C_TEXT, line);
    } else {
        y = list_row(c, x, y, w, VZ_RGBA(0, 0, 0, 0), VZ_C_TEXT_DIM, "Running: nothing (between handles)");
    }
    /* How many rows each list may use. */
    float room = ymax - y - 3 * lh;
    size_t rows = room > 0 ? (size_t)(room / lh) : 0;
    size_t want_r = ls->n_ready < VZ_LOOP_LIST ? ls->n_ready : VZ_LOOP_LIST;
    size_t want_t = ls->n_timers < VZ_LOOP_LIST ? ls->n_timers : VZ_LOOP_LIST;
    size_t want_w = ls->n_waiting < VZ_LOOP_LIST ? ls->n_waiting : VZ_LOOP_LIST;
    size_t cap_r = want_r, cap_t = want_t, cap_w = want_w;
    while (cap_r + cap_t + cap_w > rows && (cap_r + cap_t + cap_w) > 0) {
        if (cap_w >= cap_r && cap_w >= cap_t && cap_w)
            cap_w--;
        else if (cap_r >= cap_t && cap_r)
            cap_r--;
        else if (cap_t)
            cap_t--;
    }
    tm_safe_snprintf(line, sizeof line, "Ready queue: %zu handle%s%s", ls->n_ready, ls->n_ready == 1 ? "" : "s",
             ls->n_ready ? ", head first" : "");
    y = list_row(c, x, y, w, VZ_RGBA(0, 0, 0, 0), VZ_C_TEXT_DIM, line);
    for (size_t i = 0; i < cap_r; i++) {
        const tm_handle *h = &tr->handles[ls->ready[i]];
        if (h->task != TM_NONE)
            tm_safe_snprintf(line, sizeof line, "%zu. step of %s", i + 1, vz_task_name(run, h->task));
        else
            tm_safe_snprintf(line, sizeof line, "%zu. callback: %s", i + 1, vz_callback_words(tm_text(tr, tm_handle_fn(tr, ls->ready[i]))));
        if (i + 1 == cap_r && ls->n_ready > cap_r)
            tm_safe_snprintf(line + strlen(line), sizeof line - strlen(line), "   \xE2\x80\xA6 %zu more", ls->n_ready - cap_r);
        y = list_row(c, x + 10 * s, y, w - 10 * s, h->task != TM_NONE ? vz_state_color(TM_STATE_READY) : VZ_C_CALLBACK,
                     VZ_C_TEXT, line);
    }
    tm_safe_snprintf(line, sizeof line, "Timers: %zu pending%s", ls->n_timers, ls->n_timers ? ", soonest first" : "");
    y = list_row(c, x, y, w, VZ_RGBA(0, 0, 0, 0), VZ_C_TEXT_DIM, line);
    for (size_t i = 0; i < cap_t; i++) {
        const tm_timer *t = &tr->timers[ls->timers[i]];
        vz_format_seconds(t->when, a, sizeof a);
        const char *what = vz_timer_purpose(run, ls->timers[i]);
        if (t->created_by != TM_NONE)
            tm_safe_snprintf(line, sizeof line, "at %s  %s of %s", a, what, vz_task_name(run, t->created_by));
        else
            tm_safe_snprintf(line, sizeof line, "at %s  %s", a, what);
        if (i + 1 == cap_t && ls->n_timers > cap_t)
            tm_safe_snprintf(line + strlen(line), sizeof line - strlen(line), "   \xE2\x80\xA6 %zu more", ls->n_timers - cap_t);
        y = list_row(c, x + 10 * s, y, w - 10 * s, vz_marker_color(VZ_MK_TIMER), VZ_C_TEXT, line);
    }
    tm_safe_snprintf(line, sizeof line, "Waiting: %zu of %zu live task%s", ls->n_waiting, ls->n_alive,
             ls->n_alive == 1 ? "" : "s");
    y = list_row(c, x, y, w, VZ_RGBA(0, 0, 0, 0), VZ_C_TEXT_DIM, line);
    for (size_t i = 0; i < cap_w; i++) {
        const tm_span *sp = &tr->spans[ls->waiting_span[i]];
        tm_safe_snprintf(line, sizeof line, "%s \xE2\x86\x90 %s", vz_task_name(run, ls->waiting[i]),
                 *tm_text(tr, sp->label) ? vz_wait_words(run, tm_text(tr, sp->label)) : vz_future_label(run, sp->fut));
        if (i + 1 == cap_w && ls->n_waiting > cap_w)
            tm_safe_snprintf(line + strlen(line), sizeof line - strlen(line), "   \xE2\x80\xA6 %zu more", ls->n_waiting - cap_w);
        y = list_row(c, x + 10 * s, y, w - 10 * s, vz_state_color(TM_STATE_WAITING), VZ_C_TEXT, line);
    }
    y = await_graph(c, run, x, y, w, ymax);
    vz_dl_unclip(c->dl);
    return y;
}

/* The locals recorded where the selected task is suspended at the playhead, or NULL. */
static const tm_locals *selected_locals(const vz__lctx *c, const tm_srcref **where)
{
    const vz_ui *ui = c->ui;
    *where = NULL;
    if (ui->sel_kind != VZ_SEL_TASK || ui->sel_run >= c->doc->n_runs)
        return NULL;
    const vz_run *run = &c->doc->runs[ui->sel_run];
    if (run->cur == TM_NONE || ui->sel >= run->tr->n_tasks)
        return NULL;
    const tm_locals *lc = NULL;
    *where = tm_task_src_at(run->tr, ui->sel, run->cur, &lc);
    return lc;
}

/* Rows the selected task's locals take in the inspector (for its height). */
static size_t locals_rows(const vz__lctx *c)
{
    const tm_srcref *where;
    const tm_locals *lc = selected_locals(c, &where);
    size_t n = where ? 1 : 0;
    if (!lc)
        return n;
    const tm_trace *tr = c->doc->runs[c->ui->sel_run].tr;
    for (uint32_t f = 0; f < lc->frame_count; f++)
        n += 1 + tr->lframes[lc->frame_first + f].var_count + (tr->lframes[lc->frame_first + f].more ? 1 : 0);
    return n > 14 ? 14 : n;
}

/*
** Where the selected task is in the program at the playhead and, when the
** trace recorded them, its frames' local variables there, outermost first,
** the way Python Tutor draws frames: the function and its line, then one
** row per variable, name and repr.
*/
static float task_locals(vz__lctx *c, const vz_run *run, uint32_t task, float x, float y, float w, float ymax)
{
    const tm_trace *tr = run->tr;
    const tm_srcref *where;
    const tm_locals *lc = selected_locals(c, &where);
    float s = c->s, lh = vz__line_h(c, VZ_FONT_BODY) + 1 * s, mh = vz__line_h(c, VZ_FONT_MONO) + 2 * s;
    char line[400];
    (void)task;
    if (!where || y + lh > ymax)
        return y;
    vz_dl_tag(c->dl, VZ_TAG_PANEL, VZ_PANEL_LOCALS, c->ui->sel_run, c->ui->sel);
    tm_safe_snprintf(line, sizeof line, "at %s:%u%s", tm_text(tr, where->file), where->line,
             tm_span_at(tr, task, run->cur) != TM_NONE &&
                     tr->spans[tm_span_at(tr, task, run->cur)].state == TM_STATE_RUNNING
                 ? "  (running)"
                 : "  (suspended here)");
    vz_dl_text(c->dl, VZ_FONT_BODY, x, y, w, VZ_C_TEXT_DIM, line);
    y += lh;
    if (!lc)
        return y;
    for (uint32_t f = 0; f < lc->frame_count && y + mh <= ymax; f++) {
        const tm_lframe *fr = &tr->lframes[lc->frame_first + f];
        float rows = (float)(fr->var_count + (fr->more ? 1 : 0));
        float fx = x + (float)(f > 4 ? 4 : f) * 8 * s, fw = x + w - fx, top = y;
        float fh = mh * (1 + rows) + 4 * s;
        if (top + fh > ymax)
            fh = ymax - top;
        vz_dl_rect(c->dl, fx, top, fw, fh, VZ_C_STRIPE);
        vz_dl_frame(c->dl, fx, top, fw, fh, VZ_C_BORDER);
        if (fr->line)
            tm_safe_snprintf(line, sizeof line, "%s()  line %u", tm_text(tr, fr->fn), fr->line);
        else
            tm_safe_snprintf(line, sizeof line, "%s()", tm_text(tr, fr->fn));
        vz_dl_text(c->dl, VZ_FONT_BOLD, fx + 6 * s, y + 1 * s, fw - 12 * s, VZ_C_TEXT, line);
        y += mh;
        float name_w = fw * 0.35f;
        for (uint32_t v = 0; v < fr->var_count && y + mh <= ymax; v++) {
            const tm_var *var = &tr->vars[fr->var_first + v];
            vz_dl_text(c->dl, VZ_FONT_MONO, fx + 10 * s, y, name_w - 14 * s, VZ_C_TEXT, tm_text(tr, var->name));
            vz_dl_text(c->dl, VZ_FONT_MONO, fx + name_w, y, fw - name_w - 6 * s, VZ_RGB(0x0B, 0x50, 0x9E),
                       tm_text(tr, var->value));
            y += mh;
        }
        if (fr->more && y + mh <= ymax) {
            tm_safe_snprintf(line, sizeof line, "\xE2\x80\xA6 and %u more", fr->more);
            vz_dl_text(c->dl, VZ_FONT_SMALL, fx + 10 * s, y, fw - 16 * s, VZ_C_TEXT_DIM, line);
            y += mh;
        }
        y += 6 * s;
    }
    return y;
}

static void inspector(vz__lctx *c, vz_rect r)
{
    const vz_ui *ui = c->ui;
    float s = c->s;
    char line[400], a[32], b[32], d[32];
    if (c->doc->n_runs > 1 && ui->sel_kind != VZ_SEL_NONE && ui->sel_run < c->doc->n_runs)
        tm_safe_snprintf(line, sizeof line, "Inspector \xE2\x80\x94 %s", c->doc->runs[ui->sel_run].label);
    else
        tm_safe_snprintf(line, sizeof line, "Inspector");
    float y = vz__panel(c, r, line), x = r.x + VZ_M_PAD * s, w = r.w - 2 * VZ_M_PAD * s, ymax = r.y + r.h;
    vz_dl_clip(c->dl, r.x, r.y, r.w, r.h);
    vz_dl_tag(c->dl, VZ_TAG_PANEL, VZ_PANEL_INSPECTOR, ui->sel_run, ui->sel);
    if (ui->sel_kind == VZ_SEL_NONE || ui->sel_run >= c->doc->n_runs) {
        vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT_DIM,
                 "Click a lane, a span or a marker to inspect it; click an event in the list below to move the "
                 "playhead there.");
        vz_dl_unclip(c->dl);
        return;
    }
    const vz_run *run = &c->doc->runs[ui->sel_run];
    const tm_trace *tr = run->tr;
    float lh = vz__line_h(c, VZ_FONT_BODY) + 1 * s;
    if (ui->sel_kind == VZ_SEL_TASK && ui->sel < tr->n_tasks) {
        const tm_task *tk = &tr->tasks[ui->sel];
        tm_safe_snprintf(line, sizeof line, "%s  \xC2\xB7  %s()", tm_text(tr, tk->name), tm_text(tr, tk->coro));
        vz_dl_text(c->dl, VZ_FONT_BOLD, x, y, w, VZ_C_TEXT, line);
        y += lh + 2 * s;
        vz_format_seconds(tr->events[tk->ev_new].t, a, sizeof a);
        if (tk->parent != TM_NONE)
            tm_safe_snprintf(line, sizeof line, "created by %s at %s (event #%u)", vz_task_name(run, tk->parent), a,
                     tm_event_seq(tr, tk->ev_new));
        else
            tm_safe_snprintf(line, sizeof line, "created by the program at %s (event #%u)", a, tm_event_seq(tr, tk->ev_new));
        y += vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT, line);
        vz_format_seconds(tk->t_running, a, sizeof a);
        vz_format_seconds(tk->t_ready, b, sizeof b);
        vz_format_seconds(tk->t_waiting, d, sizeof d);
        tm_safe_snprintf(line, sizeof line, "running %s in %u step%s  \xC2\xB7  ready %s  \xC2\xB7  waiting %s", a, tk->steps,
                 tk->steps == 1 ? "" : "s", b, d);
        y += vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT, line);
        vz_wait_sum waits[6];
        size_t n = vz_task_waits(run, ui->sel, waits, 6);
        if (n) {
            int len = tm_safe_snprintf(line, sizeof line, "awaited:");
            for (size_t i = 0; i < n && len > 0 && (size_t)len < sizeof line; i++) {
                vz_format_seconds(waits[i].seconds, a, sizeof a);
                len += tm_safe_snprintf(line + len, sizeof line - (size_t)len, "%s %s%s (%s)", i ? "," : "",
                                tm_text(tr, waits[i].label), waits[i].count > 1 ? " \xC3\x97n" : "", a);
            }
            y += vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT, line);
        }
        const char *res = tm_text(tr, tk->result), *msg = tm_text(tr, tk->msg);
        tm_state st = TM_STATE_DONE;
        switch (tk->outcome) {
        case TM_OUTCOME_RESULT:
            tm_safe_snprintf(line, sizeof line, "outcome: returned %s", res);
            break;
        case TM_OUTCOME_EXCEPTION:
            tm_safe_snprintf(line, sizeof line, "outcome: raised %s%s%s", res, *msg ? ": " : "", msg);
            st = TM_STATE_FAILED;
            break;
        case TM_OUTCOME_CANCELLED:
            tm_safe_snprintf(line, sizeof line, "outcome: cancelled%s%s", *msg ? ": " : "", msg);
            st = TM_STATE_CANCELLED;
            break;
        default:
            tm_safe_snprintf(line, sizeof line, "outcome: still pending when the trace ends");
            st = TM_STATE_WAITING;
        }
        if (tk->ev_done != TM_NONE) {
            vz_format_seconds(tr->events[tk->ev_done].t, a, sizeof a);
            int later = run->cur == TM_NONE || tk->ev_done > run->cur;
            tm_safe_snprintf(line + strlen(line), sizeof line - strlen(line), " at %s%s", a,
                     later ? "  (after the playhead)" : "");
        }
        y += 2 * s;
        vz_dl_rect(c->dl, x, y + 4 * s, 4 * s, lh - 8 * s, vz_state_color(st));
        y += vz__wrap(c, VZ_FONT_BODY, x + 10 * s, y, w - 10 * s, ymax, vz_state_text_color(st), line);
        y = task_locals(c, run, ui->sel, x, y + 4 * s, w, ymax);
    } else if (ui->sel_kind == VZ_SEL_EVENT && ui->sel < tr->n_events) {
        const tm_event *e = &tr->events[ui->sel];
        vz_format_seconds(e->t, a, sizeof a);
        tm_safe_snprintf(line, sizeof line, "event #%u  \xC2\xB7  %s  \xC2\xB7  t = %s", tm_event_seq(tr, ui->sel), tm_kind_name((tm_kind)e->kind), a);
        vz_dl_text(c->dl, VZ_FONT_BOLD, x, y, w, VZ_C_TEXT, line);
        y += lh + 2 * s;
        vz_event_text(run, ui->sel, line, sizeof line);
        y += vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT, line);
        if (e->flags & TM_EVF_SET_ORDER)   /* "order":"set" (traces/FORMAT.md) */
            y += vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT_DIM,
                          "Set order: CPython decides this while iterating a set, in an order that follows object "
                          "addresses and can change from run to run; this trace shows one such order.");
        uint32_t by = tm_event_by(tr, ui->sel);
        if (by != TM_NONE || e->kind == TM_EV_CB_RUN) {
            tm_safe_snprintf(line, sizeof line, "while %s was running", by != TM_NONE ? vz_task_name(run, by) : "the loop");
            y += vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT_DIM, line);
        }
        if (e->kind == TM_EV_JOB && e->obj < tr->n_marks) {   /* a job that had to wait: for how long, for whom */
            uint32_t job = tm_find_job(tr, tr->marks[e->obj].obj);
            if (job != TM_NONE && vz_job_wait_text(run, job, line, sizeof line)) {
                vz_dl_rect(c->dl, x, y + 4 * s, 4 * s, lh - 8 * s, VZ_C_JOB);
                y += vz__wrap(c, VZ_FONT_BODY, x + 10 * s, y, w - 10 * s, ymax, VZ_C_ON_QUEUED, line);
            }
        }
        /* Causes and effects from the model's links. */
        for (size_t i = 0; i < tr->n_links && y < ymax; i++) {
            const tm_link *lk = &tr->links[i];
            if (lk->from != ui->sel && lk->to != ui->sel)
                continue;
            char other[300];
            vz_event_text(run, lk->from == ui->sel ? lk->to : lk->from, other, sizeof other);
            tm_safe_snprintf(line, sizeof line, "%s %s: %s", lk->from == ui->sel ? "\xE2\x86\x92 causes" : "\xE2\x86\x90 caused by",
                     tm_link_name((tm_link_kind)lk->kind), other);
            y += vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, vz_link_color((tm_link_kind)lk->kind), line);
            if (tr->n_links > 100000)
                break;   /* a big trace: do not scan every link each frame */
        }
    }
    vz_dl_unclip(c->dl);
}

static void findings_panel(vz__lctx *c, vz_rect r)
{
    const vz_doc *doc = c->doc;
    const vz_ui *ui = c->ui;
    float s = c->s;
    size_t total = 0;
    int hidden = 0;   /* findings tell the outcome: not while the future is hidden */
    for (size_t i = 0; i < doc->n_runs; i++) {
        total += doc->runs[i].n_findings;
        hidden |= ui->hide_future && doc->runs[i].cur + 1 < doc->runs[i].tr->n_events;
    }
    char title[64];
    tm_safe_snprintf(title, sizeof title, hidden ? "Findings" : "Findings (%zu)", total);
    float y = vz__panel(c, r, title), x = r.x + VZ_M_PAD * s, w = r.w - 2 * VZ_M_PAD * s, ymax = r.y + r.h - 4 * s;
    vz_dl_clip(c->dl, r.x, r.y, r.w, r.h);
    if (hidden) {
        vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT_DIM,
                 "The findings speak of the whole run, so they wait until the playhead reaches the end "
                 "(the future is hidden: G shows it).");
        vz_dl_unclip(c->dl);
        return;
    }
    if (!total) {
        vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT_DIM,
                 "Nothing to point out: no sequential awaits that could overlap, no loop stalls, no lost "
                 "exceptions, no swallowed cancellations, no tasks left pending.");
        vz_dl_unclip(c->dl);
        return;
    }
    for (size_t ri = 0; ri < doc->n_runs && y < ymax; ri++) {
        const vz_run *run = &doc->runs[ri];
        for (size_t i = 0; i < run->n_findings && y < ymax; i++) {
            const vz_finding *f = &run->findings[i];
            int open = ui->open_run == (int)ri && ui->open_finding == (int)i;
            float y0 = y;
            char head[240];
            if (doc->n_runs > 1)
                tm_safe_snprintf(head, sizeof head, "%s \xE2\x80\x94 %s", run->label, vz_finding_heading((vz_finding_kind)f->kind));
            else
                tm_safe_snprintf(head, sizeof head, "%s", vz_finding_heading((vz_finding_kind)f->kind));
            vz_dl_tag(c->dl, VZ_TAG_PANEL, VZ_PANEL_FINDINGS, (unsigned)ri, (uint32_t)i);
            vz_dl_rect(c->dl, x, y + 3 * s, 4 * s, vz__line_h(c, VZ_FONT_BOLD) - 6 * s, VZ_C_PLAYHEAD);
            y += vz__wrap(c, VZ_FONT_BOLD, x + 10 * s, y, w - 10 * s, ymax, VZ_C_TEXT, head);
            y += vz__wrap(c, VZ_FONT_BODY, x + 10 * s, y, w - 10 * s, ymax, VZ_C_TEXT, f->title);
            if (open) {
                y += vz__wrap(c, VZ_FONT_SMALL, x + 10 * s, y, w - 10 * s, ymax, VZ_C_TEXT_DIM, f->facts);
                y += 3 * s;
                y += vz__wrap(c, VZ_FONT_BODY, x + 10 * s, y, w - 10 * s, ymax, VZ_C_TEXT,
                              vz_finding_explain((vz_finding_kind)f->kind));
            } else {
                y += vz__wrap(c, VZ_FONT_SMALL, x + 10 * s, y, w - 10 * s, ymax, VZ_C_TEXT_DIM, "click to explain");
            }
            vz_dl_hit(c->dl, r.x, y0, r.w, y - y0, VZ_HIT_FINDING, (unsigned)ri, (uint32_t)i, 0);
            y += 8 * s;
        }
    }
    vz_dl_unclip(c->dl);
}

void vz__layout_side(vz__lctx *c)
{
    vz_rect side = c->g.side;
    if (side.w < 40 || !c->doc->n_runs)
        return;
    float s = c->s, gap = 4 * c->s;
    const vz_loop_state *ls = &vz__focus_run(c)->loop;
    float lh = vz__line_h(c, VZ_FONT_BODY) + 1 * s;
    size_t lines = 5 + (ls->n_ready < 6 ? ls->n_ready : 6) + (ls->n_timers < 4 ? ls->n_timers : 4) +
                   (ls->n_waiting < 6 ? ls->n_waiting : 6);
    if (ls->n_graph > 1)
        lines += 1 + (ls->n_graph < 8 ? ls->n_graph : 8);
    float loop_h = lines * lh + vz__line_h(c, VZ_FONT_BOLD) + 20 * s;
    if (loop_h > side.h * 0.45f)
        loop_h = side.h * 0.45f;
    /* The inspector takes what its selection needs, the findings the rest. */
    float insp_lines = c->ui->sel_kind == VZ_SEL_NONE ? 3 : c->ui->sel_kind == VZ_SEL_TASK ? 7 : 8;
    insp_lines += (float)locals_rows(c);
    float insp_h = insp_lines * lh + vz__line_h(c, VZ_FONT_BOLD) + 24 * s;
    if (insp_h > side.h * 0.3f)
        insp_h = side.h * 0.3f;
    vz_dl_tag(c->dl, VZ_TAG_PANEL, VZ_PANEL_FRAME, 0, 0);
    vz_dl_rect(c->dl, side.x, side.y, side.w, side.h, VZ_C_BG);
    if (vz__code_shown(c)) {
        /* A trace with its program: loop, code, inspector, findings, the code taking what is left. */
        float total = 0;
        for (size_t i = 0; i < c->doc->n_runs; i++)
            total += (float)c->doc->runs[i].n_findings;
        float loop_max = ls->n_graph > 1 ? 0.4f : 0.3f;   /* room for who awaits whom */
        if (loop_h > side.h * loop_max)
            loop_h = side.h * loop_max;
        if (insp_h > side.h * (locals_rows(c) ? 0.32f : 0.22f))
            insp_h = side.h * (locals_rows(c) ? 0.32f : 0.22f);
        float find_h = total ? side.h * (c->ui->open_finding >= 0 ? 0.3f : 0.2f) : vz__line_h(c, VZ_FONT_BOLD) + 40 * s;
        vz_rect a = {side.x + gap, side.y + gap, side.w - 2 * gap, loop_h};
        vz_rect k = {a.x, a.y + a.h + gap, a.w, side.h - loop_h - insp_h - find_h - 5 * gap};
        vz_rect b = {a.x, k.y + k.h + gap, a.w, insp_h};
        vz_rect f = {a.x, b.y + b.h + gap, a.w, side.y + side.h - (b.y + b.h + gap) - gap};
        loop_panel(c, a);
        if (k.h > 40 * s)
            vz__layout_code(c, k);
        inspector(c, b);
        if (f.h > 30 * s)
            findings_panel(c, f);
        return;
    }
    vz_rect a = {side.x + gap, side.y + gap, side.w - 2 * gap, loop_h};
    vz_rect b = {a.x, a.y + a.h + gap, a.w, insp_h};
    vz_rect f = {a.x, b.y + b.h + gap, a.w, side.y + side.h - (b.y + b.h + gap) - gap};
    loop_panel(c, a);
    inspector(c, b);
    if (f.h > 30 * s)
        findings_panel(c, f);
}

/* ---- the bottom panels --------------------------------------------------------------------- */

static void event_list(vz__lctx *c, vz_rect r)
{
    const vz_ui *ui = c->ui;
    const vz_run *run = vz__focus_run(c);
    const tm_trace *tr = run->tr;
    float s = c->s;
    char title[200];
    if (c->doc->n_runs > 1)
        tm_safe_snprintf(title, sizeof title, "Events \xE2\x80\x94 %s  (\xE2\x86\x90 \xE2\x86\x92 step, click to jump)", run->label);
    else
        tm_safe_snprintf(title, sizeof title, "Events  (\xE2\x86\x90 \xE2\x86\x92 step, click to jump)");
    float y = vz__panel(c, r, title) - 3 * s, lh = vz__line_h(c, VZ_FONT_MONO) + 2 * s;
    size_t rows = (size_t)((r.y + r.h - y - 4 * s) / lh);
    if (!rows || !tr->n_events)
        return;
    size_t cur = run->cur == TM_NONE ? 0 : run->cur;
    size_t start = cur > rows / 3 ? cur - rows / 3 : 0;
    if (start + rows > tr->n_events)
        start = tr->n_events > rows ? tr->n_events - rows : 0;
    char widest[32];
    tm_safe_snprintf(widest, sizeof widest, "#%u", tm_event_seq(tr, tr->n_events - 1) > 999 ? tm_event_seq(tr, tr->n_events - 1) : 999);
    float x = r.x + VZ_M_PAD * s, seq_w = vz__text_w(c, VZ_FONT_MONO, widest),
          t_w = vz__text_w(c, VZ_FONT_MONO, "000.000 ms"), k_w = vz__text_w(c, VZ_FONT_MONO, "timer_cancel ");
    /* A narrow list (a projector's scale) drops the event kind: the sentence says it. */
    int kinds = r.w - seq_w - t_w - 40 * s > k_w + 260 * s;
    if (!kinds)
        k_w = -6 * s;
    vz_dl_clip(c->dl, r.x, r.y, r.w, r.h);
    for (size_t i = start; i < start + rows && i < tr->n_events; i++) {
        const tm_event *e = &tr->events[i];
        int future = run->cur == TM_NONE || i > run->cur, here = run->cur != TM_NONE && i == run->cur;
        if (future && ui->hide_future)
            break;   /* what comes next is the student's to predict */
        int selected = ui->sel_kind == VZ_SEL_EVENT && ui->sel_run == ui->focus && ui->sel == i;
        vz_dl_tag(c->dl, VZ_TAG_PANEL, VZ_PANEL_EVENTS, (unsigned)ui->focus, (uint32_t)i);
        if (here) {
            vz_dl_rect(c->dl, r.x + 1, y, r.w - 2, lh, VZ_C_SELECT);
            vz_dl_rect(c->dl, r.x + 1, y, 4 * s, lh, VZ_C_PLAYHEAD);
        } else if (selected) {
            vz_dl_frame(c->dl, r.x + 1, y, r.w - 2, lh, VZ_C_SELECT_LINE);
        }
        vz_color tc = future ? VZ_C_TEXT_FAINT : vz_is_decision(e) ? VZ_C_TEXT : VZ_C_TEXT_DIM;
        char buf[300], t[32];
        tm_safe_snprintf(buf, sizeof buf, "#%u", tm_event_seq(tr, (uint32_t)i));
        float ty = y + 1 * s;
        vz_dl_text(c->dl, VZ_FONT_MONO, x + seq_w - vz__text_w(c, VZ_FONT_MONO, buf), ty, 0, tc, buf);
        vz_format_seconds(e->t, t, sizeof t);
        vz_dl_text(c->dl, VZ_FONT_MONO, x + seq_w + 10 * s + t_w - vz__text_w(c, VZ_FONT_MONO, t), ty, 0, tc, t);
        float kx = x + seq_w + t_w + 22 * s;
        if (kinds)
            vz_dl_text(c->dl, VZ_FONT_MONO, kx, ty, k_w, tc, tm_kind_name((tm_kind)e->kind));
        vz_event_text(run, (uint32_t)i, buf, sizeof buf);
        if (e->flags & TM_EVF_SET_ORDER && strlen(buf) + 13 < sizeof buf)
            strcat(buf, "  [set order]");
        float dx = kx + k_w + 6 * s;
        vz_dl_text(c->dl, VZ_FONT_BODY, dx, ty + (lh - vz__line_h(c, VZ_FONT_BODY)) / 2 - 1 * s, r.x + r.w - dx - 6 * s,
                   tc, buf);
        vz_dl_hit(c->dl, r.x, y, r.w, lh, VZ_HIT_EVENT_ROW, (unsigned)ui->focus, (uint32_t)i, 0);
        y += lh;
    }
    vz_dl_unclip(c->dl);
}

/* How many of a run's print events happened at or before its cursor. */
static size_t prints_done(const vz_run *run)
{
    const tm_trace *tr = run->tr;
    if (run->cur == TM_NONE)
        return 0;
    size_t lo = 0, hi = tr->n_prints;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tr->prints[mid] <= run->cur)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void output_panel(vz__lctx *c, vz_rect r)
{
    const vz_run *run = vz__focus_run(c);
    const tm_trace *tr = run->tr;
    float s = c->s;
    char title[200];
    if (c->doc->n_runs > 1)
        tm_safe_snprintf(title, sizeof title, "Output \xE2\x80\x94 %s", run->label);
    else
        tm_safe_snprintf(title, sizeof title, "Output");
    float y = vz__panel(c, r, title), lh = vz__line_h(c, VZ_FONT_MONO) + 2 * s, x = r.x + VZ_M_PAD * s;
    size_t rows = (size_t)((r.y + r.h - y - 4 * s) / lh), done = prints_done(run);
    vz_dl_clip(c->dl, r.x, r.y, r.w, r.h);
    vz_dl_tag(c->dl, VZ_TAG_PANEL, VZ_PANEL_OUTPUT, (unsigned)c->ui->focus, 0);
    if (!done) {
        vz_dl_text(c->dl, VZ_FONT_BODY, x, y, r.w - 2 * VZ_M_PAD * s, VZ_C_TEXT_DIM,
                   tr->n_prints ? "(nothing printed yet)" : "(this program prints nothing)");
    }
    size_t first = done > rows ? done - rows : 0;
    float tw = vz__text_w(c, VZ_FONT_MONO, "00.00 s ");
    for (size_t i = first; i < done; i++) {
        const tm_event *e = &tr->events[tr->prints[i]];
        char t[32], who[160];
        vz_format_seconds(e->t, t, sizeof t);
        vz_dl_text(c->dl, VZ_FONT_MONO, x, y, 0, VZ_C_TEXT_DIM, t);
        tm_safe_snprintf(who, sizeof who, "%s", e->task != TM_NONE ? vz_task_name(run, e->task) : "-");
        float wx = x + tw + 4 * s;
        vz_dl_text(c->dl, VZ_FONT_MONO, wx, y, 90 * s, VZ_C_TEXT_DIM, who);
        float px = wx + 96 * s;
        vz_dl_text(c->dl, VZ_FONT_MONO, px, y, r.x + r.w - px - 6 * s, VZ_C_TEXT, tm_text(tr, e->s1));
        y += lh;
    }
    vz_dl_unclip(c->dl);
}

void vz__layout_bottom(vz__lctx *c)
{
    if (c->g.bottom.h < 40 || !c->doc->n_runs)
        return;
    float gap = 4 * c->s;
    vz_rect e = c->g.events, o = c->g.output;
    e = (vz_rect){e.x + gap, e.y + gap, e.w - 1.5f * gap, e.h - 2 * gap};
    o = (vz_rect){o.x + gap / 2, o.y + gap, o.w - 1.5f * gap, o.h - 2 * gap};
    vz_dl_tag(c->dl, VZ_TAG_PANEL, VZ_PANEL_FRAME, 0, 0);
    vz_dl_rect(c->dl, c->g.bottom.x, c->g.bottom.y, c->g.bottom.w, c->g.bottom.h, VZ_C_BG);
    event_list(c, e);
    output_panel(c, o);
}

