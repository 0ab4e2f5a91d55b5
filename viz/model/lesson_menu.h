/*
** lesson_menu.h -- the lesson menu: `coroscope lesson` with a display opens
** it. A list of the lessons found (title, level, minutes, topics) with the
** student's progress in each; the student moves through it with the arrow
** keys or the pointer and opens one with Enter or a click. Closing the lesson
** comes back here, its progress updated.
**
** The model only: which lessons, which is highlighted, how far the list is
** scrolled. It is drawn by viz/layout/layout_lesson_menu.c and driven by
** viz/app/app_lesson_menu.c. No SDL here.
**
** Ownership: the menu owns its items' lessons (parsed, never recorded) and
** strings.
*/
#ifndef VZ_LESSON_MENU_H
#define VZ_LESSON_MENU_H

#include <stddef.h>

#include "lesson.h"

/* How far a student is in a lesson, as the host keeps it. */
typedef enum vz_menu_state { VZ_MENU_NEW, VZ_MENU_BEGUN, VZ_MENU_DONE } vz_menu_state;

typedef struct vz_menu_item {
    lesson *L;              /* parsed (title, id, level, minutes, topics, blocks) */
    vz_menu_state state;
    int best, of;           /* the best score so far, out of `of` (state != NEW) */
} vz_menu_item;

typedef struct vz_lesson_menu {
    vz_menu_item *items;
    size_t n, cap;
    size_t sel;             /* the highlighted item */
    size_t top;             /* the first item shown (the list scrolled) */
    const char *where;      /* the folder they come from, for the heading (borrowed) */
} vz_lesson_menu;

void vz_menu_init(vz_lesson_menu *m, const char *where);
void vz_menu_free(vz_lesson_menu *m);     /* frees the items' lessons too */

/* Add a lesson (the menu takes it). 0, or -1 out of memory (the lesson is freed). */
int vz_menu_add(vz_lesson_menu *m, lesson *L, vz_menu_state state, int best, int of);

/* Move the highlight by `delta` items (clamped to the list), or to item i. */
void vz_menu_move(vz_lesson_menu *m, long delta);
void vz_menu_select(vz_lesson_menu *m, size_t i);

/* Scroll so the highlighted item is among the `rows` shown. */
void vz_menu_follow(vz_lesson_menu *m, size_t rows);

/* Lessons done, and begun (not done). */
size_t vz_menu_count(const vz_lesson_menu *m, vz_menu_state state);

#endif
