/*
** input.c -- SDL events to viewer actions (see input.h). The only viewer file
** besides render.c and app.c that includes SDL; it reads events, never draws.
*/
#include <SDL.h>
#include <string.h>

#include "input.h"

static size_t one(vz_action *out, size_t cap, vz_action_kind kind, int arg)
{
    if (!cap)
        return 0;
    memset(out, 0, sizeof *out);
    out->kind = (uint8_t)kind;
    out->arg = arg;
    return 1;
}

static size_t key(const SDL_KeyboardEvent *k, const vz_ui *ui, vz_action *out, size_t cap)
{
    SDL_Keycode sym = k->keysym.sym;
    Uint16 mod = k->keysym.mod;
    int shift = (mod & KMOD_SHIFT) != 0, ctrl = (mod & (KMOD_CTRL | KMOD_GUI)) != 0;
    vz_action *a = out;
    switch (sym) {   /* keys that work while typing a filter too */
    case SDLK_ESCAPE:
        return one(out, cap, VZ_ACT_ESCAPE, 0);
    case SDLK_RIGHT:
        return one(out, cap, shift ? VZ_ACT_NEXT_INSTANT : VZ_ACT_NEXT, 0);
    case SDLK_LEFT:
        return one(out, cap, shift ? VZ_ACT_PREV_INSTANT : VZ_ACT_PREV, 0);
    case SDLK_HOME:
        return one(out, cap, VZ_ACT_START, 0);
    case SDLK_END:
        return one(out, cap, VZ_ACT_END, 0);
    case SDLK_UP:
    case SDLK_DOWN:
    case SDLK_PAGEUP:
    case SDLK_PAGEDOWN: {
        size_t n = one(out, cap, VZ_ACT_SCROLL, 0);
        float step = (sym == SDLK_UP || sym == SDLK_DOWN) ? 60 * ui->scale : ui->h * 0.6f;
        if (n)
            a->y = (sym == SDLK_UP || sym == SDLK_PAGEUP) ? -step : step;
        return n;
    }
    default:
        break;
    }
    if (ui->searching) {
        if (sym == SDLK_BACKSPACE)
            return one(out, cap, VZ_ACT_BACKSPACE, 0);
        if (sym == SDLK_RETURN || sym == SDLK_KP_ENTER)
            return one(out, cap, VZ_ACT_ENTER, 0);
        return 0;   /* characters arrive as SDL_TEXTINPUT */
    }
    if (ctrl) {
        if (sym == SDLK_EQUALS || sym == SDLK_PLUS || sym == SDLK_KP_PLUS) {
            size_t n = one(out, cap, VZ_ACT_SCALE, 0);
            if (n)
                a->f = 1.15;
            return n;
        }
        if (sym == SDLK_MINUS || sym == SDLK_KP_MINUS) {
            size_t n = one(out, cap, VZ_ACT_SCALE, 0);
            if (n)
                a->f = 1 / 1.15;
            return n;
        }
        if (sym == SDLK_f)
            return one(out, cap, VZ_ACT_SEARCH, 0);
        if (sym == SDLK_q || sym == SDLK_w)
            return one(out, cap, VZ_ACT_QUIT, 0);
        return 0;
    }
    switch (sym) {
    case SDLK_SPACE:
        return one(out, cap, VZ_ACT_PLAY, 0);
    case SDLK_LEFTBRACKET:
    case SDLK_COMMA:
        return one(out, cap, VZ_ACT_SLOWER, 0);
    case SDLK_RIGHTBRACKET:
    case SDLK_PERIOD:
        return one(out, cap, VZ_ACT_FASTER, 0);
    case SDLK_w:
    case SDLK_s: {
        size_t n = one(out, cap, VZ_ACT_ZOOM, 0);
        if (n) {
            a->f = sym == SDLK_w ? 1.5 : 1 / 1.5;
            a->x = ui->mouse_in ? ui->mx : -1;
        }
        return n;
    }
    case SDLK_a:
    case SDLK_d: {
        size_t n = one(out, cap, VZ_ACT_PAN, 0);
        if (n)
            a->x = (sym == SDLK_a ? -1 : 1) * 0.15f * ui->w;
        return n;
    }
    case SDLK_f:
    case SDLK_0:
        return one(out, cap, VZ_ACT_FIT, 0);
    case SDLK_t:
        return one(out, cap, VZ_ACT_STEP_VIEW, 0);
    case SDLK_1:
    case SDLK_2:
    case SDLK_3:
        return one(out, cap, VZ_ACT_ARROWS, (int)(sym - SDLK_1));
    case SDLK_g:
        return one(out, cap, VZ_ACT_FUTURE, 0);
    case SDLK_h:
    case SDLK_F1:
        return one(out, cap, VZ_ACT_HELP, 0);
    case SDLK_SLASH:
        return one(out, cap, shift ? VZ_ACT_HELP : VZ_ACT_SEARCH, 0);
    case SDLK_QUESTION:
        return one(out, cap, VZ_ACT_HELP, 0);
    case SDLK_n:
        return one(out, cap, VZ_ACT_FOCUS, -1);
    case SDLK_l:
        return one(out, cap, VZ_ACT_STEP_MODE, 0);
    case SDLK_TAB:
        return one(out, cap, VZ_ACT_PANELS, 0);
    case SDLK_o:
        return one(out, cap, VZ_ACT_OVERVIEW, 0);
    case SDLK_r:
        return one(out, cap, VZ_ACT_SORT, -1);
    case SDLK_c:
        return one(out, cap, VZ_ACT_FOLD, -1);
    case SDLK_q:
        return one(out, cap, VZ_ACT_QUIT, 0);
    default:
        return 0;
    }
}

size_t vz_input_translate(const union SDL_Event *ev, const vz_ui *ui, float ratio, vz_action *out, size_t cap)
{
    const SDL_Event *e = (const SDL_Event *)ev;
    size_t n;
    switch (e->type) {
    case SDL_QUIT:
        return one(out, cap, VZ_ACT_QUIT, 0);
    case SDL_KEYDOWN:
        return key(&e->key, ui, out, cap);
    case SDL_TEXTINPUT:
        if (!ui->searching || !(n = one(out, cap, VZ_ACT_TEXT, 0)))
            return 0;
        snprintf(out->text, sizeof out->text, "%s", e->text.text);
        return n;
    case SDL_MOUSEMOTION:
        if ((n = one(out, cap, VZ_ACT_POINTER_MOVE, 0))) {
            out->x = e->motion.x * ratio;
            out->y = e->motion.y * ratio;
        }
        return n;
    case SDL_MOUSEBUTTONDOWN:
    case SDL_MOUSEBUTTONUP:
        if ((n = one(out, cap, e->type == SDL_MOUSEBUTTONDOWN ? VZ_ACT_POINTER_DOWN : VZ_ACT_POINTER_UP,
                     e->button.button))) {
            out->x = e->button.x * ratio;
            out->y = e->button.y * ratio;
        }
        return n;
    case SDL_MOUSEWHEEL:
        if ((n = one(out, cap, VZ_ACT_WHEEL, (SDL_GetModState() & KMOD_SHIFT) != 0))) {
            float dy = e->wheel.preciseY, dx = e->wheel.preciseX;
            if (e->wheel.direction == SDL_MOUSEWHEEL_FLIPPED) {
                dy = -dy;
                dx = -dx;
            }
            out->f = dy;
            out->arg2 = (int)(dx * 4);
            out->x = ui->mx;
            out->y = ui->my;
        }
        return n;
    case SDL_WINDOWEVENT:
        if (e->window.event == SDL_WINDOWEVENT_LEAVE)
            return one(out, cap, VZ_ACT_POINTER_LEAVE, 0);
        return 0;
    default:
        return 0;
    }
}
