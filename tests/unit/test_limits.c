/*
** test_limits.c -- what the trace loader does with input built to hurt it:
** a line longer than the limit (and an endless one), JSON nested past the
** parser's depth, numbers no field can hold, and inconsistent traces that a
** plain load (show, summary, the viewer) must warn about, with the line.
**
** Traces are written to memory (fmemopen) so that each test states its input
** in full. Every test runs with the counting allocator and ends with nothing
** allocated.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "counting_alloc.h"
#include "trace_model.h"

#define HEADER "{\"format\":\"coroscope-trace\",\"version\":2,\"scenario\":\"t\",\"clock\":\"virtual\"," \
               "\"semantics\":\"cpython-3.11\",\"producer\":\"test\"}\n"
#define TASK1 "{\"seq\":1,\"t\":0,\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null,\"coro\":\"main\",\"h\":2}\n"

static void setup(void)
{
    counting_alloc_on();
    tm_set_max_line(0);
}

static void no_leaks(void)
{
    tm_set_max_line(0);
    cr_expect(eq(long, live_allocs, 0), "allocations still live at the end");
    co_alloc_set(NULL);
}

TestSuite(limits, .init = setup, .fini = no_leaks);

static tm_trace *load_text(const char *text, size_t len, unsigned flags, tm_error *err)
{
    FILE *f = fmemopen((void *)text, len, "rb");
    cr_assert(f != NULL);
    tm_trace *tr = tm_load_stream(f, flags, err);
    fclose(f);
    return tr;
}

/* The first problem whose message holds `part`, or NULL. */
static const tm_problem *problem_with(const tm_trace *tr, const char *part)
{
    for (size_t i = 0; i < tr->n_problems; i++)
        if (strstr(tr->problems[i].message, part))
            return &tr->problems[i];
    return NULL;
}

Test(limits, a_line_past_the_limit_ends_the_load_with_its_line_and_column)
{
    tm_set_max_line(200);
    char text[4096];
    int n = snprintf(text, sizeof text, "%s%s{\"seq\":2,\"t\":0,\"ev\":\"print\",\"task\":1,\"text\":\"%0300d\"}\n"
                                        "{\"seq\":3,\"t\":0,\"ev\":\"end\",\"reason\":\"complete\"}\n", HEADER, TASK1, 0);
    tm_error err;
    tm_trace *tr = load_text(text, (size_t)n, 0, &err);
    cr_assert(tr != NULL, "%s", err.message);
    cr_expect(eq(sz, tr->n_events, 1), "the event before the long line is kept, nothing after it");
    const tm_problem *p = problem_with(tr, "longer than 200 bytes");
    cr_assert(p != NULL, "no problem names the long line");
    cr_expect(eq(u32, p->line, 3));
    cr_expect(eq(u32, p->column, 201), "the column where the limit was passed");
    cr_expect(strstr(p->message, "--max-line") != NULL, "the message says how to raise it: %s", p->message);
    tm_free(tr);

    tr = load_text(text, (size_t)n, TM_LOAD_STRICT, &err);
    cr_assert(tr != NULL);
    cr_expect(problem_with(tr, "longer than 200 bytes") != NULL, "validate reports it too");
    tm_free(tr);
}

Test(limits, a_header_past_the_limit_is_an_error_and_memory_stays_bounded)
{
    /* An endless line (what `show /dev/zero` reads): the reader must stop at
    ** the limit rather than grow its buffer with the input. */
    tm_set_max_line(1 << 16);
    FILE *f = fopen("/dev/zero", "rb");
    cr_assert(f != NULL);
    alloc_budget = 64;   /* a reader that grew with the input would need far more */
    tm_error err;
    tm_trace *tr = tm_load_stream(f, 0, &err);
    fclose(f);
    alloc_budget = -1;
    cr_assert(tr == NULL);
    cr_expect(eq(u32, err.line, 1));
    cr_expect(eq(u32, err.column, 65537));
    cr_expect(strstr(err.message, "longer than 64 KiB") != NULL, "message: %s", err.message);
}

Test(limits, the_default_limit_is_16_mib_and_the_environment_can_change_it)
{
    cr_expect(eq(sz, tm_max_line(), (size_t)16 << 20));
    setenv("COROSCOPE_MAX_LINE", "64K", 1);
    tm_set_max_line(0);
    cr_expect(eq(sz, tm_max_line(), (size_t)64 << 10));
    unsetenv("COROSCOPE_MAX_LINE");
    cr_expect(eq(sz, tm_parse_size("1G"), (size_t)1 << 30));
    cr_expect(eq(sz, tm_parse_size("16MiB"), (size_t)16 << 20));
    cr_expect(eq(sz, tm_parse_size("12x"), 0));
    cr_expect(eq(sz, tm_parse_size("-5"), 0));
}

Test(limits, deep_nesting_is_reported_as_such)
{
    static char text[8192];
    int n = snprintf(text, sizeof text, "%s%s{\"seq\":2,\"t\":0,\"ev\":\"print\",\"task\":1,\"text\":\"a\",\"deep\":",
                     HEADER, TASK1);
    for (int i = 0; i < 1200; i++)
        text[n++] = '[';
    for (int i = 0; i < 1200; i++)
        text[n++] = ']';
    n += snprintf(text + n, sizeof text - (size_t)n, "}\n");
    tm_error err;
    tm_trace *tr = load_text(text, (size_t)n, TM_LOAD_STRICT, &err);
    cr_assert(tr != NULL);
    const tm_problem *p = problem_with(tr, "nested deeper than 1000");
    cr_assert(p != NULL, "first problem: %s", tr->n_problems ? tr->problems[0].message : "none");
    cr_expect(eq(u32, p->line, 3));
    cr_expect(problem_with(tr, "not valid JSON") == NULL, "valid JSON is not called invalid");
    tm_free(tr);
}

Test(limits, numbers_out_of_range_say_so)
{
    const char *text = HEADER TASK1
        "{\"seq\":2,\"t\":1e400,\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n"
        "{\"seq\":3,\"t\":0,\"ev\":\"timer_new\",\"timer\":18446744073709551616,\"when\":1,\"fn\":\"f\"}\n"
        "{\"seq\":4,\"t\":0,\"ev\":\"uncancel\",\"task\":1,\"count\":9223372036854775808}\n"
        "{\"seq\":5,\"t\":0,\"ev\":\"idle\",\"from\":-1e999,\"until\":0}\n"
        "{\"seq\":99999999999,\"t\":0,\"ev\":\"end\",\"reason\":\"complete\"}\n";
    tm_error err;
    tm_trace *tr = load_text(text, strlen(text), TM_LOAD_STRICT, &err);
    cr_assert(tr != NULL, "%s", err.message);
    cr_expect(problem_with(tr, "\"t\" 1e400 is out of range") != NULL);
    cr_expect(problem_with(tr, "\"timer\" id 18446744073709551616 is out of range (at most 4294967295)") != NULL);
    cr_expect(problem_with(tr, "\"count\" 9223372036854775808 is out of range") != NULL);
    cr_expect(problem_with(tr, "\"from\" -1e999 is out of range") != NULL);
    cr_expect(problem_with(tr, "\"seq\" id 99999999999 is out of range") != NULL);
    cr_expect(problem_with(tr, "must be a number") == NULL, "no number is called a non-number");
    tm_free(tr);
}

Test(limits, a_plain_load_warns_about_unknown_tasks_and_reused_ids_with_the_line)
{
    const char *text = HEADER TASK1
        "{\"seq\":2,\"t\":0,\"ev\":\"task_new\",\"task\":1,\"name\":\"again\",\"parent\":null,\"coro\":\"main\",\"h\":3}\n"
        "{\"seq\":3,\"t\":0,\"ev\":\"step_begin\",\"task\":7,\"h\":2}\n"
        "{\"seq\":4,\"t\":0,\"ev\":\"print\",\"task\":8,\"text\":\"hi\"}\n"
        "{\"seq\":5,\"t\":0,\"ev\":\"end\",\"reason\":\"complete\"}\n";
    tm_error err;
    tm_trace *tr = load_text(text, strlen(text), 0, &err);
    cr_assert(tr != NULL, "%s", err.message);
    const tm_problem *dup = problem_with(tr, "id 1 already names a task");
    cr_assert(dup != NULL, "the second task_new with id 1 is not silently dropped");
    cr_expect(eq(u32, dup->line, 3));
    const tm_problem *unk = problem_with(tr, "step_begin: \"task\" 7 is not a known task");
    cr_assert(unk != NULL);
    cr_expect(eq(u32, unk->line, 4));
    cr_expect(problem_with(tr, "print: \"task\" 8 is not a known task") != NULL);
    cr_expect(eq(sz, tr->n_tasks, 1));
    tm_free(tr);
}
