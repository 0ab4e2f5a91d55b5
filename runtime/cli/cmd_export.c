/*
** cmd_export.c -- `coroscope export --format chrome|svg FILE [-o OUT]`: a
** trace as Chrome Trace Event Format JSON, which Perfetto (ui.perfetto.dev)
** and chrome://tracing open, or (svg) as the viewer's timeline alone, a vector
** picture for slides (drawn by the viewer: cli_export_svg in viz/app/view_cli.c).
**
** The mapping, in the Trace Event Format's own terms:
**   process 1          the traced program (named after the scenario);
**   thread 0           the event loop itself: callbacks it ran and idle waits;
**   thread <task id>   one per task, named "Task-2 job", in tree order;
**   thread 2000000000+N  executor worker N: its jobs as slices (cat "job");
**   "X" slices         a task's steps (cat "running"), its waits (cat
**                      "waiting", named after what it awaits) and time spent
**                      ready with a non-zero length (cat "ready");
**   "i" instants       task creation, cancellation requests, exceptions thrown
**                      into a task, task completion, prints, warnings, and the
**                      version-2 markers (queue and lock operations, jobs,
**                      sockets, timeouts, task groups, blocking calls);
**   "s"/"f" flows      the model's links: spawn (creator -> child's first
**                      step), wake (resolution -> the step it scheduled),
**                      cancel, callback and timer; binding "e" ties each end
**                      to the slice enclosing it.
** Times are microseconds ("ts", "dur"). Under the virtual clock a step lasts
** zero microseconds, so steps are zero-width slices: zoom in, or look at
** the waits between them.
**
** The JSON is written by hand, one event per line, so a million-event trace
** exports without building a tree in memory.
*/
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "cli.h"
#include "trace_model.h"
#include "tm_safe.h"

static const char export_usage[] =
    "usage: coroscope export --format chrome|svg FILE [-o OUT]\n"
    "\n"
    "Convert a trace for other tools. Formats:\n"
    "  chrome        Chrome Trace Event Format JSON, for ui.perfetto.dev and\n"
    "                chrome://tracing: one thread per task, steps and waits as\n"
    "                slices, flow arrows for spawns, wake-ups and cancellations\n"
    "  svg           the viewer's timeline alone as a vector picture for slides\n"
    "                and handouts: every lane, the axis and the legend, real text\n"
    "                (no panels; 1600 pixels wide, as tall as the lanes need)\n"
    "\n"
    "A FILE ending in .py is a Python program: it is recorded first with the\n"
    "CPython recorder (its own output goes to stderr).\n"
    "\n"
    "  --format F    the output format (default: chrome)\n"
    "  -o OUT        write to OUT instead of standard output ('-': stdout)\n"
    "  --max-line SIZE  the longest line to read (default 16M, or $COROSCOPE_MAX_LINE)\n"
    "  -h, --help    this help\n";

/*
** A JSON string literal: quotes, backslashes and control characters escaped,
** C1 controls and bidi overrides as \uNNNN (so the JSON is safe to print on a
** terminal), and any byte that is not part of well-formed UTF-8 written as
** U+FFFD, since JSON text must be UTF-8 and a damaged trace's strings may not be.
*/
static void put_string(FILE *out, const char *s)
{
    tm_safe_json_string(s, out);
}

/*
** Seconds as Trace Event microseconds. JSON has no infinity, and printf would
** write "inf" for a time near the top of the double range (a trace may hold
** any finite `t`), so the result is clamped to the largest finite double.
*/
static double us(double seconds)
{
    double v = seconds * 1e6;
    return isfinite(v) ? v : isnan(v) ? 0 : copysign(DBL_MAX, v);
}

/*
** The length of [t0, t1] in microseconds, never negative: a slice with a
** negative "dur" breaks the Trace Event Format. A damaged trace can have one
** (an idle whose `until` is before its `from`, a job done before it started).
*/
static double dur_us(double t0, double t1)
{
    double d = us(t1 - t0);
    return d > 0 ? d : 0;
}

/* Executor threads get thread ids above any task id a trace will use. */
#define WORKER_TID 2000000000u

/* The thread a lane is drawn on: the task's id, or 0 for the loop. */
static uint32_t tid_of(const tm_trace *tr, uint32_t task)
{
    return task == TM_NONE ? 0 : tr->tasks[task].id;
}

static const char *task_name(const tm_trace *tr, uint32_t task)
{
    return task == TM_NONE ? "?" : tm_text(tr, tr->tasks[task].name);
}

/* Start an event object (the caller adds fields and closes it with "}"). */
static void begin_event(FILE *out, int *first, const char *ph, const char *name, const char *cat,
                        uint32_t tid, double ts)
{
    fputs(*first ? "\n" : ",\n", out);
    *first = 0;
    fprintf(out, "{\"ph\":\"%s\",\"pid\":1,\"tid\":%u,\"ts\":%.3f,\"name\":", ph, tid, ts);
    put_string(out, name);
    if (cat) {
        fputs(",\"cat\":", out);
        put_string(out, cat);
    }
}

static void metadata(FILE *out, int *first, uint32_t tid, const char *what, const char *key,
                     const char *text, long number)
{
    fputs(*first ? "\n" : ",\n", out);
    *first = 0;
    fprintf(out, "{\"ph\":\"M\",\"pid\":1,\"tid\":%u,\"name\":\"%s\",\"args\":{\"%s\":", tid, what, key);
    if (text)
        put_string(out, text);
    else
        fprintf(out, "%ld", number);
    fputs("}}", out);
}

/* How a step ended, for its slice's args: "await sleep(1)", "yield", "raise ValueError". */
static void step_end_text(const tm_trace *tr, uint32_t ev, char *buf, size_t size)
{
    const tm_event *e = &tr->events[ev];
    if (e->kind != TM_EV_STEP_END) {
        snprintf(buf, size, "(trace ends inside the step)");
        return;
    }
    switch ((tm_reason)e->detail) {
    case TM_REASON_AWAIT: snprintf(buf, size, "await %s", tm_text(tr, e->s1)); break;
    case TM_REASON_RAISE: snprintf(buf, size, "raise %s", tm_text(tr, e->s1)); break;
    default: snprintf(buf, size, "%s", tm_reason_name((tm_reason)e->detail)); break;
    }
}

static void export_spans(FILE *out, int *first, const tm_trace *tr)
{
    char name[300], end[300];
    for (size_t i = 0; i < tr->n_spans; i++) {
        const tm_span *sp = &tr->spans[i];
        double t0 = tm_span_t0(tr, sp), t1 = tm_span_t1(tr, sp);
        uint32_t tid = tid_of(tr, sp->task);
        if (sp->state == TM_STATE_RUNNING) {
            step_end_text(tr, sp->ev_end, end, sizeof end);
            begin_event(out, first, "X", "step", "running", tid, us(t0));
            fprintf(out, ",\"dur\":%.3f,\"args\":{\"task\":", dur_us(t0, t1));
            put_string(out, task_name(tr, sp->task));
            fputs(",\"then\":", out);
            put_string(out, end);
            fprintf(out, ",\"seq\":%u}}", tm_event_seq(tr, sp->ev_begin));
        } else if (sp->state == TM_STATE_WAITING) {
            snprintf(name, sizeof name, "await %s", tm_text(tr, sp->label));
            begin_event(out, first, "X", name, "waiting", tid, us(t0));
            fprintf(out, ",\"dur\":%.3f,\"args\":{\"fut\":%u}}", dur_us(t0, t1), sp->fut);
        } else if (sp->state == TM_STATE_READY && t1 > t0) {
            begin_event(out, first, "X", "ready", "ready", tid, us(t0));
            fprintf(out, ",\"dur\":%.3f}", dur_us(t0, t1));
        }
    }
}

/* Is this an event where the loop starts something new (ending a callback's run)? */
static int loop_moves_on(const tm_event *e)
{
    return e->kind == TM_EV_STEP_BEGIN || e->kind == TM_EV_CB_RUN || e->kind == TM_EV_IDLE ||
           e->kind == TM_EV_TIMER_FIRE || e->kind == TM_EV_END;
}

static void close_callback(FILE *out, int *first, const tm_trace *tr, uint32_t cb, double until)
{
    const tm_event *e = &tr->events[cb];
    begin_event(out, first, "X", tm_text(tr, e->s1)[0] ? tm_text(tr, e->s1) : "callback",
                "callback", 0, us(e->t));
    fprintf(out, ",\"dur\":%.3f,\"args\":{\"h\":%u}}", dur_us(e->t, until), tm_event_h(tr, cb));
}

static void export_events(FILE *out, int *first, const tm_trace *tr)
{
    char name[300];
    uint32_t open_cb = TM_NONE;
    for (size_t i = 0; i < tr->n_events; i++) {
        const tm_event *e = &tr->events[i];
        if (open_cb != TM_NONE && loop_moves_on(e)) {
            close_callback(out, first, tr, open_cb, e->t);
            open_cb = TM_NONE;
        }
        uint32_t lane = tid_of(tr, tm_event_by(tr, (uint32_t)i));
        switch ((tm_kind)e->kind) {
        case TM_EV_CB_RUN:
            open_cb = (uint32_t)i;
            break;
        case TM_EV_IDLE: {
            const tm_idle *id = &tr->idles[e->obj];
            begin_event(out, first, "X", "idle", "idle", 0, us(id->from));
            fprintf(out, ",\"dur\":%.3f}", dur_us(id->from, id->until));
            break;
        }
        case TM_EV_TASK_NEW:
            snprintf(name, sizeof name, "create %s", tm_text(tr, e->s1));
            begin_event(out, first, "i", name, "task", lane, us(e->t));
            fputs(",\"s\":\"t\",\"args\":{\"coro\":", out);
            put_string(out, tm_text(tr, tm_event_s2(tr, (uint32_t)i)));
            fputs("}}", out);
            break;
        case TM_EV_CANCEL:
            snprintf(name, sizeof name, "cancel %s",
                     e->task != TM_NONE ? task_name(tr, e->task) : "future");
            begin_event(out, first, "i", name, "cancel", lane, us(e->t));
            fprintf(out, ",\"s\":\"t\",\"args\":{\"target\":%u,\"ok\":%s,\"msg\":", e->obj,
                    e->detail ? "true" : "false");
            put_string(out, tm_text(tr, e->s1));
            fputs("}}", out);
            break;
        case TM_EV_THROW:
            snprintf(name, sizeof name, "throw %s", tm_text(tr, e->s1));
            begin_event(out, first, "i", name, "exception", tid_of(tr, e->task), us(e->t));
            fputs(",\"s\":\"t\",\"args\":{\"msg\":", out);
            put_string(out, tm_text(tr, tm_event_s2(tr, (uint32_t)i)));
            fputs("}}", out);
            break;
        case TM_EV_TASK_DONE:
            begin_event(out, first, "i", tm_outcome_name((tm_outcome)e->detail), "task",
                        tid_of(tr, e->task), us(e->t));
            fputs(",\"s\":\"t\",\"args\":{\"value\":", out);
            put_string(out, tm_text(tr, e->s1));
            fputs(",\"msg\":", out);
            put_string(out, tm_text(tr, tm_event_s2(tr, (uint32_t)i)));
            fputs("}}", out);
            break;
        case TM_EV_TIMER_FIRE:
            begin_event(out, first, "i", "timer fires", "timer", 0, us(e->t));
            fprintf(out, ",\"s\":\"t\",\"args\":{\"timer\":%u}}", e->obj);
            break;
        case TM_EV_PRINT:
            begin_event(out, first, "i", "print", "print", tid_of(tr, e->task), us(e->t));
            fputs(",\"s\":\"t\",\"args\":{\"text\":", out);
            put_string(out, tm_text(tr, e->s1));
            fputs("}}", out);
            break;
        case TM_EV_WARN:
            snprintf(name, sizeof name, "warning: %s", tm_text(tr, tm_event_s2(tr, (uint32_t)i)));
            begin_event(out, first, "i", name, "warning", tid_of(tr, e->task), us(e->t));
            fputs(",\"s\":\"p\",\"args\":{\"msg\":", out);
            put_string(out, tm_text(tr, e->s1));
            fputs("}}", out);
            break;
        case TM_EV_SYNC: case TM_EV_JOB: case TM_EV_IO: case TM_EV_TIMEOUT: case TM_EV_GROUP:
        case TM_EV_BLOCK: {
            const tm_mark *mk = &tr->marks[e->obj];
            if (e->kind == TM_EV_BLOCK)   /* its op is "block" too */
                snprintf(name, sizeof name, "block %s", tm_text(tr, mk->what));
            else
                snprintf(name, sizeof name, "%s %s%s%s", tm_kind_name((tm_kind)e->kind),
                         tm_text(tr, mk->op), mk->what ? " " : "", tm_text(tr, mk->what));
            uint32_t tid = mk->task != TM_NONE ? tid_of(tr, mk->task) : lane;
            if (e->kind == TM_EV_JOB && mk->num >= 0 && mk->num < tr->n_workers)
                tid = WORKER_TID + (uint32_t)mk->num;   /* a worker lane that exists */
            begin_event(out, first, "i", name, tm_kind_name((tm_kind)e->kind), tid, us(e->t));
            fprintf(out, ",\"s\":\"t\",\"args\":{\"obj\":%u}}", mk->obj);
            break;
        }
        default:
            break;
        }
    }
    for (size_t i = 0; i < tr->n_jobs; i++) {
        const tm_job *jb = &tr->jobs[i];
        if (jb->ev_start == TM_NONE)
            continue;
        double t0 = tr->events[jb->ev_start].t;
        double t1 = jb->ev_done != TM_NONE ? tr->events[jb->ev_done].t : tr->stats.t_end;
        begin_event(out, first, "X", tm_text(tr, jb->fn), "job", WORKER_TID + (uint32_t)jb->worker,
                    us(t0));
        fprintf(out, ",\"dur\":%.3f,\"args\":{\"job\":%u,\"fut\":%u}}", dur_us(t0, t1), jb->id,
                jb->fut);
    }
    if (open_cb != TM_NONE)
        close_callback(out, first, tr, open_cb, tr->stats.t_end);
}

static void export_flows(FILE *out, int *first, const tm_trace *tr)
{
    for (size_t i = 0; i < tr->n_links; i++) {
        const tm_link *lk = &tr->links[i];
        const char *kind = tm_link_name((tm_link_kind)lk->kind);
        begin_event(out, first, "s", kind, kind, tid_of(tr, tm_event_by(tr, lk->from)),
                    us(tr->events[lk->from].t));
        fprintf(out, ",\"id\":%zu}", i + 1);
        begin_event(out, first, "f", kind, kind, tid_of(tr, tm_event_by(tr, lk->to)),
                    us(tr->events[lk->to].t));
        fprintf(out, ",\"bp\":\"e\",\"id\":%zu}", i + 1);
    }
}

static void export_chrome(FILE *out, const tm_trace *tr)
{
    int first = 1;
    char label[300];
    const char *scenario = tm_text(tr, tr->scenario);
    fputs("{\"traceEvents\":[", out);
    metadata(out, &first, 0, "process_name", "name", scenario[0] ? scenario : "coroscope trace", 0);
    metadata(out, &first, 0, "thread_name", "name", "event loop", 0);
    metadata(out, &first, 0, "thread_sort_index", "sort_index", NULL, 0);
    for (size_t i = 0; i < tr->n_tasks; i++) {
        const tm_task *tk = &tr->tasks[tr->lanes[i]];
        const char *name = tm_text(tr, tk->name), *coro = tm_text(tr, tk->coro);
        if (!strncmp(name, "Task-", 5) && coro[0])
            snprintf(label, sizeof label, "%s %s", name, coro);
        else
            snprintf(label, sizeof label, "%s", name);
        metadata(out, &first, tk->id, "thread_name", "name", label, 0);
        metadata(out, &first, tk->id, "thread_sort_index", "sort_index", NULL, (long)i + 1);
    }
    for (uint32_t w = 0; w < tr->n_workers; w++) {
        snprintf(label, sizeof label, "worker-%u", w);
        metadata(out, &first, WORKER_TID + w, "thread_name", "name", label, 0);
        metadata(out, &first, WORKER_TID + w, "thread_sort_index", "sort_index", NULL,
                 (long)tr->n_tasks + 1 + w);
    }
    export_spans(out, &first, tr);
    export_events(out, &first, tr);
    export_flows(out, &first, tr);
    fputs("\n],\n\"displayTimeUnit\":\"ms\",\n\"otherData\":{\"scenario\":", out);
    put_string(out, scenario);
    fputs(",\"clock\":", out);
    put_string(out, tm_text(tr, tr->clock));
    fputs(",\"semantics\":", out);
    put_string(out, tm_text(tr, tr->semantics));
    fputs(",\"producer\":", out);
    put_string(out, tm_text(tr, tr->producer));
    fputs(",\"exported_by\":\"coroscope export\"}}\n", out);
}

int cli_export(int argc, char **argv)
{
    const char *format = "chrome", *file = NULL, *out_path = "-";
    int taken;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(export_usage, stdout);
            return 0;
        } else if (!strncmp(a, "--format=", 9)) {
            format = a + 9;
        } else if (!strcmp(a, "--format") || !strcmp(a, "-f")) {
            if (++i >= argc)
                return cli_usage_error("export", "%s needs a format name", a);
            format = argv[i];
        } else if (!strncmp(a, "--output=", 9)) {
            out_path = a + 9;
        } else if (!strcmp(a, "-o") || !strcmp(a, "--output")) {
            if (++i >= argc)
                return cli_usage_error("export", "%s needs a file name", a);
            out_path = argv[i];
        } else if ((taken = cli_max_line_opt("export", argc, argv, &i)) != 0) {
            if (taken < 0)
                return 2;
        } else if (a[0] == '-' && a[1]) {
            return cli_usage_error("export", "unknown option '%s'", a);
        } else if (file) {
            return cli_usage_error("export", "one trace at a time ('%s' and '%s')", file, a);
        } else {
            file = a;
        }
    }
    int svg = !strcmp(format, "svg");
    if (strcmp(format, "chrome") && !svg)
        return cli_usage_error("export", "unknown format '%s' (known: chrome, svg)", format);
    if (!file)
        return cli_usage_error("export", "no trace file given");
    char *files[1] = {(char *)file};
    int rc = cli_resolve_programs("export", files, 1);
    if (rc)
        return rc;
    file = files[0];

    tm_error err;
    tm_trace *tr = tm_load(file, 0, &err);
    if (!tr) {
        tm_print_error(stderr, "coroscope export: ", file, &err);
        return 1;
    }
    tm_print_problems(stderr, file, "warning: ", tr);
    FILE *out = cli_out_open("export", out_path);
    if (!out) {
        tm_free(tr);
        return 1;
    }
    int rc2 = 0;
    if (svg) {
        rc2 = cli_export_svg(out, tr, file, strcmp(out_path, "-") ? out_path : "the output");   /* frees tr */
    } else {
        export_chrome(out, tr);
        tm_free(tr);
    }
    if (rc2) {
        if (out != stdout)
            fclose(out);
        return 1;
    }
    return cli_out_close("export", out_path, out);
}
