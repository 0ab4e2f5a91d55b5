/*
** layout_lesson.h -- the viewer's lesson mode on screen: the lesson panel
** beside the timeline (layout_lesson.c). The panel's commands are tagged
** VZ_TAG_LESSON with these parts as their sub.
*/
#ifndef VZ_LAYOUT_LESSON_H
#define VZ_LAYOUT_LESSON_H

#include "layout.h"
#include "lesson_view.h"

/* Lay out one lesson-mode frame into dl (which is reset first): the panel on
** the left, the timeline of lv->doc (or a placeholder) on the right. */
void vz_layout_lesson(const vz_lesson_view *lv, const vz_ui *ui, const vz_text_metrics *tm, vz_drawlist *dl);

/* The lesson panel's width for a window; the timeline gets the rest, and
** pointer positions right of it are the timeline's minus this. */
float vz_lesson_panel_w(const vz_ui *ui);

#endif
