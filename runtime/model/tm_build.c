/*
** tm_build.c -- replaying a trace's events into the model.
**
** tm__apply() is called once per checked event line, in file order. It keeps
** the same bookkeeping the event loop kept -- which task is running, what is in
** the ready queue, what each task waits on -- and from it fills the arrays of
** trace_model.h: a task's state changes open a new span, a scheduled handle is
** remembered until the loop runs or drops it, and each effect whose cause is
** known (a wake-up and the fut_done that scheduled it, a first step and the
** task_new) becomes a link.
**
** A state change the format does not allow (a step of a task that is already
** running, a second task_done, an id nobody created) is recorded as a problem
** by a strict load, and applied as sensibly as possible either way, so a
** viewer still gets a picture of a damaged trace. tm__finish() then groups spans and frames by task, orders the
** lanes and computes the statistics.
*/
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alloc.h"
#include "tm_internal.h"

/* ---- one function per event kind ------------------------------------------------- */

static int on_task_new(tm__builder *b, tm__wide *e, uint32_t ev)
{
    tm_trace *tr = b->tr;
    uint32_t id = tm__id_of(b, TM__F_TASK);
    uint32_t parent_id = tm__id_of(b, TM__F_PARENT);
    uint32_t parent = tm__task_field(b, TM__F_PARENT, "task_new");
    if (!tm__id_free(b, id, TM__F_TASK, "task_new"))
        return 0;
    if (tr->n_tasks >= TM__INDEX_MAX)
        return TM__NOMEM(b);
    size_t cap = b->cap_tasks;
    if (tm__reserve(&tr->tasks, &b->cap_tasks, tr->n_tasks + 1, sizeof *tr->tasks) < 0 ||
        tm__reserve(&b->live, &cap, tr->n_tasks + 1, sizeof *b->live) < 0)
        return TM__NOMEM(b);
    b->cap_tasks = cap < b->cap_tasks ? cap : b->cap_tasks;
    uint32_t t = (uint32_t)tr->n_tasks++;
    tm_task *tk = &tr->tasks[t];
    memset(tk, 0, sizeof *tk);
    tk->id = id;
    tk->name = tm__str_of(b, TM__F_NAME);
    tk->coro = tm__str_of(b, TM__F_CORO);
    tk->parent = parent;
    tk->depth = parent == TM_NONE ? 0 : tr->tasks[parent].depth + 1;
    tk->ev_new = ev;
    tk->ev_done = TM_NONE;
    b->live[t] = (tm__live){TM_NONE, TM_NONE, TM_NONE, TM_NONE, 0};
    if (tm__idmap_put(&tr->priv->objects, id, TM__TAG_TASK | t) < 0)
        return TM__NOMEM(b);

    if ((b->flags & TM_LOAD_STRICT) && parent != TM_NONE && b->running != TM_NONE &&
        parent != b->running)
        tm__rule(b, TM__F_PARENT, "task_new: parent is task %u but task %u is running",
                    parent_id, tr->tasks[b->running].id);
    e->task = t;
    e->obj = parent_id;
    e->h = tm__id_of(b, TM__F_H);
    e->s1 = tk->name;
    e->s2 = tk->coro;
    if (++b->alive > tr->stats.peak_tasks)
        tr->stats.peak_tasks = b->alive;
    if (tm__queue_handle(b, e->h, t, ev, ev, TM_LINK_SPAWN) < 0)
        return -1;
    return tm__open_span(b, t, TM_STATE_READY, ev, 0, 0);
}

static int on_step_begin(tm__builder *b, tm__wide *e, uint32_t ev)
{
    tm_trace *tr = b->tr;
    uint32_t t = tm__task_field(b, TM__F_TASK, "step_begin");
    uint32_t h = tm__id_of(b, TM__F_H);
    e->task = t;
    e->h = e->obj = h;   /* obj keeps the handle a step_begin, cb_run or handle_cancel took */
    if (b->running != TM_NONE) {
        if (b->running == t)
            tm__rule(b, TM__F_TASK, "step_begin of task %u (%s), which is already running",
                        tr->tasks[t].id, tm__task_name(b, t));
        else
            tm__rule(b, TM__F_TASK, "step_begin while task %u (%s) is still running (no step_end)",
                        tr->tasks[b->running].id, tm__task_name(b, b->running));
        uint32_t other = b->running;   /* end the unfinished step where this one starts */
        if (b->live[other].step != TM_NONE)
            tr->steps[b->live[other].step].ev_end = ev;
        b->live[other].step = TM_NONE;
        b->running = TM_NONE;
    }
    uint32_t hi = tm__take_handle(b, h, ev, 0, "step_begin");
    if (t == TM_NONE)
        return 0;
    if (hi != TM_NONE) {
        if (tr->handles[hi].task != t)
            tm__rule(b, TM__F_H, "step_begin of task %u with handle %u, which is not that task's step",
                        tr->tasks[t].id, h);
        else if (tm__add_link(b, (tm_link_kind)b->causes[hi].kind, b->causes[hi].ev, ev) < 0)
            return -1;
    }
    if (tr->tasks[t].ev_done != TM_NONE)
        tm__rule(b, TM__F_TASK, "step_begin of task %u (%s), which already finished",
                    tr->tasks[t].id, tm__task_name(b, t));
    if (tm__reserve(&tr->steps, &b->cap_steps, tr->n_steps + 1, sizeof *tr->steps) < 0)
        return TM__NOMEM(b);
    b->live[t].step = (uint32_t)tr->n_steps;
    tr->steps[tr->n_steps++] = (tm_step){ev, TM_NONE};
    tr->tasks[t].steps++;
    tr->stats.steps++;
    b->running = t;
    return tm__open_span(b, t, TM_STATE_RUNNING, ev, 0, 0);
}

/* The task the current event says is running, with a problem if it is not. */
static uint32_t running_task(tm__builder *b, const char *ev)
{
    uint32_t t = tm__task_field(b, TM__F_TASK, ev);
    if (t != TM_NONE && b->running != t)
        tm__rule(b, TM__F_TASK, "%s of task %u (%s), which is not running", ev,
                    b->tr->tasks[t].id, tm__task_name(b, t));
    return t;
}

static int on_throw(tm__builder *b, tm__wide *e, uint32_t ev)
{
    uint32_t t = running_task(b, "throw");
    e->task = t;
    e->s1 = tm__str_of(b, TM__F_EXC);
    e->s2 = tm__str_of(b, TM__F_MSG);
    if (t != TM_NONE && !strcmp(tm__cstr_of(b, TM__F_EXC), "CancelledError") &&
        b->live[t].cancel_ev != TM_NONE) {
        if (tm__add_link(b, TM_LINK_CANCEL, b->live[t].cancel_ev, ev) < 0)
            return -1;
        b->live[t].cancel_ev = TM_NONE;
    }
    return 0;
}

static tm_reason reason_of(const char *s)
{
    static const char *const names[] = {"await", "yield", "return", "raise", "cancelled"};
    for (int i = 0; i < 5; i++)
        if (!strcmp(s, names[i]))
            return (tm_reason)i;
    return TM_REASON_UNKNOWN;
}

static int on_step_end(tm__builder *b, tm__wide *e, uint32_t ev)
{
    tm_trace *tr = b->tr;
    uint32_t t = running_task(b, "step_end");
    tm_reason why = reason_of(tm__cstr_of(b, TM__F_REASON));
    e->task = t;
    e->detail = (uint8_t)why;
    if (t == TM_NONE)
        return 0;
    if (b->running == t)
        b->running = TM_NONE;
    if (b->live[t].step != TM_NONE)
        tr->steps[b->live[t].step].ev_end = ev;
    b->live[t].step = TM_NONE;

    switch (why) {
    case TM_REASON_AWAIT: {
        uint32_t fut = tm__id_of(b, TM__F_FUT);
        e->obj = fut;
        e->s1 = tm__str_of(b, TM__F_ON);
        e->s2 = tm__str_of(b, TM__F_SRC);
        tm_str label = e->s1;
        uint32_t f = tm__find_future(b, fut), ft = tm__find_task(b, fut);
        if (!label && f != TM_NONE)
            label = tr->futures[f].label;
        if (!label && ft != TM_NONE)
            label = tr->tasks[ft].name;
        if (fut && f == TM_NONE && ft == TM_NONE)
            tm__rule(b, TM__F_FUT, "step_end: awaits future %u, which no fut_new created", fut);
        if (!label) {
            char s[32];
            snprintf(s, sizeof s, "future %u", fut);
            label = tm__cstr(b, s);
        }
        if (b->live[t].woken_in_step) {   /* its wake-up is already queued */
            b->live[t].woken_in_step = 0;
            return tm__open_span(b, t, TM_STATE_READY, ev, 0, 0);
        }
        return tm__open_span(b, t, TM_STATE_WAITING, ev, label, fut);
    }
    case TM_REASON_YIELD:
        e->h = tm__id_of(b, TM__F_H);
        e->s2 = tm__str_of(b, TM__F_SRC);
        if (tm__queue_handle(b, e->h, t, ev, TM_NONE, TM_LINK_WAKE) < 0)
            return -1;
        return tm__open_span(b, t, TM_STATE_READY, ev, 0, 0);
    case TM_REASON_RETURN:
        return tm__open_span(b, t, TM_STATE_DONE, ev, 0, 0);
    case TM_REASON_RAISE:
        e->s1 = tm__str_of(b, TM__F_EXC);
        e->s2 = tm__str_of(b, TM__F_MSG);
        return tm__open_span(b, t, TM_STATE_FAILED, ev, 0, 0);
    case TM_REASON_CANCELLED:
        e->s2 = tm__str_of(b, TM__F_MSG);
        return tm__open_span(b, t, TM_STATE_CANCELLED, ev, 0, 0);
    default:
        return tm__open_span(b, t, TM_STATE_WAITING, ev, tm__str_of(b, TM__F_REASON), 0);
    }
}

static tm_outcome outcome_of(const char *s)
{
    if (!strcmp(s, "result"))
        return TM_OUTCOME_RESULT;
    if (!strcmp(s, "exception"))
        return TM_OUTCOME_EXCEPTION;
    return TM_OUTCOME_CANCELLED;   /* the only other value check_fields lets through */
}

/* task_done and fut_done share how the outcome is read. */
static void read_outcome(tm__builder *b, tm__wide *e, tm_outcome *outcome, tm_str *result, tm_str *msg)
{
    *outcome = outcome_of(tm__cstr_of(b, TM__F_OUTCOME));
    *result = *outcome == TM_OUTCOME_RESULT ? tm__value_repr(b, b->fields[TM__F_VALUE])
            : *outcome == TM_OUTCOME_EXCEPTION ? tm__str_of(b, TM__F_EXC) : 0;
    *msg = *outcome == TM_OUTCOME_RESULT ? 0 : tm__str_of(b, TM__F_MSG);
    e->detail = (uint8_t)*outcome;
    e->s1 = *result;
    e->s2 = *msg;
}

static int on_task_done(tm__builder *b, tm__wide *e, uint32_t ev)
{
    tm_trace *tr = b->tr;
    uint32_t t = tm__task_field(b, TM__F_TASK, "task_done");
    tm_outcome outcome;
    tm_str result, msg;
    read_outcome(b, e, &outcome, &result, &msg);
    e->task = t;
    if (t == TM_NONE)
        return 0;
    tm_task *tk = &tr->tasks[t];
    if (tk->ev_done != TM_NONE) {
        tm__rule(b, TM__F_TASK, "task_done twice for task %u (%s); the first was seq %u",
                    tk->id, tm__task_name(b, t), tm_event_seq(tr, tk->ev_done));
        return 0;
    }
    if (b->running == t) {
        tm__rule(b, TM__F_TASK, "task_done of task %u (%s) inside its step (no step_end)",
                    tk->id, tm__task_name(b, t));
        if (b->live[t].step != TM_NONE)
            tr->steps[b->live[t].step].ev_end = ev;
        b->live[t].step = TM_NONE;
        b->running = TM_NONE;
    }
    tk->ev_done = ev;
    tk->outcome = (uint8_t)outcome;
    tk->result = result;
    tk->msg = msg;
    b->alive--;
    tm_state final = outcome == TM_OUTCOME_RESULT ? TM_STATE_DONE
                   : outcome == TM_OUTCOME_EXCEPTION ? TM_STATE_FAILED : TM_STATE_CANCELLED;
    if (outcome == TM_OUTCOME_CANCELLED && b->live[t].cancel_ev != TM_NONE) {
        if (tm__add_link(b, TM_LINK_CANCEL, b->live[t].cancel_ev, ev) < 0)
            return -1;
        b->live[t].cancel_ev = TM_NONE;
    }
    /* step_end already opened the final span; task_done has the last word on which one. */
    if (tm__is_final(tm__state_now(b, t))) {
        tr->spans[b->live[t].span].state = (uint8_t)final;
        return 0;
    }
    return tm__open_span(b, t, final, ev, 0, 0);
}

static int on_fut_new(tm__builder *b, tm__wide *e, uint32_t ev)
{
    tm_trace *tr = b->tr;
    uint32_t id = tm__id_of(b, TM__F_FUT);
    e->obj = id;
    e->s1 = tm__str_of(b, TM__F_LABEL);
    e->s2 = tm__str_of(b, TM__F_KIND);
    if (!tm__id_free(b, id, TM__F_FUT, "fut_new"))
        return 0;
    if (tr->n_futures >= TM__INDEX_MAX)
        return TM__NOMEM(b);
    size_t cap = b->cap_futures;
    if (tm__reserve(&tr->futures, &b->cap_futures, tr->n_futures + 1, sizeof *tr->futures) < 0 ||
        tm__reserve(&b->futlive, &cap, tr->n_futures + 1, sizeof *b->futlive) < 0)
        return TM__NOMEM(b);
    b->cap_futures = cap < b->cap_futures ? cap : b->cap_futures;
    uint32_t f = (uint32_t)tr->n_futures++;
    tr->futures[f] = (tm_future){.id = id, .kind = e->s2, .label = e->s1, .ev_new = ev,
                                 .ev_done = TM_NONE, .created_by = e->by, .done_by = TM_NONE,
                                 .outcome = TM_OUTCOME_PENDING};
    b->futlive[f].cancel_ev = TM_NONE;
    if (tm__idmap_put(&tr->priv->objects, id, TM__TAG_FUTURE | f) < 0)
        return TM__NOMEM(b);
    return 0;
}

static int on_fut_done(tm__builder *b, tm__wide *e, uint32_t ev)
{
    tm_trace *tr = b->tr;
    uint32_t id = tm__id_of(b, TM__F_FUT);
    tm_outcome outcome;
    tm_str result, msg;
    read_outcome(b, e, &outcome, &result, &msg);
    e->obj = id;
    uint32_t f = tm__find_future(b, id);
    if (f == TM_NONE) {
        uint32_t t = tm__find_task(b, id);
        if (t != TM_NONE)
            tm__rule(b, TM__F_FUT, "fut_done names task %u (%s): a task finishes with task_done",
                        id, tm__task_name(b, t));
        else
            tm__rule(b, TM__F_FUT, "fut_done: future %u was never created (no fut_new)", id);
        e->task = t;
        return 0;
    }
    tm_future *fu = &tr->futures[f];
    if (fu->ev_done != TM_NONE) {
        tm__rule(b, TM__F_FUT, "fut_done twice for future %u (%s); the first was seq %u", id,
                    tm_text(tr, fu->label), tm_event_seq(tr, fu->ev_done));
        return 0;
    }
    fu->ev_done = ev;
    fu->outcome = (uint8_t)outcome;
    fu->result = result;
    fu->msg = msg;
    fu->done_by = e->by;
    fu->via = tm__str_of(b, TM__F_VIA);
    if (outcome == TM_OUTCOME_CANCELLED && b->futlive[f].cancel_ev != TM_NONE) {
        if (tm__add_link(b, TM_LINK_CANCEL, b->futlive[f].cancel_ev, ev) < 0)
            return -1;
        b->futlive[f].cancel_ev = TM_NONE;
    }
    return 0;
}

/* A future-or-task id that an event refers to must exist. */
static void check_awaitable(tm__builder *b, uint32_t id, int field, const char *ev)
{
    if (id && tm__find_future(b, id) == TM_NONE && tm__find_task(b, id) == TM_NONE)
        tm__rule(b, field, "%s: future %u was never created (no fut_new or task_new)", ev, id);
}

static int on_cb_add(tm__builder *b, tm__wide *e, uint32_t ev)
{
    (void)ev;
    e->obj = tm__id_of(b, TM__F_FUT);
    e->s1 = tm__str_of(b, TM__F_FN);
    check_awaitable(b, e->obj, TM__F_FUT, "cb_add");
    return 0;
}

static int on_wake(tm__builder *b, tm__wide *e, uint32_t ev)
{
    tm_trace *tr = b->tr;
    uint32_t t = tm__task_field(b, TM__F_TASK, "wake");
    uint32_t fut = tm__id_of(b, TM__F_FUT);
    e->task = t;
    e->obj = fut;
    e->h = tm__id_of(b, TM__F_H);
    check_awaitable(b, fut, TM__F_FUT, "wake");
    uint32_t cause = tm__done_event(b, fut);
    if (cause == TM_NONE) {
        if (tm__find_future(b, fut) != TM_NONE || tm__find_task(b, fut) != TM_NONE)
            tm__rule(b, TM__F_FUT, "wake by future %u, which is not done", fut);
        cause = ev;
    }
    if (t == TM_NONE)
        return 0;
    uint32_t sp = b->live[t].span;
    if (b->running == t) {
        /* Inside its own step: the future it is about to await finished
        ** there (a task that cancelled itself, then awaited). Task.__step
        ** registers the wake-up first, so it is queued before step_end. */
        b->live[t].woken_in_step = 1;
        return tm__queue_handle(b, e->h, t, ev, cause, TM_LINK_WAKE);
    }
    if (tm__state_now(b, t) != TM_STATE_WAITING)
        tm__rule(b, TM__F_TASK, "wake of task %u (%s), which is not waiting (it is %s)",
                    tr->tasks[t].id, tm__task_name(b, t), tm_state_name(tm__state_now(b, t)));
    else if (sp != TM_NONE && tr->spans[sp].fut && tr->spans[sp].fut != fut &&
             (b->flags & TM_LOAD_STRICT))
        tm__rule(b, TM__F_FUT, "wake of task %u by future %u, but it waits on %u",
                    tr->tasks[t].id, fut, tr->spans[sp].fut);
    if (tm__queue_handle(b, e->h, t, ev, cause, TM_LINK_WAKE) < 0)
        return -1;
    return tm__open_span(b, t, TM_STATE_READY, ev, 0, 0);
}

static int on_call_soon(tm__builder *b, tm__wide *e, uint32_t ev)
{
    e->h = tm__id_of(b, TM__F_H);
    e->obj = tm__id_of(b, TM__F_FUT);
    e->s1 = tm__str_of(b, TM__F_FN);
    check_awaitable(b, e->obj, TM__F_FUT, "call_soon");
    uint32_t cause = e->obj ? tm__done_event(b, e->obj) : TM_NONE;
    return tm__queue_handle(b, e->h, TM_NONE, ev, cause, TM_LINK_CALLBACK);
}

static int on_cb_run(tm__builder *b, tm__wide *e, uint32_t ev)
{
    tm_trace *tr = b->tr;
    e->h = e->obj = tm__id_of(b, TM__F_H);
    e->s1 = tm__str_of(b, TM__F_FN);
    if (b->running != TM_NONE)
        tm__rule(b, TM__F_H, "cb_run while task %u (%s) is running (no step_end)",
                    tr->tasks[b->running].id, tm__task_name(b, b->running));
    tr->stats.callbacks++;
    uint32_t hi = tm__take_handle(b, e->h, ev, 0, "cb_run");
    if (hi == TM_NONE)
        return 0;
    if (tr->handles[hi].task != TM_NONE) {
        tm__rule(b, TM__F_H, "cb_run of handle %u, which is a step of task %u", e->h,
                    tr->tasks[tr->handles[hi].task].id);
        return 0;
    }
    return tm__add_link(b, (tm_link_kind)b->causes[hi].kind, b->causes[hi].ev, ev);
}

static int on_handle_cancel(tm__builder *b, tm__wide *e, uint32_t ev)
{
    e->h = e->obj = tm__id_of(b, TM__F_H);
    tm__take_handle(b, e->h, ev, 1, "handle_cancel");
    return 0;
}

static int on_cancel(tm__builder *b, tm__wide *e, uint32_t ev)
{
    uint32_t id = tm__id_of(b, TM__F_TARGET);
    const cJSON *ok = b->fields[TM__F_OK];
    e->obj = id;
    e->detail = (uint8_t)tm__is_true(ok);
    e->s1 = tm__str_of(b, TM__F_MSG);
    e->s2 = tm__str_of(b, TM__F_VIA);
    uint32_t t = tm__find_task(b, id), f = tm__find_future(b, id);
    e->task = t;
    if (t == TM_NONE && f == TM_NONE) {
        tm__rule(b, TM__F_TARGET, "cancel: target %u is neither a known task nor a future", id);
        return 0;
    }
    if (!e->detail)
        return 0;
    uint32_t *pending = t != TM_NONE ? &b->live[t].cancel_ev : &b->futlive[f].cancel_ev;
    if (*pending == TM_NONE)
        *pending = ev;
    return 0;
}

static int on_timer_new(tm__builder *b, tm__wide *e, uint32_t ev)
{
    tm_trace *tr = b->tr;
    uint32_t id = tm__id_of(b, TM__F_TIMER);
    e->obj = id;
    e->s1 = tm__str_of(b, TM__F_FN);
    if (!tm__id_free(b, id, TM__F_TIMER, "timer_new"))
        return 0;
    if (tr->n_timers >= TM__INDEX_MAX)
        return TM__NOMEM(b);
    if (tm__reserve(&tr->timers, &b->cap_timers, tr->n_timers + 1, sizeof *tr->timers) < 0)
        return TM__NOMEM(b);
    uint32_t i = (uint32_t)tr->n_timers++;
    /* `when` null: never due (an infinite delay, as sleep(math.inf)). */
    const cJSON *when = b->fields[TM__F_WHEN];
    tr->timers[i] = (tm_timer){tm__is_number(when) ? when->valuedouble : INFINITY, id, e->s1, ev, TM_NONE,
                               TM_NONE, e->by};
    if (tm__idmap_put(&tr->priv->objects, id, TM__TAG_TIMER | i) < 0)
        return TM__NOMEM(b);
    return 0;
}

static tm_timer *timer_field(tm__builder *b, const char *ev)
{
    uint32_t id = tm__id_of(b, TM__F_TIMER);
    uint32_t i = tm__find(b, id, TM__TAG_TIMER);
    if (i == TM_NONE) {
        tm__rule(b, TM__F_TIMER, "%s: timer %u was never created (no timer_new)", ev, id);
        return NULL;
    }
    return &b->tr->timers[i];
}

static int on_timer_fire(tm__builder *b, tm__wide *e, uint32_t ev)
{
    e->obj = tm__id_of(b, TM__F_TIMER);
    tm_timer *tm = timer_field(b, "timer_fire");
    if (!tm)
        return 0;
    if (tm->ev_fire != TM_NONE) {
        tm__rule(b, TM__F_TIMER, "timer %u fired twice", tm->id);
        return 0;
    }
    if (tm->ev_cancel != TM_NONE)
        tm__rule(b, TM__F_TIMER, "timer %u fired after it was cancelled", tm->id);
    tm->ev_fire = ev;
    /* The fired timer waits in the ready queue under its own id (cb_run h = timer). */
    return tm__queue_handle(b, tm->id, TM_NONE, ev, tm->ev_new, TM_LINK_TIMER);
}

static int on_timer_cancel(tm__builder *b, tm__wide *e, uint32_t ev)
{
    e->obj = tm__id_of(b, TM__F_TIMER);
    tm_timer *tm = timer_field(b, "timer_cancel");
    if (!tm || tm->ev_cancel != TM_NONE)
        return 0;
    tm->ev_cancel = ev;
    if (tm->ev_fire != TM_NONE) {
        /* Cancelled after it moved to the ready queue: the loop will skip it. */
        uint32_t hi = tm__idmap_get(&b->tr->priv->handles, tm->id);
        if (hi != TM_NONE && b->tr->handles[hi].ev_gone == TM_NONE)
            tm__take_handle(b, tm->id, ev, 1, "timer_cancel");
    }
    return 0;
}

static int on_idle(tm__builder *b, tm__wide *e, uint32_t ev)
{
    tm_trace *tr = b->tr;
    double from = b->fields[TM__F_FROM]->valuedouble, until = b->fields[TM__F_UNTIL]->valuedouble;
    if (until < from)
        tm__rule(b, TM__F_UNTIL, "idle: \"until\" %.17g is before \"from\" %.17g", until, from);
    if (tm__reserve(&tr->idles, &b->cap_idles, tr->n_idles + 1, sizeof *tr->idles) < 0)
        return TM__NOMEM(b);
    e->obj = (uint32_t)tr->n_idles;
    tr->idles[tr->n_idles++] = (tm_idle){ev, from, until};
    if (until > from)
        tr->stats.idle += until - from;
    return 0;
}

static int on_end(tm__builder *b, tm__wide *e, uint32_t ev)
{
    (void)ev;
    const char *r = tm__cstr_of(b, TM__F_REASON);
    tm_end why = !strcmp(r, "complete") ? TM_END_COMPLETE
               : !strcmp(r, "deadlock") ? TM_END_DEADLOCK
               : !strcmp(r, "error") ? TM_END_ERROR
               : !strcmp(r, "max_events") ? TM_END_MAX_EVENTS
               : !strcmp(r, "max_time") ? TM_END_MAX_TIME
               : !strcmp(r, "interrupted") ? TM_END_INTERRUPTED : TM_END_OTHER;
    if (why == TM_END_OTHER)
        tm__rule(b, TM__F_REASON, "end: unknown reason \"%s\"", r);
    e->detail = (uint8_t)why;
    e->s1 = tm__str_of(b, TM__F_REASON);
    if (!b->end_line) {
        b->end_line = b->line;
        b->tr->end_reason = (uint8_t)why;
    }
    return 0;
}

static int on_frame_enter(tm__builder *b, tm__wide *e, uint32_t ev)
{
    tm_trace *tr = b->tr;
    uint32_t t = running_task(b, "frame_enter");
    e->task = t;
    e->obj = TM_NONE;   /* no frame (unknown task) until one is made: 0 is a frame index */
    e->s1 = tm__str_of(b, TM__F_FN);
    e->s2 = tm__str_of(b, TM__F_ARGS);
    if (t == TM_NONE)
        return 0;
    if (tm__reserve(&tr->frames, &b->cap_frames, tr->n_frames + 1, sizeof *tr->frames) < 0)
        return TM__NOMEM(b);
    uint32_t top = b->live[t].frame_top;
    uint32_t i = (uint32_t)tr->n_frames++;
    tr->frames[i] = (tm_frame){t, top, top == TM_NONE ? 0 : tr->frames[top].depth + 1, e->s1, e->s2,
                               ev, TM_NONE};
    b->live[t].frame_top = i;
    e->obj = i;
    return 0;
}

static int on_frame_exit(tm__builder *b, tm__wide *e, uint32_t ev)
{
    tm_trace *tr = b->tr;
    uint32_t t = running_task(b, "frame_exit");
    e->task = t;
    e->obj = TM_NONE;   /* no frame closed (none open): 0 would name frame 0 */
    e->s1 = tm__str_of(b, TM__F_FN);
    if (t == TM_NONE)
        return 0;
    uint32_t top = b->live[t].frame_top;
    if (top == TM_NONE) {
        tm__rule(b, TM__F_FN, "frame_exit of %s in task %u, which has no open frame",
                    tm_text(tr, e->s1), tr->tasks[t].id);
        return 0;
    }
    if (tr->frames[top].fn != e->s1)
        tm__rule(b, TM__F_FN, "frame_exit of %s, but the innermost open frame is %s",
                    tm_text(tr, e->s1), tm_text(tr, tr->frames[top].fn));
    tr->frames[top].ev_exit = ev;
    b->live[t].frame_top = tr->frames[top].parent;
    e->obj = top;
    return 0;
}

static int push_index(uint32_t **arr, size_t *n, size_t *cap, uint32_t v)
{
    if (tm__reserve(arr, cap, *n + 1, sizeof **arr) < 0)
        return -1;
    (*arr)[(*n)++] = v;
    return 0;
}

static int on_print(tm__builder *b, tm__wide *e, uint32_t ev)
{
    e->task = tm__task_field(b, TM__F_TASK, "print");
    e->s1 = tm__str_of(b, TM__F_TEXT);
    if (push_index(&b->tr->prints, &b->tr->n_prints, &b->cap_prints, ev) < 0)
        return TM__NOMEM(b);
    return 0;
}

static int on_warn(tm__builder *b, tm__wide *e, uint32_t ev)
{
    e->task = tm__task_field(b, TM__F_TASK, "warn");
    e->s1 = tm__str_of(b, TM__F_MSG);
    e->s2 = tm__str_of(b, TM__F_KIND);
    if (push_index(&b->tr->warns, &b->tr->n_warns, &b->cap_warns, ev) < 0)
        return TM__NOMEM(b);
    return 0;
}

static int on_uncancel(tm__builder *b, tm__wide *e, uint32_t ev)
{
    (void)ev;
    const cJSON *count = b->fields[TM__F_COUNT];
    e->task = tm__task_field(b, TM__F_TASK, "uncancel");
    /* Clamped: converting a double past uint32_t's range is undefined. */
    e->obj = !count || !(count->valuedouble > 0) ? 0
           : count->valuedouble >= UINT32_MAX ? UINT32_MAX : (uint32_t)count->valuedouble;
    return 0;
}

/* ---- version 2: markers, executor jobs, blocking calls ------------------------ */

static double num_of(const tm__builder *b, int field, double none)
{
    const cJSON *v = b->fields[field];
    return tm__is_number(v) ? v->valuedouble : none;
}

/* Executor bookkeeping: a job is submitted by a task, started on a worker, done. */
static int apply_job(tm__builder *b, tm__wide *e, uint32_t ev, const tm_mark *mk)
{
    tm_trace *tr = b->tr;
    const char *op = tm_text(tr, mk->op);
    if (!strcmp(op, "submit")) {
        if (!tm__id_free(b, mk->obj, TM__F_OBJ, "job"))
            return 0;
        if (tr->n_jobs >= TM__INDEX_MAX ||
            tm__reserve(&tr->jobs, &b->cap_jobs, tr->n_jobs + 1, sizeof *tr->jobs) < 0)
            return TM__NOMEM(b);
        uint32_t j = (uint32_t)tr->n_jobs++;
        tr->jobs[j] = (tm_job){mk->obj, mk->what, mk->fut, -1, e->by, ev, TM_NONE, TM_NONE,
                               TM_OUTCOME_PENDING};
        return tm__idmap_put(&tr->priv->objects, mk->obj, TM__TAG_JOB | j) < 0 ? TM__NOMEM(b) : 0;
    }
    uint32_t j = tm__find(b, mk->obj, TM__TAG_JOB);
    if (j == TM_NONE) {
        tm__rule(b, TM__F_OBJ, "job %s: job %u was never submitted", op, mk->obj);
        return 0;
    }
    tm_job *jb = &tr->jobs[j];
    if (!strcmp(op, "start")) {
        if (jb->ev_start != TM_NONE)
            tm__rule(b, TM__F_OBJ, "job %u started twice", mk->obj);
        else if (mk->num < 0 || mk->num > 65535)
            tm__rule(b, TM__F_WORKER, "job start: worker %g is not a worker number", mk->num);
        else {
            jb->ev_start = ev;
            jb->worker = (int32_t)mk->num;
            if ((uint32_t)jb->worker + 1 > tr->n_workers)
                tr->n_workers = (uint32_t)jb->worker + 1;
        }
    } else if (!strcmp(op, "done")) {
        if (jb->ev_done != TM_NONE)
            tm__rule(b, TM__F_OBJ, "job %u done twice", mk->obj);
        else if (jb->ev_start == TM_NONE)
            tm__rule(b, TM__F_OBJ, "job %u done before it started", mk->obj);
        jb->ev_done = ev;
        jb->outcome = (uint8_t)(strcmp(tm__cstr_of(b, TM__F_OUTCOME), "exception") ? TM_OUTCOME_RESULT
                                                                               : TM_OUTCOME_EXCEPTION);
        e->detail = jb->outcome;
    } else {
        tm__rule(b, TM__F_OP, "job: unknown op \"%s\"", op);
    }
    return 0;
}

/* sync, job, io, timeout, group and block: one marker each, and what the model tracks of them. */
static int on_mark(tm__builder *b, tm__wide *e, uint32_t ev)
{
    tm_trace *tr = b->tr;
    tm_kind kind = (tm_kind)e->kind;
    tm_mark mk = {ev, 0, TM_NONE, 0, 0, 0, 0};
    mk.task = tm__task_field(b, TM__F_TASK, tm_kind_name(kind));
    mk.op = kind == TM_EV_BLOCK ? tm__cstr(b, "block") : tm__str_of(b, TM__F_OP);
    switch (kind) {
    case TM_EV_SYNC:
        mk.obj = tm__id_of(b, TM__F_OBJ);
        mk.what = tm__str_of(b, TM__F_KIND);
        mk.num = num_of(b, TM__F_COUNT, NAN);
        break;
    case TM_EV_JOB:
        mk.obj = tm__id_of(b, TM__F_OBJ);
        mk.what = tm__str_of(b, TM__F_FN);
        mk.fut = tm__id_of(b, TM__F_FUT);
        mk.num = num_of(b, TM__F_WORKER, -1);
        break;
    case TM_EV_IO:
        mk.obj = (uint32_t)num_of(b, TM__F_FD, 0);
        mk.what = tm__str_of(b, TM__F_LABEL);
        break;
    case TM_EV_TIMEOUT:
        mk.obj = tm__id_of(b, TM__F_OBJ);
        mk.num = num_of(b, TM__F_WHEN, NAN);
        break;
    case TM_EV_GROUP:
        mk.obj = tm__id_of(b, TM__F_OBJ);
        break;
    default:   /* block */
        mk.what = tm__str_of(b, TM__F_LABEL);
        mk.num = num_of(b, TM__F_DUR, 0);
        if (mk.task == TM_NONE)
            mk.task = b->running;
        if (b->running == TM_NONE || (mk.task != TM_NONE && mk.task != b->running))
            tm__rule(b, TM__F_TASK, "block outside the step of the task it names");
        if (mk.num > 0)
            tr->stats.blocked += mk.num;
        break;
    }
    if (tr->n_marks >= UINT32_MAX - 1 ||
        tm__reserve(&tr->marks, &b->cap_marks, tr->n_marks + 1, sizeof *tr->marks) < 0)
        return TM__NOMEM(b);
    e->task = mk.task;
    e->obj = (uint32_t)tr->n_marks;
    e->s1 = mk.op;
    e->s2 = mk.what;
    tr->marks[tr->n_marks++] = mk;
    return kind == TM_EV_JOB ? apply_job(b, e, ev, &mk) : 0;
}

typedef int (*apply_fn)(tm__builder *, tm__wide *, uint32_t);

static const apply_fn appliers[TM_EV__COUNT] = {
    [TM_EV_TASK_NEW] = on_task_new, [TM_EV_STEP_BEGIN] = on_step_begin,
    [TM_EV_THROW] = on_throw, [TM_EV_STEP_END] = on_step_end,
    [TM_EV_TASK_DONE] = on_task_done, [TM_EV_FUT_NEW] = on_fut_new,
    [TM_EV_FUT_DONE] = on_fut_done, [TM_EV_CB_ADD] = on_cb_add,
    [TM_EV_WAKE] = on_wake, [TM_EV_CALL_SOON] = on_call_soon,
    [TM_EV_CB_RUN] = on_cb_run, [TM_EV_HANDLE_CANCEL] = on_handle_cancel,
    [TM_EV_CANCEL] = on_cancel, [TM_EV_UNCANCEL] = on_uncancel,
    [TM_EV_TIMER_NEW] = on_timer_new, [TM_EV_TIMER_FIRE] = on_timer_fire,
    [TM_EV_TIMER_CANCEL] = on_timer_cancel, [TM_EV_IDLE] = on_idle,
    [TM_EV_END] = on_end, [TM_EV_FRAME_ENTER] = on_frame_enter,
    [TM_EV_FRAME_EXIT] = on_frame_exit, [TM_EV_PRINT] = on_print,
    [TM_EV_WARN] = on_warn, [TM_EV_SYNC] = on_mark, [TM_EV_JOB] = on_mark,
    [TM_EV_IO] = on_mark, [TM_EV_TIMEOUT] = on_mark, [TM_EV_GROUP] = on_mark,
    [TM_EV_BLOCK] = on_mark,
};

/* Who was running: the `by` field when the event has one, else the loop's running task. */
static uint32_t actor(tm__builder *b, tm_kind kind)
{
    if (kind == TM_EV_FUT_NEW || kind == TM_EV_FUT_DONE || kind == TM_EV_CANCEL) {
        const cJSON *by = b->fields[TM__F_BY];
        if (by) {
            uint32_t t = tm__task_field(b, TM__F_BY, tm_kind_name(kind));
            if ((b->flags & TM_LOAD_STRICT) && t != TM_NONE && t != b->running)
                tm__rule(b, TM__F_BY, "%s: \"by\" is task %u, but %s", tm_kind_name(kind),
                            b->tr->tasks[t].id,
                            b->running == TM_NONE ? "no task is running" : "another task is running");
            return t;
        }
    }
    return b->running;
}

/* Append (ev, val) to an event-ordered list of values. 0 or -1 (memory). */
static int keep_value(tm__evvals *x, uint32_t ev, uint32_t val)
{
    if (tm__reserve(&x->v, &x->cap, x->n + 1, sizeof *x->v) < 0)
        return -1;
    x->v[x->n++] = (tm__evval){ev, val};
    return 0;
}

/*
** Keep the event's seq, by, h and s2 where the model would not give them
** back: a jump in seq starts a run, and a by / h / s2 other than the derived
** one is kept as it is. Called once the event and everything it made are in
** the arrays the derivations read.
*/
static int keep_extras(tm__builder *b, const tm__wide *w, uint32_t ev)
{
    tm_trace *tr = b->tr;
    struct tm__private *p = tr->priv;
    if ((ev == 0 || w->seq != (uint32_t)(b->last_ev_seq + 1)) && keep_value(&p->seq_runs, ev, w->seq) < 0)
        return TM__NOMEM(b);
    b->last_ev_seq = w->seq;
    if ((w->by != tm__derived_by(tr, ev) && keep_value(&p->by_x, ev, w->by) < 0) ||
        (w->h != tm__derived_h(tr, ev) && keep_value(&p->h_x, ev, w->h) < 0) ||
        (w->s2 != tm__derived_s2(tr, ev) && keep_value(&p->s2_x, ev, w->s2) < 0))
        return TM__NOMEM(b);
    return 0;
}

int tm__apply(tm__builder *b, tm_kind kind, uint32_t seq, double t)
{
    tm_trace *tr = b->tr;
    if (kind == TM_EV_SOURCE)              /* the program's text, not a decision: kept aside */
        return tm__on_source(b, seq) < 0 || b->oom ? -1 : 0;
    if (tr->n_events >= TM__INDEX_MAX) {   /* event indexes fit 29 bits (tm_task, tm_link) */
        if (tr->n_events == TM__INDEX_MAX && !b->too_many++)
            tm__problem(b, -1, "the trace has more than %u events, the most this reader holds; "
                        "the events after it are not read", TM__INDEX_MAX);
        return 0;
    }
    if (tm__reserve(&tr->events, &b->cap_events, tr->n_events + 1, sizeof *tr->events) < 0)
        return TM__NOMEM(b);
    uint32_t ev = (uint32_t)tr->n_events++;
    tr->events[ev] = (tm_event){t, TM_NONE, 0, 0, (uint8_t)kind, 0, 0, 0};
    tm__wide w = {t, seq, TM_NONE, TM_NONE, 0, 0, 0, 0, (uint8_t)kind, 0, 0};
    w.by = actor(b, kind);
    const cJSON *order = b->fields[TM__F_ORDER];
    if (tm__is_string(order) && !strcmp(order->valuestring, "set"))
        w.flags |= TM_EVF_SET_ORDER;
    if (appliers[kind](b, &w, ev) < 0)
        return -1;
    /* A task's own step events happen in that task's lane. */
    if (kind == TM_EV_STEP_BEGIN || kind == TM_EV_STEP_END || kind == TM_EV_THROW ||
        kind == TM_EV_TASK_DONE)
        w.by = w.task;
    tr->events[ev] = (tm_event){w.t, w.task, w.obj, w.s1, w.kind, w.detail, w.flags, 0};
    if (tm__apply_v3(b, kind, ev) < 0 || keep_extras(b, &w, ev) < 0)
        return -1;
    return b->oom ? -1 : 0;
}
