/*
** constructs.h -- what the viewer derives from the version-2 events ("the rest
** of asyncio" in traces/FORMAT.md) beyond one marker per event: the task
** groups, the timeouts' deadlines, which waits are I/O waits, and the lane
** each version-2 marker belongs on.
**
**   groups      one per `async with TaskGroup()` block (group new .. exit):
**               the task running the block (its owner), the tasks that
**               joined it, when it began aborting, and a column in the lane
**               names' gutter, so that groups sharing lanes get brackets of
**               their own (outer groups to the left);
**   deadlines   one per deadline a timeout had (arm, then each reschedule):
**               when it was due, and what ended it -- a reschedule, the
**               deadline firing, or the block exiting first -- grouped by the
**               owner's lane, each lane's in event order;
**   I/O waits   a bit per span: the task waits on a future of kind `io`
**               (a socket read, write, connect or accept);
**   mark lanes  per version-2 marker, the lane to draw it on: its task, else
**               the task running; a group's `abort` recorded from a
**               callback goes to the group's owner, an `io` event of the
**               poller to the task that last waited on that descriptor.
**
** vz_constructs_build is called by vz_doc_add before the markers are
** grouped; everything is sized by the trace's marks and spans and owned by
** the run (vz_constructs_free releases it, NULL-safe on a zeroed run).
*/
#ifndef VZ_CONSTRUCTS_H
#define VZ_CONSTRUCTS_H

#include "view_model.h"

#define VZ_GROUP_COLS 4   /* bracket columns in the gutter; more groups at once share the last */

/* What ended a deadline. */
typedef enum vz_deadline_end {
    VZ_DL_OPEN,          /* nothing: still armed when the trace ends */
    VZ_DL_RESCHEDULED,   /* a reschedule replaced it (with another deadline, or none) */
    VZ_DL_FIRED,         /* it passed: the timeout fired */
    VZ_DL_EXITED         /* the block exited, or wait_for returned, first */
} vz_deadline_end;

/* Build run->groups, run->deadlines, run->span_io and run->mk_lane. Returns 0,
** or -1 when memory runs out. */
int vz_constructs_build(vz_run *run);

/* Free what vz_constructs_build made (the run's other fields are untouched). */
void vz_constructs_free(vz_run *run);

/* Does span `si` wait on an I/O future? */
int vz_span_is_io(const vz_run *run, uint32_t si);

/* Is task `task` the owner or a member of group `g`? */
int vz_group_has(const vz_run *run, const vz_group *g, uint32_t task);

/* The group with trace id `id`, or NULL. */
const vz_group *vz_group_find(const vz_run *run, uint32_t id);

/*
** One sentence for a sync, job, io, timeout or group event, as vz_event_text
** (which calls this) words every event: "Task-3 acquires lock #12 (held)",
** "Task-1 puts into queue #7: 2 items", "TaskGroup #3 aborts ...". Returns buf.
*/
char *vz_construct_text(const vz_run *run, uint32_t ev, char *buf, size_t size);

/* The position of loop time `t` on the x axis: itself, or (step view) the
** index of the first event at or after it (the last event when none is). */
double vz_time_pos(const vz_run *run, double t, int step_view);

#endif
