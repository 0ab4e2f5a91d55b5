/*
** test_trace.c -- the trace writer: every line it writes parses with cJSON,
** seq is consecutive, and strings with awkward characters survive the trip.
** Also: running out of memory is reported, never crashed on.
*/
#include <cJSON.h>
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include "coroscope.h"
#include "scenarios/scenarios.h"
#include "counting_alloc.h"
#include "trace_dump.h"
#include "trace_model.h"
#include "trace_writer.h"

/* Record scenario `name` into memory in format `version`; returns the bytes
** (free them). */
static char *record_version(const char *name, int version, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    const co_scenario *sc = co_scenario_find(name);
    cr_assert(sc != NULL, "scenario %s", name);
    co_trace_header hdr = {name, "virtual", "test", version};
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

/* Version 3: every line spelled out. */
static char *record(const char *name, size_t *len)
{
    return record_version(name, 3, len);
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
        buf = record_version(all[i].name, 4, &len);
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
        co_trace_header hdr = {"s", "virtual", "test", 3};
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
            co_trace_header hdr = {sc->name, "virtual", "test", 0};
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

/* --- version 4 ------------------------------------------------------------------ */

/* Load trace bytes (strictly: no problem allowed). */
static tm_trace *load_bytes(const char *bytes, size_t len)
{
    FILE *in = fmemopen((void *)bytes, len, "r");
    cr_assert(in != NULL);
    tm_error err;
    tm_trace *tr = tm_load_stream(in, TM_LOAD_STRICT, &err);
    fclose(in);
    cr_assert(tr != NULL, "the trace does not load: %s", err.message);
    cr_expect(eq(sz, tr->n_problems, 0), "%s", tr->n_problems ? tr->problems[0].message : "");
    return tr;
}

/* A writer of version `version` into memory: events, then close; the bytes. */
typedef struct mem_trace {
    char *buf;
    size_t len;
    FILE *f;
    co_trace_writer *w;
} mem_trace;

static void mem_open(mem_trace *m, int version)
{
    memset(m, 0, sizeof *m);
    m->f = open_memstream(&m->buf, &m->len);
    co_trace_header hdr = {"v4", "virtual", "test", version};
    m->w = co_trace_writer_new(m->f, &hdr);
    cr_assert(m->w != NULL);
}

/* The `end` event, seq `seq`: a trace without one is cut short. */
static void mem_end(mem_trace *m, uint64_t seq)
{
    co_trace_event end = {.ev = CO_EV_END, .seq = seq, .reason = "complete"};
    co_trace_writer_event(m->w, &end);
}

static void mem_close(mem_trace *m)
{
    cr_assert(eq(int, co_trace_writer_close(m->w, NULL, 0), CO_OK));
    fclose(m->f);
}

/* record_version in a child process: Task-N numbers count per process, as
** in CPython, so each recording starts from a fresh one. */
static char *record_fresh(const char *name, int version, size_t *len)
{
    char path[] = "/tmp/fmt4-test-trace-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    pid_t pid = fork();
    cr_assert(pid >= 0);
    if (pid == 0) {
        size_t n;
        char *b = record_version(name, version, &n);
        _exit(write(fd, b, n) == (ssize_t)n ? 0 : 1);
    }
    int status;
    cr_assert(eq(int, waitpid(pid, &status, 0), pid));
    int ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    cr_assert(ok, "%s: the recording failed", name);
    *len = (size_t)lseek(fd, 0, SEEK_END);
    char *buf = malloc(*len + 1);
    cr_assert(pread(fd, buf, *len, 0) == (ssize_t)*len);
    buf[*len] = 0;
    close(fd);
    unlink(path);
    return buf;
}

Test(trace, every_scenario_in_version_4_loads_to_the_events_of_version_3)
{
    size_t n;
    const co_scenario *all = co_scenario_list(&n);
    for (size_t i = 0; i < n; i++) {
        if (all[i].real_clock)
            continue;
        size_t l3, l4;
        char *b3 = record_fresh(all[i].name, 3, &l3), *b4 = record_fresh(all[i].name, 4, &l4);
        cr_expect(lt(sz, l4, l3), "%s: version 4 is shorter (%zu vs %zu bytes)", all[i].name, l4, l3);
        cr_expect(strstr(b4, "\"version\":4,") != NULL);
        tm_trace *a = load_bytes(b3, l3), *b = load_bytes(b4, l4);
        cr_assert(eq(sz, a->n_events, b->n_events), "%s", all[i].name);
        for (size_t k = 0; k < a->n_events; k++) {
            cr_expect(eq(u32, tm_event_seq(a, (uint32_t)k), tm_event_seq(b, (uint32_t)k)), "%s event %zu", all[i].name, k);
            cr_expect(eq(int, a->events[k].kind, b->events[k].kind), "%s event %zu", all[i].name, k);
            cr_expect(eq(dbl, a->events[k].t, b->events[k].t), "%s event %zu", all[i].name, k);
            cr_expect(eq(str, (char *)tm_text(a, a->events[k].s1), (char *)tm_text(b, b->events[k].s1)),
                      "%s event %zu", all[i].name, k);
            cr_expect(eq(str, (char *)tm_text(a, tm_event_s2(a, (uint32_t)k)), (char *)tm_text(b, tm_event_s2(b, (uint32_t)k))),
                      "%s event %zu", all[i].name, k);
        }
        tm_free(a);
        tm_free(b);
        free(b3);
        free(b4);
    }
}

Test(trace, version_4_strings_are_known_by_content_not_by_address)
{
    /* One buffer, two texts: a writer that trusted the address would call the
    ** second future by the first one's label. */
    char label[32];
    mem_trace m;
    mem_open(&m, 4);
    for (uint64_t k = 0; k < 4; k++) {
        snprintf(label, sizeof label, k % 2 ? "sleep(%d)" : "queue.get(%d)", (int)k / 2);
        co_trace_event ev = {.ev = CO_EV_FUT_NEW, .seq = k + 1, .fut = k + 1, .kind = "sleep", .label = label};
        co_trace_writer_event(m.w, &ev);
    }
    strcpy(label, "sleep(0)");   /* again, from another address */
    char again[32];
    strcpy(again, label);
    co_trace_event ev = {.ev = CO_EV_FUT_NEW, .seq = 5, .fut = 5, .kind = "sleep", .label = again};
    co_trace_writer_event(m.w, &ev);
    mem_end(&m, 6);
    mem_close(&m);
    tm_trace *tr = load_bytes(m.buf, m.len);
    static const char *const want[] = {"queue.get(0)", "sleep(0)", "queue.get(1)", "sleep(1)", "sleep(0)"};
    cr_assert(eq(sz, tr->n_futures, 5));
    for (size_t k = 0; k < 5; k++)
        cr_expect(eq(str, (char *)tm_text(tr, tr->futures[k].label), (char *)want[k]), "future %zu", k);
    cr_expect(eq(sz, tr->n_events, 6), "str lines are not events");
    tm_free(tr);
    /* "sleep" and four labels: five strings, each defined once. */
    size_t str_lines = 0;
    for (const char *p = m.buf; (p = strstr(p, "{\"str\":")); p++)
        str_lines++;
    cr_expect(eq(sz, str_lines, 5), "%s", m.buf);
    free(m.buf);
}

Test(trace, version_4_leaves_out_seq_and_t_only_where_they_follow)
{
    mem_trace m;
    mem_open(&m, 4);
    co_trace_event evs[] = {
        {.ev = CO_EV_TIMER_FIRE, .seq = 1, .t = 0, .timer = 3},
        {.ev = CO_EV_TIMER_FIRE, .seq = 2, .t = 0, .timer = 4},
        {.ev = CO_EV_TIMER_FIRE, .seq = 3, .t = 1.5, .timer = 5},
        {.ev = CO_EV_TIMER_FIRE, .seq = 7, .t = 1.5, .timer = 6},
        {.ev = CO_EV_TIMER_FIRE, .seq = 8, .t = 2, .timer = 7},
    };
    for (size_t k = 0; k < sizeof evs / sizeof *evs; k++)
        co_trace_writer_event(m.w, &evs[k]);
    mem_close(&m);
    const char *body = strchr(m.buf, '\n') + 1;
    cr_expect(eq(str, (char *)body,
                 "{\"ev\":\"timer_fire\",\"timer\":3}\n"
                 "{\"ev\":\"timer_fire\",\"timer\":4}\n"
                 "{\"t\":1.5,\"ev\":\"timer_fire\",\"timer\":5}\n"
                 "{\"seq\":7,\"ev\":\"timer_fire\",\"timer\":6}\n"
                 "{\"t\":2.0,\"ev\":\"timer_fire\",\"timer\":7}\n"));
    free(m.buf);
}

Test(trace, version_4_writes_the_example_of_the_format)
{
    /* traces/FORMAT.md's ping-pong pass, strings numbered from 1 here. */
    mem_trace m;
    mem_open(&m, 4);
    co_trace_event a = {.ev = CO_EV_STEP_END, .seq = 1, .task = 7, .reason = "await", .fut = 11,
                        .on = "queue.get()", .src = "tests/bench/bench_rt.c:97"};
    co_trace_event b = {.ev = CO_EV_STEP_BEGIN, .seq = 2, .task = 5, .h = 10};
    co_trace_writer_event(m.w, &a);
    co_trace_writer_event(m.w, &b);
    a.seq = 3;
    co_trace_writer_event(m.w, &a);
    mem_close(&m);
    cr_expect(eq(str, strchr(m.buf, '\n') + 1,
                 "{\"str\":1,\"s\":\"await\"}\n"
                 "{\"str\":2,\"s\":\"queue.get()\"}\n"
                 "{\"str\":3,\"s\":\"tests/bench/bench_rt.c:97\"}\n"
                 "{\"ev\":\"step_end\",\"task\":7,\"reason\":1,\"fut\":11,\"on\":2,\"src\":3}\n"
                 "{\"ev\":\"step_begin\",\"task\":5,\"h\":10}\n"
                 "{\"ev\":\"step_end\",\"task\":7,\"reason\":1,\"fut\":11,\"on\":2,\"src\":3}\n"));
    free(m.buf);
}

Test(trace, version_4_spells_out_what_it_never_interns)
{
    /* Task names, messages, texts, the end's reason: as in version 3. */
    mem_trace m;
    mem_open(&m, 4);
    co_trace_event evs[] = {
        {.ev = CO_EV_TASK_NEW, .seq = 1, .task = 1, .name = "Task-1", .coro = "main", .h = 2},
        {.ev = CO_EV_PRINT, .seq = 2, .task = 1, .text = "hello"},
        {.ev = CO_EV_THROW, .seq = 3, .task = 1, .exc = "CancelledError", .msg = "bye"},
        {.ev = CO_EV_END, .seq = 4, .reason = "complete"},
    };
    for (size_t k = 0; k < sizeof evs / sizeof *evs; k++)
        co_trace_writer_event(m.w, &evs[k]);
    mem_close(&m);
    cr_expect(eq(str, strchr(m.buf, '\n') + 1,
                 "{\"str\":1,\"s\":\"main\"}\n"
                 "{\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null,\"coro\":1,\"h\":2}\n"
                 "{\"ev\":\"print\",\"task\":1,\"text\":\"hello\"}\n"
                 "{\"str\":2,\"s\":\"CancelledError\"}\n"
                 "{\"ev\":\"throw\",\"task\":1,\"exc\":2,\"msg\":\"bye\"}\n"
                 "{\"ev\":\"end\",\"reason\":\"complete\"}\n"));
    free(m.buf);
}

Test(trace, the_end_event_allocates_nothing_as_a_signal_handler_needs)
{
    /* co_trace_writer_flush's contract: a handler may write a last event. */
    counting_alloc_on();
    mem_trace m;
    mem_open(&m, 4);
    co_trace_event ev = {.ev = CO_EV_CB_RUN, .seq = 1, .h = 3, .fn = "callback"};
    co_trace_writer_event(m.w, &ev);
    alloc_budget = 0;   /* from here on every allocation fails */
    co_trace_event end = {.ev = CO_EV_END, .seq = 2, .t = 4, .reason = "interrupted"};
    co_trace_writer_event(m.w, &end);
    cr_expect(eq(int, co_trace_writer_flush(m.w), CO_OK));
    cr_expect(eq(int, co_trace_writer_error(m.w), 0), "the end was written without allocating");
    alloc_budget = -1;
    mem_close(&m);
    cr_expect(strstr(m.buf, "{\"t\":4.0,\"ev\":\"end\",\"reason\":\"interrupted\"}\n") != NULL, "%s", m.buf);
    free(m.buf);
}

/* Event k of a long made-up run: kinds, ids and strings vary, so that each
** line differs and an order mixed up shows. */
static co_trace_event long_run_event(uint64_t k, char *label, size_t size)
{
    snprintf(label, size, "queue.get(%llu)", (unsigned long long)(k % 97));
    switch (k % 3) {
    case 0: return (co_trace_event){.ev = CO_EV_FUT_NEW, .seq = k + 1, .t = (double)(k / 8), .fut = k + 1,
                                    .kind = "queue", .label = label, .by = 5};
    case 1: return (co_trace_event){.ev = CO_EV_WAKE, .seq = k + 1, .t = (double)(k / 8), .task = 5, .fut = k,
                                    .h = k + 2};
    default: return (co_trace_event){.ev = CO_EV_SYNC, .seq = k + 1, .t = (double)(k / 8), .obj = 3,
                                     .kind = "queue", .op = "get", .task = 7, .count = (int)(k % 5)};
    }
}

Test(trace, a_trace_of_many_buffers_comes_out_whole_and_in_order)
{
    /* Past the first buffer the writer's thread does the writing: ~13 MB of
    ** version-3 lines (each stands alone) must come out exactly as formatted
    ** one by one, and a flush midway must leave everything so far in the
    ** stream. */
    enum { N = 200000, HALF = N / 2 };
    mem_trace m;
    mem_open(&m, 3);
    sbuf want = {0};
    co_trace_format_header(&want, &(co_trace_header){"v4", "virtual", "test", 3});
    char label[40];
    for (uint64_t k = 0; k < N; k++) {
        co_trace_event ev = long_run_event(k, label, sizeof label);
        co_trace_writer_event(m.w, &ev);
        co_trace_format_event(&want, &ev);
        if (k + 1 == HALF) {
            cr_assert(eq(int, co_trace_writer_flush(m.w), CO_OK));
            cr_assert(eq(sz, m.len, want.len), "after a flush the stream holds every line so far");
            cr_assert(memcmp(m.buf, want.p, want.len) == 0, "the first half, byte for byte");
        }
    }
    mem_close(&m);
    cr_assert(eq(int, want.failed, 0));
    cr_expect(eq(sz, m.len, want.len));
    cr_expect(m.len == want.len && !memcmp(m.buf, want.p, want.len), "the whole trace, byte for byte");
    sb_free(&want);
    free(m.buf);
}

Test(trace, a_write_that_fails_on_the_writing_thread_is_reported)
{
    /* /dev/full takes nothing: the first full buffer's write fails on the
    ** writer's thread, and the writer says so from then on. */
    co_trace_header hdr = {"full", "virtual", "test", 0};
    char err[200] = "";
    co_trace_writer *w = co_trace_writer_open("/dev/full", &hdr, err, sizeof err);
    cr_assert(w != NULL, "%s", err);
    char label[40];
    uint64_t k = 0;
    for (; k < 400000 && !co_trace_writer_error(w); k++) {
        co_trace_event ev = long_run_event(k, label, sizeof label);
        co_trace_writer_event(w, &ev);
    }
    cr_expect(eq(int, co_trace_writer_error(w), ENOSPC), "seen while the events still come (after %llu)",
              (unsigned long long)k);
    cr_expect(eq(int, co_trace_writer_flush(w), CO_EIO));
    cr_expect(eq(int, co_trace_writer_close(w, err, sizeof err), CO_EIO));
    cr_expect(strstr(err, "No space left on device") != NULL, "%s", err);
}

Test(trace, the_end_after_many_buffers_allocates_nothing_either)
{
    /* As above, with the writing thread running and buffers queued: a
    ** handler's `end` and flush wait for it and write the rest in place. */
    counting_alloc_on();
    mem_trace m;
    mem_open(&m, 4);
    char label[40];
    enum { N = 100000 };
    for (uint64_t k = 0; k < N; k++) {
        co_trace_event ev = long_run_event(k, label, sizeof label);
        co_trace_writer_event(m.w, &ev);
    }
    alloc_budget = 0;
    co_trace_event end = {.ev = CO_EV_END, .seq = N + 1, .t = 1e6, .reason = "interrupted"};
    co_trace_writer_event(m.w, &end);
    cr_expect(eq(int, co_trace_writer_flush(m.w), CO_OK));
    cr_expect(eq(int, co_trace_writer_error(m.w), 0), "the end was written without allocating");
    size_t flushed = m.len;
    alloc_budget = -1;
    mem_close(&m);
    cr_expect(eq(sz, flushed, m.len), "the flush left nothing behind");
    size_t events = 0;
    for (const char *p = m.buf; (p = strstr(p, "\"ev\":")); p++)
        events++;
    cr_expect(eq(sz, events, N + 1), "every event, once");
    const char *tail = "\"ev\":\"end\",\"reason\":\"interrupted\"}\n";
    cr_expect(m.len > strlen(tail) && !strcmp(m.buf + m.len - strlen(tail), tail), "the end comes last");
    free(m.buf);
}

Test(trace, version_4_table_stays_bounded)
{
    /* More distinct labels than the table holds, and one too long to intern:
    ** the rest are written out, and the trace reads back exactly. */
    mem_trace m;
    mem_open(&m, 4);
    enum { N = 70000 };
    char label[32], *longer = malloc(3000);
    memset(longer, 'x', 2999);
    longer[2999] = 0;
    for (uint64_t k = 0; k < N; k++) {
        snprintf(label, sizeof label, "sleep(%llu)", (unsigned long long)k);
        co_trace_event ev = {.ev = CO_EV_FUT_NEW, .seq = k + 1, .fut = k + 1, .kind = "sleep",
                             .label = k == 5 ? longer : label};
        co_trace_writer_event(m.w, &ev);
    }
    mem_end(&m, N + 1);
    mem_close(&m);
    tm_trace *tr = load_bytes(m.buf, m.len);
    cr_assert(eq(sz, tr->n_futures, N));
    for (size_t k = 0; k < N; k++) {
        snprintf(label, sizeof label, "sleep(%zu)", k);
        if (strcmp(tm_text(tr, tr->futures[k].label), k == 5 ? longer : label)) {
            cr_expect(0, "future %zu: %s", k, tm_text(tr, tr->futures[k].label));
            break;
        }
    }
    tm_free(tr);
    size_t str_lines = 0;
    for (const char *p = m.buf; (p = strstr(p, "\n{\"str\":")); p++)
        str_lines++;
    cr_expect(eq(sz, str_lines, 65536), "the table's limit");
    cr_expect(strstr(m.buf, "\"label\":\"xxxx") != NULL, "the long label is written out");
    free(longer);
    free(m.buf);
}

Test(trace, only_versions_3_and_4_are_written)
{
    co_trace_header hdr = {"s", "virtual", "test", 5};
    cr_expect(eq(ptr, co_trace_writer_new(stdout, &hdr), NULL));
    char err[200] = "";
    cr_expect(eq(ptr, co_trace_writer_open("/dev/null", &hdr, err, sizeof err), NULL));
    cr_expect(strstr(err, "version 5") != NULL, "%s", err);
    hdr.version = 3;
    co_trace_writer *w = co_trace_writer_open("/dev/null", &hdr, err, sizeof err);
    cr_expect(w != NULL);
    co_trace_writer_close(w, NULL, 0);
}
