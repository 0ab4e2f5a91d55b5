/*
** fuzz_common.c -- the helpers of fuzz.h: the model's contracts checked from
** outside, in-memory files for the commands that take a path, quieting the
** commands' output, and a counting allocator.
**
** The contract checks read trace_model.h as a specification: each FZ_CHECK
** below quotes or paraphrases a promise the header makes to the viewer and
** the CLI, which index the arrays without checking. A loader bug that breaks
** one would be an out-of-bounds read in a caller later; here it is caught at
** the load that caused it, with the rule that broke.
*/
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "fuzz.h"

void fz_fail(const char *fmt, ...)
{
    va_list ap;
    fflush(stdout);
    fputs("fuzz: invariant broken: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    abort();
}

/* ---- the model's contracts ---------------------------------------------------- */

#define N TM_NONE

/* An index that is TM_NONE or below n. */
static int opt_index(uint32_t i, size_t n)
{
    return i == N || i < n;
}

/* Event index `ev` is in range and of kind `kind`. */
static int event_is(const tm_trace *tr, uint32_t ev, tm_kind kind)
{
    return ev < tr->n_events && tr->events[ev].kind == kind;
}

static void check_events(const tm_trace *tr)
{
    size_t idles = 0, marks = 0, prints = 0, warns = 0;
    for (size_t i = 0; i < tr->n_events; i++) {
        const tm_event *e = &tr->events[i];
        FZ_CHECK(e->kind < TM_EV__COUNT, "event %zu: kind %u", i, e->kind);
        FZ_CHECK(!isnan(e->t) && isfinite(e->t), "event %zu: t is not finite", i);
        FZ_CHECK(i == 0 || e->t >= tr->events[i - 1].t,
                 "event %zu: t %g is below the previous event's %g", i, e->t, tr->events[i - 1].t);
        FZ_CHECK(opt_index(e->task, tr->n_tasks), "event %zu: task %u of %zu", i, e->task,
                 tr->n_tasks);
        uint32_t by = tm_event_by(tr, (uint32_t)i);
        FZ_CHECK(opt_index(by, tr->n_tasks), "event %zu: by %u of %zu", i, by, tr->n_tasks);
        tm_text(tr, e->s1);
        tm_text(tr, tm_event_s2(tr, (uint32_t)i));
        switch ((tm_kind)e->kind) {
        case TM_EV_TASK_NEW:
            FZ_CHECK(e->task == N || tr->tasks[e->task].ev_new == i,
                     "task_new %zu: its task's ev_new is %u", i, tr->tasks[e->task].ev_new);
            break;
        case TM_EV_STEP_BEGIN: case TM_EV_STEP_END: case TM_EV_THROW: case TM_EV_TASK_DONE:
            FZ_CHECK(by == e->task, "%s %zu: by %u is not its task %u",
                     tm_kind_name((tm_kind)e->kind), i, by, e->task);
            break;
        case TM_EV_FRAME_ENTER:
            FZ_CHECK(e->task != N || e->obj == N, "frame_enter %zu: a frame without a task", i);
            if (e->task != N)
                FZ_CHECK(e->obj < tr->n_frames && tr->frames[e->obj].ev_enter == i &&
                             tr->frames[e->obj].task == e->task,
                         "frame_enter %zu: obj %u is not its frame", i, e->obj);
            break;
        case TM_EV_FRAME_EXIT:
            /* A frame index, or TM_NONE when no frame was open: never another frame. */
            if (e->task != N && e->obj != N)
                FZ_CHECK(e->obj < tr->n_frames && tr->frames[e->obj].ev_exit == i,
                         "frame_exit %zu: obj %u is not the frame it closed", i, e->obj);
            break;
        case TM_EV_IDLE:
            FZ_CHECK(e->obj < tr->n_idles && tr->idles[e->obj].ev == i,
                     "idle %zu: obj %u is not its idles[] entry", i, e->obj);
            idles++;
            break;
        case TM_EV_SYNC: case TM_EV_JOB: case TM_EV_IO: case TM_EV_TIMEOUT: case TM_EV_GROUP:
        case TM_EV_BLOCK:
            FZ_CHECK(e->obj < tr->n_marks && tr->marks[e->obj].ev == i,
                     "%s %zu: obj %u is not its marks[] entry", tm_kind_name((tm_kind)e->kind), i,
                     e->obj);
            marks++;
            break;
        case TM_EV_PRINT:
            prints++;
            break;
        case TM_EV_WARN:
            warns++;
            break;
        case TM_EV_END:
            FZ_CHECK(e->detail <= TM_END_OTHER, "end %zu: detail %u", i, e->detail);
            break;
        default:
            break;
        }
    }
    FZ_CHECK(idles == tr->n_idles, "%zu idle events, %zu idles", idles, tr->n_idles);
    FZ_CHECK(marks == tr->n_marks, "%zu version-2 events, %zu marks", marks, tr->n_marks);
    FZ_CHECK(prints == tr->n_prints, "%zu print events, %zu prints", prints, tr->n_prints);
    FZ_CHECK(warns == tr->n_warns, "%zu warn events, %zu warns", warns, tr->n_warns);
    for (size_t i = 0; i < tr->n_prints; i++)
        FZ_CHECK(event_is(tr, tr->prints[i], TM_EV_PRINT), "prints[%zu] = %u", i, tr->prints[i]);
    for (size_t i = 0; i < tr->n_warns; i++)
        FZ_CHECK(event_is(tr, tr->warns[i], TM_EV_WARN), "warns[%zu] = %u", i, tr->warns[i]);
}

static void check_tasks(const tm_trace *tr)
{
    size_t spans = 0, frames = 0;
    uint32_t steps_seen = 0;
    unsigned char *begun = calloc(tr->n_events + 1, 1);
    FZ_CHECK(begun, "out of memory");
    for (size_t t = 0; t < tr->n_tasks; t++) {
        const tm_task *tk = &tr->tasks[t];
        FZ_CHECK(tk->parent == N || tk->parent < t, "task %zu: parent %u", t, tk->parent);
        FZ_CHECK(tk->depth == (tk->parent == N ? 0 : tr->tasks[tk->parent].depth + 1),
                 "task %zu: depth %u", t, tk->depth);
        FZ_CHECK(event_is(tr, tk->ev_new, TM_EV_TASK_NEW) && tr->events[tk->ev_new].task == t,
                 "task %zu: ev_new %u", t, tk->ev_new);
        FZ_CHECK(tk->ev_done == N || (event_is(tr, tk->ev_done, TM_EV_TASK_DONE) &&
                                      tr->events[tk->ev_done].task == t && tk->ev_done > tk->ev_new),
                 "task %zu: ev_done %u", t, tk->ev_done);
        FZ_CHECK(tk->outcome <= TM_OUTCOME_CANCELLED, "task %zu: outcome %u", t, tk->outcome);
        FZ_CHECK((tk->ev_done == N) == (tk->outcome == TM_OUTCOME_PENDING),
                 "task %zu: ev_done %u but outcome %s", t, tk->ev_done,
                 tm_outcome_name((tm_outcome)tk->outcome));
        FZ_CHECK(!isnan(tk->t_running) && !isnan(tk->t_ready) && !isnan(tk->t_waiting),
                 "task %zu: a NaN time", t);
        FZ_CHECK(tk->t_running >= 0 && tk->t_ready >= 0 && tk->t_waiting >= 0,
                 "task %zu: a negative time", t);

        /* Spans: grouped, contiguous and gapless from creation to the last event. */
        FZ_CHECK(tk->span_first == spans, "task %zu: span_first %u, expected %zu", t,
                 tk->span_first, spans);
        FZ_CHECK(tk->span_count >= 1, "task %zu: no span", t);
        spans += tk->span_count;
        FZ_CHECK(spans <= tr->n_spans, "task %zu: spans past the end", t);
        for (uint32_t s = tk->span_first; s < tk->span_first + tk->span_count; s++) {
            const tm_span *sp = &tr->spans[s];
            FZ_CHECK(sp->task == t, "span %u: task %u in task %zu's group", s, sp->task, t);
            FZ_CHECK(sp->state < TM_STATE__COUNT, "span %u: state %u", s, sp->state);
            FZ_CHECK(sp->ev_begin <= sp->ev_end && sp->ev_end < tr->n_events,
                     "span %u: events %u..%u of %zu", s, sp->ev_begin, sp->ev_end, tr->n_events);
            if (s == tk->span_first)
                FZ_CHECK(sp->ev_begin == tk->ev_new, "task %zu: first span begins at %u, not %u",
                         t, sp->ev_begin, tk->ev_new);
            else
                FZ_CHECK(sp->ev_begin == tr->spans[s - 1].ev_end, "span %u: gap after span %u", s,
                         s - 1);
            tm_text(tr, sp->label);
        }
        FZ_CHECK(tr->spans[tk->span_first + tk->span_count - 1].ev_end == tr->n_events - 1,
                 "task %zu: last span ends before the last event", t);
        for (uint32_t s = tk->span_first; s < tk->span_first + tk->span_count; s++) {
            uint32_t ev = tr->spans[s].ev_begin;   /* an event begins at most one span (overview.c counts on it) */
            FZ_CHECK(!begun[ev], "event %u begins two spans", ev);
            begun[ev] = 1;
        }

        FZ_CHECK(tk->frame_first == frames, "task %zu: frame_first %u, expected %zu", t,
                 tk->frame_first, frames);
        frames += tk->frame_count;
        FZ_CHECK(frames <= tr->n_frames, "task %zu: frames past the end", t);
        for (uint32_t f = tk->frame_first; f < tk->frame_first + tk->frame_count; f++)
            FZ_CHECK(tr->frames[f].task == t, "frame %u: task %u in task %zu's group", f,
                     tr->frames[f].task, t);
        steps_seen += tk->steps;
    }
    free(begun);
    FZ_CHECK(spans == tr->n_spans, "%zu spans in groups, %zu in all", spans, tr->n_spans);
    FZ_CHECK(frames == tr->n_frames, "%zu frames in groups, %zu in all", frames, tr->n_frames);
    FZ_CHECK(steps_seen == tr->n_steps, "tasks count %u steps, %zu in all", steps_seen, tr->n_steps);

    /* Lanes: a permutation, each parent before its children. */
    if (tr->n_tasks) {
        uint32_t *pos = malloc(tr->n_tasks * sizeof *pos);
        FZ_CHECK(pos != NULL, "out of memory in the checker");
        for (size_t i = 0; i < tr->n_tasks; i++)
            pos[i] = N;
        for (size_t i = 0; i < tr->n_tasks; i++) {
            uint32_t t = tr->lanes[i];
            FZ_CHECK(t < tr->n_tasks && pos[t] == N, "lanes[%zu] = %u", i, t);
            pos[t] = (uint32_t)i;
        }
        for (size_t t = 0; t < tr->n_tasks; t++)
            FZ_CHECK(tr->tasks[t].parent == N || pos[tr->tasks[t].parent] < pos[t],
                     "lane of task %zu comes before its parent's", t);
        free(pos);
    }
}

static void check_objects(const tm_trace *tr)
{
    for (size_t i = 0; i < tr->n_steps; i++) {
        const tm_step *st = &tr->steps[i];
        FZ_CHECK(event_is(tr, st->ev_begin, TM_EV_STEP_BEGIN) && tr->events[st->ev_begin].task < tr->n_tasks,
                 "step %zu: ev_begin %u", i, st->ev_begin);
        FZ_CHECK(i == 0 || st->ev_begin > tr->steps[i - 1].ev_begin, "step %zu: out of order", i);
        FZ_CHECK(st->ev_end == N || (st->ev_end > st->ev_begin && st->ev_end < tr->n_events),
                 "step %zu: ev_end %u", i, st->ev_end);
    }
    for (size_t i = 0; i < tr->n_handles; i++) {
        const tm_handle *h = &tr->handles[i];
        FZ_CHECK(opt_index(h->task, tr->n_tasks), "handle %zu: task %u", i, h->task);
        FZ_CHECK(h->ev_queued < tr->n_events, "handle %zu: ev_queued %u", i, h->ev_queued);
        FZ_CHECK(i == 0 || h->ev_queued >= tr->handles[i - 1].ev_queued, "handle %zu: out of order", i);
        FZ_CHECK(h->ev_gone == N || (h->ev_gone > h->ev_queued && h->ev_gone < tr->n_events),
                 "handle %zu: ev_gone %u", i, h->ev_gone);
        FZ_CHECK(tm_find_handle(tr, h->id) < tr->n_handles &&
                     tr->handles[tm_find_handle(tr, h->id)].id == h->id,
                 "handle %zu: id %u is not found", i, h->id);
    }
    for (size_t i = 0; i < tr->n_futures; i++) {
        const tm_future *f = &tr->futures[i];
        FZ_CHECK(event_is(tr, f->ev_new, TM_EV_FUT_NEW), "future %zu: ev_new %u", i, f->ev_new);
        FZ_CHECK(f->ev_done == N || event_is(tr, f->ev_done, TM_EV_FUT_DONE),
                 "future %zu: ev_done %u", i, f->ev_done);
        FZ_CHECK(opt_index(f->created_by, tr->n_tasks) && opt_index(f->done_by, tr->n_tasks),
                 "future %zu: created_by %u done_by %u", i, f->created_by, f->done_by);
        FZ_CHECK(f->outcome <= TM_OUTCOME_CANCELLED, "future %zu: outcome %u", i, f->outcome);
        FZ_CHECK(tm_find_future(tr, f->id) == i, "future %zu: id %u finds %u", i, f->id,
                 tm_find_future(tr, f->id));
    }
    for (size_t i = 0; i < tr->n_tasks; i++)
        FZ_CHECK(tm_find_task(tr, tr->tasks[i].id) == i, "task %zu: id %u finds %u", i,
                 tr->tasks[i].id, tm_find_task(tr, tr->tasks[i].id));
    for (size_t i = 0; i < tr->n_timers; i++) {
        const tm_timer *tm = &tr->timers[i];
        FZ_CHECK(event_is(tr, tm->ev_new, TM_EV_TIMER_NEW), "timer %zu: ev_new %u", i, tm->ev_new);
        FZ_CHECK(tm->ev_fire == N || event_is(tr, tm->ev_fire, TM_EV_TIMER_FIRE),
                 "timer %zu: ev_fire %u", i, tm->ev_fire);
        FZ_CHECK(tm->ev_cancel == N || event_is(tr, tm->ev_cancel, TM_EV_TIMER_CANCEL),
                 "timer %zu: ev_cancel %u", i, tm->ev_cancel);
        FZ_CHECK(opt_index(tm->created_by, tr->n_tasks), "timer %zu: created_by %u", i, tm->created_by);
        FZ_CHECK(i == 0 || tm->ev_new > tr->timers[i - 1].ev_new, "timer %zu: out of order", i);
        FZ_CHECK(tm_find_timer(tr, tm->id) == i, "timer %zu: id %u", i, tm->id);
    }
    for (size_t i = 0; i < tr->n_frames; i++) {
        const tm_frame *fr = &tr->frames[i];
        FZ_CHECK(fr->task < tr->n_tasks, "frame %zu: task %u", i, fr->task);
        FZ_CHECK(fr->parent == N || (fr->parent < tr->n_frames && tr->frames[fr->parent].task == fr->task &&
                                     fr->depth == tr->frames[fr->parent].depth + 1),
                 "frame %zu: parent %u", i, fr->parent);
        FZ_CHECK(fr->parent != N || fr->depth == 0, "frame %zu: depth %u at top level", i, fr->depth);
        FZ_CHECK(event_is(tr, fr->ev_enter, TM_EV_FRAME_ENTER), "frame %zu: ev_enter %u", i, fr->ev_enter);
        FZ_CHECK(fr->ev_exit == N || (event_is(tr, fr->ev_exit, TM_EV_FRAME_EXIT) && fr->ev_exit > fr->ev_enter),
                 "frame %zu: ev_exit %u", i, fr->ev_exit);
    }
    for (size_t i = 0; i < tr->n_links; i++) {
        const tm_link *lk = &tr->links[i];
        FZ_CHECK(lk->from < tr->n_events && lk->to < tr->n_events && lk->from <= lk->to,
                 "link %zu: %u -> %u", i, lk->from, lk->to);
        FZ_CHECK(lk->kind <= TM_LINK_TIMER, "link %zu: kind %u", i, lk->kind);
        FZ_CHECK(i == 0 || lk->to >= tr->links[i - 1].to, "link %zu: not ordered by `to`", i);
    }
    for (size_t i = 0; i < tr->n_idles; i++)
        FZ_CHECK(event_is(tr, tr->idles[i].ev, TM_EV_IDLE), "idle %zu: ev %u", i, tr->idles[i].ev);
    for (size_t i = 0; i < tr->n_marks; i++) {
        const tm_mark *mk = &tr->marks[i];
        FZ_CHECK(mk->ev < tr->n_events && tr->events[mk->ev].kind >= TM_EV_SYNC,
                 "mark %zu: ev %u", i, mk->ev);
        FZ_CHECK(opt_index(mk->task, tr->n_tasks), "mark %zu: task %u", i, mk->task);
    }
    for (size_t i = 0; i < tr->n_jobs; i++) {
        const tm_job *jb = &tr->jobs[i];
        FZ_CHECK(event_is(tr, jb->ev_submit, TM_EV_JOB), "job %zu: ev_submit %u", i, jb->ev_submit);
        FZ_CHECK(jb->ev_start == N || (event_is(tr, jb->ev_start, TM_EV_JOB) && jb->ev_start > jb->ev_submit),
                 "job %zu: ev_start %u", i, jb->ev_start);
        FZ_CHECK(jb->ev_done == N || event_is(tr, jb->ev_done, TM_EV_JOB), "job %zu: ev_done %u", i,
                 jb->ev_done);
        FZ_CHECK((jb->ev_start == N) == (jb->worker == -1), "job %zu: worker %d, ev_start %u", i,
                 jb->worker, jb->ev_start);
        FZ_CHECK(jb->worker == -1 || (jb->worker >= 0 && (uint32_t)jb->worker < tr->n_workers),
                 "job %zu: worker %d of %u", i, jb->worker, tr->n_workers);
        FZ_CHECK(opt_index(jb->submitted_by, tr->n_tasks), "job %zu: submitted_by %u", i,
                 jb->submitted_by);
        FZ_CHECK(tm_find_job(tr, jb->id) == i, "job %zu: id %u", i, jb->id);
    }
}

/* Ask the query functions about event ev and check the answers by brute force. */
static void check_queries_at(const tm_trace *tr, uint32_t ev)
{
    uint32_t at = tm_event_at_time(tr, tr->events[ev].t);
    FZ_CHECK(at != N && at >= ev && at < tr->n_events && tr->events[at].t == tr->events[ev].t &&
                 (at + 1 == tr->n_events || tr->events[at + 1].t > tr->events[ev].t),
             "event_at_time(t of %u) = %u", ev, at);

    uint32_t run = tm_running_at(tr, ev);
    FZ_CHECK(opt_index(run, tr->n_tasks), "running_at(%u) = %u", ev, run);

    for (size_t t = 0; t < tr->n_tasks && t < 64; t++) {
        const tm_task *tk = &tr->tasks[t];
        uint32_t s = tm_span_at(tr, (uint32_t)t, ev);
        if (ev < tk->ev_new) {
            FZ_CHECK(s == N, "span_at(%zu, %u) = %u before the task exists", t, ev, s);
            continue;
        }
        FZ_CHECK(s >= tk->span_first && s < tk->span_first + tk->span_count &&
                     tr->spans[s].ev_begin <= ev &&
                     (s + 1 == tk->span_first + tk->span_count || tr->spans[s + 1].ev_begin > ev),
                 "span_at(%zu, %u) = %u", t, ev, s);
    }

    uint32_t out[8];
    size_t n = tm_ready_at(tr, ev, out, 8), want = 0;
    for (size_t i = 0; i < tr->n_handles; i++) {
        const tm_handle *h = &tr->handles[i];
        if (h->ev_queued <= ev && (h->ev_gone == N || h->ev_gone > ev)) {
            if (want < 8 && want < n)
                FZ_CHECK(out[want] == i, "ready_at(%u)[%zu] = %u, expected %zu", ev, want, out[want], i);
            want++;
        }
    }
    FZ_CHECK(n == want, "ready_at(%u) counts %zu handles, expected %zu", ev, n, want);

    n = tm_timers_at(tr, ev, out, 8);
    want = 0;
    for (size_t i = 0; i < tr->n_timers; i++) {
        const tm_timer *tm = &tr->timers[i];
        if (tm->ev_new <= ev && (tm->ev_fire == N || tm->ev_fire > ev) &&
            (tm->ev_cancel == N || tm->ev_cancel > ev))
            want++;
    }
    FZ_CHECK(n == want, "timers_at(%u) counts %zu timers, expected %zu", ev, n, want);
    for (size_t i = 0; i < n && i < 8; i++) {
        FZ_CHECK(out[i] < tr->n_timers, "timers_at(%u)[%zu] = %u", ev, i, out[i]);
        FZ_CHECK(i == 0 || tr->timers[out[i]].when >= tr->timers[out[i - 1]].when,
                 "timers_at(%u) not soonest first", ev);
    }
}

void fz_check_model(const tm_trace *tr, unsigned flags)
{
    FZ_CHECK(tr->version >= 1 && tr->version <= TM_FORMAT_VERSION, "version %d", tr->version);
    FZ_CHECK(tr->end_reason <= TM_END_OTHER, "end_reason %u", tr->end_reason);
    tm_text(tr, tr->scenario);
    tm_text(tr, tr->clock);
    tm_text(tr, tr->semantics);
    tm_text(tr, tr->producer);
    check_events(tr);
    check_tasks(tr);
    check_objects(tr);

    for (size_t i = 0; i < tr->n_problems; i++) {
        const tm_problem *p = &tr->problems[i];
        FZ_CHECK(p->message != NULL && p->line >= 1 && p->column >= 1, "problem %zu", i);
    }
    if (!(flags & TM_LOAD_STRICT))
        FZ_CHECK(tr->n_problems <= TM_MAX_WARNINGS, "%zu problems kept", tr->n_problems);
    else
        FZ_CHECK(tr->problems_dropped == 0, "a strict load dropped problems");

    const tm_stats *st = &tr->stats;
    FZ_CHECK(st->steps == tr->n_steps, "stats.steps %u, %zu steps", st->steps, tr->n_steps);
    FZ_CHECK(st->peak_tasks <= tr->n_tasks, "peak_tasks %u of %zu", st->peak_tasks, tr->n_tasks);
    FZ_CHECK(st->peak_ready <= tr->n_handles, "peak_ready %u of %zu", st->peak_ready, tr->n_handles);
    FZ_CHECK(!isnan(st->makespan) && st->makespan >= 0, "makespan %g", st->makespan);
    FZ_CHECK(st->idle >= 0 && st->blocked >= 0, "idle %g, blocked %g", st->idle, st->blocked);
    FZ_CHECK(tr->n_events == 0 || st->t_end == tr->events[tr->n_events - 1].t, "t_end %g", st->t_end);

    /* The queries, on every event of a small trace and a sample of a large one. */
    size_t stride = tr->n_events > 256 ? tr->n_events / 256 : 1;
    for (size_t ev = 0; ev < tr->n_events; ev += stride)
        check_queries_at(tr, (uint32_t)ev);
    if (tr->n_events) {
        FZ_CHECK(tm_event_at_time(tr, tr->events[0].t - 1) == N ||
                     tr->events[0].t - 1 == tr->events[0].t,
                 "event_at_time before the first event");
        check_queries_at(tr, (uint32_t)tr->n_events - 1);
    }

    char buf[64];
    tm_format_seconds(st->makespan, buf, sizeof buf);
    tm_format_seconds(st->idle, buf, sizeof buf);
    FZ_CHECK(tm_nice_step(st->makespan, 10) > 0, "nice_step(%g) <= 0", st->makespan);
}

/* ---- in-memory files ------------------------------------------------------------ */

static int in_fd = -1, out_fd = -1;
static char in_path[64], out_path[64];

static int make_memfd(const char *name, char *path, size_t size)
{
    int fd = memfd_create(name, 0);
    if (fd < 0) {
        fprintf(stderr, "fuzz: memfd_create: %s\n", strerror(errno));
        abort();
    }
    snprintf(path, size, "/proc/self/fd/%d", fd);
    return fd;
}

const char *fz_trace_path(const uint8_t *data, size_t size)
{
    if (in_fd < 0)
        in_fd = make_memfd("fuzz-in", in_path, sizeof in_path);
    if (ftruncate(in_fd, 0) < 0)
        abort();
    size_t done = 0;
    while (done < size) {
        ssize_t n = pwrite(in_fd, data + done, size - done, (off_t)done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
    return in_path;
}

const char *fz_out_path(void)
{
    if (out_fd < 0)
        out_fd = make_memfd("fuzz-out", out_path, sizeof out_path);
    if (ftruncate(out_fd, 0) < 0)
        abort();
    return out_path;
}

char *fz_out_read(size_t *len)
{
    struct stat sb;
    if (out_fd < 0 || fstat(out_fd, &sb) < 0)
        abort();
    size_t size = (size_t)sb.st_size;
    char *text = malloc(size + 1);
    if (!text)
        abort();
    size_t done = 0;
    while (done < size) {
        ssize_t n = pread(out_fd, text + done, size - done, (off_t)done);
        if (n <= 0)
            abort();
        done += (size_t)n;
    }
    text[size] = '\0';
    *len = size;
    return text;
}

/* ---- quiet ------------------------------------------------------------------------ */

static FILE *devnull, *saved_out, *saved_err;

void fz_quiet_begin(void)
{
    if (!devnull && !(devnull = fopen("/dev/null", "w")))
        abort();
    fflush(stdout);
    fflush(stderr);
    saved_out = stdout;
    saved_err = stderr;
    stdout = devnull;   /* glibc's stdout and stderr are assignable variables */
    stderr = devnull;
}

void fz_quiet_end(void)
{
    fflush(devnull);
    stdout = saved_out;
    stderr = saved_err;
}

/* ---- the counting allocator --------------------------------------------------------- */

static long live, count, fail_at = -1;

static int fail_now(void)
{
    return fail_at >= 0 && count++ >= fail_at;
}

static void *fz_malloc(size_t n, void *ud)
{
    (void)ud;
    if (fail_at >= 0 ? fail_now() : (count++, 0))
        return NULL;
    void *p = malloc(n);
    if (p)
        live++;
    return p;
}

static void *fz_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    if (fail_at >= 0 ? fail_now() : (count++, 0))
        return NULL;
    void *q = realloc(p, n);
    if (q && !p)
        live++;
    return q;
}

static void fz_free(void *p, void *ud)
{
    (void)ud;
    if (p)
        live--;
    free(p);
}

void fz_alloc_install(void)
{
    static const co_allocator a = {fz_malloc, fz_realloc, fz_free, NULL};
    co_alloc_set(&a);
}

void fz_alloc_fail_at(long n)
{
    fail_at = n;
    count = 0;
}

long fz_alloc_count(void)
{
    return count;
}

long fz_alloc_live(void)
{
    return live;
}
