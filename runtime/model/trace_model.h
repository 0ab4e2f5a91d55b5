/*
** trace_model.h -- a coroscope trace loaded into compact arrays, and the
** questions a timeline asks of it.
**
** A trace (traces/FORMAT.md) is a header line and one JSON object per event.
** tm_load() reads it line by line and rebuilds what the event loop was doing:
**
**   tasks     who existed, who created whom, how each one ended;
**   spans     per task, an unbroken run of states from its creation to the end
**             of the trace: ready (scheduled, not yet run), running, waiting
**             (on what), then done / failed / cancelled;
**   steps     every time the loop ran a task's coroutine (step_begin..step_end);
**   handles   every entry of the ready queue: when it was scheduled, when the
**             loop ran or dropped it -- so the queue at any moment is known;
**   timers    call_later bookkeeping, for the pending timers at any moment;
**   futures   every future, its label and who resolved it;
**   frames    nested coroutine calls inside a task (frame_enter/frame_exit);
**   links     cause -> effect pairs of events for arrows: spawn, wake-up,
**             cancellation, callback, timer;
**   marks     the version-2 events (queues and locks, executor jobs, sockets,
**             timeouts, task groups, blocking calls) as generic markers;
**   jobs      work handed to executor threads, each on a worker lane;
**   sources   (version 3) the program's files carried in the trace, where each
**             event happened in them (`src`), the locals recorded at each
**             suspension, and what each future waits for (`of`): enough to show
**             the code beside the timeline and the await graph at any moment;
**   problems  what was wrong with the file, by line and column.
**
** Everything is addressed by **index** into these arrays (uint32_t), never by
** pointer; TM_NONE means "none". Trace **ids** (the numbers in the file) are
** kept where the file has them and are turned into indexes with tm_find_*().
** Strings are interned once and named by a tm_str reference; tm_text() turns
** one into a C string. Times are loop seconds (doubles), as in the file.
**
** Ownership: tm_load() returns a trace the caller owns and frees with
** tm_free() (which accepts NULL). Every array and string stays valid, and
** unchanged, until then; nothing here allocates after loading except the
** caller-sized query helpers, which write into caller buffers. The model
** holds no cJSON tree and no SDL type: a viewer's layout reads it directly.
**
** Size and speed: an event costs 24 bytes (seq, by, h and s2 are derived:
** see tm_event_seq); with spans, handles, futures, strings and index tables a
** trace takes about 52 bytes per event in all (`record swarm --size 20000`,
** 970k events: 48 MiB, loaded in about 0.7 s here, two thirds of that inside
** cJSON), the same per event at 2.4M and 4.9M events. Memory while loading is
** bounded by the model plus the longest line.
*/
#ifndef TRACE_MODEL_H
#define TRACE_MODEL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TM_NONE UINT32_MAX   /* no task / event / span / object, in any index field */
#define TM_FORMAT_VERSION 4  /* the newest trace format version this reader knows (it reads 1, 2 and 3 too) */

typedef uint32_t tm_str;     /* an interned string; 0 is the empty string (also "absent") */

/* ------------------------------------------------------------------------ */
/* Event kinds, with the names the file uses.                                */

#define TM_EVENT_KINDS(X)                                                   \
    X(TASK_NEW, "task_new")           X(STEP_BEGIN, "step_begin")          \
    X(THROW, "throw")                 X(STEP_END, "step_end")              \
    X(TASK_DONE, "task_done")         X(FUT_NEW, "fut_new")                \
    X(FUT_DONE, "fut_done")           X(CB_ADD, "cb_add")                  \
    X(WAKE, "wake")                   X(CALL_SOON, "call_soon")            \
    X(CB_RUN, "cb_run")               X(HANDLE_CANCEL, "handle_cancel")    \
    X(CANCEL, "cancel")               X(UNCANCEL, "uncancel")              \
    X(TIMER_NEW, "timer_new")         X(TIMER_FIRE, "timer_fire")          \
    X(TIMER_CANCEL, "timer_cancel")   X(IDLE, "idle")                      \
    X(END, "end")                     X(FRAME_ENTER, "frame_enter")        \
    X(FRAME_EXIT, "frame_exit")       X(PRINT, "print")                    \
    X(WARN, "warn")                   X(SYNC, "sync")                      \
    X(JOB, "job")                     X(IO, "io")                          \
    X(TIMEOUT, "timeout")             X(GROUP, "group")                    \
    X(BLOCK, "block")                 X(SOURCE, "source")

typedef enum tm_kind {
#define TM__KIND_ENUM(name, text) TM_EV_##name,
    TM_EVENT_KINDS(TM__KIND_ENUM)
#undef TM__KIND_ENUM
    TM_EV__COUNT
} tm_kind;

/* What a task is doing over a span of time. Printable with tm_state_name(). */
typedef enum tm_state {
    TM_STATE_READY,      /* in the ready queue: scheduled, not yet run */
    TM_STATE_RUNNING,    /* its coroutine is executing (a step) */
    TM_STATE_WAITING,    /* suspended on a future; the span's label says which */
    TM_STATE_DONE,       /* finished with a result (to the end of the trace) */
    TM_STATE_FAILED,     /* finished with an exception */
    TM_STATE_CANCELLED,  /* finished cancelled */
    TM_STATE__COUNT
} tm_state;

/* How a task or future finished (task_done / fut_done `outcome`). */
typedef enum tm_outcome {
    TM_OUTCOME_PENDING,    /* not finished when the trace ends */
    TM_OUTCOME_RESULT,     /* `result`: value in `result` */
    TM_OUTCOME_EXCEPTION,  /* `exception`: type in `result`, text in `msg` */
    TM_OUTCOME_CANCELLED   /* `cancelled`: message (if any) in `msg` */
} tm_outcome;

/* Why a step ended (step_end `reason`). */
typedef enum tm_reason {
    TM_REASON_AWAIT, TM_REASON_YIELD, TM_REASON_RETURN,
    TM_REASON_RAISE, TM_REASON_CANCELLED, TM_REASON_UNKNOWN
} tm_reason;

/* Why the recording stopped (`end` event `reason`). */
typedef enum tm_end {
    TM_END_MISSING,   /* no `end` event: the trace was cut short */
    TM_END_COMPLETE, TM_END_DEADLOCK, TM_END_ERROR,
    TM_END_MAX_EVENTS,  /* a recorder's --max-events limit was reached (version 3) */
    TM_END_MAX_TIME,    /* a recorder's --max-time limit (loop seconds) was reached */
    TM_END_INTERRUPTED, /* the recorder got SIGINT or SIGTERM */
    TM_END_OTHER
} tm_end;

/* What an arrow means: `from` caused `to`. */
typedef enum tm_link_kind {
    TM_LINK_SPAWN,     /* task_new (in the parent) -> the child's first step_begin */
    TM_LINK_WAKE,      /* fut_done/task_done of the awaited future -> the step_begin it scheduled */
    TM_LINK_CANCEL,    /* cancel -> the CancelledError `throw` in the target task, or its
                          task_done(cancelled); for a plain future -> its fut_done(cancelled) */
    TM_LINK_CALLBACK,  /* fut_done/task_done -> cb_run of a callback it scheduled (call_soon with fut) */
    TM_LINK_TIMER      /* timer_new -> cb_run of that timer's callback */
} tm_link_kind;

/* ------------------------------------------------------------------------ */
/* The arrays. All fields are read-only for callers.                         */

/*
** One event, in file order. `task` is the task the event is about; `by` is
** where it happened -- the task whose step was running (a task's own
** step_begin, step_end, throw and task_done count as its own), or TM_NONE for
** the loop itself and plain callbacks -- so `by` is the lane to draw it on,
** and to start or end an arrow at. Per kind:
**
**   kind           task        obj             h       s1           s2      detail
**   task_new       new task    parent's id|0   h       name         coro    -
**   step_begin     task        h               h       -            -       -
**   throw          task        -               -       exc          msg     -
**   step_end       task        fut (await)     h(yield) on|exc|msg   src|msg tm_reason
**   task_done      task        -               -       value|exc    msg     tm_outcome
**   fut_new        -           fut             -       label        kind    -
**   fut_done       task if fut is one  fut     -       value|exc    msg     tm_outcome
**   cb_add         -           fut             -       fn           -       -
**   wake           task        fut             h       -            -       -
**   call_soon      -           fut|0           h       fn           -       -
**   cb_run         -           h               h       fn           -       -
**   handle_cancel  -           h               h       -            -       -
**   cancel         target task target          -       msg          via     ok (1/0)
**   uncancel       task        count           -       -            -       -
**   timer_new      -           timer           -       fn           -       -
**   timer_fire     -           timer           -       -            -       -
**   timer_cancel   -           timer           -       -            -       -
**   idle           -           idle index      -       -            -       -
**   end            -           -               -       reason       -       tm_end
**   frame_enter    task        frame|NONE      -       fn           args    -
**   frame_exit     task        frame|NONE      -       fn           -       -
**   print          task|NONE   -               -       text         -       -
**   warn           task|NONE   -               -       msg          kind    -
**   sync, job, io, timeout, group, block (the version-2 events):
**                  task|NONE   mark index      -       op           what    job done: tm_outcome
**                  (marks[obj] holds the rest: see tm_mark)
**
** A frame event's obj is TM_NONE when it names no frame (an unknown task, or
** a frame_exit with no frame open), since 0 is a frame index.
** For step_end: await -> s1 = `on` label, s2 = `src`; yield -> s2 = `src`;
** raise -> s1 = exc, s2 = msg; cancelled -> s2 = msg. Values (`value`) are
** kept as Python would print them: None, 'a', [1, 2], ValueError('boom').
*/
typedef struct tm_event {
    double t;         /* loop time in seconds; never below the previous event's */
    uint32_t task;    /* task index the event is about, or TM_NONE (see table) */
    uint32_t obj;     /* an id or number, per kind (see table); 0 when none */
    tm_str s1;        /* the first string field, per kind (see table) */
    uint8_t kind;     /* tm_kind */
    uint8_t detail;   /* tm_reason / tm_outcome / tm_end / cancel's `ok`, per kind */
    uint8_t flags;    /* TM_EVF_*: */
    uint8_t pad_;     /* private: zero */
} tm_event;

/*
** The columns `seq`, `by`, `h` and `s2` of the table above are not stored in
** tm_event, which is why it is 24 bytes (they made it 40): each is asked of
** the trace by event index, and is nearly always known from what the model
** holds anyway -- seq from the event's position (a file's seq counts up by
** one; where it does not, the trace keeps where it jumps), `by` from the step
** running at the event (tm_running_at), `h` from the handle the event queued
** or took out of the ready queue, and `s2` from the task, future, frame or
** marker the event made. Where an event's value differs from that (a damaged
** trace, a `src`, a message) the trace keeps the value itself, so the answer
** is always what the file said. O(log n), no allocation.
*/
struct tm_trace;
uint32_t tm_event_seq(const struct tm_trace *tr, uint32_t ev);  /* `seq` as written in the file */
uint32_t tm_event_by(const struct tm_trace *tr, uint32_t ev);   /* task index running when it happened, or TM_NONE */
uint32_t tm_event_h(const struct tm_trace *tr, uint32_t ev);    /* ready-queue handle id, or 0 */
tm_str tm_event_s2(const struct tm_trace *tr, uint32_t ev);     /* the second string field, per kind, or 0 */

/* tm_event.flags. SET_ORDER: `"order":"set"` -- CPython decides this while
** iterating a set, whose order follows object addresses; the trace shows the
** producer's order (the C runtime's: creation / argument order). */
#define TM_EVF_SET_ORDER 1

/*
** A task. Its spans are spans[span_first .. span_first + span_count), in time
** order, contiguous and gapless from creation to the last event of the trace.
*/
typedef struct tm_task {
    uint32_t id;           /* id in the trace */
    tm_str name;           /* asyncio name: "Task-3" unless given */
    tm_str coro;           /* coroutine function name */
    uint32_t parent;       /* creating task's index, or TM_NONE */
    uint32_t depth;        /* 0 for a root task, parent's depth + 1 otherwise */
    uint32_t ev_new : 29;  /* its task_new event (event indexes are below 2^29) */
    uint32_t outcome : 3;  /* tm_outcome (in the same word: 80 bytes a task, not 88) */
    uint32_t ev_done;      /* its task_done event, or TM_NONE while pending */
    uint32_t span_first;   /* first of its spans */
    uint32_t span_count;   /* how many spans it has */
    uint32_t frame_first;  /* first of its frames (frames are grouped by task) */
    uint32_t frame_count;  /* how many frames it entered */
    uint32_t steps;        /* how many times it ran */
    tm_str result;         /* RESULT: value repr; EXCEPTION: exception type */
    tm_str msg;            /* EXCEPTION / CANCELLED: the message */
    double t_running;      /* total seconds in RUNNING spans */
    double t_ready;        /* total seconds in READY spans */
    double t_waiting;      /* total seconds in WAITING spans */
} tm_task;

/*
** A span of one state, from event ev_begin to event ev_end (inclusive ends:
** the span covers [events[ev_begin].t, events[ev_end].t]). A span may last zero
** seconds -- under the virtual clock every step does. The last span of a task
** ends at the last event of the trace. An event begins at most one span (and
** so ends at most one: the previous span of the same task).
*/
typedef struct tm_span {
    uint32_t ev_begin;   /* event that entered this state */
    uint32_t ev_end;     /* event that left it (or the last event of the trace) */
    uint32_t task : 29;  /* the task whose span this is (task indexes are below 2^29) */
    uint32_t state : 3;  /* tm_state (20 bytes a span, not 24) */
    uint32_t fut;        /* WAITING: id of the awaited future (maybe a task's id); else 0 */
    tm_str label;        /* WAITING: what it waits on ("sleep(2)", "gather(3)", a task name) */
} tm_span;

/* One step: the loop resumed a task and it gave control back. */
typedef struct tm_step {
    uint32_t ev_begin;   /* step_begin; the task that ran is events[ev_begin].task */
    uint32_t ev_end;     /* step_end, or TM_NONE if the trace stops inside the step */
} tm_step;

/* One entry of the ready queue (a task step or a plain callback). */
typedef struct tm_handle {
    uint32_t id;         /* handle id (for a fired timer: the timer's id) */
    uint32_t task;       /* task index whose step it runs, or TM_NONE for a callback
                            (whose name tm_handle_fn gives) */
    uint32_t ev_queued;  /* event that put it in the ready queue */
    uint32_t ev_gone;    /* step_begin / cb_run / handle_cancel that took it out, or TM_NONE;
                            it was cancelled when that is a handle_cancel or timer_cancel */
} tm_handle;

/* A future (tasks are futures too, but live in tasks[]). */
typedef struct tm_future {
    uint32_t id;         /* id in the trace */
    tm_str kind;         /* "future", "sleep", "gather", "wait", ... */
    tm_str label;        /* what a timeline shows while a task waits on it */
    uint32_t ev_new : 29;/* fut_new (event indexes are below 2^29) */
    uint32_t outcome : 3;/* tm_outcome (in the same word: 48 bytes a future, not 52) */
    uint32_t ev_done;    /* fut_done, or TM_NONE */
    uint32_t created_by; /* task index that created it, or TM_NONE */
    uint32_t done_by;    /* task index that resolved it, or TM_NONE (a callback: see via) */
    tm_str via;          /* the callback that resolved it, when done_by is TM_NONE */
    tm_str result;       /* value repr or exception type, as for tasks */
    tm_str msg;          /* exception / cancellation message */
    uint32_t of_first;   /* version 3 `of`: what it waits for, tr->of_ids[of_first .. + of_count) */
    uint32_t of_count;   /* (trace ids of tasks or futures; gather's children in argument order) */
} tm_future;

/* A call_later / call_at timer. */
typedef struct tm_timer {
    double when;         /* loop time it is due (first: 32 bytes a timer, not 40) */
    uint32_t id;         /* id in the trace (and its handle id once it fires) */
    tm_str fn;           /* the callback */
    uint32_t ev_new;     /* timer_new */
    uint32_t ev_fire;    /* timer_fire, or TM_NONE */
    uint32_t ev_cancel;  /* timer_cancel, or TM_NONE */
    uint32_t created_by; /* task index that started it, or TM_NONE */
} tm_timer;

/* A coroutine call inside a task (`await job("a", 3)`). */
typedef struct tm_frame {
    uint32_t task;       /* the task it ran in */
    uint32_t parent;     /* enclosing frame's index, or TM_NONE at the task's top level */
    uint32_t depth;      /* 0 for an outermost call */
    tm_str fn;           /* coroutine function */
    tm_str args;         /* argument list as Python prints it */
    uint32_t ev_enter;   /* frame_enter */
    uint32_t ev_exit;    /* frame_exit, or TM_NONE */
} tm_frame;

/* An arrow: event `from` caused event `to`. */
typedef struct tm_link {
    uint32_t from;       /* cause (event index); drawn from lane tm_event_by(tr, from) */
    uint32_t to : 29;    /* effect (event index); drawn to lane tm_event_by(tr, to) */
    uint32_t kind : 3;   /* tm_link_kind (8 bytes a link, not 12) */
} tm_link;

/*
** A version-2 event ("the rest of asyncio" in FORMAT.md): something happened
** (`op`) to an object (`obj`). A viewer that knows the kind can say more; one
** that does not can still draw a marker labelled "kind op what".
**
**   kind     obj             op                          what          num
**   sync     queue/lock id   put, get, acquire, set, ... its kind      count (NAN if none)
**   job      job id          submit, start, done         fn            worker (-1 at submit)
**   io       fd              wait, ready, close          label         -
**   timeout  timeout id      arm, reschedule, fire, exit -             when (NAN for none)
**   group    group id        new, add, abort, exit       -             -
**   block    0               "block"                     label         dur (seconds)
*/
typedef struct tm_mark {
    uint32_t ev;         /* the event */
    uint32_t obj;        /* the object's id (fd for io; 0 for block) */
    uint32_t task;       /* task index involved, or TM_NONE */
    uint32_t fut;        /* job: id of the future that carries its result; else 0 */
    tm_str op;           /* what happened to it */
    tm_str what;         /* per kind, see above */
    double num;          /* per kind, see above */
} tm_mark;

/* Work handed to an executor thread (`run_in_executor`, `to_thread`). */
typedef struct tm_job {
    uint32_t id;         /* job id in the trace */
    tm_str fn;           /* the function it runs */
    uint32_t fut;        /* id of the asyncio future that will carry the result */
    int32_t worker;      /* the worker thread that ran it (lane "worker-N"), -1 until started */
    uint32_t submitted_by; /* task index that submitted it, or TM_NONE */
    uint32_t ev_submit;  /* job submit event */
    uint32_t ev_start;   /* job start event, or TM_NONE */
    uint32_t ev_done;    /* job done event, or TM_NONE */
    uint8_t outcome;     /* tm_outcome: RESULT or EXCEPTION once done */
} tm_job;

/* An `idle` event: the loop had nothing ready. */
typedef struct tm_idle {
    uint32_t ev;         /* the idle event */
    double from, until;  /* the wait (real clock) or clock jump (virtual clock) */
} tm_idle;

/* Something wrong with the file. Messages never repeat the path. */
typedef struct tm_problem {
    uint32_t line;       /* 1-based line in the file */
    uint32_t column;     /* 1-based column (byte) in that line */
    const char *message; /* owned by the trace */
} tm_problem;

/*
** Version 3: the program's code in the trace. A `source` event carries the
** whole text of a file that `src` fields name; `tm_source` keeps it with an
** index of its lines. It is what the program is, not something that happened,
** so it is not one of tr->events (its seq is kept). Text is NUL-terminated and
** owned by the trace.
*/
typedef struct tm_source {
    tm_str file;         /* the FILE that `src` fields use: "prog.py" */
    const char *text;    /* the whole file */
    size_t len;          /* bytes in text */
    uint32_t *line_start;/* byte offset of each line in text */
    uint32_t n_lines;    /* lines (a last line without its newline counts) */
    uint32_t seq;        /* the source event's seq (source events are not in tr->events) */
} tm_source;

/*
** Where in the program an event happened: every event with a `src` field
** ("prog.py:12") has one, in event order. `source` is TM_NONE when the trace
** does not carry that file's text (old traces, C programs, files over 1 MiB).
*/
typedef struct tm_srcref {
    uint32_t ev;         /* the event */
    uint32_t source;     /* index into tr->sources, or TM_NONE */
    uint32_t line;       /* 1-based line */
    tm_str file;         /* FILE as written in `src` */
    tm_str csrc;         /* C runtime: the C location for readers of the C, or 0 */
} tm_srcref;

/* Local variables recorded at a suspension (step_end `locals`, version 3). */
typedef struct tm_var {
    tm_str name;         /* the variable */
    tm_str value;        /* its repr, cut to 80 characters by the recorder */
} tm_var;

/* One program frame of a suspended task: tr->vars[var_first .. + var_count). */
typedef struct tm_lframe {
    tm_str fn;           /* the coroutine function */
    uint32_t line;       /* where it is suspended (1-based), 0 when unknown */
    uint32_t var_first;  /* first of its variables in tr->vars */
    uint32_t var_count;  /* how many were recorded */
    uint32_t more;       /* how many more the frame had (not recorded) */
} tm_lframe;

/* The frames of one step_end, outermost first: tr->lframes[frame_first .. + frame_count). */
typedef struct tm_locals {
    uint32_t ev;         /* the step_end event */
    uint32_t frame_first;
    uint32_t frame_count;
} tm_locals;

/*
** Whole-trace figures, computed once at load.
**
** Peak concurrency is the largest number of tasks alive at once: a task is
** alive from its task_new event up to (not including) its task_done event,
** whatever state it is in; the count is taken after every event, so a task
** that finishes just before another starts at the same loop time does not
** overlap it.
*/
typedef struct tm_stats {
    double t_end;          /* time of the `end` event, or of the last event */
    double makespan;       /* t_end minus the loop's start (0, or the first t if negative) */
    double idle;           /* sum of until - from over idle events */
    double blocked;        /* sum of `dur` over block events: the loop held by one step */
    uint32_t steps;        /* step_begin events */
    uint32_t callbacks;    /* cb_run events */
    uint32_t peak_tasks;   /* peak concurrency (see above) */
    uint32_t peak_ready;   /* longest the ready queue got */
} tm_stats;

/* Load flags. */
enum {
    TM_LOAD_STRICT = 1   /* validate: keep reading past bad lines, check every rule,
                            keep every problem (otherwise at most TM_MAX_WARNINGS) */
};
#define TM_MAX_WARNINGS 100

/* The loaded trace. Every field is read-only. */
typedef struct tm_trace {
    /* header */
    int version;              /* format version (1) */
    tm_str scenario;          /* what was recorded */
    tm_str clock;             /* "virtual" or "real" */
    tm_str semantics;         /* "cpython-3.11" */
    tm_str producer;          /* who wrote it */
    uint8_t end_reason;       /* tm_end */

    tm_event *events;   size_t n_events;
    tm_task *tasks;     size_t n_tasks;     /* in creation order */
    uint32_t *lanes;                         /* n_tasks task indexes, tree order: each parent
                                                before its children, siblings by creation */
    tm_span *spans;     size_t n_spans;     /* grouped by task, each group in time order */
    tm_step *steps;     size_t n_steps;     /* in time order */
    tm_handle *handles; size_t n_handles;   /* in the order they were queued */
    tm_future *futures; size_t n_futures;   /* in creation order */
    tm_timer *timers;   size_t n_timers;    /* in creation order */
    tm_frame *frames;   size_t n_frames;    /* grouped by task, each group by entry */
    tm_link *links;     size_t n_links;     /* ordered by `to` */
    tm_idle *idles;     size_t n_idles;
    uint32_t *prints;   size_t n_prints;    /* event indexes of print events */
    uint32_t *warns;    size_t n_warns;     /* event indexes of warn events */
    tm_mark *marks;     size_t n_marks;     /* version-2 events, in file order */
    tm_job *jobs;       size_t n_jobs;      /* executor jobs, in submission order */
    uint32_t n_workers;                      /* worker lanes: 1 + the highest worker number */

    /* version 3 */
    tm_source *sources; size_t n_sources;   /* embedded files, in file order */
    tm_srcref *srcrefs; size_t n_srcrefs;   /* events with a `src`, in event order */
    tm_locals *locals;  size_t n_locals;    /* step_end events with `locals`, in event order */
    tm_lframe *lframes; size_t n_lframes;
    tm_var *vars;       size_t n_vars;
    uint32_t *of_ids;   size_t n_of_ids;    /* the futures' `of` lists, back to back */

    tm_problem *problems; size_t n_problems;
    size_t problems_dropped;  /* problems not kept (non-strict loads keep TM_MAX_WARNINGS) */

    tm_stats stats;
    struct tm__private *priv; /* private: strings, id tables, query indexes */
} tm_trace;

/* A fatal load error: the file could not be read as a trace at all. */
typedef struct tm_error {
    uint32_t line;            /* 1-based line, 0 when about the whole file */
    uint32_t column;          /* 1-based column, 0 when unknown */
    char message[256];        /* one sentence, without the path */
} tm_error;

/* ------------------------------------------------------------------------ */
/* Loading.                                                                  */

/*
** Read the trace at `path` ("-" is standard input). On success returns a new
** trace (free it with tm_free) whose `problems` list what was wrong but could
** be read around: a malformed or truncated line ends the load -- everything
** before it is kept and a problem names its line and column -- and events that
** break a rule are recorded as problems and applied as sensibly as possible.
** With TM_LOAD_STRICT, reading goes on after a bad line and every rule is
** checked (see tm_load_stream). Returns NULL and fills `*err` (which may be
** NULL) when the file cannot be opened, is empty, has no valid header, has a
** format other than "coroscope-trace" or a version above TM_FORMAT_VERSION,
** or when memory runs out.
*/
tm_trace *tm_load(const char *path, unsigned flags, tm_error *err);

/*
** As tm_load, from an open stream (not closed). Rules checked in strict mode,
** each reported as a problem at its line: unparsable lines, missing fields
** and fields of the wrong type, seq gaps, time going backwards, unknown event
** kinds, ids that name no known task / future / timer / handle, a step_begin
** of a task that is already running (or while another task runs), steps of
** finished tasks, task_done or fut_done twice, a trace without `end`.
** Past 16384 lines of a regular file, a second thread parses lines ahead of
** the one applying them, so the allocator (alloc.h) is then called from two
** threads: the C library's is safe so; a replacement must be too.
*/
tm_trace *tm_load_stream(FILE *in, unsigned flags, tm_error *err);

/*
** The longest line a load reads, in bytes (newline excluded): a longer line
** ends the load -- what came before it is kept and a problem names the line
** (a fatal error for line 1) -- so no input makes the reader's buffer grow past
** it (`show /dev/zero` stops after 16 MiB). The default is TM_MAX_LINE_DEFAULT,
** or $COROSCOPE_MAX_LINE when set (a size: 1048576, 512K, 64M, 1G);
** tm_set_max_line(0) goes back to that. traces/FORMAT.md documents the limit.
*/
#define TM_MAX_LINE_DEFAULT ((size_t)16 << 20)
size_t tm_max_line(void);
void tm_set_max_line(size_t bytes);

/* A size as those take it ("16M", "512K", "1G", "1048576"); 0 when it is not one. */
size_t tm_parse_size(const char *text);

/* Free a trace and everything it owns. Accepts NULL. */
void tm_free(tm_trace *tr);

/* ------------------------------------------------------------------------ */
/* Lookups.                                                                  */

/* The C string of an interned string; "" for 0. Valid until tm_free. */
const char *tm_text(const tm_trace *tr, tm_str s);

/* The index of the task / future / timer / handle with trace id `id`, or TM_NONE.
** Tasks, futures, timers and jobs are found in O(1); a handle (its latest
** entry) by a scan from the end of tr->handles, since only tests ask. */
uint32_t tm_find_task(const tm_trace *tr, uint64_t id);
uint32_t tm_find_future(const tm_trace *tr, uint64_t id);
uint32_t tm_find_timer(const tm_trace *tr, uint64_t id);
uint32_t tm_find_handle(const tm_trace *tr, uint64_t id);
uint32_t tm_find_job(const tm_trace *tr, uint64_t id);

/* Printable names: "task_new", "running", "result", "await", "complete", "wake". */
const char *tm_kind_name(tm_kind kind);
const char *tm_state_name(tm_state state);
const char *tm_outcome_name(tm_outcome outcome);
const char *tm_reason_name(tm_reason reason);
const char *tm_end_name(tm_end end);
const char *tm_link_name(tm_link_kind kind);

/* The callback a handle runs (tr->handles[handle]): the call_soon's `fn`, or
** the fired timer's; 0 for a task's step. */
tm_str tm_handle_fn(const tm_trace *tr, uint32_t handle);

/* Span bounds in seconds. */
double tm_span_t0(const tm_trace *tr, const tm_span *sp);
double tm_span_t1(const tm_trace *tr, const tm_span *sp);

/* ------------------------------------------------------------------------ */
/* The loop at a moment. "At event i" means just after event i happened.    */

/*
** The index of the last event at or before loop time `t`, or TM_NONE when
** `t` is before the first event. O(log n).
*/
uint32_t tm_event_at_time(const tm_trace *tr, double t);

/* The task whose step is running at event `ev`, or TM_NONE. O(log steps). */
uint32_t tm_running_at(const tm_trace *tr, uint32_t ev);

/*
** The span task `task` is in at event `ev` (an index into tr->spans), or
** TM_NONE before the task exists. A WAITING span's `fut` and `label` say
** what it waits on. O(log spans of that task).
*/
uint32_t tm_span_at(const tm_trace *tr, uint32_t task, uint32_t ev);

/*
** The ready queue at event `ev`, head first: writes up to `cap` handle
** indexes to `out` and returns how many handles were queued (which may be
** more than cap). O(log handles + queue length).
*/
size_t tm_ready_at(const tm_trace *tr, uint32_t ev, uint32_t *out, size_t cap);

/*
** The pending timers at event `ev` (started, not yet fired or cancelled),
** soonest deadline first: writes up to `cap` timer indexes to `out` and
** returns how many were pending. Each call scans the timers that could be
** pending, so keep `cap` small in a drawing loop.
*/
size_t tm_timers_at(const tm_trace *tr, uint32_t ev, uint32_t *out, size_t cap);

/* ------------------------------------------------------------------------ */
/* The program's code (version 3).                                          */

/* The index of the embedded source named `file` ("prog.py"), or TM_NONE. */
uint32_t tm_find_source(const tm_trace *tr, const char *file);

/*
** Line `line` (1-based) of source `source`, without its newline: returns its
** first byte and sets *len, or NULL when there is no such line.
*/
const char *tm_source_line(const tm_trace *tr, uint32_t source, uint32_t line, size_t *len);

/* Where event `ev` happened in the program (its `src`), or NULL. O(log n). */
const tm_srcref *tm_event_src(const tm_trace *tr, uint32_t ev);

/* The locals recorded with step_end event `ev`, or NULL. O(log n). */
const tm_locals *tm_event_locals(const tm_trace *tr, uint32_t ev);

/*
** Where task `task` stands in the program at event `ev`: the source
** reference of the step_end that suspended it, while it is suspended (waiting
** or ready after a yield), or of the last event of its running step that has a
** `src`; NULL when unknown (not started, finished, no src). If `locals` is not
** NULL it receives the locals recorded at that suspension, or NULL.
*/
const tm_srcref *tm_task_src_at(const tm_trace *tr, uint32_t task, uint32_t ev,
                                const tm_locals **locals);

/*
** The await graph at event `ev`: who waits for whom, as a forest in
** depth-first order. A task waiting on a future is the parent of that future's
** node; a future's children are what it waits for (`of`: gather's children,
** wait_for's inner task ...; a TaskGroup's exit waits for the group's
** members); a task waiting on a task is its parent directly. Roots are the
** tasks alive at `ev` that no one awaits. Writes up to `cap` nodes to `out`
** and returns how many the graph has (which may be more than cap).
*/
typedef struct tm_await_node {
    uint32_t task;       /* task index, or TM_NONE for a future node */
    uint32_t fut;        /* future index for a future node, else TM_NONE */
    uint32_t parent;     /* index in `out` of the node that awaits this one, or TM_NONE */
    uint32_t depth;      /* 0 for a root */
} tm_await_node;
size_t tm_await_graph_at(const tm_trace *tr, uint32_t ev, tm_await_node *out, size_t cap);

/* ------------------------------------------------------------------------ */
/* Formatting helpers shared by the CLI and the viewer.                      */

/*
** Write a duration or time in seconds for people: "0", "3 s", "1.5 s",
** "250 ms", "12.5 µs" (at most 4 significant digits). Returns buf.
*/
char *tm_format_seconds(double s, char *buf, size_t size);

/*
** A tick step for an axis covering `range` seconds with at most `max_ticks`
** ticks: 1, 2 or 5 times a power of ten. Returns 1 for a zero range. Always
** positive and finite (for a range too small for a power of ten below it,
** the range itself), so `t += step` always advances.
*/
double tm_nice_step(double range, int max_ticks);

/*
** Print each of the trace's problems as "path:line:column: <label>message"
** (label: "" or e.g. "warning: "), and a last line if some were not kept.
** Messages quote trace text, so both functions print through tm_safe.h:
** control characters and bytes that are not UTF-8 are shown escaped.
*/
void tm_print_problems(FILE *to, const char *path, const char *label, const tm_trace *tr);

/*
** Print a load error as "<who>path:line:column: message", or "<who>path:
** message" when it is about the whole file (who: "" or e.g. "coroscope show: ").
*/
void tm_print_error(FILE *to, const char *who, const char *path, const tm_error *err);

#endif
