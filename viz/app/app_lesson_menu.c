/*
** app_lesson_menu.c -- the lesson menu as a window and as a headless picture
** (lesson_menu.h; drawn by layout_lesson_menu.c). The window returns the
** lesson the student opened; the caller runs it and shows the menu again.
*/
#include <SDL.h>
#include <stdio.h>
#include <string.h>

#include "app_internal.h"
#include "layout_lesson.h"

static void menu_frame(vz_lesson_menu *m, const vz_ui *ui, vz_renderer *vr, vz_drawlist *dl)
{
    vz_text_metrics tm;
    vz_render_metrics(vr, &tm);
    vz_menu_follow(m, vz_lesson_menu_rows(ui, &tm));
    vz_layout_lesson_menu(m, ui, &tm, dl);
    vz_render_frame(vr, dl);
}

/* The bare UI state the menu needs: its size and scale. */
static void menu_ui(vz_ui *ui, int W, int H, float scale)
{
    memset(ui, 0, sizeof *ui);
    ui->w = W;
    ui->h = H;
    ui->scale = scale;
}

int vz_app_lesson_menu_screenshot(vz_lesson_menu *m, const vz_app_opts *o)
{
    vz__offscreen os;
    if (vz__offscreen_open(&os, o)) {
        vz__offscreen_close(&os);
        return 1;
    }
    vz_ui ui;
    menu_ui(&ui, o->w, o->h, o->scale);
    vz_drawlist dl;
    vz_dl_init(&dl);
    menu_frame(m, &ui, os.vr, &dl);
    int rc = vz__offscreen_save(&os, o, &dl, ui.scale);
    vz_dl_free(&dl);
    vz__offscreen_close(&os);
    return rc;
}

/* What a key does in the menu: 1 open the highlighted lesson, -1 quit, 0 nothing more. */
static int menu_key(vz_lesson_menu *m, SDL_Keycode k, size_t rows)
{
    switch (k) {
    case SDLK_RETURN:
    case SDLK_KP_ENTER:
    case SDLK_SPACE:
        return m->n ? 1 : 0;
    case SDLK_ESCAPE:
    case SDLK_q:
        return -1;
    case SDLK_UP:
    case SDLK_k:
        vz_menu_move(m, -1);
        return 0;
    case SDLK_DOWN:
    case SDLK_j:
        vz_menu_move(m, 1);
        return 0;
    case SDLK_PAGEUP:
        vz_menu_move(m, -(long)rows);
        return 0;
    case SDLK_PAGEDOWN:
        vz_menu_move(m, (long)rows);
        return 0;
    case SDLK_HOME:
        vz_menu_select(m, 0);
        return 0;
    case SDLK_END:
        vz_menu_select(m, m->n ? m->n - 1 : 0);
        return 0;
    default:
        if (k >= SDLK_1 && k <= SDLK_9 && (size_t)(k - SDLK_1) < m->n)
            vz_menu_select(m, (size_t)(k - SDLK_1));
        return 0;
    }
}

int vz_app_lesson_menu_window(vz_lesson_menu *m, const vz_app_opts *o, char *err, size_t errlen)
{
    vz__window w;
    int rc = vz__window_open(&w, o, "coroscope lessons", 800, 500, err, errlen);
    if (rc)
        return rc == VZ_APP_NO_DISPLAY ? rc : -3;
    vz_ui ui;
    menu_ui(&ui, w.W, w.H, o->scale * w.ratio);
    vz_drawlist dl;
    vz_dl_init(&dl);
    int chosen = -1, done = 0, dirty = 1;
    while (!done) {
        SDL_Event e;
        int got = SDL_WaitEventTimeout(&e, 250);
        vz_text_metrics tm;
        vz_render_metrics(w.vr, &tm);
        size_t rows = vz_lesson_menu_rows(&ui, &tm);
        while (got && !done) {
            if (e.type == SDL_QUIT) {
                done = 1;
            } else if (e.type == SDL_WINDOWEVENT && (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
                                                   e.window.event == SDL_WINDOWEVENT_EXPOSED)) {
                vz__window_measure(&w);
                menu_ui(&ui, w.W, w.H, ui.scale);
            } else if (e.type == SDL_KEYDOWN) {
                int k = menu_key(m, e.key.keysym.sym, rows);
                if (k)
                    done = 1, chosen = k > 0 ? (int)m->sel : -1;
            } else if (e.type == SDL_MOUSEMOTION || e.type == SDL_MOUSEBUTTONDOWN) {
                float x = (e.type == SDL_MOUSEMOTION ? e.motion.x : e.button.x) * w.ratio;
                float y = (e.type == SDL_MOUSEMOTION ? e.motion.y : e.button.y) * w.ratio;
                const vz_hit *hit = vz_dl_hit_at(&dl, x, y);
                if (hit && hit->kind == VZ_HIT_LESSON) {
                    vz_menu_select(m, hit->a);
                    if (e.type == SDL_MOUSEBUTTONDOWN && e.button.button == SDL_BUTTON_LEFT)
                        done = 1, chosen = (int)hit->a;
                }
            } else if (e.type == SDL_MOUSEWHEEL) {
                long d = -(long)e.wheel.y;
                if (d < 0 && (size_t)-d > m->top)
                    m->top = 0;
                else if (d < 0)
                    m->top -= (size_t)-d;
                else if (m->top + rows + (size_t)d <= m->n)
                    m->top += (size_t)d;
                if (m->sel < m->top)
                    m->sel = m->top;
                else if (m->sel >= m->top + rows)
                    m->sel = m->top + rows - 1;
            }
            dirty = 1;
            got = SDL_PollEvent(&e);
        }
        if (dirty && !done) {
            menu_frame(m, &ui, w.vr, &dl);
            SDL_RenderPresent(w.r);
            dirty = 0;
        }
    }
    vz_dl_free(&dl);
    vz__window_close(&w);
    return chosen;
}
