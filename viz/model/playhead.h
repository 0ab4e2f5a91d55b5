/*
** playhead.h -- where the viewer's replay stands, and how it moves: one
** scheduler decision at a time, in every trace at once.
**
** The playhead is a loop time `t` plus `k`, the number of scheduler decisions
** already shown at that instant (VZ_K_ALL: all of them). Under the virtual
** clock a whole schedule can happen at t = 0; `k` is what lets the viewer
** replay it decision by decision, and because `k` counts decisions per
** instant, several traces step through the same instant side by side. A
** run's cursor is the last event its timeline shows for a given (t, k).
**
** A *decision* is an event where the loop changes what runs or what is
** queued: a task created (its first step queued), a step begun or ended, a
** wake-up or callback queued, a handle cancelled, a callback run, a timer
** fired, a cancel() call, the end of the recording. Bookkeeping events (a
** future created, a timer started, a frame entered, a line printed) are shown
** together with the decision before them.
**
** The cursor of a (t, k) is computed by a binary search for the instant and a
** walk over its decisions; vz_doc_sync caches each run's walk, so playing an
** instant forward costs one step per frame, not a walk from its start.
*/
#ifndef VZ_PLAYHEAD_H
#define VZ_PLAYHEAD_H

#include <stdint.h>

#include "view_model.h"

#define VZ_K_ALL UINT32_MAX        /* playhead: every decision at its instant */

/*
** Bring every run's `cur` and `loop` up to date with playhead (t, k). Cheap
** when nothing changed; steps forward incrementally while k grows at the same t.
*/
void vz_doc_sync(vz_doc *doc, double t, uint32_t k);

/* Is this event a scheduler decision (see above)? */
int vz_is_decision(const tm_event *ev);

/* The last event a run shows at playhead (t, k), or TM_NONE. */
uint32_t vz_run_cursor(const vz_run *run, double t, uint32_t k);

/* How many decisions of a run happen at exactly time t. */
uint32_t vz_run_decisions_at(const vz_run *run, double t);

/* The first decision after event `ev` (TM_NONE: from the start), or TM_NONE. */
uint32_t vz_run_next_decision(const vz_run *run, uint32_t ev);

/* The last decision with time strictly before t, or TM_NONE. */
uint32_t vz_run_prev_decision_before(const vz_run *run, double t);

/* The playhead (t, k) that puts a run's cursor just past event `ev`. */
void vz_run_playhead_for(const vz_run *run, uint32_t ev, double *t, uint32_t *k);

/* The last decision before event `ev` (TM_NONE: none), or TM_NONE. */
uint32_t vz_run_prev_decision(const vz_run *run, uint32_t ev);

/*
** Playhead moves for one run: its next / previous decision, whatever the other
** runs do at that time (they show the same clock). Each returns 1 when the
** playhead moved.
*/
int vz_run_step_next(const vz_run *run, double *t, uint32_t *k);
int vz_run_step_prev(const vz_run *run, double *t, uint32_t *k);

/* Playhead moves over all runs. Each returns 1 when the playhead moved. */
int vz_doc_step_next(const vz_doc *doc, double *t, uint32_t *k);
int vz_doc_step_prev(const vz_doc *doc, double *t, uint32_t *k);
int vz_doc_instant_next(const vz_doc *doc, double *t, uint32_t *k);   /* next time with events */
int vz_doc_instant_prev(const vz_doc *doc, double *t, uint32_t *k);
int vz_doc_more_at(const vz_doc *doc, double t, uint32_t k);          /* undecided decisions at t? */
double vz_doc_next_time(const vz_doc *doc, double t);                 /* next decision time > t, or t_max */

#endif
