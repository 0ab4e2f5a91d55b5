/*
** layout_code.c -- the source panel: the program's code beside the timeline,
** with where every task stands at the playhead (see layout.h).
**
** A version-3 trace carries the text of the files its `src` fields name. The
** panel shows one of them -- the file of the line it is asked to show, else
** of the line the running task is on, else the program's main file -- with
** line numbers and Python's colours. At the playhead the running task's line
** is lit in the running colour, and each suspended task gets a dot in its own
** colour on the line where it awaits, with its name at the line's end.
** Clicking a line selects it: the timeline rings the steps that suspended
** there, and the playhead goes to the next one (input_apply.c). A trace
** without source gets no panel at all (layout_panels.c leaves the room to the
** others).
*/
#include <stdio.h>
#include <string.h>

#include "layout_internal.h"
#include "pysyntax.h"
#include "tm_safe.h"

#define CODE_TASKS 256   /* tasks whose lines are marked per frame (the first alive, in tree order) */
#define LINE_MAX_SPANS 48

/*
** Where a task stands at the cursor: the model's answer (its suspension, or
** the last line its running step reported); for a running step that has
** reported none yet, the await it resumed from, or (its first step) the
** await it is running to.
*/
static const tm_srcref *task_src(const tm_trace *tr, uint32_t task, uint32_t cur)
{
    const tm_srcref *r = tm_task_src_at(tr, task, cur, NULL);
    if (r && r->source != TM_NONE)
        return r;
    uint32_t sp = tm_span_at(tr, task, cur);
    if (sp == TM_NONE || tr->spans[sp].state != TM_STATE_RUNNING)
        return r;
    const tm_task *tk = &tr->tasks[task];
    for (uint32_t p = sp; p > tk->span_first;) {   /* the step_end that suspended it last */
        p--;
        if (tr->events[tr->spans[p].ev_begin].kind == TM_EV_STEP_END) {
            const tm_srcref *q = tm_event_src(tr, tr->spans[p].ev_begin);
            if (q && q->source != TM_NONE)
                return q;
            break;
        }
    }
    const tm_srcref *q = tm_event_src(tr, tr->spans[sp].ev_end);
    return q && q->source != TM_NONE ? q : r;
}

/* A task's line in source `src` at the cursor, or 0. */
static uint32_t task_line(const tm_trace *tr, uint32_t task, uint32_t cur, uint32_t src)
{
    const tm_srcref *r = task_src(tr, task, cur);
    return r && r->source == src ? r->line : 0;
}

/* The first of the trace's srcrefs whose event is at or after `ev` (n_srcrefs if none). */
static size_t first_srcref(const tm_trace *tr, uint32_t ev)
{
    size_t lo = 0, hi = tr->n_srcrefs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (tr->srcrefs[mid].ev < ev)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* The source and line the panel centres on (see the file comment). */
static uint32_t focus_line(const vz__lctx *c, const vz_run *run, uint32_t *src)
{
    const tm_trace *tr = run->tr;
    const vz_ui *ui = c->ui;
    if (ui->code_run == (int)(run - c->doc->runs) && ui->code_line && ui->code_source < tr->n_sources) {
        *src = ui->code_source;
        return ui->code_line;
    }
    if (run->cur != TM_NONE) {
        const tm_srcref *r = NULL;
        if (run->loop.running != TM_NONE)
            r = task_src(tr, run->loop.running, run->cur);
        if (!r || r->source == TM_NONE) {   /* the last event with a line, at or before the cursor */
            size_t lo = first_srcref(tr, run->cur + 1);
            while (lo > 0 && tr->srcrefs[lo - 1].source == TM_NONE)
                lo--;
            r = lo ? &tr->srcrefs[lo - 1] : NULL;
        }
        if (r && r->source != TM_NONE) {
            *src = r->source;
            return r->line;
        }
    }
    *src = 0;
    return 1;
}

static vz_color token_color(vz_py_kind k)
{
    switch (k) {
    case VZ_PY_KEYWORD: return VZ_RGB(0x8B, 0x1E, 0x9C);
    case VZ_PY_STRING: return VZ_RGB(0x0B, 0x6E, 0x2E);
    case VZ_PY_COMMENT: return VZ_RGB(0x6A, 0x73, 0x7D);
    case VZ_PY_NUMBER: return VZ_RGB(0x0B, 0x50, 0x9E);
    case VZ_PY_DEFNAME: return VZ_RGB(0x8A, 0x4B, 0x00);
    case VZ_PY_BUILTIN: return VZ_RGB(0x00, 0x5C, 0xC5);
    default: return VZ_C_TEXT;
    }
}

int vz__code_shown(const vz__lctx *c)
{
    return c->doc->n_runs && vz__focus_run(c)->tr->n_sources > 0;
}

void vz__layout_code(vz__lctx *c, vz_rect r)
{
    const vz_run *run = vz__focus_run(c);
    const tm_trace *tr = run->tr;
    const vz_ui *ui = c->ui;
    size_t ri = (size_t)(run - c->doc->runs);
    float s = c->s;
    uint32_t src;
    uint32_t focus = focus_line(c, run, &src);
    const tm_source *so = &tr->sources[src];
    char title[300];
    if (c->doc->n_runs > 1)
        tm_safe_snprintf(title, sizeof title, "Code \xE2\x80\x94 %s \xE2\x80\x94 %s", tm_text(tr, so->file), run->label);
    else
        tm_safe_snprintf(title, sizeof title, "Code \xE2\x80\x94 %s", tm_text(tr, so->file));
    float y = vz__panel(c, r, title), lh = vz__line_h(c, VZ_FONT_MONO) + 1 * s;
    vz_dl_clip(c->dl, r.x, r.y, r.w, r.h);
    vz_dl_tag(c->dl, VZ_TAG_CODE, VZ_CODE_TEXT, (unsigned)ri, 0);
    size_t rows = (size_t)((r.y + r.h - y - 2 * s) / lh);
    if (!rows || !so->n_lines) {
        vz_dl_unclip(c->dl);
        return;
    }
    /* Where each live task is, on this file's lines (the running one first). */
    uint32_t mark_task[CODE_TASKS], mark_line[CODE_TASKS];
    size_t n_marks = 0;
    uint32_t run_line = 0;
    if (run->cur != TM_NONE) {
        if (run->loop.running != TM_NONE)
            run_line = task_line(tr, run->loop.running, run->cur, src);
        for (size_t i = 0; i < tr->n_tasks && n_marks < CODE_TASKS; i++) {
            uint32_t t = tr->lanes[i];
            const tm_task *tk = &tr->tasks[t];
            if (tk->ev_new > run->cur || (tk->ev_done != TM_NONE && tk->ev_done <= run->cur) || t == run->loop.running)
                continue;
            uint32_t line = task_line(tr, t, run->cur, src);
            if (line) {
                mark_task[n_marks] = t;
                mark_line[n_marks++] = line;
            }
        }
    }
    size_t first = focus > rows / 3 ? focus - rows / 3 : 1;
    if (first + rows > so->n_lines + 1)
        first = so->n_lines + 1 > rows ? so->n_lines + 1 - rows : 1;
    char num[16];
    tm_safe_snprintf(num, sizeof num, "%u", so->n_lines);
    float x = r.x + VZ_M_PAD * s, num_w = vz__text_w(c, VZ_FONT_MONO, num), gx = x + num_w + 6 * s;
    float tx = gx + 14 * s, right = r.x + r.w - 4 * s;
    /* Triple-quoted strings open above the window: follow them from the top (a bounded scan). */
    int state = 0;
    for (size_t l = first > 400 ? first - 400 : 1; l < first; l++) {
        size_t len;
        const char *text = tm_source_line(tr, src, (uint32_t)l, &len);
        vz_py_span sp[LINE_MAX_SPANS];
        if (text)
            vz_py_spans(text, len, &state, sp, LINE_MAX_SPANS);
    }
    int sel = ui->code_sel_run == (int)ri && ui->code_sel_source == src;
    for (size_t l = first; l < first + rows && l <= so->n_lines; l++, y += lh) {
        size_t len;
        const char *text = tm_source_line(tr, src, (uint32_t)l, &len);
        if (!text)
            break;
        vz_dl_tag(c->dl, VZ_TAG_CODE, VZ_CODE_TEXT, (unsigned)ri, (uint32_t)l);
        if (l == run_line) {   /* the running task is here */
            vz_dl_tag(c->dl, VZ_TAG_CODE, VZ_CODE_RUNNING, (unsigned)ri, (uint32_t)l);
            vz_dl_rect(c->dl, r.x + 1, y, r.w - 2, lh, vz_state_ghost(TM_STATE_RUNNING));
            vz_dl_rect(c->dl, r.x + 1, y, 4 * s, lh, vz_state_color(TM_STATE_RUNNING));
        } else if (l == focus && ui->code_run == (int)ri && ui->code_line) {
            vz_dl_rect(c->dl, r.x + 1, y, r.w - 2, lh, VZ_C_SELECT);
        }
        if (sel && l == ui->code_sel_line) {
            vz_dl_tag(c->dl, VZ_TAG_CODE, VZ_CODE_SELECTED, (unsigned)ri, (uint32_t)l);
            vz_dl_frame(c->dl, r.x + 1, y, r.w - 2, lh, VZ_C_SELECT_LINE);
        }
        vz_dl_tag(c->dl, VZ_TAG_CODE, VZ_CODE_TEXT, (unsigned)ri, (uint32_t)l);
        tm_safe_snprintf(num, sizeof num, "%zu", l);
        vz_dl_text(c->dl, VZ_FONT_MONO, x + num_w - vz__text_w(c, VZ_FONT_MONO, num), y, 0, VZ_C_TEXT_FAINT, num);
        /* The code, span by span in its colours, cut at the panel's edge. */
        vz_py_span sp[LINE_MAX_SPANS];
        size_t n = vz_py_spans(text, len, &state, sp, LINE_MAX_SPANS);
        float cx = tx;
        char piece[256];
        for (size_t k = 0; k < n && cx < right; k++) {
            size_t plen = sp[k].len < sizeof piece - 1 ? sp[k].len : sizeof piece - 1;
            memcpy(piece, text + sp[k].start, plen);
            piece[plen] = 0;
            for (size_t b = 0; b < plen; b++)   /* tabs as spaces; the renderer keeps other bytes harmless */
                if (piece[b] == '\t')
                    piece[b] = ' ';
            float w = vz__text_w(c, VZ_FONT_MONO, piece);
            vz_dl_text(c->dl, VZ_FONT_MONO, cx, y, right - cx, token_color((vz_py_kind)sp[k].kind), piece);
            cx += w;
        }
        /* Who is suspended on this line: a dot each in the gutter, their names at the end. */
        char who[160];
        int wn = 0, dots = 0;
        who[0] = 0;
        for (size_t m = 0; m < n_marks; m++) {
            if (mark_line[m] != l)
                continue;
            if (dots < 3) {
                vz_dl_tag(c->dl, VZ_TAG_CODE, VZ_CODE_TASK, (unsigned)ri, mark_task[m]);
                vz_dl_rect(c->dl, gx + (float)dots * 5 * s, y + lh / 2 - 2 * s, 4 * s, 4 * s, vz_task_color(mark_task[m]));
            }
            dots++;
            if (wn >= 0 && (size_t)wn < sizeof who)
                wn += tm_safe_snprintf(who + wn, sizeof who - (size_t)wn, "%s%s", dots > 1 ? ", " : "\xE2\x86\x90 ",
                               vz_task_name(run, mark_task[m]));
        }
        if (l == run_line) {
            vz_dl_tag(c->dl, VZ_TAG_CODE, VZ_CODE_RUNNING, (unsigned)ri, (uint32_t)l);
            tm_safe_snprintf(who, sizeof who, "\xE2\x97\x80 %s runs", vz_task_name(run, run->loop.running));
        }
        if (*who) {
            float ww = vz__text_w(c, VZ_FONT_SMALL, who), wx = right - ww - 2 * s;
            if (wx < cx + 8 * s)
                wx = cx + 8 * s;
            if (wx < right - 30 * s) {
                vz_dl_rect(c->dl, wx - 3 * s, y, right - wx + 3 * s, lh, l == run_line ? vz_state_ghost(TM_STATE_RUNNING) : VZ_C_PANEL);
                vz_dl_text(c->dl, VZ_FONT_SMALL, wx, y + (lh - vz__line_h(c, VZ_FONT_SMALL)) / 2, right - wx,
                           l == run_line ? VZ_C_TEXT : VZ_C_TEXT_DIM, who);
            }
        }
        vz_dl_hit(c->dl, r.x, y, r.w, lh, VZ_HIT_CODE_LINE, (unsigned)ri, (uint32_t)l, src);
    }
    vz_dl_unclip(c->dl);
}

void vz__draw_code_steps(vz__lanes *L)
{
    vz__lctx *c = L->c;
    const vz_ui *ui = c->ui;
    const tm_trace *tr = L->tr;
    if (ui->code_sel_run != (int)L->r || !ui->code_sel_line || !tr->n_events || !tr->n_srcrefs)
        return;
    /* The events in view, then their srcrefs by binary search. */
    uint32_t e0 = 0, e1 = (uint32_t)tr->n_events - 1;
    if (L->step) {
        e0 = L->v0 < 0 ? 0 : L->v0 >= (double)tr->n_events ? e1 : (uint32_t)L->v0;
        e1 = L->v1 < 0 ? 0 : L->v1 >= (double)tr->n_events ? e1 : (uint32_t)L->v1;
    } else {
        uint32_t a = tm_event_at_time(tr, L->v0), b = tm_event_at_time(tr, L->v1);
        e0 = a == TM_NONE ? 0 : a;
        e1 = b == TM_NONE ? 0 : b;
    }
    size_t lo = first_srcref(tr, e0);
    float s = c->s, last_x = -1e9f;
    for (size_t i = lo, n = 0; i < tr->n_srcrefs && tr->srcrefs[i].ev <= e1 && n < 4096; i++, n++) {
        const tm_srcref *rf = &tr->srcrefs[i];
        const tm_event *e = &tr->events[rf->ev];
        if (rf->line != ui->code_sel_line || rf->source != ui->code_sel_source || e->kind != TM_EV_STEP_END ||
            e->task >= tr->n_tasks || L->run->row_of[e->task] == TM_NONE)
            continue;
        float x = vz_ui_x(ui, &c->g, L->step ? (double)rf->ev : e->t);
        if (x - last_x < 2 * s)
            continue;
        last_x = x;
        float y = L->top + vz__row_y(L->run, L->run->row_of[e->task], s), h = VZ_M_LANE_H * s;
        vz_dl_tag(c->dl, VZ_TAG_CODE, VZ_CODE_STEP, (unsigned)L->r, rf->ev);
        vz_dl_frame(c->dl, x - 6 * s, y + 1 * s, 12 * s, h - 2 * s, VZ_C_SELECT_LINE);
        vz_dl_frame(c->dl, x - 5 * s, y + 2 * s, 10 * s, h - 4 * s, VZ_C_SELECT_LINE);
    }
}
