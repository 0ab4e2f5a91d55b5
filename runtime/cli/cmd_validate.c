/*
** cmd_validate.c -- `coroscope validate FILE...`: check traces against
** traces/FORMAT.md.
**
** The trace is loaded in strict mode (TM_LOAD_STRICT), which reads past bad
** lines and checks every rule the model knows: JSON syntax, the header,
** required fields and their types, seq without gaps, time never going back,
** known event kinds, version 4's string table (each `str` line numbered in
** order and defined once, each number an event uses defined before it), ids
** that name something created earlier, steps that
** begin and end in order, tasks and futures finishing once, and an `end`
** event. Each problem is printed as `FILE:LINE:COL: message`, the form
** editors and CI logs link to the line; a clean file prints
** `FILE: ok (N events)`. The exit status is 1 when any file has a problem.
*/
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "cli.h"
#include "tm_safe.h"
#include "trace_model.h"

static const char validate_usage[] =
    "usage: coroscope validate [-q] FILE...\n"
    "\n"
    "Check traces against the trace format (traces/FORMAT.md) and the rules of\n"
    "the event loop: each problem is printed as FILE:LINE:COL: message.\n"
    "Prints FILE: ok (N events) for a clean trace. Exit status: 0 when every\n"
    "file is clean, 1 when any has a problem, 2 on a usage error.\n"
    "\n"
    "A FILE ending in .py is a Python program: it is recorded first with the\n"
    "CPython recorder (its own output goes to stderr).\n"
    "\n"
    "  -q, --quiet       print only the problems\n"
    "  --max-line SIZE   the longest line to read (default 16M, or $COROSCOPE_MAX_LINE)\n"
    "  -h, --help        this help\n";

/* Validate one file; returns 1 when it has a problem. */
static int validate_one(const char *path, int quiet)
{
    tm_error err;
    tm_trace *tr = tm_load(path, TM_LOAD_STRICT, &err);
    if (!tr) {
        tm_print_error(stdout, "", path, &err);
        return 1;
    }
    tm_print_problems(stdout, path, "", tr);
    size_t problems = tr->n_problems + tr->problems_dropped;
    if (!problems && !quiet)
        tm_safe_fprintf(stdout, "%s: ok (%zu event%s)\n", cli_shown(path), tr->n_events, tr->n_events == 1 ? "" : "s");
    else if (problems && !quiet)
        tm_safe_fprintf(stdout, "%s: %zu problem%s\n", cli_shown(path), problems, problems == 1 ? "" : "s");
    tm_free(tr);
    return problems != 0;
}

static int validate_opt(void *ud, int argc, char **argv, int *i)
{
    (void)argc;
    if (strcmp(argv[*i], "-q") && strcmp(argv[*i], "--quiet"))
        return 0;
    *(int *)ud = 1;
    return 1;
}

int cli_validate(int argc, char **argv)
{
    int quiet = 0, n;
    char **files;
    int rc0 = cli_parse_files("validate", validate_usage, argc, argv, validate_opt, &quiet, &files, &n);
    if (rc0 >= 0)
        return rc0;
    int bad = 0;
    for (int k = 0; k < n; k++)
        bad |= validate_one(files[k], quiet);
    co_free(files);
    if (cli_out_close("validate", "-", stdout))
        return 1;
    return bad ? 1 : 0;
}
