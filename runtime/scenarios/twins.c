/*
** twins.c -- looking up a scenario's twin and its lines, and the tracer that
** points a scenario's trace at the twin (see twins.h).
*/
#include <stdio.h>
#include <string.h>

#include "scenarios/twins.h"

int co_scenario_c_lines = 0;

const co_twin *co_twin_find(const char *name)
{
    for (size_t i = 0; i < co__n_twins; i++)
        if (!strcmp(co__twins[i].scenario, name))
            return &co__twins[i];
    return NULL;
}

unsigned co_twin_line_of(const char *name, const char *csrc)
{
    size_t lo = 0, hi = co__n_twin_lines;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const co_twin_line *r = &co__twin_lines[mid];
        int c = strcmp(r->scenario, name);
        if (!c)
            c = strcmp(r->csrc, csrc);
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < co__n_twin_lines && !strcmp(co__twin_lines[lo].scenario, name) &&
        !strcmp(co__twin_lines[lo].csrc, csrc))
        return co__twin_lines[lo].line;
    return 0;
}

static void twin_event(void *ud, const co_trace_event *ev)
{
    co_twin_tracer *tt = ud;
    if (!ev->src || ev->csrc || strncmp(ev->src, "runtime/scenarios/", 18)) {
        tt->inner.event(tt->inner.ud, ev);
        return;
    }
    /* A line of the scenario's C: name the twin's line instead, keep the C in
    ** csrc. A C line the table does not know (no twin event pairs with it)
    ** gets no src at all: a reader of the twin could not show it. */
    co_trace_event copy = *ev;
    unsigned line = co_twin_line_of(tt->twin->scenario, ev->src);
    if (line) {
        snprintf(tt->src, sizeof tt->src, "%s:%u", tt->twin->file, line);
        copy.csrc = ev->src;
        copy.src = tt->src;
    } else if (ev->ev == CO_EV_STEP_END) {
        copy.csrc = NULL;                  /* step_end keeps its (required) C src */
    } else {
        copy.src = NULL;
    }
    tt->inner.event(tt->inner.ud, &copy);
}

co_tracer co_twin_tracer_wrap(co_twin_tracer *state, const char *scenario, co_tracer inner)
{
    state->inner = inner;
    state->twin = co_scenario_c_lines ? NULL : co_twin_find(scenario);
    if (!state->twin || !inner.event)
        return inner;
    co_tracer t = {twin_event, state};
    return t;
}
