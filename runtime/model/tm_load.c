/*
** tm_load.c -- reading a trace file: lines, the header, and each event's
** fields checked against traces/FORMAT.md before tm_build.c applies them.
**
** The file is read in 1 MiB blocks and cut at newlines; each line is parsed on
** its own with cJSON, in batches of 128 lines whose trees are dropped together,
** so memory is bounded by a few batches and the longest line, not the file.
** On a big regular file a second thread parses the next batches while this
** one applies the events (see "parsing ahead"). A line that is not JSON ends a normal
** load (what came before is kept, and a problem names the line and column);
** a strict load (validate) notes it and reads on, to report every problem.
**
** Fields fall in two groups. Those the model needs to place the event (ids,
** `reason`, `outcome`, times) are essential: without them the event is
** dropped. The rest (names, labels, messages) are informative: a missing one
** is a problem, and the event is kept with an empty string.
*/
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>

#include "alloc.h"
#include "tm_internal.h"

const char *const tm__field_names[TM__F__COUNT] = {
    "seq", "t", "ev", "task", "name", "parent", "coro", "h", "exc", "msg",
    "reason", "fut", "on", "src", "outcome", "value", "kind", "label", "by",
    "via", "fn", "target", "ok", "count", "timer", "when", "from", "until",
    "args", "text", "obj", "op", "worker", "fd", "dur",
    "file", "csrc", "locals", "of", "order",
};

/* ---- problems -------------------------------------------------------------- */

static void add_problem(tm__builder *b, uint32_t line, uint32_t column,
                        const char *fmt, va_list ap)
{
    tm_trace *tr = b->tr;
    struct tm__private *p = tr->priv;
    if (!(b->flags & TM_LOAD_STRICT) && tr->n_problems >= TM_MAX_WARNINGS) {
        tr->problems_dropped++;
        return;
    }
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t cap = p->cap_problems;
    if (tm__reserve(&tr->problems, &cap, tr->n_problems + 1, sizeof *tr->problems) < 0) {
        b->oom = 1;
        return;
    }
    size_t cap2 = p->cap_problems;
    if (tm__reserve(&p->messages, &cap2, tr->n_problems + 1, sizeof *p->messages) < 0) {
        p->cap_problems = cap < cap2 ? cap : cap2;
        b->oom = 1;
        return;
    }
    p->cap_problems = cap < cap2 ? cap : cap2;
    char *copy = co_strdup(msg);
    if (!copy) {
        b->oom = 1;
        return;
    }
    p->messages[tr->n_problems] = copy;
    tr->problems[tr->n_problems++] = (tm_problem){line, column ? column : 1, copy};
}

/* Column (1-based) of `"name"` used as a key in the current line, or 1. */
static uint32_t field_column(const tm__builder *b, const char *name)
{
    size_t n = strlen(name);
    const char *s = b->text, *end = b->text + b->text_len;
    for (const char *q = s; q + n + 2 <= end; q++) {
        if (q[0] != '"' || memcmp(q + 1, name, n) || q[n + 1] != '"')
            continue;
        const char *r = q + n + 2;
        while (r < end && (*r == ' ' || *r == '\t'))
            r++;
        if (r < end && *r == ':')
            return (uint32_t)(q - s) + 1;
    }
    return 1;
}

void tm__problem(tm__builder *b, int field, const char *fmt, ...)
{
    uint32_t col = field >= 0 ? field_column(b, tm__field_names[field]) : 1;
    va_list ap;
    va_start(ap, fmt);
    add_problem(b, b->line, col, fmt, ap);
    va_end(ap);
}

void tm__rule(tm__builder *b, int field, const char *fmt, ...)
{
    if (!(b->flags & TM_LOAD_STRICT))
        return;
    uint32_t col = field >= 0 ? field_column(b, tm__field_names[field]) : 1;
    va_list ap;
    va_start(ap, fmt);
    add_problem(b, b->line, col, fmt, ap);
    va_end(ap);
}

void tm__problem_at(tm__builder *b, uint32_t line, uint32_t column, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    add_problem(b, line, column, fmt, ap);
    va_end(ap);
}

/* ---- strings and values ------------------------------------------------------ */

tm_str tm__str(tm__builder *b, const char *s, size_t n)
{
    tm_str out = 0;
    if (tm__intern(&b->tr->priv->strings, s, n, &out) < 0)
        b->oom = 1;
    return out;
}

tm_str tm__cstr(tm__builder *b, const char *s)
{
    return s ? tm__str(b, s, strlen(s)) : 0;
}

/* ---- field checks -------------------------------------------------------------- */

/* The fields a version-4 event may give as the number of a "str" line
** (traces/FORMAT.md, "Version 4"). */
static const uint8_t internable[TM__F__COUNT] = {
    [TM__F_NAME] = 1, [TM__F_CORO] = 1, [TM__F_FN] = 1, [TM__F_VIA] = 1, [TM__F_KIND] = 1,
    [TM__F_LABEL] = 1, [TM__F_ON] = 1, [TM__F_SRC] = 1, [TM__F_CSRC] = 1, [TM__F_REASON] = 1,
    [TM__F_OUTCOME] = 1, [TM__F_OP] = 1, [TM__F_EXC] = 1, [TM__F_MSG] = 1, [TM__F_FILE] = 1,
};

/* What a field must hold. ESSENTIAL: without it the event cannot be placed. */
enum {
    T_ID = 1, T_IDN, T_STR, T_STRN, T_NUM, T_NUMN, T_INT, T_BOOL, T_ANY,
    ESSENTIAL = 0x80
};

typedef struct spec {
    uint8_t field;   /* TM__F_* */
    uint8_t type;    /* T_* | ESSENTIAL */
} spec;

#define E ESSENTIAL
static const spec s_task_new[] = {{TM__F_TASK, T_ID | E}, {TM__F_NAME, T_STR},
    {TM__F_PARENT, T_IDN | E}, {TM__F_CORO, T_STR}, {TM__F_H, T_ID | E}, {0, 0}};
static const spec s_step_begin[] = {{TM__F_TASK, T_ID | E}, {TM__F_H, T_ID | E}, {0, 0}};
static const spec s_throw[] = {{TM__F_TASK, T_ID | E}, {TM__F_EXC, T_STR}, {TM__F_MSG, T_STRN}, {0, 0}};
static const spec s_step_end[] = {{TM__F_TASK, T_ID | E}, {TM__F_REASON, T_STR | E}, {0, 0}};
static const spec s_task_done[] = {{TM__F_TASK, T_ID | E}, {TM__F_OUTCOME, T_STR | E}, {0, 0}};
static const spec s_fut_new[] = {{TM__F_FUT, T_ID | E}, {TM__F_KIND, T_STR}, {TM__F_LABEL, T_STRN},
    {TM__F_BY, T_IDN}, {0, 0}};
static const spec s_fut_done[] = {{TM__F_FUT, T_ID | E}, {TM__F_OUTCOME, T_STR | E},
    {TM__F_BY, T_IDN}, {TM__F_VIA, T_STRN}, {0, 0}};
static const spec s_cb_add[] = {{TM__F_FUT, T_ID | E}, {TM__F_FN, T_STR}, {0, 0}};
static const spec s_wake[] = {{TM__F_TASK, T_ID | E}, {TM__F_FUT, T_ID | E}, {TM__F_H, T_ID | E}, {0, 0}};
static const spec s_call_soon[] = {{TM__F_H, T_ID | E}, {TM__F_FN, T_STR}, {TM__F_FUT, T_IDN | E}, {0, 0}};
static const spec s_cb_run[] = {{TM__F_H, T_ID | E}, {TM__F_FN, T_STR}, {0, 0}};
static const spec s_handle_cancel[] = {{TM__F_H, T_ID | E}, {0, 0}};
static const spec s_cancel[] = {{TM__F_TARGET, T_ID | E}, {TM__F_BY, T_IDN}, {TM__F_VIA, T_STRN},
    {TM__F_MSG, T_STRN}, {TM__F_OK, T_BOOL | E}, {0, 0}};
static const spec s_uncancel[] = {{TM__F_TASK, T_ID | E}, {TM__F_COUNT, T_INT}, {0, 0}};
static const spec s_timer_new[] = {{TM__F_TIMER, T_ID | E}, {TM__F_WHEN, T_NUMN | E}, {TM__F_FN, T_STR}, {0, 0}};
static const spec s_timer_id[] = {{TM__F_TIMER, T_ID | E}, {0, 0}};
static const spec s_idle[] = {{TM__F_FROM, T_NUM | E}, {TM__F_UNTIL, T_NUM | E}, {0, 0}};
static const spec s_end[] = {{TM__F_REASON, T_STR}, {0, 0}};
static const spec s_frame_enter[] = {{TM__F_TASK, T_ID | E}, {TM__F_FN, T_STR}, {TM__F_ARGS, T_STR}, {0, 0}};
static const spec s_frame_exit[] = {{TM__F_TASK, T_ID | E}, {TM__F_FN, T_STR}, {0, 0}};
static const spec s_print[] = {{TM__F_TASK, T_IDN | E}, {TM__F_TEXT, T_STR}, {0, 0}};
static const spec s_warn[] = {{TM__F_KIND, T_STR}, {TM__F_MSG, T_STRN}, {TM__F_TASK, T_IDN}, {0, 0}};
/* Version 2: "the rest of asyncio". */
static const spec s_sync[] = {{TM__F_OBJ, T_ID | E}, {TM__F_KIND, T_STR}, {TM__F_OP, T_STR | E},
    {TM__F_TASK, T_IDN}, {TM__F_COUNT, T_NUMN}, {0, 0}};
static const spec s_job[] = {{TM__F_OBJ, T_ID | E}, {TM__F_OP, T_STR | E}, {TM__F_WORKER, T_INT},
    {TM__F_FN, T_STR}, {0, 0}};
static const spec s_io[] = {{TM__F_FD, T_INT | E}, {TM__F_OP, T_STR | E}, {TM__F_TASK, T_IDN}, {0, 0}};
static const spec s_timeout[] = {{TM__F_OBJ, T_ID | E}, {TM__F_OP, T_STR | E}, {TM__F_WHEN, T_NUMN},
    {TM__F_TASK, T_IDN}, {0, 0}};
static const spec s_group[] = {{TM__F_OBJ, T_ID | E}, {TM__F_OP, T_STR | E}, {TM__F_TASK, T_IDN}, {0, 0}};
static const spec s_block[] = {{TM__F_TASK, T_IDN}, {TM__F_DUR, T_NUM | E}, {TM__F_LABEL, T_STR}, {0, 0}};
/* Version 3. */
static const spec s_source[] = {{TM__F_FILE, T_STR | E}, {TM__F_TEXT, T_STR | E}, {0, 0}};
#undef E

static const spec *const specs[TM_EV__COUNT] = {
    [TM_EV_TASK_NEW] = s_task_new, [TM_EV_STEP_BEGIN] = s_step_begin,
    [TM_EV_THROW] = s_throw, [TM_EV_STEP_END] = s_step_end,
    [TM_EV_TASK_DONE] = s_task_done, [TM_EV_FUT_NEW] = s_fut_new,
    [TM_EV_FUT_DONE] = s_fut_done, [TM_EV_CB_ADD] = s_cb_add,
    [TM_EV_WAKE] = s_wake, [TM_EV_CALL_SOON] = s_call_soon,
    [TM_EV_CB_RUN] = s_cb_run, [TM_EV_HANDLE_CANCEL] = s_handle_cancel,
    [TM_EV_CANCEL] = s_cancel, [TM_EV_UNCANCEL] = s_uncancel,
    [TM_EV_TIMER_NEW] = s_timer_new, [TM_EV_TIMER_FIRE] = s_timer_id,
    [TM_EV_TIMER_CANCEL] = s_timer_id, [TM_EV_IDLE] = s_idle,
    [TM_EV_END] = s_end, [TM_EV_FRAME_ENTER] = s_frame_enter,
    [TM_EV_FRAME_EXIT] = s_frame_exit, [TM_EV_PRINT] = s_print,
    [TM_EV_WARN] = s_warn, [TM_EV_SYNC] = s_sync, [TM_EV_JOB] = s_job, [TM_EV_IO] = s_io,
    [TM_EV_TIMEOUT] = s_timeout, [TM_EV_GROUP] = s_group, [TM_EV_BLOCK] = s_block,
    [TM_EV_SOURCE] = s_source,
};

static const char *type_name(int type)
{
    switch (type) {
    case T_ID: return "a positive integer id";
    case T_IDN: return "a positive integer id or null";
    case T_STR: return "a string";
    case T_STRN: return "a string or null";
    case T_NUM: return "a number";
    case T_NUMN: return "a number or null";
    case T_INT: return "an integer";
    case T_BOOL: return "true or false";
    default: return "a value";
    }
}

/* (In range, a double is a whole number when converting it to an integer and
** back gives it again: no call to floor, for every id of every line.) */
static int is_id(const cJSON *v)
{
    return tm__is_number(v) && v->valuedouble >= 1 && v->valuedouble <= UINT32_MAX &&
           v->valuedouble == (double)(uint32_t)v->valuedouble;
}

static inline int type_ok(const cJSON *v, int type)
{
    switch (type) {
    case T_ID: return is_id(v);
    case T_IDN: return tm__is_null(v) || is_id(v);
    case T_STR: return tm__is_string(v);
    case T_STRN: return tm__is_string(v) || tm__is_null(v);
    case T_NUM: return tm__is_number(v) && isfinite(v->valuedouble);
    case T_NUMN: return tm__is_null(v) || (tm__is_number(v) && isfinite(v->valuedouble));
    case T_INT: return tm__is_number(v) && isfinite(v->valuedouble) &&   /* 1e999 reads as inf */
                       fabs(v->valuedouble) < 9223372036854775808.0 &&
                       v->valuedouble == (double)(int64_t)v->valuedouble;
    case T_BOOL: return tm__is_bool(v);
    default: return 1;
    }
}

/* The text of field `field`'s value in the current line (a number as written), in buf. */
static const char *value_text(const tm__builder *b, int field, char *buf, size_t size)
{
    const char *end = b->text + b->text_len;
    const char *q = b->text + field_column(b, tm__field_names[field]) - 1;
    q += strlen(tm__field_names[field]) + 2;   /* the key and its quotes */
    while (q < end && (*q == ' ' || *q == '\t' || *q == ':'))
        q++;
    size_t n = 0;
    while (q < end && n + 1 < size && strchr("+-.0123456789eE", *q) && *q)
        buf[n++] = *q++;
    buf[n] = '\0';
    return n ? buf : "?";
}

/*
** A number the field's type cannot hold -- 1e400 (read as infinity), an
** integer past 2^63, an id past 2^32 -- gets a message that says so. Returns
** 1 when it reported one.
*/
static int out_of_range(tm__builder *b, const char *ev, int field, int type,
                        void (*report)(tm__builder *, int, const char *, ...))
{
    const cJSON *v = b->fields[field];
    if (!tm__is_number(v))
        return 0;
    double d = v->valuedouble;
    char num[48];
    const char *name = tm__field_names[field];
    if (!isfinite(d)) {
        report(b, field, "%s%s\"%s\" %s is out of range: no finite number", ev, *ev ? ": " : "", name,
               value_text(b, field, num, sizeof num));
        return 1;
    }
    if ((type == T_ID || type == T_IDN) && d > UINT32_MAX) {
        report(b, field, "%s%s\"%s\" id %s is out of range (at most %u)", ev, *ev ? ": " : "", name,
               value_text(b, field, num, sizeof num), UINT32_MAX);
        return 1;
    }
    if (type == T_INT && d == floor(d) && fabs(d) >= 9223372036854775808.0) {
        report(b, field, "%s%s\"%s\" %s is out of range (integers here are below 2^63)", ev, *ev ? ": " : "",
               name, value_text(b, field, num, sizeof num));
        return 1;
    }
    return 0;
}

/*
** Check one field. Returns 1 when it is usable; otherwise records a problem,
** clears the field (so later code sees it as absent) and returns 0.
*/
static int check_field(tm__builder *b, const char *ev, int field, int type)
{
    const cJSON *v = b->fields[field];
    const char *name = tm__field_names[field];
    /* An unusable essential field drops the event: always worth a problem. */
    void (*report)(tm__builder *, int, const char *, ...) =
        (type & ESSENTIAL) ? tm__problem : tm__rule;
    type &= ~ESSENTIAL;
    if (!v) {
        report(b, -1, "%s: missing field \"%s\" (%s)", ev, name, type_name(type));
        return 0;
    }
    if (type_ok(v, type))
        return 1;
    if (!out_of_range(b, ev, field, type, report))
        report(b, field, "%s: \"%s\" must be %s%s", ev, name, type_name(type),
               b->tr->version >= 4 && internable[field] ? " (or the number of a \"str\" line)" : "");
    b->fields[field] = NULL;
    return 0;
}

/* Check every field kind `kind` needs; 0 when an essential one is unusable. */
static int check_fields(tm__builder *b, tm_kind kind)
{
    const char *ev = tm_kind_name(kind);
    int ok = 1;
    for (const spec *s = specs[kind]; s->type; s++) {
        const cJSON *v = b->fields[s->field];
        if (v && type_ok(v, s->type & ~ESSENTIAL))
            continue;   /* (the common case, without check_field's call) */
        if (!check_field(b, ev, s->field, s->type) && (s->type & ESSENTIAL))
            ok = 0;
    }
    if (!ok)
        return 0;

    /* Fields that depend on `op`, `reason` or `outcome`. */
    if (kind == TM_EV_JOB) {
        const char *op = b->fields[TM__F_OP]->valuestring;
        if (!strcmp(op, "submit"))
            check_field(b, ev, TM__F_FUT, T_ID);
        else if (!strcmp(op, "done"))
            check_field(b, ev, TM__F_OUTCOME, T_STR);
        return 1;
    }
    if (kind == TM_EV_IO) {
        double fd = b->fields[TM__F_FD]->valuedouble;
        if (fd < 0 || fd > INT32_MAX) {   /* tm_mark keeps it as a uint32_t */
            tm__problem(b, TM__F_FD, "io: \"fd\" %.0f is not a file descriptor", fd);
            return 0;
        }
        if (!strcmp(b->fields[TM__F_OP]->valuestring, "wait"))
            check_field(b, ev, TM__F_LABEL, T_STR);
        return 1;
    }
    const cJSON *how = NULL;
    if (kind == TM_EV_STEP_END)
        how = b->fields[TM__F_REASON];
    else if (kind == TM_EV_TASK_DONE || kind == TM_EV_FUT_DONE)
        how = b->fields[TM__F_OUTCOME];
    if (!how)
        return 1;
    const char *w = how->valuestring;
    if (kind == TM_EV_STEP_END) {
        if (!strcmp(w, "await")) {
            ok = check_field(b, ev, TM__F_FUT, T_ID | ESSENTIAL);
            check_field(b, ev, TM__F_ON, T_STR);
            check_field(b, ev, TM__F_SRC, T_STR);
        } else if (!strcmp(w, "yield")) {
            ok = check_field(b, ev, TM__F_H, T_ID | ESSENTIAL);
            check_field(b, ev, TM__F_SRC, T_STR);
        } else if (!strcmp(w, "raise")) {
            check_field(b, ev, TM__F_EXC, T_STR);
            check_field(b, ev, TM__F_MSG, T_STRN);
        } else if (!strcmp(w, "cancelled")) {
            check_field(b, ev, TM__F_MSG, T_STRN);
        } else if (strcmp(w, "return")) {
            tm__rule(b, TM__F_REASON, "step_end: unknown reason \"%s\"", w);
        }
        return ok;
    }
    if (!strcmp(w, "result")) {
        check_field(b, ev, TM__F_VALUE, T_ANY);
    } else if (!strcmp(w, "exception")) {
        check_field(b, ev, TM__F_EXC, T_STR);
        check_field(b, ev, TM__F_MSG, T_STRN);
    } else if (!strcmp(w, "cancelled")) {
        check_field(b, ev, TM__F_MSG, T_STRN);
    } else {
        tm__problem(b, TM__F_OUTCOME, "%s: unknown outcome \"%s\"", ev, w);
        return 0;
    }
    return 1;
}

/* Whether two short NUL-terminated names are the same (inline: keys are a
** few bytes, and a call to strcmp per candidate cost more than the compare). */
static inline int same_name(const char *a, const char *b)
{
    while (*a && *a == *b)
        a++, b++;
    return *a == *b;
}

/*
** The fields by their names' first two letters: by_two[first][second] is
** 1 + the first field whose name starts so (0: none), next_two[f] 1 + the
** next one after f (only task and target, coro and count share two). The
** second letter's index is 0 for a one-letter name, 1 to 26 for a to z, 27
** for anything else (no field's). Built once from tm__field_names, so the
** two can never disagree; a key is then one table look-up and the compare
** of its remaining letters with one name, or two.
*/
static uint8_t by_two[26][28], next_two[TM__F__COUNT];
static pthread_once_t by_two_once = PTHREAD_ONCE_INIT;

static unsigned second_index(char c)
{
    return c == '\0' ? 0 : c >= 'a' && c <= 'z' ? (unsigned)(c - 'a') + 1 : 27;
}

static void build_by_two(void)
{
    for (int f = TM__F__COUNT - 1; f >= 0; f--) {   /* backwards: each list in field order */
        const char *n = tm__field_names[f];
        uint8_t *head = &by_two[n[0] - 'a'][second_index(n[1])];
        next_two[f] = *head;
        *head = (uint8_t)(f + 1);
    }
}

/* The field named `k`, or -1 (a name this reader does not know). */
static int field_from_name(const char *k)
{
    if (k[0] < 'a' || k[0] > 'z')
        return -1;
    for (unsigned f = by_two[k[0] - 'a'][second_index(k[1])]; f; f = next_two[f - 1])
        if (!k[1] || same_name(k + 2, tm__field_names[f - 1] + 2))
            return (int)f - 1;
    return -1;
}

/* Point b->fields at the known members of `obj`; note duplicates. Only the
** fields the previous event set are cleared (b->present lists them): an
** event has a handful of the forty, and clearing all of them was a tenth of
** this function. */
static void collect_fields(tm__builder *b, const cJSON *obj)
{
    for (unsigned i = 0; i < b->n_present; i++)
        b->fields[b->present[i]] = NULL;
    b->n_present = 0;
    for (const cJSON *c = obj->child; c; c = c->next) {
        const char *k = c->string;
        int f = k ? field_from_name(k) : -1;
        if (f < 0)
            continue;   /* fields this reader does not know are ignored */
        if (b->fields[f]) {
            if (b->flags & TM_LOAD_STRICT)
                tm__problem(b, -1, "field \"%s\" appears twice", k);
            continue;
        }
        b->fields[f] = c;
        b->present[b->n_present++] = (uint8_t)f;   /* at most once per field: below TM__F__COUNT */
    }
}

/* The kind named `s`, or -1. Only the names sharing its first letter are compared. */
static int kind_from_name(const char *s)
{
#define K(kind) (TM_EV_##kind + 1)   /* + 1: a 0 ends each list */
    static const uint8_t by_letter[26][8] = {
        ['c' - 'a'] = {K(CB_ADD), K(CALL_SOON), K(CB_RUN), K(CANCEL)},
        ['e' - 'a'] = {K(END)},
        ['f' - 'a'] = {K(FUT_NEW), K(FUT_DONE), K(FRAME_ENTER), K(FRAME_EXIT)},
        ['g' - 'a'] = {K(GROUP)},
        ['h' - 'a'] = {K(HANDLE_CANCEL)},
        ['i' - 'a'] = {K(IDLE), K(IO)},
        ['j' - 'a'] = {K(JOB)},
        ['p' - 'a'] = {K(PRINT)},
        ['b' - 'a'] = {K(BLOCK)},
        ['s' - 'a'] = {K(STEP_BEGIN), K(STEP_END), K(SYNC), K(SOURCE)},
        ['t' - 'a'] = {K(TASK_NEW), K(THROW), K(TASK_DONE), K(TIMER_NEW), K(TIMER_FIRE),
                       K(TIMER_CANCEL), K(TIMEOUT)},
        ['u' - 'a'] = {K(UNCANCEL)},
        ['w' - 'a'] = {K(WAKE), K(WARN)},
    };
#undef K
    if (s[0] < 'a' || s[0] > 'z')
        return -1;
    for (const uint8_t *k = by_letter[s[0] - 'a']; *k; k++)
        if (same_name(s + 1, tm_kind_name((tm_kind)(*k - 1)) + 1))
            return *k - 1;
    return -1;
}

/* ---- version 4: the string table, implicit seq and t ------------------------------ */

/*
** Version 4 is version 3 plus three abbreviations (traces/FORMAT.md,
** "Version 4"): an event may leave out `seq` (the previous one's + 1) and `t`
** (the previous one's), and a line {"str":N,"s":"TEXT"} defines string N, which
** the fields below may then name by the integer N instead of repeating it.
** This section is all of it: once an event's string numbers are replaced by
** their text, the rest of the reader sees a version-3 event.
*/

struct tm__strtab {
    char *buf;                    /* the strings, each NUL-terminated, back to back */
    size_t len, cap;
    size_t *off;                  /* off[N - 1]: where string N starts in buf */
    uint32_t *line;               /* line[N - 1]: the line that defined it */
    size_t n, cap_n;              /* strings defined / room in off, line and id */
    tm_str *id;                   /* id[N - 1]: string N in the model's strings, or NOT_INTERNED */
    cJSON node[TM__F__COUNT];     /* the current event's resolved fields */
    size_t num[TM__F__COUNT];     /* the number of the string node[f] holds */
};

#define NOT_INTERNED UINT32_MAX   /* never an offset in the model's strings (they stay below) */

static void strtab_free(struct tm__strtab *st)
{
    if (!st)
        return;
    co_free(st->buf);
    co_free(st->off);
    co_free(st->line);
    co_free(st->id);
    co_free(st);
}

/*
** A problem of version 4's own rules. A non-strict load stops at it, keeping
** what came before (as at a line that is not JSON); validate reads on.
*/
static void v4_problem(tm__builder *b, uint32_t column, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;
static void v4_problem(tm__builder *b, uint32_t column, const char *fmt, ...)
{
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    tm__problem_at(b, b->line, column, "%s%s", msg,
                   (b->flags & TM_LOAD_STRICT) ? "" : "; the lines after it are ignored");
}

/* 1 when the line is a string table line: it has a "str" member and no "ev". */
static int is_str_line(const cJSON *obj)
{
    int str = 0;
    for (const cJSON *c = obj->child; c; c = c->next) {
        if (!c->string)
            continue;
        if (!strcmp(c->string, "ev"))
            return 0;
        if (!strcmp(c->string, "str"))
            str = 1;
    }
    return str;
}

/* Read a {"str":N,"s":"TEXT"} line. 0 when it defined string N, 1 after a
** problem, -1 when out of memory. */
static int read_str_line(tm__builder *b, const cJSON *obj)
{
    tm_trace *tr = b->tr;
    if (tr->version < 4) {
        v4_problem(b, field_column(b, "str"), "a string table line (\"str\") in a version %d trace: "
                   "only version 4 has them", tr->version);
        return 1;
    }
    const cJSON *num = NULL, *s = NULL;
    int bad = 0;
    for (const cJSON *c = obj->child; c; c = c->next) {
        const char *k = c->string ? c->string : "";
        if (!strcmp(k, "str") && !num)
            num = c;
        else if (!strcmp(k, "s") && !s)
            s = c;
        else {
            v4_problem(b, field_column(b, k), "\"str\" line: %s member \"%s\" (a \"str\" line has exactly "
                       "\"str\" and \"s\")", strcmp(k, "str") && strcmp(k, "s") ? "unexpected" : "repeated", k);
            bad = 1;
        }
    }
    struct tm__strtab *st = b->strtab;
    size_t next = (st ? st->n : 0) + 1;
    if (!cJSON_IsNumber(num) || !isfinite(num->valuedouble) || num->valuedouble < 1 ||
        num->valuedouble != floor(num->valuedouble)) {
        v4_problem(b, field_column(b, "str"), "\"str\" must be a positive integer, the string's number "
                   "(here %zu)", next);
        return 1;
    }
    double n = num->valuedouble;
    if (n < (double)next) {
        v4_problem(b, field_column(b, "str"), "string %.0f is defined twice (first on line %u)", n,
                   st->line[(size_t)n - 1]);
        return 1;
    }
    if (n > (double)next) {
        v4_problem(b, field_column(b, "str"), "string %.0f is out of order: the next string number is %zu "
                   "(strings are numbered 1, 2, 3 ... in the order their lines come)", n, next);
        return 1;
    }
    if (!s) {
        v4_problem(b, 1, "\"str\" line: missing member \"s\" (the string)");
        return 1;
    }
    if (!cJSON_IsString(s)) {
        v4_problem(b, field_column(b, "s"), "\"str\" line: \"s\" must be a string");
        return 1;
    }
    if (bad)
        return 1;
    if (b->end_line)
        tm__rule(b, -1, "a \"str\" line after the end event (line %u)", b->end_line);
    if (!st && !(st = b->strtab = co_calloc(1, sizeof *st)))
        return -1;
    size_t len = strlen(s->valuestring) + 1, cap = st->cap;
    if (tm__reserve(&st->buf, &cap, st->len + len, 1) < 0)
        return -1;
    st->cap = cap;
    cap = st->cap_n;
    if (tm__reserve(&st->off, &cap, st->n + 1, sizeof *st->off) < 0)
        return -1;
    size_t cap2 = st->cap_n, cap3 = st->cap_n;
    if (tm__reserve(&st->line, &cap2, st->n + 1, sizeof *st->line) < 0 ||
        tm__reserve(&st->id, &cap3, st->n + 1, sizeof *st->id) < 0) {
        cap = cap < cap2 ? cap : cap2;
        st->cap_n = cap < cap3 ? cap : cap3;
        return -1;
    }
    cap = cap < cap2 ? cap : cap2;
    st->cap_n = cap < cap3 ? cap : cap3;
    memcpy(st->buf + st->len, s->valuestring, len);
    st->off[st->n] = st->len;
    st->line[st->n] = b->line;
    st->id[st->n] = NOT_INTERNED;
    st->len += len;
    st->n++;
    return 0;
}

/*
** Replace the string numbers in the current event's fields by the strings
** they name: b->fields then points at string nodes of the table's own, as if
** the line had spelled the text out. A number that is not a positive integer
** is left for the field's type check ("must be a string"). 0, or 1 after a
** problem (a number that names no string defined so far).
*/
static int resolve_strings(tm__builder *b)
{
    struct tm__strtab *st = b->strtab;
    for (unsigned i = 0; i < b->n_present; i++) {
        int f = b->present[i];
        const cJSON *v = b->fields[f];
        if (!internable[f] || !tm__is_number(v))
            continue;
        double d = v->valuedouble;   /* a positive whole number (from 2^53 on every double is one) */
        if (!(d >= 1 && d < INFINITY) || (d < 9007199254740992.0 && d != (double)(uint64_t)d))
            continue;
        size_t defined = st ? st->n : 0;
        if (v->valuedouble > (double)defined) {
            char num[48];
            v4_problem(b, field_column(b, tm__field_names[f]), "\"%s\" names string %s, but %s",
                       tm__field_names[f], value_text(b, f, num, sizeof num),
                       defined ? "no \"str\" line before it defines that number" : "no \"str\" line defines one before it");
            return 1;
        }
        cJSON *node = &st->node[f];
        memset(node, 0, sizeof *node);
        node->type = cJSON_String;
        node->string = v->string;
        st->num[f] = (size_t)v->valuedouble;
        node->valuestring = st->buf + st->off[st->num[f] - 1];
        b->fields[f] = node;
    }
    return 0;
}

/*
** String field `field` of the current event in the model's strings. A string
** the event named by its number is interned once, the first time an event
** uses it, and known by its number after that (one string of a "str" line is
** used by many events: swarm's src, fn and coro on nearly every line).
*/
tm_str tm__str_of(tm__builder *b, int field)
{
    const cJSON *v = b->fields[field];
    if (!tm__is_string(v))
        return 0;
    struct tm__strtab *st = b->strtab;
    if (!st || v != &st->node[field])
        return tm__cstr(b, v->valuestring);
    tm_str *id = &st->id[st->num[field] - 1];
    if (*id == NOT_INTERNED) {
        tm_str s = tm__cstr(b, v->valuestring);
        if (b->oom)
            return s;
        *id = s;
    }
    return *id;
}

/* Whether the line has a "str" member (what cJSON_GetObjectItemCaseSensitive
** would find, without a call and a strcmp per member of every line). */
static int has_str_member(const cJSON *obj)
{
    for (const cJSON *c = obj->child; c; c = c->next)
        if (c->string && c->string[0] == 's' && same_name(c->string + 1, "tr"))
            return 1;
    return 0;
}

/* Check and apply one event line (already parsed), or read a "str" line.
** Returns 0, 1 after a problem that ends a non-strict load, -1 on out-of-memory. */
static int read_event(tm__builder *b, const cJSON *obj)
{
    int v4 = b->tr->version >= 4;
    if (v4 || has_str_member(obj)) {
        if (is_str_line(obj))
            return read_str_line(b, obj);
    }
    collect_fields(b, obj);
    const cJSON *ev = b->fields[TM__F_EV];
    const cJSON *seq = b->fields[TM__F_SEQ];
    const cJSON *t = b->fields[TM__F_T];

    uint32_t sq = b->last_seq + 1;
    if (!seq && v4)
        ;   /* version 4: the previous event's seq + 1 */
    else if (!seq)
        tm__problem(b, -1, "missing field \"seq\" (a positive integer)");
    else if (!is_id(seq)) {
        if (!out_of_range(b, "", TM__F_SEQ, T_ID, tm__problem))
            tm__problem(b, TM__F_SEQ, "\"seq\" must be a positive integer");
    } else {
        sq = (uint32_t)seq->valuedouble;
        if (sq != b->last_seq + 1) {
            if (sq > b->last_seq)
                tm__problem(b, TM__F_SEQ, "seq %u follows %u: %u event%s lost", sq, b->last_seq,
                            sq - b->last_seq - 1, sq - b->last_seq - 1 == 1 ? "" : "s");
            else
                tm__problem(b, TM__F_SEQ, "seq %u follows %u: seq must increase by one", sq,
                            b->last_seq);
        }
    }
    b->last_seq = sq;

    double tv = b->last_t;   /* version 4 without `t`: the previous event's (0 for the first) */
    if (!t && v4)
        ;
    else if (!t)
        tm__problem(b, -1, "missing field \"t\" (a number)");
    else if (!cJSON_IsNumber(t))
        tm__problem(b, TM__F_T, "\"t\" must be a number");
    else if (!isfinite(t->valuedouble))
        out_of_range(b, "", TM__F_T, T_NUM, tm__problem);
    else if (b->have_event && t->valuedouble < b->last_t)
        tm__problem(b, TM__F_T, "time goes backwards: t %.17g is before the previous event's %.17g",
                    t->valuedouble, b->last_t);
    else
        tv = t->valuedouble;
    if (v4 && resolve_strings(b)) {
        b->have_event = 1;   /* the event is dropped, but its seq and t count */
        b->last_t = tv;
        return 1;
    }

    if (!ev || !cJSON_IsString(ev)) {
        tm__problem(b, ev ? TM__F_EV : -1, ev ? "\"ev\" must be a string" : "missing field \"ev\"");
        return 0;
    }
    int kind = kind_from_name(ev->valuestring);
    if (kind < 0) {
        /* FORMAT.md: only validate rejects unknown kinds; others skip them. */
        if ((b->flags & TM_LOAD_STRICT) || b->unknown_kinds == 0)
            tm__problem(b, TM__F_EV, "unknown event kind \"%s\"%s", ev->valuestring,
                        (b->flags & TM_LOAD_STRICT) ? "" : " (skipped)");
        b->unknown_kinds++;
        return 0;
    }
    if (kind >= TM_EV_SYNC && kind <= TM_EV_BLOCK && b->tr->version < 2)
        tm__rule(b, TM__F_EV, "\"%s\" is a version 2 event, in a version %d trace",
                 ev->valuestring, b->tr->version);
    if (kind == TM_EV_SOURCE && b->tr->version < 3)
        tm__rule(b, TM__F_EV, "\"%s\" is a version 3 event, in a version %d trace",
                 ev->valuestring, b->tr->version);
    if (b->end_line)
        tm__rule(b, TM__F_EV, "%s after the end event (line %u)", ev->valuestring, b->end_line);
    if (!check_fields(b, (tm_kind)kind))
        return b->oom ? -1 : 0;
    b->have_event = 1;
    b->last_t = tv;
    return tm__apply(b, (tm_kind)kind, sq, tv);
}

/* ---- the header ---------------------------------------------------------------- */

static void set_err(tm_error *err, uint32_t line, uint32_t col, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;
static void set_err(tm_error *err, uint32_t line, uint32_t col, const char *fmt, ...)
{
    if (!err)
        return;
    err->line = line;
    err->column = col;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->message, sizeof err->message, fmt, ap);
    va_end(ap);
}

/* Read the header object. Returns 0, or -1 with *err filled. */
static int read_header(tm__builder *b, const cJSON *obj, tm_error *err)
{
    tm_trace *tr = b->tr;
    const cJSON *format = cJSON_GetObjectItemCaseSensitive(obj, "format");
    const cJSON *version = cJSON_GetObjectItemCaseSensitive(obj, "version");
    if (!format) {
        if (cJSON_GetObjectItemCaseSensitive(obj, "ev"))
            set_err(err, 1, 1, "no header: line 1 is an event, not "
                               "{\"format\":\"coroscope-trace\",...}");
        else
            set_err(err, 1, 1, "not a coroscope trace: the header has no \"format\" field");
        return -1;
    }
    if (!cJSON_IsString(format) || strcmp(format->valuestring, "coroscope-trace")) {
        set_err(err, 1, field_column(b, "format"),
                "not a coroscope trace: \"format\" is %s%s%s, not \"coroscope-trace\"",
                cJSON_IsString(format) ? "\"" : "",
                cJSON_IsString(format) ? format->valuestring : "not a string",
                cJSON_IsString(format) ? "\"" : "");
        return -1;
    }
    if (version && cJSON_IsNumber(version) && !isfinite(version->valuedouble)) {
        set_err(err, 1, field_column(b, "version"), "the header's \"version\" is out of range: no finite number");
        return -1;
    }
    if (!version || !cJSON_IsNumber(version) || version->valuedouble != floor(version->valuedouble) ||
        version->valuedouble < 1) {
        set_err(err, 1, version ? field_column(b, "version") : 1,
                "the header's \"version\" must be a positive integer");
        return -1;
    }
    if (version->valuedouble > TM_FORMAT_VERSION) {
        set_err(err, 1, field_column(b, "version"),
                "trace format version %.0f is newer than this coroscope reads (up to %d); "
                "upgrade coroscope",
                version->valuedouble, TM_FORMAT_VERSION);
        return -1;
    }
    tr->version = (int)version->valuedouble;

    static const char *const names[] = {"scenario", "clock", "semantics", "producer"};
    tm_str *dest[] = {&tr->scenario, &tr->clock, &tr->semantics, &tr->producer};
    for (int i = 0; i < 4; i++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, names[i]);
        if (cJSON_IsString(v))
            *dest[i] = tm__cstr(b, v->valuestring);
        else if (b->flags & TM_LOAD_STRICT)
            tm__problem_at(b, 1, v ? field_column(b, names[i]) : 1, "header: \"%s\" %s",
                           names[i], v ? "must be a string" : "is missing");
    }
    if (tr->clock && strcmp(tm_text(tr, tr->clock), "virtual") &&
        strcmp(tm_text(tr, tr->clock), "real"))
        tm__rule(b, -1, "header: unknown clock \"%s\" (expected \"virtual\" or \"real\")",
                    tm_text(tr, tr->clock));
    return b->oom ? -1 : 0;
}

/* ---- the line reader ------------------------------------------------------------- */

static size_t max_line;   /* 0 until first asked: then tm_max_line()'s answer */

/* "16M", "1048576", "512K", "2G": bytes, or 0 when the text is not a size. */
static size_t parse_size(const char *s)
{
    char *end;
    errno = 0;
    unsigned long long v = s ? strtoull(s, &end, 10) : 0;
    if (!s || end == s || errno || s[0] == '-')
        return 0;
    unsigned long long mul = *end == 'K' || *end == 'k' ? 1ull << 10 : *end == 'M' || *end == 'm' ? 1ull << 20
                           : *end == 'G' || *end == 'g' ? 1ull << 30 : 1;
    if (mul > 1)
        end++;
    if (*end == 'i' && mul > 1)   /* 16MiB */
        end++;
    if (*end == 'B' || *end == 'b')
        end++;
    if (*end || v > SIZE_MAX / 4 / mul)
        return 0;
    return (size_t)(v * mul);
}

size_t tm_parse_size(const char *text)
{
    return parse_size(text);
}

size_t tm_max_line(void)
{
    if (!max_line) {
        size_t env = parse_size(getenv("COROSCOPE_MAX_LINE"));
        max_line = env ? env : TM_MAX_LINE_DEFAULT;
    }
    return max_line;
}

void tm_set_max_line(size_t bytes)
{
    max_line = bytes;
}

typedef struct reader {
    FILE *in;
    char *buf;
    size_t cap, beg, end;   /* buf[beg..end) is read but not yet returned */
    size_t max;             /* the longest line read (tm_max_line) */
    int eof;
} reader;

/*
** The next line without its newline, in *line / *len; *newline says whether
** it ended with one (the last line of a cut file does not). Returns 1, 0 at
** the end of the input, -1 on a read error, -2 when out of memory, -3 when
** the line is longer than r->max (nothing more is read: the buffer never
** grows past the limit, whatever the input -- `show /dev/zero` stops there).
*/
static int next_line(reader *r, const char **line, size_t *len, int *newline)
{
    size_t scanned = r->beg;
    for (;;) {
        char *nl = memchr(r->buf + scanned, '\n', r->end - scanned);
        if (nl) {
            *line = r->buf + r->beg;
            *len = (size_t)(nl - *line);
            *newline = 1;
            r->beg = (size_t)(nl - r->buf) + 1;
            return *len > r->max ? -3 : 1;
        }
        if (r->end - r->beg > r->max)
            return -3;
        if (r->eof) {
            if (r->end == r->beg)
                return 0;
            *line = r->buf + r->beg;
            *len = r->end - r->beg;
            *newline = 0;
            r->beg = r->end;
            return 1;
        }
        if (r->beg > 0) {
            memmove(r->buf, r->buf + r->beg, r->end - r->beg);
            r->end -= r->beg;
            r->beg = 0;
        }
        scanned = r->end;
        if (r->end == r->cap) {   /* room for the limit and its newline, no more */
            size_t want = r->cap > (r->max + 2) / 2 ? r->max + 2 : r->cap * 2;
            char *nb = co_realloc(r->buf, want);
            if (!nb)
                return -2;
            r->buf = nb;
            r->cap = want;
        }
        size_t n = fread(r->buf + r->end, 1, r->cap - r->end, r->in);
        if (n == 0) {
            if (ferror(r->in))
                return -1;
            r->eof = 1;
        }
        r->end += n;
    }
}

/* "16 MiB", "1 KiB", "1000 bytes": a line limit for messages. */
static void size_words(size_t n, char *buf, size_t size)
{
    if (n >= (1u << 20) && n % (1u << 20) == 0)
        snprintf(buf, size, "%zu MiB", n >> 20);
    else if (n >= 1024 && n % 1024 == 0)
        snprintf(buf, size, "%zu KiB", n >> 10);
    else
        snprintf(buf, size, "%zu bytes", n);
}

/* ---- the line arena -------------------------------------------------------------- */

/*
** cJSON allocates every node, key and string of a line's tree with its
** allocator hooks; freeing the tree one node at a time was a fifth of a load.
** While a load runs, the hooks point at a bump arena instead: the lines of a
** batch (below) and their trees are carved from its blocks, "free" does
** nothing, and the arena is reset when the batch is used again. The hooks are
** global to the process: they are set for the length of tm_load_stream and
** put back after it (loads do not run on two threads at once, and nothing
** else parses with cJSON meanwhile); the arena they carve from is the calling
** thread's (cur_arena), so the parsing thread and the one applying events
** never share one. Blocks come from co_malloc, so a failing allocator is
** seen: the parse fails and the arena says it ran out of memory.
*/
#define ARENA_BLOCK (64 * 1024)

typedef struct arena_block {
    struct arena_block *next;
    size_t cap, used;               /* bytes of data[] */
    _Alignas(16) unsigned char data[];
} arena_block;

typedef struct line_arena {
    arena_block *head;              /* the block being carved; older ones follow */
    int failed;                     /* an allocation failed since the last line began */
} line_arena;

static _Thread_local line_arena *cur_arena;   /* where this thread's cJSON allocates */

/* A new block for an allocation of n bytes (rounded) that the head block
** cannot hold. (Not inlined: arena_malloc's common case then needs no registers saved.) */
static void *arena_grow(line_arena *a, size_t n)
#if defined(__GNUC__)
    __attribute__((noinline))
#endif
    ;
static void *arena_grow(line_arena *a, size_t n)
{
    if (!a)
        return NULL;   /* cJSON used by another thread during a load: refused, never leaked */
    size_t cap = n > ARENA_BLOCK ? n : ARENA_BLOCK;
    arena_block *nb = co_malloc(sizeof *nb + cap);
    if (!nb) {
        a->failed = 1;
        return NULL;
    }
    nb->next = a->head;
    nb->cap = cap;
    nb->used = n;
    a->head = nb;
    return nb->data;
}

/* (Called for every node, key and string of every line: the common case
** touches no stack and calls nothing, the rest is arena_grow's.) */
static void *arena_malloc(size_t n)
{
    line_arena *a = cur_arena;
    arena_block *bl;
    n = (n + 15) & ~(size_t)15;
    if (a && (bl = a->head) && bl->cap - bl->used >= n) {
        void *p = bl->data + bl->used;
        bl->used += n;
        return p;
    }
    return arena_grow(a, n);
}

static void arena_free(void *p)
{
    (void)p;   /* the whole batch's trees go at once, in arena_reset */
}

/* Forget what was carved: keep one block (the newest, the largest) for next time. */
static void arena_reset(line_arena *a)
{
    arena_block *bl = a->head;
    a->failed = 0;
    if (!bl)
        return;
    for (arena_block *old = bl->next, *nx; old; old = nx) {
        nx = old->next;
        co_free(old);
    }
    bl->next = NULL;
    bl->used = 0;
}

static void arena_release(line_arena *a)
{
    arena_reset(a);
    co_free(a->head);
    a->head = NULL;
}

static void arena_begin(void)
{
    static cJSON_Hooks hooks = {arena_malloc, arena_free};
    cJSON_InitHooks(&hooks);
}

static void arena_end(void)
{
    cJSON_InitHooks(NULL);   /* cJSON's default: malloc and free */
    cur_arena = NULL;
}

/* ---- parsing ahead ---------------------------------------------------------------- */

/*
** Lines are parsed in batches: each line's text is copied into the batch's
** arena (the reader's buffer moves on) and parsed there with cJSON. Parsing
** is about two thirds of a load and applying the rest, so on a big regular
** file, after PARSE_AHEAD_AFTER lines, a second thread reads and parses the
** next batches while this one applies events -- and this one never waits
** while there is parsing to do: when the batch it needs next is not parsed
** yet, it reads and parses the next unread batch itself (that one, or a
** later one while the other thread is still parsing the one it needs). The
** parsing is shared, whichever thread is free, and a second thread slowed
** by a busy core costs the loading thread nothing but the batches it holds.
** Reading is one thread at a time, in order; each batch has the number of
** its place, and batches are applied by that number. A small
** trace never starts a thread, nor does a pipe (the loader must be able to
** stop reading at any line); without the thread -- or when it cannot be
** started -- the same batches are read and parsed here, one when the last is
** used up. Everything about a line that is not its parse (problems, the
** header, the model) happens in the loading thread.
*/
#define BATCH_LINES 128
#define BATCH_BYTES (256 * 1024)    /* of line text: a batch of long lines is shorter */
#define BATCHES 4
#define PARSE_AHEAD_AFTER 16384

typedef struct parsed {
    const char *text;               /* the line without its newline or a last \r, NUL-terminated */
    size_t len;
    int newline;                    /* it ended with one */
    cJSON *obj;                     /* the parse, or NULL */
    const char *stop;               /* where cJSON stopped (in text) */
    int oom;                        /* the parse ran out of memory */
} parsed;

enum { B_FREE, B_BUSY, B_PARSED, B_IN_USE };   /* a batch's state (busy: being read or parsed) */

typedef struct batch {
    line_arena arena;
    parsed items[BATCH_LINES];
    size_t n, next;                 /* lines read / handed out */
    int rc;                         /* after the last line: 1 if more follow, else next_line's end */
    int read_errno;                 /* errno of a read error (rc -1) */
    int state;                      /* B_* (threaded only) */
    uint64_t place;                 /* its number in reading order */
} batch;

typedef struct parser {
    reader *r;
    batch batches[BATCHES];
    batch *cur;                     /* the batch lines are handed out from */
    size_t lines;                   /* lines read so far */
    int threaded;                   /* the second thread runs */
    pthread_t thread;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t next_read, next_use;   /* the place of the next batch read / applied */
    int reading;                    /* a thread is reading (one at a time) */
    int eof;                        /* the batch that ends the input has been read */
    int stop;                       /* the loader is done: the thread ends */
} parser;

/* Read the next lines into bt (text only). */
static void read_batch(parser *ps, batch *bt)
{
    cur_arena = &bt->arena;
    arena_reset(&bt->arena);
    bt->n = bt->next = 0;
    bt->rc = 1;
    size_t bytes = 0;
    while (bt->n < BATCH_LINES && bytes < BATCH_BYTES) {
        const char *line;
        size_t len;
        int newline, rc = next_line(ps->r, &line, &len, &newline);
        if (rc != 1) {
            bt->rc = rc;
            bt->read_errno = errno;
            return;
        }
        if (len && line[len - 1] == '\r')
            len--;
        parsed *it = &bt->items[bt->n++];
        *it = (parsed){"", 0, newline, NULL, NULL, 0};
        char *text = arena_malloc(len + 1);
        if (!text) {
            it->oom = 1;
            continue;
        }
        memcpy(text, line, len);
        text[len] = '\0';
        it->text = text;
        it->len = len;
        bytes += len;
    }
}

/* Parse the lines read into bt. */
static void parse_batch(batch *bt)
{
    cur_arena = &bt->arena;
    for (size_t i = 0; i < bt->n; i++) {
        parsed *it = &bt->items[i];
        if (it->oom)
            continue;
        bt->arena.failed = 0;
        it->obj = cJSON_ParseWithLengthOpts(it->text, it->len, &it->stop, 0);
        it->oom = !it->obj && bt->arena.failed;
    }
}

static batch *free_batch(parser *ps)
{
    for (int i = 0; i < BATCHES; i++)
        if (ps->batches[i].state == B_FREE)
            return &ps->batches[i];
    return NULL;
}

static batch *batch_at(parser *ps, uint64_t place)
{
    for (int i = 0; i < BATCHES; i++)
        if (ps->batches[i].state != B_FREE && ps->batches[i].place == place)
            return &ps->batches[i];
    return NULL;
}

/* With ps->mu held: read the next batch into bt and parse it, the lock let go meanwhile. */
static void read_and_parse_locked(parser *ps, batch *bt)
{
    bt->state = B_BUSY;
    bt->place = ps->next_read++;
    ps->reading = 1;
    pthread_mutex_unlock(&ps->mu);
    read_batch(ps, bt);
    pthread_mutex_lock(&ps->mu);
    ps->reading = 0;
    if (bt->rc != 1)
        ps->eof = 1;
    pthread_cond_broadcast(&ps->cv);
    pthread_mutex_unlock(&ps->mu);
    parse_batch(bt);
    pthread_mutex_lock(&ps->mu);
    bt->state = B_PARSED;
    pthread_cond_broadcast(&ps->cv);
}

static void *parse_ahead(void *arg)
{
    parser *ps = arg;
    batch *bt = NULL;
    pthread_mutex_lock(&ps->mu);
    for (;;) {
        while (!ps->stop && (ps->reading || ps->eof || !(bt = free_batch(ps))))
            pthread_cond_wait(&ps->cv, &ps->mu);
        if (ps->stop)
            break;
        read_and_parse_locked(ps, bt);
    }
    pthread_mutex_unlock(&ps->mu);
    return NULL;
}

/* Whether `in` is a regular file (reading it never waits on a writer). */
static int regular_file(FILE *in)
{
    struct stat st;
    return fstat(fileno(in), &st) == 0 && S_ISREG(st.st_mode);
}

static void parser_start_thread(parser *ps)
{
    if (pthread_mutex_init(&ps->mu, NULL))
        return;
    if (pthread_cond_init(&ps->cv, NULL)) {
        pthread_mutex_destroy(&ps->mu);
        return;
    }
    for (int i = 0; i < BATCHES; i++)
        ps->batches[i].state = &ps->batches[i] == ps->cur ? B_IN_USE : B_FREE;
    ps->cur->place = 0;
    ps->next_read = ps->next_use = 1;
    ps->reading = ps->eof = ps->stop = 0;
    if (pthread_create(&ps->thread, NULL, parse_ahead, ps)) {
        pthread_cond_destroy(&ps->cv);
        pthread_mutex_destroy(&ps->mu);
        return;   /* parse here, as for a small trace */
    }
    ps->threaded = 1;
}

/* The next batch in order, when the second thread runs: parsed by it, or here. */
static batch *next_batch_threaded(parser *ps, batch *done)
{
    pthread_mutex_lock(&ps->mu);
    done->state = B_FREE;   /* it may be read into again */
    pthread_cond_broadcast(&ps->cv);
    batch *bt;
    for (;;) {
        bt = batch_at(ps, ps->next_use);
        if (bt && bt->state == B_PARSED)
            break;
        batch *fb;
        if (!ps->reading && !ps->eof && (fb = free_batch(ps))) {
            read_and_parse_locked(ps, fb);
            if (fb->place == ps->next_use) {
                bt = fb;
                break;
            }
            continue;   /* a later one, parsed while the other thread parses the next */
        }
        pthread_cond_wait(&ps->cv, &ps->mu);
    }
    bt->state = B_IN_USE;
    ps->next_use++;
    pthread_mutex_unlock(&ps->mu);
    return bt;
}

/*
** The next line, parsed: returns 1 and fills *out, or next_line's end (0, -1
** with errno set, -2, -3). Valid until the next call.
*/
static int next_parsed(parser *ps, FILE *in, parsed *out)
{
    batch *bt = ps->cur;
    if (!bt || bt->next == bt->n) {
        if (bt && bt->rc != 1) {
            errno = bt->read_errno;
            return bt->rc;
        }
        if (!ps->threaded && bt && ps->lines >= PARSE_AHEAD_AFTER && regular_file(in))
            parser_start_thread(ps);
        if (ps->threaded) {
            bt = next_batch_threaded(ps, bt);
        } else {
            bt = bt ? bt : &ps->batches[0];
            read_batch(ps, bt);
            parse_batch(bt);
        }
        ps->cur = bt;
        ps->lines += bt->n;
        if (bt->n == 0) {
            errno = bt->read_errno;
            return bt->rc == 1 ? 0 : bt->rc;
        }
    }
    *out = bt->items[bt->next++];
    return 1;
}

/* Stop the second thread, if any, and free every batch. */
static void parser_end(parser *ps)
{
    if (ps->threaded) {
        pthread_mutex_lock(&ps->mu);
        ps->stop = 1;
        pthread_cond_broadcast(&ps->cv);
        pthread_mutex_unlock(&ps->mu);
        pthread_join(ps->thread, NULL);
        pthread_cond_destroy(&ps->cv);
        pthread_mutex_destroy(&ps->mu);
        ps->threaded = 0;
    }
    for (int i = 0; i < BATCHES; i++)
        arena_release(&ps->batches[i].arena);
}

/* ---- loading ---------------------------------------------------------------------- */

static tm_trace *new_trace(void)
{
    tm_trace *tr = co_calloc(1, sizeof *tr);
    if (!tr)
        return NULL;
    tr->priv = co_calloc(1, sizeof *tr->priv);
    if (!tr->priv || tm__strings_init(&tr->priv->strings) < 0) {
        tm_free(tr);
        return NULL;
    }
    return tr;
}

static void free_builder(tm__builder *b)
{
    co_free(b->live);
    co_free(b->futlive);
    co_free(b->causes);
    strtab_free(b->strtab);
}

/* How many arrays and objects are open after line[0..n) (strings skipped). */
static int json_depth(const char *line, size_t n)
{
    int depth = 0, in_string = 0;
    for (size_t i = 0; i < n; i++) {
        char c = line[i];
        if (in_string) {
            if (c == '\\')
                i++;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"')
            in_string = 1;
        else if (c == '[' || c == '{')
            depth++;
        else if ((c == ']' || c == '}') && depth > 0)
            depth--;
    }
    return depth;
}

/* Describe a line cJSON could not parse, with the column it stopped at. */
static void bad_json(tm__builder *b, const char *line, size_t len, const char *stop,
                     int newline, tm_error *err, int fatal)
{
    uint32_t col = stop && stop >= line && stop <= line + len ? (uint32_t)(stop - line) + 1 : 1;
    char msg[200];
    if (!newline)
        snprintf(msg, sizeof msg, "incomplete last line: the trace was cut short");
    else if (len == 0)
        snprintf(msg, sizeof msg, "empty line");
    else if (json_depth(line, col - 1) >= CJSON_NESTING_LIMIT)
        snprintf(msg, sizeof msg, "JSON nested deeper than %d arrays and objects, the reader's limit "
                 "(at column %u)", CJSON_NESTING_LIMIT, col);
    else
        snprintf(msg, sizeof msg, "not valid JSON (parsing stopped at column %u)", col);
    if (fatal)
        set_err(err, b->line, col, "%s", msg);
    else
        tm__problem_at(b, b->line, col, "%s%s", msg,
                       (b->flags & TM_LOAD_STRICT) || !newline ? "" : "; the lines after it are ignored");
}

tm_trace *tm_load_stream(FILE *in, unsigned flags, tm_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    tm__builder b;
    memset(&b, 0, sizeof b);
    b.flags = flags;
    b.running = TM_NONE;
    b.tr = new_trace();
    size_t max = tm_max_line(), first = max + 2 < (1u << 20) ? max + 2 : 1u << 20;
    reader r = {in, co_malloc(first), first, 0, 0, max, 0};
    if (!b.tr || !r.buf) {
        set_err(err, 0, 0, "out of memory");
        co_free(r.buf);
        tm_free(b.tr);
        return NULL;
    }

    int rc, failed = 0, have_header = 0;
    parser *ps = co_calloc(1, sizeof *ps);
    if (!ps) {
        set_err(err, 0, 0, "out of memory");
        co_free(r.buf);
        tm_free(b.tr);
        return NULL;
    }
    ps->r = &r;
    parsed pl = {NULL, 0, 0, NULL, NULL, 0};
    pthread_once(&by_two_once, build_by_two);
    arena_begin();
    while ((rc = next_parsed(ps, in, &pl)) == 1) {
        const char *line = pl.text;
        size_t len = pl.len;
        int newline = pl.newline;
        b.line++;
        b.text = line;
        b.text_len = len;   /* (a last \r is gone already) */
        if (len == 0 && newline && have_header) {
            if (flags & TM_LOAD_STRICT)
                tm__problem(&b, -1, "empty line");
            continue;
        }
        const char *stop = pl.stop;
        cJSON *obj = pl.obj;
        if (pl.oom) {
            b.oom = 1;
            break;
        }
        if (obj && stop) {   /* anything but blanks after the object is an error */
            const char *e = line + len;
            while (stop < e && (*stop == ' ' || *stop == '\t'))
                stop++;
            if (stop < e) {
                cJSON_Delete(obj);
                obj = NULL;
            }
        }
        if (!obj || !cJSON_IsObject(obj)) {
            if (!have_header) {
                bad_json(&b, line, len, stop, newline, err, 1);
                if (obj)
                    set_err(err, 1, 1, "line 1 is not a JSON object (expected the header)");
                cJSON_Delete(obj);
                failed = 1;
                break;
            }
            if (obj)
                tm__problem(&b, -1, "not a JSON object");
            else
                bad_json(&b, line, len, stop, newline, err, 0);
            cJSON_Delete(obj);
            if (!(flags & TM_LOAD_STRICT)) {
                b.stopped = 1;
                break;   /* keep what came before the bad line */
            }
            continue;
        }
        if (!have_header) {
            failed = read_header(&b, obj, err) < 0;
            have_header = 1;
        } else {
            if (!newline && (flags & TM_LOAD_STRICT))
                tm__problem(&b, -1, "the last line has no newline (was the trace cut short?)");
            int rc_ev = read_event(&b, obj);
            failed = rc_ev < 0;
            if (rc_ev > 0 && !(flags & TM_LOAD_STRICT)) {
                b.stopped = 1;
                break;   /* keep what came before the bad line */
            }
        }
        if (failed || b.oom)
            break;
    }
    int read_errno = errno;
    b.text = NULL;   /* it was in a batch */
    b.text_len = 0;
    parser_end(ps);
    co_free(ps);
    arena_end();
    co_free(r.buf);
    errno = read_errno;

    if (rc == -3) {   /* a line past the limit: what came before it is kept */
        char lim[32];
        size_words(max, lim, sizeof lim);
        b.line++;
        if (!have_header) {
            set_err(err, b.line, (uint32_t)(max < UINT32_MAX ? max + 1 : UINT32_MAX),
                    "line 1 is longer than %s, the longest line a trace may have (raise the limit with "
                    "--max-line SIZE or COROSCOPE_MAX_LINE)", lim);
            failed = 1;
        } else {
            tm__problem_at(&b, b.line, (uint32_t)(max < UINT32_MAX ? max + 1 : UINT32_MAX),
                           "the line is longer than %s, the longest line a trace may have; it and the lines "
                           "after it are not read (raise the limit with --max-line SIZE or COROSCOPE_MAX_LINE)",
                           lim);
            b.stopped = 1;
        }
    }
    if (b.oom || rc == -2) {
        set_err(err, 0, 0, "out of memory");
        failed = 1;
    }
    if (!failed && rc == -1) {
        set_err(err, b.line + 1, 0, "read error: %s", strerror(errno));
        failed = 1;
    }
    if (!failed && !have_header) {
        set_err(err, 0, 0, "empty file: no header line");
        failed = 1;
    }
    if (!failed && (tm__finish(&b) < 0 || b.oom)) {
        set_err(err, 0, 0, "out of memory");
        failed = 1;
    }
    free_builder(&b);
    if (failed) {
        tm_free(b.tr);
        return NULL;
    }
    return b.tr;
}

tm_trace *tm_load(const char *path, unsigned flags, tm_error *err)
{
    if (!strcmp(path, "-"))
        return tm_load_stream(stdin, flags, err);
    FILE *f = fopen(path, "rb");
    if (!f) {
        set_err(err, 0, 0, "cannot open: %s", strerror(errno));
        return NULL;
    }
    tm_trace *tr = tm_load_stream(f, flags, err);
    fclose(f);
    return tr;
}
