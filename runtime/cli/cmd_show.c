/*
** cmd_show.c -- `coroscope show FILE...`: traces drawn as a terminal timeline.
**
** One lane per task, indented under the task that created it; one character
** cell per slice of time. Under the virtual clock a step takes no time at all,
** so a cell shows the most telling state any part of it held, in this order:
** running, then ready, then waiting -- a task that ran at 1 s shows a running
** cell at 1 s even though the step lasted zero seconds. After a task finishes,
** its lane shows the outcome mark (done / failed / cancelled) and then nothing;
** its result or exception is printed after the lane.
**
** The rest of asyncio (the version-2 events) shows too: a wait on a socket
** is filled differently from other waits, the poller's `ready` is marked on
** the waiting task's lane, a timeout that fires is marked on its owner's
** lane, and each TaskGroup gets a bracket in a gutter left of the lane names
** over its owner and members (┌ its first lane, ├ a member, │ a lane it only
** passes), closed by a line naming it (└ TaskGroup ...); its abort is marked
** on the owner's lane. Groups that share lanes take bracket columns of their
** own, outer groups to the left.
**
** Several files share one time axis (the longest trace sets the scale), so
** `show sequential.jsonl gather.jsonl` compares them at a glance. Output is
** plain text unless stdout is a terminal and NO_COLOR is unset (or --color).
*/
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "alloc.h"
#include "cli.h"
#include "show_code.h"
#include "show_list.h"
#include "show_groups.h"
#include "tm_safe.h"
#include "trace_model.h"

static const char show_usage[] =
    "usage: coroscope show [--width N] [--events] [--ascii] [--color | --no-color]\n"
    "                      [--max-rows N | --all] FILE...\n"
    "       coroscope show --code [--width N] FILE...\n"
    "       coroscope show --list [--width N] [--max-rows N | --all] FILE...\n"
    "\n"
    "Draw traces as a terminal timeline: one lane per task (indented under its\n"
    "parent), a time axis on top, the result or exception after each lane.\n"
    "Several files are stacked on one shared time scale.\n"
    "\n"
    "A FILE ending in .py is a Python program: it is recorded first with the\n"
    "CPython recorder (its own output goes to stderr).\n"
    "\n"
    "  --width N     total width in columns, 40 to 10000 (default: the terminal's width,\n"
    "                else $COLUMNS, else 100)\n"
    "  --events      one axis unit per event instead of per second: shows the order\n"
    "                of steps that happen at the same instant (automatic when every\n"
    "                trace lasts zero seconds)\n"
    "  --code        print the program the trace carries, with the tasks that\n"
    "                suspended on each line, when, and for how long\n"
    "  --list        every event on a line of its own, numbered (#N, as the viewer's\n"
    "                event list and a lesson's pick questions number them) and said\n"
    "                in words; --max-rows caps the lines too\n"
    "  --paused      the traces stop at a lesson's pause point: say 'paused at',\n"
    "                not 'makespan', and do not warn that they were cut short\n"
    "  --ascii       draw with ASCII only (# running, . ready, - waiting, ~ on I/O)\n"
    "  --color       colour even when stdout is not a terminal\n"
    "  --no-color    never colour (also: NO_COLOR set in the environment)\n"
    "  --max-rows N  at most N rows per trace: task lanes, then worker lanes, then\n"
    "                warnings (default 200); a last line says how many were left out\n"
    "  --all         every row, however many (--max-rows 0)\n"
    "  --max-line SIZE  the longest line to read (default 16M, or $COROSCOPE_MAX_LINE)\n"
    "  -h, --help    this help\n";

/* The characters a timeline is drawn with. */
typedef struct glyphs {
    const char *running, *ready, *waiting;   /* lane cells */
    const char *done, *failed, *cancelled;   /* the mark where a task finished */
    const char *rule, *tick;                 /* the time axis */
    const char *more;                        /* text cut short */
    const char *sep;                         /* between fields of a title line */
    const char *io_wait, *io_ready;          /* a wait on a socket; the poller found it ready */
    const char *fired, *abort;               /* a timeout fired; a TaskGroup began aborting */
    const char *g_top, *g_member, *g_pass;   /* a TaskGroup's bracket: first lane, member, passing */
    const char *g_end, *g_across, *g_cross;  /* its closing line: corner, rule, crossing a bracket */
    const char *to;                          /* from .. to, in a group's line */
} glyphs;

static const glyphs unicode_glyphs = {"█", "·", "░", "✓", "✗", "⊘", "─", "┼", "…", " · ", "≈", "↑",
                                      "⏱", "⚠", "┌", "├", "│", "└", "─", "┼", " → "};
static const glyphs ascii_glyphs = {"#", ".", "-", "+", "!", "/", "-", "+", "~", " - ", "~", "^",
                                    "T", "A", "+", ">", "|", "+", "-", "+", " -> "};

/* ANSI colours for each cell kind (used only when colour is on). */
enum { C_NONE, C_RUNNING, C_READY, C_WAITING, C_DONE, C_FAILED, C_CANCELLED, C_DIM, C_BOLD, C_IO, C_WARN };
static const char *const colour_codes[] = {
    "\033[0m", "\033[32m", "\033[33m", "\033[34m", "\033[32;1m", "\033[31;1m", "\033[35;1m",
    "\033[2m", "\033[1m", "\033[36m", "\033[33;1m",
};

typedef struct show_opts {
    int width;              /* total columns */
    int color;              /* emit ANSI colours */
    const glyphs *g;        /* the character set */
    int by_event;           /* --events: the axis counts events, not seconds */
    int code;               /* --code: the program with its suspensions, not the timeline */
    int paused;             /* --paused: the traces were cut at a lesson's pause point */
    size_t max_rows;        /* rows per trace (lanes, worker lanes, warnings); 0: no cap */
    int list;               /* --list: the events one per line, in words */
} show_opts;


/* How many task lanes, worker lanes and warnings of a trace are drawn, under the row cap. */
typedef struct show_rows {
    size_t lanes, workers, warns;   /* drawn */
    size_t hidden_lanes;            /* task and worker lanes left out */
    size_t hidden_warns;            /* warnings left out */
} show_rows;

static show_rows rows_of(const tm_trace *tr, const show_opts *o)
{
    size_t cap = o->max_rows ? o->max_rows : SIZE_MAX;
    show_rows r;
    r.lanes = tr->n_tasks < cap ? tr->n_tasks : cap;
    cap -= r.lanes;
    r.workers = tr->n_workers < cap ? tr->n_workers : cap;
    cap -= r.workers;
    r.warns = tr->n_warns < cap ? tr->n_warns : cap;
    r.hidden_lanes = tr->n_tasks - r.lanes + tr->n_workers - r.workers;
    r.hidden_warns = tr->n_warns - r.warns;
    return r;
}

/* The layout shared by every trace on screen. */
typedef struct layout {
    int gutter_w;           /* TaskGroup bracket columns and a space before the labels (0: no groups) */
    int label_w;            /* lane label column */
    int chart_w;            /* time cells; one more cell follows for the final mark */
    int outcome_w;          /* result column after the lane */
    double t_max;           /* position at the right edge: seconds, or an event number */
    int by_event;           /* the axis counts events instead of seconds */
} layout;

/* Display width of UTF-8 text: code points, every one taken as one column. */
static int text_width(const char *s)
{
    int n = 0;
    for (; *s; s++)
        if (((unsigned char)*s & 0xC0) != 0x80)
            n++;
    return n;
}

/* Print s in exactly `w` columns: padded with spaces, or cut with a mark. */
static void put_fitted(FILE *out, const char *s, int w, const glyphs *g)
{
    int n = text_width(s);
    if (n <= w) {
        fputs(s, out);
        fprintf(out, "%*s", w - n, "");
        return;
    }
    int keep = w - 1, col = 0;
    for (const char *p = s; *p && col <= keep; p++) {
        if (((unsigned char)*p & 0xC0) != 0x80 && ++col > keep)
            break;
        fputc(*p, out);
    }
    if (w > 0)
        fputs(g->more, out);
}

static void colour(FILE *out, const show_opts *o, int c)
{
    if (o->color)
        fputs(colour_codes[c], out);
}

/* A lane's label: the task name, with the coroutine when the name is a default "Task-N". */
static void lane_label(const tm_trace *tr, const tm_task *tk, char *buf, size_t size)
{
    const char *name = tm_text(tr, tk->name), *coro = tm_text(tr, tk->coro);
    int indent = (int)(tk->depth > 20 ? 20 : tk->depth) * 2;
    if (!strncmp(name, "Task-", 5) && coro[0])
        tm_safe_snprintf(buf, size, "%*s%s %s", indent, "", name, coro);
    else
        tm_safe_snprintf(buf, size, "%*s%s", indent, "", name[0] ? name : coro);
}

/* What follows a lane: "'a'", "ValueError: boom", "cancelled", or what it is still doing. */
static int lane_outcome(const tm_trace *tr, const tm_task *tk, char *buf, size_t size)
{
    const char *result = tm_text(tr, tk->result), *msg = tm_text(tr, tk->msg);
    switch ((tm_outcome)tk->outcome) {
    case TM_OUTCOME_RESULT:
        tm_safe_snprintf(buf, size, "%s", result);
        return C_DONE;
    case TM_OUTCOME_EXCEPTION:
        tm_safe_snprintf(buf, size, "%s%s%s", result, msg[0] ? ": " : "", msg);
        return C_FAILED;
    case TM_OUTCOME_CANCELLED:
        tm_safe_snprintf(buf, size, "cancelled%s%s", msg[0] ? ": " : "", msg);
        return C_CANCELLED;
    default:
        break;
    }
    if (!tk->span_count) {
        snprintf(buf, size, "pending");
        return C_DIM;
    }
    const tm_span *last = &tr->spans[tk->span_first + tk->span_count - 1];
    if (last->state == TM_STATE_WAITING)
        tm_safe_snprintf(buf, size, "(waiting on %s)", tm_text(tr, last->label));
    else if (last->state == TM_STATE_READY || last->state == TM_STATE_RUNNING)
        snprintf(buf, size, "(%s)", tm_state_name((tm_state)last->state));
    else
        snprintf(buf, size, "(%s; no task_done)", tm_state_name((tm_state)last->state));
    return C_DIM;
}

/* The cell a time falls in (the right edge belongs to the last cell). */
static int cell_of(const layout *L, double t)
{
    if (L->t_max <= 0)
        return 0;
    double x = t / L->t_max * L->chart_w;
    if (!(x >= 0))   /* before 0 (times may be negative), or -inf: the first cell */
        return 0;
    if (x >= L->chart_w)   /* clamp before converting: a double past int's range is UB */
        return L->chart_w - 1;
    return (int)x;
}

/* The last cell a span [t0, t1] of positive length reaches. */
static int last_cell_of(const layout *L, double t0, double t1)
{
    int c0 = cell_of(L, t0);
    if (L->t_max <= 0 || t1 <= t0)
        return c0;
    double x = t1 / L->t_max * L->chart_w;
    if (!(x < L->chart_w))   /* clamp before converting, as in cell_of */
        return L->chart_w - 1 < c0 ? c0 : L->chart_w - 1;
    int c = x > 0 ? (int)x : 0;
    if ((double)c == x)
        c--;   /* a span ending exactly on a cell boundary does not enter that cell */
    return c < c0 ? c0 : c;
}

/* Cell contents, from least to most telling; the marks last, the strongest last. */
enum { CELL_EMPTY, CELL_WAITING, CELL_IO, CELL_READY, CELL_RUNNING, CELL_DONE, CELL_FAILED, CELL_CANCELLED,
       CELL_IO_READY, CELL_FIRED, CELL_ABORT };

/*
** Put a lane's marks (show_groups.h) in its cells. A mark takes the cell of
** its moment unless a step ran there: then the cell before, where the task was
** still waiting, so the step stays visible; it never covers the outcome mark
** or a stronger mark, and nothing is marked after the outcome.
*/
static void put_marks(const tm_trace *tr, const show_groups *sg, uint32_t task, const layout *L,
                      unsigned char *cells, int last)
{
    static const unsigned char mark_cell[] = {[SM_IO_READY] = CELL_IO_READY, [SM_FIRED] = CELL_FIRED,
                                              [SM_ABORT] = CELL_ABORT};
    for (uint32_t i = sg->mk_first[task]; i < sg->mk_first[task + 1]; i++) {
        const show_mark *m = &sg->marks[i];
        unsigned char want = mark_cell[m->kind];
        int c = cell_of(L, L->by_event ? m->ev : tr->events[m->ev].t);
        if (c > last)
            continue;
        if ((cells[c] == CELL_RUNNING || cells[c] >= CELL_DONE) && c > 0 && cells[c - 1] <= CELL_READY)
            c--;
        if (cells[c] >= CELL_DONE && (cells[c] < CELL_IO_READY || cells[c] >= want))
            continue;
        cells[c] = want;
    }
}

static void draw_lane(FILE *out, const tm_trace *tr, uint32_t task, const show_groups *sg, const layout *L,
                      const show_opts *o, unsigned char *cells)
{
    const glyphs *g = o->g;
    const tm_task *tk = &tr->tasks[task];
    int n = L->chart_w + 1, last = n - 1;
    memset(cells, CELL_EMPTY, (size_t)n);
    for (uint32_t i = tk->span_first; i < tk->span_first + tk->span_count; i++) {
        const tm_span *sp = &tr->spans[i];
        int kind = sp->state == TM_STATE_RUNNING ? CELL_RUNNING
                 : sp->state == TM_STATE_READY ? CELL_READY
                 : sp->state != TM_STATE_WAITING ? CELL_EMPTY
                 : show_span_is_io(tr, sp) ? CELL_IO : CELL_WAITING;
        if (kind == CELL_EMPTY)
            continue;
        double t0 = L->by_event ? sp->ev_begin : tm_span_t0(tr, sp);
        double t1 = L->by_event ? sp->ev_end : tm_span_t1(tr, sp);
        for (int c = cell_of(L, t0), e = last_cell_of(L, t0, t1); c <= e; c++)
            if (cells[c] < kind)
                cells[c] = (unsigned char)kind;
    }
    if (tk->ev_done != TM_NONE && tk->span_count) {
        /* The mark follows the moment the task stopped running (its final span's start). */
        const tm_span *fin = &tr->spans[tk->span_first + tk->span_count - 1];
        int c = cell_of(L, L->by_event ? fin->ev_begin : tm_span_t0(tr, fin)) + 1;
        while (c > 1 && cells[c - 1] == CELL_EMPTY)
            c--;   /* attach the mark to the lane's last drawn cell */
        for (int k = c; k < n; k++)
            cells[k] = CELL_EMPTY;
        cells[c] = tk->outcome == TM_OUTCOME_RESULT ? CELL_DONE
                 : tk->outcome == TM_OUTCOME_EXCEPTION ? CELL_FAILED : CELL_CANCELLED;
        last = c;
    }
    put_marks(tr, sg, task, L, cells, last);
    static const int cell_colour[] = {C_NONE,   C_WAITING,   C_IO, C_READY, C_RUNNING, C_DONE,
                                      C_FAILED, C_CANCELLED, C_IO, C_WARN,  C_WARN};
    const char *cell_text[] = {" ",       g->waiting,   g->io_wait,  g->ready, g->running, g->done,
                               g->failed, g->cancelled, g->io_ready, g->fired, g->abort};
    int cur = C_NONE;
    for (int c = 0; c < n; c++) {
        int want = cell_colour[cells[c]];
        if (want != cur && cells[c] != CELL_EMPTY) {
            colour(out, o, want);
            cur = want;
        }
        fputs(cell_text[cells[c]], out);
    }
    if (cur != C_NONE)
        colour(out, o, C_NONE);
}

/* An executor thread's lane: running while it runs a job (FORMAT.md `job` events). */
static void draw_worker(FILE *out, const tm_trace *tr, uint32_t worker, const layout *L,
                        const show_opts *o, unsigned char *cells)
{
    char label[32];
    unsigned jobs = 0;
    memset(cells, CELL_EMPTY, (size_t)L->chart_w + 1);
    for (size_t i = 0; i < tr->n_jobs; i++) {
        const tm_job *jb = &tr->jobs[i];
        if (jb->worker != (int32_t)worker || jb->ev_start == TM_NONE)
            continue;
        jobs++;
        uint32_t end = jb->ev_done != TM_NONE ? jb->ev_done : (uint32_t)tr->n_events - 1;
        double t0 = L->by_event ? jb->ev_start : tr->events[jb->ev_start].t;
        double t1 = L->by_event ? end : tr->events[end].t;
        for (int c = cell_of(L, t0), e = last_cell_of(L, t0, t1); c <= e; c++)
            cells[c] = CELL_RUNNING;
    }
    snprintf(label, sizeof label, "worker-%u", worker);
    fprintf(out, "%*s", L->gutter_w, "");
    put_fitted(out, label, L->label_w, o->g);
    fputc(' ', out);
    int cur = C_NONE;
    for (int c = 0; c <= L->chart_w; c++) {
        if (cells[c] == CELL_RUNNING && cur != C_RUNNING)
            colour(out, o, cur = C_RUNNING);
        else if (cells[c] != CELL_RUNNING && cur != C_NONE)
            colour(out, o, cur = C_NONE);
        fputs(cells[c] == CELL_RUNNING ? o->g->running : " ", out);
    }
    if (cur != C_NONE)
        colour(out, o, C_NONE);
    colour(out, o, C_DIM);
    fprintf(out, " %u job%s", jobs, jobs == 1 ? "" : "s");
    colour(out, o, C_NONE);
    fputc('\n', out);
}

/* The time axis: tick labels, then a rule with a tick at each label. */
static void draw_axis(FILE *out, const layout *L, const show_opts *o)
{
    double step = tm_nice_step(L->t_max, L->chart_w / 8 > 1 ? L->chart_w / 8 : 1);
    /* Seconds for a trace of a second or more; shorter ones in ms or µs. */
    double scale = 1;
    const char *unit = "s";
    if (!L->by_event && L->t_max > 0 && L->t_max < 1e-3) {
        scale = 1e6;
        unit = "µs";
    } else if (!L->by_event && L->t_max > 0 && L->t_max < 1) {
        scale = 1e3;
        unit = "ms";
    }
    if (L->t_max <= 0)
        step = 1;
    int n = L->chart_w + 1;
    char *labels = co_malloc((size_t)n + 32);
    char *rule = co_calloc((size_t)n, 1);
    if (!labels || !rule) {
        co_free(labels);
        co_free(rule);
        return;
    }
    memset(labels, ' ', (size_t)n + 31);
    labels[n + 31] = '\0';
    int free_from = 0;
    for (int k = 0; k <= n; k++) {   /* at most a tick per cell, whatever the step */
        double t = k * step;
        /* Past the end (allowing rounding). Written as a difference so that a
        ** t_max near DBL_MAX, whose ticks overflow to inf, still stops. */
        if (k > 0 && !(t - L->t_max <= L->t_max * 1e-9))
            break;
        int c = cell_of(L, t);
        rule[c] = 1;
        char text[32];
        snprintf(text, sizeof text, "%g", L->by_event ? t + 1 : t * scale);
        int len = (int)strlen(text);
        if (c >= free_from && c + len <= n + 30) {
            memcpy(labels + c, text, (size_t)len);
            free_from = c + len + 1;
        }
        if (L->t_max <= 0)
            break;
    }
    int end = n + 31;
    while (end > 0 && labels[end - 1] == ' ')
        end--;
    labels[end] = '\0';

    char head[32];
    if (L->by_event)
        snprintf(head, sizeof head, "event #");
    else
        snprintf(head, sizeof head, "time (%s)", unit);
    colour(out, o, C_DIM);
    fprintf(out, "%*s", L->gutter_w, "");
    put_fitted(out, head, L->label_w, o->g);
    fprintf(out, " %s\n", labels);
    fprintf(out, "%*s ", L->gutter_w + L->label_w, "");
    for (int c = 0; c < L->chart_w; c++)
        fputs(rule[c] ? o->g->tick : o->g->rule, out);
    colour(out, o, C_NONE);
    fputc('\n', out);
    co_free(labels);
    co_free(rule);
}

/* The gutter of a lane's row: the TaskGroup brackets passing it, right against the labels. */
static void draw_gutter(FILE *out, const show_groups *sg, uint32_t lane, const layout *L, const show_opts *o)
{
    const glyphs *g = o->g;
    if (!L->gutter_w)
        return;
    fprintf(out, "%*s", L->gutter_w - 1 - sg->cols, "");
    for (int c = 0; c < sg->cols; c++) {
        size_t at = (size_t)lane * SHOW_GROUP_COLS + (size_t)c;
        uint8_t what = sg->cell[at];
        if (what == SG_NONE) {
            fputc(' ', out);
            continue;
        }
        int warn = sg->groups[sg->cell_group[at]].ev_abort != TM_NONE;
        colour(out, o, warn ? C_WARN : C_BOLD);
        fputs(what == SG_TOP ? g->g_top : what == SG_MEMBER ? g->g_member : g->g_pass, out);
        colour(out, o, C_NONE);
    }
    fputc(' ', out);
}

/* The line closing a group's bracket, after its last lane: "└─ TaskGroup #3 of Task-1: 3 tasks · 0 → 2 s". */
static void draw_closing(FILE *out, const tm_trace *tr, const show_groups *sg, uint32_t gi, const layout *L,
                         const show_opts *o)
{
    const glyphs *g = o->g;
    const show_group *gr = &sg->groups[gi];
    char text[400], a[32], b[32];
    int warn = gr->ev_abort != TM_NONE;
    fprintf(out, "%*s", L->gutter_w - 1 - sg->cols, "");
    for (int c = 0; c < sg->cols; c++) {
        size_t at = (size_t)gr->hi * SHOW_GROUP_COLS + (size_t)c;
        const char *glyph = " ";
        if (c < gr->col)   /* an outer bracket goes on past this line */
            glyph = sg->cell[at] != SG_NONE ? g->g_pass : " ";
        else if (c == gr->col)
            glyph = g->g_end;
        else   /* crossing an inner bracket that goes on, or where one has closed */
            glyph = sg->cell[at] != SG_NONE && sg->groups[sg->cell_group[at]].hi > gr->hi ? g->g_cross : g->g_across;
        if (c >= gr->col)
            colour(out, o, warn ? C_WARN : C_BOLD);
        fputs(glyph, out);
        colour(out, o, C_NONE);
    }
    colour(out, o, warn ? C_WARN : C_BOLD);
    fputs(g->g_across, out);
    colour(out, o, C_NONE);
    tm_format_seconds(tr->events[gr->ev_new].t, a, sizeof a);
    if (gr->ev_exit != TM_NONE)
        tm_format_seconds(tr->events[gr->ev_exit].t, b, sizeof b);
    int n = tm_safe_snprintf(text, sizeof text, " TaskGroup #%u of %s: %u task%s joined%s%s%s%s", gr->id,
                     gr->owner != TM_NONE ? tm_text(tr, tr->tasks[gr->owner].name) : "?", gr->members,
                     gr->members == 1 ? "" : "s", g->sep, a, gr->ev_exit != TM_NONE ? g->to : " on, still open",
                     gr->ev_exit != TM_NONE ? b : "");
    if (warn && n > 0 && (size_t)n < sizeof text) {
        tm_format_seconds(tr->events[gr->ev_abort].t, a, sizeof a);
        snprintf(text + n, sizeof text - (size_t)n, "%saborted at %s%s", g->sep, a,
                 tr->events[gr->ev_abort].task == TM_NONE ? " (a child failed)" : "");
    }
    colour(out, o, warn ? C_WARN : C_DIM);
    int room = o->width - L->gutter_w;
    if (text_width(text) > room)
        put_fitted(out, text, room, g);
    else
        fputs(text, out);
    colour(out, o, C_NONE);
    fputc('\n', out);
}

static void draw_trace(FILE *out, const char *path, const tm_trace *tr, const show_groups *sg, const layout *L,
                       const show_opts *o, unsigned char *cells)
{
    const glyphs *g = o->g;
    char mk[32], line[512], title[700];
    tm_format_seconds(tr->stats.makespan, mk, sizeof mk);
    const char *scenario = tm_text(tr, tr->scenario);
    int n = tm_safe_snprintf(title, sizeof title, "%s%s%s%s%s %s%s%zu task%s%s%u step%s%s%s clock",
                     scenario[0] ? scenario : path, g->sep, path, g->sep, o->paused ? "paused at" : "makespan",
                     mk, g->sep, tr->n_tasks,
                     tr->n_tasks == 1 ? "" : "s", g->sep, tr->stats.steps,
                     tr->stats.steps == 1 ? "" : "s", g->sep,
                     tr->clock ? tm_text(tr, tr->clock) : "unknown");
    if (tr->end_reason != TM_END_COMPLETE && !o->paused && n > 0 && (size_t)n < sizeof title)
        snprintf(title + n, sizeof title - (size_t)n, "%s%s", g->sep,
                 tr->end_reason == TM_END_MISSING ? "cut short (no end event)"
                                                  : tm_end_name((tm_end)tr->end_reason));
    colour(out, o, C_BOLD);
    if (text_width(title) > o->width)
        put_fitted(out, title, o->width, g);
    else
        fputs(title, out);
    colour(out, o, C_NONE);
    fputc('\n', out);
    show_rows rows = rows_of(tr, o);
    size_t closed = 0;
    for (size_t i = 0; i < rows.lanes; i++) {
        const tm_task *tk = &tr->tasks[tr->lanes[i]];
        draw_gutter(out, sg, (uint32_t)i, L, o);
        lane_label(tr, tk, line, sizeof line);
        put_fitted(out, line, L->label_w, g);
        fputc(' ', out);
        draw_lane(out, tr, tr->lanes[i], sg, L, o, cells);
        fputc(' ', out);
        int c = lane_outcome(tr, tk, line, sizeof line);
        colour(out, o, c);
        if (text_width(line) > L->outcome_w)
            put_fitted(out, line, L->outcome_w, g);
        else
            fputs(line, out);   /* no trailing blanks */
        colour(out, o, C_NONE);
        fputc('\n', out);
        while (closed < sg->n_closing && sg->groups[sg->closing[closed]].hi <= i)
            draw_closing(out, tr, sg, sg->closing[closed++], L, o);
    }
    for (uint32_t w = 0; w < rows.workers; w++)
        draw_worker(out, tr, w, L, o, cells);
    if (rows.hidden_lanes) {
        colour(out, o, C_DIM);
        fprintf(out, "%*s %zu more lane%s (--all shows every row)\n", L->gutter_w + L->label_w, "",
                rows.hidden_lanes, rows.hidden_lanes == 1 ? "" : "s");
        colour(out, o, C_NONE);
    }
    for (size_t i = 0; i < rows.warns; i++) {
        const tm_event *e = &tr->events[tr->warns[i]];
        colour(out, o, C_FAILED);
        tm_safe_fprintf(out, "%*s warning: %s: %s", L->gutter_w + L->label_w, "", tm_text(tr, tm_event_s2(tr, tr->warns[i])),
                        tm_text(tr, e->s1));
        if (e->task != TM_NONE)
            tm_safe_fprintf(out, " (%s)", tm_text(tr, tr->tasks[e->task].name));
        colour(out, o, C_NONE);
        fputc('\n', out);
    }
    if (rows.hidden_warns) {
        colour(out, o, C_FAILED);
        fprintf(out, "%*s %zu more warning%s (--all shows every row)\n", L->gutter_w + L->label_w, "",
                rows.hidden_warns, rows.hidden_warns == 1 ? "" : "s");
        colour(out, o, C_NONE);
    }
}

/* What the traces on screen have of the rest of asyncio, for the legend. */
enum { HAS_IO_WAIT = 1, HAS_IO_READY = 2, HAS_FIRED = 4, HAS_ABORT = 8, HAS_GROUP = 16 };

static unsigned legend_extras(const show_groups *sgs, int n)
{
    static const unsigned mark_bit[] = {[SM_IO_READY] = HAS_IO_READY, [SM_FIRED] = HAS_FIRED, [SM_ABORT] = HAS_ABORT};
    unsigned has = 0;
    for (int k = 0; k < n; k++) {
        has |= sgs[k].io_waits ? HAS_IO_WAIT : 0;
        has |= sgs[k].n_closing ? HAS_GROUP : 0;
        for (size_t i = 0; i < sgs[k].n_marks; i++)
            has |= mark_bit[sgs[k].marks[i].kind];
    }
    return has;
}

static void draw_legend(FILE *out, const show_opts *o, unsigned has)
{
    const glyphs *g = o->g;
    char bracket[32];
    snprintf(bracket, sizeof bracket, "%s%s%s", g->g_top, g->g_member, g->g_end);
    const struct { int c; const char *glyph, *what; unsigned need; } items[] = {
        {C_RUNNING, g->running, "running", 0}, {C_READY, g->ready, "ready (scheduled, not yet run)", 0},
        {C_WAITING, g->waiting, "waiting", 0}, {C_IO, g->io_wait, "waiting on I/O", HAS_IO_WAIT},
        {C_DONE, g->done, "done", 0}, {C_FAILED, g->failed, "failed", 0}, {C_CANCELLED, g->cancelled, "cancelled", 0},
        {C_IO, g->io_ready, "I/O ready", HAS_IO_READY}, {C_WARN, g->fired, "timeout fired", HAS_FIRED},
        {C_BOLD, bracket, "TaskGroup (owner and members)", HAS_GROUP}, {C_WARN, g->abort, "TaskGroup aborts", HAS_ABORT},
    };
    int col = 7;
    fputs("legend:", out);
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        if (items[i].need && !(has & items[i].need))
            continue;
        int w = 2 + text_width(items[i].glyph) + 1 + (int)strlen(items[i].what);
        if (col + w > o->width) {   /* wrap under the first item */
            fputs("\n       ", out);
            col = 7;
        }
        fputs("  ", out);
        colour(out, o, items[i].c);
        fputs(items[i].glyph, out);
        colour(out, o, C_NONE);
        fprintf(out, " %s", items[i].what);
        col += w;
    }
    fputc('\n', out);
}

/* What a set-order decision was, from the event that carries the mark. */
static const char *set_order_what(const tm_event *e)
{
    switch (e->kind) {
    case TM_EV_GROUP: return "a TaskGroup cancels its children";
    case TM_EV_CANCEL: return "remaining tasks are cancelled";
    case TM_EV_FUT_DONE: return "wait() returns its done and pending sets (iterated later)";
    case TM_EV_TASK_NEW: return "as_completed() wraps coroutines in tasks";
    default: return "callbacks are added to futures already done";
    }
}

/* A note under the chart for each instant at which CPython would iterate a
** set ("order":"set" in the trace): there its order follows object addresses
** and varies from run to run, while the trace has one order. */
static void draw_set_order_notes(FILE *out, const char *path, const tm_trace *tr, const show_opts *o)
{
    int shown = 0, more = 0;
    double last_t = -1;
    for (size_t i = 0; i < tr->n_events; i++) {
        const tm_event *e = &tr->events[i];
        if (!(e->flags & TM_EVF_SET_ORDER) || e->t == last_t)
            continue;
        last_t = e->t;
        if (shown == 3) {
            more++;
            continue;
        }
        char when[32];
        tm_format_seconds(e->t, when, sizeof when);
        colour(out, o, C_WARN);
        fputs("note:", out);
        colour(out, o, C_NONE);
        fprintf(out, " %s, %s (event %u): %s\n"
                     "      CPython takes them from a set, in an order that follows object addresses\n"
                     "      and can change from run to run; at %s this trace shows one such order\n",
                path, when, tm_event_seq(tr, (uint32_t)i), set_order_what(e), when);
        shown++;
    }
    if (more)
        fprintf(out, "note: %s: %d more instant%s like that\n", path, more, more == 1 ? "" : "s");
}

/* Fit label, chart and outcome columns into the width. */
static void plan_layout(layout *L, tm_trace **trs, const show_groups *sgs, int n, const show_opts *o)
{
    L->by_event = o->by_event;
    if (!L->by_event) {   /* all at one instant: time cannot separate anything */
        int any_time = 0;
        for (int i = 0; i < n; i++)
            any_time |= trs[i]->stats.t_end > 0;
        L->by_event = !any_time;
    }
    char buf[512];
    int label_w = 9, outcome_w = 0;   /* 9: room for the axis title "time (ms)" */
    L->t_max = 0;
    for (int i = 0; i < n; i++) {
        const tm_trace *tr = trs[i];
        double right = L->by_event ? (double)tr->n_events - 1 : tr->stats.t_end;
        if (right > L->t_max)
            L->t_max = right;
        for (size_t k = 0, shown = rows_of(tr, o).lanes; k < shown; k++) {
            const tm_task *tk = &tr->tasks[tr->lanes[k]];
            lane_label(tr, tk, buf, sizeof buf);
            if (text_width(buf) > label_w)
                label_w = text_width(buf);
            lane_outcome(tr, tk, buf, sizeof buf);
            if (text_width(buf) > outcome_w)
                outcome_w = text_width(buf);
        }
    }
    if (label_w > o->width / 4)
        label_w = o->width / 4 > 8 ? o->width / 4 : 8;
    if (outcome_w > o->width / 4)
        outcome_w = o->width / 4;
    int cols = 0;
    for (int i = 0; i < n; i++)
        cols = sgs[i].cols > cols ? sgs[i].cols : cols;
    L->gutter_w = cols ? cols + 1 : 0;
    L->label_w = label_w;
    L->outcome_w = outcome_w;
    L->chart_w = o->width - L->gutter_w - label_w - 1 - 1 - 1 - outcome_w;
    if (L->chart_w < 10)
        L->chart_w = 10;
}

#define WIDTH_MIN 40      /* narrower, the lane names and outcomes leave no chart */
#define WIDTH_MAX 10000   /* wider is no terminal */

/* A width from text within [WIDTH_MIN, WIDTH_MAX], or -1. */
static int parse_width(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);
    return *s && !*end && v >= WIDTH_MIN && v <= WIDTH_MAX ? (int)v : -1;
}

/*
** The width to draw at when --width is not given: the terminal's own when
** standard output is one (TIOCGWINSZ -- $COLUMNS is a shell variable that is
** usually not exported), else $COLUMNS when it is set, else 100.
*/
static int default_width(void)
{
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
        return ws.ws_col < WIDTH_MIN ? WIDTH_MIN : ws.ws_col;
    const char *cols = getenv("COLUMNS");
    return cols && parse_width(cols) > 0 ? parse_width(cols) : 100;
}

static int show_opt(void *ud, int argc, char **argv, int *i)
{
    show_opts *o = ud;
    const char *a = argv[*i];
    if (!strcmp(a, "--events"))
        o->by_event = 1;
    else if (!strcmp(a, "--code"))
        o->code = 1;
    else if (!strcmp(a, "--list"))
        o->list = 1;
    else if (!strcmp(a, "--paused"))
        o->paused = 1;
    else if (!strcmp(a, "--ascii"))
        o->g = &ascii_glyphs;
    else if (!strcmp(a, "--color") || !strcmp(a, "--colour"))
        o->color = 1;
    else if (!strcmp(a, "--no-color") || !strcmp(a, "--no-colour"))
        o->color = 0;
    else if (!strcmp(a, "--all") || !strncmp(a, "--max-rows", 10)) {
        int r = cli_max_rows_opt("show", argc, argv, i, &o->max_rows);
        if (r <= 0)
            return r;
    }
    else if (!strcmp(a, "--width") || !strncmp(a, "--width=", 8)) {
        const char *v = a[7] == '=' ? a + 8 : (*i + 1 < argc ? argv[++*i] : NULL);
        o->width = v ? parse_width(v) : -1;
        if (o->width < 0) {
            if (v)
                cli_usage_error("show", "--width '%s': give a number of columns from %d to %d", v, WIDTH_MIN,
                                WIDTH_MAX);
            else
                cli_usage_error("show", "--width needs a number of columns");
            return -1;
        }
    } else
        return 0;
    return 1;
}

int cli_show(int argc, char **argv)
{
    show_opts o = {0, -1, &unicode_glyphs, 0, 0, 0, CLI_MAX_ROWS, 0};
    o.width = -1;
    char **files;
    int n;
    int rc0 = cli_parse_files("show", show_usage, argc, argv, show_opt, &o, &files, &n);
    if (rc0 >= 0)
        return rc0;
    if (o.color < 0)
        o.color = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
    if (o.width < 0)
        o.width = default_width();

    tm_trace **trs = co_calloc((size_t)n, sizeof *trs);
    show_groups *sgs = co_calloc((size_t)n, sizeof *sgs);
    if (!trs || !sgs) {
        fprintf(stderr, "coroscope show: out of memory\n");
        co_free(trs);
        co_free(sgs);
        co_free(files);
        return 1;
    }
    int rc = 0;
    for (int k = 0; k < n && !rc; k++) {
        const char *path = files[k];
        tm_error err;
        trs[k] = tm_load(path, 0, &err);
        if (!trs[k]) {
            tm_print_error(stderr, "coroscope show: ", path, &err);
            rc = 1;
            break;
        }
        if (!o.paused)
            tm_print_problems(stderr, path, "warning: ", trs[k]);
        if (show_groups_build(trs[k], &sgs[k]) < 0) {
            fprintf(stderr, "coroscope show: out of memory\n");
            rc = 1;
        }
    }
    if (!rc && o.list) {
        for (int k = 0; k < n && !rc; k++) {
            if (k)
                fputc('\n', stdout);
            show_groups_free(&sgs[k]);
            memset(&sgs[k], 0, sizeof sgs[k]);
            rc = cli_show_list(stdout, cli_shown(files[k]), trs[k], files[k], o.width, o.max_rows);
            trs[k] = NULL;                     /* the list took it */
        }
    } else if (!rc && o.code) {
        for (int k = 0; k < n && !rc; k++) {
            if (k)
                fputc('\n', stdout);
            rc = cli_show_code(stdout, cli_shown(files[k]), trs[k], o.width);
        }
    } else if (!rc) {
        layout L;
        plan_layout(&L, trs, sgs, n, &o);
        unsigned char *cells = co_malloc((size_t)L.chart_w + 1);
        if (!cells) {
            fprintf(stderr, "coroscope show: out of memory\n");
            rc = 1;
        } else {
            draw_axis(stdout, &L, &o);
            for (int k = 0; k < n; k++) {
                fputc('\n', stdout);
                draw_trace(stdout, cli_shown(files[k]), trs[k], &sgs[k], &L, &o, cells);
            }
            fputc('\n', stdout);
            if (n > 1) {
                draw_axis(stdout, &L, &o);
                fputc('\n', stdout);
            }
            draw_legend(stdout, &o, legend_extras(sgs, n));
            for (int k = 0; k < n; k++)
                draw_set_order_notes(stdout, cli_shown(files[k]), trs[k], &o);
            co_free(cells);
        }
    }
    for (int k = 0; k < n; k++) {
        show_groups_free(&sgs[k]);
        tm_free(trs[k]);
    }
    co_free(sgs);
    co_free(trs);
    co_free(files);
    if (cli_out_close("show", "-", stdout))
        rc = 1;
    return rc;
}
