/*
** lesson_input.c -- what keys do in the viewer's lesson mode, and where the
** playhead goes for each block (see lesson_input.h). No SDL here.
*/
#include <ctype.h>
#include <string.h>

#include "input.h"
#include "lesson_input.h"
#include "playhead.h"

/* Does the current question take typed text (a number, an order, a name, a sentence)? */
int vz_lv_typing(const vz_lesson_view *lv)
{
    const ls_block *b = vz_lv_block(lv);
    if (!b || b->kind != LS_PREDICT || lv->answered || lv->present)
        return 0;
    return b->ask == LS_ASK_NUMBER || b->ask == LS_ASK_ORDER || b->ask == LS_ASK_TEXT || b->ask == LS_ASK_PICK ||
           (b->ask == LS_ASK_NEXT && !b->n_options);
}

static size_t n_choices(const vz_lesson_view *lv)
{
    const ls_block *b = vz_lv_block(lv);
    const char *c[64];
    return b && b->kind == LS_PREDICT ? lesson_choices(lv->L, b, c, 64) : 0;
}

void vz_lv_place_playhead(vz_lesson_view *lv, vz_ui *ui, int animate)
{
    int w = ui->w, h = ui->h;
    float scale = ui->scale;
    int panels = ui->show_panels;
    vz_ui_init(ui, &lv->doc, w, h, scale);
    ui->show_panels = panels;
    if (!lv->has_doc)
        return;
    const ls_block *b = vz_lv_block(lv);
    if (b && b->kind == LS_REVEAL && lv->target_ev != TM_NONE) {
        if (animate) {
            vz_apply_simple(ui, &lv->doc, VZ_ACT_START);
            ui->playing = 1;
            lv->playing_to = 1;
        } else {
            vz_action a = {0};
            a.kind = VZ_ACT_JUMP;
            a.arg = 0;
            a.arg2 = (int)lv->target_ev;
            vz_apply(ui, &lv->doc, NULL, &a);
            lv->playing_to = 0;
            ui->sel_kind = VZ_SEL_EVENT;
            ui->sel_run = 0;
            ui->sel = lv->target_ev;
        }
    }
    ui->dirty = 1;
}

void vz_lv_tick(vz_lesson_view *lv, vz_ui *ui, double dt)
{
    if (lv->has_doc && lv->playing_to && lv->target_ev != TM_NONE) {
        vz_action a = {0};
        a.kind = VZ_ACT_TICK;
        a.f = dt;
        vz_apply(ui, &lv->doc, NULL, &a);
        uint32_t cur = vz_run_cursor(&lv->doc.runs[0], ui->t, ui->k);
        if (cur != TM_NONE && cur >= lv->target_ev) {
            /* Paused at the key event, with it selected. */
            vz_action j = {0};
            j.kind = VZ_ACT_JUMP;
            j.arg = 0;
            j.arg2 = (int)lv->target_ev;
            vz_apply(ui, &lv->doc, NULL, &j);
            ui->playing = 0;
            ui->sel_kind = VZ_SEL_EVENT;
            ui->sel_run = 0;
            ui->sel = lv->target_ev;
            lv->playing_to = 0;
        }
        ui->dirty = 1;
    }
    if (vz_lv_poll_task(lv)) {
        vz_lv_place_playhead(lv, ui, 0);
        ui->dirty = 1;
    }
}

static void moved(vz_lesson_view *lv, vz_ui *ui)
{
    vz_lv_place_playhead(lv, ui, 1);
    ui->dirty = 1;
}

int vz_lv_apply(vz_lesson_view *lv, vz_ui *ui, const vz_action *a)
{
    const ls_block *b = vz_lv_block(lv);
    switch (a->kind) {
    case VZ_ACT_TEXT: {
        char c = a->text[0];
        if (vz_lv_typing(lv)) {
            size_t n = strlen(lv->typed);
            if (n + strlen(a->text) < sizeof lv->typed)
                strcat(lv->typed, a->text);
            ui->dirty = 1;
            return 1;
        }
        if (b && b->kind == LS_PREDICT && !lv->answered && !lv->present) {
            size_t nc = n_choices(lv);
            int k = c >= '1' && c <= '9' ? c - '1' : c >= 'a' && c <= 'i' ? c - 'a' : -1;
            if (k >= 0 && (size_t)k < nc) {
                lv->choice = k;
                ui->dirty = 1;
                return 1;
            }
        }
        c = (char)tolower((unsigned char)c);
        if (c == 'n') {
            vz_lv_next(lv);
            moved(lv, ui);
            return 1;
        }
        if (c == 'p') {
            vz_lv_prev(lv);
            moved(lv, ui);
            return 1;
        }
        if (c == 'r' && lv->present) {
            if (b && b->kind == LS_PREDICT && !lv->answered)
                vz_lv_present_answer(lv);
            else {
                vz_lv_next(lv);
                moved(lv, ui);
            }
            ui->dirty = 1;
            return 1;
        }
        return 0;
    }
    case VZ_ACT_BACKSPACE:
        if (vz_lv_typing(lv) && lv->typed[0]) {
            size_t n = strlen(lv->typed);
            while (n > 0 && ((unsigned char)lv->typed[n - 1] & 0xC0) == 0x80)
                n--;
            lv->typed[n ? n - 1 : 0] = 0;
            ui->dirty = 1;
            return 1;
        }
        return vz_lv_typing(lv);
    case VZ_ACT_ENTER:
        if (b && b->kind == LS_PREDICT && !lv->answered && !lv->present) {
            if (vz_lv_typing(lv))
                vz_lv_answer(lv, lv->typed);
            else if (lv->choice >= 0) {
                char num[16];
                snprintf(num, sizeof num, "%d", lv->choice + 1);
                vz_lv_answer(lv, num);
            } else
                snprintf(lv->notice, sizeof lv->notice, "Choose an option first (its number), then Enter.");
            ui->dirty = 1;
            return 1;
        }
        if (b && b->kind == LS_TASK && lv->task_result != 1) {
            vz_lv_poll_task(lv);
        }
        vz_lv_next(lv);
        moved(lv, ui);
        return 1;
    default:
        return 0;
    }
}
