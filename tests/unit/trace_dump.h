/*
** trace_dump.h -- every trace a unit test records also goes to a file, so the
** suite can check that the runtime's traces pass its own validator.
**
** When the environment names a directory in COROSCOPE_TEST_TRACES (tests/run.sh
** sets it), a dump writes each event it is given as traces/FORMAT.md's JSON
** Lines into DIR/<test program>-<pid>-<n>.jsonl.part, and renames the file to
** .jsonl when the `end` event arrives: a loop that was closed properly. Files
** still named .part belong to loops a test left unfinished on purpose (a
** crash it provokes) and are not checked. At the end of the suite
** tests/scripts/validate_traces.sh runs `coroscope validate` over the rest.
**
** The dump never uses the runtime's allocator: tests count co_malloc calls,
** or make them fail, and a dump must change nothing they see. Its line buffer
** is a plain malloc big enough for any event a test writes.
*/
#ifndef TEST_TRACE_DUMP_H
#define TEST_TRACE_DUMP_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "trace_model.h"
#include "trace_writer.h"

#define DUMP_LINE_MAX (1 << 20)    /* one event's line; more is a test bug */

typedef struct trace_dump {
    FILE *f;                       /* the .part file */
    char path[512];                /* its name */
    sbuf line;                     /* one formatted line; p is malloc'd here */
} trace_dump;

/* The test's source file name, without directory and ".c" (a name for the
** program that works under Criterion's worker processes too). */
static inline const char *dump_program(void)
{
    static char name[128];
    if (!name[0]) {
        const char *f = strrchr(__BASE_FILE__, '/');
        f = f ? f + 1 : __BASE_FILE__;
        snprintf(name, sizeof name, "%.*s", (int)strcspn(f, "."), f);
    }
    return name;
}

/* A dump for a new recording, or NULL when COROSCOPE_TEST_TRACES is unset or
** the file cannot be made (a test's own result never depends on it). */
static inline trace_dump *dump_open(const char *scenario, const char *clock)
{
    static int count;
    const char *dir = getenv("COROSCOPE_TEST_TRACES");
    if (!dir || !*dir)
        return NULL;
    trace_dump *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    snprintf(d->path, sizeof d->path, "%s/%s-%ld-%d.jsonl.part", dir, dump_program(), (long)getpid(),
             count++);
    d->f = fopen(d->path, "w");
    d->line.p = malloc(DUMP_LINE_MAX);
    if (!d->f || !d->line.p) {
        if (d->f)
            fclose(d->f);
        free(d->line.p);
        free(d);
        return NULL;
    }
    d->line.cap = DUMP_LINE_MAX;
    co_trace_header hdr = {scenario, clock, "coroscope unit test", 3};
    co_trace_format_header(&d->line, &hdr);
    fputs(d->line.p, d->f);
    return d;
}

/* Write one event; returns the dump, or NULL once `end` has closed it. */
static inline trace_dump *dump_event(trace_dump *d, const co_trace_event *ev)
{
    if (!d)
        return NULL;
    d->line.len = 0;
    co_trace_format_event(&d->line, ev);
    if (d->line.failed) {                  /* cannot happen below DUMP_LINE_MAX */
        fprintf(stderr, "trace_dump: an event longer than %d bytes\n", DUMP_LINE_MAX);
        abort();
    }
    fputs(d->line.p, d->f);
    if (ev->ev != CO_EV_END)
        return d;
    fclose(d->f);
    char done[512];
    snprintf(done, sizeof done, "%.*s", (int)(strlen(d->path) - 5), d->path);
    rename(d->path, done);
    free(d->line.p);
    free(d);
    return NULL;
}

/* A whole trace already in memory (a test that recorded into a buffer). */
static inline void dump_bytes(const char *label, const char *bytes, size_t len)
{
    const char *dir = getenv("COROSCOPE_TEST_TRACES");
    if (!dir || !*dir)
        return;
    static int count;
    char path[512];
    snprintf(path, sizeof path, "%s/%s-%ld-%s-%d.jsonl", dir, dump_program(), (long)getpid(),
             label, count++);
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fwrite(bytes, 1, len, f);
    fclose(f);
}

/* The trace in bytes passes the validator's every rule (coroscope validate). */
static inline void expect_valid(const char *label, const char *bytes, size_t len)
{
    FILE *in = fmemopen((void *)bytes, len, "r");
    cr_assert(in != NULL);
    tm_error err;
    tm_trace *tr = tm_load_stream(in, TM_LOAD_STRICT, &err);
    fclose(in);
    cr_assert(tr != NULL, "%s: the trace does not load: %s", label, err.message);
    for (size_t i = 0; i < tr->n_problems && i < 5; i++)
        cr_expect(0, "%s:%u:%u: %s", label, tr->problems[i].line, tr->problems[i].column,
                  tr->problems[i].message);
    cr_expect(eq(sz, tr->n_problems + tr->problems_dropped, 0), "%s: the trace validates", label);
    tm_free(tr);
    dump_bytes(label, bytes, len);
}

#endif
