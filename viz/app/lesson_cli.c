/*
** lesson_cli.c -- `coroscope lesson` in the viewer, for the CLI's lesson
** command (runtime/cli/cmd_lesson.c, lesson_host.h): the lesson menu's window,
** and `lesson run`'s lesson mode; or one headless frame of either
** (--screenshot, --layout-dump, --block).
*/
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "font.h"
#include "cli/lesson_host.h"
#include "lesson_menu.h"
#include "lesson_view.h"

/* The app's options from the lesson command's: a size given on the command
** line wins over the window's own default (w x h), and a scale given wins
** over the default scale. */
static vz_app_opts app_opts(const lh_window_opts *wo, const vz_font_files *fonts, int w, int h, float scale,
                            const char *title)
{
    vz_app_opts o;
    memset(&o, 0, sizeof o);
    o.w = wo->w ? wo->w : w;
    o.h = wo->h ? wo->h : h;
    o.size_given = wo->w != 0;
    o.scale = wo->scale > 0 ? wo->scale : scale;
    o.fonts = fonts;
    o.screenshot = wo->screenshot;
    o.layout_dump = wo->layout_dump;
    o.title = title;
    return o;
}

int lh_run_window(lesson *L, lh_host *h, const lh_window_opts *wo)
{
    lq_env proto = {NULL, lh_findings, h};
    vz_lesson_view lv;
    char work[1024];
    lh_work_dir(L->id ? L->id : "lesson", work, sizeof work);
    if (vz_lv_init(&lv, L, &proto, lh_record, h, work) < 0) {
        fprintf(stderr, "coroscope lesson: out of memory\n");
        return 1;
    }
    lv.present = wo->present;
    for (int i = 0; i < wo->n_answers && i < VZ_LV_MAX_ANSWERS; i++)
        lv.answers[lv.n_answers++] = wo->answers[i];
    size_t start = 0;
    if (wo->block) {
        int b = lesson_find_block(L, wo->block);
        if (b < 0) {
            fprintf(stderr, "coroscope lesson: the lesson has no block '%s'\n", wo->block);
            vz_lv_free(&lv);
            return 2;
        }
        start = (size_t)b;
    }
    vz_lv_goto(&lv, start);
    vz_font_files fonts;
    char err[512];
    if (vz_font_find(NULL, &fonts, err, sizeof err)) {
        fprintf(stderr, "coroscope lesson: %s\n", err);
        vz_lv_free(&lv);
        return 1;
    }
    char title[400];
    snprintf(title, sizeof title, "coroscope lesson \xE2\x80\x94 %s", L->title ? L->title : "");
    vz_app_opts o = app_opts(wo, &fonts, 1600, 1000, wo->present ? 1.6f : 1, title);
    int rc;
    if (wo->screenshot) {
        rc = vz_app_lesson_screenshot(&lv, &o);
    } else {
        rc = vz_app_lesson_window(&lv, &o, err, sizeof err);
        if (rc == VZ_APP_NO_DISPLAY) {
            vz_lv_free(&lv);
            return VZ_APP_NO_DISPLAY;
        }
        size_t right, graded;
        ls_session_score(&lv.s, &right, &graded);
        printf("score: %zu/%zu\n", right, graded);
        lh_progress_put(L->id, (int)right, (int)graded, lv.finished);
    }
    vz_lv_free(&lv);
    return rc;
}

/* The menu's items: every lesson found that parses, with its progress. */
static int menu_fill(vz_lesson_menu *m, const lh_dirs *d)
{
    char **all;
    int n;
    if (lh_find_all(d, &all, &n) < 0)
        return -1;
    for (int i = 0; i < n; i++) {
        ls_diags dg = {0};
        lesson *L = lesson_load(all[i], &dg);
        ls_diags_free(&dg);
        if (!L)
            continue;
        int best = 0, of = 0, done = 0;
        vz_menu_state st = VZ_MENU_NEW;
        if (L->id && lh_progress_get(L->id, &best, &of, &done))
            st = done ? VZ_MENU_DONE : VZ_MENU_BEGUN;
        if (vz_menu_add(m, L, st, best, of) < 0) {
            lh_free_list(all, n);
            return -1;
        }
    }
    lh_free_list(all, n);
    return 0;
}

/* The menu's window, again after each lesson opened from it, until it is closed. */
static int menu_loop(const lh_dirs *d, const char *where, const lh_window_opts *wo, const vz_app_opts *o,
                     lh_open_fn open, void *ud)
{
    char err[512];
    size_t sel = 0;
    for (int round = 0;; round++) {
        vz_lesson_menu m;
        vz_menu_init(&m, where);
        if (menu_fill(&m, d) < 0) {
            fprintf(stderr, "coroscope lesson: out of memory\n");
            vz_menu_free(&m);
            return 1;
        }
        vz_menu_select(&m, sel);
        if (wo->screenshot) {
            int rc = vz_app_lesson_menu_screenshot(&m, o);
            vz_menu_free(&m);
            return rc;
        }
        int k = vz_app_lesson_menu_window(&m, o, err, sizeof err);
        if (k < 0 || (size_t)k >= m.n) {
            vz_menu_free(&m);
            if (k == VZ_APP_NO_DISPLAY && !round)
                return VZ_APP_NO_DISPLAY;
            if (k == VZ_APP_NO_DISPLAY) {
                fprintf(stderr, "coroscope lesson: the menu's window could not open again: %s\n", err);
                return 1;
            }
            return k == -1 ? 0 : 1;
        }
        sel = (size_t)k;
        char path[4096];
        snprintf(path, sizeof path, "%s", m.items[k].L->path);
        vz_menu_free(&m);
        open(ud, path);          /* its problems are its own; the menu comes back */
    }
}

int lh_run_menu(const lh_dirs *d, const lh_window_opts *wo, lh_open_fn open, void *ud)
{
    vz_font_files fonts;
    char err[512];
    if (vz_font_find(NULL, &fonts, err, sizeof err)) {
        fprintf(stderr, "coroscope lesson: %s\n", err);
        return 1;
    }
    vz_app_opts o = app_opts(wo, &fonts, 1280, 860, 1, "coroscope lessons");
    char where[2048] = "";
    for (int i = 0, k = 0; i < d->n && k >= 0 && (size_t)k < sizeof where; i++)
        k += snprintf(where + k, sizeof where - (size_t)k, "%s%s", i ? ", " : "", d->dir[i]);
    /* The display stays connected while lessons open from the menu and close:
    ** a window opened again right after one closed could otherwise meet an X
    ** server resetting because its last client left. */
    int held = !wo->screenshot && vz_app_video_hold(err, sizeof err) == 0;
    int rc = menu_loop(d, where, wo, &o, open, ud);
    if (held)
        vz_app_video_release();
    return rc;
}
