/*
** layout_lesson_menu.c -- the lesson menu on screen (lesson_menu.h): a
** heading with how far the student is overall, then one card per lesson --
** its number, title, level, minutes, topics and number of questions on the
** left, the student's progress (new, begun, done, with the best score as a
** bar) on the right -- and the keys along the bottom. Commands are tagged
** VZ_TAG_LESSON with the VZ_LM_* parts (layout_lesson.h), so a layout dump
** shows which lessons were listed and which was highlighted.
*/
#include <stdio.h>
#include <string.h>

#include "layout_internal.h"
#include "layout_lesson.h"

/* Heights, in unscaled pixels. */
#define MENU_PAD 28.0f
#define HINT_H 40.0f

static float head_h(const vz__lctx *c)
{
    return MENU_PAD * c->s + vz__line_h(c, VZ_FONT_TITLE) + vz__line_h(c, VZ_FONT_SMALL) + 18 * c->s;
}

static float card_h(const vz__lctx *c)
{
    return vz__line_h(c, VZ_FONT_BOLD) + vz__line_h(c, VZ_FONT_SMALL) + 20 * c->s;
}

static size_t rows_fit(const vz__lctx *c, int H)
{
    float room = (float)H - head_h(c) - HINT_H * c->s - 8 * c->s;
    float per = card_h(c) + 8 * c->s;
    long k = per > 0 ? (long)(room / per) : 1;
    return k < 1 ? 1 : (size_t)k;
}

size_t vz_lesson_menu_rows(const vz_ui *ui, const vz_text_metrics *tm)
{
    vz__lctx c = {.ui = ui, .tm = tm, .s = ui->scale};
    return rows_fit(&c, ui->h);
}

/* "level · about N min · topics · K questions" for a lesson. */
static void details(const lesson *L, char *buf, size_t size)
{
    size_t k = 0;
    int n = snprintf(buf, size, "%s%sabout %d min", L->level ? L->level : "", L->level ? " \xC2\xB7 " : "",
                     L->minutes);
    k = n > 0 && (size_t)n < size ? (size_t)n : size - 1;
    for (size_t i = 0; i < L->n_topics && k + 8 < size; i++) {
        n = snprintf(buf + k, size - k, "%s%s", i ? ", " : " \xC2\xB7 ", L->topics[i]);
        k = n > 0 && (size_t)(n) < size - k ? k + (size_t)n : size - 1;
    }
    size_t q = lesson_graded(L);
    if (k + 8 < size)
        snprintf(buf + k, size - k, " \xC2\xB7 %zu question%s", q, q == 1 ? "" : "s");
}

static void card(vz__lctx *c, const vz_lesson_menu *m, size_t i, float x, float y, float w)
{
    vz_drawlist *dl = c->dl;
    const vz_menu_item *it = &m->items[i];
    const lesson *L = it->L;
    float s = c->s, h = card_h(c);
    int sel = i == m->sel;
    vz_dl_tag(dl, VZ_TAG_LESSON, sel ? VZ_LM_SELECTED : VZ_LM_ITEM, 0, (uint32_t)i);
    vz_dl_rect(dl, x, y, w, h, sel ? VZ_C_SELECT : VZ_C_PANEL);
    vz_dl_frame(dl, x, y, w, h, sel ? VZ_C_SELECT_LINE : VZ_C_BORDER);
    if (sel)
        vz_dl_frame(dl, x + 1, y + 1, w - 2, h - 2, VZ_C_SELECT_LINE);
    vz_dl_hit(dl, x, y, w, h, VZ_HIT_LESSON, 0, (uint32_t)i, 0);
    char num[24];
    snprintf(num, sizeof num, "%zu", i + 1);
    float nx = x + 14 * s, tx = x + 56 * s, ty = y + 10 * s;
    vz_dl_text(dl, VZ_FONT_TITLE, nx, ty + 2 * s, 40 * s, VZ_C_TEXT_DIM, num);
    /* The progress on the right: a word and a bar of the best score. */
    float pw = 170 * s, px = x + w - pw - 14 * s;
    char prog[64];
    vz_color pc = VZ_C_TEXT_DIM;
    if (it->state == VZ_MENU_NEW)
        snprintf(prog, sizeof prog, "new");
    else {
        snprintf(prog, sizeof prog, "%s \xC2\xB7 best %d/%d", it->state == VZ_MENU_DONE ? "done" : "begun", it->best,
                 it->of);
        pc = it->state == VZ_MENU_DONE ? VZ_C_ON_DONE : VZ_C_ON_WAITING;
    }
    vz_dl_tag(dl, VZ_TAG_LESSON, VZ_LM_PROGRESS, 0, (uint32_t)i);
    vz_dl_text(dl, VZ_FONT_SMALL, px, ty + 2 * s, pw, pc, prog);
    float by = ty + vz__line_h(c, VZ_FONT_SMALL) + 6 * s, bh = 6 * s;
    vz_dl_rect(dl, px, by, pw, bh, VZ_C_STRIPE);
    if (it->state != VZ_MENU_NEW && it->of > 0) {
        float f = (float)it->best / (float)it->of;
        f = f < 0 ? 0 : f > 1 ? 1 : f;
        vz_dl_rect(dl, px, by, pw * f, bh, pc);
    }
    /* The lesson. */
    vz_dl_tag(dl, VZ_TAG_LESSON, sel ? VZ_LM_SELECTED : VZ_LM_ITEM, 0, (uint32_t)i);
    float tw = px - tx - 16 * s;
    vz_dl_text(dl, VZ_FONT_BOLD, tx, ty, tw, VZ_C_TEXT, L->title ? L->title : L->id ? L->id : "(untitled)");
    char d[512];
    details(L, d, sizeof d);
    vz_dl_text(dl, VZ_FONT_SMALL, tx, ty + vz__line_h(c, VZ_FONT_BOLD) + 2 * s, tw, VZ_C_TEXT_DIM, d);
}

void vz_layout_lesson_menu(const vz_lesson_menu *m, const vz_ui *ui, const vz_text_metrics *tm, vz_drawlist *dl)
{
    vz_dl_reset(dl);
    vz__lctx c = {.ui = ui, .tm = tm, .dl = dl, .s = ui->scale};
    float s = c.s, W = (float)ui->w, H = (float)ui->h;
    float pad = MENU_PAD * s, w = W - 2 * pad;
    if (w > 1100 * s) {                 /* a readable column on a wide screen */
        w = 1100 * s;
        pad = (W - w) / 2;
    }
    vz_dl_tag(dl, VZ_TAG_LESSON, VZ_LM_FRAME, 0, 0);
    vz_dl_rect(dl, 0, 0, W, H, VZ_C_BG);
    vz_dl_hit(dl, 0, 0, W, H, VZ_HIT_PANEL, 0, 0, 0);
    float y = MENU_PAD * s;
    vz_dl_text(dl, VZ_FONT_TITLE, pad, y, w, VZ_C_TEXT, "coroscope lessons");
    y += vz__line_h(&c, VZ_FONT_TITLE) + 2 * s;
    char head[1400];
    snprintf(head, sizeof head, "%zu lesson%s%s%s \xC2\xB7 %zu done \xC2\xB7 %zu begun", m->n, m->n == 1 ? "" : "s",
             m->where && *m->where ? " from " : "", m->where ? m->where : "", vz_menu_count(m, VZ_MENU_DONE),
             vz_menu_count(m, VZ_MENU_BEGUN));
    vz_dl_text(dl, VZ_FONT_SMALL, pad, y, w, VZ_C_TEXT_DIM, head);
    y = head_h(&c);
    if (!m->n) {
        vz_dl_tag(dl, VZ_TAG_LESSON, VZ_LM_EMPTY, 0, 0);
        y += vz__wrap(&c, VZ_FONT_BODY, pad, y, w, H - HINT_H * s, VZ_C_TEXT,
                      "No lessons here. `coroscope lesson new NAME` writes a template to start from; "
                      "--dir DIR or COROSCOPE_LESSONS=DIR names a folder of lessons.");
    }
    size_t rows = rows_fit(&c, ui->h), top = m->top < m->n ? m->top : 0;
    float step = card_h(&c) + 8 * s;
    for (size_t i = top; i < m->n && i < top + rows; i++, y += step)
        card(&c, m, i, pad, y, w);
    /* What lies above and below the cards shown. */
    vz_dl_tag(dl, VZ_TAG_LESSON, VZ_LM_MORE, 0, 0);
    char more[64];
    if (top) {
        snprintf(more, sizeof more, "\xE2\x96\xB2 %zu more above", top);
        vz_dl_text(dl, VZ_FONT_SMALL, pad + w - 140 * s, head_h(&c) - 16 * s, 140 * s, VZ_C_TEXT_DIM, more);
    }
    if (top + rows < m->n) {
        snprintf(more, sizeof more, "\xE2\x96\xBC %zu more below", m->n - top - rows);
        vz_dl_text(dl, VZ_FONT_SMALL, pad + w - 140 * s, y - 4 * s, 140 * s, VZ_C_TEXT_DIM, more);
    }
    vz_dl_tag(dl, VZ_TAG_LESSON, VZ_LM_HINT, 0, 0);
    float by = H - HINT_H * s;
    vz_dl_rect(dl, 0, by, W, HINT_H * s, VZ_C_PANEL_HEAD);
    vz_dl_text(dl, VZ_FONT_SMALL, pad, by + 12 * s, w, VZ_C_TEXT_DIM,
               "\xE2\x86\x91 \xE2\x86\x93 choose \xC2\xB7 Enter or a click opens the lesson \xC2\xB7 "
               "closing the lesson comes back here \xC2\xB7 Q quits");
}
