/*
** app_internal.h -- what app.c shares with the lesson mode's app
** (app_lesson.c, app_lesson_menu.c): the renderer, the offscreen picture, writing a
** frame as a layout dump or SVG, and the window those two open.
*/
#ifndef VZ_APP_INTERNAL_H
#define VZ_APP_INTERNAL_H

#include <SDL.h>

#include "app.h"
#include "drawlist.h"
#include "render.h"

/* A renderer on r with the options' fonts at `scale`; NULL after a message. */
vz_renderer *vz__app_renderer(SDL_Renderer *r, const vz_app_opts *o, float scale);

/* The draw commands as text, one per line (`--layout-dump`). 0 or 1. */
int vz__app_dump_layout(const char *path, const vz_drawlist *dl);

/* Save a surface as PNG, every write checked (a full disk is an error and
** leaves no partial file). 0, or 1 with a message. */
int vz__app_save_png(SDL_Surface *surf, const char *path);

/* A frame's draw list as an SVG file. 0 or 1. */
int vz__app_write_svg(const char *path, const vz_drawlist *dl, int w, int h, vz_renderer *vr, float scale);

/* An o->w x o->h picture drawn by SDL's software renderer, no display needed. */
typedef struct vz__offscreen {
    SDL_Surface *surf;     /* the picture */
    SDL_Renderer *r;       /* software renderer drawing into it */
    vz_renderer *vr;
} vz__offscreen;

int vz__offscreen_open(vz__offscreen *os, const vz_app_opts *o);   /* 0, or -1 after a message */
void vz__offscreen_close(vz__offscreen *os);                       /* also SDL_Quit */

/* Write the offscreen frame to o->screenshot (PNG, or SVG by its name) and
** o->layout_dump when given. 0 or 1. */
int vz__offscreen_save(vz__offscreen *os, const vz_app_opts *o, const vz_drawlist *dl, float scale);

/* A window with its renderer, for the viewer, the lesson mode and the lesson
** menu (app.c): o->w x o->h fitted to the screen unless o->size_given, never
** smaller than min_w x min_h; W x H output pixels, `ratio` of them per window
** point (HiDPI), the fonts at o->scale * ratio. open returns 0, 1 after a
** message, or VZ_APP_NO_DISPLAY with err set; close also ends SDL. */
typedef struct vz__window {
    SDL_Window *win;
    SDL_Renderer *r;
    vz_renderer *vr;
    int W, H;
    float ratio;
} vz__window;

int vz__window_open(vz__window *w, const vz_app_opts *o, const char *title, int min_w, int min_h, char *err,
                    size_t errlen);
void vz__window_measure(vz__window *w);     /* after a resize */
void vz__window_close(vz__window *w);

#endif
