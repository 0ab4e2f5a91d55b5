/*
** test_format4.c -- reading trace format version 4 (traces/FORMAT.md,
** "Version 4"): `seq` and `t` left out, the string table of `str` lines, and
** every way a version-4 file can break those rules, each reported with its
** line and column. A version-4 file, written here by hand, loads to the same
** model as the same trace spelled out in version 3.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lesson.h"
#include "trace_model.h"

#define HDR(v) "{\"format\":\"coroscope-trace\",\"version\":" #v ",\"scenario\":\"x\"," \
               "\"clock\":\"virtual\",\"semantics\":\"cpython-3.11\",\"producer\":\"t\"}\n"

/* Load trace text; NULL (with *err) when it does not load at all. */
static tm_trace *load_text(const char *text, unsigned flags, tm_error *err)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    cr_assert(f != NULL);
    tm_trace *tr = tm_load_stream(f, flags, err);
    fclose(f);
    return tr;
}

static tm_trace *must_load(const char *text, unsigned flags)
{
    tm_error err;
    tm_trace *tr = load_text(text, flags, &err);
    cr_assert(tr != NULL, "did not load: %u:%u: %s", err.line, err.column, err.message);
    return tr;
}

/* The problems of a load, one "LINE:COL: message" a line, for messages. */
static const char *problems(const tm_trace *tr)
{
    static char buf[4096];
    size_t n = 0;
    buf[0] = 0;
    for (size_t i = 0; i < tr->n_problems && n < sizeof buf - 1; i++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%u:%u: %s\n", tr->problems[i].line,
                              tr->problems[i].column, tr->problems[i].message);
    return buf;
}

/* Expect exactly one problem, at line:column, whose message contains `what`. */
static void expect_one_problem(const tm_trace *tr, uint32_t line, uint32_t column, const char *what)
{
    cr_assert(eq(sz, tr->n_problems, 1), "want one problem (%s), got:\n%s", what, problems(tr));
    cr_expect(eq(u32, tr->problems[0].line, line), "%s", problems(tr));
    cr_expect(eq(u32, tr->problems[0].column, column), "%s", problems(tr));
    cr_expect(strstr(tr->problems[0].message, what) != NULL, "want \"%s\" in: %s", what, problems(tr));
}

/* Expect a problem among others, at line:column, whose message contains `what`. */
static void expect_problem(const tm_trace *tr, uint32_t line, uint32_t column, const char *what)
{
    for (size_t i = 0; i < tr->n_problems; i++)
        if (tr->problems[i].line == line && tr->problems[i].column == column &&
            strstr(tr->problems[i].message, what))
            return;
    cr_expect(0, "no problem %u:%u \"%s\" among:\n%s", line, column, what, problems(tr));
}

/* ---- the same trace in version 3 and in version 4 --------------------------------- */

/* A task sleeps twice and returns: every kind of abbreviation, and strings
** both interned and spelled out. */
static const char v3_text[] = HDR(3)
    "{\"seq\":1,\"t\":0.0,\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null,\"coro\":\"main\",\"h\":2,\"src\":\"m.py:9\"}\n"
    "{\"seq\":2,\"t\":0.0,\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n"
    "{\"seq\":3,\"t\":0.0,\"ev\":\"fut_new\",\"fut\":3,\"kind\":\"sleep\",\"label\":\"sleep(1)\",\"by\":1}\n"
    "{\"seq\":4,\"t\":0.0,\"ev\":\"timer_new\",\"timer\":4,\"when\":1.0,\"fn\":\"_set_result_unless_cancelled\"}\n"
    "{\"seq\":5,\"t\":0.0,\"ev\":\"step_end\",\"task\":1,\"reason\":\"await\",\"fut\":3,\"on\":\"sleep(1)\",\"src\":\"m.py:4\"}\n"
    "{\"seq\":6,\"t\":1.0,\"ev\":\"idle\",\"from\":0.0,\"until\":1.0}\n"
    "{\"seq\":7,\"t\":1.0,\"ev\":\"timer_fire\",\"timer\":4}\n"
    "{\"seq\":8,\"t\":1.0,\"ev\":\"cb_run\",\"h\":4,\"fn\":\"_set_result_unless_cancelled\"}\n"
    "{\"seq\":9,\"t\":1.0,\"ev\":\"fut_done\",\"fut\":3,\"outcome\":\"result\",\"value\":null,\"by\":null,\"via\":\"_set_result_unless_cancelled\"}\n"
    "{\"seq\":10,\"t\":1.0,\"ev\":\"wake\",\"task\":1,\"fut\":3,\"h\":5}\n"
    "{\"seq\":11,\"t\":1.0,\"ev\":\"step_begin\",\"task\":1,\"h\":5}\n"
    "{\"seq\":12,\"t\":1.0,\"ev\":\"print\",\"task\":1,\"text\":\"sleep(1)\",\"src\":\"m.py:5\"}\n"
    "{\"seq\":13,\"t\":1.0,\"ev\":\"fut_new\",\"fut\":6,\"kind\":\"sleep\",\"label\":\"sleep(1)\",\"by\":1}\n"
    "{\"seq\":14,\"t\":1.0,\"ev\":\"timer_new\",\"timer\":7,\"when\":2.0,\"fn\":\"_set_result_unless_cancelled\"}\n"
    "{\"seq\":15,\"t\":1.0,\"ev\":\"step_end\",\"task\":1,\"reason\":\"await\",\"fut\":6,\"on\":\"sleep(1)\",\"src\":\"m.py:4\"}\n"
    "{\"seq\":16,\"t\":2.0,\"ev\":\"idle\",\"from\":1.0,\"until\":2.0}\n"
    "{\"seq\":17,\"t\":2.0,\"ev\":\"timer_fire\",\"timer\":7}\n"
    "{\"seq\":18,\"t\":2.0,\"ev\":\"cb_run\",\"h\":7,\"fn\":\"_set_result_unless_cancelled\"}\n"
    "{\"seq\":19,\"t\":2.0,\"ev\":\"fut_done\",\"fut\":6,\"outcome\":\"result\",\"value\":null,\"by\":null,\"via\":\"_set_result_unless_cancelled\"}\n"
    "{\"seq\":20,\"t\":2.0,\"ev\":\"wake\",\"task\":1,\"fut\":6,\"h\":8}\n"
    "{\"seq\":21,\"t\":2.0,\"ev\":\"step_begin\",\"task\":1,\"h\":8}\n"
    "{\"seq\":22,\"t\":2.0,\"ev\":\"step_end\",\"task\":1,\"reason\":\"return\",\"src\":\"m.py:6\"}\n"
    "{\"seq\":23,\"t\":2.0,\"ev\":\"task_done\",\"task\":1,\"outcome\":\"result\",\"value\":\"done\"}\n"
    "{\"seq\":24,\"t\":2.0,\"ev\":\"end\",\"reason\":\"complete\"}\n";

/* The same, by hand: `text` and `value` are never interned (a print of
** "sleep(1)" stays spelled out), `name` here is, seq is given once where it
** follows anyway, t only where it changes. */
static const char v4_text[] = HDR(4)
    "{\"str\":1,\"s\":\"main\"}\n"
    "{\"str\":2,\"s\":\"m.py:9\"}\n"
    "{\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null,\"coro\":1,\"h\":2,\"src\":2}\n"
    "{\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n"
    "{\"str\":3,\"s\":\"sleep\"}\n"
    "{\"str\":4,\"s\":\"sleep(1)\"}\n"
    "{\"seq\":3,\"ev\":\"fut_new\",\"fut\":3,\"kind\":3,\"label\":4,\"by\":1}\n"
    "{\"str\":5,\"s\":\"_set_result_unless_cancelled\"}\n"
    "{\"t\":0.0,\"ev\":\"timer_new\",\"timer\":4,\"when\":1.0,\"fn\":5}\n"
    "{\"str\":6,\"s\":\"await\"}\n"
    "{\"str\":7,\"s\":\"m.py:4\"}\n"
    "{\"ev\":\"step_end\",\"task\":1,\"reason\":6,\"fut\":3,\"on\":4,\"src\":7}\n"
    "{\"t\":1.0,\"ev\":\"idle\",\"from\":0.0,\"until\":1.0}\n"
    "{\"ev\":\"timer_fire\",\"timer\":4}\n"
    "{\"ev\":\"cb_run\",\"h\":4,\"fn\":5}\n"
    "{\"str\":8,\"s\":\"result\"}\n"
    "{\"ev\":\"fut_done\",\"fut\":3,\"outcome\":8,\"value\":null,\"by\":null,\"via\":5}\n"
    "{\"ev\":\"wake\",\"task\":1,\"fut\":3,\"h\":5}\n"
    "{\"ev\":\"step_begin\",\"task\":1,\"h\":5}\n"
    "{\"ev\":\"print\",\"task\":1,\"text\":\"sleep(1)\",\"src\":\"m.py:5\"}\n"
    "{\"ev\":\"fut_new\",\"fut\":6,\"kind\":3,\"label\":4,\"by\":1}\n"
    "{\"ev\":\"timer_new\",\"timer\":7,\"when\":2.0,\"fn\":5}\n"
    "{\"ev\":\"step_end\",\"task\":1,\"reason\":6,\"fut\":6,\"on\":4,\"src\":7}\n"
    "{\"t\":2.0,\"ev\":\"idle\",\"from\":1.0,\"until\":2.0}\n"
    "{\"ev\":\"timer_fire\",\"timer\":7}\n"
    "{\"ev\":\"cb_run\",\"h\":7,\"fn\":5}\n"
    "{\"ev\":\"fut_done\",\"fut\":6,\"outcome\":8,\"value\":null,\"by\":null,\"via\":5}\n"
    "{\"ev\":\"wake\",\"task\":1,\"fut\":6,\"h\":8}\n"
    "{\"seq\":21,\"t\":2.0,\"ev\":\"step_begin\",\"task\":1,\"h\":8}\n"
    "{\"str\":9,\"s\":\"return\"}\n"
    "{\"ev\":\"step_end\",\"task\":1,\"reason\":9,\"src\":\"m.py:6\"}\n"
    "{\"ev\":\"task_done\",\"task\":1,\"outcome\":8,\"value\":\"done\"}\n"
    "{\"str\":10,\"s\":\"complete\"}\n"
    "{\"ev\":\"end\",\"reason\":10}\n";

/* Every event, task and span of a and b agree, strings compared as text. */
static void expect_same_model(const tm_trace *a, const tm_trace *b)
{
    cr_assert(eq(sz, a->n_events, b->n_events));
    for (size_t i = 0; i < a->n_events; i++) {
        const tm_event *x = &a->events[i], *y = &b->events[i];
        uint32_t ev = (uint32_t)i;
        cr_expect(eq(u32, tm_event_seq(a, ev), tm_event_seq(b, ev)), "event %zu", i);
        cr_expect(eq(dbl, x->t, y->t), "event %zu", i);
        cr_expect(eq(int, x->kind, y->kind), "event %zu", i);
        cr_expect(eq(u32, x->task, y->task), "event %zu", i);
        cr_expect(eq(u32, tm_event_by(a, ev), tm_event_by(b, ev)), "event %zu", i);
        cr_expect(eq(u32, x->obj, y->obj), "event %zu", i);
        cr_expect(eq(u32, tm_event_h(a, ev), tm_event_h(b, ev)), "event %zu", i);
        cr_expect(eq(int, x->detail, y->detail), "event %zu", i);
        cr_expect(eq(str, (char *)tm_text(a, x->s1), (char *)tm_text(b, y->s1)), "event %zu", i);
        cr_expect(eq(str, (char *)tm_text(a, tm_event_s2(a, ev)), (char *)tm_text(b, tm_event_s2(b, ev))),
                  "event %zu", i);
    }
    cr_assert(eq(sz, a->n_tasks, b->n_tasks));
    for (size_t i = 0; i < a->n_tasks; i++) {
        cr_expect(eq(str, (char *)tm_text(a, a->tasks[i].name), (char *)tm_text(b, b->tasks[i].name)));
        cr_expect(eq(str, (char *)tm_text(a, a->tasks[i].coro), (char *)tm_text(b, b->tasks[i].coro)));
    }
    cr_assert(eq(sz, a->n_spans, b->n_spans));
    for (size_t i = 0; i < a->n_spans; i++) {
        cr_expect(eq(int, a->spans[i].state, b->spans[i].state), "span %zu", i);
        cr_expect(eq(u32, a->spans[i].ev_begin, b->spans[i].ev_begin), "span %zu", i);
        cr_expect(eq(str, (char *)tm_text(a, a->spans[i].label), (char *)tm_text(b, b->spans[i].label)),
                  "span %zu", i);
    }
    cr_expect(eq(sz, a->n_srcrefs, b->n_srcrefs));
    cr_expect(eq(sz, a->n_prints, b->n_prints));
    cr_expect(eq(int, a->end_reason, b->end_reason));
    cr_expect(eq(dbl, a->stats.makespan, b->stats.makespan));
}

Test(format4, a_hand_made_version_4_trace_loads_to_the_version_3_model)
{
    tm_trace *a = must_load(v3_text, TM_LOAD_STRICT), *b = must_load(v4_text, TM_LOAD_STRICT);
    cr_expect(eq(sz, a->n_problems, 0), "%s", problems(a));
    cr_expect(eq(sz, b->n_problems, 0), "%s", problems(b));
    cr_expect(eq(int, b->version, 4));
    cr_expect(eq(sz, b->n_events, 24), "str lines are not events");
    cr_expect(eq(u32, tm_event_seq(b, 0), 1), "the first event's seq is 1");
    cr_expect(eq(u32, tm_event_seq(b, 23), 24));
    cr_expect(eq(dbl, b->events[0].t, 0.0), "the first event's t is 0");
    cr_expect(eq(dbl, b->events[9].t, 1.0), "t is the previous event's");
    expect_same_model(a, b);
    tm_free(a);
    tm_free(b);
}

Test(format4, a_version_4_trace_without_abbreviations_is_a_version_3_trace)
{
    char text[sizeof v3_text];
    memcpy(text, v3_text, sizeof text);
    char *v = strstr(text, "\"version\":3");
    v[10] = '4';
    tm_trace *a = must_load(v3_text, TM_LOAD_STRICT), *b = must_load(text, TM_LOAD_STRICT);
    cr_expect(eq(sz, b->n_problems, 0), "%s", problems(b));
    expect_same_model(a, b);
    tm_free(a);
    tm_free(b);
}

Test(format4, a_non_strict_load_reads_it_too)
{
    tm_trace *a = must_load(v3_text, 0), *b = must_load(v4_text, 0);
    cr_expect(eq(sz, b->n_problems, 0), "%s", problems(b));
    expect_same_model(a, b);
    tm_free(a);
    tm_free(b);
}

Test(format4, a_version_above_4_is_refused)
{
    tm_error err;
    cr_expect(eq(ptr, load_text(HDR(5), 0, &err), NULL));
    cr_expect(eq(u32, err.line, 1));
    cr_expect(strstr(err.message, "up to 4") != NULL, "%s", err.message);
}

/* ---- seq and t ------------------------------------------------------------------------ */

#define TASK1 "{\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null,\"coro\":\"main\",\"h\":2}\n"
#define END "{\"ev\":\"end\",\"reason\":\"complete\"}\n"

Test(format4, a_given_seq_must_be_greater_than_the_previous)
{
    tm_trace *tr = must_load(HDR(4) TASK1 "{\"seq\":1,\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n", TM_LOAD_STRICT);
    expect_problem(tr, 3, 2, "seq 1 follows 1");
    tm_free(tr);
}

Test(format4, a_gap_in_given_seq_means_lost_events)
{
    tm_trace *tr = must_load(HDR(4) TASK1 "{\"seq\":4,\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n", TM_LOAD_STRICT);
    expect_problem(tr, 3, 2, "2 events lost");
    cr_expect(eq(u32, tm_event_seq(tr, 1), 4));
    tm_free(tr);
}

Test(format4, seq_after_a_given_one_counts_on_from_it)
{
    tm_trace *tr = must_load(HDR(4) "{\"seq\":7,\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\","
                             "\"parent\":null,\"coro\":\"main\",\"h\":2}\n"
                             "{\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n", 0);
    cr_assert(eq(sz, tr->n_events, 2));
    cr_expect(eq(u32, tm_event_seq(tr, 1), 8));
    tm_free(tr);
}

Test(format4, a_given_t_may_not_go_backwards)
{
    tm_trace *tr = must_load(HDR(4) "{\"t\":2.0,\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\","
                             "\"parent\":null,\"coro\":\"main\",\"h\":2}\n"
                             "{\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n"
                             "{\"t\":1.5,\"ev\":\"step_end\",\"task\":1,\"reason\":\"return\"}\n",
                             TM_LOAD_STRICT);
    cr_expect(eq(dbl, tr->events[1].t, 2.0), "a left-out t is the previous event's");
    expect_problem(tr, 4, 2, "time goes backwards");
    tm_free(tr);
}

Test(format4, version_3_still_requires_seq_and_t)
{
    tm_trace *tr = must_load(HDR(3) TASK1, TM_LOAD_STRICT);
    expect_problem(tr, 2, 1, "missing field \"seq\"");
    expect_problem(tr, 2, 1, "missing field \"t\"");
    tm_free(tr);
}

/* ---- the string table ------------------------------------------------------------------ */

Test(format4, a_str_line_in_a_version_3_trace_is_a_problem)
{
    tm_trace *tr = must_load(HDR(3) "{\"str\":1,\"s\":\"main\"}\n", TM_LOAD_STRICT);
    expect_problem(tr, 2, 2, "a string table line (\"str\") in a version 3 trace");
    tm_free(tr);
}

Test(format4, a_str_line_out_of_order_is_a_problem)
{
    tm_trace *tr = must_load(HDR(4) "{\"str\":1,\"s\":\"a\"}\n{\"str\":3,\"s\":\"c\"}\n" END, TM_LOAD_STRICT);
    expect_one_problem(tr, 3, 2, "string 3 is out of order: the next string number is 2");
    tm_free(tr);
}

Test(format4, a_string_defined_twice_is_a_problem)
{
    tm_trace *tr = must_load(HDR(4) "{\"str\":1,\"s\":\"a\"}\n{\"str\":2,\"s\":\"b\"}\n"
                             "{\"s\":\"c\", \"str\":1}\n" END, TM_LOAD_STRICT);
    expect_one_problem(tr, 4, 11, "string 1 is defined twice (first on line 2)");
    tm_free(tr);
}

Test(format4, a_str_line_with_another_member_is_a_problem)
{
    tm_trace *tr = must_load(HDR(4) "{\"str\":1,\"s\":\"a\",\"seq\":1}\n" END, TM_LOAD_STRICT);
    expect_one_problem(tr, 2, 18, "unexpected member \"seq\"");
    tm_free(tr);
}

Test(format4, a_str_line_with_a_repeated_member_is_a_problem)
{
    tm_trace *tr = must_load(HDR(4) "{\"str\":1,\"s\":\"a\",\"s\":\"b\"}\n" END, TM_LOAD_STRICT);
    cr_expect(ge(sz, tr->n_problems, 1));
    cr_expect(strstr(problems(tr), "repeated member \"s\"") != NULL, "%s", problems(tr));
    tm_free(tr);
}

Test(format4, a_str_line_whose_s_is_not_a_string_is_a_problem)
{
    tm_trace *tr = must_load(HDR(4) "{\"str\":1,\"s\":7}\n" END, TM_LOAD_STRICT);
    expect_one_problem(tr, 2, 10, "\"s\" must be a string");
    tm_free(tr);
}

Test(format4, a_str_line_without_s_is_a_problem)
{
    tm_trace *tr = must_load(HDR(4) "{\"str\":1}\n" END, TM_LOAD_STRICT);
    expect_one_problem(tr, 2, 1, "missing member \"s\"");
    tm_free(tr);
}

Test(format4, a_str_number_that_is_not_a_positive_integer_is_a_problem)
{
    static const char *bad[] = {"0", "-1", "1.5", "\"1\"", "null", "1e999"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[512];
        snprintf(text, sizeof text, HDR(4) "{\"str\":%s,\"s\":\"a\"}\n" END, bad[i]);
        tm_trace *tr = must_load(text, TM_LOAD_STRICT);
        expect_one_problem(tr, 2, 2, "\"str\" must be a positive integer");
        tm_free(tr);
    }
}

Test(format4, a_number_that_names_no_string_is_a_problem)
{
    tm_trace *tr = must_load(HDR(4) "{\"str\":1,\"s\":\"main\"}\n"
                             "{\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null,\"coro\":2,\"h\":2}\n"
                             END, TM_LOAD_STRICT);
    expect_one_problem(tr, 3, 57, "\"coro\" names string 2, but no \"str\" line before it defines that number");
    cr_expect(eq(sz, tr->n_events, 1), "the bad event is dropped, the rest read");
    cr_expect(eq(u32, tm_event_seq(tr, 0), 2), "the dropped event's seq still counts");
    tm_free(tr);
}

Test(format4, a_number_before_any_str_line_is_a_problem)
{
    tm_trace *tr = must_load(HDR(4) "{\"ev\":\"end\",\"reason\":1}\n", TM_LOAD_STRICT);
    expect_problem(tr, 2, 13, "\"reason\" names string 1, but no \"str\" line defines one before it");
    tm_free(tr);
}

Test(format4, a_string_is_usable_only_after_its_line)
{
    tm_trace *tr = must_load(HDR(4) "{\"ev\":\"end\",\"reason\":1}\n{\"str\":1,\"s\":\"complete\"}\n",
                             TM_LOAD_STRICT);
    expect_problem(tr, 2, 13, "names string 1");
    tm_free(tr);
}

Test(format4, a_non_strict_load_stops_at_a_broken_rule_and_keeps_what_came_before)
{
    static const char *bad[] = {
        "{\"str\":3,\"s\":\"c\"}\n",                                   /* out of order */
        "{\"str\":1,\"s\":\"again\"}\n",                               /* twice */
        "{\"str\":2,\"s\":\"x\",\"why\":1}\n",                         /* another member */
        "{\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n{\"ev\":\"step_end\",\"task\":1,\"reason\":9}\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[1024];
        snprintf(text, sizeof text, HDR(4) "{\"str\":1,\"s\":\"main\"}\n"
                 "{\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null,\"coro\":1,\"h\":2}\n"
                 "%s" END, bad[i]);
        tm_trace *tr = must_load(text, 0);
        cr_expect(eq(sz, tr->n_problems, 1), "case %zu: %s", i, problems(tr));
        cr_expect(strstr(problems(tr), "the lines after it are ignored") != NULL, "case %zu: %s", i,
                  problems(tr));
        cr_expect(eq(int, tr->end_reason, TM_END_MISSING), "case %zu: the end was not read", i);
        cr_expect(eq(str, (char *)tm_text(tr, tr->tasks[0].coro), "main"), "case %zu", i);
        tm_free(tr);
    }
}

Test(format4, a_str_line_after_the_end_is_a_problem)
{
    tm_trace *tr = must_load(HDR(4) END "{\"str\":1,\"s\":\"late\"}\n", TM_LOAD_STRICT);
    expect_problem(tr, 3, 1, "after the end event");
    tm_free(tr);
}

Test(format4, only_the_listed_fields_take_string_numbers)
{
    /* `text` and `value` are never interned: 1 there keeps its version-3 meaning. */
    tm_trace *tr = must_load(HDR(4) "{\"str\":1,\"s\":\"main\"}\n" TASK1
                             "{\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n"
                             "{\"ev\":\"print\",\"task\":1,\"text\":1}\n"
                             "{\"ev\":\"step_end\",\"task\":1,\"reason\":\"return\"}\n"
                             "{\"ev\":\"task_done\",\"task\":1,\"outcome\":\"result\",\"value\":1}\n" END,
                             TM_LOAD_STRICT);
    expect_one_problem(tr, 5, 24, "print: \"text\" must be a string");
    cr_expect(eq(str, tr->tasks[0].result ? (char *)tm_text(tr, tr->tasks[0].result) : "", "1"),
              "the value 1 is the integer 1");
    tm_free(tr);
}

Test(format4, a_number_that_cannot_name_a_string_is_a_type_problem)
{
    tm_trace *tr = must_load(HDR(4) "{\"str\":1,\"s\":\"main\"}\n"
                             "{\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null,\"coro\":0,\"h\":2}\n",
                             TM_LOAD_STRICT);
    expect_problem(tr, 3, 57, "task_new: \"coro\" must be a string (or the number of a \"str\" line)");
    tm_free(tr);
}

Test(format4, a_line_with_ev_and_str_is_an_event)
{
    /* "str" is then a field this reader does not know, and ignored. */
    tm_trace *tr = must_load(HDR(4) "{\"str\":1,\"ev\":\"end\",\"reason\":\"complete\"}\n", TM_LOAD_STRICT);
    cr_expect(eq(sz, tr->n_problems, 0), "%s", problems(tr));
    cr_expect(eq(sz, tr->n_events, 1));
    tm_free(tr);
}

/* ---- other readers of the raw lines -------------------------------------------------- */

Test(format4, a_lesson_cuts_a_version_4_trace_at_an_event)
{
    /* lesson_cut_trace copies the lines up to an event: with `seq` left out it
    ** counts them, and it keeps the str lines the events kept may use. */
    char src[] = "/tmp/fmt4-test-cut-XXXXXX";   /* not coroscope-*: programs.sh counts those */
    int fd = mkstemp(src);
    cr_assert(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(v4_text, f);
    fclose(f);
    tm_trace *tr = must_load(v4_text, 0);
    char dst[sizeof src + 8];
    snprintf(dst, sizeof dst, "%s.cut", src);
    cr_assert(eq(int, lesson_cut_trace(tr, src, 11, dst), 0));
    tm_error err;
    tm_trace *cut = tm_load(dst, TM_LOAD_STRICT, &err);
    cr_assert(cut != NULL, "%s", err.message);
    cr_expect(eq(sz, cut->n_events, 12), "events #0..#11 are kept");
    cr_expect(eq(sz, cut->n_problems, 1), "only the missing end: %s", problems(cut));
    for (size_t i = 0; i < cut->n_events; i++) {
        cr_expect(eq(u32, tm_event_seq(cut, i), tm_event_seq(tr, i)));
        cr_expect(eq(str, (char *)tm_text(cut, cut->events[i].s1), (char *)tm_text(tr, tr->events[i].s1)));
    }
    tm_free(cut);
    tm_free(tr);
    remove(src);
    remove(dst);
}
