/*
** fuzz_lesson.c -- the lesson engine's parsers on arbitrary bytes: the lesson
** file (lesson_load: front matter, blocks, options, queries written in them)
** and the query language (lq_parse, lq_static_type, lq_eval on a trace,
** lq_value_format, lq_value_read).
**
** The first byte picks what is fuzzed. Even: the rest is a lesson file.
** Odd: the rest is a query, a newline, then a trace file; the query is parsed,
** typed, and evaluated on the trace when that loads, and its value formatted
** and read back from its own formatting. Nothing is recorded: a lesson's
** programs are looked up, never run (co_scenario_find is a stand-in here
** that knows a few scenario names). Everything must be freed.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "lesson.h"
#include "lq.h"
#include "scenarios/scenarios.h"

/* The scenario registry without the scenarios: a lesson only asks whether a name exists. */
const co_scenario *co_scenario_find(const char *name)
{
    static const char *const names[] = {"sequential", "gather", "wait", "as_completed", "swarm"};
    static co_scenario found;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (!strcmp(name, names[i])) {
            found.name = names[i];
            return &found;
        }
    return NULL;
}

static int no_findings(void *ud, const tm_trace *tr, const char *kind)
{
    (void)ud;
    (void)tr;
    return !strcmp(kind, "loop_stall") ? 1 : !strcmp(kind, "deadlock") ? 0 : -1;
}

static void fuzz_query(const uint8_t *data, size_t size)
{
    const uint8_t *nl = memchr(data, '\n', size);
    size_t qlen = nl ? (size_t)(nl - data) : size;
    char *text = malloc(qlen + 1);
    if (!text)
        return;
    memcpy(text, data, qlen);
    text[qlen] = '\0';
    lq_error err;
    lq_node *q = lq_parse(text, &err);
    if (!q) {
        FZ_CHECK(err.message[0] != '\0', "a query that does not parse says nothing: '%.80s'", text);
        free(text);
        return;
    }
    lq_static_type(q);
    tm_trace *tr = NULL;
    if (nl && (size_t)(nl - data) + 1 < size) {
        const uint8_t *t = nl + 1;
        size_t tlen = size - (size_t)(t - data);
        FILE *in = fmemopen((void *)t, tlen, "rb");
        if (in) {
            tm_error terr;
            tr = tm_load_stream(in, 0, &terr);
            fclose(in);
        }
    }
    if (tr) {
        lq_env env = {tr, no_findings, NULL};
        lq_value v;
        memset(&v, 0, sizeof v);
        if (lq_eval(q, &env, &v, &err) == 0) {
            char shown[512];
            lq_value_format(&v, tr, shown, sizeof shown);
            lq_value back;
            memset(&back, 0, sizeof back);
            char rerr[256];
            if (v.type != LQ_NONE && v.type != LQ_EVENT && lq_value_read(shown, &v, &back, rerr, sizeof rerr) == 0)
                lq_value_free(&back);
            lq_value copy;
            memset(&copy, 0, sizeof copy);
            if (lq_value_copy(&copy, &v) == 0) {
                FZ_CHECK(lq_value_equal(&copy, &v), "a copied value differs from its original ('%.80s')", text);
                lq_value_free(&copy);
            }
            lq_value_free(&v);
        } else {
            FZ_CHECK(err.message[0] != '\0', "a query that fails says nothing: '%.80s'", text);
        }
        tm_free(tr);
    }
    lq_free(q);
    free(text);
}

static void fuzz_lesson_file(const uint8_t *data, size_t size)
{
    const char *path = fz_trace_path(data, size);
    ls_diags d;
    memset(&d, 0, sizeof d);
    lesson *L = lesson_load(path, &d);
    static FILE *null_out;
    if (!null_out && !(null_out = fopen("/dev/null", "w")))
        fz_fail("cannot open /dev/null");
    ls_diags_print(&d, null_out);
    if (L) {
        lesson_graded(L);
        for (size_t i = 0; i < L->n_blocks; i++)
            if (L->blocks[i].id)
                FZ_CHECK(lesson_find_block(L, L->blocks[i].id) >= 0, "block %zu's ID is not found", i);
    }
    lesson_free(L);
    ls_diags_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int installed;
    if (!installed) {
        fz_alloc_install();
        installed = 1;
    }
    if (size == 0)
        return 0;
    fz_alloc_fail_at(-1);
    long live = fz_alloc_live();
    if (data[0] & 1)
        fuzz_query(data + 1, size - 1);
    else
        fuzz_lesson_file(data + 1, size - 1);
    FZ_CHECK(fz_alloc_live() == live, "%ld blocks leaked", fz_alloc_live() - live);
    return 0;
}
