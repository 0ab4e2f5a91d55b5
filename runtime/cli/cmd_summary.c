/*
** cmd_summary.c -- `coroscope summary FILE...`: the numbers behind a trace.
**
** For each trace: the makespan (loop time from start to `end`), how many
** steps and callbacks the loop ran, how long it sat idle, the peak number of
** tasks alive at once and the longest the ready queue got -- then one row
** per task with its time running, ready (scheduled but waiting for the loop)
** and waiting (suspended on a future), and how it ended. The definitions are
** those of tm_stats in trace_model.h.
**
** --json prints one JSON object per file on its own line (a single file gives
** one JSON document), with every time in seconds as a number.
*/
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alloc.h"
#include "cli.h"
#include "tm_safe.h"
#include "trace_model.h"

static const char summary_usage[] =
    "usage: coroscope summary [--json] [--max-rows N | --all] FILE...\n"
    "\n"
    "Print a trace's makespan, steps, idle time, peak concurrency (tasks alive\n"
    "at once), peak ready-queue length, and per task: time running, ready\n"
    "(scheduled, not yet run) and waiting (suspended on a future), and outcome.\n"
    "\n"
    "A FILE ending in .py is a Python program: it is recorded first with the\n"
    "CPython recorder (its own output goes to stderr).\n"
    "\n"
    "  --json            one JSON object per file (times in seconds); every task\n"
    "                    unless --max-rows is given\n"
    "  --max-rows N      at most N task rows per trace, then a line saying how many\n"
    "                    more (default 200 in the text; 0 for no cap)\n"
    "  --all             every task row, however many (--max-rows 0)\n"
    "  --max-line SIZE   the longest line to read (default 16M, or $COROSCOPE_MAX_LINE)\n"
    "  -h, --help        this help\n";

/* How a task ended, in a few words: "result 'a'", "ValueError: boom", "cancelled". */
static void outcome_text(const tm_trace *tr, const tm_task *tk, char *buf, size_t size)
{
    const char *result = tm_text(tr, tk->result), *msg = tm_text(tr, tk->msg);
    switch ((tm_outcome)tk->outcome) {
    case TM_OUTCOME_RESULT:
        tm_safe_snprintf(buf, size, "result %s", result);
        break;
    case TM_OUTCOME_EXCEPTION:
        tm_safe_snprintf(buf, size, "exception %s%s%s", result, msg[0] ? ": " : "", msg);
        break;
    case TM_OUTCOME_CANCELLED:
        tm_safe_snprintf(buf, size, "cancelled%s%s", msg[0] ? ": " : "", msg);
        break;
    default:
        snprintf(buf, size, "pending at end");
        break;
    }
}

typedef struct summary_opts {
    int json;
    size_t max_rows;     /* task rows per trace; 0: no cap */
    int rows_given;      /* --max-rows or --all on the command line */
} summary_opts;

/* How many of a trace's tasks get a row. */
static size_t rows_of(const tm_trace *tr, size_t max_rows)
{
    return max_rows && tr->n_tasks > max_rows ? max_rows : tr->n_tasks;
}

static void print_text(const char *path, const tm_trace *tr, size_t max_rows)
{
    const tm_stats *st = &tr->stats;
    char a[32], b[32], c[32];
    const char *scenario = tm_text(tr, tr->scenario);
    tm_safe_fprintf(stdout, "%s (%s)\n", scenario[0] ? scenario : "?", path);
    tm_safe_fprintf(stdout, "  clock             %s, %s semantics\n", tr->clock ? tm_text(tr, tr->clock) : "?",
                    tr->semantics ? tm_text(tr, tr->semantics) : "?");
    printf("  makespan          %s", tm_format_seconds(st->makespan, a, sizeof a));
    if (tr->end_reason == TM_END_MISSING)
        printf(" (trace cut short: no end event)");
    else if (tr->end_reason != TM_END_COMPLETE)
        printf(" (ended: %s)", tm_end_name((tm_end)tr->end_reason));
    putchar('\n');
    printf("  events            %zu\n", tr->n_events);
    printf("  steps             %u\n", st->steps);
    printf("  callbacks         %u\n", st->callbacks);
    printf("  idle              %s\n", tm_format_seconds(st->idle, a, sizeof a));
    if (st->blocked > 0)
        printf("  blocked           %s (steps that held the loop without yielding)\n",
               tm_format_seconds(st->blocked, a, sizeof a));
    if (tr->n_jobs)
        printf("  executor jobs     %zu on %u worker thread%s\n", tr->n_jobs, tr->n_workers,
               tr->n_workers == 1 ? "" : "s");
    printf("  peak concurrency  %u task%s alive at once\n", st->peak_tasks,
           st->peak_tasks == 1 ? "" : "s");
    printf("  peak ready queue  %u handle%s\n", st->peak_ready, st->peak_ready == 1 ? "" : "s");
    printf("  tasks             %zu\n\n", tr->n_tasks);

    size_t rows = rows_of(tr, max_rows);
    int name_w = 4;
    for (size_t i = 0; i < rows && name_w < 40; i++) {
        const tm_task *tk = &tr->tasks[tr->lanes[i]];
        char shown[48];
        int w = (int)(tk->depth * 2) + tm_safe_snprintf(shown, sizeof shown, "%s", tm_text(tr, tk->name));
        if (w > name_w)
            name_w = w;
    }
    if (name_w > 40)
        name_w = 40;
    printf("  %-*s  %-12s %10s %10s %10s %6s  %s\n", name_w, "task", "coroutine", "running",
           "ready", "waiting", "steps", "outcome");
    for (size_t i = 0; i < rows; i++) {
        const tm_task *tk = &tr->tasks[tr->lanes[i]];
        char name[128], out[300];
        int indent = (int)(tk->depth > 10 ? 10 : tk->depth) * 2;
        tm_safe_snprintf(name, sizeof name, "%*s%s", indent, "", tm_text(tr, tk->name));
        outcome_text(tr, tk, out, sizeof out);
        tm_safe_fprintf(stdout, "  %-*.*s  %-12s %10s %10s %10s %6u  %s\n", name_w, name_w, name,
               tm_text(tr, tk->coro), tm_format_seconds(tk->t_running, a, sizeof a),
               tm_format_seconds(tk->t_ready, b, sizeof b),
               tm_format_seconds(tk->t_waiting, c, sizeof c), tk->steps, out);
    }
    if (rows < tr->n_tasks)
        printf("  ... %zu more task%s (--max-rows N or --all shows more)\n", tr->n_tasks - rows,
               tr->n_tasks - rows == 1 ? "" : "s");
}

/* The same numbers as a cJSON tree (NULL when out of memory). */
static cJSON *to_json(const char *path, const tm_trace *tr, size_t max_rows)
{
    const tm_stats *st = &tr->stats;
    cJSON *o = cJSON_CreateObject();
    cJSON *tasks = cJSON_CreateArray();
    if (!o || !tasks) {
        cJSON_Delete(o);
        cJSON_Delete(tasks);
        return NULL;
    }
    cJSON_AddStringToObject(o, "file", path);
    cJSON_AddStringToObject(o, "scenario", tm_text(tr, tr->scenario));
    cJSON_AddStringToObject(o, "clock", tm_text(tr, tr->clock));
    cJSON_AddStringToObject(o, "end", tm_end_name((tm_end)tr->end_reason));
    cJSON_AddNumberToObject(o, "makespan", st->makespan);
    cJSON_AddNumberToObject(o, "events", (double)tr->n_events);
    cJSON_AddNumberToObject(o, "steps", st->steps);
    cJSON_AddNumberToObject(o, "callbacks", st->callbacks);
    cJSON_AddNumberToObject(o, "idle", st->idle);
    cJSON_AddNumberToObject(o, "blocked", st->blocked);
    cJSON_AddNumberToObject(o, "jobs", (double)tr->n_jobs);
    cJSON_AddNumberToObject(o, "peak_concurrency", st->peak_tasks);
    cJSON_AddNumberToObject(o, "peak_ready", st->peak_ready);
    cJSON_AddNumberToObject(o, "problems", (double)(tr->n_problems + tr->problems_dropped));
    cJSON_AddItemToObject(o, "tasks", tasks);
    size_t rows = rows_of(tr, max_rows);
    if (rows < tr->n_tasks)
        cJSON_AddNumberToObject(o, "tasks_left_out", (double)(tr->n_tasks - rows));
    for (size_t i = 0; i < rows; i++) {
        const tm_task *tk = &tr->tasks[tr->lanes[i]];
        cJSON *t = cJSON_CreateObject();
        if (!t) {
            cJSON_Delete(o);
            return NULL;
        }
        cJSON_AddItemToArray(tasks, t);
        cJSON_AddNumberToObject(t, "id", tk->id);
        cJSON_AddStringToObject(t, "name", tm_text(tr, tk->name));
        cJSON_AddStringToObject(t, "coro", tm_text(tr, tk->coro));
        if (tk->parent == TM_NONE)
            cJSON_AddNullToObject(t, "parent");
        else
            cJSON_AddNumberToObject(t, "parent", tr->tasks[tk->parent].id);
        cJSON_AddNumberToObject(t, "depth", tk->depth);
        cJSON_AddNumberToObject(t, "running", tk->t_running);
        cJSON_AddNumberToObject(t, "ready", tk->t_ready);
        cJSON_AddNumberToObject(t, "waiting", tk->t_waiting);
        cJSON_AddNumberToObject(t, "steps", tk->steps);
        cJSON_AddStringToObject(t, "outcome", tm_outcome_name((tm_outcome)tk->outcome));
        if (tk->outcome == TM_OUTCOME_RESULT)
            cJSON_AddStringToObject(t, "result", tm_text(tr, tk->result));
        if (tk->outcome == TM_OUTCOME_EXCEPTION)
            cJSON_AddStringToObject(t, "exc", tm_text(tr, tk->result));
        if (tk->outcome == TM_OUTCOME_EXCEPTION || tk->outcome == TM_OUTCOME_CANCELLED)
            cJSON_AddStringToObject(t, "msg", tm_text(tr, tk->msg));
    }
    return o;
}

static int summary_opt(void *ud, int argc, char **argv, int *i)
{
    summary_opts *o = ud;
    if (!strcmp(argv[*i], "--json")) {
        o->json = 1;
        return 1;
    }
    int r = cli_max_rows_opt("summary", argc, argv, i, &o->max_rows);
    if (r > 0)
        o->rows_given = 1;
    return r;
}

int cli_summary(int argc, char **argv)
{
    summary_opts so = {0, CLI_MAX_ROWS, 0};
    int n;
    char **files;
    int rc0 = cli_parse_files("summary", summary_usage, argc, argv, summary_opt, &so, &files, &n);
    if (rc0 >= 0)
        return rc0;
    int rc = 0;
    for (int k = 0; k < n; k++) {
        tm_error err;
        tm_trace *tr = tm_load(files[k], 0, &err);
        if (!tr) {
            tm_print_error(stderr, "coroscope summary: ", files[k], &err);
            rc = 1;
            continue;
        }
        tm_print_problems(stderr, files[k], "warning: ", tr);
        if (so.json) {
            cJSON *o = to_json(cli_shown(files[k]), tr, so.rows_given ? so.max_rows : 0);
            char *text = o ? cJSON_PrintUnformatted(o) : NULL;
            if (text) {
                tm_safe_json_fputs(text, stdout);
                putchar('\n');
            }
            else {
                fprintf(stderr, "coroscope summary: out of memory\n");
                rc = 1;
            }
            cJSON_free(text);
            cJSON_Delete(o);
        } else {
            if (k > 0)
                putchar('\n');
            print_text(cli_shown(files[k]), tr, so.max_rows);
        }
        tm_free(tr);
    }
    co_free(files);
    if (cli_out_close("summary", "-", stdout))
        rc = 1;
    return rc;
}
