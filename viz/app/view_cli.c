/*
** view_cli.c -- `coroscope view`: parse the command line, load or record the
** traces, and open the viewer -- or, with no display, print the terminal
** comparison (`coroscope show`) instead.
**
**   coroscope view FILE...                 one trace, or several side by side
**   coroscope view --scenario NAME...      record built-in scenarios and open them
**   coroscope view --screenshot F.png ...  one frame offscreen, then exit
**   coroscope view --bench FILE            load + a fixed sequence of frames, timed
**
** --scenario records in-process exactly as `coroscope record` does (a loop on
** the virtual clock, or the real one for scenarios with real sockets, whose
** tracer writes to a temporary file), then loads the file
** back through the trace model, so what the viewer shows is what a recorded
** file would show. The temporary files are removed on exit.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include "alloc.h"
#include "app.h"
#include "cli/cli.h"
#include "scenarios/scenarios.h"
#include "tm_safe.h"
#include "trace_writer.h"
#include "view_model.h"

static const char view_usage[] =
    "usage: coroscope view [OPTIONS] FILE...\n"
    "       coroscope view [OPTIONS] PROGRAM.py...\n"
    "       coroscope view [OPTIONS] --scenario NAME...\n"
    "\n"
    "Open traces in the desktop viewer: one lane per task under the event loop's\n"
    "own lane, replayable decision by decision. Several traces open side by side\n"
    "on one time axis (sequential vs gather vs wait vs as_completed). A Python\n"
    "program (PROGRAM.py) is recorded first with the CPython recorder.\n"
    "\n"
    "  --scenario NAME...   record built-in scenarios (see `coroscope list`) and open them\n"
    "  --scale F            UI scale for projectors and HiDPI screens (default 1)\n"
    "  --size WxH           window or picture size (default 1600x1000)\n"
    "  --at SECONDS         start with the playhead at this loop time (default: the end)\n"
    "  --steps              x axis in event order instead of loop time (key T)\n"
    "  --select NAME        select the task with this name\n"
    "  --no-panels          timeline only (key Tab)\n"
    "  --hide-future        hide, rather than dim, what lies after the playhead (key G)\n"
    "  --font FILE          body font file instead of DejaVu Sans (found through fontconfig)\n"
    "  --screenshot FILE    render one frame offscreen to FILE and exit; no display needed:\n"
    "                       PNG, or SVG (vector shapes and real text) when FILE ends in .svg\n"
    "  --layout-dump FILE   with --screenshot: also write the frame's draw commands as text\n"
    "  --help-overlay       with --screenshot: show the keyboard help\n"
    "  --max-line SIZE      the longest trace line to read (default 16M, or $COROSCOPE_MAX_LINE)\n"
    "  --bench              load the trace, render a fixed sequence of frames offscreen,\n"
    "                       print load time, peak memory and frame-time percentiles\n"
    "  -h, --help           this help\n"
    "\n"
    "Keys: Space play/pause, Right/Left step decisions, Home/End, [ ] speed, W/S zoom,\n"
    "A/D pan, F fit, T time/event axis, 1 2 3 arrows, / filter, H help, Q quit.\n"
    "\n"
    "With no display (DISPLAY and WAYLAND_DISPLAY unset, or SDL video failing) the\n"
    "terminal comparison of `coroscope show` is printed instead.\n";

typedef struct view_args {
    vz_app_opts o;            /* what the app needs */
    char **files;             /* trace files, or scenario names with --scenario */
    int n_files;
    int scenarios;            /* the names are scenarios to record */
    int bench;                /* --bench */
} view_args;

static int parse_size(const char *s, int *w, int *h)
{
    char *end;
    long a = strtol(s, &end, 10);
    if (*end != 'x' && *end != 'X')
        return -1;
    long b = strtol(end + 1, &end, 10);
    if (*end || a < 200 || b < 150 || a > 16384 || b > 16384)
        return -1;
    *w = (int)a;
    *h = (int)b;
    return 0;
}

static int parse_args(int argc, char **argv, view_args *va)
{
    memset(va, 0, sizeof *va);
    va->o.w = 1600;
    va->o.h = 1000;
    va->o.scale = 1;
    va->files = co_calloc((size_t)argc + 1, sizeof *va->files);
    if (!va->files) {
        fprintf(stderr, "coroscope view: out of memory\n");
        return 1;
    }
    int taken;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *next = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(view_usage, stdout);
            return -1;
        } else if (!strcmp(a, "--scenario")) {
            va->scenarios = 1;
        } else if (!strcmp(a, "--scale")) {
            char *end;
            double f = next ? strtod(next, &end) : 0;
            if (!next || *end || !(f >= 0.5 && f <= 4))
                return cli_usage_error("view", "--scale takes a number from 0.5 to 4");
            va->o.scale = (float)f;
            i++;
        } else if (!strcmp(a, "--size")) {
            if (!next || parse_size(next, &va->o.w, &va->o.h))
                return cli_usage_error("view", "--size takes WIDTHxHEIGHT, e.g. 1280x800");
            va->o.size_given = 1;
            i++;
        } else if (!strcmp(a, "--at")) {
            char *end;
            va->o.at = next ? strtod(next, &end) : 0;
            if (!next || *end)
                return cli_usage_error("view", "--at takes a time in seconds");
            va->o.have_at = 1;
            i++;
        } else if (!strcmp(a, "--steps")) {
            va->o.step_view = 1;
        } else if (!strcmp(a, "--no-panels")) {
            va->o.no_panels = 1;
        } else if (!strcmp(a, "--hide-future")) {
            va->o.hide_future = 1;
        } else if (!strcmp(a, "--help-overlay")) {
            va->o.help_overlay = 1;
        } else if (!strcmp(a, "--select") || !strcmp(a, "--font") || !strcmp(a, "--screenshot") ||
                   !strcmp(a, "--layout-dump")) {
            if (!next)
                return cli_usage_error("view", "%s needs an argument", a);
            if (!strcmp(a, "--select"))
                va->o.select = next;
            else if (!strcmp(a, "--font"))
                va->o.font = next;
            else if (!strcmp(a, "--screenshot"))
                va->o.screenshot = next;
            else
                va->o.layout_dump = next;
            i++;
        } else if (!strcmp(a, "--bench")) {
            va->bench = 1;
        } else if ((taken = cli_max_line_opt("view", argc, argv, &i)) != 0) {
            if (taken < 0)
                return 2;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("view", "unknown option '%s'", a);
        } else {
            va->files[va->n_files++] = argv[i];
        }
    }
    if (!va->n_files)
        return cli_usage_error("view", va->scenarios ? "which scenarios? (`coroscope list` shows them)"
                                                     : "which trace files? (or --scenario NAME)");
    if (va->n_files > VZ_MAX_RUNS)
        return cli_usage_error("view", "at most %d traces side by side", VZ_MAX_RUNS);
    if (va->o.layout_dump && !va->o.screenshot)
        return cli_usage_error("view", "--layout-dump goes with --screenshot");
    return 0;
}

/* Record scenario sc into the file at path (already created). 0, or 1 with a
** message printed. */
static int record_into(const co_scenario *sc, const char *path)
{
    char err[512];
    if (co_scenario_record_file(sc, path, "coroscope-runtime 0.1", err, sizeof err) != CO_OK) {
        tm_safe_fprintf(stderr, "coroscope view: %s\n", err);
        unlink(path);
        return 1;
    }
    return 0;
}

/*
** Run a built-in scenario, writing its trace to a new temporary file whose name
** goes to `path`. Each scenario records in a child process of its own, as
** separate `coroscope record` runs would: asyncio's task names come from one
** process-wide counter (Task-1, Task-2, ...), and the comparison should show
** every scenario's first task as Task-1. 0, or 1 with a message printed.
*/
static int record(const char *name, char *path, size_t size)
{
    const co_scenario *sc = co_scenario_find(name);
    if (!sc) {
        tm_safe_fprintf(stderr, "coroscope view: unknown scenario '%s'; `coroscope list` shows the built-in ones\n", name);
        return 1;
    }
    const char *dir = getenv("TMPDIR");
    snprintf(path, size, "%s/coroscope-%s-XXXXXX.jsonl", dir && *dir ? dir : "/tmp", name);
    int fd = mkstemps(path, 6);
    if (fd < 0) {
        tm_safe_fprintf(stderr, "coroscope view: cannot create a temporary file in %s: %s\n", dir && *dir ? dir : "/tmp",
                strerror(errno));
        return 1;
    }
    close(fd);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)   /* no child: record here, names continue the counter */
        return record_into(sc, path);
    if (pid == 0)
        _exit(record_into(sc, path));
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
        ;
    if (!WIFEXITED(status) || WEXITSTATUS(status)) {
        if (WIFSIGNALED(status))
            tm_safe_fprintf(stderr, "coroscope view: recording %s crashed (signal %d)\n", name, WTERMSIG(status));
        unlink(path);
        return 1;
    }
    return 0;
}

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A run's label: the scenario it recorded, else the file's base name. */
static void run_label(const tm_trace *tr, const char *path, const vz_doc *doc, char *buf, size_t size)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *sc = tm_text(tr, tr->scenario);
    tm_safe_snprintf(buf, size, "%s", *sc ? sc : base);
    for (size_t i = 0; i < doc->n_runs; i++)
        if (!strcmp(doc->runs[i].label, buf)) {
            tm_safe_snprintf(buf, size, "%s (%s)", *sc ? sc : base, base);
            break;
        }
}

static int display_missing(void)
{
    const char *x = getenv("DISPLAY"), *wl = getenv("WAYLAND_DISPLAY");
    return (!x || !*x) && (!wl || !*wl);
}

static int fall_back(char **paths, int n, const char *why)
{
    tm_safe_fprintf(stderr, "coroscope view: no display (%s); printing the terminal view instead\n", why);
    char **args = co_calloc((size_t)n + 2, sizeof *args);
    if (!args)
        return 1;
    args[0] = "show";
    for (int i = 0; i < n; i++)
        args[i + 1] = paths[i];
    fflush(stderr);
    int rc = cli_show(n + 1, args);
    co_free(args);
    return rc;
}

int cli_export_svg(FILE *out, tm_trace *tr, const char *file, const char *name)
{
    vz_font_files fonts;
    char err[512];
    if (vz_font_find(NULL, &fonts, err, sizeof err)) {
        fprintf(stderr, "coroscope export: %s\n", err);
        tm_free(tr);
        return 1;
    }
    vz_doc doc;
    vz_doc_init(&doc);
    char label[256];
    run_label(tr, file, &doc, label, sizeof label);
    if (vz_doc_add(&doc, tr, label, file)) {
        fprintf(stderr, "coroscope export: out of memory loading %s\n", file);
        vz_doc_free(&doc);
        return 1;
    }
    vz_app_opts o;
    memset(&o, 0, sizeof o);
    o.w = 1600;
    o.h = 1000;
    o.scale = 1;
    o.fonts = &fonts;
    int rc = vz_app_export_svg(&doc, &o, out, name);
    vz_doc_free(&doc);
    return rc;
}

int cli_view(int argc, char **argv)
{
    view_args va;
    int rc = parse_args(argc, argv, &va);
    if (rc) {
        co_free(va.files);
        return rc < 0 ? 0 : rc;
    }
    char temp[VZ_MAX_RUNS][1024];
    char *paths[VZ_MAX_RUNS];
    int n_temp = 0;
    if (!va.scenarios && (rc = cli_resolve_programs("view", va.files, va.n_files)) != 0) {
        co_free(va.files);
        return rc;
    }
    /* Fonts first: fontconfig's caches are freed before the traces load, so
    ** their memory is reused rather than added to the peak. */
    vz_font_files fonts;
    if (va.bench || va.o.screenshot || !display_missing()) {
        char err[512];
        if (vz_font_find(va.o.font, &fonts, err, sizeof err)) {
            tm_safe_fprintf(stderr, "coroscope view: %s\n", err);
            co_free(va.files);
            return 1;
        }
        va.o.fonts = &fonts;
    }
    vz_doc doc;
    vz_doc_init(&doc);
    double t_model = 0, t_index = 0;
    for (int i = 0; i < va.n_files && !rc; i++) {
        paths[i] = va.files[i];
        if (va.scenarios) {
            if (record(va.files[i], temp[n_temp], sizeof temp[n_temp])) {
                rc = 1;
                break;
            }
            paths[i] = temp[n_temp++];
        }
        tm_error err;
        double t0 = seconds_now();
        tm_trace *tr = tm_load(paths[i], 0, &err);
        double t1 = seconds_now();
        t_model += t1 - t0;
        if (!tr) {
            tm_print_error(stderr, "coroscope view: ", va.files[i], &err);
            rc = 1;
            break;
        }
        if (tr->n_problems)
            tm_print_problems(stderr, va.files[i], "warning: ", tr);
        char label[256];
        run_label(tr, va.scenarios ? va.files[i] : paths[i], &doc, label, sizeof label);
        if (vz_doc_add(&doc, tr, label, va.scenarios ? va.files[i] : paths[i])) {
            tm_safe_fprintf(stderr, "coroscope view: out of memory loading %s\n", va.files[i]);
            rc = 1;
        }
        t_index += seconds_now() - t1;
    }
    if (!rc) {
        char title[512];
        size_t len = (size_t)snprintf(title, sizeof title, "coroscope \xE2\x80\x94");
        for (size_t i = 0; i < doc.n_runs && len < sizeof title; i++)
            len += (size_t)snprintf(title + len, sizeof title - len, "%s%s", i ? " \xC2\xB7 " : " ", doc.runs[i].label);
        va.o.title = title;
        if (va.bench) {
            if (!va.o.size_given) {
                va.o.w = 1280;   /* the benchmark's reference size */
                va.o.h = 800;
            }
            rc = vz_app_bench(&doc, &va.o, t_model, t_index);
        } else if (va.o.screenshot) {
            rc = vz_app_screenshot(&doc, &va.o);
        } else if (display_missing()) {
            rc = fall_back(paths, va.n_files, "DISPLAY and WAYLAND_DISPLAY are unset");
        } else {
            char err[512];
            rc = vz_app_window(&doc, &va.o, err, sizeof err);
            if (rc == VZ_APP_NO_DISPLAY)
                rc = fall_back(paths, va.n_files, err);
        }
    }
    vz_doc_free(&doc);
    for (int i = 0; i < n_temp; i++)
        unlink(temp[i]);
    co_free(va.files);
    return rc;
}
