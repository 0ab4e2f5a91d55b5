/*
** tm_internal.h -- what the model's .c files share and callers never see.
**
** Three small pieces of machinery, each in its own file:
**   tm_table.c   growable arrays, an id -> index hash table, a string interner;
**   tm_load.c    the line reader, the header and per-line field checks;
**   tm_state.c   the replay's operations: objects by id, spans, the ready queue;
**   tm_build.c   applying one checked event to the model under construction;
**   tm_finish.c  closing spans, grouping by task, statistics, query indexes;
**   tm_value.c   JSON result values printed as Python would;
**   tm_strtod.c  the process's strtod: glibc's answers, short decimals fast;
** and tm_query.c answers questions about a finished trace.
**
** The builder (struct tm__builder) lives only while a file is being read:
** it holds per-task bookkeeping (the open span, the pending cancel, the frame
** stack) that the finished trace does not need.
*/
#ifndef TM_INTERNAL_H
#define TM_INTERNAL_H

#include <stdarg.h>
#include <stdint.h>
#include <stddef.h>

#include "trace_model.h"

/* ---- growable arrays ---------------------------------------------------- */

/*
** Make room for `need` elements of `size` bytes in *arr (capacity *cap),
** growing by half again each time. Returns 0, or -1 when out of memory
** (then *arr is unchanged).
*/
int tm__reserve(void *arr, size_t *cap, size_t need, size_t size);

/* Shrink *arr to exactly n elements (a failed shrink keeps the old block). */
void tm__shrink(void *arr, size_t n, size_t size);

/* ---- id -> index ---------------------------------------------------------- */

/*
** Open addressing with linear probing. Keys are trace ids (positive, so 0
** marks an empty slot); values are indexes. Load factor at most 1/2.
*/
typedef struct tm__idmap {
    uint32_t *dense;     /* dense[key]: the value, TM_NONE when absent (keys < dense_cap) */
    size_t dense_cap;    /* grows with the keys stored, never past 4 per key (tm_table.c) */
    uint32_t *keys;      /* the hash part, for keys past it: 0 = empty slot */
    uint32_t *vals;      /* index for the key in the same slot */
    size_t cap;          /* slots, a power of two (0 before first put) */
    size_t len;          /* keys in the hash part */
    size_t n;            /* keys stored in all */
} tm__idmap;

int tm__idmap_put(tm__idmap *m, uint32_t key, uint32_t val);  /* 0, or -1: out of memory */
uint32_t tm__idmap_get(const tm__idmap *m, uint32_t key);     /* TM_NONE when absent */
void tm__idmap_trim(tm__idmap *m);   /* give back the dense part past the largest key */
void tm__idmap_free(tm__idmap *m);

/* ---- interned strings ------------------------------------------------------ */

/*
** Every distinct string is stored once, NUL-terminated, in one growing
** buffer; a tm_str is its byte offset, and offset 0 holds "". A hash table of
** offsets finds existing copies.
*/
typedef struct tm__strings {
    char *buf;           /* all strings, back to back */
    size_t len, cap;     /* bytes used / allocated */
    uint32_t *slots;     /* offset + 1 of a string, 0 = empty slot */
    uint32_t *hashes;    /* the hash of the string in the same slot */
    size_t nslots, count;
} tm__strings;

int tm__strings_init(tm__strings *st);                              /* 0 or -1 */
int tm__intern(tm__strings *st, const char *s, size_t n, tm_str *out); /* 0 or -1 */
void tm__strings_done(tm__strings *st);   /* free the lookup table: no more tm__intern */
void tm__strings_free(tm__strings *st);

/* ---- what tm_event does not store ---------------------------------------- */

/*
** An event's value where it is not what the model would say anyway (see
** tm_event_seq and friends in trace_model.h): pairs in event order, so a
** binary search finds an event's. For seq, each pair starts a run: events
** ev, ev + 1, ... have seq val, val + 1, ... until the next pair.
*/
typedef struct tm__evval {
    uint32_t ev;         /* event index */
    uint32_t val;        /* its seq / by / h / s2 */
} tm__evval;

typedef struct tm__evvals {
    tm__evval *v;
    size_t n, cap;
} tm__evvals;

/* The first of n elements (stride bytes apart, sorted by the uint32_t at
** `offset`) whose key is not below `key`, or n. O(1) past the last two. */
size_t tm__lower_bound(const void *base, size_t n, size_t stride, size_t offset, uint32_t key);

/* The pair for event `ev`, or NULL (for seq runs: the run it is in). */
const tm__evval *tm__evvals_find(const tm__evvals *x, uint32_t ev, int run);

/* What tm_event_by / _h / _s2 answer for event `ev` when the trace keeps no
** value of its own for it: the loader keeps one exactly where the event's
** value differs from these (tm_query.c). */
uint32_t tm__derived_by(const tm_trace *tr, uint32_t ev);
uint32_t tm__derived_h(const tm_trace *tr, uint32_t ev);
tm_str tm__derived_s2(const tm_trace *tr, uint32_t ev);

/* ---- the trace's private part -------------------------------------------- */

struct tm__private {
    tm__strings strings;     /* every tm_str points in here */
    tm__idmap objects;       /* task / future / timer id -> tagged index (TM__TAG_*) */
    tm__idmap handles;       /* handle id -> index of its latest handles[] entry */
    uint32_t *handle_gone_max;  /* per block of handles: max ev_gone over handles[0 .. its end] (TM_NONE = never) */
    uint32_t *timer_gone_max;   /* per block of timers: the same over min(ev_fire, ev_cancel) */
    tm__evvals seq_runs;     /* where seq does not count up by one from the previous event */
    tm__evvals by_x, h_x, s2_x;  /* events whose by / h / s2 is not the derived one */
    char **messages;         /* problem messages, owned */
    size_t cap_problems;     /* capacity of tr->problems and messages */
};

/* handle_gone_max / timer_gone_max keep one running maximum per this many
** entries (a 16th of the memory; a query walks one block). */
#define TM__GONE_BLOCK 16

/* objects map values carry what kind of object the index is into (top 3 bits). */
#define TM__TAG_TASK   0x00000000u
#define TM__TAG_FUTURE 0x20000000u
#define TM__TAG_TIMER  0x40000000u
#define TM__TAG_JOB    0x60000000u
#define TM__TAG_MASK   0xE0000000u
#define TM__TAG_SHIFT  29
#define TM__INDEX_MAX  0x1FFFFFFFu

/* ---- loading --------------------------------------------------------------- */

/* The fields of one event line that the model knows (NULL when absent). */
enum {
    TM__F_SEQ, TM__F_T, TM__F_EV, TM__F_TASK, TM__F_NAME, TM__F_PARENT,
    TM__F_CORO, TM__F_H, TM__F_EXC, TM__F_MSG, TM__F_REASON, TM__F_FUT,
    TM__F_ON, TM__F_SRC, TM__F_OUTCOME, TM__F_VALUE, TM__F_KIND, TM__F_LABEL,
    TM__F_BY, TM__F_VIA, TM__F_FN, TM__F_TARGET, TM__F_OK, TM__F_COUNT,
    TM__F_TIMER, TM__F_WHEN, TM__F_FROM, TM__F_UNTIL, TM__F_ARGS, TM__F_TEXT,
    TM__F_OBJ, TM__F_OP, TM__F_WORKER, TM__F_FD, TM__F_DUR,
    TM__F_FILE, TM__F_CSRC, TM__F_LOCALS, TM__F_OF, TM__F_ORDER,
    TM__F__COUNT
};
extern const char *const tm__field_names[TM__F__COUNT];

struct cJSON;

/*
** The event being applied, with every field of the file's event: tm__apply
** fills one, then keeps what tm_event holds and, in the trace's private part,
** whichever of seq, by, h and s2 differ from what the model derives.
*/
typedef struct tm__wide {
    double t;
    uint32_t seq, task, by, obj, h;
    tm_str s1, s2;
    uint8_t kind, detail, flags;
} tm__wide;

/* Per-task bookkeeping while loading. */
typedef struct tm__live {
    uint32_t span;           /* the task's open span (index in the unsorted spans) */
    uint32_t step;           /* its open step, or TM_NONE */
    uint32_t cancel_ev;      /* first cancel not yet delivered, or TM_NONE */
    uint32_t frame_top;      /* innermost open frame, or TM_NONE */
    uint8_t woken_in_step;   /* a wake came during its own step: its await ends ready */
} tm__live;

/* Per-future bookkeeping while loading. */
typedef struct tm__futlive {
    uint32_t cancel_ev;      /* first successful cancel not yet delivered, or TM_NONE */
} tm__futlive;

/* Per-handle bookkeeping while loading: what caused it, for links. */
typedef struct tm__cause {
    uint32_t ev;             /* the causing event, or TM_NONE */
    uint8_t kind;            /* tm_link_kind */
} tm__cause;

typedef struct tm__builder {
    tm_trace *tr;            /* the trace being filled */
    unsigned flags;          /* TM_LOAD_* */
    int oom;                 /* set once memory ran out: the load fails */

    /* where we are, for problems */
    uint32_t line;           /* current line number */
    const char *text;        /* current line's text (not NUL-terminated) */
    size_t text_len;
    const struct cJSON *fields[TM__F__COUNT];  /* current event's fields */
    uint8_t present[TM__F__COUNT];  /* the TM__F_* set in fields, in the line's order */
    uint8_t n_present;

    /* capacities of tr's arrays */
    size_t cap_events, cap_tasks, cap_spans, cap_steps, cap_handles, cap_futures,
           cap_timers, cap_frames, cap_links, cap_idles, cap_prints, cap_warns,
           cap_marks, cap_jobs, cap_sources, cap_srcrefs, cap_locals, cap_lframes,
           cap_vars, cap_of_ids;
    tm__live *live;          /* parallel to tr->tasks */
    tm__futlive *futlive;    /* parallel to tr->futures */
    tm__cause *causes;       /* parallel to tr->handles */

    uint32_t running;        /* task whose step is running, or TM_NONE */
    uint32_t last_seq;       /* seq of the previous event (0 before the first) */
    uint32_t last_ev_seq;    /* seq of the previous event kept in tr->events */
    int have_event;          /* at least one event was read */
    double last_t;           /* t of the previous event */
    uint32_t alive;          /* tasks created and not done */
    uint32_t ready;          /* handles in the ready queue */
    uint32_t end_line;       /* line of the `end` event, 0 if none yet */
    uint32_t unknown_kinds;  /* unknown `ev` lines seen (non-strict reports the first) */
    int stopped;             /* a bad line ended a non-strict load early */
    struct tm__strtab *strtab;  /* version 4's string table ("str" lines; tm_load.c), or NULL */
    uint32_t too_many;       /* events past TM__INDEX_MAX (not kept; the first is a problem) */
} tm__builder;

/*
** Record a problem at the current line. `field` (a TM__F_* or -1) places
** the column at that field's key in the line; otherwise column 1.
*/
void tm__problem(tm__builder *b, int field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
/* The same for a consistency rule (FORMAT.md's meaning, not its syntax): only
** strict loads check those, so a viewer is not flooded by one recorder bug. */
void tm__rule(tm__builder *b, int field, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
void tm__problem_at(tm__builder *b, uint32_t line, uint32_t column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/*
** cJSON's type tests, inline: cJSON_IsNumber and the rest are calls into the
** shared library, several per field, a few percent of a load. The same tests
** on the public `type` field (cJSON.h), NULL-safe as cJSON's are.
*/
#ifdef cJSON__h
static inline int tm__is_number(const cJSON *v) { return v && (v->type & 0xFF) == cJSON_Number; }
static inline int tm__is_string(const cJSON *v) { return v && (v->type & 0xFF) == cJSON_String; }
static inline int tm__is_null(const cJSON *v) { return v && (v->type & 0xFF) == cJSON_NULL; }
static inline int tm__is_bool(const cJSON *v) { return v && (v->type & (cJSON_True | cJSON_False)) != 0; }
static inline int tm__is_true(const cJSON *v) { return v && (v->type & 0xFF) == cJSON_True; }
#endif

/* ---- replay operations (tm_state.c) -------------------------------------------- */

/* The current event's fields, already checked: an id (0 when absent or null), a
** string interned (0 when absent) or borrowed ("" when absent). */
uint32_t tm__id_of(const tm__builder *b, int field);
tm_str tm__str_of(tm__builder *b, int field);   /* (in tm_load.c: version 4's string numbers) */
const char *tm__cstr_of(const tm__builder *b, int field);

/* The index of object `id` if it has tag `tag` (TM__TAG_*), else TM_NONE. */
uint32_t tm__find(const tm__builder *b, uint32_t id, uint32_t tag);
uint32_t tm__find_task(const tm__builder *b, uint32_t id);
uint32_t tm__find_future(const tm__builder *b, uint32_t id);

/* The task an id field names (TM_NONE when null, or unknown: a problem then). */
uint32_t tm__task_field(tm__builder *b, int field, const char *ev);

/* 1 when `id` names nothing yet; else 0 and a problem (ids are never reused). */
int tm__id_free(tm__builder *b, uint32_t id, int field, const char *ev);

/* A task's name for messages ("?" for TM_NONE). */
const char *tm__task_name(const tm__builder *b, uint32_t task);

/* The task_done / fut_done event of future-or-task `id`, or TM_NONE. */
uint32_t tm__done_event(const tm__builder *b, uint32_t id);

/* Record that event `from` caused event `to` (nothing when from is TM_NONE). 0 or -1. */
int tm__add_link(tm__builder *b, tm_link_kind kind, uint32_t from, uint32_t to);

/* End the task's open span at `ev` and open one in `state` there. 0 or -1. */
int tm__open_span(tm__builder *b, uint32_t task, tm_state state, uint32_t ev, tm_str label,
                  uint32_t fut);

/* The state of the task's open span; whether a state is one of the final three. */
tm_state tm__state_now(const tm__builder *b, uint32_t task);
int tm__is_final(tm_state state);

/* Put handle `id` in the ready queue at `ev`; `cause` (kind `kind`) is where a
** link to the event that runs it will start. 0 or -1. */
int tm__queue_handle(tm__builder *b, uint32_t id, uint32_t task, uint32_t ev,
                     uint32_t cause, tm_link_kind kind);

/* Take handle `id` out of the ready queue at `ev` (run, or cancelled). Its
** index, or TM_NONE with a problem when it is not queued. */
uint32_t tm__take_handle(tm__builder *b, uint32_t id, uint32_t ev, int cancelled, const char *what);

/* Give up on a load for lack of memory: `return TM__NOMEM(b);` */
#define TM__NOMEM(b) ((b)->oom = 1, -1)

/* Intern a string; on out-of-memory sets b->oom and returns 0. */
tm_str tm__str(tm__builder *b, const char *s, size_t n);
tm_str tm__cstr(tm__builder *b, const char *s);

/* Intern a JSON value as Python would print it (None, 'a', [1, 2], ValueError('x')). */
tm_str tm__value_repr(tm__builder *b, const struct cJSON *v);

/*
** Apply the current line (b->fields, already checked for presence and type)
** as event kind `kind` at time `t`. Appends to tr->events and updates every
** other array. Returns 0, or -1 when out of memory.
*/
int tm__apply(tm__builder *b, tm_kind kind, uint32_t seq, double t);

/* ---- version 3: sources, src, locals, of (tm_source.c) ------------------------ */

/* Keep a `source` event's file (it is not added to tr->events). 0, or -1 when out of memory. */
int tm__on_source(tm__builder *b, uint32_t seq);

/* After any event has been applied: keep its `src` / `csrc`, a step_end's
** `locals`, a fut_new's `of`. 0, or -1 when out of memory. */
int tm__apply_v3(tm__builder *b, tm_kind kind, uint32_t ev);

/* After the last line: point each srcref at its source (by file name). */
void tm__finish_sources(tm__builder *b);

/* After the last line: close open spans, group spans and frames by task,
** order lanes, compute stats and query indexes. Returns 0 or -1 (memory). */
int tm__finish(tm__builder *b);

/* ---- strtod (tm_strtod.c) ------------------------------------------------------ */

/*
** The fast path of the process's strtod: when the text is a short plain
** decimal whose value one exact IEEE operation gives (see tm_strtod.c), set
** *out and *end (if end is not NULL) exactly as glibc's strtod would and
** return 1; otherwise return 0 and touch nothing.
*/
int tm__strtod_fast(const char *s, char **end, double *out);

/* glibc's own strtod (the next definition after ours), for every other text. */
double tm__strtod_glibc(const char *s, char **end);

#endif
