/*
** lesson_cli.c -- `coroscope lesson run` in the viewer: the lesson mode's
** window, or one headless frame of it (--screenshot, --layout-dump, --block),
** for the CLI's lesson command (runtime/cli/cmd_lesson.c, lesson_host.h).
*/
#include <stdio.h>
#include <string.h>

#include "app.h"
#include "font.h"
#include "cli/lesson_host.h"
#include "lesson_view.h"

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
    vz_app_opts o;
    memset(&o, 0, sizeof o);
    o.w = wo->w ? wo->w : 1600;
    o.h = wo->h ? wo->h : 1000;
    o.size_given = wo->w != 0;
    o.scale = wo->scale > 0 ? wo->scale : wo->present ? 1.6f : 1;
    o.fonts = &fonts;
    o.screenshot = wo->screenshot;
    o.layout_dump = wo->layout_dump;
    char title[400];
    snprintf(title, sizeof title, "coroscope lesson \xE2\x80\x94 %s", L->title ? L->title : "");
    o.title = title;
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
