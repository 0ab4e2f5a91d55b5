/*
** test_trace.c -- the trace writer: every line it writes parses with cJSON,
** seq is consecutive, and strings with awkward characters survive the trip.
** Also: running out of memory is reported, never crashed on.
*/
#include <cJSON.h>
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "coroscope.h"
#include "scenarios/scenarios.h"
#include "trace_dump.h"
#include "trace_model.h"
#include "trace_writer.h"

/* Record scenario `name` into memory; returns the bytes (free them). */
static char *record(const char *name, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    const co_scenario *sc = co_scenario_find(name);
    cr_assert(sc != NULL, "scenario %s", name);
    co_trace_header hdr = {name, "virtual", "test"};
    co_trace_writer *w = co_trace_writer_new(f, &hdr);
    co_loop_config cfg = {.tracer = co_trace_writer_tracer(w),
                          .clock = sc->real_clock ? CO_CLOCK_REAL : CO_CLOCK_VIRTUAL};
    co_loop *L = co_loop_new(&cfg);
    co_scenario_run(sc, L, NULL);
    co_loop_destroy(L);
    cr_assert(eq(int, co_trace_writer_close(w, NULL, 0), CO_OK));
    fclose(f);
    return buf;
}

Test(trace, every_line_of_every_scenario_parses_with_cjson)
{
    size_t n;
    const co_scenario *all = co_scenario_list(&n);
    for (size_t i = 0; i < n; i++) {
        size_t len;
        char *buf = record(all[i].name, &len);
        long seq = 0, lineno = 0;
        for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
            lineno++;
            cJSON *j = cJSON_Parse(line);
            cr_assert(j != NULL, "%s line %ld does not parse: %s", all[i].name, lineno, line);
            if (lineno == 1) {
                cr_expect(eq(str, cJSON_GetObjectItem(j, "format")->valuestring, "coroscope-trace"));
            } else {
                cJSON *s = cJSON_GetObjectItem(j, "seq");
                cr_assert(s != NULL && cJSON_IsNumber(s), "%s line %ld has no seq", all[i].name, lineno);
                cr_expect(eq(i64, (long)s->valuedouble, ++seq), "%s: seq is consecutive", all[i].name);
                cr_expect(cJSON_IsNumber(cJSON_GetObjectItem(j, "t")));
                cr_expect(cJSON_IsString(cJSON_GetObjectItem(j, "ev")));
            }
            cJSON_Delete(j);
        }
        cr_expect(gt(i64, seq, 5), "%s wrote events", all[i].name);
        free(buf);
        buf = record(all[i].name, &len);
        expect_valid(all[i].name, buf, len);
        free(buf);
    }
}

Test(trace, awkward_strings_are_escaped)
{
    sbuf b = {0};
    co_trace_event ev = {.ev = CO_EV_PRINT, .seq = 1, .t = 0.1, .task = 3,
                         .text = "quote \" backslash \\ newline \n tab \t bell \a é"};
    co_trace_format_event(&b, &ev);
    cJSON *j = cJSON_Parse(b.p);
    cr_assert(j != NULL, "%s", b.p);
    cr_expect(eq(str, cJSON_GetObjectItem(j, "text")->valuestring, (char *)ev.text));
    cr_expect(eq(dbl, cJSON_GetObjectItem(j, "t")->valuedouble, 0.1));
    cJSON_Delete(j);
    sb_free(&b);
}

Test(trace, floats_are_written_as_python_repr_writes_them)
{
    static const struct { double d; const char *s; } cases[] = {
        {3, "3.0"}, {0.1, "0.1"}, {0.1 + 0.2, "0.30000000000000004"}, {1e-05, "1e-05"},
        {1e16, "1e+16"}, {123456.5, "123456.5"}, {-2.5, "-2.5"}, {0.0001, "0.0001"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[40];
        co_format_double(buf, cases[i].d);
        cr_expect(eq(str, buf, (char *)cases[i].s));
    }
}

/* co_format_double's fast path (fixed notation, no strtod) against the general
** method, on random bit patterns and on the numbers programs make: decimal
** sleeps, sums of them, microsecond times, powers of ten and their neighbours. */
static unsigned long long xorshift(void)
{
    static unsigned long long x = 88172645463325252ULL;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return x;
}

Test(trace, the_fast_float_path_writes_what_the_general_one_does)
{
#define RND() xorshift()
    long bad = 0;
    for (long i = 0; i < 600000; i++) {
        double d = 0;
        switch (i % 6) {
        case 0: { unsigned long long u = RND(); memcpy(&d, &u, sizeof d); break; }
        case 1: d = (double)(RND() % 100000) / pow(10, (double)(RND() % 12)); break;
        case 2: d = (double)(RND() % 1000) * 0.1 + (double)(RND() % 1000) * 0.01; break;
        case 3: d = ldexp((double)(RND() >> 11), -(int)(RND() % 70)); break;
        case 4: d = (double)(RND() % 1000000) * 1e-6 + (double)(RND() % 100); break;
        default: d = nextafter(pow(10, (double)(RND() % 20) - 5), RND() & 1 ? 0 : 1e300); break;
        }
        if (RND() & 1)
            d = -d;
        char fast[40], exact[40];
        co_format_double(fast, d);
        co_format_double_exact(exact, d);
        if (strcmp(fast, exact) && bad++ < 5)
            cr_log_error("%.17g: fast %s, general %s", d, fast, exact);
    }
#undef RND
    cr_expect(eq(i64, bad, 0));
}

/* A writer with room formats strings in one pass; a buffer that is short of
** room takes the careful path: both give the same bytes. */
Test(trace, strings_are_the_same_by_either_path)
{
    static const char *texts[] = {"plain", "quote \" and \\", "ctl \x01\x1f\n\r\t end", "", "é ü ∑"};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        co_trace_event ev = {.ev = CO_EV_PRINT, .seq = 7, .t = 0.25, .task = 3, .text = texts[i],
                             .src = "prog.py:12"};
        sbuf small = {0};
        co_trace_format_event(&small, &ev);
        char *buf = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&buf, &len);
        co_trace_header hdr = {"s", "virtual", "test"};
        co_trace_writer *w = co_trace_writer_new(f, &hdr);
        co_trace_writer_event(w, &ev);
        cr_assert(eq(int, co_trace_writer_close(w, NULL, 0), CO_OK));
        fclose(f);
        const char *line = strchr(buf, '\n') + 1;
        cr_expect(eq(str, (char *)line, small.p), "text %zu", i);
        free(buf);
        sb_free(&small);
    }
}

/* --- running out of memory ------------------------------------------------- */

static long budget;
static void *tight_malloc(size_t n, void *ud) { (void)ud; return budget-- > 0 ? malloc(n) : NULL; }
static void *tight_realloc(void *p, size_t n, void *ud) { (void)ud; return budget-- > 0 ? realloc(p, n) : NULL; }
static void tight_free(void *p, void *ud) { (void)ud; free(p); }

Test(trace, failing_the_nth_allocation_is_reported_not_crashed_on)
{
    static const co_allocator tight = {tight_malloc, tight_realloc, tight_free, NULL};
    size_t nsc;
    const co_scenario *all = co_scenario_list(&nsc);
    for (size_t i = 0; i < nsc; i++) {
        if (all[i].real_clock)
            continue;   /* real sockets: a half-made server leaves its clients waiting, as it would */
        int completed = 0;
        for (long n = 0; n < 2000 && !completed; n++) {
            co_alloc_set(&tight);
            budget = n;
            co_loop_config cfg = {.clock = all[i].real_clock ? CO_CLOCK_REAL : CO_CLOCK_VIRTUAL};
            co_loop *L = co_loop_new(&cfg);
            if (L) {
                co_status st;
                co_exc *e = co_scenario_run(&all[i], L, &st);
                completed = e == NULL && st == CO_OK;
                if (!completed)   /* main's exception, or the status of the shutdown phase */
                    cr_expect(e != NULL || st != CO_OK, "%s with %ld allocations: a failure says so",
                              all[i].name, n);
                co_loop_destroy(L);
            }
            co_alloc_set(NULL);
        }
        cr_expect(completed, "%s: with enough memory the run completes", all[i].name);
    }
}

/* Out of memory with recording on: whatever fails, the trace that comes out
** is a valid one -- the failure shows as exceptions and an `end` event, and
** nothing is written after `end` (pending_at_close warnings come before it). */
Test(trace, traces_stay_valid_when_memory_runs_out)
{
    static const co_allocator tight = {tight_malloc, tight_realloc, tight_free, NULL};
    static const char *const names[] = {"gather", "taskgroup_fail", "pipeline", "wait_for_timeout",
                                        "condition_notify", "executor_job"};
    for (size_t k = 0; k < sizeof names / sizeof names[0]; k++) {
        const co_scenario *sc = co_scenario_find(names[k]);
        cr_assert(sc != NULL, "%s", names[k]);
        for (long n = 0; n < 400; n += 7) {
            char *buf = NULL;
            size_t len = 0;
            FILE *f = open_memstream(&buf, &len);
            co_trace_header hdr = {sc->name, "virtual", "test"};
            co_trace_writer *w = co_trace_writer_new(f, &hdr);   /* its buffer: before the budget */
            co_loop_config cfg = {.tracer = co_trace_writer_tracer(w)};
            co_alloc_set(&tight);
            budget = n;
            co_loop *L = co_loop_new(&cfg);
            if (L) {
                co_status st;
                co_scenario_run(sc, L, &st);
                co_loop_destroy(L);
            }
            co_alloc_set(NULL);
            co_status wst = co_trace_writer_close(w, NULL, 0);
            fclose(f);
            if (L && wst == CO_OK) {       /* a writer that ran out itself reports it: nothing to check */
                char label[64];
                snprintf(label, sizeof label, "%s-oom%ld", sc->name, n);
                expect_valid(label, buf, len);
            }
            free(buf);
        }
    }
}
