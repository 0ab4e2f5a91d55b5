/*
** capture.h -- a tracer for tests: keeps every event's kind and a few fields
** in memory so a test can assert on what the runtime recorded. Every trace it
** sees is also dumped for the validator (trace_dump.h).
*/
#ifndef TEST_CAPTURE_H
#define TEST_CAPTURE_H

#include <stdlib.h>
#include <string.h>

#include "coroscope.h"
#include "trace_dump.h"

typedef struct cap_event {
    co_trace_event_kind ev;    /* kind */
    double t;                  /* time */
    uint64_t task, fut, target;
    char text[160];            /* print text, warn kind:msg, or task name */
} cap_event;

typedef struct capture {
    cap_event *ev;
    size_t n, cap;
    trace_dump *dump;          /* the file this recording also goes to, or NULL */
    bool dumping;              /* a dump was opened for the current recording */
} capture;

static inline void cap_event_fn(void *ud, const co_trace_event *e)
{
    capture *c = ud;
    if (!c->dumping) {         /* the first event of a recording */
        c->dumping = true;
        c->dump = dump_open("unit", "virtual");
    }
    c->dump = dump_event(c->dump, e);
    if (e->ev == CO_EV_END)
        c->dumping = false;    /* a later loop on the same capture is a new recording */
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 256;
        c->ev = realloc(c->ev, c->cap * sizeof *c->ev);
    }
    cap_event *x = &c->ev[c->n++];
    memset(x, 0, sizeof *x);
    x->ev = e->ev;
    x->t = e->t;
    x->task = e->task;
    x->fut = e->fut;
    x->target = e->target;
    const char *s = e->ev == CO_EV_PRINT ? e->text : e->ev == CO_EV_TASK_NEW ? e->name : NULL;
    if (e->ev == CO_EV_WARN)
        snprintf(x->text, sizeof x->text, "%s:%s", e->kind, e->msg);
    else if (s)
        snprintf(x->text, sizeof x->text, "%s", s);
}

static inline co_loop *cap_loop(capture *c)
{
    co_loop_config cfg = {.tracer = {cap_event_fn, c}};
    return co_loop_new(&cfg);
}

/* The n-th print's text, or NULL. */
static inline const char *cap_print(const capture *c, size_t n)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->ev[i].ev == CO_EV_PRINT && n-- == 0)
            return c->ev[i].text;
    return NULL;
}

static inline size_t cap_count(const capture *c, co_trace_event_kind k)
{
    size_t n = 0;
    for (size_t i = 0; i < c->n; i++)
        n += c->ev[i].ev == k;
    return n;
}

static inline const cap_event *cap_find_warn(const capture *c, const char *kind)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->ev[i].ev == CO_EV_WARN && !strncmp(c->ev[i].text, kind, strlen(kind)))
            return &c->ev[i];
    return NULL;
}

/* In a coroutine: return the exception an await (or any co_exc call) gave, if any. */
#define TRY(expr)                    \
    do {                             \
        co_exc *e_ = (expr);         \
        if (e_)                      \
            return e_;               \
    } while (0)

#endif
