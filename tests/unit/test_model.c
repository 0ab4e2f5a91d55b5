/*
** test_model.c -- the trace model (runtime/model): loading good and damaged
** traces from tests/data, the spans and the loop state rebuilt from events,
** the statistics, the links for arrows, and what strict mode reports.
**
** The traces in tests/data are small and written by hand to follow
** traces/FORMAT.md; their line numbers are part of what is tested, so edit
** them with care. Every test runs with a counting allocator and ends with
** nothing allocated; one test fails each allocation in turn.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "counting_alloc.h"
#include "trace_model.h"

#define DATA(name) "tests/data/" name

static void setup(void)
{
    counting_alloc_on();
}

static void no_leaks(void)
{
    cr_expect(eq(long, live_allocs, 0), "allocations still live at the end");
    co_alloc_set(NULL);
}

TestSuite(model, .init = setup, .fini = no_leaks);

/* Load a trace that must load; fail the test with the loader's message if not. */
static tm_trace *load(const char *path, unsigned flags)
{
    tm_error err;
    tm_trace *tr = tm_load(path, flags, &err);
    cr_assert(tr != NULL, "%s did not load: %u:%u: %s", path, err.line, err.column, err.message);
    return tr;
}

/* The index of the task with this name. */
static uint32_t task_named(const tm_trace *tr, const char *name)
{
    for (size_t i = 0; i < tr->n_tasks; i++)
        if (!strcmp(tm_text(tr, tr->tasks[i].name), name))
            return (uint32_t)i;
    cr_fatal("no task named %s", name);
    return TM_NONE;
}

/* The index of the event with this seq. */
static uint32_t event_seq(const tm_trace *tr, uint32_t seq)
{
    for (size_t i = 0; i < tr->n_events; i++)
        if (tm_event_seq(tr, i) == seq)
            return (uint32_t)i;
    cr_fatal("no event with seq %u", seq);
    return TM_NONE;
}

/* ---- loading -------------------------------------------------------------- */

Test(model, a_complete_trace_loads_its_header_events_and_tasks)
{
    tm_trace *tr = load(DATA("gather.jsonl"), 0);
    cr_expect(eq(sz, tr->n_events, 59));
    cr_expect(eq(sz, tr->n_tasks, 4));
    cr_expect(eq(sz, tr->n_problems, 0));
    cr_expect(eq(int, tr->version, 1));
    cr_expect(eq(str, (char *)tm_text(tr, tr->scenario), "gather"));
    cr_expect(eq(str, (char *)tm_text(tr, tr->clock), "virtual"));
    cr_expect(eq(int, tr->end_reason, TM_END_COMPLETE));
    cr_expect(eq(u32, tr->events[0].kind, TM_EV_TASK_NEW));
    cr_expect(eq(u32, tr->events[58].kind, TM_EV_END));
    tm_free(tr);
}

Test(model, free_accepts_null)
{
    tm_free(NULL);
}

Test(model, a_missing_file_is_an_error_that_says_why)
{
    tm_error err;
    cr_expect(eq(ptr, tm_load(DATA("no_such_file.jsonl"), 0, &err), NULL));
    cr_expect(eq(u32, err.line, 0));
    cr_expect(strstr(err.message, "No such file") != NULL, "message: %s", err.message);
}

Test(model, a_version_newer_than_3_is_rejected_with_a_clear_message)
{
    tm_error err;
    cr_expect(eq(ptr, tm_load(DATA("version99.jsonl"), 0, &err), NULL));
    cr_expect(eq(u32, err.line, 1));
    cr_expect(strstr(err.message, "version 99 is newer") != NULL, "message: %s", err.message);
}

Test(model, a_file_of_another_format_is_rejected)
{
    tm_error err;
    cr_expect(eq(ptr, tm_load(DATA("not_a_trace.jsonl"), 0, &err), NULL));
    cr_expect(eq(u32, err.line, 1));
    cr_expect(strstr(err.message, "not a coroscope trace") != NULL, "message: %s", err.message);
}

Test(model, an_empty_file_is_rejected)
{
    FILE *f = fmemopen((void *)"", 0, "r");
    tm_error err;
    cr_expect(eq(ptr, tm_load_stream(f, 0, &err), NULL));
    cr_expect(strstr(err.message, "empty") != NULL, "message: %s", err.message);
    fclose(f);
}

Test(model, truncated_trace_keeps_events_before_the_bad_line)
{
    tm_trace *tr = load(DATA("truncated.jsonl"), 0);
    /* Lines 2..30 are events 1..29; line 31 was cut in the middle. */
    cr_expect(eq(sz, tr->n_events, 29));
    cr_expect(eq(u32, tm_event_seq(tr, 28), 29));
    cr_assert(eq(sz, tr->n_problems, 1));
    cr_expect(eq(u32, tr->problems[0].line, 31));
    cr_expect(eq(u32, tr->problems[0].column, 25));
    cr_expect(strstr(tr->problems[0].message, "cut short") != NULL, "%s", tr->problems[0].message);
    cr_expect(eq(int, tr->end_reason, TM_END_MISSING));
    /* Task-3 returned (seq 29) but its task_done was the line cut short: it is
    ** drawn done, with no outcome. The others were still waiting. */
    const tm_task *t3 = &tr->tasks[task_named(tr, "Task-3")];
    cr_expect(eq(u32, t3->outcome, TM_OUTCOME_PENDING));
    cr_expect(eq(u32, tr->spans[t3->span_first + t3->span_count - 1].state, TM_STATE_DONE));
    const tm_task *t2 = &tr->tasks[task_named(tr, "Task-2")];
    cr_expect(eq(u32, tr->spans[t2->span_first + t2->span_count - 1].state, TM_STATE_WAITING));
    tm_free(tr);
}

Test(model, a_malformed_line_is_reported_with_its_line_and_column)
{
    tm_trace *tr = load(DATA("malformed.jsonl"), 0);
    cr_expect(eq(sz, tr->n_events, 10), "events before line 12 are kept");
    cr_assert(eq(sz, tr->n_problems, 1));
    cr_expect(eq(u32, tr->problems[0].line, 12));
    cr_expect(eq(u32, tr->problems[0].column, 24), "where `step_begin` lacks its quotes");
    cr_expect(strstr(tr->problems[0].message, "not valid JSON") != NULL);
    tm_free(tr);
}

Test(model, an_unknown_event_kind_is_skipped_with_a_warning)
{
    tm_trace *tr = load(DATA("unknown_event.jsonl"), 0);
    cr_expect(eq(sz, tr->n_events, 59), "every known event is kept");
    cr_assert(eq(sz, tr->n_problems, 1));
    cr_expect(eq(u32, tr->problems[0].line, 5));
    cr_expect(strstr(tr->problems[0].message, "teleport") != NULL, "%s", tr->problems[0].message);
    tm_free(tr);
}

Test(model, strict_mode_reports_every_broken_rule_by_line)
{
    tm_trace *tr = load(DATA("inconsistent.jsonl"), TM_LOAD_STRICT);
    static const struct { uint32_t line; const char *words; } expect[] = {
        {4, "already running"},   {4, "already left the ready queue"},
        {5, "1 event lost"},      {5, "99 is not a known task"},
        {8, "task_done twice"},   {9, "time goes backwards"},
        {9, "42 is not a known task"}, {10, "missing field \"kind\""},
        {11, "must be a positive integer id"}, {11, "no end event"},
    };
    size_t n = sizeof expect / sizeof expect[0];
    cr_assert(eq(sz, tr->n_problems, n));
    for (size_t i = 0; i < n; i++) {
        cr_expect(eq(u32, tr->problems[i].line, expect[i].line), "problem %zu: %s", i,
                  tr->problems[i].message);
        cr_expect(strstr(tr->problems[i].message, expect[i].words) != NULL,
                  "problem %zu: \"%s\" lacks \"%s\"", i, tr->problems[i].message, expect[i].words);
    }
    tm_free(tr);
}

Test(model, strict_mode_finds_nothing_wrong_with_good_traces)
{
    static const char *const good[] = {DATA("gather.jsonl"), DATA("sequential.jsonl"),
        DATA("cancel.jsonl"), DATA("fail.jsonl"), DATA("round_robin.jsonl"),
        DATA("realclock.jsonl"), DATA("v2_events.jsonl")};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        tm_trace *tr = load(good[i], TM_LOAD_STRICT);
        cr_expect(eq(sz, tr->n_problems, 0), "%s: first problem: %s", good[i],
                  tr->n_problems ? tr->problems[0].message : "");
        tm_free(tr);
    }
}

Test(model, strict_mode_reads_past_a_malformed_line)
{
    tm_trace *tr = load(DATA("malformed.jsonl"), TM_LOAD_STRICT);
    cr_expect(eq(sz, tr->n_events, 58), "every line but the bad one");
    cr_assert(gt(sz, tr->n_problems, 1));
    cr_expect(eq(u32, tr->problems[0].line, 12));
    cr_expect(eq(u32, tr->problems[1].line, 13), "the seq gap the lost line leaves");
    tm_free(tr);
}

Test(model, a_header_only_trace_has_no_events_and_no_end)
{
    static const char text[] = "{\"format\":\"coroscope-trace\",\"version\":1,\"scenario\":\"x\","
                               "\"clock\":\"virtual\",\"semantics\":\"cpython-3.11\",\"producer\":\"t\"}\n";
    FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
    tm_error err;
    tm_trace *tr = tm_load_stream(f, 0, &err);
    fclose(f);
    cr_assert(tr != NULL, "%s", err.message);
    cr_expect(eq(sz, tr->n_events, 0));
    cr_expect(eq(sz, tr->n_problems, 1));
    cr_expect(eq(u32, tm_event_at_time(tr, 1.0), TM_NONE));
    cr_expect(eq(u32, tm_running_at(tr, 0), TM_NONE));
    cr_expect(eq(sz, tm_ready_at(tr, 0, NULL, 0), 0));
    tm_free(tr);
}

Test(model, a_normal_load_keeps_at_most_100_problems_and_counts_the_rest)
{
    /* 150 print events whose seq skips one each time: 150 gaps, and no end event. */
    char *text = NULL;
    size_t size = 0;
    FILE *w = open_memstream(&text, &size);
    fprintf(w, "{\"format\":\"coroscope-trace\",\"version\":2,\"scenario\":\"gaps\"}\n");
    for (int i = 1; i <= 150; i++)
        fprintf(w, "{\"seq\":%d,\"t\":0.0,\"ev\":\"print\",\"task\":null,\"text\":\"x\"}\n", 2 * i);
    fclose(w);
    for (int strict = 0; strict <= 1; strict++) {
        FILE *f = fmemopen(text, size, "r");
        tm_error err;
        tm_trace *tr = tm_load_stream(f, strict ? TM_LOAD_STRICT : 0, &err);
        fclose(f);
        cr_assert(tr != NULL, "%s", err.message);
        cr_expect(eq(sz, tr->n_events, 150));
        cr_expect(eq(sz, tr->n_prints, 150));
        /* strict also finds the header's missing clock, semantics and producer */
        cr_expect(eq(sz, tr->n_problems, strict ? 154 : TM_MAX_WARNINGS));
        cr_expect(eq(sz, tr->problems_dropped, strict ? 0 : 51));
        tm_free(tr);
    }
    free(text);
}

Test(model, every_failed_allocation_is_reported_and_leaks_nothing)
{
    int succeeded = 0;
    for (long budget = 0; budget < 2000 && !succeeded; budget++) {
        alloc_budget = budget;
        tm_error err;
        tm_trace *tr = tm_load(DATA("cancel.jsonl"), TM_LOAD_STRICT, &err);
        alloc_budget = -1;
        if (tr) {
            succeeded = 1;
            cr_expect(eq(sz, tr->n_events, 34));
            tm_free(tr);
        } else {
            cr_expect(eq(str, err.message, "out of memory"), "budget %ld", budget);
        }
        cr_assert(eq(long, live_allocs, 0), "leak after failing allocation %ld", budget);
    }
    cr_expect(succeeded, "the load never succeeded");
}

/* ---- spans --------------------------------------------------------------- */

Test(model, a_task_waiting_on_a_sleep_has_a_waiting_span_then_runs)
{
    tm_trace *tr = load(DATA("sequential.jsonl"), 0);
    const tm_task *tk = &tr->tasks[0];
    static const struct { tm_state state; double t0, t1; const char *label; } expect[] = {
        {TM_STATE_READY, 0, 0, ""},         {TM_STATE_RUNNING, 0, 0, ""},
        {TM_STATE_WAITING, 0, 1, "sleep(1)"}, {TM_STATE_READY, 1, 1, ""},
        {TM_STATE_RUNNING, 1, 1, ""},       {TM_STATE_WAITING, 1, 3, "sleep(2)"},
        {TM_STATE_READY, 3, 3, ""},         {TM_STATE_RUNNING, 3, 3, ""},
        {TM_STATE_DONE, 3, 3, ""},
    };
    size_t n = sizeof expect / sizeof expect[0];
    cr_assert(eq(u32, tk->span_count, n));
    for (size_t i = 0; i < n; i++) {
        const tm_span *sp = &tr->spans[tk->span_first + i];
        cr_expect(eq(u32, sp->state, expect[i].state), "span %zu", i);
        cr_expect(eq(dbl, tm_span_t0(tr, sp), expect[i].t0), "span %zu", i);
        cr_expect(eq(dbl, tm_span_t1(tr, sp), expect[i].t1), "span %zu", i);
        cr_expect(eq(str, (char *)tm_text(tr, sp->label), (char *)expect[i].label), "span %zu", i);
        if (i > 0)
            cr_expect(eq(u32, sp->ev_begin, sp[-1].ev_end), "spans %zu and %zu touch", i - 1, i);
    }
    cr_expect(eq(dbl, tk->t_waiting, 3.0));
    cr_expect(eq(u32, tk->steps, 3));
    tm_free(tr);
}

Test(model, a_waiting_span_knows_the_future_it_waits_on)
{
    tm_trace *tr = load(DATA("gather.jsonl"), 0);
    uint32_t main_task = task_named(tr, "Task-1");
    uint32_t sp = tm_span_at(tr, main_task, event_seq(tr, 30));
    cr_assert(ne(u32, sp, TM_NONE));
    cr_expect(eq(u32, tr->spans[sp].state, TM_STATE_WAITING));
    cr_expect(eq(u32, tr->spans[sp].fut, 9));
    cr_expect(eq(str, (char *)tm_text(tr, tr->spans[sp].label), "gather(3)"));
    uint32_t f = tm_find_future(tr, 9);
    cr_assert(ne(u32, f, TM_NONE));
    cr_expect(eq(str, (char *)tm_text(tr, tr->futures[f].kind), "gather"));
    cr_expect(eq(str, (char *)tm_text(tr, tr->futures[f].result), "['a', 'b', 'c']"));
    cr_expect(eq(str, (char *)tm_text(tr, tr->futures[f].via), "gather._done_callback"));
    cr_expect(eq(u32, tr->futures[f].done_by, TM_NONE), "resolved by a callback, not a task");
    tm_free(tr);
}

Test(model, a_task_awaiting_a_task_waits_on_its_name)
{
    tm_trace *tr = load(DATA("cancel.jsonl"), 0);
    uint32_t sp = tm_span_at(tr, task_named(tr, "Task-1"), event_seq(tr, 22));
    cr_expect(eq(u32, tr->spans[sp].state, TM_STATE_WAITING));
    cr_expect(eq(str, (char *)tm_text(tr, tr->spans[sp].label), "worker"));
    cr_expect(eq(u32, tr->spans[sp].fut, tr->tasks[task_named(tr, "worker")].id));
    tm_free(tr);
}

Test(model, outcomes_and_values_read_as_python_prints_them)
{
    tm_trace *tr = load(DATA("gather.jsonl"), 0);
    cr_expect(eq(str, (char *)tm_text(tr, tr->tasks[task_named(tr, "Task-2")].result), "'a'"));
    cr_expect(eq(str, (char *)tm_text(tr, tr->tasks[task_named(tr, "Task-1")].result), "None"));
    tm_free(tr);

    tr = load(DATA("fail.jsonl"), 0);
    const tm_task *boom = &tr->tasks[task_named(tr, "Task-2")];
    cr_expect(eq(u32, boom->outcome, TM_OUTCOME_EXCEPTION));
    cr_expect(eq(str, (char *)tm_text(tr, boom->result), "ValueError"));
    cr_expect(eq(str, (char *)tm_text(tr, boom->msg), "boom"));
    cr_expect(eq(u32, tr->spans[boom->span_first + boom->span_count - 1].state, TM_STATE_FAILED));
    cr_assert(eq(sz, tr->n_warns, 1));
    cr_expect(eq(str, (char *)tm_text(tr, tm_event_s2(tr, tr->warns[0])), "never_retrieved"));
    tm_free(tr);

    tr = load(DATA("cancel.jsonl"), 0);
    const tm_task *worker = &tr->tasks[task_named(tr, "worker")];
    cr_expect(eq(u32, worker->outcome, TM_OUTCOME_CANCELLED));
    cr_expect(eq(u32, tr->spans[worker->span_first + worker->span_count - 1].state,
                 TM_STATE_CANCELLED));
    tm_free(tr);
}

Test(model, lanes_put_children_under_their_parent_in_creation_order)
{
    tm_trace *tr = load(DATA("gather.jsonl"), 0);
    static const char *const order[] = {"Task-1", "Task-2", "Task-3", "Task-4"};
    static const uint32_t depth[] = {0, 1, 1, 1};
    for (size_t i = 0; i < 4; i++) {
        const tm_task *tk = &tr->tasks[tr->lanes[i]];
        cr_expect(eq(str, (char *)tm_text(tr, tk->name), (char *)order[i]), "lane %zu", i);
        cr_expect(eq(u32, tk->depth, depth[i]), "lane %zu", i);
    }
    cr_expect(eq(u32, tr->tasks[task_named(tr, "Task-3")].parent, task_named(tr, "Task-1")));
    tm_free(tr);
}

Test(model, frames_nest_inside_their_task)
{
    tm_trace *tr = load(DATA("sequential.jsonl"), 0);
    cr_assert(eq(sz, tr->n_frames, 2));
    cr_expect(eq(str, (char *)tm_text(tr, tr->frames[0].fn), "job"));
    cr_expect(eq(str, (char *)tm_text(tr, tr->frames[0].args), "('a', 1)"));
    cr_expect(eq(u32, tr->frames[0].depth, 0));
    cr_expect(eq(dbl, tr->events[tr->frames[1].ev_exit].t, 3.0));
    cr_expect(eq(u32, tr->tasks[0].frame_count, 2));
    tm_free(tr);
}

/* ---- the loop at a moment ---------------------------------------------------- */

Test(model, the_ready_queue_at_an_event_lists_handles_in_fifo_order)
{
    tm_trace *tr = load(DATA("gather.jsonl"), 0);
    uint32_t out[8];
    /* After seq 10 main awaits gather: its three children are queued, in creation order. */
    size_t n = tm_ready_at(tr, event_seq(tr, 10), out, 8);
    cr_assert(eq(sz, n, 3));
    static const char *const names[] = {"Task-2", "Task-3", "Task-4"};
    for (size_t i = 0; i < 3; i++) {
        cr_expect(eq(str, (char *)tm_text(tr, tr->tasks[tr->handles[out[i]].task].name),
                     (char *)names[i]), "queue position %zu", i);
    }
    /* After Task-2's first step (seq 11) it has left the queue. */
    cr_expect(eq(sz, tm_ready_at(tr, event_seq(tr, 11), out, 8), 2));
    /* A cap smaller than the queue still reports the full length. */
    cr_expect(eq(sz, tm_ready_at(tr, event_seq(tr, 10), out, 1), 3));
    cr_expect(eq(u32, tr->handles[out[0]].id, 4));
    /* While the loop is idle nothing is ready. */
    cr_expect(eq(sz, tm_ready_at(tr, event_seq(tr, 23), out, 8), 0));
    cr_expect(eq(u32, tr->stats.peak_ready, 3));
    tm_free(tr);
}

Test(model, a_yielding_task_goes_to_the_back_of_the_ready_queue)
{
    tm_trace *tr = load(DATA("round_robin.jsonl"), 0);
    uint32_t out[8];
    /* seq 11: ping yielded (sleep(0)); pong, queued earlier, is now ahead of it. */
    size_t n = tm_ready_at(tr, event_seq(tr, 11), out, 8);
    cr_assert(eq(sz, n, 2));
    cr_expect(eq(str, (char *)tm_text(tr, tr->tasks[tr->handles[out[0]].task].name), "pong"));
    cr_expect(eq(str, (char *)tm_text(tr, tr->tasks[tr->handles[out[1]].task].name), "ping"));
    tm_free(tr);
}

Test(model, the_running_task_is_the_one_between_step_begin_and_step_end)
{
    tm_trace *tr = load(DATA("gather.jsonl"), 0);
    uint32_t main_task = task_named(tr, "Task-1");
    cr_expect(eq(u32, tm_running_at(tr, event_seq(tr, 1)), TM_NONE), "created, not yet run");
    cr_expect(eq(u32, tm_running_at(tr, event_seq(tr, 2)), main_task), "at its step_begin");
    cr_expect(eq(u32, tm_running_at(tr, event_seq(tr, 9)), main_task), "inside the step");
    cr_expect(eq(u32, tm_running_at(tr, event_seq(tr, 10)), TM_NONE), "at its step_end");
    cr_expect(eq(u32, tm_running_at(tr, event_seq(tr, 11)), task_named(tr, "Task-2")));
    tm_free(tr);
}

Test(model, pending_timers_come_soonest_first)
{
    tm_trace *tr = load(DATA("gather.jsonl"), 0);
    uint32_t out[4];
    size_t n = tm_timers_at(tr, event_seq(tr, 22), out, 4);
    cr_assert(eq(sz, n, 3));
    static const double when[] = {1, 2, 3};
    for (size_t i = 0; i < 3; i++)
        cr_expect(eq(dbl, tr->timers[out[i]].when, when[i]), "timer %zu", i);
    /* With room for one, the soonest is kept. */
    cr_expect(eq(sz, tm_timers_at(tr, event_seq(tr, 22), out, 1), 3));
    cr_expect(eq(dbl, tr->timers[out[0]].when, 1.0));
    /* The 1 s timer fired at seq 25. */
    cr_expect(eq(sz, tm_timers_at(tr, event_seq(tr, 25), out, 4), 2));
    tm_free(tr);
}

Test(model, a_cancelled_timer_is_no_longer_pending)
{
    tm_trace *tr = load(DATA("cancel.jsonl"), 0);
    uint32_t out[4];
    cr_expect(eq(sz, tm_timers_at(tr, event_seq(tr, 23), out, 4), 1), "sleep(5) still pending");
    cr_expect(eq(sz, tm_timers_at(tr, event_seq(tr, 24), out, 4), 0), "timer_cancel at seq 24");
    tm_free(tr);
}

Test(model, event_at_time_finds_the_last_event_at_or_before_t)
{
    tm_trace *tr = load(DATA("gather.jsonl"), 0);
    cr_expect(eq(u32, tm_event_at_time(tr, -0.5), TM_NONE));
    cr_expect(eq(u32, tm_event_seq(tr, tm_event_at_time(tr, 0.5)), 22), "last event at t=0");
    cr_expect(eq(u32, tm_event_seq(tr, tm_event_at_time(tr, 1.0)), 32), "last event at t=1");
    cr_expect(eq(u32, tm_event_at_time(tr, 99), 58));
    tm_free(tr);
}

Test(model, ids_lead_to_tasks_futures_timers_and_handles)
{
    tm_trace *tr = load(DATA("gather.jsonl"), 0);
    cr_expect(eq(u32, tm_find_task(tr, 3), task_named(tr, "Task-2")));
    cr_expect(eq(u32, tm_find_task(tr, 9), TM_NONE), "9 is a future");
    cr_expect(ne(u32, tm_find_future(tr, 9), TM_NONE));
    cr_expect(eq(dbl, tr->timers[tm_find_timer(tr, 13)].when, 1.0));
    cr_expect(ne(u32, tm_find_handle(tr, 4), TM_NONE));
    cr_expect(eq(u32, tm_find_task(tr, 12345), TM_NONE));
    cr_expect(eq(u32, tm_find_task(tr, 0), TM_NONE));
    tm_free(tr);
}

/* ---- links ------------------------------------------------------------------- */

/* The link of `kind` ending at event seq `to_seq`, or NULL. */
static const tm_link *link_to(const tm_trace *tr, tm_link_kind kind, uint32_t to_seq)
{
    for (size_t i = 0; i < tr->n_links; i++)
        if (tr->links[i].kind == kind && tm_event_seq(tr, tr->links[i].to) == to_seq)
            return &tr->links[i];
    return NULL;
}

Test(model, a_wake_link_joins_the_resolution_to_the_step_it_scheduled)
{
    tm_trace *tr = load(DATA("gather.jsonl"), 0);
    /* sleep(1) resolved at seq 26 (fut_done); Task-3 woke and ran at seq 28. */
    const tm_link *lk = link_to(tr, TM_LINK_WAKE, 28);
    cr_assert(lk != NULL);
    cr_expect(eq(u32, tm_event_seq(tr, lk->from), 26));
    cr_expect(eq(u32, tr->events[lk->from].kind, TM_EV_FUT_DONE));
    /* gather resolved at seq 53 woke main at seq 55. */
    lk = link_to(tr, TM_LINK_WAKE, 55);
    cr_assert(lk != NULL);
    cr_expect(eq(u32, tm_event_seq(tr, lk->from), 53));
    tm_free(tr);
}

Test(model, a_spawn_link_joins_task_new_in_the_parent_to_the_first_step)
{
    tm_trace *tr = load(DATA("gather.jsonl"), 0);
    const tm_link *lk = link_to(tr, TM_LINK_SPAWN, 11);
    cr_assert(lk != NULL);
    cr_expect(eq(u32, tm_event_seq(tr, lk->from), 3));
    cr_expect(eq(u32, tm_event_by(tr, lk->from), task_named(tr, "Task-1")), "drawn from the parent");
    cr_expect(eq(u32, tr->events[lk->to].task, task_named(tr, "Task-2")));
    tm_free(tr);
}

Test(model, a_cancel_link_joins_the_request_to_the_cancelled_error_it_raised)
{
    tm_trace *tr = load(DATA("cancel.jsonl"), 0);
    /* main cancelled the worker at seq 17; CancelledError was thrown into it at seq 23. */
    const tm_link *lk = link_to(tr, TM_LINK_CANCEL, 23);
    cr_assert(lk != NULL);
    cr_expect(eq(u32, tm_event_seq(tr, lk->from), 17));
    /* ... and cancelling the worker's sleep (seq 18) resolved it cancelled (seq 19). */
    lk = link_to(tr, TM_LINK_CANCEL, 19);
    cr_assert(lk != NULL);
    cr_expect(eq(u32, tm_event_seq(tr, lk->from), 18));
    tm_free(tr);
}

/* ---- version 2 events ------------------------------------------------------------ */

Test(model, version_2_events_become_markers_jobs_and_blocked_time)
{
    tm_trace *tr = load(DATA("v2_events.jsonl"), TM_LOAD_STRICT);
    cr_expect(eq(sz, tr->n_problems, 0), "first: %s", tr->n_problems ? tr->problems[0].message : "");
    cr_expect(eq(int, tr->version, 2));
    cr_expect(eq(sz, tr->n_marks, 12));
    /* The queue put by main (seq 6) is a marker on main's lane with its count. */
    const tm_event *put = &tr->events[event_seq(tr, 6)];
    cr_assert(eq(u32, put->kind, TM_EV_SYNC));
    const tm_mark *mk = &tr->marks[put->obj];
    cr_expect(eq(str, (char *)tm_text(tr, mk->op), "put"));
    cr_expect(eq(str, (char *)tm_text(tr, mk->what), "queue"));
    cr_expect(eq(dbl, mk->num, 1.0));
    cr_expect(eq(u32, mk->task, task_named(tr, "Task-1")));
    /* One job: submitted by main, run on worker 0 from 0.5 s to 1.5 s. */
    cr_assert(eq(sz, tr->n_jobs, 1));
    const tm_job *jb = &tr->jobs[0];
    cr_expect(eq(u32, tm_find_job(tr, 8), 0));
    cr_expect(eq(int, jb->worker, 0));
    cr_expect(eq(u32, tr->n_workers, 1));
    cr_expect(eq(u32, jb->submitted_by, task_named(tr, "Task-1")));
    cr_expect(eq(dbl, tr->events[jb->ev_start].t, 0.5));
    cr_expect(eq(dbl, tr->events[jb->ev_done].t, 1.5));
    cr_expect(eq(u32, jb->outcome, TM_OUTCOME_RESULT));
    cr_expect(eq(u32, jb->fut, 7));
    /* time.sleep(0.5) inside main's first step held the loop: that step ran 0.5 s. */
    cr_expect(eq(dbl, tr->stats.blocked, 0.5));
    cr_expect(eq(dbl, tr->tasks[task_named(tr, "Task-1")].t_running, 0.5));
    tm_free(tr);
}

Test(model, a_version_1_trace_may_not_use_version_2_events)
{
    static const char text[] =
        "{\"format\":\"coroscope-trace\",\"version\":1,\"scenario\":\"x\",\"clock\":\"virtual\","
        "\"semantics\":\"cpython-3.11\",\"producer\":\"t\"}\n"
        "{\"seq\":1,\"t\":0.0,\"ev\":\"group\",\"obj\":3,\"op\":\"new\",\"task\":null}\n"
        "{\"seq\":2,\"t\":0.0,\"ev\":\"end\",\"reason\":\"complete\"}\n";
    FILE *f = fmemopen((void *)text, sizeof text - 1, "r");
    tm_error err;
    tm_trace *tr = tm_load_stream(f, TM_LOAD_STRICT, &err);
    fclose(f);
    cr_assert(tr != NULL, "%s", err.message);
    cr_assert(eq(sz, tr->n_problems, 1));
    cr_expect(eq(u32, tr->problems[0].line, 2));
    cr_expect(strstr(tr->problems[0].message, "version 2 event") != NULL, "%s",
              tr->problems[0].message);
    tm_free(tr);
}

/* ---- statistics ------------------------------------------------------------------ */

Test(model, stats_give_makespan_idle_steps_and_peak_concurrency)
{
    tm_trace *tr = load(DATA("gather.jsonl"), 0);
    cr_expect(eq(dbl, tr->stats.makespan, 3.0));
    cr_expect(eq(dbl, tr->stats.idle, 3.0));
    cr_expect(eq(u32, tr->stats.steps, 8));
    cr_expect(eq(u32, tr->stats.callbacks, 6));
    cr_expect(eq(u32, tr->stats.peak_tasks, 4));
    cr_expect(eq(dbl, tr->tasks[task_named(tr, "Task-1")].t_waiting, 3.0));
    cr_expect(eq(dbl, tr->tasks[task_named(tr, "Task-3")].t_waiting, 1.0));
    cr_expect(eq(dbl, tr->tasks[task_named(tr, "Task-4")].t_waiting, 2.0));
    cr_expect(eq(dbl, tr->tasks[task_named(tr, "Task-4")].t_running, 0.0));
    tm_free(tr);

    tr = load(DATA("sequential.jsonl"), 0);
    cr_expect(eq(dbl, tr->stats.makespan, 3.0));
    cr_expect(eq(u32, tr->stats.peak_tasks, 1));
    tm_free(tr);
}

Test(model, real_clock_times_add_up_per_state)
{
    tm_trace *tr = load(DATA("realclock.jsonl"), 0);
    const tm_task *tk = &tr->tasks[0];
    /* Steps 31..52 µs and 10090..12500 µs; ready 12..31 and 10070..10090; waiting between. */
    cr_expect(ieee_ulp_eq(dbl, tk->t_running, (0.000052 - 0.000031) + (0.0125 - 0.01009), 64));
    cr_expect(ieee_ulp_eq(dbl, tk->t_ready, (0.000031 - 0.000012) + (0.01009 - 0.01007), 64));
    cr_expect(ieee_ulp_eq(dbl, tk->t_waiting, 0.01007 - 0.000052, 64));
    cr_expect(eq(dbl, tr->stats.makespan, 0.0125));
    cr_expect(eq(dbl, tr->stats.idle, 0.010061 - 0.000060));
    tm_free(tr);
}

/* ---- damaged input (regressions found by tests/fuzz) ----------------------------- */

/* Load trace text (header and events) that must load. */
static tm_trace *load_text(const char *text, unsigned flags)
{
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    tm_error err;
    tm_trace *tr = tm_load_stream(f, flags, &err);
    fclose(f);
    cr_assert(tr != NULL, "did not load: %u:%u: %s", err.line, err.column, err.message);
    return tr;
}

#define HEADER "{\"format\":\"coroscope-trace\",\"version\":2,\"scenario\":\"x\"," \
               "\"clock\":\"virtual\",\"semantics\":\"cpython-3.11\",\"producer\":\"t\"}\n"
#define RUNNING_TASK_1 \
    "{\"seq\":1,\"t\":0,\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null," \
    "\"coro\":\"main\",\"h\":2}\n" \
    "{\"seq\":2,\"t\":0,\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n"

Test(model, a_frame_exit_with_no_open_frame_names_no_frame)
{
    /* Frame 0 belongs to task 1; task 2's stray frame_exit must not point at it. */
    tm_trace *tr = load_text(HEADER RUNNING_TASK_1
        "{\"seq\":3,\"t\":0,\"ev\":\"frame_enter\",\"task\":1,\"fn\":\"job\",\"args\":\"()\"}\n"
        "{\"seq\":4,\"t\":0,\"ev\":\"frame_exit\",\"task\":1,\"fn\":\"job\"}\n"
        "{\"seq\":5,\"t\":0,\"ev\":\"frame_exit\",\"task\":1,\"fn\":\"job\"}\n"
        "{\"seq\":6,\"t\":0,\"ev\":\"frame_enter\",\"task\":9,\"fn\":\"job\",\"args\":\"()\"}\n"
        "{\"seq\":7,\"t\":0,\"ev\":\"end\",\"reason\":\"complete\"}\n", 0);
    cr_assert(eq(sz, tr->n_frames, 1));
    cr_expect(eq(u32, tr->events[3].obj, 0), "the first frame_exit closes frame 0");
    cr_expect(eq(u32, tr->events[4].obj, TM_NONE), "the second has no frame to close");
    cr_expect(eq(u32, tr->events[5].obj, TM_NONE), "a frame_enter of an unknown task makes none");
    tm_free(tr);
}

Test(model, numbers_past_uint32_are_not_converted_to_ids_or_counts)
{
    /* A job has no `task` field, a non-submit job's `fut` is not checked, and
    ** 1e999 reads as infinity: none may reach an undefined conversion. */
    tm_trace *tr = load_text(HEADER RUNNING_TASK_1
        "{\"seq\":3,\"t\":0,\"ev\":\"job\",\"obj\":5,\"op\":\"submit\",\"fn\":\"f\",\"fut\":6,"
        "\"worker\":-1,\"task\":-7}\n"
        "{\"seq\":4,\"t\":0,\"ev\":\"job\",\"obj\":5,\"op\":\"start\",\"fn\":\"f\",\"worker\":0,"
        "\"fut\":1e300}\n"
        "{\"seq\":5,\"t\":0,\"ev\":\"uncancel\",\"task\":1,\"count\":1e999}\n"
        "{\"seq\":6,\"t\":0,\"ev\":\"uncancel\",\"task\":1,\"count\":1e300}\n"
        "{\"seq\":7,\"t\":0,\"ev\":\"io\",\"fd\":-1,\"op\":\"close\",\"task\":1}\n"
        "{\"seq\":8,\"t\":0,\"ev\":\"end\",\"reason\":\"complete\"}\n", TM_LOAD_STRICT);
    cr_expect(eq(u32, tr->marks[0].task, TM_NONE), "a job's stray task -7 names no task");
    cr_expect(eq(u32, tr->marks[1].fut, 0), "fut 1e300 is no id");
    cr_expect(eq(u32, tr->events[5].obj, 0), "count 1e300, past 2^63, is reported and left out");
    cr_expect(eq(sz, tr->n_marks, 2), "the io event with fd -1 is dropped");
    cr_expect(eq(sz, tr->n_problems, 3), "count 1e999, count 1e300 and fd -1 are reported");
    tm_free(tr);
}

Test(model, a_long_result_is_cut_between_characters)
{
    char text[2048], value[700];
    for (int i = 0; i < 300; i++)
        memcpy(value + 2 * i, "\xc3\xa9", 2);   /* é, two bytes */
    value[600] = '\0';
    snprintf(text, sizeof text, HEADER RUNNING_TASK_1
             "{\"seq\":3,\"t\":0,\"ev\":\"step_end\",\"task\":1,\"reason\":\"return\"}\n"
             "{\"seq\":4,\"t\":0,\"ev\":\"task_done\",\"task\":1,\"outcome\":\"result\",\"value\":\"%s\"}\n",
             value);
    tm_trace *tr = load_text(text, 0);
    const char *r = tm_text(tr, tr->tasks[0].result);
    size_t n = strlen(r);
    cr_assert(gt(sz, n, 200));
    cr_expect(eq(str, (char *)r + n - 3, "..."));
    for (size_t i = 1; i < n - 3; i++)   /* after the quote: whole two-byte characters */
        cr_assert(eq(int, (unsigned char)r[i], i % 2 ? 0xc3 : 0xa9), "byte %zu", i);
    tm_free(tr);
}

/* ---- formatting helpers ----------------------------------------------------------- */

Test(model, seconds_are_formatted_for_people)
{
    char buf[32];
    cr_expect(eq(str, tm_format_seconds(0, buf, sizeof buf), "0"));
    cr_expect(eq(str, tm_format_seconds(3, buf, sizeof buf), "3 s"));
    cr_expect(eq(str, tm_format_seconds(1.5, buf, sizeof buf), "1.5 s"));
    cr_expect(eq(str, tm_format_seconds(0.25, buf, sizeof buf), "250 ms"));
    cr_expect(eq(str, tm_format_seconds(0.0000125, buf, sizeof buf), "12.5 µs"));
    cr_expect(eq(dbl, tm_nice_step(3, 6), 0.5));
    cr_expect(eq(dbl, tm_nice_step(10, 5), 2));
    cr_expect(eq(dbl, tm_nice_step(0, 5), 1));
    cr_expect(gt(dbl, tm_nice_step(5e-324, 12), 0), "a step that underflows is never 0");
    cr_expect(le(dbl, tm_nice_step(1.7976931348623157e308, 12), 1.7976931348623157e308));
    cr_expect(eq(str, tm_format_seconds(1e300, buf, sizeof buf), "1e+300 s"));
}

Test(model, seq_by_h_and_s2_read_back_as_the_file_wrote_them_even_where_they_break_the_rules)
{
    /* tm_event keeps none of the four: they are derived from the model, and
    ** kept beside it where a damaged trace says otherwise. */
    tm_trace *tr = load_text(HEADER RUNNING_TASK_1
        "{\"seq\":3,\"t\":0,\"ev\":\"fut_new\",\"fut\":3,\"kind\":\"future\",\"label\":\"f\",\"by\":1}\n"
        "{\"seq\":9,\"t\":0,\"ev\":\"fut_new\",\"fut\":3,\"kind\":\"again\",\"label\":\"g\"}\n"
        "{\"seq\":10,\"t\":0,\"ev\":\"task_new\",\"task\":4,\"name\":\"Task-2\",\"parent\":1,"
        "\"coro\":\"child\",\"h\":5}\n"
        "{\"seq\":11,\"t\":0,\"ev\":\"step_end\",\"task\":1,\"reason\":\"await\",\"fut\":3,\"src\":\"p.py:3\"}\n"
        "{\"seq\":12,\"t\":0,\"ev\":\"fut_done\",\"fut\":3,\"outcome\":\"cancelled\",\"msg\":\"m\",\"by\":4}\n"
        "{\"seq\":13,\"t\":0,\"ev\":\"step_begin\",\"task\":4,\"h\":77}\n"
        "{\"seq\":14,\"t\":0,\"ev\":\"cb_run\",\"h\":78,\"fn\":\"cb\"}\n"
        "{\"seq\":7,\"t\":0,\"ev\":\"end\",\"reason\":\"complete\"}\n", 0);
    cr_assert(eq(sz, tr->n_events, 10));
    static const uint32_t seqs[] = {1, 2, 3, 9, 10, 11, 12, 13, 14, 7};
    for (uint32_t i = 0; i < 10; i++)
        cr_expect(eq(u32, tm_event_seq(tr, i), seqs[i]), "event %u's seq", i);
    uint32_t t1 = task_named(tr, "Task-1"), t2 = task_named(tr, "Task-2");
    cr_expect(eq(u32, tm_event_by(tr, 2), t1), "fut_new by the running task");
    cr_expect(eq(u32, tm_event_by(tr, 4), t1), "task_new inside task 1's step");
    cr_expect(eq(u32, tm_event_by(tr, 5), t1), "a step_end is its task's");
    cr_expect(eq(u32, tm_event_by(tr, 6), t2), "fut_done says task 2 though none runs");
    cr_expect(eq(u32, tm_event_by(tr, 8), t2), "a cb_run inside task 2's unfinished step is in its lane");
    cr_expect(eq(u32, tm_event_h(tr, 0), 2), "task_new's handle");
    cr_expect(eq(u32, tm_event_h(tr, 1), 2), "step_begin's handle");
    cr_expect(eq(u32, tm_event_h(tr, 4), 5));
    cr_expect(eq(u32, tm_event_h(tr, 7), 77), "a handle never queued, as written");
    cr_expect(eq(u32, tm_event_h(tr, 8), 78));
    cr_expect(eq(u32, tm_event_h(tr, 2), 0), "fut_new has none");
    cr_expect(eq(str, (char *)tm_text(tr, tm_event_s2(tr, 0)), "main"), "task_new's coro");
    cr_expect(eq(str, (char *)tm_text(tr, tm_event_s2(tr, 2)), "future"), "fut_new's kind");
    cr_expect(eq(str, (char *)tm_text(tr, tm_event_s2(tr, 3)), "again"), "a second fut_new 3 keeps its kind");
    cr_expect(eq(str, (char *)tm_text(tr, tm_event_s2(tr, 5)), "p.py:3"), "step_end's src");
    cr_expect(eq(str, (char *)tm_text(tr, tm_event_s2(tr, 6)), "m"), "fut_done's message");
    cr_expect(eq(u32, tm_event_s2(tr, 7), 0));
    cr_expect(eq(u32, tm_event_seq(tr, 10), 0), "past the last event");
    cr_expect(eq(u32, tm_event_by(tr, 10), TM_NONE));
    tm_free(tr);
}

/* A trace of `n` sleeping tasks written to `f`: three lines per task and a
** bad line after `bad_after` lines (0: none). */
static void write_many(FILE *f, int n, int bad_after)
{
    int line = 1, seq = 1;
    fputs(HEADER, f);
    fprintf(f, "{\"seq\":%d,\"t\":0,\"ev\":\"task_new\",\"task\":1,\"name\":\"main\",\"parent\":null,"
               "\"coro\":\"main\",\"h\":2}\n", seq++);
    line++;
    for (int i = 0; i < n; i++) {
        uint32_t id = 10 + 4 * (uint32_t)i;
        fprintf(f, "{\"seq\":%d,\"t\":%g,\"ev\":\"task_new\",\"task\":%u,\"name\":\"w%d\",\"parent\":null,"
                   "\"coro\":\"worker\",\"h\":%u}\n", seq++, i * 0.001, id, i, id + 1);
        fprintf(f, "{\"seq\":%d,\"t\":%g,\"ev\":\"step_begin\",\"task\":%u,\"h\":%u}\n", seq++, i * 0.001, id, id + 1);
        fprintf(f, "{\"seq\":%d,\"t\":%g,\"ev\":\"step_end\",\"task\":%u,\"reason\":\"return\"}\n", seq++, i * 0.001, id);
        line += 3;
        if (bad_after && line >= bad_after) {
            fputs("{\"seq\": not json\n", f);
            bad_after = 0;
        }
    }
    fprintf(f, "{\"seq\":%d,\"t\":%g,\"ev\":\"end\",\"reason\":\"complete\"}\n", seq, n * 0.001);
}

Test(model, a_big_file_parsed_ahead_on_a_second_thread_loads_as_a_stream_does)
{
    /* Past 16384 lines of a regular file, lines are parsed on a second thread
    ** (tm_load.c); a stream is parsed where it is read. Both must give the
    ** same model, also when a bad line stops the load midway. The counting
    ** allocator is not thread-safe: this test uses the C library's. */
    co_alloc_set(NULL);
    for (int bad = 0; bad < 2; bad++) {
        char path[] = "/tmp/coroscope-test-big-XXXXXX";
        int fd = mkstemp(path);
        cr_assert(fd >= 0);
        FILE *f = fdopen(fd, "w+");
        write_many(f, 20000, bad ? 40000 : 0);
        fflush(f);
        long size = ftell(f);
        char *text = malloc((size_t)size);
        rewind(f);
        cr_assert(fread(text, 1, (size_t)size, f) == (size_t)size);
        fclose(f);
        tm_trace *a = load(path, 0);
        FILE *m = fmemopen(text, (size_t)size, "r");
        tm_error err;
        tm_trace *b = tm_load_stream(m, 0, &err);
        fclose(m);
        cr_assert(b != NULL, "%s", err.message);
        cr_expect(eq(sz, a->n_events, b->n_events));
        cr_expect(eq(sz, a->n_events, bad ? 40000 : 60002), "events kept");
        cr_expect(eq(sz, a->n_tasks, b->n_tasks));
        cr_expect(eq(sz, a->n_spans, b->n_spans));
        cr_expect(eq(sz, a->n_problems, b->n_problems));
        for (size_t i = 0; i < a->n_problems && i < b->n_problems; i++) {
            cr_expect(eq(u32, a->problems[i].line, b->problems[i].line));
            cr_expect(eq(str, (char *)a->problems[i].message, (char *)b->problems[i].message));
        }
        for (uint32_t i = 0; i < a->n_events; i += 997)
            cr_expect(eq(u32, tm_event_seq(a, i), tm_event_seq(b, i)));
        cr_expect(eq(dbl, a->stats.t_end, b->stats.t_end));
        tm_free(a);
        tm_free(b);
        free(text);
        unlink(path);
    }
}
