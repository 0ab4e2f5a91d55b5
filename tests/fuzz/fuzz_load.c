/*
** fuzz_load.c -- the trace loader (tm_load_stream) on arbitrary bytes.
**
** The input is the whole trace file, read from memory with fmemopen. Each
** input is loaded three times:
**
**   1. normally (what `show`, `summary`, `export` and the viewer do), and
**   2. strictly (TM_LOAD_STRICT, what `validate` does); every trace that
**      loads is checked against trace_model.h's promises and queried at every
**      event (fz_check_model), and the two loads must agree: a file strict
**      mode finds nothing wrong with is one a normal load warns nothing about
**      and reads the same way;
**   3. with allocation number k failing, k picked from the input, to walk an
**      out-of-memory path: the load must fail with "out of memory" (or succeed,
**      when k was past the last allocation) and free everything either way.
**
** A load that returns NULL must say why in err.message.
*/
#include <stdio.h>
#include <string.h>

#include "fuzz.h"

static tm_trace *load(const uint8_t *data, size_t size, unsigned flags, tm_error *err)
{
    FILE *in = size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
    if (!in)
        fz_fail("cannot open the input as a stream");
    tm_trace *tr = tm_load_stream(in, flags, err);
    fclose(in);
    if (!tr)
        FZ_CHECK(err->message[0] != '\0', "a failed load (flags %u) says nothing", flags);
    return tr;
}

/* FNV-1a of the input: a deterministic choice of which allocation to fail. */
static uint32_t input_hash(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    return h;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int installed;
    if (!installed) {
        fz_alloc_install();
        installed = 1;
    }
    static FILE *null_out;
    if (!null_out && !(null_out = fopen("/dev/null", "w")))
        fz_fail("cannot open /dev/null");

    tm_error err, serr;
    fz_alloc_fail_at(-1);
    tm_trace *tr = load(data, size, 0, &err);
    long allocs = fz_alloc_count();
    tm_trace *strict = load(data, size, TM_LOAD_STRICT, &serr);
    FZ_CHECK(!tr == !strict, "one mode loads, the other does not: %s",
             tr ? serr.message : err.message);
    if (tr) {
        fz_check_model(tr, 0);
        fz_check_model(strict, TM_LOAD_STRICT);
        tm_print_problems(null_out, "fuzz.jsonl", "warning: ", tr);
        tm_print_problems(null_out, "fuzz.jsonl", "", strict);
        if (strict->n_problems == 0) {
            FZ_CHECK(tr->n_problems == 0 && tr->problems_dropped == 0,
                     "a normal load warns (%s) about a trace strict mode finds clean",
                     tr->problems[0].message);
            FZ_CHECK(tr->n_events == strict->n_events && tr->n_tasks == strict->n_tasks &&
                         tr->n_spans == strict->n_spans && tr->n_links == strict->n_links &&
                         tr->n_handles == strict->n_handles,
                     "the two modes read a clean trace differently");
        }
    } else {
        FZ_CHECK(!strcmp(err.message, serr.message), "the two modes fail differently: '%s', '%s'",
                 err.message, serr.message);
        tm_print_error(null_out, "fuzz: ", "fuzz.jsonl", &err);
    }
    int loaded = tr != NULL;
    tm_free(tr);
    tm_free(strict);
    FZ_CHECK(fz_alloc_live() == 0, "%ld blocks leaked by a load", fz_alloc_live());

    if (allocs > 0) {
        long k = (long)(input_hash(data, size) % (uint32_t)allocs);
        fz_alloc_fail_at(k);
        tm_error oerr;
        tm_trace *otr = load(data, size, 0, &oerr);
        fz_alloc_fail_at(-1);
        if (otr) {
            fz_check_model(otr, 0);
            tm_free(otr);
        } else if (loaded) {
            FZ_CHECK(!strcmp(oerr.message, "out of memory"),
                     "allocation %ld failed, and the load says '%s'", k, oerr.message);
        }
        FZ_CHECK(fz_alloc_live() == 0, "%ld blocks leaked when allocation %ld failed",
                 fz_alloc_live(), k);
    }
    return 0;
}
