/*
** view_model.h -- what the viewer derives from loaded traces (trace_model.h)
** before anything is laid out: the set of traces on screen, and per trace the
** indexes a timeline needs to draw only what is visible.
**
** A vz_doc holds one or more runs (traces), stacked in comparison mode on one
** time axis. For each run it builds, once, at load:
**
**   callbacks      the plain callbacks the loop ran (cb_run events), which with
**                  the model's steps and idle periods make the loop lane: what
**                  the loop itself did -- ran a task's step, ran a callback, sat
**                  idle until a timer;
**   markers        per lane, the events drawn as marks (created, cancel
**                  requested, CancelledError delivered, cancelled, timer fired,
**                  printed, warnings, and the version-2 events: queues, locks,
**                  executor jobs, sockets, timeouts, task groups, blocking
**                  calls), in event order;
**   arrows         per lane, the incoming spawn / wake / cancel links;
**   frame levels   how deep each task's coroutine frames nest (its lane grows a
**                  sub-row per level);
**   constructs     task groups, timeout deadlines, I/O waits and the lanes of
**                  the version-2 markers (constructs.h);
**   worker lanes   the executor threads' jobs (run_in_executor, to_thread), per
**                  worker, in the order they started, and the jobs that waited
**                  for a free worker (jobs.h);
**   overview       the concurrency bins, the minimap cells, each task's
**                  descendants and whether they are folded (overview.h);
**   rows           the lanes shown, after the name filter, folding and the
**                  doc's sort order (tree order unless sorted);
**   findings       see findings.h.
**
** The playhead, and the cursor it gives each run, are in playhead.h.
**
** No SDL type appears here. Ownership: vz_doc_add takes ownership of the
** trace; vz_doc_free frees every run and its trace.
*/
#ifndef VZ_VIEW_MODEL_H
#define VZ_VIEW_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "trace_model.h"

#define VZ_MAX_RUNS 8              /* traces side by side */
#define VZ_FILTER_MAX 64           /* bytes of the task name filter */
#define VZ_LOOP_LIST 12            /* entries kept per list of the loop panel */
#define VZ_GRAPH_MAX 24            /* nodes of the await graph kept for the loop panel */
#define VZ_MAX_LEVELS 6            /* frame nesting levels drawn per lane */

/* What the loop was doing (the loop lane), each kind from its own array. */
typedef enum vz_seg_kind {
    VZ_SEG_STEP,       /* ran a task's step: an index into tr->steps */
    VZ_SEG_CALLBACK,   /* ran a plain callback: an index into run->cbs */
    VZ_SEG_IDLE        /* nothing ready, waited until a timer: an index into tr->idles */
} vz_seg_kind;

/* How an event is marked on its lane. */
typedef enum vz_marker_kind {
    VZ_MK_NONE,
    VZ_MK_CREATED,      /* task_new, on the new task's lane */
    VZ_MK_CANCEL_REQ,   /* cancel(), on the target's lane */
    VZ_MK_THROW,        /* an exception delivered into the task (CancelledError...) */
    VZ_MK_CANCELLED,    /* task_done(cancelled) */
    VZ_MK_FAILED,       /* task_done(exception) */
    VZ_MK_TIMER,        /* timer_fire, on the loop lane */
    VZ_MK_PRINT,        /* print, on the printing task's lane */
    VZ_MK_WARN,         /* warn, on its task's lane or the loop lane */
    VZ_MK_OTHER,        /* a version-2 event drawn generically: queue, lock, executor job, socket close */
    VZ_MK_BLOCK,        /* a blocking call held the loop (version-2 `block`) */
    VZ_MK_TIMEOUT,      /* a timeout armed or rescheduled, on its owner's lane */
    VZ_MK_TIMEOUT_FIRE, /* a timeout's deadline passed, on its owner's lane */
    VZ_MK_GROUP_ABORT,  /* a TaskGroup began cancelling its children, on its owner's lane */
    VZ_MK_IO_READY,     /* the poller reported a descriptor ready, on the waiting task's lane */
    VZ_MK__COUNT
} vz_marker_kind;

/*
** A TaskGroup: one `async with TaskGroup()` block (constructs.h). Its members
** are run->grp_task[first .. first + count), in the order they joined.
*/
typedef struct vz_group {
    uint32_t id;         /* the group's id in the trace */
    uint32_t owner;      /* task index running the `async with`, or TM_NONE */
    uint32_t ev_new;     /* group new */
    uint32_t ev_abort;   /* first group abort, or TM_NONE */
    uint32_t ev_exit;    /* group exit, or TM_NONE when the block is open at the end */
    uint32_t first;      /* first member in run->grp_task */
    uint32_t count;      /* how many tasks joined */
    uint8_t col;         /* bracket column in the gutter, 0 = outermost (leftmost) */
} vz_group;

/* One deadline of a timeout (constructs.h): set by an arm or reschedule. */
typedef struct vz_deadline {
    uint32_t ev;         /* the timeout arm / reschedule event that set it */
    uint32_t ev_end;     /* the reschedule / fire / exit that ended it, or TM_NONE */
    uint32_t owner;      /* task index of the timeout's owner */
    uint32_t obj;        /* the timeout's id (a wait_for waiter's id for wait_for) */
    double when;         /* loop time it is due */
    uint8_t end;         /* vz_deadline_end */
} vz_deadline;

/* One finding (see findings.h). */
typedef struct vz_finding {
    uint8_t kind;        /* vz_finding_kind */
    uint32_t task;       /* the task it is about, or TM_NONE */
    uint32_t ev;         /* the event to jump to */
    char title[160];     /* one line: what happened, with names and figures */
    char facts[240];     /* the evidence, e.g. "job('a') 3 s + job('b') 1 s = 4 s" */
} vz_finding;

/*
** An instant that holds many scheduler decisions: under the virtual clock a
** cascade (a TaskGroup aborting, gather cancelling its children, a timeout
** firing) happens at one loop time, so on a time axis it is one pixel column.
*/
#define VZ_DENSE_MIN 12    /* decisions at one instant that make it dense */
#define VZ_DENSE_MAX 64    /* dense instants kept per run */
typedef struct vz_dense {
    double t;              /* the loop time */
    uint32_t ev;           /* its first event */
    uint32_t decisions;    /* how many decisions happen at it */
} vz_dense;

/* The loop at a playhead position (for the loop panel). */
typedef struct vz_loop_state {
    uint32_t ev;                        /* the cursor it describes (TM_NONE: before the start) */
    uint32_t running;                   /* task whose step runs, or TM_NONE */
    uint32_t callback;                  /* cb_run event if a plain callback is running, else TM_NONE */
    uint32_t idle;                      /* idle index if the loop just waited, else TM_NONE */
    uint32_t ready[VZ_LOOP_LIST];       /* ready queue, head first (handle indexes) */
    size_t n_ready;                     /* its full length */
    uint32_t timers[VZ_LOOP_LIST];      /* pending timers, soonest first (timer indexes) */
    size_t n_timers;                    /* how many are pending */
    uint32_t waiting[VZ_LOOP_LIST];     /* tasks waiting on a future (task indexes) */
    uint32_t waiting_span[VZ_LOOP_LIST];/* the span each one is in */
    size_t n_waiting;                   /* how many tasks wait */
    size_t n_alive;                     /* tasks created and not finished */
    tm_await_node graph[VZ_GRAPH_MAX];  /* who awaits whom (tm_await_graph_at), depth first */
    size_t n_graph;                     /* its full size (may be more than VZ_GRAPH_MAX) */
} vz_loop_state;

typedef struct vz_run {
    tm_trace *tr;              /* the trace (owned) */
    char *label;               /* what the viewer calls it: scenario or file name (owned) */
    char *path;                /* where it came from (owned; may be a deleted temp file) */
    int paused;                /* the trace was cut at a lesson's pause point: its header says
                                  "paused at", never "makespan", and nothing of the outcome */
    double t0, t1;             /* first and last loop time */

    uint32_t *cbs;  size_t n_cbs;       /* cb_run events, in order (the loop lane's callbacks) */
    uint32_t *mk_first;        /* n_tasks + 2 offsets into mk_ev; slot n_tasks is the loop lane */
    uint32_t *mk_ev;           /* marker events, grouped by lane, each group in event order */
    uint32_t mk_present;       /* bit k set: the trace has markers of vz_marker_kind k (for the legend) */
    uint32_t *ln_first;        /* n_tasks + 2 offsets into ln_idx, by target lane */
    uint32_t *ln_idx;          /* spawn / wake / cancel link indexes, grouped by target lane */
    uint8_t *levels;           /* per task: frame nesting levels (0: no frames) */
    uint32_t *wk_first;        /* tr->n_workers + 1 offsets into wk_job */
    uint32_t *wk_job;          /* started jobs (indexes into tr->jobs), grouped by worker, by start */
    uint32_t *job_busy;        /* per job: workers busy at its submit when it had to wait for one to come
                                  free (it was queued: jobs.h), else TM_NONE */
    uint32_t *jq_job;          /* the queued jobs (indexes into tr->jobs), in submission order */
    uint8_t *jq_row;           /* per queued job: its sub-row of the queue lane */
    size_t n_queued;           /* how many jobs waited for a free worker */
    uint8_t q_rows;            /* sub-rows of the queue lane (0: no job waited, so no queue lane) */

    vz_group *groups; size_t n_groups;  /* TaskGroups, in the order they began (constructs.h) */
    uint32_t *grp_task;        /* the groups' members (task indexes), grouped by group */
    uint8_t grp_cols;          /* gutter columns the brackets need (0: no groups) */
    vz_deadline *deadlines; size_t n_deadlines;  /* timeout deadlines, grouped by owner lane, by event */
    uint32_t *dl_first;        /* n_tasks + 1 offsets into deadlines, by owner task */
    uint8_t *span_io;          /* bit per span: it waits on an I/O future (vz_span_is_io) */
    size_t n_io_waits;         /* how many spans do */
    uint32_t *mk_lane;         /* per tr->marks entry: the task lane it is drawn on, or TM_NONE (loop) */

    struct vz_conc *conc;      /* 2 x VZ_OV_BINS tasks per state over the trace: loop time, then event order
                                  (overview.h) */
    uint32_t conc_peak;        /* the most tasks alive at once */
    uint8_t *mm;               /* per task 2 x VZ_MM_COLS minimap cells (overview.h) */
    uint32_t *subtree;         /* per task: how many descendants it has */
    uint8_t *collapsed;        /* per task: its descendants are folded into its lane (vz_doc_collapse) */

    uint32_t *rows;            /* the task lanes shown, after the filter, folding and sort */
    uint32_t *row_sub;         /* n_rows + 1: frame sub-rows above each row (cumulative) */
    uint32_t *row_of;          /* per task: its row, or TM_NONE when filtered out */
    size_t n_rows;
    int no_match;              /* the filter hides every task: one row says so instead */

    vz_finding *findings; size_t n_findings;

    uint32_t n_decisions;      /* scheduler decisions in the trace (playhead.h) */
    vz_dense dense[VZ_DENSE_MAX]; size_t n_dense; /* instants holding VZ_DENSE_MIN decisions or more,
                                                    in time order (the first VZ_DENSE_MAX) */
    uint32_t dense_most;       /* index in dense of the one holding the most, or TM_NONE */

    uint32_t cur;              /* read-only: the cursor for the doc's playhead (vz_doc_sync, playhead.h) */
    vz_loop_state loop;        /* read-only: the loop at `cur` (vz_doc_sync) */
    double cache_t;            /* private: cursor cache */
    uint32_t cache_k, cache_cur, cache_pos, cache_seen;
    int cache_ok;              /* private */
    int idle_now;              /* private: `loop` shows the idle wait in progress at the playhead */
} vz_run;

typedef struct vz_doc {
    vz_run runs[VZ_MAX_RUNS];  /* stacked top to bottom; the first is the reference */
    size_t n_runs;
    double t_min, t_max;       /* the shared time axis */
    size_t max_events;         /* the step axis: longest trace's event count */
    char filter[VZ_FILTER_MAX];/* read-only: filter the rows were built for */
    uint8_t sort;              /* read-only: vz_sort the rows are in (vz_doc_sort) */
} vz_doc;

/* ---- building ---------------------------------------------------------------- */

void vz_doc_init(vz_doc *doc);
void vz_doc_free(vz_doc *doc);   /* frees every run and trace; NULL ok */

/*
** Add a loaded trace as the next run, labelled `label` (copied), from `path`
** (copied). Takes ownership of `tr` (freed on failure too). Returns 0, or -1
** when the doc is full or memory runs out.
*/
int vz_doc_add(vz_doc *doc, tm_trace *tr, const char *label, const char *path);

/*
** Does the doc read better in event order from the start? When, in some run,
** one instant holds at least VZ_DENSE_MIN decisions and 40% of all of them,
** a time axis would squeeze the point of the trace into one pixel column.
** Returns that run's index, or -1.
*/
int vz_doc_wants_event_order(const vz_doc *doc);

/* Rebuild the rows of every run for a case-insensitive substring filter on task
** name and coroutine ("" shows every task). A filter shows every match, inside
** folded lanes too. */
void vz_doc_filter(vz_doc *doc, const char *filter);

/* Put every run's lanes in a vz_sort order (overview.h) and rebuild the rows. */
void vz_doc_sort(vz_doc *doc, int sort);

/*
** Fold (how 1) or unfold (how 0) the descendants of a task into its lane, or
** toggle it (how -1); task TM_NONE does it to every task that has children.
** Returns how many tasks changed.
*/
size_t vz_doc_collapse(vz_doc *doc, size_t run, uint32_t task, int how);

/* ---- reading ------------------------------------------------------------------ */

/* Position of event `ev` on the x axis: its time, or (step view) its index. */
double vz_run_pos(const vz_run *run, uint32_t ev, int step_view);

/* The marker an event gets, and on which task lane (TM_NONE: the loop lane). */
vz_marker_kind vz_marker_of(const tm_trace *tr, const tm_event *ev, uint32_t *lane);

/*
** The event range of the loop lane's segment `i` of a kind: a step from
** step_begin to step_end (or the last event); a callback from its cb_run to its
** last effect at the same instant, before the next decision; an idle period is
** its one event. Returns the first event and writes the last to *last.
*/
uint32_t vz_seg_events(const vz_run *run, vz_seg_kind kind, size_t i, uint32_t *last);

/* The loop panel's view of a cursor (see vz_loop_state). */
void vz_run_loop_state(const vz_run *run, uint32_t ev, vz_loop_state *out);

/* One sentence for an event: "Task-2 awaits sleep(3)". Returns buf. */
char *vz_event_text(const vz_run *run, uint32_t ev, char *buf, size_t size);

/* What a task awaited: distinct labels with total seconds and count. */
typedef struct vz_wait_sum {
    tm_str label;        /* the awaited thing's label */
    double seconds;      /* total time waiting on it */
    uint32_t count;      /* how many waits */
} vz_wait_sum;
size_t vz_task_waits(const vz_run *run, uint32_t task, vz_wait_sum *out, size_t cap);

/* What a timer is for: the label of the future created just before it
** ("sleep(2)", a timeout), else its callback's name. */
const char *vz_timer_purpose(const vz_run *run, uint32_t timer);

/* A time or duration for people, always with its unit: tm_format_seconds, but
** "0 s" for zero (the model's "0" reads as a count next to "in 2 steps"). */
char *vz_format_seconds(double s, char *buf, size_t size);

/* A task's name, "loop" for TM_NONE. */
const char *vz_task_name(const vz_run *run, uint32_t task);

/* The label of the future (or task) with trace id `id`: "sleep(3)", "Task-2". */
const char *vz_future_label(const vz_run *run, uint32_t id);

/* Case-insensitive substring test used by the filter. */
int vz_match(const char *hay, const char *needle);

#endif
