/*
** test_sources.c -- what version 3 of the trace format adds to the model
** (runtime/model/tm_source.c): embedded source files and their lines, the
** `src` of every event, the C location kept beside a twin's line, the locals
** recorded at a suspension, and the await graph built from `of` lists,
** waiting spans and TaskGroups.
**
** tests/data/v3_sources.jsonl is the hand-written gather trace of
** test_model.c with a `source` event for gather.py, `of` on the gather, and
** `locals` on the suspensions; line numbers inside it are part of the test.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>

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

TestSuite(sources, .init = setup, .fini = no_leaks);

static tm_trace *load(const char *path, unsigned flags)
{
    tm_error err;
    tm_trace *tr = tm_load(path, flags, &err);
    cr_assert(tr != NULL, "%s did not load: %u:%u: %s", path, err.line, err.column, err.message);
    return tr;
}

static uint32_t task_named(const tm_trace *tr, const char *name)
{
    for (size_t i = 0; i < tr->n_tasks; i++)
        if (!strcmp(tm_text(tr, tr->tasks[i].name), name))
            return (uint32_t)i;
    cr_fatal("no task named %s", name);
    return TM_NONE;
}

static uint32_t event_seq(const tm_trace *tr, uint32_t seq)
{
    for (size_t i = 0; i < tr->n_events; i++)
        if (tm_event_seq(tr, i) == seq)
            return (uint32_t)i;
    cr_fatal("no event with seq %u", seq);
    return TM_NONE;
}

/* Write a small trace to a temporary file and load it (strictly). */
static tm_trace *load_text(const char *text, unsigned flags, size_t *problems)
{
    FILE *f = tmpfile();
    cr_assert(f != NULL);
    fputs(text, f);
    rewind(f);
    tm_error err;
    tm_trace *tr = tm_load_stream(f, flags, &err);
    fclose(f);
    cr_assert(tr != NULL, "did not load: %u:%u: %s", err.line, err.column, err.message);
    *problems = tr->n_problems;
    return tr;
}

static int has_problem(const tm_trace *tr, uint32_t line, const char *needle)
{
    for (size_t i = 0; i < tr->n_problems; i++)
        if (tr->problems[i].line == line && strstr(tr->problems[i].message, needle))
            return 1;
    return 0;
}

Test(sources, an_embedded_file_is_kept_with_an_index_of_its_lines)
{
    tm_trace *tr = load(DATA("v3_sources.jsonl"), TM_LOAD_STRICT);
    cr_expect(eq(sz, tr->n_problems, 0), "problems: %s", tr->n_problems ? tr->problems[0].message : "");
    cr_assert(eq(sz, tr->n_sources, 1));
    cr_expect(eq(str, (char *)tm_text(tr, tr->sources[0].file), "gather.py"));
    cr_expect(eq(u32, tr->sources[0].n_lines, 16));
    cr_expect(eq(u32, tm_find_source(tr, "gather.py"), 0));
    cr_expect(eq(u32, tm_find_source(tr, "other.py"), TM_NONE));
    size_t len;
    const char *l6 = tm_source_line(tr, 0, 6, &len);
    cr_assert(l6 != NULL);
    cr_expect(eq(int, (int)len, 30));
    cr_expect(strncmp(l6, "    await asyncio.sleep(delay)", len) == 0);
    cr_expect(tm_source_line(tr, 0, 17, &len) == NULL, "line past the end");
    cr_expect(tm_source_line(tr, 0, 0, &len) == NULL, "line 0");
    cr_expect(tm_source_line(tr, 1, 1, &len) == NULL, "no such source");
    tm_free(tr);
}

Test(sources, every_src_names_its_line_in_the_embedded_file_and_keeps_the_c_location)
{
    tm_trace *tr = load(DATA("v3_sources.jsonl"), 0);
    /* seq 11 is main's await on the gather, with a csrc; seq 15 a job's sleep. */
    const tm_srcref *r = tm_event_src(tr, event_seq(tr, 11));
    cr_assert(r != NULL);
    cr_expect(eq(u32, r->source, 0));
    cr_expect(eq(u32, r->line, 11));
    cr_expect(eq(str, (char *)tm_text(tr, r->csrc), "runtime/scenarios/headline.c:45"));
    r = tm_event_src(tr, event_seq(tr, 15));
    cr_assert(r != NULL);
    cr_expect(eq(u32, r->line, 6));
    cr_expect(eq(u32, r->csrc, 0));
    /* task_new and print carry src too; a step_begin does not. */
    cr_expect(tm_event_src(tr, event_seq(tr, 4)) != NULL, "task_new of Task-2");
    cr_expect(tm_event_src(tr, event_seq(tr, 3)) == NULL, "step_begin");
    for (size_t i = 1; i < tr->n_srcrefs; i++)
        cr_expect(tr->srcrefs[i - 1].ev < tr->srcrefs[i].ev, "srcrefs in event order");
    tm_free(tr);
}

Test(sources, a_suspended_task_stands_on_its_await_line_with_the_locals_recorded_there)
{
    tm_trace *tr = load(DATA("v3_sources.jsonl"), 0);
    uint32_t t2 = task_named(tr, "Task-2"), t1 = task_named(tr, "Task-1");
    uint32_t idle = event_seq(tr, 24);           /* the clock jumps to 1 s */
    const tm_locals *lc = NULL;
    const tm_srcref *r = tm_task_src_at(tr, t2, idle, &lc);
    cr_assert(r != NULL);
    cr_expect(eq(u32, r->line, 6));
    cr_assert(lc != NULL);
    cr_assert(eq(u32, lc->frame_count, 1));
    const tm_lframe *fr = &tr->lframes[lc->frame_first];
    cr_expect(eq(str, (char *)tm_text(tr, fr->fn), "job"));
    cr_expect(eq(u32, fr->var_count, 2));
    cr_expect(eq(str, (char *)tm_text(tr, tr->vars[fr->var_first].name), "name"));
    cr_expect(eq(str, (char *)tm_text(tr, tr->vars[fr->var_first].value), "'a'"));
    cr_expect(eq(str, (char *)tm_text(tr, tr->vars[fr->var_first + 1].name), "delay"));
    r = tm_task_src_at(tr, t1, idle, &lc);
    cr_assert(r != NULL);
    cr_expect(eq(u32, r->line, 11));
    /* Before a task exists there is nothing to say. */
    cr_expect(tm_task_src_at(tr, t2, event_seq(tr, 2), &lc) == NULL);
    cr_expect(lc == NULL);
    tm_free(tr);
}

Test(sources, the_await_graph_puts_main_over_its_gather_over_the_children)
{
    tm_trace *tr = load(DATA("v3_sources.jsonl"), 0);
    tm_await_node nodes[16];
    size_t n = tm_await_graph_at(tr, event_seq(tr, 24), nodes, 16);
    /* Task-1 -> gather(3) -> Task-2 -> sleep(3), Task-3 -> sleep(1), Task-4 -> sleep(2) */
    cr_expect(eq(sz, n, 8));
    cr_expect(eq(u32, nodes[0].task, task_named(tr, "Task-1")));
    cr_expect(eq(u32, nodes[0].depth, 0));
    cr_expect(eq(u32, nodes[1].task, TM_NONE));
    cr_expect(nodes[1].fut != TM_NONE && !strcmp(tm_text(tr, tr->futures[nodes[1].fut].kind), "gather"));
    cr_expect(eq(u32, nodes[1].parent, 0));
    const char *want[] = {"Task-2", "Task-3", "Task-4"};
    const char *sleeps[] = {"sleep(3)", "sleep(1)", "sleep(2)"};
    for (int i = 0; i < 3 && n == 8; i++) {
        const tm_await_node *tk = &nodes[2 + 2 * i], *sl = &nodes[3 + 2 * i];
        cr_expect(eq(u32, tk->task, task_named(tr, want[i])));
        cr_expect(eq(u32, tk->parent, 1));
        cr_expect(eq(u32, tk->depth, 2));
        cr_expect(eq(u32, sl->parent, (uint32_t)(2 + 2 * i)));
        cr_expect(sl->fut != TM_NONE && !strcmp(tm_text(tr, tr->futures[sl->fut].label), sleeps[i]),
                  "%s waits on %s", want[i], sleeps[i]);
    }
    /* The count is the graph's size even when the buffer is smaller. */
    cr_expect(eq(sz, tm_await_graph_at(tr, event_seq(tr, 24), nodes, 2), 8));
    /* Once Task-3 is done it stays under the gather, as a leaf. */
    n = tm_await_graph_at(tr, event_seq(tr, 34), nodes, 16);
    cr_expect(eq(sz, n, 7));
    tm_free(tr);
}

Test(sources, without_of_lists_a_waiting_task_is_a_root_of_its_own)
{
    tm_trace *tr = load(DATA("gather.jsonl"), 0);   /* version 1: no `of` */
    tm_await_node nodes[16];
    size_t n = tm_await_graph_at(tr, event_seq(tr, 23), nodes, 16);
    /* main -> gather(3) (nothing known under it), and three roots, each over its sleep */
    cr_expect(eq(sz, n, 8));
    int roots = 0;
    for (size_t i = 0; i < n && i < 16; i++)
        roots += nodes[i].depth == 0;
    cr_expect(eq(int, roots, 4));
    cr_expect(eq(sz, tr->n_sources, 0));
    const tm_srcref *r = tm_event_src(tr, event_seq(tr, 10));
    cr_expect(r != NULL && r->source == TM_NONE, "an old trace's src is still read, with no source");
    tm_free(tr);
}

Test(sources, strict_loads_report_bad_src_locals_and_misplaced_sources)
{
    size_t np;
    tm_trace *tr = load_text(
        "{\"format\":\"coroscope-trace\",\"version\":2,\"scenario\":\"x\",\"clock\":\"virtual\","
        "\"semantics\":\"cpython-3.11\",\"producer\":\"test\"}\n"
        "{\"seq\":1,\"t\":0,\"ev\":\"source\",\"file\":\"x.py\",\"text\":\"a\\nb\\n\"}\n"
        "{\"seq\":2,\"t\":0,\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null,"
        "\"coro\":\"main\",\"h\":2,\"src\":\"x.py\"}\n"
        "{\"seq\":3,\"t\":0,\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n"
        "{\"seq\":4,\"t\":0,\"ev\":\"step_end\",\"task\":1,\"reason\":\"yield\",\"h\":3,"
        "\"src\":\"x.py:9\",\"locals\":7}\n"
        "{\"seq\":5,\"t\":0,\"ev\":\"source\",\"file\":\"x.py\",\"text\":\"again\"}\n"
        "{\"seq\":6,\"t\":0,\"ev\":\"end\",\"reason\":\"interrupted\"}\n",
        TM_LOAD_STRICT, &np);
    cr_expect(has_problem(tr, 2, "version 3 event"), "source in a version 2 trace");
    cr_expect(has_problem(tr, 3, "is not FILE:LINE"));
    cr_expect(has_problem(tr, 5, "line 9 of x.py, which has 2 lines"));
    cr_expect(has_problem(tr, 5, "\"locals\" must be a list"));
    cr_expect(has_problem(tr, 6, "embedded twice"));
    cr_expect(eq(int, tr->end_reason, TM_END_INTERRUPTED));
    cr_expect(eq(str, (char *)tm_end_name(TM_END_INTERRUPTED), "interrupted"));
    cr_expect(eq(str, (char *)tm_end_name(TM_END_MAX_EVENTS), "max_events"));
    cr_expect(eq(str, (char *)tm_end_name(TM_END_MAX_TIME), "max_time"));
    tm_free(tr);
}
