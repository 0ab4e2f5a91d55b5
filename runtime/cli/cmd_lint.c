/*
** cmd_lint.c -- `coroscope lint`: the viewer's findings in the terminal, for
** people and for CI jobs.
**
** Each finding is printed like a compiler's diagnostic -- the program line it
** points at (when the trace carries the source), what kind of problem it is,
** which task, when -- then the evidence, the line of code, and the paragraph
** that explains it. The findings themselves are the viewer's
** (viz/model/findings.c, computed from the trace model alone), so the
** terminal and the window never disagree. Exit status: 0 when no file has a
** finding, 1 when any has, 2 when a file cannot be read or on a usage error:
** a CI job can gate on it.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "alloc.h"
#include "cli.h"
#include "findings.h"
#include "view_model.h"

static const char lint_usage[] =
    "usage: coroscope lint [--json] [--brief] [--width N] FILE...\n"
    "\n"
    "Print what the viewer's findings panel says about each trace: awaits that\n"
    "took turns but could have run concurrently, loop stalls (a step that held\n"
    "the loop while other work was due), exceptions never retrieved, tasks still\n"
    "pending when the loop closed, swallowed cancellations, deadlocks. Each comes\n"
    "with the task, the loop time, the program line (when the trace carries the\n"
    "source), the evidence and an explanation.\n"
    "\n"
    "A FILE ending in .py is a Python program: it is recorded first with the\n"
    "CPython recorder (its own output goes to stderr).\n"
    "\n"
    "  --json        one JSON object per finding, one per line\n"
    "  --brief       leave out the explanations\n"
    "  --width N     wrap explanations at N columns (default: the terminal's, else 80)\n"
    "  -h, --help    this help\n"
    "\n"
    "Exit status: 0 when there are no findings, 1 when there are some, 2 when a\n"
    "file cannot be read as a trace or on a usage error.\n";

typedef struct lint_opts {
    int json, brief, width;
} lint_opts;

static int lint_opt(void *ud, int argc, char **argv, int *i)
{
    lint_opts *o = ud;
    const char *a = argv[*i];
    if (!strcmp(a, "--json")) {
        o->json = 1;
        return 1;
    }
    if (!strcmp(a, "--brief")) {
        o->brief = 1;
        return 1;
    }
    if (!strcmp(a, "--width")) {
        char *end;
        long w = *i + 1 < argc ? strtol(argv[*i + 1], &end, 10) : 0;
        if (*i + 1 >= argc || *end || w < 20 || w > 1000) {
            cli_usage_error("lint", "--width takes a number of columns from 20 to 1000");
            return -1;
        }
        o->width = (int)w;
        (*i)++;
        return 1;
    }
    return 0;
}

/*
** Write trace text so that it cannot drive the terminal: control bytes (C0,
** DEL) and the C1 range as U+0080..U+009F are shown as \xNN escapes. Text is
** otherwise printed as it is (UTF-8).
*/
static void put_safe(FILE *to, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f)
            fprintf(to, "\\x%02x", c);
        else if (c == 0xc2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] < 0xa0)
            fprintf(to, "\\x%02x", (unsigned char)s[++i]);
        else
            fputc(c, to);
    }
}

static void puts_safe(FILE *to, const char *s)
{
    put_safe(to, s, strlen(s));
}

/* A paragraph wrapped at `width` columns after `indent` spaces (bytes count as columns). */
static void wrap(FILE *to, const char *text, int indent, int width)
{
    int col = 0;
    const char *p = text;
    while (*p) {
        while (*p == ' ')
            p++;
        const char *w = p;
        while (*p && *p != ' ')
            p++;
        int len = (int)(p - w);
        if (!len)
            break;
        if (col && col + 1 + len > width) {
            fputc('\n', to);
            col = 0;
        }
        if (!col) {
            fprintf(to, "%*s", indent, "");
            col = indent;
        } else {
            fputc(' ', to);
            col++;
        }
        put_safe(to, w, (size_t)len);
        col += len;
    }
    if (col)
        fputc('\n', to);
}

/* Where a finding happened in the program: its event's src, else its task's line. */
static const tm_srcref *finding_src(const tm_trace *tr, const vz_finding *f)
{
    const tm_srcref *r = f->ev < tr->n_events ? tm_event_src(tr, f->ev) : NULL;
    if (!r && f->task != TM_NONE && f->ev < tr->n_events)
        r = tm_task_src_at(tr, f->task, f->ev, NULL);
    return r;
}

static void print_finding(const char *path, const vz_run *run, const vz_finding *f, const lint_opts *o)
{
    const tm_trace *tr = run->tr;
    const tm_srcref *r = finding_src(tr, f);
    double t = f->ev < tr->n_events ? tr->events[f->ev].t : 0;
    char ts[32];
    tm_format_seconds(t, ts, sizeof ts);
    if (!strcmp(ts, "0"))
        snprintf(ts, sizeof ts, "0 s");
    if (r) {
        puts_safe(stdout, tm_text(tr, r->file));
        printf(":%u: ", r->line);
    } else {
        puts_safe(stdout, path);
        printf(": ");
    }
    printf("%s: ", vz_finding_heading((vz_finding_kind)f->kind));
    puts_safe(stdout, f->title);
    printf("\n    at %s", ts);
    if (f->task != TM_NONE) {
        printf(", in ");
        puts_safe(stdout, tm_text(tr, tr->tasks[f->task].name));
        printf(" (");
        puts_safe(stdout, tm_text(tr, tr->tasks[f->task].coro));
        printf(")");
    }
    if (r)
        printf(", %s", path);
    printf("\n");
    if (f->facts[0]) {
        printf("    ");
        puts_safe(stdout, f->facts);
        printf("\n");
    }
    size_t len;
    const char *line = r ? tm_source_line(tr, r->source, r->line, &len) : NULL;
    if (line) {
        while (len && (*line == ' ' || *line == '\t'))
            line++, len--;
        printf("    %5u | ", r->line);
        put_safe(stdout, line, len);
        printf("\n");
    }
    if (!o->brief)
        wrap(stdout, vz_finding_explain((vz_finding_kind)f->kind), 4, o->width);
    printf("\n");
}

static void print_json(const char *path, const vz_run *run, const vz_finding *f)
{
    const tm_trace *tr = run->tr;
    const tm_srcref *r = finding_src(tr, f);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return;
    cJSON_AddStringToObject(o, "file", path);
    cJSON_AddStringToObject(o, "kind", vz_finding_name((vz_finding_kind)f->kind));
    cJSON_AddStringToObject(o, "heading", vz_finding_heading((vz_finding_kind)f->kind));
    if (f->task != TM_NONE)
        cJSON_AddStringToObject(o, "task", tm_text(tr, tr->tasks[f->task].name));
    else
        cJSON_AddNullToObject(o, "task");
    cJSON_AddNumberToObject(o, "t", f->ev < tr->n_events ? tr->events[f->ev].t : 0);
    cJSON_AddNumberToObject(o, "seq", f->ev < tr->n_events ? tm_event_seq(tr, f->ev) : 0);
    if (r) {
        char src[512];
        snprintf(src, sizeof src, "%s:%u", tm_text(tr, r->file), r->line);
        cJSON_AddStringToObject(o, "src", src);
    } else
        cJSON_AddNullToObject(o, "src");
    cJSON_AddStringToObject(o, "title", f->title);
    cJSON_AddStringToObject(o, "facts", f->facts);
    char *s = cJSON_PrintUnformatted(o);   /* ASCII escapes for control characters */
    if (s)
        printf("%s\n", s);
    cJSON_free(s);
    cJSON_Delete(o);
}

static int terminal_width(void)
{
    const char *c = getenv("COLUMNS");
    int w = c ? atoi(c) : 0;
    return w >= 20 && w <= 1000 ? w : 80;
}

int cli_lint(int argc, char **argv)
{
    lint_opts o = {0, 0, 0};
    char **files;
    int n;
    int rc = cli_parse_files("lint", lint_usage, argc, argv, lint_opt, &o, &files, &n);
    if (rc >= 0)
        return rc;
    if (!o.width)
        o.width = terminal_width();
    int found = 0, bad = 0;
    for (int k = 0; k < n; k++) {
        const char *path = cli_shown(files[k]);
        tm_error err;
        tm_trace *tr = tm_load(files[k], 0, &err);
        if (!tr) {
            tm_print_error(stderr, "coroscope lint: ", path, &err);
            bad = 1;
            continue;
        }
        if (tr->n_problems)
            tm_print_problems(stderr, path, "warning: ", tr);
        vz_doc doc;
        vz_doc_init(&doc);
        if (vz_doc_add(&doc, tr, path, files[k])) {
            fprintf(stderr, "coroscope lint: out of memory reading %s\n", path);
            vz_doc_free(&doc);
            bad = 1;
            continue;
        }
        const vz_run *run = &doc.runs[0];
        for (size_t i = 0; i < run->n_findings; i++) {
            if (o.json)
                print_json(path, run, &run->findings[i]);
            else
                print_finding(path, run, &run->findings[i], &o);
        }
        found += (int)run->n_findings;
        if (!o.json && n > 1 && !run->n_findings) {
            puts_safe(stdout, path);
            printf(": no findings\n");
        }
        vz_doc_free(&doc);
    }
    if (!o.json && found)
        printf("%d finding%s\n", found, found == 1 ? "" : "s");
    co_free(files);
    fflush(stdout);
    if (ferror(stdout)) {
        fprintf(stderr, "coroscope lint: cannot write the output\n");
        return 2;
    }
    return bad ? 2 : found ? 1 : 0;
}
