/*
** trace.h -- the runtime's side of recording: events and the tracer interface.
**
** The runtime knows nothing of files or JSON. At every scheduling decision it
** fills a co_trace_event and hands it to the loop's tracer, if one is set; with no
** tracer the cost is one pointer test. trace_writer.h turns events into the
** JSON Lines of traces/FORMAT.md, which documents each event and field; the
** names below are the `ev` strings of that format.
**
** Ids are 0 for "null". String fields are borrowed for the duration of the
** call; a tracer that keeps them must copy.
*/
#ifndef CO_TRACE_H
#define CO_TRACE_H

#include <stdbool.h>
#include <stdint.h>

#include "value.h"

#define CO_EVENT_LIST(X)                  \
    X(CO_EV_TASK_NEW, "task_new")         \
    X(CO_EV_STEP_BEGIN, "step_begin")     \
    X(CO_EV_THROW, "throw")               \
    X(CO_EV_STEP_END, "step_end")         \
    X(CO_EV_TASK_DONE, "task_done")       \
    X(CO_EV_FUT_NEW, "fut_new")           \
    X(CO_EV_FUT_DONE, "fut_done")         \
    X(CO_EV_CB_ADD, "cb_add")             \
    X(CO_EV_WAKE, "wake")                 \
    X(CO_EV_CALL_SOON, "call_soon")       \
    X(CO_EV_CB_RUN, "cb_run")             \
    X(CO_EV_HANDLE_CANCEL, "handle_cancel") \
    X(CO_EV_CANCEL, "cancel")             \
    X(CO_EV_UNCANCEL, "uncancel")         \
    X(CO_EV_TIMER_NEW, "timer_new")       \
    X(CO_EV_TIMER_FIRE, "timer_fire")     \
    X(CO_EV_TIMER_CANCEL, "timer_cancel") \
    X(CO_EV_IDLE, "idle")                 \
    X(CO_EV_END, "end")                   \
    X(CO_EV_FRAME_ENTER, "frame_enter")   \
    X(CO_EV_FRAME_EXIT, "frame_exit")     \
    X(CO_EV_PRINT, "print")               \
    X(CO_EV_WARN, "warn")                 \
    X(CO_EV_SYNC, "sync")                 \
    X(CO_EV_JOB, "job")                   \
    X(CO_EV_IO, "io")                     \
    X(CO_EV_TIMEOUT, "timeout")           \
    X(CO_EV_GROUP, "group")               \
    X(CO_EV_BLOCK, "block")               \
    X(CO_EV_SOURCE, "source")

typedef enum co_trace_event_kind {
#define CO_X_EV(name, str) name,
    CO_EVENT_LIST(CO_X_EV)
#undef CO_X_EV
    CO_EV__COUNT
} co_trace_event_kind;

const char *co_trace_event_name(co_trace_event_kind k);   /* "task_new" */

typedef struct co_trace_event {
    co_trace_event_kind ev;      /* which event */
    uint64_t seq;          /* 1, 2, 3 ... set by the loop */
    double t;              /* loop time, set by the loop */
    uint64_t task;         /* the task concerned */
    uint64_t fut;          /* a future (or task, as a future) */
    uint64_t h;            /* a handle in the ready queue */
    uint64_t parent;       /* task_new: the creating task */
    uint64_t by;           /* the task whose step did it */
    uint64_t target;       /* cancel: what was cancelled */
    uint64_t timer;        /* timer events */
    const char *name;      /* task_new: task name */
    const char *coro;      /* task_new: coroutine function */
    const char *reason;    /* step_end, end */
    const char *src;       /* step_end, print, frame_enter: file:line (NULL: unknown) */
    const char *csrc;      /* with src: the C location when src names a Python twin */
    const char *file;      /* source: the name src fields use for it */
    const char *on;        /* step_end: label of the awaited future */
    const char *kind;      /* fut_new, warn */
    const char *label;     /* fut_new */
    const char *fn;        /* callbacks and frames */
    const char *outcome;   /* task_done, fut_done */
    const char *exc;       /* exception type */
    const char *msg;       /* exception or warning message */
    const char *text;      /* print; source: the file's whole text */
    const char *via;       /* the callback that did it, when not a task */
    const char *args;      /* frame_enter: argument list repr */
    double when;           /* timer_new */
    double from, until;    /* idle */
    const co_value *value; /* task_done, fut_done: the result, or NULL */
    int ok;                /* cancel: what cancel() returned */
    int count;             /* uncancel: cancelling() afterwards; sync: size/value after */
    uint64_t obj;          /* sync, job, timeout, group: the object's id */
    const char *op;        /* sync, job, io, timeout, group: what happened to it */
    double dur;            /* block: seconds the loop was held */
    const char *order;     /* any event: "set" when CPython decides it iterating a set, else NULL */
    const uint64_t *of;    /* fut_new: the ids of what the future waits for on a task's behalf */
    size_t nof;            /* fut_new: how many (0: no `of`) */
    long long fd;          /* io: the file descriptor */
    long long worker;      /* job: the worker thread's number */
} co_trace_event;

typedef struct co_tracer {
    void (*event)(void *ud, const co_trace_event *ev);   /* NULL: recording off */
    void *ud;                                      /* passed back */
} co_tracer;

#endif
