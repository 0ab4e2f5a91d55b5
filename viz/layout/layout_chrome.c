/*
** layout_chrome.c -- what frames the timeline: the toolbar (playback buttons,
** speed, axis mode, arrow toggles, the filter box, the playhead's time), the
** legend row, the tooltip for what the pointer is over, and the keyboard help
** (see layout.h).
**
** Toolbar buttons carry the action they trigger in their hit region, so input
** handles a click on a button exactly like the key that does the same.
*/
#include <stdio.h>
#include <string.h>

#include "constructs.h"
#include "jobs.h"
#include "layout_internal.h"
#include "overview.h"
#include "words.h"
#include "tm_safe.h"

/* ---- toolbar ------------------------------------------------------------------------ */

typedef enum icon { IC_NONE, IC_START, IC_PREV, IC_PLAY, IC_PAUSE, IC_NEXT, IC_END } icon;

static void draw_icon(vz__lctx *c, icon ic, float cx, float cy, vz_color col)
{
    float s = c->s, h = 6 * s;
    switch (ic) {
    case IC_PLAY:
        vz_dl_tri(c->dl, cx - h * 0.7f, cy - h, cx - h * 0.7f, cy + h, cx + h, cy, col);
        break;
    case IC_PAUSE:
        vz_dl_rect(c->dl, cx - h * 0.8f, cy - h, h * 0.55f, 2 * h, col);
        vz_dl_rect(c->dl, cx + h * 0.25f, cy - h, h * 0.55f, 2 * h, col);
        break;
    case IC_NEXT:
        vz_dl_tri(c->dl, cx - h * 0.8f, cy - h * 0.8f, cx - h * 0.8f, cy + h * 0.8f, cx + h * 0.4f, cy, col);
        vz_dl_rect(c->dl, cx + h * 0.45f, cy - h * 0.8f, 2.5f * s, h * 1.6f, col);
        break;
    case IC_PREV:
        vz_dl_tri(c->dl, cx + h * 0.8f, cy - h * 0.8f, cx + h * 0.8f, cy + h * 0.8f, cx - h * 0.4f, cy, col);
        vz_dl_rect(c->dl, cx - h * 0.45f - 2.5f * s, cy - h * 0.8f, 2.5f * s, h * 1.6f, col);
        break;
    case IC_START:
        vz_dl_rect(c->dl, cx - h, cy - h * 0.8f, 2.5f * s, h * 1.6f, col);
        vz_dl_tri(c->dl, cx + h * 0.1f, cy - h * 0.8f, cx + h * 0.1f, cy + h * 0.8f, cx - h * 0.7f, cy, col);
        vz_dl_tri(c->dl, cx + h, cy - h * 0.8f, cx + h, cy + h * 0.8f, cx + h * 0.2f, cy, col);
        break;
    case IC_END:
        vz_dl_tri(c->dl, cx - h, cy - h * 0.8f, cx - h, cy + h * 0.8f, cx - h * 0.2f, cy, col);
        vz_dl_tri(c->dl, cx - h * 0.1f, cy - h * 0.8f, cx - h * 0.1f, cy + h * 0.8f, cx + h * 0.7f, cy, col);
        vz_dl_rect(c->dl, cx + h - 2.5f * s, cy - h * 0.8f, 2.5f * s, h * 1.6f, col);
        break;
    default:
        break;
    }
}

/* Where a toolbar item of width w goes: at x on this row, or at the start of the next. */
static float wrap_to(vz__lctx *c, float x, float w)
{
    vz_rect tb = c->g.toolbar;
    float s = c->s, start = tb.x + 8 * s;
    if (x + w > tb.x + tb.w - 8 * s && x > start + 1 && c->row_y + 2 * VZ_M_TOOLBAR_H * s <= tb.y + 3 * VZ_M_TOOLBAR_H * s + 0.5f) {
        c->row_y += VZ_M_TOOLBAR_H * s;
        return start;
    }
    return x;
}

/* A button; returns the x after it. */
static float button(vz__lctx *c, float x, float w, const char *label, icon ic, int on, vz_action_kind act, int arg,
                    vz_color text)
{
    float s = c->s, bh = 30 * s;
    if (w <= 0)
        w = vz__text_w(c, VZ_FONT_BODY, label) + 18 * s;
    x = wrap_to(c, x, w);
    float y = c->row_y + (VZ_M_TOOLBAR_H * s - bh) / 2;
    vz_dl_tag(c->dl, VZ_TAG_TOOLBAR, (unsigned)act, 0, (uint32_t)arg);
    vz_dl_rect(c->dl, x, y, w, bh, on ? VZ_C_BUTTON_ON : VZ_C_BUTTON);
    vz_dl_frame(c->dl, x, y, w, bh, VZ_C_BORDER);
    if (ic != IC_NONE)
        draw_icon(c, ic, x + w / 2, y + bh / 2, VZ_C_TEXT);
    else
        vz_dl_text(c->dl, VZ_FONT_BODY, x + (w - vz__text_w(c, VZ_FONT_BODY, label)) / 2,
                   y + (bh - vz__line_h(c, VZ_FONT_BODY)) / 2, 0, text, label);
    vz_dl_hit(c->dl, x, y, w, bh, VZ_HIT_BUTTON, 0, (uint32_t)act, (uint32_t)arg);
    return x + w + 4 * s;
}

static float label_at(vz__lctx *c, float x, const char *text)
{
    x = wrap_to(c, x, vz__text_w(c, VZ_FONT_SMALL, text) + 6 * c->s);
    float y = c->row_y + (VZ_M_TOOLBAR_H * c->s - vz__line_h(c, VZ_FONT_SMALL)) / 2;
    vz_dl_text(c->dl, VZ_FONT_SMALL, x, y, 0, VZ_C_TEXT_DIM, text);
    return x + vz__text_w(c, VZ_FONT_SMALL, text) + 6 * c->s;
}

static void speed_text(const vz_ui *ui, char *buf, size_t size)
{
    double sp = vz_ui_speed(ui);
    if (sp >= 1)
        tm_safe_snprintf(buf, size, "%g\xC3\x97", sp);
    else
        tm_safe_snprintf(buf, size, "1/%g\xC3\x97", 1 / sp);
}

int vz__layout_toolbar(vz__lctx *c)
{
    const vz_ui *ui = c->ui;
    vz_rect tb = c->g.toolbar;
    float s = c->s, x = tb.x + 8 * s, bw = 36 * s;
    int compact = tb.w < 1300 * s;   /* a narrow window: buttons without their captions */
    float row_h = VZ_M_TOOLBAR_H * s;
    c->row_y = tb.y;
    vz_dl_tag(c->dl, VZ_TAG_TOOLBAR, 0, 0, 0);
    vz_dl_rect(c->dl, tb.x, tb.y, tb.w, tb.h, VZ_C_PANEL);
    vz_dl_rect(c->dl, tb.x, tb.y + tb.h - 1, tb.w, 1, VZ_C_BORDER);
    vz_dl_hit(c->dl, tb.x, tb.y, tb.w, tb.h, VZ_HIT_PANEL, 0, 0, 0);
    x = button(c, x, bw, "", IC_START, 0, VZ_ACT_START, 0, VZ_C_TEXT);
    x = button(c, x, bw, "", IC_PREV, 0, VZ_ACT_PREV, 0, VZ_C_TEXT);
    x = button(c, x, bw * 1.3f, "", ui->playing ? IC_PAUSE : IC_PLAY, ui->playing, VZ_ACT_PLAY, 0, VZ_C_TEXT);
    x = button(c, x, bw, "", IC_NEXT, 0, VZ_ACT_NEXT, 0, VZ_C_TEXT);
    x = button(c, x, bw, "", IC_END, 0, VZ_ACT_END, 0, VZ_C_TEXT);
    x += 10 * s;
    char sp[32];
    speed_text(ui, sp, sizeof sp);
    if (!compact)
        x = label_at(c, x, "speed");
    x = button(c, x, 26 * s, "\xE2\x88\x92", IC_NONE, 0, VZ_ACT_SLOWER, 0, VZ_C_TEXT);
    float spw = 44 * s;
    x = wrap_to(c, x, spw);
    vz_dl_text(c->dl, VZ_FONT_BOLD, x + (spw - vz__text_w(c, VZ_FONT_BOLD, sp)) / 2,
               c->row_y + (row_h - vz__line_h(c, VZ_FONT_BOLD)) / 2, 0, VZ_C_TEXT, sp);
    x = button(c, x + spw, 26 * s, "+", IC_NONE, 0, VZ_ACT_FASTER, 0, VZ_C_TEXT);
    x += 10 * s;
    if (!compact)
        x = label_at(c, x, "x axis");
    x = button(c, x, 0, "time", IC_NONE, !ui->step_view, ui->step_view ? VZ_ACT_STEP_VIEW : VZ_ACT_NONE, 0, VZ_C_TEXT);
    x = button(c, x, 0, "events", IC_NONE, ui->step_view, ui->step_view ? VZ_ACT_NONE : VZ_ACT_STEP_VIEW, 0,
               VZ_C_TEXT);
    x += 10 * s;
    if (!compact)
        x = label_at(c, x, "arrows");
    static const char *const names[VZ_ARROW_KINDS] = {"spawn", "wake", "cancel"};
    for (int k = 0; k < VZ_ARROW_KINDS; k++)
        x = button(c, x, 0, names[k], IC_NONE, ui->arrows[k], VZ_ACT_ARROWS, k, vz_link_color((tm_link_kind)k));
    x += 10 * s;
    x = button(c, x, 0, "fit", IC_NONE, 0, VZ_ACT_FIT, 0, VZ_C_TEXT);
    const char *fut = compact ? (ui->hide_future ? "hidden" : "dimmed")
                              : (ui->hide_future ? "future: hidden" : "future: dimmed");
    x = button(c, x, 0, fut, IC_NONE, 0, VZ_ACT_FUTURE, 0, VZ_C_TEXT);
    x = button(c, x, 0, "?", IC_NONE, ui->show_help, VZ_ACT_HELP, 0, VZ_C_TEXT);
    if (c->doc->n_runs > 1) {   /* which trace the arrow keys step, and how to change it */
        char mode[160];
        if (ui->step_all)
            tm_safe_snprintf(mode, sizeof mode, "step: all traces");
        else
            tm_safe_snprintf(mode, sizeof mode, "step: %s", vz__focus_run(c)->label);
        x = button(c, x + 6 * s, 0, mode, IC_NONE, 0, VZ_ACT_STEP_MODE, 0, VZ_C_TEXT);
    }
    x += 6 * s;
    /* The filter box. */
    float fw = (compact ? 120 : 170) * s, bh = 30 * s;
    x = wrap_to(c, x, fw);
    float fy = c->row_y + (row_h - bh) / 2;
    {
        char text[VZ_FILTER_MAX + 32];
        int empty = !ui->filter[0] && !ui->searching;
        tm_safe_snprintf(text, sizeof text, "%s%s", empty ? (compact ? "filter ( / )" : "filter tasks  ( / )") : ui->filter,
                 ui->searching ? "|" : "");
        vz_dl_tag(c->dl, VZ_TAG_TOOLBAR, VZ_ACT_SEARCH, 0, 0);
        vz_dl_rect(c->dl, x, fy, fw, bh, ui->searching ? VZ_RGB(0xFF, 0xFF, 0xFF) : VZ_C_BUTTON);
        vz_dl_frame(c->dl, x, fy, fw, bh, ui->searching ? VZ_C_PLAYHEAD : VZ_C_BORDER);
        vz_dl_text(c->dl, VZ_FONT_BODY, x + 8 * s, fy + (bh - vz__line_h(c, VZ_FONT_BODY)) / 2, fw - 14 * s,
                   empty ? VZ_C_TEXT_FAINT : VZ_C_TEXT, text);
        vz_dl_hit(c->dl, x, fy, fw, bh, VZ_HIT_BUTTON, 0, VZ_ACT_SEARCH, 0);
        x += fw + 12 * s;
    }
    /* Where the playhead is, right-aligned. */
    if (c->doc->n_runs) {
        char t[32], text[160];
        vz_format_seconds(ui->t, t, sizeof t);
        const vz_run *run = vz__focus_run(c);
        if (ui->k == VZ_K_ALL || ui->k == 0)
            tm_safe_snprintf(text, sizeof text, "t = %s", t);
        else
            tm_safe_snprintf(text, sizeof text, "t = %s  \xC2\xB7  decision %u here", t, ui->k);
        if (run->cur != TM_NONE && run->cur + 1 >= run->tr->n_events && ui->k == VZ_K_ALL)
            tm_safe_snprintf(text + strlen(text), sizeof text - strlen(text), "  (end)");
        float w = vz__text_w(c, VZ_FONT_TITLE, text), rx = tb.x + tb.w - 12 * s - w;
        if (rx < x && c->row_y + 2 * row_h <= tb.y + 3 * row_h + 0.5f) {   /* a row of its own */
            c->row_y += row_h;
            x = tb.x + 8 * s;
        }
        if (rx < x)   /* never dropped: shortened to fit */
            rx = x;
        vz_dl_text(c->dl, VZ_FONT_TITLE, rx, c->row_y + (row_h - vz__line_h(c, VZ_FONT_TITLE)) / 2,
                   tb.x + tb.w - 8 * s - rx, VZ_C_PLAYHEAD, text);
    }
    return 1 + (int)((c->row_y - tb.y) / row_h + 0.5f);
}

/* ---- legend -------------------------------------------------------------------------- */

/* Where the next legend item of width w goes: on this row, or the next. */
static int legend_place(const vz__lctx *c, float *x, float *y, float w)
{
    vz_rect st = c->g.status;
    float row_h = VZ_M_STATUS_H * c->s;
    if (*x + w <= st.x + st.w - 8 * c->s)
        return 1;
    if (*y + 2 * row_h > st.y + st.h + 0.5f)
        return 0;
    *y += row_h;
    *x = st.x + 10 * c->s;
    return 1;
}

void vz__layout_legend(vz__lctx *c)
{
    vz_rect st = c->g.status;
    float s = c->s, x = st.x + 10 * s, y = st.y, sw = 14 * s, lh = vz__line_h(c, VZ_FONT_SMALL);
    float row_h = VZ_M_STATUS_H * s;
    vz_dl_tag(c->dl, VZ_TAG_LEGEND, 0, 0, 0);
    vz_dl_rect(c->dl, st.x, st.y, st.w, st.h, VZ_C_PANEL);
    vz_dl_rect(c->dl, st.x, st.y, st.w, 1, VZ_C_BORDER);
    vz_dl_clip(c->dl, st.x, st.y, st.w, st.h);
    static const struct { tm_state st; const char *name; vz_term term; } states[] = {
        {TM_STATE_RUNNING, "running", VZ_TERM_RUNNING},   {TM_STATE_READY, "ready (queued)", VZ_TERM_READY},
        {TM_STATE_WAITING, "waiting on \xE2\x80\xA6", VZ_TERM_WAITING}, {TM_STATE_DONE, "done", VZ_TERM_DONE},
        {TM_STATE_FAILED, "failed", VZ_TERM_DONE},       {TM_STATE_CANCELLED, "cancelled", VZ_TERM_CANCEL},
    };
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        float w = sw + 4 * s + vz__text_w(c, VZ_FONT_SMALL, states[i].name);
        if (!legend_place(c, &x, &y, w))
            break;
        int thin = states[i].st >= TM_STATE_DONE;
        float cy = y + row_h / 2;
        vz_dl_tag(c->dl, VZ_TAG_LEGEND, states[i].st, 0, 0);
        vz_dl_rect(c->dl, x, thin ? cy - 3 * s : cy - 6 * s, sw, thin ? 6 * s : 12 * s, vz_state_color(states[i].st));
        vz_dl_text(c->dl, VZ_FONT_SMALL, x + sw + 4 * s, y + (row_h - lh) / 2, 0, VZ_C_TEXT, states[i].name);
        vz_dl_hit(c->dl, x, y, w, row_h, VZ_HIT_TERM, 0, states[i].term, 0);
        x += w + 12 * s;
    }
    vz_dl_tag(c->dl, VZ_TAG_LEGEND, 0, 0, 0);
    /* Marks, worker lanes, I/O waits and groups are explained when some trace on screen has them. */
    uint32_t present = 0, workers = 0;
    size_t io_waits = 0, groups = 0, queued = 0;
    for (size_t r = 0; r < c->doc->n_runs; r++) {
        queued += c->doc->runs[r].n_queued;
        present |= c->doc->runs[r].mk_present;
        workers += c->doc->runs[r].tr->n_workers;
        io_waits += c->doc->runs[r].n_io_waits;
        groups += c->doc->runs[r].n_groups;
    }
    if (io_waits) {
        const char *name = "waiting on I/O";
        float w = sw + 4 * s + vz__text_w(c, VZ_FONT_SMALL, name), cy;
        if (legend_place(c, &x, &y, w)) {
            cy = y + row_h / 2;
            vz_dl_rect(c->dl, x, cy - 6 * s, sw, 12 * s, VZ_C_IO_WAIT);
            vz_dl_rect(c->dl, x, cy + 4 * s, sw, 2 * s, VZ_C_IO_EDGE);
            vz_dl_text(c->dl, VZ_FONT_SMALL, x + sw + 4 * s, y + (row_h - lh) / 2, 0, VZ_C_TEXT, name);
            x += w + 12 * s;
        }
    }
    x += 8 * s;
    static const struct { vz_color col; const char *name; vz_term term; } segs[] = {
        {VZ_C_CALLBACK, "callback", VZ_TERM_CALLBACK}, {VZ_C_IDLE, "loop idle", VZ_TERM_IDLE},
        {VZ_C_JOB, "executor job", VZ__TERM_NONE}, {VZ_C_JOB_QUEUED, "queued for a worker", VZ__TERM_NONE}};
    for (size_t i = 0; i < sizeof segs / sizeof segs[0]; i++) {
        if ((i == 2 && !workers) || (i == 3 && !queued))
            continue;
        float w = sw + 4 * s + vz__text_w(c, VZ_FONT_SMALL, segs[i].name);
        if (!legend_place(c, &x, &y, w))
            break;
        float cy = y + row_h / 2;
        vz_dl_rect(c->dl, x, cy - 6 * s, sw, 12 * s, segs[i].col);
        if (i == 3)
            vz_dl_frame(c->dl, x, cy - 6 * s, sw, 12 * s, VZ_C_JOB);
        vz_dl_text(c->dl, VZ_FONT_SMALL, x + sw + 4 * s, y + (row_h - lh) / 2, 0, VZ_C_TEXT, segs[i].name);
        if (segs[i].term != VZ__TERM_NONE)
            vz_dl_hit(c->dl, x, y, w, row_h, VZ_HIT_TERM, 0, segs[i].term, 0);
        x += w + 12 * s;
    }
    x += 8 * s;
    static const char *const arrows[] = {"spawn", "wake", "cancel"};
    for (int k = 0; k < 3; k++) {
        float w = 24 * s + vz__text_w(c, VZ_FONT_SMALL, arrows[k]);
        if (!legend_place(c, &x, &y, w))
            break;
        float cy = y + row_h / 2;
        vz_color col = vz_link_color((tm_link_kind)k);
        vz_dl_line(c->dl, x, cy, x + 14 * s, cy, 2 * s, col);
        vz_dl_tri(c->dl, x + 20 * s, cy, x + 13 * s, cy - 4 * s, x + 13 * s, cy + 4 * s, col);
        vz_dl_text(c->dl, VZ_FONT_SMALL, x + 24 * s, y + (row_h - lh) / 2, 0, VZ_C_TEXT, arrows[k]);
        if (k == TM_LINK_WAKE)
            vz_dl_hit(c->dl, x, y, w, row_h, VZ_HIT_TERM, 0, VZ_TERM_WAKEUP, 0);
        x += w + 12 * s;
    }
    x += 8 * s;
    if (groups) {   /* a band with its outline: the group's lanes over its lifetime */
        const char *name = "TaskGroup";
        float w = sw + 4 * s + vz__text_w(c, VZ_FONT_SMALL, name);
        if (legend_place(c, &x, &y, w)) {
            float cy = y + row_h / 2;
            vz_dl_rect(c->dl, x, cy - 7 * s, sw, 14 * s, VZ_C_GROUP_BAND);
            vz_dl_rect(c->dl, x, cy - 7 * s, sw, 1.5f * s, VZ_C_GROUP);
            vz_dl_rect(c->dl, x, cy + 5.5f * s, sw, 1.5f * s, VZ_C_GROUP);
            vz_dl_rect(c->dl, x, cy - 7 * s, 1.5f * s, 14 * s, VZ_C_GROUP);
            vz_dl_rect(c->dl, x + sw * 0.6f, cy - 7 * s, sw * 0.4f, 1.5f * s, VZ_C_ABORT);
            vz_dl_rect(c->dl, x + sw * 0.6f, cy + 5.5f * s, sw * 0.4f, 1.5f * s, VZ_C_ABORT);
            vz_dl_rect(c->dl, x + sw - 1.5f * s, cy - 7 * s, 1.5f * s, 14 * s, VZ_C_ABORT);
            vz_dl_text(c->dl, VZ_FONT_SMALL, x + sw + 4 * s, y + (row_h - lh) / 2, 0, VZ_C_TEXT, name);
            x += w + 12 * s;
        }
    }
    static const struct { vz_marker_kind k; const char *name; } marks[] = {
        {VZ_MK_CREATED, "created"}, {VZ_MK_CANCEL_REQ, "cancel()"}, {VZ_MK_THROW, "raised in"},
        {VZ_MK_TIMER, "timer fired"}, {VZ_MK_PRINT, "print"}, {VZ_MK_WARN, "warning"},
        {VZ_MK_BLOCK, "blocking call"}, {VZ_MK_TIMEOUT, "timeout armed"},
        {VZ_MK_TIMEOUT_FIRE, "timeout fired"}, {VZ_MK_GROUP_ABORT, "TaskGroup aborts"},
        {VZ_MK_IO_READY, "I/O ready"}, {VZ_MK_OTHER, "queue, lock, \xE2\x80\xA6"},
    };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        if (!(present & (1u << marks[i].k)))
            continue;
        float w = 14 * s + vz__text_w(c, VZ_FONT_SMALL, marks[i].name);
        if (!legend_place(c, &x, &y, w))
            break;
        vz__marker(c, marks[i].k, x + 5 * s, y + row_h / 2, 10 * s, vz_marker_color(marks[i].k));
        vz_dl_text(c->dl, VZ_FONT_SMALL, x + 14 * s, y + (row_h - lh) / 2, 0, VZ_C_TEXT, marks[i].name);
        if (marks[i].k == VZ_MK_TIMER || marks[i].k == VZ_MK_CANCEL_REQ)
            vz_dl_hit(c->dl, x, y, w, row_h, VZ_HIT_TERM, 0, marks[i].k == VZ_MK_TIMER ? VZ_TERM_TIMER : VZ_TERM_CANCEL,
                      0);
        x += w + 12 * s;
        if (marks[i].k == VZ_MK_TIMEOUT) {   /* its deadline's tick, as drawn on the lane */
            w = 12 * s + vz__text_w(c, VZ_FONT_SMALL, "deadline");
            if (!legend_place(c, &x, &y, w))
                break;
            float tx = x + 6 * s, cy = y + row_h / 2;
            vz_dl_rect(c->dl, tx, cy - 8 * s, 2 * s, 16 * s, VZ_C_DEADLINE);
            vz_dl_tri(c->dl, tx, cy - 8 * s, tx, cy - 1 * s, tx - 6 * s, cy - 4.5f * s, VZ_C_DEADLINE);
            vz_dl_text(c->dl, VZ_FONT_SMALL, x + 12 * s, y + (row_h - lh) / 2, 0, VZ_C_TEXT, "deadline");
            x += w + 12 * s;
        }
    }
    vz_dl_unclip(c->dl);
}

/* ---- tooltip ------------------------------------------------------------------------------ */

static const char *button_tip(unsigned act, unsigned arg)
{
    switch (act) {
    case VZ_ACT_START: return "Jump to the start (Home)";
    case VZ_ACT_PREV: return "Previous scheduler decision (\xE2\x86\x90)";
    case VZ_ACT_PLAY: return "Play / pause (Space)";
    case VZ_ACT_NEXT: return "Next scheduler decision (\xE2\x86\x92)";
    case VZ_ACT_END: return "Jump to the end (End)";
    case VZ_ACT_SLOWER: return "Slower playback ( [ )";
    case VZ_ACT_FASTER: return "Faster playback ( ] )";
    case VZ_ACT_STEP_VIEW: return "x axis: loop time, or one step per event (T)";
    case VZ_ACT_ARROWS:
        return arg == 0 ? "Spawn arrows: creator \xE2\x86\x92 new task (1)"
             : arg == 1 ? "Wake arrows: a future resolves \xE2\x86\x92 the step it causes (2)"
                        : "Cancel arrows: cancel() \xE2\x86\x92 CancelledError delivered (3)";
    case VZ_ACT_FIT: return "Show everything (F)";
    case VZ_ACT_FUTURE: return "After the playhead: dimmed or hidden (G)";
    case VZ_ACT_HELP: return "Keyboard help (H or ?)";
    case VZ_ACT_SORT: return "Order the lanes: tree, by start, by total wait, by name (R)";
    case VZ_ACT_SEARCH: return "Filter tasks by name (/)";
    case VZ_ACT_STEP_MODE:
        return "\xE2\x86\x90 \xE2\x86\x92 step the focused trace (\xE2\x96\xB6, N or a click picks it) or all "
               "traces on one clock (L)";
    default: return NULL;
    }
}

static size_t group_tip(const vz_run *run, uint32_t gi, char lines[4][300])
{
    const tm_trace *tr = run->tr;
    const vz_group *g = &run->groups[gi];
    char a[32], b[32], names[200];
    int n = tm_safe_snprintf(names, sizeof names, "%s", g->count ? "" : "no tasks");
    for (uint32_t k = 0; k < g->count && n > 0 && (size_t)n < sizeof names; k++)
        n += tm_safe_snprintf(names + n, sizeof names - (size_t)n, "%s%s", k ? ", " : "",
                      vz_task_name(run, run->grp_task[g->first + k]));
    tm_safe_snprintf(lines[0], 300, "TaskGroup #%u of %s: %s", g->id, vz_task_name(run, g->owner), names);
    vz_format_seconds(tr->events[g->ev_new].t, a, sizeof a);
    if (g->ev_exit != TM_NONE) {
        vz_format_seconds(tr->events[g->ev_exit].t, b, sizeof b);
        tm_safe_snprintf(lines[1], 300, "async with from %s to %s: its exit waits for every child", a, b);
    } else {
        tm_safe_snprintf(lines[1], 300, "async with from %s, still open when the trace ends", a);
    }
    if (g->ev_abort == TM_NONE)
        return 2;
    vz_format_seconds(tr->events[g->ev_abort].t, a, sizeof a);
    tm_safe_snprintf(lines[2], 300, "aborting from %s: %s, so its running children are cancelled", a,
             tr->events[g->ev_abort].task == TM_NONE ? "a child failed" : "the block's body raised or was cancelled");
    return 3;
}

static size_t deadline_tip(const vz_run *run, uint32_t di, char lines[4][300])
{
    const tm_trace *tr = run->tr;
    const vz_deadline *d = &run->deadlines[di];
    char a[32], b[32];
    uint32_t f = tm_find_future(tr, d->obj);
    int wait_for = f != TM_NONE && !strcmp(tm_text(tr, tr->futures[f].kind), "wait_for");
    vz_format_seconds(d->when, a, sizeof a);
    tm_safe_snprintf(lines[0], 300, "deadline of %s's %s: %s", vz_task_name(run, d->owner), wait_for ? "wait_for" : "timeout", a);
    vz_format_seconds(tr->events[d->ev].t, b, sizeof b);
    tm_safe_snprintf(lines[1], 300, "%s at %s", tm_text(tr, tr->events[d->ev].s1)[0] == 'r' ? "rescheduled to it" : "armed",
             b);
    if (d->ev_end != TM_NONE)
        vz_format_seconds(tr->events[d->ev_end].t, b, sizeof b);
    switch ((vz_deadline_end)d->end) {
    case VZ_DL_RESCHEDULED:
        tm_safe_snprintf(lines[2], 300, "moved by a reschedule at %s", b);
        break;
    case VZ_DL_FIRED:
        tm_safe_snprintf(lines[2], 300, "fired at %s: %s", b, wait_for ? "wait_for cancels what it awaits" : "the task is cancelled");
        break;
    case VZ_DL_EXITED:
        tm_safe_snprintf(lines[2], 300, "%s at %s, before it came due", wait_for ? "wait_for returned" : "the block ended", b);
        break;
    default:
        tm_safe_snprintf(lines[2], 300, "still armed when the trace ends");
    }
    return 3;
}

/* A glossary entry as tooltip lines: "word: meaning", wrapped at about 80 bytes. */
static size_t term_tip(vz_term term, char lines[4][300])
{
    char text[600];
    tm_safe_snprintf(text, sizeof text, "%s: %s", vz_term_word(term), vz_term_meaning(term));
    size_t n = 0;
    const char *p = text;
    while (*p && n < 4) {
        size_t len = strlen(p), cut = len;
        if (len > 80) {
            cut = 80;
            while (cut > 20 && p[cut] != ' ')
                cut--;
        }
        tm_safe_snprintf(lines[n++], 300, "%.*s", (int)cut, p);
        p += cut;
        while (*p == ' ')
            p++;
    }
    return n;
}

static size_t tip_lines(vz__lctx *c, const vz_hit *h, char lines[4][300])
{
    const vz_doc *doc = c->doc;
    if (h->kind == VZ_HIT_BUTTON) {
        const char *t = button_tip(h->a, h->b);
        if (!t)
            return 0;
        tm_safe_snprintf(lines[0], 300, "%s", t);
        return 1;
    }
    if (h->kind == VZ_HIT_TERM)
        return term_tip((vz_term)h->a, lines);
    if (h->kind == VZ_HIT_SCROLLBAR) {
        tm_safe_snprintf(lines[0], 300, "Drag to scroll the lanes (also \xE2\x86\x91 \xE2\x86\x93, PgUp PgDn, Shift+wheel)");
        return 1;
    }
    if (h->kind == VZ_HIT_AXIS) {
        tm_safe_snprintf(lines[0], 300, "Drag along the axis to move the playhead");
        return 1;
    }
    if (h->kind == VZ_HIT_OVERVIEW && doc->n_runs) {   /* the moment under the pointer */
        const vz_run *fr = vz__focus_run(c);
        const vz_ui *ui = c->ui;
        double lo, hi;
        vz_ui_extent(ui, doc, &lo, &hi);
        double p = lo + (ui->mx - c->g.track.x) / c->g.track.w * (hi - lo);
        const vz_conc *k = &vz_ov_bins(fr, ui->step_view)[vz_ov_bin(fr, ui->step_view, p, VZ_OV_BINS)];
        char at[40];
        if (ui->step_view)
            tm_safe_snprintf(at, sizeof at, "event #%.0f", p < 0 ? 0 : p);
        else
            vz_format_seconds(p, at, sizeof at);
        tm_safe_snprintf(lines[0], 300, "near %s: %u running, %u ready, %u waiting", at, k->running, k->ready, k->waiting);
        tm_safe_snprintf(lines[1], 300, "(the moment with the most tasks alive there)  \xC2\xB7  click or drag to look there");
        return 2;
    }
    if (h->kind == VZ_HIT_MINIMAP) {
        size_t rows = 0;
        for (size_t r = 0; r < doc->n_runs; r++)
            rows += doc->runs[r].n_rows;
        tm_safe_snprintf(lines[0], 300, "All %zu lanes, each a row of its states over the whole trace", rows);
        tm_safe_snprintf(lines[1], 300, "the frame is what the lanes show  \xC2\xB7  click or drag to go there");
        return 2;
    }
    if (h->run >= doc->n_runs)
        return 0;
    const vz_run *run = &doc->runs[h->run];
    const tm_trace *tr = run->tr;
    char a[32], b[32], d[32];
    switch (h->kind) {
    case VZ_HIT_SPAN: {
        const tm_span *sp = &tr->spans[h->b];
        static const char *const what[TM_STATE__COUNT] = {
            "ready: in the queue, waiting for its turn", "running: a step executes", "waiting", "done",
            "failed", "cancelled"};
        const char *label = tm_text(tr, sp->label);
        if (sp->state == TM_STATE_WAITING && *label && strcmp(vz_wait_words(run, label), label))
            tm_safe_snprintf(lines[0], 300, "%s \xE2\x80\x94 waiting on %s  (asyncio: %s)", vz_task_name(run, h->a),
                     vz_wait_words(run, label), label);
        else if (sp->state == TM_STATE_WAITING)
            tm_safe_snprintf(lines[0], 300, "%s \xE2\x80\x94 waiting on %s%s", vz_task_name(run, h->a),
                     vz_span_is_io(run, h->b) ? "I/O: " : "", *label ? label : vz_future_label(run, sp->fut));
        else
            tm_safe_snprintf(lines[0], 300, "%s \xE2\x80\x94 %s", vz_task_name(run, h->a),
                     sp->state < TM_STATE__COUNT ? what[sp->state] : "?");
        vz_format_seconds(tm_span_t0(tr, sp), a, sizeof a);
        vz_format_seconds(tm_span_t1(tr, sp), b, sizeof b);
        vz_format_seconds(tm_span_t1(tr, sp) - tm_span_t0(tr, sp), d, sizeof d);
        tm_safe_snprintf(lines[1], 300, "%s \xE2\x86\x92 %s  (%s)  \xC2\xB7  events #%u\xE2\x80\x93#%u", a, b, d,
                 tm_event_seq(tr, sp->ev_begin), tm_event_seq(tr, sp->ev_end));
        tm_safe_snprintf(lines[2], 300, "click to inspect the task");
        return 3;
    }
    case VZ_HIT_LOOPSEG: {
        uint32_t e1, e0 = vz_seg_events(run, (vz_seg_kind)h->b, h->a, &e1);
        if (h->b == VZ_SEG_STEP) {
            tm_safe_snprintf(lines[0], 300, "the loop runs a step of %s", vz_task_name(run, tr->events[tr->steps[h->a].ev_begin].task));
        } else if (h->b == VZ_SEG_CALLBACK) {
            const char *fn = tm_text(tr, tr->events[e0].s1);
            if (vz_plain_callback(fn))
                tm_safe_snprintf(lines[0], 300, "the loop runs a callback: %s  (asyncio: %s)", vz_plain_callback(fn), fn);
            else
                tm_safe_snprintf(lines[0], 300, "the loop runs callback %s", fn);
        } else {
            vz_format_seconds(tr->idles[h->a].from, a, sizeof a);
            vz_format_seconds(tr->idles[h->a].until, b, sizeof b);
            tm_safe_snprintf(lines[0], 300, "idle from %s to %s: nothing ready until the next timer", a, b);
            return 1;
        }
        vz_format_seconds(tr->events[e0].t, a, sizeof a);
        tm_safe_snprintf(lines[1], 300, "at %s  \xC2\xB7  events #%u\xE2\x80\x93#%u", a, tm_event_seq(tr, e0), tm_event_seq(tr, e1));
        return 2;
    }
    case VZ_HIT_FRAME: {
        const tm_frame *fr = &tr->frames[h->b];
        tm_safe_snprintf(lines[0], 300, "await %s%s  (in %s)", tm_text(tr, fr->fn), tm_text(tr, fr->args),
                 vz_task_name(run, fr->task));
        vz_format_seconds(tr->events[fr->ev_enter].t, a, sizeof a);
        if (fr->ev_exit != TM_NONE) {
            vz_format_seconds(tr->events[fr->ev_exit].t, b, sizeof b);
            vz_format_seconds(tr->events[fr->ev_exit].t - tr->events[fr->ev_enter].t, d, sizeof d);
            tm_safe_snprintf(lines[1], 300, "%s \xE2\x86\x92 %s  (%s)", a, b, d);
        } else {
            tm_safe_snprintf(lines[1], 300, "from %s, never returned", a);
        }
        return 2;
    }
    case VZ_HIT_JOB: {
        const tm_job *jb = &tr->jobs[h->a];
        tm_safe_snprintf(lines[0], 300, "%s() on worker-%d, an executor thread, for %s", tm_text(tr, jb->fn), jb->worker,
                 vz_task_name(run, jb->submitted_by));
        vz_format_seconds(tr->events[jb->ev_start].t, a, sizeof a);
        if (jb->ev_done != TM_NONE) {
            vz_format_seconds(tr->events[jb->ev_done].t, b, sizeof b);
            vz_format_seconds(tr->events[jb->ev_done].t - tr->events[jb->ev_start].t, d, sizeof d);
            tm_safe_snprintf(lines[1], 300, "%s \xE2\x86\x92 %s  (%s): the loop kept running meanwhile", a, b, d);
        } else {
            tm_safe_snprintf(lines[1], 300, "from %s, still running when the trace ends", a);
        }
        if (vz_job_wait_text(run, h->a, lines[2], 300))   /* it had waited in the queue first */
            return 3;
        return 2;
    }
    case VZ_HIT_JOB_QUEUE: {
        const tm_job *jb = &tr->jobs[h->a];
        tm_safe_snprintf(lines[0], 300, "%s() for %s is waiting for a free worker (%u busy)", tm_text(tr, jb->fn),
                 vz_task_name(run, jb->submitted_by), vz_job_busy(run, h->a));
        vz_format_seconds(tr->events[jb->ev_submit].t, a, sizeof a);
        if (jb->ev_start != TM_NONE) {
            vz_format_seconds(tr->events[jb->ev_start].t, b, sizeof b);
            vz_format_seconds(tr->events[jb->ev_start].t - tr->events[jb->ev_submit].t, d, sizeof d);
            tm_safe_snprintf(lines[1], 300, "submitted at %s; worker-%d takes it at %s, when its job is done: %s in the queue",
                     a, jb->worker, b, d);
        } else {
            tm_safe_snprintf(lines[1], 300, "submitted at %s; still waiting when the trace ends", a);
        }
        tm_safe_snprintf(lines[2], 300, "every worker of the pool was busy; click to inspect");
        return 3;
    }
    case VZ_HIT_LANE_QUEUE:
        tm_safe_snprintf(lines[0], 300, "The executor's queue: jobs submitted while every worker thread was busy");
        tm_safe_snprintf(lines[1], 300, "each waits here until a worker finishes its job and takes the next");
        return 2;
    case VZ_HIT_GROUP:
        return group_tip(run, h->a, lines);
    case VZ_HIT_DEADLINE:
        return deadline_tip(run, h->a, lines);
    case VZ_HIT_MARKER:
        vz_event_text(run, h->a, lines[0], 300);
        vz_format_seconds(tr->events[h->a].t, a, sizeof a);
        tm_safe_snprintf(lines[1], 300, "t = %s  \xC2\xB7  event #%u  \xC2\xB7  click to inspect", a, tm_event_seq(tr, h->a));
        return 2;
    case VZ_HIT_LANE:
        if (h->a == TM_NONE) {
            tm_safe_snprintf(lines[0], 300, "The event loop: which handle it ran, and when it sat idle");
            return 1;
        } else {
            const tm_task *tk = &tr->tasks[h->a];
            tm_safe_snprintf(lines[0], 300, "%s runs %s()", tm_text(tr, tk->name), tm_text(tr, tk->coro));
            vz_format_seconds(tr->events[tk->ev_new].t, a, sizeof a);
            tm_safe_snprintf(lines[1], 300, "created by %s at %s  \xC2\xB7  click to inspect", vz_task_name(run, tk->parent), a);
            return 2;
        }
    case VZ_HIT_RUN:
        tm_safe_snprintf(lines[0], 300, "%s", run->path);
        tm_safe_snprintf(lines[1], 300, "%zu events, %s clock  \xC2\xB7  click to follow this trace in the panels", tr->n_events,
                 tm_text(tr, tr->clock));
        return 2;
    case VZ_HIT_EVENT_ROW:
        tm_safe_snprintf(lines[0], 300, "click to move the playhead to event #%u", tm_event_seq(tr, h->a));
        return 1;
    case VZ_HIT_FOLD:
        tm_safe_snprintf(lines[0], 300, "%s the %u task%s under %s%s", run->collapsed[h->a] ? "Unfold" : "Fold",
                 run->subtree[h->a], run->subtree[h->a] == 1 ? "" : "s", vz_task_name(run, h->a),
                 run->collapsed[h->a] ? "" : " into its lane");
        tm_safe_snprintf(lines[1], 300, "C does it to the selected task");
        return 2;
    case VZ_HIT_DENSE: {
        const vz_dense *dn = &run->dense[h->a];
        vz_format_seconds(dn->t, a, sizeof a);
        tm_safe_snprintf(lines[0], 300, "%s: %u scheduler decisions happen at %s", run->label, dn->decisions, a);
        tm_safe_snprintf(lines[1], 300, "in loop time they share one pixel column; click or press T for event order");
        return 2;
    }
    default:
        return 0;
    }
}

void vz__layout_tooltip(vz__lctx *c)
{
    const vz_ui *ui = c->ui;
    if (!ui->mouse_in || ui->drag == VZ_DRAG_PAN || ui->drag == VZ_DRAG_SCRUB)
        return;
    const vz_hit *h = vz_dl_hit_at(c->dl, ui->mx, ui->my);
    if (!h)
        return;
    vz_hit hit = *h;   /* the list may grow below */
    char lines[4][300];
    size_t n = tip_lines(c, &hit, lines);
    if (!n)
        return;
    float s = c->s, lh = vz__line_h(c, VZ_FONT_BODY), w = 0;
    for (size_t i = 0; i < n; i++) {
        float lw = vz__text_w(c, VZ_FONT_BODY, lines[i]);
        if (lw > w)
            w = lw;
    }
    if (w > ui->w * 0.6f)
        w = ui->w * 0.6f;
    float bw = w + 16 * s, bh = n * lh + 10 * s;
    float x = ui->mx + 14 * s, y = ui->my + 18 * s;
    if (x + bw > ui->w - 4)
        x = ui->w - 4 - bw;
    if (y + bh > ui->h - 4)
        y = ui->my - bh - 8 * s;
    if (x < 4)
        x = 4;
    if (y < 4)
        y = 4;
    vz_dl_tag(c->dl, VZ_TAG_TOOLTIP, 0, 0, 0);
    vz_dl_rect(c->dl, x, y, bw, bh, VZ_C_TOOLTIP);
    for (size_t i = 0; i < n; i++)
        vz_dl_text(c->dl, VZ_FONT_BODY, x + 8 * s, y + 5 * s + i * lh, w, i ? VZ_RGB(0xD0, 0xD7, 0xDE) : VZ_C_TOOLTIP_TXT,
                   lines[i]);
}

/* ---- keyboard help ---------------------------------------------------------------------------- */

void vz__layout_help(vz__lctx *c)
{
    static const char *const keys[][2] = {
        {"Space", "play / pause"},
        {"\xE2\x86\x92  \xE2\x86\x90", "next / previous scheduler decision"},
        {"Shift+\xE2\x86\x92 \xE2\x86\x90", "next / previous instant of loop time"},
        {"Home  End", "jump to the start / the end"},
        {"[  ]", "slower / faster playback"},
        {"W  S", "zoom in / out (also the mouse wheel)"},
        {"A  D", "pan left / right (also drag the lanes)"},
        {"\xE2\x86\x91 \xE2\x86\x93  PgUp PgDn", "scroll the lanes (also Shift+wheel)"},
        {"F  or  0", "fit everything"},
        {"T", "x axis: loop time \xE2\x86\x94 one step per event"},
        {"1  2  3", "spawn / wake / cancel arrows on or off"},
        {"G", "after the playhead: dimmed \xE2\x86\x94 hidden"},
        {"/", "filter tasks by name (Enter keeps, Esc clears)"},
        {"N", "focus the next trace (\xE2\x96\xB6; or click its title row)"},
        {"L", "step the focused trace \xE2\x86\x94 all traces on one clock"},
        {"Tab", "panels on / off (more room for lanes)"},
        {"O", "overview on / off: tasks alive over time, a map of all lanes (click either to go there)"},
        {"R", "order the lanes: tree \xE2\x86\x92 by start \xE2\x86\x92 by total wait \xE2\x86\x92 by name"},
        {"C", "fold the selected task's children into its lane, or unfold (nothing selected: every parent; "
              "or click the mark before a name)"},
        {"Ctrl + / Ctrl \xE2\x88\x92", "bigger / smaller text and lanes"},
        {"click", "select a task or event; drag the axis to scrub"},
        {"H  ?  Esc", "this help on / off"},
        {"Q", "quit"},
    };
    const vz_ui *ui = c->ui;
    float s = c->s, lh = vz__line_h(c, VZ_FONT_BODY) + 5 * s;
    size_t n = sizeof keys / sizeof keys[0];
    /* Keys on the left; the glossary beside them when the window is wide enough, else below. */
    float keys_w = 600 * s, gloss_w = 440 * s;
    int beside = ui->w - 20 >= keys_w + gloss_w + 40 * s;
    float w = beside ? keys_w + gloss_w + 40 * s : keys_w + 40 * s, h = ui->h - 40 * s;
    if (w > ui->w - 20)
        w = (float)ui->w - 20;
    if (h > n * lh + 260 * s)
        h = n * lh + 260 * s;
    float x = (ui->w - w) / 2, y = (ui->h - h) / 2;
    vz_dl_tag(c->dl, VZ_TAG_HELP, 0, 0, 0);
    vz_dl_rect(c->dl, 0, 0, (float)ui->w, (float)ui->h, VZ_C_SHADE);
    vz_dl_hit(c->dl, 0, 0, (float)ui->w, (float)ui->h, VZ_HIT_PANEL, 0, 0, 0);
    vz_dl_rect(c->dl, x, y, w, h, VZ_C_PANEL);
    vz_dl_frame(c->dl, x, y, w, h, VZ_C_BORDER);
    vz_dl_clip(c->dl, x, y, w, h);
    vz_dl_text(c->dl, VZ_FONT_TITLE, x + 20 * s, y + 14 * s, w - 40 * s, VZ_C_TEXT, "coroscope viewer \xE2\x80\x94 keys");
    float top = y + 24 * s + vz__line_h(c, VZ_FONT_TITLE), ty = top, col_w = (beside ? keys_w : w - 40 * s);
    ty += vz__wrap(c, VZ_FONT_BODY, x + 20 * s, ty, col_w - 20 * s, y + h, VZ_C_TEXT_DIM,
                   "One lane per task, the event loop on top. The playhead replays the schedule one scheduler "
                   "decision at a time; what lies after it is dimmed. With several traces, the panels show the "
                   "focused one (\xE2\x96\xB6 in its title row) and \xE2\x86\x90 \xE2\x86\x92 step it; "
                   "every trace shows the same loop time. L steps all traces instead: the next decision of any "
                   "of them, and the panels follow the one that moved.");
    ty += 8 * s;
    float kw = col_w * 0.30f;
    for (size_t i = 0; i < n; i++) {
        vz_dl_text(c->dl, VZ_FONT_BOLD, x + 20 * s, ty, kw - 10 * s, VZ_C_TEXT, keys[i][0]);
        vz_dl_text(c->dl, VZ_FONT_BODY, x + 20 * s + kw, ty, col_w - kw - 20 * s, VZ_C_TEXT, keys[i][1]);
        ty += lh;
    }
    /* The glossary: every word the viewer uses for what the loop does. */
    float gx = beside ? x + keys_w + 20 * s : x + 20 * s, gy = beside ? y + 14 * s : ty + 12 * s;
    float gw = beside ? gloss_w : w - 40 * s;
    vz_dl_text(c->dl, VZ_FONT_TITLE, gx, gy, gw, VZ_C_TEXT, "Words the viewer uses");
    gy += vz__line_h(c, VZ_FONT_TITLE) + 10 * s;
    for (int t = 0; t < VZ_TERM__COUNT; t++) {
        char line[400];
        tm_safe_snprintf(line, sizeof line, "%s \xE2\x80\x94 %s", vz_term_word((vz_term)t), vz_term_meaning((vz_term)t));
        gy += vz__wrap(c, VZ_FONT_SMALL, gx, gy, gw, y + h, VZ_C_TEXT, line) + 4 * s;
    }
    vz_dl_unclip(c->dl);
}
