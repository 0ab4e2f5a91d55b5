/*
** layout_panels.c -- everything around the timeline: the toolbar, the legend,
** the loop panel, the inspector, the findings, the event list, the output,
** the tooltip and the keyboard help (see layout.h).
**
** Panels show the focused trace (ui->focus) at its playhead cursor; the loop
** panel reads the state vz_doc_sync computed, so a frame costs no scan of the
** trace here either.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "findings.h"
#include "layout_internal.h"

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
    while (*p) {
        const char *w = p;
        while (*w == ' ')
            w++;
        const char *e = w;
        while (*e && *e != ' ')
            e++;
        size_t wl = (size_t)(e - w);
        char cand[512];
        int n = snprintf(cand, sizeof cand, "%.*s%s%.*s", (int)len, line, len ? " " : "", (int)wl, w);
        if (n < 0)
            break;
        if (len && (vz__text_w(c, font, cand) > max_w || (size_t)n >= sizeof line)) {
            if (y + h + lh <= y_max)
                vz_dl_text(c->dl, font, x, y + h, max_w, col, line);
            h += lh;
            len = (size_t)snprintf(line, sizeof line, "%.*s", (int)wl, w);
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
    vz_dl_tag(c->dl, VZ_TAG_PANEL, 0, 0, 0);
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
}

static const vz_run *focus_run(const vz__lctx *c)
{
    int f = c->ui->focus;
    return &c->doc->runs[f >= 0 && f < (int)c->doc->n_runs ? f : 0];
}

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

/* A button; returns the x after it. */
static float button(vz__lctx *c, float x, float w, const char *label, icon ic, int on, vz_action_kind act, int arg,
                    vz_color text)
{
    float s = c->s, bh = 30 * s, y = c->g.toolbar.y + (c->g.toolbar.h - bh) / 2;
    if (w <= 0)
        w = vz__text_w(c, VZ_FONT_BODY, label) + 18 * s;
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
    float y = c->g.toolbar.y + (c->g.toolbar.h - vz__line_h(c, VZ_FONT_SMALL)) / 2;
    vz_dl_text(c->dl, VZ_FONT_SMALL, x, y, 0, VZ_C_TEXT_DIM, text);
    return x + vz__text_w(c, VZ_FONT_SMALL, text) + 6 * c->s;
}

static void speed_text(const vz_ui *ui, char *buf, size_t size)
{
    double sp = vz_ui_speed(ui);
    if (sp >= 1)
        snprintf(buf, size, "%g\xC3\x97", sp);
    else
        snprintf(buf, size, "1/%g\xC3\x97", 1 / sp);
}

void vz__layout_toolbar(vz__lctx *c)
{
    const vz_ui *ui = c->ui;
    vz_rect tb = c->g.toolbar;
    float s = c->s, x = tb.x + 8 * s, bw = 36 * s;
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
    x = label_at(c, x, "speed");
    x = button(c, x, 26 * s, "\xE2\x88\x92", IC_NONE, 0, VZ_ACT_SLOWER, 0, VZ_C_TEXT);
    float spw = 44 * s;
    vz_dl_text(c->dl, VZ_FONT_BOLD, x + (spw - vz__text_w(c, VZ_FONT_BOLD, sp)) / 2,
               tb.y + (tb.h - vz__line_h(c, VZ_FONT_BOLD)) / 2, 0, VZ_C_TEXT, sp);
    x = button(c, x + spw, 26 * s, "+", IC_NONE, 0, VZ_ACT_FASTER, 0, VZ_C_TEXT);
    x += 10 * s;
    x = label_at(c, x, "x axis");
    x = button(c, x, 0, "time", IC_NONE, !ui->step_view, ui->step_view ? VZ_ACT_STEP_VIEW : VZ_ACT_NONE, 0, VZ_C_TEXT);
    x = button(c, x, 0, "events", IC_NONE, ui->step_view, ui->step_view ? VZ_ACT_NONE : VZ_ACT_STEP_VIEW, 0,
               VZ_C_TEXT);
    x += 10 * s;
    x = label_at(c, x, "arrows");
    static const char *const names[VZ_ARROW_KINDS] = {"spawn", "wake", "cancel"};
    for (int k = 0; k < VZ_ARROW_KINDS; k++)
        x = button(c, x, 0, names[k], IC_NONE, ui->arrows[k], VZ_ACT_ARROWS, k, vz_link_color((tm_link_kind)k));
    x += 10 * s;
    x = button(c, x, 0, "fit", IC_NONE, 0, VZ_ACT_FIT, 0, VZ_C_TEXT);
    x = button(c, x, 0, ui->hide_future ? "future: hidden" : "future: dimmed", IC_NONE, 0, VZ_ACT_FUTURE, 0,
               VZ_C_TEXT);
    x = button(c, x, 0, "?", IC_NONE, ui->show_help, VZ_ACT_HELP, 0, VZ_C_TEXT);
    x += 6 * s;
    /* The filter box. */
    float fw = 170 * s, bh = 30 * s, fy = tb.y + (tb.h - bh) / 2;
    if (x + fw < tb.x + tb.w - 8 * s) {
        char text[VZ_FILTER_MAX + 32];
        int empty = !ui->filter[0] && !ui->searching;
        snprintf(text, sizeof text, "%s%s", empty ? "filter tasks  ( / )" : ui->filter, ui->searching ? "|" : "");
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
        tm_format_seconds(ui->t, t, sizeof t);
        const vz_run *run = focus_run(c);
        if (ui->k == VZ_K_ALL || ui->k == 0)
            snprintf(text, sizeof text, "t = %s", t);
        else
            snprintf(text, sizeof text, "t = %s  \xC2\xB7  decision %u here", t, ui->k);
        if (run->cur != TM_NONE && run->cur + 1 >= run->tr->n_events && ui->k == VZ_K_ALL)
            snprintf(text + strlen(text), sizeof text - strlen(text), "  (end)");
        float w = vz__text_w(c, VZ_FONT_TITLE, text), rx = tb.x + tb.w - 12 * s - w;
        if (rx > x)
            vz_dl_text(c->dl, VZ_FONT_TITLE, rx, tb.y + (tb.h - vz__line_h(c, VZ_FONT_TITLE)) / 2, 0, VZ_C_PLAYHEAD,
                       text);
    }
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
    static const struct { tm_state st; const char *name; } states[] = {
        {TM_STATE_RUNNING, "running"}, {TM_STATE_READY, "ready (queued)"}, {TM_STATE_WAITING, "waiting on \xE2\x80\xA6"},
        {TM_STATE_DONE, "done"},       {TM_STATE_FAILED, "failed"},         {TM_STATE_CANCELLED, "cancelled"},
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
        x += w + 12 * s;
    }
    x += 8 * s;
    vz_dl_tag(c->dl, VZ_TAG_LEGEND, 0, 0, 0);
    static const struct { vz_seg_kind k; const char *name; } segs[] = {
        {VZ_SEG_CALLBACK, "callback"}, {VZ_SEG_IDLE, "loop idle"}};
    for (size_t i = 0; i < 2; i++) {
        float w = sw + 4 * s + vz__text_w(c, VZ_FONT_SMALL, segs[i].name);
        if (!legend_place(c, &x, &y, w))
            break;
        float cy = y + row_h / 2;
        vz_dl_rect(c->dl, x, cy - 6 * s, sw, 12 * s, vz_seg_color(segs[i].k));
        vz_dl_text(c->dl, VZ_FONT_SMALL, x + sw + 4 * s, y + (row_h - lh) / 2, 0, VZ_C_TEXT, segs[i].name);
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
        x += w + 12 * s;
    }
    x += 8 * s;
    static const struct { vz_marker_kind k; const char *name; } marks[] = {
        {VZ_MK_CREATED, "created"}, {VZ_MK_CANCEL_REQ, "cancel()"}, {VZ_MK_THROW, "raised in"},
        {VZ_MK_TIMER, "timer fired"}, {VZ_MK_PRINT, "print"}, {VZ_MK_WARN, "warning"},
        {VZ_MK_BLOCK, "blocking call"}, {VZ_MK_OTHER, "queue, lock, \xE2\x80\xA6"},
    };
    for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
        float w = 14 * s + vz__text_w(c, VZ_FONT_SMALL, marks[i].name);
        if (!legend_place(c, &x, &y, w))
            break;
        vz__marker(c, marks[i].k, x + 5 * s, y + row_h / 2, 10 * s, vz_marker_color(marks[i].k));
        vz_dl_text(c->dl, VZ_FONT_SMALL, x + 14 * s, y + (row_h - lh) / 2, 0, VZ_C_TEXT, marks[i].name);
        x += w + 12 * s;
    }
    vz_dl_unclip(c->dl);
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

static float loop_panel(vz__lctx *c, vz_rect r)
{
    const vz_run *run = focus_run(c);
    const tm_trace *tr = run->tr;
    const vz_loop_state *ls = &run->loop;
    float s = c->s, lh = vz__line_h(c, VZ_FONT_BODY) + 1 * s;
    char title[200], line[300], a[32], b[32];
    if (c->doc->n_runs > 1)
        snprintf(title, sizeof title, "The loop at the playhead \xE2\x80\x94 %s", run->label);
    else
        snprintf(title, sizeof title, "The loop at the playhead");
    float y = vz__panel(c, r, title), x = r.x + VZ_M_PAD * s, w = r.w - 2 * VZ_M_PAD * s, ymax = r.y + r.h - 4 * s;
    vz_dl_clip(c->dl, r.x, r.y, r.w, r.h);
    vz_dl_tag(c->dl, VZ_TAG_PANEL, 1, (unsigned)c->ui->focus, 0);
    if (ls->ev == TM_NONE) {
        y = list_row(c, x, y, w, VZ_RGBA(0, 0, 0, 0), VZ_C_TEXT_DIM, "Nothing has happened yet. Press \xE2\x86\x92 to step.");
        vz_dl_unclip(c->dl);
        return y;
    }
    /* What the loop is doing. */
    if (ls->running != TM_NONE) {
        snprintf(line, sizeof line, "Running: %s  (%s)", vz_task_name(run, ls->running),
                 tm_text(tr, tr->tasks[ls->running].coro));
        y = list_row(c, x, y, w, vz_state_color(TM_STATE_RUNNING), VZ_C_TEXT, line);
    } else if (ls->callback != TM_NONE) {
        snprintf(line, sizeof line, "Running callback: %s", tm_text(tr, tr->events[ls->callback].s1));
        y = list_row(c, x, y, w, VZ_C_CALLBACK, VZ_C_TEXT, line);
    } else if (ls->idle != TM_NONE) {
        tm_format_seconds(tr->idles[ls->idle].from, a, sizeof a);
        tm_format_seconds(tr->idles[ls->idle].until, b, sizeof b);
        snprintf(line, sizeof line, "Idle from %s to %s: nothing was ready", a, b);
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
    snprintf(line, sizeof line, "Ready queue: %zu handle%s%s", ls->n_ready, ls->n_ready == 1 ? "" : "s",
             ls->n_ready ? ", head first" : "");
    y = list_row(c, x, y, w, VZ_RGBA(0, 0, 0, 0), VZ_C_TEXT_DIM, line);
    for (size_t i = 0; i < cap_r; i++) {
        const tm_handle *h = &tr->handles[ls->ready[i]];
        if (h->task != TM_NONE)
            snprintf(line, sizeof line, "%zu. step of %s", i + 1, vz_task_name(run, h->task));
        else
            snprintf(line, sizeof line, "%zu. callback %s", i + 1, tm_text(tr, h->fn));
        if (i + 1 == cap_r && ls->n_ready > cap_r)
            snprintf(line + strlen(line), sizeof line - strlen(line), "   \xE2\x80\xA6 %zu more", ls->n_ready - cap_r);
        y = list_row(c, x + 10 * s, y, w - 10 * s, h->task != TM_NONE ? vz_state_color(TM_STATE_READY) : VZ_C_CALLBACK,
                     VZ_C_TEXT, line);
    }
    snprintf(line, sizeof line, "Timers: %zu pending%s", ls->n_timers, ls->n_timers ? ", soonest first" : "");
    y = list_row(c, x, y, w, VZ_RGBA(0, 0, 0, 0), VZ_C_TEXT_DIM, line);
    for (size_t i = 0; i < cap_t; i++) {
        const tm_timer *t = &tr->timers[ls->timers[i]];
        tm_format_seconds(t->when, a, sizeof a);
        const char *what = vz_timer_purpose(run, ls->timers[i]);
        if (t->created_by != TM_NONE)
            snprintf(line, sizeof line, "at %s  %s of %s", a, what, vz_task_name(run, t->created_by));
        else
            snprintf(line, sizeof line, "at %s  %s", a, what);
        if (i + 1 == cap_t && ls->n_timers > cap_t)
            snprintf(line + strlen(line), sizeof line - strlen(line), "   \xE2\x80\xA6 %zu more", ls->n_timers - cap_t);
        y = list_row(c, x + 10 * s, y, w - 10 * s, vz_marker_color(VZ_MK_TIMER), VZ_C_TEXT, line);
    }
    snprintf(line, sizeof line, "Waiting: %zu of %zu live task%s", ls->n_waiting, ls->n_alive,
             ls->n_alive == 1 ? "" : "s");
    y = list_row(c, x, y, w, VZ_RGBA(0, 0, 0, 0), VZ_C_TEXT_DIM, line);
    for (size_t i = 0; i < cap_w; i++) {
        const tm_span *sp = &tr->spans[ls->waiting_span[i]];
        snprintf(line, sizeof line, "%s \xE2\x86\x90 %s", vz_task_name(run, ls->waiting[i]),
                 *tm_text(tr, sp->label) ? tm_text(tr, sp->label) : vz_future_label(run, sp->fut));
        if (i + 1 == cap_w && ls->n_waiting > cap_w)
            snprintf(line + strlen(line), sizeof line - strlen(line), "   \xE2\x80\xA6 %zu more", ls->n_waiting - cap_w);
        y = list_row(c, x + 10 * s, y, w - 10 * s, vz_state_color(TM_STATE_WAITING), VZ_C_TEXT, line);
    }
    vz_dl_unclip(c->dl);
    return y;
}

static void inspector(vz__lctx *c, vz_rect r)
{
    const vz_ui *ui = c->ui;
    float s = c->s;
    float y = vz__panel(c, r, "Inspector"), x = r.x + VZ_M_PAD * s, w = r.w - 2 * VZ_M_PAD * s, ymax = r.y + r.h;
    char line[400], a[32], b[32], d[32];
    vz_dl_clip(c->dl, r.x, r.y, r.w, r.h);
    vz_dl_tag(c->dl, VZ_TAG_PANEL, 2, ui->sel_run, ui->sel);
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
        snprintf(line, sizeof line, "%s  \xC2\xB7  %s()", tm_text(tr, tk->name), tm_text(tr, tk->coro));
        vz_dl_text(c->dl, VZ_FONT_BOLD, x, y, w, VZ_C_TEXT, line);
        y += lh + 2 * s;
        tm_format_seconds(tr->events[tk->ev_new].t, a, sizeof a);
        if (tk->parent != TM_NONE)
            snprintf(line, sizeof line, "created by %s at %s (event #%u)", vz_task_name(run, tk->parent), a,
                     tr->events[tk->ev_new].seq);
        else
            snprintf(line, sizeof line, "created by the program at %s (event #%u)", a, tr->events[tk->ev_new].seq);
        y += vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT, line);
        tm_format_seconds(tk->t_running, a, sizeof a);
        tm_format_seconds(tk->t_ready, b, sizeof b);
        tm_format_seconds(tk->t_waiting, d, sizeof d);
        snprintf(line, sizeof line, "running %s in %u step%s  \xC2\xB7  ready %s  \xC2\xB7  waiting %s", a, tk->steps,
                 tk->steps == 1 ? "" : "s", b, d);
        y += vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT, line);
        vz_wait_sum waits[6];
        size_t n = vz_task_waits(run, ui->sel, waits, 6);
        if (n) {
            int len = snprintf(line, sizeof line, "awaited:");
            for (size_t i = 0; i < n && len > 0 && (size_t)len < sizeof line; i++) {
                tm_format_seconds(waits[i].seconds, a, sizeof a);
                len += snprintf(line + len, sizeof line - (size_t)len, "%s %s%s (%s)", i ? "," : "",
                                tm_text(tr, waits[i].label), waits[i].count > 1 ? " \xC3\x97n" : "", a);
            }
            y += vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT, line);
        }
        const char *res = tm_text(tr, tk->result), *msg = tm_text(tr, tk->msg);
        tm_state st = TM_STATE_DONE;
        switch (tk->outcome) {
        case TM_OUTCOME_RESULT:
            snprintf(line, sizeof line, "outcome: returned %s", res);
            break;
        case TM_OUTCOME_EXCEPTION:
            snprintf(line, sizeof line, "outcome: raised %s%s%s", res, *msg ? ": " : "", msg);
            st = TM_STATE_FAILED;
            break;
        case TM_OUTCOME_CANCELLED:
            snprintf(line, sizeof line, "outcome: cancelled%s%s", *msg ? ": " : "", msg);
            st = TM_STATE_CANCELLED;
            break;
        default:
            snprintf(line, sizeof line, "outcome: still pending when the trace ends");
            st = TM_STATE_WAITING;
        }
        if (tk->ev_done != TM_NONE) {
            tm_format_seconds(tr->events[tk->ev_done].t, a, sizeof a);
            int later = run->cur == TM_NONE || tk->ev_done > run->cur;
            snprintf(line + strlen(line), sizeof line - strlen(line), " at %s%s", a,
                     later ? "  (after the playhead)" : "");
        }
        y += 2 * s;
        vz_dl_rect(c->dl, x, y + 4 * s, 4 * s, lh - 8 * s, vz_state_color(st));
        y += vz__wrap(c, VZ_FONT_BODY, x + 10 * s, y, w - 10 * s, ymax, vz_state_text_color(st), line);
    } else if (ui->sel_kind == VZ_SEL_EVENT && ui->sel < tr->n_events) {
        const tm_event *e = &tr->events[ui->sel];
        tm_format_seconds(e->t, a, sizeof a);
        snprintf(line, sizeof line, "event #%u  \xC2\xB7  %s  \xC2\xB7  t = %s", e->seq, tm_kind_name((tm_kind)e->kind), a);
        vz_dl_text(c->dl, VZ_FONT_BOLD, x, y, w, VZ_C_TEXT, line);
        y += lh + 2 * s;
        vz_event_text(run, ui->sel, line, sizeof line);
        y += vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT, line);
        if (e->by != TM_NONE || e->kind == TM_EV_CB_RUN) {
            snprintf(line, sizeof line, "while %s was running", e->by != TM_NONE ? vz_task_name(run, e->by) : "the loop");
            y += vz__wrap(c, VZ_FONT_BODY, x, y, w, ymax, VZ_C_TEXT_DIM, line);
        }
        /* Causes and effects from the model's links. */
        for (size_t i = 0; i < tr->n_links && y < ymax; i++) {
            const tm_link *lk = &tr->links[i];
            if (lk->from != ui->sel && lk->to != ui->sel)
                continue;
            char other[300];
            vz_event_text(run, lk->from == ui->sel ? lk->to : lk->from, other, sizeof other);
            snprintf(line, sizeof line, "%s %s: %s", lk->from == ui->sel ? "\xE2\x86\x92 causes" : "\xE2\x86\x90 caused by",
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
    for (size_t i = 0; i < doc->n_runs; i++)
        total += doc->runs[i].n_findings;
    char title[64];
    snprintf(title, sizeof title, "Findings (%zu)", total);
    float y = vz__panel(c, r, title), x = r.x + VZ_M_PAD * s, w = r.w - 2 * VZ_M_PAD * s, ymax = r.y + r.h - 4 * s;
    vz_dl_clip(c->dl, r.x, r.y, r.w, r.h);
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
                snprintf(head, sizeof head, "%s \xE2\x80\x94 %s", run->label, vz_finding_heading((vz_finding_kind)f->kind));
            else
                snprintf(head, sizeof head, "%s", vz_finding_heading((vz_finding_kind)f->kind));
            vz_dl_tag(c->dl, VZ_TAG_PANEL, 3, (unsigned)ri, (uint32_t)i);
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
    const vz_loop_state *ls = &focus_run(c)->loop;
    float lh = vz__line_h(c, VZ_FONT_BODY) + 1 * s;
    size_t lines = 5 + (ls->n_ready < 6 ? ls->n_ready : 6) + (ls->n_timers < 4 ? ls->n_timers : 4) +
                   (ls->n_waiting < 6 ? ls->n_waiting : 6);
    float loop_h = lines * lh + vz__line_h(c, VZ_FONT_BOLD) + 20 * s;
    if (loop_h > side.h * 0.45f)
        loop_h = side.h * 0.45f;
    float insp_h = side.h * 0.25f;
    vz_rect a = {side.x + gap, side.y + gap, side.w - 2 * gap, loop_h};
    vz_rect b = {a.x, a.y + a.h + gap, a.w, insp_h};
    vz_rect f = {a.x, b.y + b.h + gap, a.w, side.y + side.h - (b.y + b.h + gap) - gap};
    vz_dl_tag(c->dl, VZ_TAG_PANEL, 0, 0, 0);
    vz_dl_rect(c->dl, side.x, side.y, side.w, side.h, VZ_C_BG);
    loop_panel(c, a);
    inspector(c, b);
    if (f.h > 30 * s)
        findings_panel(c, f);
}

/* ---- the bottom panels --------------------------------------------------------------------- */

static void event_list(vz__lctx *c, vz_rect r)
{
    const vz_ui *ui = c->ui;
    const vz_run *run = focus_run(c);
    const tm_trace *tr = run->tr;
    float s = c->s;
    char title[200];
    if (c->doc->n_runs > 1)
        snprintf(title, sizeof title, "Events \xE2\x80\x94 %s  (\xE2\x86\x90 \xE2\x86\x92 step, click to jump)", run->label);
    else
        snprintf(title, sizeof title, "Events  (\xE2\x86\x90 \xE2\x86\x92 step, click to jump)");
    float y = vz__panel(c, r, title) - 3 * s, lh = vz__line_h(c, VZ_FONT_MONO) + 2 * s;
    size_t rows = (size_t)((r.y + r.h - y - 4 * s) / lh);
    if (!rows || !tr->n_events)
        return;
    size_t cur = run->cur == TM_NONE ? 0 : run->cur;
    size_t start = cur > rows / 3 ? cur - rows / 3 : 0;
    if (start + rows > tr->n_events)
        start = tr->n_events > rows ? tr->n_events - rows : 0;
    float x = r.x + VZ_M_PAD * s, seq_w = vz__text_w(c, VZ_FONT_MONO, "#000000"),
          t_w = vz__text_w(c, VZ_FONT_MONO, "000.000 ms"), k_w = vz__text_w(c, VZ_FONT_MONO, "timer_cancel ");
    vz_dl_clip(c->dl, r.x, r.y, r.w, r.h);
    for (size_t i = start; i < start + rows && i < tr->n_events; i++) {
        const tm_event *e = &tr->events[i];
        int future = run->cur == TM_NONE || i > run->cur, here = run->cur != TM_NONE && i == run->cur;
        int selected = ui->sel_kind == VZ_SEL_EVENT && ui->sel_run == ui->focus && ui->sel == i;
        vz_dl_tag(c->dl, VZ_TAG_PANEL, 4, (unsigned)ui->focus, (uint32_t)i);
        if (here) {
            vz_dl_rect(c->dl, r.x + 1, y, r.w - 2, lh, VZ_C_SELECT);
            vz_dl_rect(c->dl, r.x + 1, y, 4 * s, lh, VZ_C_PLAYHEAD);
        } else if (selected) {
            vz_dl_frame(c->dl, r.x + 1, y, r.w - 2, lh, VZ_C_SELECT_LINE);
        }
        vz_color tc = future ? VZ_C_TEXT_FAINT : vz_is_decision(e) ? VZ_C_TEXT : VZ_C_TEXT_DIM;
        char buf[300], t[32];
        snprintf(buf, sizeof buf, "#%u", e->seq);
        float ty = y + 1 * s;
        vz_dl_text(c->dl, VZ_FONT_MONO, x + seq_w - vz__text_w(c, VZ_FONT_MONO, buf), ty, 0, tc, buf);
        tm_format_seconds(e->t, t, sizeof t);
        vz_dl_text(c->dl, VZ_FONT_MONO, x + seq_w + 10 * s + t_w - vz__text_w(c, VZ_FONT_MONO, t), ty, 0, tc, t);
        float kx = x + seq_w + t_w + 22 * s;
        vz_dl_text(c->dl, VZ_FONT_MONO, kx, ty, k_w, tc, tm_kind_name((tm_kind)e->kind));
        vz_event_text(run, (uint32_t)i, buf, sizeof buf);
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
    const vz_run *run = focus_run(c);
    const tm_trace *tr = run->tr;
    float s = c->s;
    char title[200];
    if (c->doc->n_runs > 1)
        snprintf(title, sizeof title, "Output \xE2\x80\x94 %s", run->label);
    else
        snprintf(title, sizeof title, "Output");
    float y = vz__panel(c, r, title), lh = vz__line_h(c, VZ_FONT_MONO) + 2 * s, x = r.x + VZ_M_PAD * s;
    size_t rows = (size_t)((r.y + r.h - y - 4 * s) / lh), done = prints_done(run);
    vz_dl_clip(c->dl, r.x, r.y, r.w, r.h);
    vz_dl_tag(c->dl, VZ_TAG_PANEL, 5, (unsigned)c->ui->focus, 0);
    if (!done) {
        vz_dl_text(c->dl, VZ_FONT_BODY, x, y, r.w - 2 * VZ_M_PAD * s, VZ_C_TEXT_DIM,
                   tr->n_prints ? "(nothing printed yet)" : "(this program prints nothing)");
    }
    size_t first = done > rows ? done - rows : 0;
    float tw = vz__text_w(c, VZ_FONT_MONO, "00.00 s ");
    for (size_t i = first; i < done; i++) {
        const tm_event *e = &tr->events[tr->prints[i]];
        char t[32], who[160];
        tm_format_seconds(e->t, t, sizeof t);
        vz_dl_text(c->dl, VZ_FONT_MONO, x, y, 0, VZ_C_TEXT_DIM, t);
        snprintf(who, sizeof who, "%s", e->task != TM_NONE ? vz_task_name(run, e->task) : "-");
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
    vz_dl_tag(c->dl, VZ_TAG_PANEL, 0, 0, 0);
    vz_dl_rect(c->dl, c->g.bottom.x, c->g.bottom.y, c->g.bottom.w, c->g.bottom.h, VZ_C_BG);
    event_list(c, e);
    output_panel(c, o);
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
    case VZ_ACT_SEARCH: return "Filter tasks by name (/)";
    default: return NULL;
    }
}

static size_t tip_lines(vz__lctx *c, const vz_hit *h, char lines[4][300])
{
    const vz_doc *doc = c->doc;
    if (h->kind == VZ_HIT_BUTTON) {
        const char *t = button_tip(h->a, h->b);
        if (!t)
            return 0;
        snprintf(lines[0], 300, "%s", t);
        return 1;
    }
    if (h->kind == VZ_HIT_AXIS) {
        snprintf(lines[0], 300, "Drag along the axis to move the playhead");
        return 1;
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
        if (sp->state == TM_STATE_WAITING)
            snprintf(lines[0], 300, "%s \xE2\x80\x94 waiting on %s", vz_task_name(run, h->a),
                     *tm_text(tr, sp->label) ? tm_text(tr, sp->label) : vz_future_label(run, sp->fut));
        else
            snprintf(lines[0], 300, "%s \xE2\x80\x94 %s", vz_task_name(run, h->a),
                     sp->state < TM_STATE__COUNT ? what[sp->state] : "?");
        tm_format_seconds(tm_span_t0(tr, sp), a, sizeof a);
        tm_format_seconds(tm_span_t1(tr, sp), b, sizeof b);
        tm_format_seconds(tm_span_t1(tr, sp) - tm_span_t0(tr, sp), d, sizeof d);
        snprintf(lines[1], 300, "%s \xE2\x86\x92 %s  (%s)  \xC2\xB7  events #%u\xE2\x80\x93#%u", a, b, d,
                 tr->events[sp->ev_begin].seq, tr->events[sp->ev_end].seq);
        snprintf(lines[2], 300, "click to inspect the task");
        return 3;
    }
    case VZ_HIT_LOOPSEG: {
        const vz_loopseg *sg = &run->segs[h->a];
        if (sg->kind == VZ_SEG_STEP) {
            snprintf(lines[0], 300, "the loop runs a step of %s", vz_task_name(run, sg->ref));
        } else if (sg->kind == VZ_SEG_CALLBACK) {
            snprintf(lines[0], 300, "the loop runs callback %s", tm_text(tr, tr->events[sg->ev].s1));
        } else {
            tm_format_seconds(tr->idles[sg->ref].from, a, sizeof a);
            tm_format_seconds(tr->idles[sg->ref].until, b, sizeof b);
            snprintf(lines[0], 300, "idle from %s to %s: nothing ready until the next timer", a, b);
            return 1;
        }
        tm_format_seconds(tr->events[sg->ev].t, a, sizeof a);
        snprintf(lines[1], 300, "at %s  \xC2\xB7  events #%u\xE2\x80\x93#%u", a, tr->events[sg->ev].seq,
                 tr->events[sg->ev_end].seq);
        return 2;
    }
    case VZ_HIT_FRAME: {
        const tm_frame *fr = &tr->frames[h->b];
        snprintf(lines[0], 300, "await %s%s  (in %s)", tm_text(tr, fr->fn), tm_text(tr, fr->args),
                 vz_task_name(run, fr->task));
        tm_format_seconds(tr->events[fr->ev_enter].t, a, sizeof a);
        if (fr->ev_exit != TM_NONE) {
            tm_format_seconds(tr->events[fr->ev_exit].t, b, sizeof b);
            tm_format_seconds(tr->events[fr->ev_exit].t - tr->events[fr->ev_enter].t, d, sizeof d);
            snprintf(lines[1], 300, "%s \xE2\x86\x92 %s  (%s)", a, b, d);
        } else {
            snprintf(lines[1], 300, "from %s, never returned", a);
        }
        return 2;
    }
    case VZ_HIT_MARKER:
        vz_event_text(run, h->a, lines[0], 300);
        tm_format_seconds(tr->events[h->a].t, a, sizeof a);
        snprintf(lines[1], 300, "t = %s  \xC2\xB7  event #%u  \xC2\xB7  click to inspect", a, tr->events[h->a].seq);
        return 2;
    case VZ_HIT_LANE:
        if (h->a == TM_NONE) {
            snprintf(lines[0], 300, "The event loop: which handle it ran, and when it sat idle");
            return 1;
        } else {
            const tm_task *tk = &tr->tasks[h->a];
            snprintf(lines[0], 300, "%s runs %s()", tm_text(tr, tk->name), tm_text(tr, tk->coro));
            tm_format_seconds(tr->events[tk->ev_new].t, a, sizeof a);
            snprintf(lines[1], 300, "created by %s at %s  \xC2\xB7  click to inspect", vz_task_name(run, tk->parent), a);
            return 2;
        }
    case VZ_HIT_RUN:
        snprintf(lines[0], 300, "%s", run->path);
        snprintf(lines[1], 300, "%zu events, %s clock  \xC2\xB7  click to follow this trace in the panels", tr->n_events,
                 tm_text(tr, tr->clock));
        return 2;
    case VZ_HIT_EVENT_ROW:
        snprintf(lines[0], 300, "click to move the playhead to event #%u", tr->events[h->a].seq);
        return 1;
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
        {"N", "next trace for the panels (comparison)"},
        {"Tab", "panels on / off (more room for lanes)"},
        {"Ctrl + / Ctrl \xE2\x88\x92", "bigger / smaller text and lanes"},
        {"click", "select a task or event; drag the axis to scrub"},
        {"H  ?  Esc", "this help on / off"},
        {"Q", "quit"},
    };
    const vz_ui *ui = c->ui;
    float s = c->s, lh = vz__line_h(c, VZ_FONT_BODY) + 5 * s;
    size_t n = sizeof keys / sizeof keys[0];
    float w = 640 * s, h = n * lh + 120 * s;
    if (w > ui->w - 20)
        w = (float)ui->w - 20;
    if (h > ui->h - 20)
        h = (float)ui->h - 20;
    float x = (ui->w - w) / 2, y = (ui->h - h) / 2;
    vz_dl_tag(c->dl, VZ_TAG_HELP, 0, 0, 0);
    vz_dl_rect(c->dl, 0, 0, (float)ui->w, (float)ui->h, VZ_C_SHADE);
    vz_dl_hit(c->dl, 0, 0, (float)ui->w, (float)ui->h, VZ_HIT_PANEL, 0, 0, 0);
    vz_dl_rect(c->dl, x, y, w, h, VZ_C_PANEL);
    vz_dl_frame(c->dl, x, y, w, h, VZ_C_BORDER);
    vz_dl_clip(c->dl, x, y, w, h);
    vz_dl_text(c->dl, VZ_FONT_TITLE, x + 20 * s, y + 14 * s, w - 40 * s, VZ_C_TEXT, "coroscope viewer \xE2\x80\x94 keys");
    float ty = y + 24 * s + vz__line_h(c, VZ_FONT_TITLE);
    ty += vz__wrap(c, VZ_FONT_BODY, x + 20 * s, ty, w - 40 * s, y + h, VZ_C_TEXT_DIM,
                   "One lane per task, the event loop on top. The playhead replays the schedule one scheduler "
                   "decision at a time; what lies after it is dimmed.");
    ty += 8 * s;
    for (size_t i = 0; i < n; i++) {
        vz_dl_text(c->dl, VZ_FONT_BOLD, x + 20 * s, ty, 190 * s, VZ_C_TEXT, keys[i][0]);
        vz_dl_text(c->dl, VZ_FONT_BODY, x + 220 * s, ty, w - 240 * s, VZ_C_TEXT, keys[i][1]);
        ty += lh;
    }
    vz_dl_unclip(c->dl);
}
