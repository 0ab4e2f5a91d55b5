/*
** cmd_record.c -- `coroscope list` and `coroscope record`: run a built-in
** scenario on the runtime and write its trace.
*/
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "tm_safe.h"
#include "scenarios/scenarios.h"
#include "scenarios/twins.h"
#include "trace_writer.h"

int cli_list(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: coroscope list\n\nPrints the built-in scenarios, one per line: name, then what it shows.\n"
               "Each has a CPython twin in runtime/scenarios/NAME.py.\n");
        return 0;
    }
    if (argc > 1)
        return cli_usage_error("list", "unexpected argument '%s'", argv[1]);
    size_t n;
    const co_scenario *s = co_scenario_list(&n);
    for (size_t i = 0; i < n; i++)
        printf("%-22s %s\n", s[i].name, s[i].summary);
    return 0;
}

static void record_usage(FILE *to)
{
    fprintf(to,
            "usage: coroscope record SCENARIO [-o FILE] [--clock virtual|real] [--size N] [--c-lines]\n"
            "       coroscope record PROGRAM.py [-o FILE] [--max-events N] [--max-time SECONDS]\n"
            "                        [--no-locals] [-- ARGS...]\n\n"
            "Runs a built-in scenario (see `coroscope list`) on the coroscope runtime, or a\n"
            "Python asyncio program on CPython 3.11 under the CPython recorder's virtual\n"
            "clock, and writes its trace as JSON Lines (traces/FORMAT.md).\n\n"
            "  -o, --output FILE   where to write the trace; '-' (the default) is stdout\n"
            "  --clock virtual     deterministic time that jumps to the next timer (default);\n"
            "                      the same scenario always gives the same bytes\n"
            "  --clock real        wall-clock time: sleeps really sleep\n"
            "  --size N            size of sized scenarios (swarm: number of workers)\n"
            "  --c-lines           src fields name the scenario's C lines, and its Python\n"
            "                      twin is not embedded (default: they name the twin's\n"
            "                      lines, the C location is kept in csrc)\n\n"
            "For a program (needs python3, 3.11 or newer):\n"
            "  --max-events N      stop the recording after N events (the recorder's default\n"
            "                      keeps a program that never ends from filling the disk)\n"
            "  --max-time SECONDS  stop when the loop's virtual clock passes SECONDS\n"
            "  --no-locals         do not record local variables at each suspension\n"
            "  -- ARGS...          the program's own arguments (its sys.argv[1:])\n"
            "A recording stopped by a limit ends with `end` reason max_events / max_time,\n"
            "keeps the program's output so far, and exits non-zero.\n\n"
            "The scenario's printed lines go to stdout, or to stderr when the trace does.\n"
            "Exit status: 0 when the scenario's main returned, 1 when it raised, deadlocked\n"
            "or the trace could not be written, 2 for a usage error.\n");
}

typedef struct counting {
    co_trace_writer *w;        /* where events go */
    unsigned long long n;      /* how many went */
} counting;

static void count_event(void *ud, const co_trace_event *ev)
{
    counting *c = ud;
    c->n += ev->ev != CO_EV_SOURCE;        /* the program's text is not an event */
    co_trace_writer_event(c->w, ev);
}

/* A positive whole number (--max-events) or a positive number of seconds (--max-time). */
static int check_limit(const char *opt, const char *v, int whole)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || *end || end == v || !(x > 0) || x > 1e15 || (whole && x != (double)(long long)x))
        return cli_usage_error("record", "%s takes a %s, not '%s'", opt,
                               whole ? "whole number of events above 0" : "number of seconds above 0", v);
    return 0;
}

/* `record PROGRAM.py`: the CPython recorder does the work (pyprog.c). */
static int record_program(const char *program, const char *out, char **extra, int n_extra,
                          char **prog_args, int n_prog)
{
    int rc = cli_record_program("record", program, out, extra, n_extra, prog_args, n_prog, -1);
    unsigned long events;
    double t_end;
    if (rc == 0 && strcmp(out, "-") && cli_trace_size(out, &events, &t_end) == 0)
        fprintf(stderr, "coroscope: recorded %s: %lu events, %g s of virtual time -> %s\n", program, events,
                t_end, out);
    return rc;
}

int cli_record(int argc, char **argv)
{
    const char *name = NULL, *out = "-", *clock = "virtual";
    int explicit_clock = 0, scenario_only = 0;
    char *extra[8];                 /* recorder options for a program */
    int n_extra = 0, cut = argc;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--")) {
            cut = i;                /* what follows is the program's */
            break;
        }
    }
    for (int i = 1; i < cut; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--max-events") || !strcmp(a, "--max-time")) {
            if (++i >= cut)
                return cli_usage_error("record", "%s needs a value", a);
            if (check_limit(a, argv[i], a[6] == 'e'))
                return 2;
            extra[n_extra++] = (char *)a;
            extra[n_extra++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--no-locals")) {
            extra[n_extra++] = (char *)a;
            continue;
        }
        if (!strcmp(a, "--clock") || !strcmp(a, "--size") || !strcmp(a, "--c-lines"))
            scenario_only = i;
        if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
            record_usage(stdout);
            return 0;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (++i >= argc)
                return cli_usage_error("record", "%s needs a file name", a);
            out = argv[i];
        } else if (!strcmp(a, "--clock")) {
            if (++i >= argc)
                return cli_usage_error("record", "--clock needs 'virtual' or 'real'");
            clock = argv[i];
            explicit_clock = 1;
            if (strcmp(clock, "virtual") && strcmp(clock, "real"))
                return cli_usage_error("record", "--clock takes 'virtual' or 'real', not '%s'", clock);
        } else if (!strcmp(a, "--size")) {
            if (++i >= argc)
                return cli_usage_error("record", "--size needs a number");
            char *end;
            errno = 0;
            long n = strtol(argv[i], &end, 10);
            if (errno || *end || n < 0 || n > 10000000)
                return cli_usage_error("record", "--size takes a whole number from 0 to 10000000, not '%s'", argv[i]);
            co_scenario_size = n;
        } else if (!strcmp(a, "--c-lines")) {
            co_scenario_c_lines = 1;
        } else if (a[0] == '-' && a[1])
            return cli_usage_error("record", "unknown option '%s'", a);
        else if (name)
            return cli_usage_error("record", "one scenario at a time ('%s' and '%s')", name, a);
        else
            name = a;
    }
    if (!name)
        return cli_usage_error("record", "which scenario or program? (`coroscope list` shows the scenarios)");
    if (cli_is_program(name)) {
        if (scenario_only)
            return cli_usage_error("record", "%s is for built-in scenarios, not programs", argv[scenario_only]);
        return record_program(name, out, extra, n_extra, argv + cut + 1, cut < argc ? argc - cut - 1 : 0);
    }
    if (cut < argc)
        return cli_usage_error("record", "arguments after -- are for a program (PROGRAM.py), not a scenario");
    const co_scenario *sc = co_scenario_find(name);
    if (!sc) {
        tm_safe_fprintf(stderr, "coroscope record: unknown scenario '%s'; `coroscope list` shows the built-in ones\n", name);
        return 2;
    }

    char err[512];
    if (sc->real_clock && strcmp(clock, "real")) {
        if (explicit_clock) {
            tm_safe_fprintf(stderr, "coroscope record: %s uses real sockets and needs --clock real\n", name);
            return 2;
        }
        clock = "real";
    }
    co_trace_header hdr = {sc->name, clock, "coroscope-runtime 0.1"};
    co_trace_writer *w = co_trace_writer_open(out, &hdr, err, sizeof err);
    if (!w) {
        tm_safe_fprintf(stderr, "coroscope record: %s\n", err);
        return 1;
    }
    counting c = {w, 0};
    int to_stdout = !strcmp(out, "-");
    co_twin_tracer tt;
    co_loop_config cfg = {
        .clock = strcmp(clock, "real") ? CO_CLOCK_VIRTUAL : CO_CLOCK_REAL,
        .tracer = co_twin_tracer_wrap(&tt, sc->name, (co_tracer){count_event, &c}),
        .out = to_stdout ? stderr : stdout,
    };
    co_loop *L = co_loop_new(&cfg);
    if (!L) {
        co_trace_writer_close(w, NULL, 0);
        fprintf(stderr, "coroscope record: out of memory\n");
        return 1;
    }
    co_status st;
    co_exc *e = co_scenario_run(sc, L, &st);
    int rc = 0;
    if (st == CO_EDEADLOCK) {
        tm_safe_fprintf(stderr, "coroscope record: %s: deadlock: tasks wait and nothing can wake them (see the trace's `deadlock` warning)\n", name);
        rc = 1;
    } else if (e) {
        sbuf b = {0};
        co_exc_repr(&b, e);
        tm_safe_fprintf(stderr, "coroscope record: %s: main raised %s\n", name, b.p ? b.p : e->type);
        sb_free(&b);
        rc = 1;
    }
    double end = co_loop_time(L);
    co_loop_destroy(L);
    if (co_trace_writer_close(w, err, sizeof err) != CO_OK) {
        tm_safe_fprintf(stderr, "coroscope record: %s: %s\n", out, err);
        return 1;
    }
    if (!to_stdout)
        tm_safe_fprintf(stderr, "coroscope: recorded %s: %llu events, %g s of %s time -> %s\n", name, c.n, end,
                clock, out);
    return rc;
}
