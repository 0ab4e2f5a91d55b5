/*
** layout_lesson.h -- the viewer's lesson mode on screen: the lesson panel
** beside the timeline (layout_lesson.c). The panel's commands are tagged
** VZ_TAG_LESSON with these parts as their sub.
*/
#ifndef VZ_LAYOUT_LESSON_H
#define VZ_LAYOUT_LESSON_H

#include "layout.h"
#include "lesson_menu.h"
#include "lesson_view.h"

/* Lay out one lesson-mode frame into dl (which is reset first): the panel on
** the left, the timeline of lv->doc (or a placeholder) on the right. */
void vz_layout_lesson(const vz_lesson_view *lv, const vz_ui *ui, const vz_text_metrics *tm, vz_drawlist *dl);

/* The lesson panel's width for a window; the timeline gets the rest, and
** pointer positions right of it are the timeline's minus this. */
float vz_lesson_panel_w(const vz_ui *ui);

/* The lesson menu (lesson_menu.h, layout_lesson_menu.c), tagged VZ_TAG_LESSON
** with these parts; the lesson panel's own parts are below them. A card's
** hit is VZ_HIT_LESSON with a = the item. */
enum {
    VZ_LM_FRAME = 16,   /* the background and the heading */
    VZ_LM_ITEM,         /* a lesson's card: ref = the item */
    VZ_LM_SELECTED,     /* the highlighted lesson's card: ref = the item */
    VZ_LM_PROGRESS,     /* a card's progress word and bar: ref = the item */
    VZ_LM_MORE,         /* "N more above / below" */
    VZ_LM_EMPTY,        /* the note when there are no lessons */
    VZ_LM_HINT          /* the keys along the bottom */
};

/* Lay out the lesson menu into dl (reset first), the whole window. */
void vz_layout_lesson_menu(const vz_lesson_menu *m, const vz_ui *ui, const vz_text_metrics *tm, vz_drawlist *dl);

/* How many lesson cards fit in the window. */
size_t vz_lesson_menu_rows(const vz_ui *ui, const vz_text_metrics *tm);

#endif
