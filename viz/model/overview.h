/*
** overview.h -- a whole trace at a glance, for traces with more lanes than a
** window holds (`swarm --size 5000`), and which lanes are shown in what order.
**
**   concurrency  how many tasks were running, ready and waiting over the whole
**                trace: per bin of VZ_OV_BINS (one set in loop time over
**                [t0, t1], one in event order), the counts at the moment in
**                the bin when the most tasks were alive (ties: the more
**                running, then the more ready). Each bin is a moment that
**                happened, so its three counts add up to the tasks alive then;
**                a bin without events holds what held when it began;
**   minimap      per task, VZ_MM_COLS cells over the trace (loop time, then
**                event order), each the state the task spent most of the cell
**                in -- or, where no time passed (a zero-time cascade), the most
**                telling state it was in there, by the rank the lanes merge
**                pixel columns with: running, failed, cancelled, ready,
**                waiting, done -- or 0 before the task exists;
**   folding      per task, how many descendants it has (the model's lanes are
**                in tree order, so they follow it) and whether they are
**                folded into its lane;
**   sorting      rows in tree order (parents before children), or flat: by
**                start (task creation), by total time waiting (longest
**                first), or by name (Task-2 before Task-10).
**
** The counts come from the model's spans (a task is in one state from a span's
** first event to the next span's), applied event by event: O(events + spans +
** tasks x cells) at load, with 3 transient bytes per event; kept are
** 2 x VZ_MM_COLS bytes and two counters per task, and 2 x VZ_OV_BINS bins per
** run. vz_overview_build is called by vz_doc_add; vz_overview_free releases
** what it made (NULL-safe on a zeroed run).
*/
#ifndef VZ_OVERVIEW_H
#define VZ_OVERVIEW_H

#include <stddef.h>
#include <stdint.h>

#include "view_model.h"

#define VZ_OV_BINS 512     /* concurrency bins per axis mode */
#define VZ_MM_COLS 48      /* minimap cells per task per axis mode */
#define VZ_OV_AUTO 48      /* more task lanes than this in a doc: the overview opens by itself */

/* Tasks per state at one moment. */
typedef struct vz_conc {
    uint32_t running;    /* 0 or 1: one event loop runs one step at a time */
    uint32_t ready;      /* scheduled, in the ready queue */
    uint32_t waiting;    /* suspended on a future */
} vz_conc;

/* The order of the task lanes (vz_doc.sort). */
typedef enum vz_sort {
    VZ_SORT_TREE,        /* each parent before its children, siblings by creation (indented) */
    VZ_SORT_START,       /* flat, by creation */
    VZ_SORT_WAIT,        /* flat, most time waiting first */
    VZ_SORT_NAME,        /* flat, by name, numbers inside names by value */
    VZ_SORT__COUNT
} vz_sort;

/* Build run->conc, conc_peak, mm, subtree and collapsed. Returns 0, or -1 when
** memory runs out. */
int vz_overview_build(vz_run *run);
void vz_overview_free(vz_run *run);

/* The axis range the bins and cells of a run cover: [t0, t1] in loop time,
** [0, n_events] in event order. */
void vz_ov_range(const vz_run *run, int step_view, double *lo, double *hi);

/* The bin (of n over vz_ov_range) that axis position p falls in, clamped. */
size_t vz_ov_bin(const vz_run *run, int step_view, double p, size_t n);

/* The bins of a mode: VZ_OV_BINS of them. */
const vz_conc *vz_ov_bins(const vz_run *run, int step_view);

/* The minimap cells of a task in a mode: VZ_MM_COLS of them, 0 or 1 + tm_state. */
const uint8_t *vz_mm_cells(const vz_run *run, int step_view, uint32_t task);

/* Rank of a state where several share a pixel column (the most telling is
** highest); 0 for anything else. */
int vz_state_rank(unsigned state);

/* The name of a sort order: "tree order", "by start", "by total wait", "by name". */
const char *vz_sort_name(vz_sort sort);

/* Order the rows of a run (run->rows[0..n)) by a sort; tree order keeps them. */
void vz_sort_rows(const vz_run *run, vz_sort sort, uint32_t *rows, size_t n);

/* Compare two names as people do: runs of digits by value ("Task-2" < "Task-10"). */
int vz_natural_cmp(const char *a, const char *b);

#endif
