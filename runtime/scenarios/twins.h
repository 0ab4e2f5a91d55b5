/*
** twins.h -- the built-in scenarios' Python twins, carried in the binary, and
** what a scenario's trace says about them.
**
** A built-in scenario is C code that mirrors a Python program, NAME.py beside
** it, line for line; the parity test proves the two schedule identically. A
** student reads the Python, so a scenario's trace embeds the twin (a `source`
** event) and its `src` fields name the twin's lines, with the C location kept
** in `csrc` (traces/FORMAT.md, version 3). Which twin line each C line mirrors
** is the table runtime/scenarios/twin_lines.tsv, made by tools/twin_lines.py
** from recordings of both producers; tools/embed_twins.sh turns the twins and
** the table into C data at build time.
*/
#ifndef CO_TWINS_H
#define CO_TWINS_H

#include <stddef.h>

#include "trace.h"

typedef struct co_twin {
    const char *scenario;      /* the scenario's name */
    const char *file;          /* "NAME.py": what the trace's src fields call it */
    const char *text;          /* the whole program */
} co_twin;

typedef struct co_twin_line {
    const char *scenario;      /* the scenario's name */
    const char *csrc;          /* "runtime/scenarios/headline.c:13" */
    unsigned line;             /* the twin's line it mirrors */
} co_twin_line;

/* The generated data (sorted by scenario, then csrc, in strcmp order). */
extern const co_twin co__twins[];
extern const size_t co__n_twins;
extern const co_twin_line co__twin_lines[];
extern const size_t co__n_twin_lines;

/* The twin of scenario `name`, or NULL. */
const co_twin *co_twin_find(const char *name);

/* The twin line that C location `csrc` mirrors in scenario `name`, or 0. */
unsigned co_twin_line_of(const char *name, const char *csrc);

/*
** A tracer that passes every event on to `inner`, with each `src` that names a
** line of the scenario's C code replaced by the twin's line and the C location
** kept in `csrc` (a print's or frame's C line that the table does not know
** loses its src; a step_end's keeps the C one). `state` holds what the wrapper needs and must outlive the
** recording; the returned tracer is `inner` itself when there is no twin.
*/
typedef struct co_twin_tracer {
    co_tracer inner;
    const co_twin *twin;
    char src[160];             /* the rewritten src of the event being passed on */
} co_twin_tracer;

co_tracer co_twin_tracer_wrap(co_twin_tracer *state, const char *scenario, co_tracer inner);

/* 1: record scenarios with src naming their C lines and no twin embedded
** (`record --c-lines`); 0 (the default): point them at the twin. */
extern int co_scenario_c_lines;

#endif
