/*
** app_lesson.c -- the viewer's lesson mode as a window and as a headless
** picture (see app.h): the same cycle as the viewer's -- sync the playhead,
** lay out (layout_lesson.c), render -- with keys going to the lesson first
** (lesson_input.h) and pointer events right of the lesson panel going to the
** timeline, moved into its coordinates.
*/
#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "app_internal.h"
#include "input.h"
#include "layout_lesson.h"
#include "lesson_input.h"
#include "playhead.h"

/* The window is W x H pixels; `ui` is the timeline's state, as wide as the
** window less the lesson panel. */
static float panel_w(const vz_ui *ui, int W)
{
    vz_ui full = *ui;
    full.w = W;
    return vz_lesson_panel_w(&full);
}

static void set_size(vz_ui *ui, int W, int H)
{
    ui->h = H;
    ui->w = W;
    ui->w = (int)(W - panel_w(ui, W));
}

static void lesson_frame(vz_lesson_view *lv, const vz_ui *ui, int W, vz_renderer *vr, vz_drawlist *dl)
{
    vz_text_metrics tm;
    vz_render_metrics(vr, &tm);
    if (lv->has_doc)
        vz_doc_sync(&lv->doc, ui->t, ui->k);
    vz_ui full = *ui;
    full.w = W;
    if (vz_lv_asking(lv))
        full.show_panels = 0;     /* the loop panel would name who runs next, the code panel where each task is */
    vz_layout_lesson(lv, &full, &tm, dl);
    vz_render_frame(vr, dl);
}

/* A fresh timeline state for the window: panels only when there is room for them too. */
static void timeline_ui(vz_ui *ui, vz_lesson_view *lv, int W, int H, float scale, const vz_app_opts *o, int animate)
{
    vz_ui_init(ui, &lv->doc, W, H, scale);
    set_size(ui, W, H);
    ui->show_panels = !o->no_panels && W >= 1500 * scale;
    vz_lv_place_playhead(lv, ui, animate);
}

/* A pointer action for the timeline, in its coordinates; 0 when it is on the panel. */
static int to_timeline(float pw, vz_action *a)
{
    switch (a->kind) {
    case VZ_ACT_POINTER_MOVE:
    case VZ_ACT_POINTER_DOWN:
    case VZ_ACT_POINTER_UP:
    case VZ_ACT_WHEEL:
        if (a->x < pw)
            return 0;
        a->x -= pw;
        return 1;
    case VZ_ACT_ZOOM:
        a->x -= pw;
        return 1;
    default:
        return 1;
    }
}

/* The frame's hit regions moved by dx: the timeline's are laid out in window
** coordinates, to the right of the panel; its input works in its own. */
static void shift_hits(vz_drawlist *dl, float dx)
{
    for (size_t i = 0; i < dl->n_hits; i++)
        dl->hits[i].x += dx;
}

int vz_app_lesson_screenshot(vz_lesson_view *lv, const vz_app_opts *o)
{
    vz__offscreen os;
    if (vz__offscreen_open(&os, o)) {
        vz__offscreen_close(&os);
        return 1;
    }
    vz_ui ui;
    timeline_ui(&ui, lv, o->w, o->h, o->scale, o, 0);   /* a reveal: paused at its key event */
    vz_drawlist dl;
    vz_dl_init(&dl);
    lesson_frame(lv, &ui, o->w, os.vr, &dl);
    int rc = vz__offscreen_save(&os, o, &dl, ui.scale);
    vz_dl_free(&dl);
    vz__offscreen_close(&os);
    return rc;
}

/* Keys for the lesson, from an SDL event; 1 when it took it. */
static int lesson_key(vz_lesson_view *lv, vz_ui *ui, const SDL_Event *e)
{
    vz_action a = {0};
    if (e->type == SDL_TEXTINPUT) {
        if (!vz_lv_typing(lv))
            return 0;
        a.kind = VZ_ACT_TEXT;
        snprintf(a.text, sizeof a.text, "%s", e->text.text);
        return vz_lv_apply(lv, ui, &a);
    }
    if (e->type != SDL_KEYDOWN)
        return 0;
    SDL_Keycode k = e->key.keysym.sym;
    if (k == SDLK_RETURN || k == SDLK_KP_ENTER) {
        a.kind = VZ_ACT_ENTER;
        return vz_lv_apply(lv, ui, &a);
    }
    if (k == SDLK_BACKSPACE && vz_lv_typing(lv)) {
        a.kind = VZ_ACT_BACKSPACE;
        return vz_lv_apply(lv, ui, &a);
    }
    if (vz_lv_typing(lv) && k >= 32 && k < 127)
        return 1;                      /* the character comes as SDL_TEXTINPUT */
    if (k == SDLK_PAGEDOWN || k == SDLK_PAGEUP) {
        a.kind = VZ_ACT_TEXT;
        a.text[0] = k == SDLK_PAGEDOWN ? 'n' : 'p';
        return vz_lv_apply(lv, ui, &a);
    }
    if ((k >= SDLK_1 && k <= SDLK_9) || (k >= SDLK_a && k <= SDLK_i) || k == SDLK_n || k == SDLK_p || k == SDLK_r) {
        a.kind = VZ_ACT_TEXT;
        a.text[0] = (char)k;
        return vz_lv_apply(lv, ui, &a);
    }
    return 0;
}

int vz_app_lesson_window(vz_lesson_view *lv, const vz_app_opts *o, char *err, size_t errlen)
{
    vz__window w;
    int rc = vz__window_open(&w, o, "coroscope lesson", 800, 500, err, errlen);
    if (rc)
        return rc;
    int W = w.W, H = w.H;
    float ratio = w.ratio;
    vz_ui ui;
    timeline_ui(&ui, lv, W, H, o->scale * ratio, o, 1);
    vz_renderer *vr = w.vr;
    vz_drawlist dl;
    vz_dl_init(&dl);
    SDL_StartTextInput();
    Uint64 last = SDL_GetPerformanceCounter();
    int quit = 0, dirty = 1;
    while (!quit) {
        SDL_Event e;
        int got = SDL_WaitEventTimeout(&e, ui.playing || lv->playing_to ? 10 : 200);
        while (got) {
            float pw = panel_w(&ui, W);
            if (e.type == SDL_QUIT)
                quit = 1;
            else if (e.type == SDL_WINDOWEVENT && (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
                                                   e.window.event == SDL_WINDOWEVENT_EXPOSED)) {
                vz__window_measure(&w);
                W = w.W, H = w.H, ratio = w.ratio;
                set_size(&ui, W, H);
                vz_ui_clamp(&ui, &lv->doc);
            } else if (lesson_key(lv, &ui, &e)) {
                /* the lesson took it */
            } else if (e.type == SDL_MOUSEBUTTONDOWN && e.button.x * ratio < pw) {
                const vz_hit *hit = vz_dl_hit_at(&dl, e.button.x * ratio, e.button.y * ratio);
                if (hit && hit->kind == VZ_HIT_LESSON && !lv->answered)
                    lv->choice = (int)hit->a;
            } else if (e.type == SDL_MOUSEWHEEL && ui.mx + pw < pw) {
                lv->text_scroll -= (float)e.wheel.y * 40 * ui.scale;
                if (lv->text_scroll < 0)
                    lv->text_scroll = 0;
            } else {
                vz_action acts[4];
                size_t n = vz_input_translate(&e, &ui, ratio, acts, 4);
                for (size_t i = 0; i < n; i++) {
                    if (acts[i].kind == VZ_ACT_QUIT) {
                        quit = 1;
                        continue;
                    }
                    if (!to_timeline(pw, &acts[i]) || !lv->has_doc)
                        continue;
                    shift_hits(&dl, -pw);
                    vz_apply(&ui, &lv->doc, &dl, &acts[i]);
                    shift_hits(&dl, pw);
                }
            }
            dirty = 1;
            got = SDL_PollEvent(&e);
        }
        Uint64 now = SDL_GetPerformanceCounter();
        double dt = (double)(now - last) / (double)SDL_GetPerformanceFrequency();
        last = now;
        vz_lv_tick(lv, &ui, dt);
        if (lv->has_doc && ui.playing && !lv->playing_to) {
            vz_action a = {0};
            a.kind = VZ_ACT_TICK;
            a.f = dt;
            vz_apply(&ui, &lv->doc, NULL, &a);
        }
        if (ui.quit)
            quit = 1;
        if (dirty || ui.dirty || ui.playing || lv->playing_to) {
            lesson_frame(lv, &ui, W, vr, &dl);
            SDL_RenderPresent(w.r);
            dirty = 0;
            ui.dirty = 0;
        }
    }
    SDL_StopTextInput();
    vz_dl_free(&dl);
    vz__window_close(&w);
    return 0;
}

/* ---- what the lesson mode and the lesson menu share (the window: app.c) ---------------- */

int vz__offscreen_save(vz__offscreen *os, const vz_app_opts *o, const vz_drawlist *dl, float scale)
{
    SDL_RenderPresent(os->r);
    int rc;
    size_t len = strlen(o->screenshot);
    if (len > 4 && !strcasecmp(o->screenshot + len - 4, ".svg"))
        rc = vz__app_write_svg(o->screenshot, dl, o->w, o->h, os->vr, scale);
    else
        rc = vz__app_save_png(os->surf, o->screenshot);
    if (!rc && o->layout_dump)
        rc = vz__app_dump_layout(o->layout_dump, dl);
    return rc;
}

