/*
** findings.c -- detecting the patterns findings.h lists, and the paragraphs
** that explain them.
**
** Each detector reads the model's arrays once; none allocates per event. The
** paragraphs are the viewer's teaching text: they say what asyncio does, why
** the pattern matters, and what to write instead.
*/
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "findings.h"
#include "playhead.h"
#include "tm_safe.h"

static const char *const headings[VZ_FIND__COUNT] = {
    "Awaits that could run concurrently",
    "Loop stall",
    "Exception never retrieved",
    "Task pending at close",
    "Cancellation swallowed",
    "Deadlock",
};

static const char *const paragraphs[VZ_FIND__COUNT] = {
    /* VZ_FIND_SEQUENTIAL */
    "`await coro()` runs that coroutine to the end before the next line starts, so "
    "these calls took turns: each one's wait began only when the previous one finished, "
    "and the total is the sum of the waits. They were waiting (on timers, I/O or other "
    "tasks), not computing, so the waits could have overlapped: start them as tasks "
    "with asyncio.gather(...), asyncio.create_task(...) or a TaskGroup and the total "
    "drops to about the longest wait. Keep them sequential only when a call needs the "
    "previous one's result.",
    /* VZ_FIND_STALL */
    "The event loop runs one handle at a time and cannot interrupt a coroutine: it "
    "only gets control back at an await. This step kept running while other work "
    "was due -- handles in the ready queue, timers whose time had come -- so all of "
    "it waited. In real code this is a blocking call inside a coroutine: "
    "time.sleep(), heavy CPU work, synchronous I/O. Use await asyncio.sleep(), move blocking work to a thread with "
    "await asyncio.to_thread(...) or loop.run_in_executor(), or break long "
    "computations up with await asyncio.sleep(0). asyncio's debug mode logs steps "
    "slower than loop.slow_callback_duration (100 ms).",
    /* VZ_FIND_NEVER_RETRIEVED */
    "A task ended with an exception, but nothing ever asked for it: no await of the "
    "task, no task.result() or task.exception(), no gather() to pass it on. asyncio "
    "has nowhere to raise it, so it only logs \"Task exception was never retrieved\" "
    "when the task object is destroyed, and the error is easy to miss. Await every "
    "task you create (directly, through gather(), or by using a TaskGroup), or add a "
    "done callback that checks task.exception().",
    /* VZ_FIND_PENDING_AT_CLOSE */
    "When the loop closed, this task had not finished: its coroutine was suspended at "
    "an await and will never resume, so the rest of its code, including finally "
    "blocks and cleanup, never runs. asyncio logs \"Task was destroyed but it is "
    "pending!\". Keep a reference to every task you start and await it -- or cancel "
    "it and then await it -- before the program's main coroutine returns "
    "(asyncio.run() cancels leftovers, but their results are lost).",
    /* VZ_FIND_SWALLOWED_CANCEL */
    "task.cancel() works by raising CancelledError inside the task at the await where "
    "it is suspended. This task caught the CancelledError and carried on to finish "
    "with a normal result, so whoever cancelled it got no cancellation at all. "
    "Catching it to clean up is fine, but re-raise it afterwards (except "
    "CancelledError: cleanup(); raise): TaskGroup, asyncio.timeout() and wait_for() "
    "all rely on cancellation actually ending the task. If refusing is deliberate, "
    "say so and call uncancel().",
    /* VZ_FIND_DEADLOCK */
    "The recording stopped with tasks still waiting and nothing that could ever wake "
    "them: the ready queue was empty and no timer was pending. Each waiting task "
    "awaits a future that only another waiting task (or nobody) would resolve -- for "
    "example two tasks each waiting for the other, or a queue.get() with no producer "
    "left. Under asyncio.run() the program would hang here. Step to the end and look "
    "at what each task waits on in the loop panel.",
};

static const char *const names[VZ_FIND__COUNT] = {
    "sequential_awaits", "loop_stall", "never_retrieved", "pending_at_close",
    "swallowed_cancel", "deadlock",
};

const char *vz_finding_name(vz_finding_kind kind)
{
    return (unsigned)kind < VZ_FIND__COUNT ? names[kind] : "?";
}

const char *vz_finding_heading(vz_finding_kind kind)
{
    return (unsigned)kind < VZ_FIND__COUNT ? headings[kind] : "?";
}

const char *vz_finding_explain(vz_finding_kind kind)
{
    return (unsigned)kind < VZ_FIND__COUNT ? paragraphs[kind] : "";
}

/* Append a finding; returns it, or NULL when the list is full or memory ran out. */
static vz_finding *add(vz_run *run, size_t *cap, vz_finding_kind kind, uint32_t task, uint32_t ev)
{
    if (run->n_findings >= VZ_FINDINGS_MAX)
        return NULL;
    if (run->n_findings == *cap) {
        size_t ncap = *cap ? *cap * 2 : 8;
        vz_finding *p = co_realloc(run->findings, ncap * sizeof *p);
        if (!p)
            return NULL;
        run->findings = p;
        *cap = ncap;
    }
    vz_finding *f = &run->findings[run->n_findings++];
    memset(f, 0, sizeof *f);
    f->kind = (uint8_t)kind;
    f->task = task;
    f->ev = ev;
    return f;
}

/* ---- sequential awaits --------------------------------------------------------- */

#define CHAIN_DEPTHS 16

typedef struct chain {
    int active;          /* a chain is being collected at this depth */
    uint32_t parent;     /* the enclosing frame of its members */
    uint32_t first;      /* first member (frame index) */
    uint32_t last;       /* last member */
    uint32_t count;      /* members */
    double sum, max;     /* total and longest member duration */
} chain;

/* Did the task wait on something between these two events? */
static int waited_within(const tm_trace *tr, uint32_t task, uint32_t ev0, uint32_t ev1)
{
    uint32_t sp = tm_span_at(tr, task, ev0);
    if (sp == TM_NONE)
        return 0;
    const tm_task *tk = &tr->tasks[task];
    for (uint32_t i = sp, n = 0; i < tk->span_first + tk->span_count && n < 10000; i++, n++) {
        if (tr->spans[i].ev_begin >= ev1)
            break;
        if (tr->spans[i].state == TM_STATE_WAITING)
            return 1;
    }
    return 0;
}

static double frame_seconds(const tm_trace *tr, const tm_frame *fr)
{
    return tr->events[fr->ev_exit].t - tr->events[fr->ev_enter].t;
}

static void flush(vz_run *run, size_t *cap, uint32_t task, chain *c)
{
    const tm_trace *tr = run->tr;
    if (c->active && c->count >= 2 && c->sum > c->max * 1.05) {
        const tm_frame *a = &tr->frames[c->first], *z = &tr->frames[c->last];
        double total = tr->events[z->ev_exit].t - tr->events[a->ev_enter].t;
        vz_finding *f = add(run, cap, VZ_FIND_SEQUENTIAL, task, a->ev_enter);
        if (f) {
            char s_total[32], s_max[32], s_sum[32];
            vz_format_seconds(total, s_total, sizeof s_total);
            vz_format_seconds(c->max, s_max, sizeof s_max);
            vz_format_seconds(c->sum, s_sum, sizeof s_sum);
            tm_safe_snprintf(f->title, sizeof f->title,
                     "%s awaited %u calls one after another: %s in all; together they would take about %s",
                     tm_text(tr, tr->tasks[task].name), c->count, s_total, s_max);
            size_t len = 0, shown = 0;
            for (uint32_t i = c->first; i <= c->last && len < sizeof f->facts; i++) {
                const tm_frame *fr = &tr->frames[i];
                if (fr->parent != c->parent || fr->depth != a->depth || fr->ev_exit == TM_NONE ||
                    !(frame_seconds(tr, fr) > 0))
                    continue;
                char d[32];
                vz_format_seconds(frame_seconds(tr, fr), d, sizeof d);
                if (shown == 5) {
                    len += (size_t)tm_safe_snprintf(f->facts + len, sizeof f->facts - len, " + ...");
                    break;
                }
                len += (size_t)tm_safe_snprintf(f->facts + len, sizeof f->facts - len, "%s%s%s %s", shown ? " + " : "",
                                        tm_text(tr, fr->fn), tm_text(tr, fr->args), d);
                shown++;
            }
            if (len < sizeof f->facts)
                tm_safe_snprintf(f->facts + len, sizeof f->facts - len, " = %s", s_sum);
        }
    }
    c->active = 0;
}

static void find_sequential(vz_run *run, size_t *cap)
{
    const tm_trace *tr = run->tr;
    for (uint32_t t = 0; t < tr->n_tasks; t++) {
        const tm_task *tk = &tr->tasks[t];
        chain ch[CHAIN_DEPTHS];
        memset(ch, 0, sizeof ch);
        for (uint32_t i = tk->frame_first; i < tk->frame_first + tk->frame_count; i++) {
            const tm_frame *fr = &tr->frames[i];
            if (fr->depth >= CHAIN_DEPTHS)
                continue;
            for (uint32_t d = fr->depth + 1; d < CHAIN_DEPTHS; d++)
                flush(run, cap, t, &ch[d]);
            chain *c = &ch[fr->depth];
            if (c->active && c->parent != fr->parent)
                flush(run, cap, t, c);
            if (fr->ev_exit == TM_NONE)
                continue;
            double d = frame_seconds(tr, fr);
            if (!(d > 0) || !waited_within(tr, t, fr->ev_enter, fr->ev_exit))
                continue;
            if (!c->active) {
                *c = (chain){1, fr->parent, i, i, 0, 0, 0};
            }
            c->last = i;
            c->count++;
            c->sum += d;
            if (d > c->max)
                c->max = d;
        }
        for (uint32_t d = 0; d < CHAIN_DEPTHS; d++)
            flush(run, cap, t, &ch[d]);
    }
}

/* ---- stalls ---------------------------------------------------------------------- */

static void find_stalls(vz_run *run, size_t *cap)
{
    const tm_trace *tr = run->tr;
    double limit = strcmp(tm_text(tr, tr->clock), "real") ? 1e-12 : 0.1;
    size_t found = 0, shown = 0;
    vz_finding *last = NULL;
    for (size_t i = 0; i < tr->n_steps; i++) {
        const tm_step *st = &tr->steps[i];
        if (st->ev_end == TM_NONE)
            continue;
        double d = tr->events[st->ev_end].t - tr->events[st->ev_begin].t;
        if (!(d >= limit))
            continue;
        /* Who paid for it: handles already queued, and timers that came due meanwhile. */
        uint32_t dummy, due[4];
        size_t ready = tm_ready_at(tr, st->ev_begin, &dummy, 0);
        size_t pending = tm_timers_at(tr, st->ev_begin, due, 4), late = 0;
        double t_end = tr->events[st->ev_end].t;
        for (size_t j = 0; j < pending && j < 4; j++)
            late += tr->timers[due[j]].when < t_end;
        if (!ready && !late)
            continue;
        found++;
        if (shown == 8)
            continue;
        vz_finding *f = add(run, cap, VZ_FIND_STALL, tr->events[st->ev_begin].task, st->ev_begin);
        if (!f)
            continue;
        shown++;
        last = f;
        char ds[32], at[32];
        vz_format_seconds(d, ds, sizeof ds);
        vz_format_seconds(tr->events[st->ev_begin].t, at, sizeof at);
        const char *who = tm_text(tr, tr->tasks[tr->events[st->ev_begin].task].name);
        if (ready)
            tm_safe_snprintf(f->title, sizeof f->title, "a step of %s held the loop for %s while %zu other handle%s waited",
                     who, ds, ready, ready == 1 ? "" : "s");
        else
            tm_safe_snprintf(f->title, sizeof f->title, "a step of %s held the loop for %s while %s%zu timer%s came due", who,
                     ds, late == 4 ? "at least " : "", late, late == 1 ? "" : "s");
        if (late) {
            const tm_timer *tm = &tr->timers[due[0]];
            char when[32], lag[32];
            vz_format_seconds(tm->when, when, sizeof when);
            vz_format_seconds(t_end - tm->when, lag, sizeof lag);
            tm_safe_snprintf(f->facts, sizeof f->facts, "the step began at %s (event %u); %s%s%s, due at %s, fired %s late", at,
                     tm_event_seq(tr, st->ev_begin), vz_timer_purpose(run, due[0]),
                     tm->created_by != TM_NONE ? " of " : "",
                     tm->created_by != TM_NONE ? tm_text(tr, tr->tasks[tm->created_by].name) : "", when, lag);
        } else {
            tm_safe_snprintf(f->facts, sizeof f->facts, "the step began at %s (event %u); nothing else could run until it ended",
                     at, tm_event_seq(tr, st->ev_begin));
        }
    }
    if (found > shown && last) {
        size_t len = strlen(last->facts);
        tm_safe_snprintf(last->facts + len, sizeof last->facts - len, " (%zu more stalls like it)", found - shown);
    }
}

/* ---- warnings, swallowed cancellations, deadlock ----------------------------------- */

/* Was a stall of this task's already found from its steps? */
static int reported_stall(const vz_run *run, uint32_t task)
{
    for (size_t i = 0; i < run->n_findings; i++)
        if (run->findings[i].kind == VZ_FIND_STALL && run->findings[i].task == task)
            return 1;
    return 0;
}

static void find_warnings(vz_run *run, size_t *cap)
{
    const tm_trace *tr = run->tr;
    for (size_t i = 0; i < tr->n_warns; i++) {
        const tm_event *e = &tr->events[tr->warns[i]];
        const char *kind = tm_text(tr, tm_event_s2(tr, tr->warns[i]));
        vz_finding_kind fk;
        if (!strcmp(kind, "never_retrieved"))
            fk = VZ_FIND_NEVER_RETRIEVED;
        else if (!strcmp(kind, "pending_at_close"))
            fk = VZ_FIND_PENDING_AT_CLOSE;
        else if (!strcmp(kind, "slow_callback") && !reported_stall(run, e->task))
            fk = VZ_FIND_STALL;
        else if (!strcmp(kind, "deadlock"))
            fk = VZ_FIND_DEADLOCK;
        else
            continue;
        vz_finding *f = add(run, cap, fk, e->task, tr->warns[i]);
        if (!f)
            return;
        const char *who = e->task != TM_NONE ? tm_text(tr, tr->tasks[e->task].name) : "the loop";
        if (fk == VZ_FIND_NEVER_RETRIEVED && e->task != TM_NONE) {
            const tm_task *tk = &tr->tasks[e->task];
            tm_safe_snprintf(f->title, sizeof f->title, "%s failed with %s%s%s and nobody retrieved it", who,
                     tm_text(tr, tk->result), *tm_text(tr, tk->msg) ? ": " : "", tm_text(tr, tk->msg));
        } else if (fk == VZ_FIND_PENDING_AT_CLOSE) {
            tm_safe_snprintf(f->title, sizeof f->title, "%s was still pending when the loop closed", who);
        } else if (fk == VZ_FIND_DEADLOCK) {
            tm_safe_snprintf(f->title, sizeof f->title, "tasks wait and nothing can wake them");
        } else {
            tm_safe_snprintf(f->title, sizeof f->title, "%s: %s", who, kind);
        }
        tm_safe_snprintf(f->facts, sizeof f->facts, "asyncio would log: %s", tm_text(tr, e->s1));
    }
}

static void find_swallowed(vz_run *run, size_t *cap)
{
    const tm_trace *tr = run->tr;
    if (!tr->n_tasks)
        return;
    uint32_t *thrown = co_malloc(tr->n_tasks * sizeof *thrown);
    if (!thrown)
        return;
    for (size_t i = 0; i < tr->n_tasks; i++)
        thrown[i] = TM_NONE;
    /* A CancelledError counts when a cancel() delivered it (a cancel link ends at the
    ** throw); one raised because an awaited task was cancelled is not the task's own.
    ** TaskGroup and timeout() cancel the task running their block on purpose and turn
    ** the CancelledError into ExceptionGroup / TimeoutError themselves (uncancel()ing
    ** it, as in CPython's taskgroups.py and timeouts.py): that is no swallowing. */
    for (size_t i = 0; i < tr->n_links; i++) {
        const tm_link *l = &tr->links[i];
        const tm_event *e = &tr->events[l->to], *from = &tr->events[l->from];
        const char *via = from->kind == TM_EV_CANCEL ? tm_text(tr, tm_event_s2(tr, l->from)) : "";
        if (l->kind == TM_LINK_CANCEL && e->kind == TM_EV_THROW && e->task < tr->n_tasks &&
            thrown[e->task] == TM_NONE && !strcmp(tm_text(tr, e->s1), "CancelledError") &&
            strncmp(via, "TaskGroup.", 10) && strncmp(via, "Timeout.", 8))
            thrown[e->task] = l->to;
    }
    for (uint32_t t = 0; t < tr->n_tasks; t++) {
        const tm_task *tk = &tr->tasks[t];
        if (thrown[t] == TM_NONE || tk->outcome != TM_OUTCOME_RESULT)
            continue;
        vz_finding *f = add(run, cap, VZ_FIND_SWALLOWED_CANCEL, t, thrown[t]);
        if (!f)
            break;
        char at[32];
        vz_format_seconds(tr->events[thrown[t]].t, at, sizeof at);
        tm_safe_snprintf(f->title, sizeof f->title, "%s caught CancelledError and finished anyway, with %s",
                 tm_text(tr, tk->name), tm_text(tr, tk->result));
        tm_safe_snprintf(f->facts, sizeof f->facts, "CancelledError was delivered at %s (event %u); the task returned a result",
                 at, tm_event_seq(tr, thrown[t]));
    }
    co_free(thrown);
}

static void find_deadlock(vz_run *run, size_t *cap)
{
    const tm_trace *tr = run->tr;
    if (tr->end_reason != TM_END_DEADLOCK)
        return;
    for (size_t i = 0; i < run->n_findings; i++)
        if (run->findings[i].kind == VZ_FIND_DEADLOCK)
            return;
    vz_finding *f = add(run, cap, VZ_FIND_DEADLOCK, TM_NONE, (uint32_t)(tr->n_events - 1));
    if (f) {
        tm_safe_snprintf(f->title, sizeof f->title, "the recording ended in a deadlock");
        tm_safe_snprintf(f->facts, sizeof f->facts, "the `end` event says: deadlock");
    }
}

int vz_findings_build(vz_run *run)
{
    size_t cap = 0;
    run->findings = NULL;
    run->n_findings = 0;
    if (!run->tr->n_events)
        return 0;
    find_sequential(run, &cap);
    find_stalls(run, &cap);
    find_warnings(run, &cap);
    find_swallowed(run, &cap);
    find_deadlock(run, &cap);
    return 0;
}
