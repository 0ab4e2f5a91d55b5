/*
** input.h -- from SDL events to viewer actions, and from actions to a new UI
** state.
**
** Two halves. vz_input_translate (input.c) is the only place that reads SDL
** events: it maps keys, the mouse and window events to vz_action values
** (ui.h lists them). vz_apply (input_apply.c) changes the UI state for one
** action without any SDL at all, so tests drive the viewer by applying
** actions: "press the right arrow" is vz_apply(ui, doc, dl, &(vz_action){VZ_ACT_NEXT}).
**
** Pointer actions are resolved against the hit regions of the last frame's
** draw list (what is under the pointer is what the user saw there); pass NULL
** when there is no frame yet.
**
** Keys (the help overlay shows the same list): Space play/pause; Right/Left
** next/previous decision; Shift+Right/Left next/previous instant; Home/End;
** [ and ] speed; W/S zoom, A/D pan (as in Perfetto); Up/Down/PgUp/PgDn
** scroll; F or 0 fit; T time or event axis; 1/2/3 arrow kinds; G dim or hide
** the future; / filter; N next trace; L step the focused trace or all; Tab panels; Ctrl+plus/minus UI scale;
** H or ? help; Esc back out; Q quit.
*/
#ifndef VZ_INPUT_H
#define VZ_INPUT_H

#include <stddef.h>

#include "drawlist.h"
#include "ui.h"
#include "view_model.h"

union SDL_Event;

/*
** Translate one SDL event into up to `cap` actions (returns how many).
** `ratio` converts window coordinates to renderer pixels (HiDPI: drawable
** width / window width; 1 otherwise).
*/
size_t vz_input_translate(const union SDL_Event *ev, const vz_ui *ui, float ratio, vz_action *out, size_t cap);

/*
** Apply one action to the UI state (and to the doc's filter). `last` is the
** previous frame's draw list, for pointer hit tests, or NULL.
*/
void vz_apply(vz_ui *ui, vz_doc *doc, const vz_drawlist *last, const vz_action *a);

/* Convenience: apply an action with no arguments. */
void vz_apply_simple(vz_ui *ui, vz_doc *doc, vz_action_kind kind);

#endif
