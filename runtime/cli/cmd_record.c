/*
** cmd_record.c -- `coroscope list` and `coroscope record`: run a built-in
** scenario on the runtime and write its trace (a Python program goes to the
** CPython recorder: record_program, pyprog.c).
**
** A scenario's recording always ends with exactly one `end` event and nothing
** after it, however it ends: the program's own end (complete, deadlock, or
** `error` when it ran out of memory), a limit (--max-events, --max-time, as
** the recorder's: a program that never finishes does not fill the disk), or
** SIGINT / SIGTERM (`interrupted`: what was recorded is flushed, and the
** process then ends by the signal, as an interrupted program conventionally
** does). See `recording` below.
*/
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
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
    return cli_out_close("list", "-", stdout);
}

static void record_usage(FILE *to)
{
    fprintf(to,
            "usage: coroscope record SCENARIO [-o FILE] [--clock virtual|real] [--size N]\n"
            "                        [--c-lines] [--trace-version 3|4]\n"
            "                        [--stack own|copy|copy-poison]\n"
            "       coroscope record PROGRAM.py [-o FILE] [--max-events N]\n"
            "                        [--max-time SECONDS] [--no-locals]\n"
            "                        [--trace-version 3|4] [-- ARGS...]\n\n"
            "Runs a built-in scenario (see `coroscope list`) on the coroscope runtime, or a\n"
            "Python asyncio program on CPython 3.11 under the CPython recorder's virtual\n"
            "clock, and writes its trace as JSON Lines (traces/FORMAT.md).\n\n"
            "  -o, --output FILE   where to write the trace; '-' (the default) is stdout\n"
            "  --clock virtual     deterministic time that jumps to the next timer\n"
            "                      (default): the same scenario always gives the same bytes\n"
            "  --clock real        wall-clock time: sleeps really sleep\n"
            "  --size N            size of sized scenarios (swarm: number of workers)\n"
            "  --c-lines           src fields name the scenario's C lines, and its Python\n"
            "                      twin is not embedded (default: they name the twin's\n"
            "                      lines, the C location is kept in csrc)\n"
            "  --trace-version 4   the trace format (default): seq and t only where they\n"
            "                      do not follow, and (scenarios) strings that repeat (src,\n"
            "                      labels, kinds ...) written once as \"str\" lines and\n"
            "                      then by number\n"
            "  --trace-version 3   every line spelled out in full, to read the raw JSON;\n"
            "                      both load to the same model (traces/FORMAT.md)\n"
            "  --stack own         every task on a stack of its own (default): a waiting\n"
            "                      task costs the 4 KiB page its frames touched, plus\n"
            "                      ~0.4 KiB\n"
            "  --stack copy        tasks take turns on two shared stacks; a waiting task's\n"
            "                      few hundred bytes of frames are copied to the heap and\n"
            "                      back when another task needs its stack: ~0.7 KiB a\n"
            "                      task, and a copy each way at such a switch. A task\n"
            "                      must not hand a pointer to one of its locals to another\n"
            "                      task or keep one across an await in a shared structure.\n"
            "                      The trace is the same as in the default mode\n"
            "  --stack copy-poison copy mode, a waiting task's bytes saved at once and their\n"
            "                      place overwritten, so that a stale pointer fails loudly\n\n"
            "  --max-events N      stop the recording after N events (default 1000000: a\n"
            "                      program that never ends does not fill the disk; 0: none)\n"
            "  --max-time SECONDS  stop when the loop's clock passes SECONDS (default 86400;\n"
            "                      0: none)\n\n"
            "For a program (needs python3, 3.11 or newer):\n"
            "  --no-locals         do not record local variables at each suspension\n"
            "  -- ARGS...          the program's own arguments (its sys.argv[1:])\n\n"
            "A recording stopped by a limit ends with `end` reason max_events / max_time,\n"
            "keeps the program's output so far, and exits non-zero; one interrupted by\n"
            "Ctrl-C or SIGTERM ends with `end` reason interrupted, and the process ends by\n"
            "the signal (130 for SIGINT, 143 for SIGTERM in a shell). The trace validates\n"
            "either way.\n\n"
            "The scenario's printed lines go to stdout, or to stderr when the trace does.\n"
            "Exit status: 0 when the scenario's main returned, 1 when it raised, deadlocked,\n"
            "ran out of memory, hit a limit or the trace could not be written, 2 for a usage\n"
            "error.\n\n"
            "Environment: COROSCOPE_PYTHON names the interpreter a program runs on (default\n"
            "python3); COROSCOPE_SPEEDUPS=0 records it without the recorder's C speedups\n"
            "(the same trace, more slowly).\n");
}

/* ---- one recording: limits, interruption, and the end event ---------------------------- */

/* The CPython recorder's defaults, so that both producers stop alike. */
#define RECORD_MAX_EVENTS 1000000ull    /* ~100 MB of trace: a program that never finishes stops */
#define RECORD_MAX_TIME 86400.0         /* a day of loop time */

/*
** A recording in progress. Events reach record_event() on the loop's thread;
** SIGINT and SIGTERM reach on_signal() on any thread. Whoever ends the
** recording -- the loop's own end, a limit, a signal -- first claims `done`,
** so exactly one `end` event is written and nothing after it. A signal that
** arrives while record_event() is writing (`busy`) is left to record_event(),
** which finishes when it is done; one that arrives between events ends the
** recording right there, in the handler, which may: the writer's buffer is
** consistent between events and its stream unbuffered (co_trace_writer_flush).
*/
typedef struct recording {
    co_trace_writer *w;              /* the trace */
    co_loop *L;                      /* the loop recorded (its clock says when a signal came) */
    const char *name, *out;          /* the scenario, and where its trace goes */
    unsigned long long max_events;   /* --max-events (0: no limit) */
    double max_time;                 /* --max-time in loop seconds (0: no limit) */
    unsigned long long n;            /* events written (a `source` event, the program's text, is not one) */
    uint64_t last_seq;               /* seq and t of the last line written */
    double last_t;
    co_trace_event end;              /* the loop's own end event, held until main's outcome is known */
    int have_end;
    atomic_int busy;                 /* record_event is running */
    atomic_int signo;                /* the SIGINT / SIGTERM received, or 0 */
    atomic_int done;                 /* the end is being written: nothing else may be */
} recording;

static recording *active_recording;   /* for on_signal */

/* Append text or a number to a message built without stdio (a handler may build it). */
static size_t msg_put(char *buf, size_t at, size_t size, const char *s)
{
    while (*s && at + 1 < size)
        buf[at++] = *s++;
    buf[at] = '\0';
    return at;
}

static size_t msg_num(char *buf, size_t at, size_t size, unsigned long long v)
{
    char digits[24];
    int n = 0;
    do
        digits[n++] = (char)('0' + v % 10);
    while ((v /= 10) && n < 23);
    while (n && at + 1 < size)
        buf[at++] = digits[--n];
    buf[at] = '\0';
    return at;
}

/* Write the `end` event (after the last event written, at loop time t) and flush. */
static int write_end(recording *r, const char *reason, double t)
{
    co_trace_event end = {.ev = CO_EV_END, .seq = r->last_seq + 1, .t = t < r->last_t ? r->last_t : t,
                          .reason = reason};
    co_trace_writer_event(r->w, &end);
    return co_trace_writer_flush(r->w) == CO_OK ? 0 : -1;
}

static _Noreturn void wait_for_the_end(void)
{
    for (;;)
        pause();   /* another thread is writing the end and will stop the process */
}

/* A signal ended the recording: close the trace, say so, end by the signal. */
static _Noreturn void finish_interrupted(recording *r)
{
    int sig = atomic_load(&r->signo);
    int ok = write_end(r, "interrupted", r->L ? co_loop_time(r->L) : r->last_t) == 0;
    char msg[1024];
    size_t at = msg_put(msg, 0, sizeof msg, "coroscope record: ");
    at = msg_put(msg, at, sizeof msg, r->name);
    at = msg_put(msg, at, sizeof msg, sig == SIGINT ? ": interrupted (SIGINT); " : ": interrupted (SIGTERM); ");
    at = msg_num(msg, at, sizeof msg, r->n + 1);
    at = msg_put(msg, at, sizeof msg, ok ? " events written, ending `interrupted`" : " events, but writing the trace failed");
    if (strcmp(r->out, "-")) {
        at = msg_put(msg, at, sizeof msg, ", to ");
        char safe[512];
        tm_safe_escape(safe, sizeof safe, r->out, strlen(r->out), NULL);
        at = msg_put(msg, at, sizeof msg, safe);
    }
    at = msg_put(msg, at, sizeof msg, "\n");
    ssize_t wr = write(STDERR_FILENO, msg, at);
    (void)wr;
    /* The conventional status: the process ends by the signal it got. */
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    _exit(128 + sig);
}

static void on_signal(int sig)
{
    recording *r = active_recording;
    if (!r)
        return;
    int expected = 0;
    atomic_compare_exchange_strong(&r->signo, &expected, sig);
    if (!atomic_load(&r->busy) && !atomic_exchange(&r->done, 1))
        finish_interrupted(r);
    /* else record_event finishes when its write is over */
}

/* A limit was reached, or the trace cannot be written: end here, exit 1. */
static _Noreturn void finish_early(recording *r, const char *reason, double t)
{
    if (atomic_exchange(&r->done, 1))
        wait_for_the_end();
    int werr = co_trace_writer_error(r->w);
    int ok = write_end(r, reason, t) == 0;
    if (!strcmp(reason, "max_events"))
        tm_safe_fprintf(stderr, "coroscope record: %s: stopped after %llu events (--max-events %llu); raise the "
                        "limit with --max-events N, or --max-events 0 for none\n", r->name, r->n, r->max_events);
    else if (!strcmp(reason, "max_time"))
        tm_safe_fprintf(stderr, "coroscope record: %s: stopped at %g s of loop time (--max-time %g); raise the "
                        "limit with --max-time SECONDS, or --max-time 0 for none\n", r->name, r->max_time, r->max_time);
    else
        tm_safe_fprintf(stderr, "coroscope record: %s: writing the trace failed: %s; stopped after %llu events\n",
                        r->name, strerror(werr ? werr : co_trace_writer_error(r->w)), r->n);
    if (!ok)
        tm_safe_fprintf(stderr, "coroscope record: %s: %s: cannot write the end of the trace: %s\n", r->name,
                        r->out, strerror(co_trace_writer_error(r->w)));
    fflush(NULL);
    _exit(1);   /* from inside the loop: nothing to return to */
}

static void record_event(void *ud, const co_trace_event *ev)
{
    recording *r = ud;
    atomic_store(&r->busy, 1);
    if (atomic_load(&r->signo)) {
        atomic_store(&r->busy, 0);
        if (atomic_exchange(&r->done, 1))
            wait_for_the_end();
        finish_interrupted(r);
    }
    if (r->have_end) {
        ;   /* nothing is written after the end */
    } else if (r->max_time > 0 && ev->t > r->max_time) {
        finish_early(r, "max_time", r->max_time);
    } else if (ev->ev == CO_EV_END) {
        r->end = *ev;   /* written by record_run, which knows how main ended */
        r->have_end = 1;
    } else {
        co_trace_writer_event(r->w, ev);
        if (co_trace_writer_error(r->w))
            finish_early(r, "error", ev->t);   /* the event was not written: the end takes its place */
        r->n += ev->ev != CO_EV_SOURCE;
        r->last_seq = ev->seq;
        r->last_t = ev->t;
        if (r->max_events && r->n >= r->max_events)
            finish_early(r, "max_events", ev->t);
    }
    atomic_store(&r->busy, 0);
    if (atomic_load(&r->signo)) {
        if (atomic_exchange(&r->done, 1))
            wait_for_the_end();
        finish_interrupted(r);
    }
}

/*
** Run scenario sc into r's trace writer, with r's limits, SIGINT and SIGTERM
** ending the recording cleanly. Events pass through the twin tracer (which
** points src at the scenario's Python twin) first. Returns the exit status.
*/
static int record_run(recording *r, const co_scenario *sc, co_loop_config *cfg, const char *clock)
{
    co_twin_tracer tt;
    cfg->tracer = co_twin_tracer_wrap(&tt, sc->name, (co_tracer){record_event, r});
    co_loop *L = co_loop_new(cfg);
    if (!L) {
        fprintf(stderr, "coroscope record: out of memory\n");
        return 1;
    }
    r->L = L;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGINT);
    sigaddset(&sa.sa_mask, SIGTERM);
    active_recording = r;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    co_status st;
    co_exc *e = co_scenario_run(sc, L, &st);
    double end = co_loop_time(L);
    int nomem = e && !strcmp(e->type, "MemoryError");

    /* The end: a signal may be writing it already. */
    atomic_store(&r->busy, 1);
    if (atomic_exchange(&r->done, 1))
        wait_for_the_end();
    const char *reason = r->have_end ? r->end.reason : "error";
    if (nomem)
        reason = "error";   /* out of memory: the program did not run to its end */
    write_end(r, reason, r->have_end ? r->end.t : r->last_t);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    active_recording = NULL;

    int rc = 0;
    if (st == CO_EDEADLOCK) {
        tm_safe_fprintf(stderr, "coroscope record: %s: deadlock: tasks wait and nothing can wake them (see the trace's `deadlock` warning)\n", r->name);
        rc = 1;
    } else if (nomem) {
        tm_safe_fprintf(stderr, "coroscope record: %s: out of memory: main raised MemoryError; the trace ends "
                        "there (end reason `error`)\n", r->name);
        rc = 1;
    } else if (e) {
        sbuf b = {0};
        co_exc_repr(&b, e);
        tm_safe_fprintf(stderr, "coroscope record: %s: main raised %s\n", r->name, b.p ? b.p : e->type);
        sb_free(&b);
        rc = 1;
    }
    r->L = NULL;
    co_loop_destroy(L);
    if (strcmp(r->out, "-") && !co_trace_writer_error(r->w))
        tm_safe_fprintf(stderr, "coroscope: recorded %s: %llu events, %g s of %s time -> %s\n", r->name, r->n + 1, end,
                        clock, r->out);
    return rc;
}

/* A whole number of events (--max-events) or a number of seconds (--max-time);
** 0 lifts the limit, as for the recorder. */
static int check_limit(const char *opt, const char *v, int whole)
{
    char *end;
    errno = 0;
    double x = strtod(v, &end);
    if (errno || *end || end == v || !(x >= 0) || x > 1e15 || (whole && x != (double)(long long)x))
        return cli_usage_error("record", "%s takes a %s (0: no limit), not '%s'", opt,
                               whole ? "whole number of events" : "number of seconds", v);
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
        tm_safe_fprintf(stderr, "coroscope: recorded %s: %lu events, %g s of virtual time -> %s\n", program, events,
                        t_end, out);
    return rc;
}

int cli_record(int argc, char **argv)
{
    const char *name = NULL, *out = "-", *clock = "virtual";
    int explicit_clock = 0, scenario_only = 0, version = 0;
    co_stack_mode stack_mode = CO_STACK_OWN;
    bool stack_poison = false;
    unsigned long long max_events = RECORD_MAX_EVENTS;
    double max_time = RECORD_MAX_TIME;
    char *extra[16];                /* recorder options for a program */
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
            if (a[6] == 'e')
                max_events = strtoull(argv[i], NULL, 10);
            else
                max_time = strtod(argv[i], NULL);
            if (n_extra + 2 > (int)(sizeof extra / sizeof *extra))
                return cli_usage_error("record", "too many options for the recorder (%s)", a);
            extra[n_extra++] = (char *)a;
            extra[n_extra++] = argv[i];
            continue;
        }
        if (!strcmp(a, "--no-locals")) {
            if (n_extra + 1 > (int)(sizeof extra / sizeof *extra))
                return cli_usage_error("record", "too many options for the recorder (%s)", a);
            extra[n_extra++] = (char *)a;
            continue;
        }
        if (!strcmp(a, "--clock") || !strcmp(a, "--size") || !strcmp(a, "--c-lines") ||
            !strcmp(a, "--stack"))
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
        } else if (!strcmp(a, "--stack")) {
            if (++i >= argc)
                return cli_usage_error("record", "--stack needs 'own', 'copy' or 'copy-poison'");
            if (!strcmp(argv[i], "own"))
                stack_mode = CO_STACK_OWN;
            else if (!strcmp(argv[i], "copy") || !strcmp(argv[i], "copy-poison")) {
                stack_mode = CO_STACK_COPY;
                stack_poison = argv[i][4] != 0;
            } else
                return cli_usage_error("record", "--stack takes 'own', 'copy' or 'copy-poison', not '%s'", argv[i]);
            const char *why = co_stack_mode_unsupported(stack_mode);
            if (why) {
                fprintf(stderr, "coroscope record: --stack %s: %s\n", argv[i], why);
                return 2;
            }
        } else if (!strcmp(a, "--c-lines")) {
            co_scenario_c_lines = 1;
        } else if (!strcmp(a, "--trace-version")) {
            if (++i >= argc)
                return cli_usage_error("record", "--trace-version needs 3 or 4");
            if (strcmp(argv[i], "3") && strcmp(argv[i], "4"))
                return cli_usage_error("record", "--trace-version takes 3 or 4, not '%s'", argv[i]);
            version = argv[i][0] - '0';
            if (n_extra + 2 > (int)(sizeof extra / sizeof *extra))   /* a program's recorder takes it too */
                return cli_usage_error("record", "too many options for the recorder (%s)", a);
            extra[n_extra++] = (char *)a;
            extra[n_extra++] = argv[i];
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
    int to_stdout = !strcmp(out, "-");
    FILE *f = to_stdout ? stdout : fopen(out, "w");
    if (!f) {
        tm_safe_fprintf(stderr, "coroscope record: cannot write trace to '%s': %s\n", out, strerror(errno));
        return 1;
    }
    /* The writer buffers whole lines itself; with stdio's buffer off, what it
    ** has written is in the file, and a signal handler can write the end. The
    ** program's own output is line-buffered, so an interruption keeps it too. */
    setvbuf(f, NULL, _IONBF, 0);
    if (!to_stdout)
        setvbuf(stdout, NULL, _IOLBF, 0);
    co_trace_header hdr = {sc->name, clock, "coroscope-runtime 0.1", version};
    co_trace_writer *w = co_trace_writer_new(f, &hdr);
    if (!w) {
        if (!to_stdout)
            fclose(f);
        fprintf(stderr, "coroscope record: out of memory\n");
        return 1;
    }
    recording r;
    memset(&r, 0, sizeof r);
    r.w = w;
    r.name = sc->name;
    r.out = out;
    r.max_events = max_events;
    r.max_time = max_time;
    co_loop_config cfg = {
        .clock = strcmp(clock, "real") ? CO_CLOCK_VIRTUAL : CO_CLOCK_REAL,
        .out = to_stdout ? stderr : stdout,
        .stack_mode = stack_mode,
        .stack_poison = stack_poison,
    };
    int rc = record_run(&r, sc, &cfg, clock);
    co_status wst = co_trace_writer_close(w, err, sizeof err);
    int closed = to_stdout ? fflush(f) : fclose(f);
    if (wst != CO_OK || closed != 0) {
        tm_safe_fprintf(stderr, "coroscope record: %s: %s%s%s\n", to_stdout ? "the output" : out,
                        wst != CO_OK ? err : "writing the trace failed: ", wst != CO_OK ? "" : strerror(errno),
                        to_stdout ? "" : " (the trace is cut short there)");
        return 1;
    }
    return rc;
}
