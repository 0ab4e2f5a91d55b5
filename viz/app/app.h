/*
** app.h -- the viewer's three ways to run: a window, one screenshot, a
** benchmark. Each drives the same cycle: vz_doc_sync (the playhead), vz_layout
** (draw commands), vz_render_frame (pixels).
**
** The window uses the default SDL video driver and the first renderer SDL
** offers. The screenshot and the benchmark need no display at all: they draw
** with SDL's software renderer into a surface (SDL_CreateSoftwareRenderer)
** and never initialise SDL video.
*/
#ifndef VZ_APP_H
#define VZ_APP_H

#include <stddef.h>
#include <stdio.h>

#include "font.h"
#include "view_model.h"

typedef struct vz_app_opts {
    int w, h;                 /* window or picture size, pixels */
    int size_given;           /* --size was given (else a window fits the screen) */
    float scale;              /* --scale: UI scale (HiDPI is multiplied in) */
    int have_at;              /* --at was given */
    double at;                /* --at: playhead time (every decision at that instant shown) */
    int step_view;            /* --steps: x axis in events from the start */
    int no_panels;            /* --no-panels */
    int help_overlay;         /* --help-overlay: show the key help (screenshots) */
    int hide_future;          /* --hide-future */
    const char *select;       /* --select NAME: a task to select at the start */
    const char *screenshot;   /* --screenshot FILE.png */
    const char *layout_dump;  /* --layout-dump FILE: the draw commands, as text */
    const char *font;         /* --font FILE: body font instead of DejaVu Sans */
    const vz_font_files *fonts; /* fonts already found (else found when needed) */
    const char *title;        /* window title */
} vz_app_opts;

/* Status of vz_app_window when there is no display to open a window on. */
#define VZ_APP_NO_DISPLAY (-2)

/*
** Open a window and run until the user quits. Returns 0, 1 on a failure
** (message on stderr), or VZ_APP_NO_DISPLAY when SDL video could not start
** (message in err), so the caller can fall back to the terminal view.
*/
int vz_app_window(vz_doc *doc, const vz_app_opts *o, char *err, size_t errlen);

/*
** Keep SDL's video, and with it the display connection, open across windows
** opened and closed one after another (the lesson menu, a lesson, the menu
** again): a window's close then leaves it running. 0, or VZ_APP_NO_DISPLAY
** with err set (nothing held). Each hold that succeeded is ended by one
** vz_app_video_release.
*/
int vz_app_video_hold(char *err, size_t errlen);
void vz_app_video_release(void);

/* Render one frame offscreen and save it as PNG, or as SVG when the file name
** ends in ".svg". Returns 0 or 1. */
int vz_app_screenshot(vz_doc *doc, const vz_app_opts *o);

/*
** The timeline alone as SVG, for slides and handouts: every lane of every
** trace, the axis and the legend, without the toolbar, panels or playhead,
** o->w pixels wide and as tall as the lanes need. Writes to `out`; `name`
** is for messages. Returns 0 or 1 (message on stderr).
*/
int vz_app_export_svg(vz_doc *doc, const vz_app_opts *o, FILE *out, const char *name);

/*
** Render a fixed sequence of frames offscreen (fit, zoom in, pan, zoom out,
** scroll) and print the load time, peak memory and frame-time percentiles.
** `t_model` and `t_index` are the seconds spent loading the trace model and
** building the viewer's indexes. Returns 0 or 1.
*/
int vz_app_bench(vz_doc *doc, const vz_app_opts *o, double t_model, double t_index);

/* The lesson mode (viz/model/lesson_view.h): a window in which the lesson is
** taken, and one frame of it offscreen (--screenshot, --layout-dump). Same
** returns as vz_app_window / vz_app_screenshot. */
struct vz_lesson_view;
int vz_app_lesson_window(struct vz_lesson_view *lv, const vz_app_opts *o, char *err, size_t errlen);
int vz_app_lesson_screenshot(struct vz_lesson_view *lv, const vz_app_opts *o);

/* The lesson menu (viz/model/lesson_menu.h): a window in which the student
** picks a lesson -- returns its index, -1 when they quit, -3 after a message,
** or VZ_APP_NO_DISPLAY with err set -- and one frame of it offscreen (0 or 1). */
struct vz_lesson_menu;
int vz_app_lesson_menu_window(struct vz_lesson_menu *m, const vz_app_opts *o, char *err, size_t errlen);
int vz_app_lesson_menu_screenshot(struct vz_lesson_menu *m, const vz_app_opts *o);

#endif
