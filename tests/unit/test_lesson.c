/*
** test_lesson.c -- the lesson engine (runtime/lesson): the query language
** parsed and evaluated on real traces (the golden traces of the built-in
** scenarios), answers read as values, lesson files parsed with every problem
** at its FILE:LINE:COL, variants applied, and answers graded for every kind
** of question. No display, no recorder: traces come from traces/golden.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "alloc.h"
#include "counting_alloc.h"
#include "lesson.h"
#include "lq.h"

static void setup(void)
{
    counting_alloc_on();
}

static void no_leaks(void)
{
    cr_expect(eq(long, live_allocs, 0), "allocations still live at the end");
    co_alloc_set(NULL);
}

TestSuite(lq, .init = setup, .fini = no_leaks);
TestSuite(lesson, .init = setup, .fini = no_leaks);

static tm_trace *golden(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "traces/golden/%s.jsonl", name);
    tm_error err;
    tm_trace *tr = tm_load(path, 0, &err);
    cr_assert(tr != NULL, "%s: %s", path, err.message);
    return tr;
}

/* Evaluate `q` on `tr` and format it for people. */
static void value_of(const tm_trace *tr, const char *q, char *buf, size_t size)
{
    lq_error err;
    lq_node *n = lq_parse(q, &err);
    cr_assert(n != NULL, "%s does not parse: col %d: %s", q, err.column, err.message);
    lq_env env = {tr, NULL, NULL};
    lq_value v;
    int rc = lq_eval(n, &env, &v, &err);
    lq_free(n);
    cr_assert(eq(int, rc, 0), "%s fails: %s", q, err.message);
    lq_value_format(&v, tr, buf, size);
    lq_value_free(&v);
}

#define EXPECT_VALUE(tr, q, want)                                                  \
    do {                                                                           \
        char got_[512];                                                            \
        value_of((tr), (q), got_, sizeof got_);                                    \
        cr_expect(eq(str, got_, (char *)(want)), "%s", (q));                       \
    } while (0)

static void eval_error(const tm_trace *tr, const char *q, const char *needle)
{
    lq_error err;
    lq_node *n = lq_parse(q, &err);
    cr_assert(n != NULL, "%s does not parse: %s", q, err.message);
    lq_env env = {tr, NULL, NULL};
    lq_value v;
    cr_expect(eq(int, lq_eval(n, &env, &v, &err), -1), "%s should fail", q);
    cr_expect(strstr(err.message, needle) != NULL, "%s: message '%s' lacks '%s'", q, err.message, needle);
    lq_free(n);
}

static void parse_error(const char *q, int column, const char *needle)
{
    lq_error err;
    lq_node *n = lq_parse(q, &err);
    cr_expect(n == NULL, "%s should not parse", q);
    lq_free(n);
    cr_expect(eq(int, err.column, column), "%s: column", q);
    cr_expect(strstr(err.message, needle) != NULL, "%s: message '%s' lacks '%s'", q, err.message, needle);
}

Test(lq, whole_run_figures_come_from_the_trace)
{
    tm_trace *seq = golden("sequential"), *gat = golden("gather");
    EXPECT_VALUE(seq, "makespan", "6 s");
    EXPECT_VALUE(gat, "makespan", "3 s");
    EXPECT_VALUE(seq, "prints", "a, b, c");
    EXPECT_VALUE(gat, "prints", "['a', 'b', 'c']");
    EXPECT_VALUE(gat, "finish_order", "Task-3, Task-4, Task-2, Task-1");
    EXPECT_VALUE(gat, "first_done", "Task-3");
    EXPECT_VALUE(gat, "last_done", "Task-1");
    EXPECT_VALUE(gat, "tasks", "Task-1, Task-2, Task-3, Task-4");
    EXPECT_VALUE(gat, "peak", "4");
    EXPECT_VALUE(gat, "gather_result()", "['a', 'b', 'c']");
    tm_free(seq);
    tm_free(gat);
}

Test(lq, tasks_are_named_by_name_or_by_their_only_coroutine)
{
    tm_trace *tr = golden("as_completed");
    EXPECT_VALUE(tr, "done_at(\"b\")", "1 s");
    EXPECT_VALUE(tr, "done_at(\"main\")", "3 s");
    EXPECT_VALUE(tr, "result(\"c\")", "'c'");
    EXPECT_VALUE(tr, "steps(\"a\")", "2");
    EXPECT_VALUE(tr, "cancelled(\"a\")", "no");
    EXPECT_VALUE(tr, "exception(\"a\")", "none");
    EXPECT_VALUE(tr, "state(\"a\", 1.5)", "waiting");
    EXPECT_VALUE(tr, "waits_on(\"a\", 1.5)", "sleep(3)");
    EXPECT_VALUE(tr, "state(\"b\", 2)", "done");
    eval_error(tr, "done_at(\"zz\")", "no task is named 'zz'");
    eval_error(tr, "done_at(\"job\")", "3 tasks run job()");
    tm_free(tr);
}

Test(lq, the_loop_at_a_moment)
{
    tm_trace *tr = golden("gather");
    /* Just after the 1 s timer fires, its callback is ready; after it runs, Task-3's wake-up is. */
    EXPECT_VALUE(tr, "timers_at(start)", "(none)");
    EXPECT_VALUE(tr, "timers_at(suspend(\"Task-4\", 1))", "1 s, 2 s, 3 s");
    EXPECT_VALUE(tr, "ready_at(created(\"Task-4\"))", "Task-2, Task-3, Task-4");
    EXPECT_VALUE(tr, "next_after(suspend(\"Task-1\", 1))", "Task-2");
    EXPECT_VALUE(tr, "next_after(done(\"Task-3\"))", "Task-4");
    EXPECT_VALUE(tr, "running_at(step(\"Task-2\"))", "Task-2");
    EXPECT_VALUE(tr, "elapsed(start, done(\"Task-2\"))", "3 s");
    EXPECT_VALUE(tr, "time_of(wake(\"Task-3\", 1))", "1 s");
    tm_free(tr);
}

Test(lq, printed_lines_and_events)
{
    tm_trace *tr = golden("sequential");
    EXPECT_VALUE(tr, "printed_at(\"b\")", "4 s");
    EXPECT_VALUE(tr, "printed_by(\"c\")", "Task-1");
    EXPECT_VALUE(tr, "time_of(print(\"c\"))", "6 s");
    eval_error(tr, "printed_at(\"z\")", "nothing printed the line 'z'");
    eval_error(tr, "step(\"Task-1\", 9)", "has 4 step_begin events, not 9");
    tm_free(tr);
}

Test(lq, goals_combine_comparisons)
{
    tm_trace *tr = golden("gather");
    EXPECT_VALUE(tr, "makespan <= 3 and count(finish_order) == 4", "yes");
    EXPECT_VALUE(tr, "makespan < 3", "no");
    EXPECT_VALUE(tr, "not (makespan > 3) or done_at(\"Task-2\") == 1", "yes");
    EXPECT_VALUE(tr, "\"Task-3\" in finish_order", "yes");
    EXPECT_VALUE(tr, "\"b\" in gather_result()", "yes");
    EXPECT_VALUE(tr, "finish_order == [\"Task-3\", \"Task-4\", \"Task-2\", \"Task-1\"]", "yes");
    EXPECT_VALUE(tr, "3000ms == makespan", "yes");
    tm_free(tr);
}

/* Why `q` is false on `tr`. */
static void why_of(const tm_trace *tr, const char *q, char *buf, size_t size)
{
    lq_error err;
    lq_node *n = lq_parse(q, &err);
    cr_assert(n != NULL, "%s does not parse: %s", q, err.message);
    lq_env env = {tr, NULL, NULL};
    lq_explain(n, &env, buf, size);
    lq_free(n);
}

Test(lq, a_false_goal_says_which_part_failed_and_what_the_run_gave)
{
    tm_trace *tr = golden("sequential");
    char why[512];
    why_of(tr, "makespan <= 4.5 and count(prints) == 3", why, sizeof why);
    cr_expect(eq(str, why, "makespan <= 4.5 is false (makespan is 6 s)"), "%s", why);
    why_of(tr, "makespan < 1 and \"z\" in prints", why, sizeof why);
    cr_expect(strstr(why, "makespan < 1 is false (makespan is 6 s); 'z' in prints is false (prints is ") == why,
              "both failing parts, each with its figure: %s", why);
    why_of(tr, "makespan == 6", why, sizeof why);
    cr_expect(eq(str, why, ""), "a goal that holds needs no reason");
    why_of(tr, "not (makespan == 6)", why, sizeof why);
    cr_expect(eq(str, why, "not makespan == 6 is false"), "%s", why);
    tm_free(tr);
}

Test(lq, bad_queries_say_what_and_where)
{
    parse_error("makespam", 1, "did you mean 'makespan'");
    parse_error("makespan <= ", 13, "ends where a value should be");
    parse_error("done_at()", 1, "done_at takes (TASK)");
    parse_error("makespan = 3", 10, "use '=='");
    parse_error("makespan and prints", 1, "'and' joins yes/no questions");
    parse_error("prints < 3", 8, "compare numbers");
    parse_error("done_at(3)", 9, "must be a name or text in quotes");
    parse_error("state(\"a\", \"b\")", 12, "an event or a time");
    parse_error("[1, 2", 6, "expected ',' or ']'");
    parse_error("\"open", 1, "no closing");
    parse_error("makespan )", 10, "unexpected ')'");
}

Test(lq, answers_are_read_as_the_answers_type)
{
    char err[256];
    lq_value like = {.type = LQ_SECONDS}, v;
    cr_assert(eq(int, lq_value_read("250 ms", &like, &v, err, sizeof err), 0), "%s", err);
    cr_expect(v.num > 0.2499 && v.num < 0.2501);
    lq_value_free(&v);
    cr_assert(eq(int, lq_value_read("3 s", &like, &v, err, sizeof err), 0));
    cr_expect(eq(dbl, v.num, 3.0));
    lq_value_free(&v);
    cr_expect(eq(int, lq_value_read("three", &like, &v, err, sizeof err), -1));
    cr_expect(strstr(err, "is not a time") != NULL, "%s", err);

    lq_value item = {.type = LQ_NAME, .text = "x"};
    lq_value list = {.type = LQ_LIST, .items = &item, .n = 1};
    cr_assert(eq(int, lq_value_read("b → c → a", &list, &v, err, sizeof err), 0), "%s", err);
    cr_expect(eq(sz, v.n, 3));
    cr_expect(eq(str, v.items[2].text, "a"));
    lq_value_free(&v);
    cr_assert(eq(int, lq_value_read("['a', 'b, c']", &list, &v, err, sizeof err), 0), "%s", err);
    cr_expect(eq(sz, v.n, 2));
    cr_expect(eq(str, v.items[1].text, "b, c"));
    lq_value_free(&v);

    lq_value yn = {.type = LQ_BOOL};
    cr_assert(eq(int, lq_value_read("Yes", &yn, &v, err, sizeof err), 0));
    cr_expect(eq(dbl, v.num, 1.0));
    cr_expect(eq(int, lq_value_read("maybe", &yn, &v, err, sizeof err), -1));
    lq_value nm = {.type = LQ_NAME};
    cr_assert(eq(int, lq_value_read("`Task-2`", &nm, &v, err, sizeof err), 0));
    cr_expect(eq(str, v.text, "Task-2"));
    lq_value_free(&v);
}

/* ---- lesson files ------------------------------------------------------------- */

static char dir[] = "/tmp/test_lesson.XXXXXX";

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    cr_assert(f != NULL);
    fputs(text, f);
    fclose(f);
}

static const char prog[] =
    "import asyncio\n"
    "\n"
    "async def job(name, delay):\n"
    "    await asyncio.sleep(delay)\n"
    "    return name\n"
    "\n"
    "async def main():\n"
    "    print(await job(\"a\", 3))\n"
    "    print(await job(\"b\", 1))\n"
    "    print(await job(\"c\", 2))\n"
    "\n"
    "asyncio.run(main())\n";

static const char front[] =
    "---\n"
    "title: Test\n"
    "id: test-lesson\n"
    "level: beginner\n"
    "topics: [await]\n"
    "minutes: 5\n"
    "programs:\n"
    "  main: prog.py\n"
    "---\n";

static lesson *load_text(const char *body, ls_diags *d)
{
    cr_assert(mkdtemp(dir) != NULL || dir[0]);
    write_file("prog.py", prog);
    char text[8192];
    snprintf(text, sizeof text, "%s%s", front, body);
    write_file("l.md", text);
    char path[512];
    snprintf(path, sizeof path, "%s/l.md", dir);
    memset(d, 0, sizeof *d);
    return lesson_load(path, d);
}

static void cleanup_dir(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/l.md", dir);
    unlink(path);
    snprintf(path, sizeof path, "%s/prog.py", dir);
    unlink(path);
    rmdir(dir);
    strcpy(dir, "/tmp/test_lesson.XXXXXX");
}

static int has_diag(const ls_diags *d, int line, int col, const char *needle)
{
    for (size_t i = 0; i < d->n; i++)
        if (d->items[i].line == line && (col < 0 || d->items[i].column == col) &&
            strstr(d->items[i].message, needle))
            return 1;
    return 0;
}

static void print_diags(const ls_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        fprintf(stderr, "  %d:%d: %s\n", d->items[i].line, d->items[i].column, d->items[i].message);
}

Test(lesson, a_lesson_parses_into_prose_and_blocks_with_options_and_feedback)
{
    ls_diags d;
    lesson *L = load_text("\n# Heading\n\nSome prose.\n\n"
                          ":::{predict} total\n"
                          ":ask: choice\n"
                          ":answer: makespan\n"
                          "How long?\n"
                          "\n"
                          "- 3 s\n"
                          "  > The longest wait; but awaits take turns.\n"
                          "- 6 s {= 6}\n"
                          "  > Right: 3 + 1 + 2.\n"
                          ":::\n"
                          "\n"
                          ":::{reveal} show\n"
                          ":until: print(\"c\")\n"
                          ":::\n",
                          &d);
    cr_assert(L != NULL);
    print_diags(&d);
    cr_expect(eq(sz, d.errors, 0));
    cr_expect(eq(str, L->title, "Test"));
    cr_expect(eq(sz, L->n_topics, 1));
    cr_assert(eq(sz, L->n_blocks, 3));
    cr_expect(eq(int, L->blocks[0].kind, LS_PROSE));
    const ls_block *b = &L->blocks[1];
    cr_expect(eq(int, b->kind, LS_PREDICT));
    cr_expect(eq(str, b->id, "total"));
    cr_expect(eq(str, b->body, "How long?\n\n"));
    cr_assert(eq(sz, b->n_options, 2));
    cr_expect(eq(str, b->options[0].feedback, "The longest wait; but awaits take turns."));
    cr_expect(eq(str, b->options[1].text, "6 s"));
    cr_expect(eq(str, b->options[1].value, "6"));
    cr_expect(eq(int, L->blocks[2].kind, LS_REVEAL));
    cr_expect(eq(sz, L->blocks[2].n_programs, 1));
    cr_expect(eq(sz, lesson_graded(L), 1));
    lesson_free(L);
    ls_diags_free(&d);
    cleanup_dir();
}

Test(lesson, problems_are_reported_at_their_line_and_column)
{
    ls_diags d;
    lesson *L = load_text(":::{predict} q1\n"          /* line 10 */
                          ":answer: makespam\n"         /* 11 */
                          ":colour: red\n"              /* 12 */
                          "- only one\n"                /* 13 */
                          ":::\n"                       /* 14 */
                          ":::{predict} q1\n"           /* 15: the same id */
                          ":ask: number\n"
                          ":answer: prints\n"           /* 17: a list for a number */
                          ":::\n"
                          ":::{puzzle} p\n"             /* 19 */
                          ":::\n"
                          ":::{reveal} r\n"             /* 21 */
                          ":program: nowhere\n"         /* 22 */
                          ":::\n"
                          ":::{explain} e\n"            /* 24 */
                          "It took {{ makespan + }}.\n" /* 25 */
                          ":::\n"
                          ":::{task} t\n",              /* 27: never closed */
                          &d);
    cr_assert(L != NULL);
    cr_expect(has_diag(&d, 11, 10, "did you mean 'makespan'"), "the query's column");
    cr_expect(has_diag(&d, 12, 2, "has no option 'colour'"));
    cr_expect(has_diag(&d, 10, 1, "at least two options"));
    cr_expect(has_diag(&d, 15, -1, "used twice (also on line 10)"));
    cr_expect(has_diag(&d, 17, -1, "must be a number"));
    cr_expect(has_diag(&d, 19, 5, "unknown block kind 'puzzle'"));
    cr_expect(has_diag(&d, 22, 11, "no program named 'nowhere'"));
    cr_expect(has_diag(&d, 25, 1, "in {{ makespan + }}"));
    cr_expect(has_diag(&d, 27, 1, "no closing ':::'"));
    if (d.n < 9)
        print_diags(&d);
    lesson_free(L);
    ls_diags_free(&d);
    cleanup_dir();
}

Test(lesson, front_matter_must_be_complete)
{
    cr_assert(mkdtemp(dir) != NULL);
    write_file("l.md", "---\ntitle: X\nlevel: expert\nminutes: ten\nprograms:\n  a: missing.py\ncolour: red\n---\n");
    char path[512];
    snprintf(path, sizeof path, "%s/l.md", dir);
    ls_diags d = {0};
    lesson *L = lesson_load(path, &d);
    cr_assert(L != NULL);
    cr_expect(has_diag(&d, 3, -1, "level 'expert'"));
    cr_expect(has_diag(&d, 4, -1, "'minutes' takes a whole number"));
    cr_expect(has_diag(&d, 6, -1, "cannot read it"));
    cr_expect(has_diag(&d, 7, 1, "unknown front-matter key 'colour'"));
    cr_expect(has_diag(&d, 8, 1, "lacks 'id:'"));
    cr_expect(has_diag(&d, 8, 1, "lacks 'topics:'"));
    lesson_free(L);
    ls_diags_free(&d);
    unlink(path);
    rmdir(dir);
    strcpy(dir, "/tmp/test_lesson.XXXXXX");
}

Test(lesson, variants_change_text_or_replace_lines)
{
    ls_diags d;
    lesson *L = load_text(":::{variant} shorter\n"
                          ":change: job(\"b\", 1) => job(\"b\", 0)\n"
                          "B takes no time now.\n"
                          ":::\n"
                          ":::{variant} together\n"
                          ":replace: 8-10\n"
                          "Gather them:\n"
                          "```python\n"
                          "    print(await asyncio.gather(job(\"a\", 3), job(\"b\", 1), job(\"c\", 2)))\n"
                          "```\n"
                          ":::\n"
                          ":::{variant} twice\n"
                          ":change: print => log\n"
                          ":::\n",
                          &d);
    cr_assert(L != NULL);
    cr_assert(eq(sz, L->n_programs, 3), "main and two variants");
    cr_expect(strstr(L->programs[1].text, "job(\"b\", 0)") != NULL);
    cr_expect(strstr(L->programs[1].text, "job(\"b\", 1)") == NULL);
    cr_expect(L->programs[1].variant);
    const char *t = L->programs[2].text;
    cr_expect(strstr(t, "asyncio.gather(job(\"a\", 3)") != NULL, "%s", t);
    cr_expect(strstr(t, "print(await job") == NULL, "the replaced lines are gone: %s", t);
    cr_expect(strstr(t, "asyncio.run(main())") != NULL);
    cr_expect(has_diag(&d, 22, 1, "occurs 3 times"), "an edit that is not unique");
    lesson_free(L);
    ls_diags_free(&d);
    cleanup_dir();
}

/* Grade against a golden trace: the lesson's program stands for `sequential`. */
static void attach(lesson *L, const char *name)
{
    L->programs[0].trace = golden(name);
}

static ls_verdict grade(lesson *L, int block, const char *answer)
{
    ls_verdict v;
    lesson_grade(L, &L->blocks[block], NULL, answer, &v);
    return v;
}

Test(lesson, answers_are_graded_from_the_trace_for_every_kind)
{
    ls_diags d;
    lesson *L = load_text(":::{predict} c\n:answer: makespan\nHow long?\n- 3 s\n  > Longest.\n- 6 s\n  > Sum.\n:::\n"
                          ":::{predict} n\n:ask: number\n:answer: printed_at(\"b\")\n:tolerance: 0.5\nWhen?\n"
                          "- 1 s\n  > b's own wait only.\n:::\n"
                          ":::{predict} o\n:ask: order\n:answer: prints\nOrder:\n- c\n- a\n- b\n:::\n"
                          ":::{predict} tf\n:ask: truefalse\n:answer: makespan > 5\nTrue?\n:::\n"
                          ":::{predict} nx\n:ask: next\n:at: suspend(\"main\", 1)\n:answer: next_after(suspend(\"main\", 1))\n"
                          "Who runs next?\n:::\n"
                          ":::{predict} pk\n:ask: pick\n:answer: print(\"b\")\nPick it.\n:::\n"
                          ":::{predict} tx\n:ask: text\nWhy?\n\nModel answer: awaits take turns.\n:::\n",
                          &d);
    cr_assert(L != NULL);
    print_diags(&d);
    cr_assert(eq(sz, d.errors, 0));
    attach(L, "sequential");
    ls_verdict v = grade(L, 0, "2");
    cr_expect(v.correct && v.answered && v.graded);
    cr_expect(eq(str, v.given, "6 s"));
    cr_expect(eq(str, (char *)v.feedback, "Sum."));
    v = grade(L, 0, "a");
    cr_expect(1 && !v.correct);
    cr_expect(eq(str, (char *)v.feedback, "Longest."));
    cr_expect(eq(str, v.right, "6 s"));
    v = grade(L, 0, "7");
    cr_expect(1 && !v.answered && strstr(v.error, "1 to 2") != NULL, "%s", v.error);
    v = grade(L, 0, "");
    cr_expect(1 && !v.answered && !v.correct && v.graded, "no answer counts as wrong");

    v = grade(L, 1, "4.4 s");
    cr_expect(v.correct, "within the tolerance");
    v = grade(L, 1, "1");
    cr_expect(1 && !v.correct);
    cr_expect(eq(str, (char *)v.feedback, "b's own wait only."));
    v = grade(L, 1, "soon");
    cr_expect(1 && !v.answered && strstr(v.error, "not a time") != NULL);

    v = grade(L, 2, "2,3,1");
    cr_expect(v.correct, "a, b, c by number");
    v = grade(L, 2, "a, c, b");
    cr_expect(1 && !v.correct);
    v = grade(L, 2, "a → b → c");
    cr_expect(v.correct, "by the items themselves");

    v = grade(L, 2, "1,2,3");
    cr_expect(eq(str, v.right, "2,3,1 (a, b, c)"), "an order's answer in the options' numbers too: %s", v.right);

    v = grade(L, 3, "1");
    cr_expect(v.correct, "option 1 is True");
    v = grade(L, 3, "no");
    cr_expect(1 && !v.correct && v.answered);
    v = grade(L, 3, "2");
    cr_expect(eq(str, v.right, "True"), "said as the choices say it, not 'yes': %s", v.right);
    cr_expect(eq(str, v.given, "False"));

    v = grade(L, 4, "Task-1");
    cr_expect(v.correct, "main awaits job() inline: no other task exists, it runs again after the sleep");
    cr_expect(eq(str, v.right, "Task-1"), "right: %s", v.right);
    v = grade(L, 4, "1");
    cr_expect(v.correct, "the choices are the tasks alive then: only Task-1");

    const tm_trace *tr = L->programs[0].trace;
    uint32_t pseq = 0;
    for (size_t i = 0; i < tr->n_prints; i++)
        if (!strcmp(tm_text(tr, tr->events[tr->prints[i]].s1), "b"))
            pseq = tm_event_seq(tr, tr->prints[i]);
    char ans[16];
    snprintf(ans, sizeof ans, "#%u", pseq);
    v = grade(L, 5, ans);
    cr_expect(v.correct, "the print event itself");
    v = grade(L, 5, "#2");
    cr_expect(1 && !v.correct && v.answered, "%s", v.error);

    v = grade(L, 6, "because");
    cr_expect(1 && !v.graded && v.answered);
    cr_expect(strstr(v.right, "awaits take turns") != NULL);
    cr_expect(eq(sz, lesson_graded(L), 6));
    lesson_free(L);
    ls_diags_free(&d);
    cleanup_dir();
}

Test(lesson, check_finds_choices_without_exactly_one_right_option)
{
    ls_diags d;
    lesson *L = load_text(":::{predict} none\n:answer: makespan\nHow long?\n- 3 s\n  > x\n- 4 s\n  > y\n:::\n"
                          ":::{predict} two\n:answer: makespan\nHow long?\n- 6 s\n- 6000 ms\n:::\n"
                          ":::{predict} nofeedback\n:answer: makespan\nHow long?\n- 6 s\n- 1 s\n:::\n",
                          &d);
    cr_assert(L != NULL);
    cr_assert(eq(sz, d.errors, 0));
    attach(L, "sequential");
    lesson_check_traces(L, NULL, "/tmp", NULL, NULL, &d);
    cr_expect(has_diag(&d, 10, 1, "0 options equal the answer (makespan = 6 s)"));
    cr_expect(has_diag(&d, 18, 1, "2 options equal the answer"));
    cr_expect(has_diag(&d, 28, 3, "wrong option '1 s' has no feedback"));
    lesson_free(L);
    ls_diags_free(&d);
    cleanup_dir();
}

Test(lesson, explanations_interpolate_the_runs_figures)
{
    ls_diags d;
    lesson *L = load_text(":::{explain} e\nIt took {{ makespan }}: {{ prints }}. {{ nope() }}\n:::\n", &d);
    cr_assert(L != NULL);
    attach(L, "sequential");
    char *s = lesson_interpolate(L, 0, "It took {{ makespan }}; printed {{ prints }}; {{ main: count(prints) }}.", NULL);
    cr_assert(s != NULL);
    cr_expect(eq(str, s, "It took 6 s; printed a, b, c; 3."));
    co_free(s);
    s = lesson_interpolate(L, 0, "{{ done_at(\"zz\") }}", NULL);
    cr_expect(strstr(s, "[?: no task is named 'zz'") != NULL, "%s", s);
    co_free(s);
    lesson_free(L);
    ls_diags_free(&d);
    cleanup_dir();
}

Test(lesson, a_session_counts_the_score_and_reveals_programs_in_order)
{
    ls_diags d;
    lesson *L = load_text(":::{predict} c\n:answer: makespan\nHow long?\n- 3 s\n  > x\n- 6 s\n  > y\n:::\n"
                          ":::{reveal} r\n:::\n",
                          &d);
    cr_assert(L != NULL);
    attach(L, "sequential");
    ls_session s;
    cr_assert(eq(int, ls_session_init(&s, L), 0));
    cr_expect(1 && !s.revealed[0], "nothing shown before the answer");
    ls_verdict v = grade(L, 0, "2");
    ls_session_answer(&s, &v);
    cr_expect(eq(int, ls_session_next(&s), 0));
    cr_expect(1 && !s.revealed[0], "the reveal has not been passed yet");
    ls_session_next(&s);
    cr_expect(s.revealed[0]);
    size_t right, graded;
    ls_session_score(&s, &right, &graded);
    cr_expect(eq(sz, right, 1));
    cr_expect(eq(sz, graded, 1));
    ls_session_free(&s);
    lesson_free(L);
    ls_diags_free(&d);
    cleanup_dir();
}
