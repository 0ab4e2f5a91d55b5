/*
** layout_lesson.c -- the viewer's lesson mode on screen: the lesson panel on
** the left (the block being taken: prose, a question with its options and the
** feedback, a reveal's key moment, a variant's change, a task's goal) and, to
** its right, the timeline of what the student may see so far -- the ordinary
** viewer's layout, laid out in the remaining width and moved across.
**
** Before a question is answered nothing of the outcome is drawn: the doc holds
** no run, or the run cut at the question's moment (lesson_view.h), and the
** panel says so. Commands of the panel are tagged VZ_TAG_LESSON, so a layout
** dump shows what the student saw.
*/
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "layout_internal.h"
#include "layout_lesson.h"

/* Parts of the lesson panel (the tag's sub). */
enum { LP_FRAME, LP_TEXT, LP_OPTION, LP_FEEDBACK, LP_CODE, LP_HINT, LP_PLACEHOLDER, LP_MORE };

typedef struct lp {
    vz__lctx *c;
    float x, w, y, y_max;       /* the column, and where the next line goes */
} lp;

static void tag(lp *p, unsigned part, uint32_t ref)
{
    vz_dl_tag(p->c->dl, VZ_TAG_LESSON, part, 0, ref);
}

static void gap(lp *p, float px)
{
    p->y += px * p->c->s;
}

/* Inline Markdown marks dropped for drawing: backticks, and the asterisks of
** *emphasis* and **strong** (an asterisk between spaces, as in 2 * 3, stays). */
static void unmark(char *dst, size_t size, const char *s)
{
    size_t k = 0;
    for (size_t i = 0; s[i] && k + 1 < size; i++) {
        char c = s[i];
        if (c == '`')
            continue;
        if (c == '*') {
            int before = i == 0 || s[i - 1] == ' ' || s[i - 1] == '(' || s[i - 1] == '*';
            int after = !s[i + 1] || s[i + 1] == ' ' || strchr(".,;:!?)", s[i + 1]) || s[i + 1] == '*';
            if (before != after)
                continue;
        }
        dst[k++] = c;
    }
    dst[k] = 0;
}

static void para(lp *p, vz_font font, vz_color col, const char *text, float indent)
{
    if (!*text)
        return;
    size_t n = strlen(text) + 1;
    char *plain = co_malloc(n);
    if (plain)
        unmark(plain, n, text);
    p->y += vz__wrap(p->c, font, p->x + indent, p->y, p->w - indent, p->y_max, col, plain ? plain : text);
    co_free(plain);
}

/* A line of code (tabs as spaces), with its number. */
static void code_line(lp *p, int n, const char *s, size_t len, vz_color col)
{
    char buf[400];
    int k = snprintf(buf, sizeof buf, "%3d  ", n);
    for (size_t i = 0; i < len && k < (int)sizeof buf - 4; i++)
        buf[k++] = s[i] == '\t' ? ' ' : s[i];
    buf[k] = 0;
    float lh = vz__line_h(p->c, VZ_FONT_MONO);
    if (p->y + lh <= p->y_max)
        vz_dl_text(p->c->dl, VZ_FONT_MONO, p->x, p->y, p->w, col, buf);
    p->y += lh;
}

/* Markdown, lightly: headings, paragraphs and list items wrapped, fenced code numbered. */
static void markdown(lp *p, const char *md)
{
    char para_buf[4096];
    size_t plen = 0;
    int in_code = 0, line_no = 0;
    float indent = 0;
    const char *s = md;
#define FLUSH()                                                                  \
    do {                                                                         \
        if (plen) {                                                              \
            para_buf[plen] = 0;                                                  \
            para(p, VZ_FONT_BODY, VZ_C_TEXT, para_buf, indent);                  \
            gap(p, 4);                                                           \
            plen = 0;                                                            \
            indent = 0;                                                          \
        }                                                                        \
    } while (0)
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        const char *l = s;
        s = nl ? nl + 1 : s + n;
        if (n >= 3 && !strncmp(l, "```", 3)) {
            FLUSH();
            in_code = !in_code;
            line_no = 0;
            continue;
        }
        if (in_code) {
            tag(p, LP_CODE, 0);
            code_line(p, ++line_no, l, n, VZ_C_TEXT);
            tag(p, LP_TEXT, 0);
            continue;
        }
        if (!n) {
            FLUSH();
            continue;
        }
        if (l[0] == '#') {
            FLUSH();
            while (n && (*l == '#' || *l == ' '))
                l++, n--;
            char h[400];
            snprintf(h, sizeof h, "%.*s", (int)n, l);
            gap(p, 4);
            para(p, VZ_FONT_TITLE, VZ_C_TEXT, h, 0);
            gap(p, 4);
            continue;
        }
        if ((l[0] == '-' || l[0] == '*') && n > 1 && l[1] == ' ') {
            FLUSH();
            if (plen + 4 < sizeof para_buf) {
                memcpy(para_buf, "\xE2\x80\xA2 ", 4);   /* a bullet */
                plen = 4;
            }
            l += 2, n -= 2;
            indent = 8 * p->c->s;
        }
        if (plen + n + 2 < sizeof para_buf) {
            if (plen && para_buf[plen - 1] != ' ')
                para_buf[plen++] = ' ';
            memcpy(para_buf + plen, l, n);
            plen += n;
        }
    }
    FLUSH();
#undef FLUSH
}

static void listing(lp *p, const ls_program *prog, int mark_a, int mark_b)
{
    if (!prog->text) {
        para(p, VZ_FONT_BODY, VZ_C_TEXT_DIM, "(a built-in scenario: its Python twin appears with the run)", 0);
        return;
    }
    tag(p, LP_CODE, 0);
    const char *s = prog->text;
    int n = 1;
    while (*s && p->y < p->y_max) {
        const char *nl = strchr(s, '\n');
        size_t len = nl ? (size_t)(nl - s) : strlen(s);
        code_line(p, n, s, len, n >= mark_a && n <= mark_b ? VZ_C_PLAYHEAD : VZ_C_TEXT);
        s = nl ? nl + 1 : s + len;
        n++;
    }
    tag(p, LP_TEXT, 0);
    gap(p, 6);
}

static void question(lp *p, const vz_lesson_view *lv, const ls_block *b)
{
    vz__lctx *c = p->c;
    float s = c->s;
    const ls_program *prog = &lv->L->programs[b->program];
    char line[1200];
    snprintf(line, sizeof line, "Question \xE2\x80\x94 %s", prog->name);
    para(p, VZ_FONT_BOLD, VZ_C_TEXT_DIM, line, 0);
    gap(p, 4);
    listing(p, prog, 0, 0);
    markdown(p, b->body ? b->body : "");
    const char *choices[64];
    size_t nc = lesson_choices(lv->L, b, choices, 64);
    int show_options = b->ask == LS_ASK_CHOICE || b->ask == LS_ASK_TRUEFALSE || b->ask == LS_ASK_ORDER ||
                       (b->ask == LS_ASK_NEXT && nc);
    if (show_options) {
        for (size_t i = 0; i < nc && p->y < p->y_max; i++) {
            int chosen = lv->answered ? lv->verdict.option == (int)i : lv->choice == (int)i;
            float top = p->y, lh = vz__line_h(c, VZ_FONT_BODY);
            tag(p, LP_OPTION, (uint32_t)i);
            if (chosen)
                vz_dl_rect(c->dl, p->x, top, p->w, lh + 10 * s, VZ_C_SELECT);
            snprintf(line, sizeof line, "%zu", i + 1);
            vz_dl_text(c->dl, VZ_FONT_BOLD, p->x + 10 * s, top + 5 * s, 20 * s, VZ_C_TEXT_DIM, line);
            float h = vz__wrap(c, VZ_FONT_BODY, p->x + 34 * s, top + 5 * s, p->w - 44 * s, p->y_max, VZ_C_TEXT,
                               choices[i]);
            /* drawn under the text: the box goes first in painting order */
            vz_dl_frame(c->dl, p->x, top, p->w, h + 10 * s, chosen ? VZ_C_SELECT_LINE : VZ_C_BORDER);
            if (chosen)
                vz_dl_rect(c->dl, p->x + 1, top + 1, 4 * s, h + 8 * s, VZ_C_SELECT_LINE);
            vz_dl_hit(c->dl, p->x, top, p->w, h + 10 * s, VZ_HIT_LESSON, 0, (uint32_t)i, 0);
            p->y = top + h + 14 * s;
        }
    }
    int typed = !lv->answered && !lv->present &&
                (b->ask == LS_ASK_NUMBER || b->ask == LS_ASK_ORDER || b->ask == LS_ASK_TEXT || b->ask == LS_ASK_PICK ||
                 (b->ask == LS_ASK_NEXT && !nc));
    if (typed) {
        tag(p, LP_OPTION, UINT32_MAX);
        const char *how = b->ask == LS_ASK_NUMBER ? "Your answer (a number, e.g. 3 or 1.5 s):"
                        : b->ask == LS_ASK_ORDER ? "Your order (option numbers, e.g. 2 1 3):"
                        : b->ask == LS_ASK_PICK ? "The event's number (# in the event list):"
                        : b->ask == LS_ASK_NEXT ? "The task's name:" : "Your answer:";
        para(p, VZ_FONT_BODY, VZ_C_TEXT_DIM, how, 0);
        float top = p->y, lh = vz__line_h(c, VZ_FONT_MONO);
        vz_dl_rect(c->dl, p->x, top, p->w, lh + 10 * s, VZ_C_BUTTON);
        vz_dl_frame(c->dl, p->x, top, p->w, lh + 10 * s, VZ_C_SELECT_LINE);
        snprintf(line, sizeof line, "%s\xE2\x96\x8F", lv->typed);   /* a caret */
        vz_dl_text(c->dl, VZ_FONT_MONO, p->x + 8 * s, top + 5 * s, p->w - 16 * s, VZ_C_TEXT, line);
        p->y = top + lh + 16 * s;
    }
    if (lv->notice[0]) {
        tag(p, LP_HINT, 0);
        para(p, VZ_FONT_BODY, VZ_C_WARN_TEXT, lv->notice, 0);
    }
    if (lv->answered) {
        const ls_verdict *v = &lv->verdict;
        tag(p, LP_FEEDBACK, 0);
        gap(p, 6);
        if (b->ask == LS_ASK_TEXT) {
            para(p, VZ_FONT_BOLD, VZ_C_TEXT, "A model answer:", 0);
            para(p, VZ_FONT_BODY, VZ_C_TEXT, v->right, 0);
        } else {
            if (lv->present)
                snprintf(line, sizeof line, "The answer: %s", v->right);
            else if (!v->answered)
                snprintf(line, sizeof line, "\xE2\x9C\x97 No answer. The answer is %s.", v->right);
            else if (v->correct)
                snprintf(line, sizeof line, "\xE2\x9C\x93 Right: %s.", v->right);
            else
                snprintf(line, sizeof line, "\xE2\x9C\x97 Not quite: you said %s; the answer is %s.", v->given, v->right);
            para(p, VZ_FONT_BOLD, v->correct || lv->present ? VZ_C_ON_DONE : VZ_C_ON_FAILED, line, 0);
            if (v->feedback)
                para(p, VZ_FONT_BODY, VZ_C_TEXT, v->feedback, 10 * s);
        }
        gap(p, 4);
        tag(p, LP_HINT, 0);
        para(p, VZ_FONT_SMALL, VZ_C_TEXT_DIM, "Enter or N: go on", 0);
    }
}

static void reveal(lp *p, const vz_lesson_view *lv, const ls_block *b)
{
    para(p, VZ_FONT_BOLD, VZ_C_TEXT_DIM, "Watch the run", 0);
    gap(p, 4);
    char *body = lesson_interpolate(lv->L, b->program, b->body ? b->body : "", &lv->proto);
    markdown(p, body ? body : "");
    co_free(body);
    if (lv->has_doc && lv->target_ev != TM_NONE && lv->doc.n_runs) {
        char ev[300], line[340];
        vz_event_text(&lv->doc.runs[0], lv->target_ev, ev, sizeof ev);
        snprintf(line, sizeof line, "%s the key moment: %s", lv->playing_to ? "Playing to" : "Paused at", ev);
        tag(p, LP_FEEDBACK, 0);
        para(p, VZ_FONT_BOLD, VZ_C_PLAYHEAD, line, 0);
    }
}

static void variant(lp *p, const vz_lesson_view *lv, const ls_block *b)
{
    para(p, VZ_FONT_BOLD, VZ_C_TEXT_DIM, "The program, changed", 0);
    gap(p, 4);
    markdown(p, b->body ? b->body : "");
    int vi = -1;
    for (size_t i = 0; i < lv->L->n_programs; i++)
        if (lv->L->programs[i].variant && b->id && !strcmp(lv->L->programs[i].name, b->id))
            vi = (int)i;
    if (vi < 0 || b->program < 0)
        return;
    const char *a = lv->L->programs[b->program].text, *z = lv->L->programs[vi].text;
    int n = 1;
    tag(p, LP_CODE, 0);
    while (a && z && (*a || *z) && p->y < p->y_max) {
        const char *na = strchr(a, '\n'), *nz = strchr(z, '\n');
        size_t la = na ? (size_t)(na - a) : strlen(a), lz = nz ? (size_t)(nz - z) : strlen(z);
        if (la != lz || memcmp(a, z, la)) {
            char buf[420];
            snprintf(buf, sizeof buf, "- %.*s", (int)la, a);
            code_line(p, n, buf, strlen(buf), VZ_C_ON_FAILED);
            snprintf(buf, sizeof buf, "+ %.*s", (int)lz, z);
            code_line(p, n, buf, strlen(buf), VZ_C_ON_DONE);
        }
        a = na ? na + 1 : a + la;
        z = nz ? nz + 1 : z + lz;
        n++;
    }
    tag(p, LP_TEXT, 0);
}

static void task(lp *p, const vz_lesson_view *lv, const ls_block *b)
{
    char line[1600];
    para(p, VZ_FONT_BOLD, VZ_C_TEXT_DIM, "Your turn", 0);
    gap(p, 4);
    markdown(p, b->body ? b->body : "");
    snprintf(line, sizeof line, "Goal: %s", b->goal.text ? b->goal.text : "");
    para(p, VZ_FONT_MONO, VZ_C_TEXT, line, 0);
    gap(p, 4);
    const ls_program *prog = &lv->L->programs[b->program];
    snprintf(line, sizeof line, "The program you start from (%s):", prog->name);
    para(p, VZ_FONT_SMALL, VZ_C_TEXT_DIM, line, 0);
    listing(p, prog, 0, 0);
    snprintf(line, sizeof line, "Your copy, to edit in any editor: %s", lv->copy);
    para(p, VZ_FONT_SMALL, VZ_C_TEXT_DIM, line, 0);
    tag(p, LP_FEEDBACK, 0);
    para(p, VZ_FONT_BOLD, lv->task_result == 1 ? VZ_C_ON_DONE : lv->task_result == 0 ? VZ_C_ON_FAILED : VZ_C_TEXT,
         lv->task_msg, 0);
}

float vz_lesson_panel_w(const vz_ui *ui)
{
    float s = ui->scale, w = ui->w * 0.42f;
    if (w < 360 * s)
        w = 360 * s;
    if (w > 760 * s)
        w = 760 * s;
    if (w > ui->w * 0.7f)
        w = ui->w * 0.7f;
    return w;
}

/* Move commands [c0, n) and hits [h0, n) right by dx. */
static void shift(vz_drawlist *dl, size_t c0, size_t h0, float dx)
{
    for (size_t i = c0; i < dl->n_cmds; i++) {
        vz_cmd *k = &dl->cmds[i];
        k->x += dx;
        if (k->kind == VZ_CMD_LINE || k->kind == VZ_CMD_TRI)
            k->x2 += dx;
        if (k->kind == VZ_CMD_TRI)
            k->x3 += dx;
    }
    for (size_t i = h0; i < dl->n_hits; i++)
        dl->hits[i].x += dx;
}

void vz_layout_lesson(const vz_lesson_view *lv, const vz_ui *ui, const vz_text_metrics *tm, vz_drawlist *dl)
{
    float pw = vz_lesson_panel_w(ui), s = ui->scale;
    vz_ui sub = *ui;
    sub.w = (int)(ui->w - pw);
    if (lv->has_doc && lv->doc.n_runs) {
        vz_layout(&lv->doc, &sub, tm, dl);
        shift(dl, 0, 0, pw);
    } else {
        vz_dl_reset(dl);
        vz_dl_tag(dl, VZ_TAG_LESSON, LP_PLACEHOLDER, 0, 0);
        vz_dl_rect(dl, pw, 0, (float)ui->w - pw, (float)ui->h, VZ_C_BG);
    }
    vz__lctx c = {.doc = &lv->doc, .ui = ui, .tm = tm, .dl = dl, .s = s};
    vz_ui_geom(&sub, &c.g);
    if (!(lv->has_doc && lv->doc.n_runs)) {
        const ls_block *cb = vz_lv_block(lv);
        int predict = cb && cb->kind == LS_PREDICT;
        const char *msg = lv->finished                  ? "The lesson is over."
                        : predict && lv->answered       ? "The run comes next: press N to go on."
                        : predict && lv->present        ? "Predict first, all of you: R shows the answer."
                        : predict                       ? "Nothing of the run is shown before you answer: predict first."
                        : cb && cb->kind == LS_TASK     ? "Your program's run appears here once you save it."
                                                        : "";
        /* Centred on one line when it fits, else wrapped inside the area: never cut. */
        float area = (float)ui->w - pw, margin = 24 * s, tw = vz__text_w(&c, VZ_FONT_TITLE, msg);
        if (tw <= area - 2 * margin)
            vz_dl_text(dl, VZ_FONT_TITLE, pw + (area - tw) / 2, ui->h / 2.0f, 0, VZ_C_TEXT_DIM, msg);
        else
            vz__wrap(&c, VZ_FONT_TITLE, pw + margin, ui->h / 2.0f, area - 2 * margin, (float)ui->h, VZ_C_TEXT_DIM,
                     msg);
    }
    /* The panel. */
    vz_dl_tag(dl, VZ_TAG_LESSON, LP_FRAME, 0, 0);
    vz_dl_rect(dl, 0, 0, pw, (float)ui->h, VZ_C_PANEL);
    vz_dl_line(dl, pw - 1, 0, pw - 1, (float)ui->h, 1, VZ_C_BORDER);
    vz_dl_hit(dl, 0, 0, pw, (float)ui->h, VZ_HIT_PANEL, 0, 0, 0);
    float pad = 18 * s;
    lp p = {&c, pad, pw - 2 * pad, pad - lv->text_scroll, (float)ui->h - 48 * s};
    vz_dl_clip(dl, 0, 0, pw, (float)ui->h - 44 * s);
    tag(&p, LP_TEXT, 0);
    const lesson *L = lv->L;
    size_t right, graded;
    ls_session_score(&lv->s, &right, &graded);
    char head[600];
    snprintf(head, sizeof head, "%s", L->title ? L->title : "");
    para(&p, VZ_FONT_TITLE, VZ_C_TEXT, head, 0);
    snprintf(head, sizeof head, "%s \xC2\xB7 about %d min \xC2\xB7 part %zu of %zu \xC2\xB7 score %zu/%zu",
             L->level ? L->level : "", L->minutes, lv->s.pos < L->n_blocks ? lv->s.pos + 1 : L->n_blocks,
             L->n_blocks, right, graded);
    para(&p, VZ_FONT_SMALL, VZ_C_TEXT_DIM, head, 0);
    gap(&p, 10);
    const ls_block *b = vz_lv_block(lv);
    if (lv->finished || !b) {
        snprintf(head, sizeof head, "Done. Your score: %zu of %zu.", right, graded);
        para(&p, VZ_FONT_TITLE, VZ_C_ON_DONE, head, 0);
        para(&p, VZ_FONT_BODY, VZ_C_TEXT, "P goes back through the lesson; Q closes the window.", 0);
    } else {
        switch (b->kind) {
        case LS_PROSE:
            markdown(&p, b->body ? b->body : "");
            break;
        case LS_PREDICT:
            question(&p, lv, b);
            break;
        case LS_REVEAL:
            reveal(&p, lv, b);
            break;
        case LS_EXPLAIN: {
            para(&p, VZ_FONT_BOLD, VZ_C_TEXT_DIM, "Why", 0);
            gap(&p, 4);
            char *t = lesson_interpolate(L, b->program, b->body ? b->body : "", &lv->proto);
            markdown(&p, t ? t : "");
            co_free(t);
            break;
        }
        case LS_VARIANT:
            variant(&p, lv, b);
            break;
        case LS_TASK:
            task(&p, lv, b);
            break;
        }
    }
    vz_dl_unclip(dl);
    /* Say when the block goes on past the panel's bottom (or was scrolled up). */
    if (p.y > p.y_max + 4 * s || lv->text_scroll > 0) {
        tag(&p, LP_MORE, 0);
        const char *more = p.y > p.y_max + 4 * s ? "\xE2\x96\xBC more below: scroll the panel"
                                                : "\xE2\x96\xB2 more above: scroll the panel";
        float mw = vz__text_w(&c, VZ_FONT_SMALL, more) + 16 * s, mh = vz__line_h(&c, VZ_FONT_SMALL) + 6 * s;
        float my = (float)ui->h - 44 * s - mh;
        vz_dl_rect(dl, pw - mw - 10 * s, my, mw, mh, VZ_C_TOOLTIP);
        vz_dl_text(dl, VZ_FONT_SMALL, pw - mw - 2 * s, my + 3 * s, 0, VZ_C_TOOLTIP_TXT, more);
    }
    /* The key hints along the bottom. */
    vz_dl_tag(dl, VZ_TAG_LESSON, LP_HINT, 0, 0);
    float by = (float)ui->h - 40 * s;
    vz_dl_rect(dl, 0, by, pw - 1, 40 * s, VZ_C_PANEL_HEAD);
    const char *hint = lv->present ? "R reveal \xC2\xB7 N next \xC2\xB7 P back \xC2\xB7 Q quit"
                                   : "1-9 choose \xC2\xB7 Enter answer \xC2\xB7 N next \xC2\xB7 P back \xC2\xB7 Q quit";
    vz_dl_text(dl, VZ_FONT_SMALL, pad, by + 12 * s, pw - 2 * pad, VZ_C_TEXT_DIM, hint);
}
