/*
** lq.h -- the lesson query language: questions asked of a recorded trace.
**
** A lesson never types in an answer. It writes a query -- `makespan`,
** `finish_order`, `ready_at(print("a"))`, `makespan <= 3 and prints == ["a",
** "b"]` -- and the runner evaluates it on the trace of the program it just
** recorded. docs/LESSONS.md is the reference for every name and function.
**
** A query is parsed once into a small tree (lq_parse) and evaluated against a
** trace (lq_eval). Values are typed: seconds, counts, text, task names,
** yes/no, events, lists. Errors are reported with the column in the query
** text, so a lesson can say FILE:LINE:COL.
**
** Ownership: lq_parse returns a tree the caller frees with lq_free (NULL
** ok). An lq_value owns its strings and list items; lq_value_free releases
** them. Nothing here keeps a pointer into the trace after lq_eval returns.
*/
#ifndef LQ_H
#define LQ_H

#include <stddef.h>
#include <stdint.h>

#include "trace_model.h"

/* What a value is. */
typedef enum lq_type {
    LQ_NONE,      /* no value (an error, or a query that has none) */
    LQ_SECONDS,   /* a loop time or duration, in seconds */
    LQ_COUNT,     /* a whole number */
    LQ_TEXT,      /* a printed line, a repr, a state name ... */
    LQ_NAME,      /* a task's name */
    LQ_BOOL,      /* yes / no */
    LQ_EVENT,     /* an event of the trace (an index) */
    LQ_LIST       /* a list of values (of one type) */
} lq_type;

typedef struct lq_value {
    lq_type type;
    double num;               /* SECONDS, COUNT, BOOL (0/1) */
    char *text;               /* TEXT, NAME (owned) */
    uint32_t ev;              /* EVENT */
    struct lq_value *items;   /* LIST (owned) */
    size_t n;                 /* LIST length */
} lq_value;

/* A problem: what is wrong, and where in the query text (1-based column). */
typedef struct lq_error {
    int column;
    char message[256];
} lq_error;

typedef struct lq_node lq_node;

/*
** Who answers findings questions (`finding("loop_stall")`): the findings are
** the viewer's (viz/model/findings.c), which the lesson engine does not link;
** the host passes this. Returns 1 when the trace has a finding of that kind
** (lint's names: sequential_awaits, loop_stall, never_retrieved,
** pending_at_close, swallowed_cancel, deadlock), 0 when not, -1 when the kind
** is unknown.
*/
typedef int (*lq_findings_fn)(void *ud, const tm_trace *tr, const char *kind);

typedef struct lq_env {
    const tm_trace *tr;       /* the trace the query reads */
    lq_findings_fn findings;  /* may be NULL: finding() is then an error */
    void *findings_ud;
} lq_env;

/* Parse `text`. NULL with *err filled when it does not parse. */
lq_node *lq_parse(const char *text, lq_error *err);
void lq_free(lq_node *q);

/*
** The type a parsed query will have (LQ_NONE when it depends on the trace
** only in ways a parse cannot tell -- never for a well-formed query), so a
** lesson can be checked before anything is recorded.
*/
lq_type lq_static_type(const lq_node *q);

/* Evaluate. 0 and *out filled, or -1 with *err (about this trace: "no task
** named 'b'"). lq_value_free(*out) afterwards. */
int lq_eval(const lq_node *q, const lq_env *env, lq_value *out, lq_error *err);

void lq_value_free(lq_value *v);
int lq_value_copy(lq_value *dst, const lq_value *src);   /* 0, or -1 out of memory */

/* Equal, as a lesson compares an option with an answer (seconds within 1e-9). */
int lq_value_equal(const lq_value *a, const lq_value *b);

/* A value for people: "6 s", "a, b, c", "Task-2", "yes", "event 12". Returns buf. */
char *lq_value_format(const lq_value *v, const tm_trace *tr, char *buf, size_t size);

/*
** Read an answer or an option's text as a value of type `like` (the answer's
** type; for a list, the type of its items is taken from its first item):
** "3 s", "250 ms", "a, b, c", "['a', 'b']", "yes", "`Task-2`". 0, or -1 with a
** message in err when the text cannot be that type.
*/
int lq_value_read(const char *text, const lq_value *like, lq_value *out, char *err, size_t errlen);

const char *lq_type_name(lq_type t);

/*
** Why predicate q is false on env's trace, for a student: each false
** comparison of its `and`s with the value its left side has ("makespan is
** 6 s, not <= 4.5"), joined by "; ". Writes "" when q holds (or cannot be
** evaluated). Returns the length written.
*/
int lq_explain(const lq_node *q, const lq_env *env, char *buf, size_t size);   /* "seconds", "a list", ... */

#endif
