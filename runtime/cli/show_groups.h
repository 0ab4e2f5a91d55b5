/*
** show_groups.h -- what `coroscope show` derives from a trace's version-2
** events ("the rest of asyncio" in traces/FORMAT.md) before drawing it: the
** TaskGroup brackets of the gutter left of the lane names, and the marks
** that go on task lanes.
**
**   brackets   one per `async with TaskGroup()` block: the lanes of its owner
**              and members (positions in tr->lanes), and a column, so that
**              groups sharing lanes get brackets of their own, outer groups
**              to the left; per lane and column, what the gutter shows there;
**   marks      per task lane, in event order: the poller found a descriptor
**              ready (on the lane of the task that last waited on it), a
**              timeout fired (on its owner's lane), a TaskGroup began aborting
**              (on its owner's lane, also when a child's failure did it).
**
** show_groups_build fills a show_groups the caller owns and releases with
** show_groups_free (which accepts one that was zeroed or failed to build).
*/
#ifndef SHOW_GROUPS_H
#define SHOW_GROUPS_H

#include <stddef.h>
#include <stdint.h>

#include "trace_model.h"

#define SHOW_GROUP_COLS 4   /* bracket columns; more groups sharing lanes share the last */

/* What the gutter shows in a lane's row, per column. */
enum { SG_NONE, SG_PASS, SG_MEMBER, SG_TOP };

/* A mark on a task lane. */
enum { SM_IO_READY, SM_FIRED, SM_ABORT };

typedef struct show_group {
    uint32_t id;          /* the group's id in the trace */
    uint32_t owner;       /* task index running the `async with`, or TM_NONE */
    uint32_t ev_new;      /* group new */
    uint32_t ev_abort;    /* first group abort, or TM_NONE */
    uint32_t ev_exit;     /* group exit, or TM_NONE when open at the end */
    uint32_t lo, hi;      /* first and last lane (position in tr->lanes); lo > hi when none is known */
    uint32_t members;     /* tasks that joined */
    int col;              /* bracket column, 0 = leftmost */
} show_group;

typedef struct show_mark {
    uint32_t ev;          /* the event */
    uint8_t kind;         /* SM_* */
} show_mark;

typedef struct show_groups {
    show_group *groups; size_t n_groups;   /* in the order they began */
    int cols;             /* bracket columns used (0: no group has a lane) */
    uint8_t *cell;        /* n_tasks * SHOW_GROUP_COLS: SG_* by lane position and column */
    uint32_t *cell_group; /* the group drawn in each of those cells */
    uint32_t *closing;    /* groups with lanes, by last lane, inner (higher column) first */
    size_t n_closing;
    show_mark *marks;     /* grouped by task index, each task's in event order */
    uint32_t *mk_first;   /* n_tasks + 1 offsets into marks */
    size_t n_marks;
    int io_waits;         /* some task waits on an I/O future */
} show_groups;

/* Build it for tr. Returns 0, or -1 when memory runs out (then free it). */
int show_groups_build(const tm_trace *tr, show_groups *sg);

/* Release what show_groups_build made, and zero it. */
void show_groups_free(show_groups *sg);

/* Does span `sp` wait on a future of kind `io` (a socket)? */
int show_span_is_io(const tm_trace *tr, const tm_span *sp);

#endif
