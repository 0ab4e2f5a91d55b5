/*
** test_lesson_menu.c -- the lesson menu's model (viz/model/lesson_menu.h)
** and its layout: the highlight stays on a lesson, the list scrolls to keep
** it shown, progress is counted, and each card is drawn and clickable.
*/
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "layout_lesson.h"
#include "lesson_menu.h"

static lesson *fake(const char *title, int minutes)
{
    char path[256];
    /* The process id keeps two test runs at once (or Criterion's parallel
    ** workers) from writing the same file. */
    snprintf(path, sizeof path, "/tmp/coroscope-menu-test-%ld-%d.md", (long)getpid(), minutes);
    FILE *f = fopen(path, "w");
    cr_assert(f);
    fprintf(f, "---\ntitle: %s\nid: t%d\nlevel: beginner\ntopics: [gather, wait]\nminutes: %d\n"
               "programs: [sequential]\n---\n\nSome prose.\n",
            title, minutes, minutes);
    fclose(f);
    ls_diags d = {0};
    lesson *L = lesson_load(path, &d);
    ls_diags_free(&d);
    remove(path);
    cr_assert(L, "the fake lesson parses");
    return L;
}

static vz_lesson_menu menu_of(size_t n)
{
    vz_lesson_menu m;
    vz_menu_init(&m, "somewhere");
    for (size_t i = 0; i < n; i++) {
        char t[32];
        snprintf(t, sizeof t, "Lesson %zu", i + 1);
        cr_assert_eq(vz_menu_add(&m, fake(t, (int)i + 1), i % 3 == 0 ? VZ_MENU_DONE : VZ_MENU_NEW, 2, 4), 0);
    }
    return m;
}

Test(lesson_menu, the_highlight_stays_on_a_lesson)
{
    vz_lesson_menu m = menu_of(5);
    vz_menu_move(&m, -3);
    cr_assert_eq(m.sel, 0);
    vz_menu_move(&m, 2);
    cr_assert_eq(m.sel, 2);
    vz_menu_move(&m, 99);
    cr_assert_eq(m.sel, 4);
    vz_menu_select(&m, 99);
    cr_assert_eq(m.sel, 4);
    cr_assert_eq(vz_menu_count(&m, VZ_MENU_DONE), 2);   /* items 0 and 3 */
    cr_assert_eq(vz_menu_count(&m, VZ_MENU_NEW), 3);
    vz_menu_free(&m);
}

Test(lesson_menu, the_list_scrolls_to_keep_the_highlight_shown)
{
    vz_lesson_menu m = menu_of(10);
    vz_menu_select(&m, 7);
    vz_menu_follow(&m, 3);
    cr_assert_eq(m.top, 5);             /* 5, 6, 7 shown */
    vz_menu_select(&m, 1);
    vz_menu_follow(&m, 3);
    cr_assert_eq(m.top, 1);
    vz_menu_follow(&m, 20);             /* everything fits */
    cr_assert_eq(m.top, 0);
    vz_menu_free(&m);
}

static float fixed_w(void *ud, vz_font f, const char *s)
{
    (void)ud;
    (void)f;
    return 7.0f * (float)strlen(s);
}

Test(lesson_menu, each_card_is_drawn_and_clickable)
{
    vz_lesson_menu m = menu_of(4);
    vz_menu_select(&m, 2);
    vz_text_metrics tm;
    memset(&tm, 0, sizeof tm);
    tm.width = fixed_w;
    for (int f = 0; f < VZ_FONT__COUNT; f++)
        tm.line_h[f] = 16;
    vz_ui ui;
    memset(&ui, 0, sizeof ui);
    ui.w = 1000;
    ui.h = 700;
    ui.scale = 1;
    vz_drawlist dl;
    vz_dl_init(&dl);
    vz_layout_lesson_menu(&m, &ui, &tm, &dl);
    int titles = 0, selected = 0, done_words = 0;
    for (size_t i = 0; i < dl.n_cmds; i++) {
        const vz_cmd *c = &dl.cmds[i];
        if (c->tag != VZ_TAG_LESSON || c->kind != VZ_CMD_TEXT)
            continue;
        const char *s = vz_dl_str(&dl, c);
        if (!strncmp(s, "Lesson ", 7))
            titles++;
        if (c->sub == VZ_LM_SELECTED && !strcmp(s, "Lesson 3"))
            selected++;
        if (c->sub == VZ_LM_PROGRESS && strstr(s, "done") && strstr(s, "2/4"))
            done_words++;
    }
    cr_assert_eq(titles, 4);
    cr_assert_eq(selected, 1, "the highlighted card is the third");
    cr_assert_eq(done_words, 2);
    int cards = 0;
    for (size_t i = 0; i < dl.n_hits; i++)
        if (dl.hits[i].kind == VZ_HIT_LESSON) {
            const vz_hit *h = vz_dl_hit_at(&dl, dl.hits[i].x + 5, dl.hits[i].y + 5);
            cr_assert(h && h->kind == VZ_HIT_LESSON && h->a == dl.hits[i].a);
            cards++;
        }
    cr_assert_eq(cards, 4);
    vz_dl_free(&dl);
    vz_menu_free(&m);
}
