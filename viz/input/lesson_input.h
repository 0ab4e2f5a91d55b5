/*
** lesson_input.h -- what keys do in the viewer's lesson mode, and where the
** playhead goes for each block (see viz/model/lesson_view.h).
**
** Keys: 1-9 choose an option (or a-i), typing fills a number, order or text
** answer, Enter answers (and, once answered, goes on), N or PgDn the next
** block, P or PgUp the previous one, R in presenter mode reveals the answer
** to the class. Everything else is the timeline's (zoom, pan, play, step).
** No SDL here.
*/
#ifndef VZ_LESSON_INPUT_H
#define VZ_LESSON_INPUT_H

#include "lesson_view.h"
#include "ui.h"

/* Does the current question take typed text (a number, an order, a sentence)? */
int vz_lv_typing(const vz_lesson_view *lv);

/* An action in lesson mode: 1 when the lesson took it, 0 when it is the timeline's. */
int vz_lv_apply(vz_lesson_view *lv, vz_ui *ui, const vz_action *a);

/* Once per frame: a reveal's playhead playing to the key event, a task's copy saved. */
void vz_lv_tick(vz_lesson_view *lv, vz_ui *ui, double dt);

/* Fresh timeline state for the block's doc: fitted, and the playhead where the
** block wants it -- at the pause point, or for a reveal at the start (animate)
** or at the key event. */
void vz_lv_place_playhead(vz_lesson_view *lv, vz_ui *ui, int animate);

#endif
