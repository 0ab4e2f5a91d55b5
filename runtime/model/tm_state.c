/*
** tm_state.c -- what a replay of the event loop keeps track of, as small
** operations tm_build.c composes: reading an event's fields, finding objects
** by id, opening a task's next span, putting handles in and out of the ready
** queue, recording a link from a cause to its effect.
**
** Each operation that finds the trace breaking a rule records a problem
** (strict loads only, through tm__rule) and carries on with what makes sense,
** so one bad event does not stop a viewer from showing the rest.
*/
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alloc.h"
#include "tm_internal.h"

/* ---- reading fields ------------------------------------------------------------ */

/*
** An id field as a number, 0 when absent, null or not an id. The fields a
** kind's spec lists were checked already, but not every field read here is in
** its kind's spec (a `job` has no `task`; only a job `submit` has its `fut`
** checked), and converting a double outside uint32_t's range is undefined.
*/
uint32_t tm__id_of(const tm__builder *b, int field)
{
    const cJSON *v = b->fields[field];
    if (!tm__is_number(v) || !(v->valuedouble >= 1 && v->valuedouble <= UINT32_MAX))
        return 0;
    return (uint32_t)v->valuedouble;
}

/* (tm__str_of is in tm_load.c: it knows version 4's string numbers.) */

const char *tm__cstr_of(const tm__builder *b, int field)
{
    const cJSON *v = b->fields[field];
    return tm__is_string(v) ? v->valuestring : "";
}

/* ---- finding objects ------------------------------------------------------------ */

uint32_t tm__find(const tm__builder *b, uint32_t id, uint32_t tag)
{
    uint32_t v = tm__idmap_get(&b->tr->priv->objects, id);
    if (v == TM_NONE || (v & TM__TAG_MASK) != tag)
        return TM_NONE;
    return v & ~TM__TAG_MASK;
}

uint32_t tm__find_task(const tm__builder *b, uint32_t id)
{
    return tm__find(b, id, TM__TAG_TASK);
}

uint32_t tm__find_future(const tm__builder *b, uint32_t id)
{
    return tm__find(b, id, TM__TAG_FUTURE);
}

/*
** A task named by an id field; a problem when the id names no task. Such an
** event cannot be drawn where it belongs, so every load reports it (show,
** summary and the viewer as a warning with the line), not only validate.
*/
uint32_t tm__task_field(tm__builder *b, int field, const char *ev)
{
    uint32_t id = tm__id_of(b, field);
    if (!id)
        return TM_NONE;
    uint32_t t = tm__find_task(b, id);
    if (t == TM_NONE)
        tm__problem(b, field, "%s: \"%s\" %u is not a known task", ev, tm__field_names[field], id);
    return t;
}

/* Is `id` free for a new object? A problem when it is already used: the new
** object is ignored, which every load reports, as for an unknown task. */
int tm__id_free(tm__builder *b, uint32_t id, int field, const char *ev)
{
    uint32_t v = tm__idmap_get(&b->tr->priv->objects, id);
    if (v == TM_NONE)
        return 1;
    static const char *const what[] = {"task", "future", "timer", "job", "?", "?", "?", "?"};
    tm__problem(b, field, "%s: id %u already names a %s; this %s is ignored", ev, id, what[v >> TM__TAG_SHIFT], ev);
    return 0;
}

const char *tm__task_name(const tm__builder *b, uint32_t t)
{
    return t == TM_NONE ? "?" : tm_text(b->tr, b->tr->tasks[t].name);
}

/* The event that finished future-or-task `id`, or TM_NONE. */
uint32_t tm__done_event(const tm__builder *b, uint32_t id)
{
    uint32_t v = tm__idmap_get(&b->tr->priv->objects, id);
    if (v == TM_NONE)
        return TM_NONE;
    if ((v & TM__TAG_MASK) == TM__TAG_TASK)
        return b->tr->tasks[v & ~TM__TAG_MASK].ev_done;
    if ((v & TM__TAG_MASK) == TM__TAG_FUTURE)
        return b->tr->futures[v & ~TM__TAG_MASK].ev_done;
    return TM_NONE;
}

/* ---- building blocks ------------------------------------------------------------- */

int tm__add_link(tm__builder *b, tm_link_kind kind, uint32_t from, uint32_t to)
{
    tm_trace *tr = b->tr;
    if (from == TM_NONE)
        return 0;
    if (tm__reserve(&tr->links, &b->cap_links, tr->n_links + 1, sizeof *tr->links) < 0)
        return TM__NOMEM(b);
    tr->links[tr->n_links++] = (tm_link){from, to, (uint8_t)kind};
    return 0;
}

/* Close the task's open span at `ev` and open one in `state`. */
int tm__open_span(tm__builder *b, uint32_t task, tm_state state, uint32_t ev,
                     tm_str label, uint32_t fut)
{
    tm_trace *tr = b->tr;
    tm__live *lv = &b->live[task];
    if (lv->span != TM_NONE)
        tr->spans[lv->span].ev_end = ev;
    if (tm__reserve(&tr->spans, &b->cap_spans, tr->n_spans + 1, sizeof *tr->spans) < 0)
        return TM__NOMEM(b);
    lv->span = (uint32_t)tr->n_spans;
    tr->spans[tr->n_spans++] = (tm_span){ev, TM_NONE, task, state, fut, label};
    return 0;
}

tm_state tm__state_now(const tm__builder *b, uint32_t task)
{
    uint32_t s = b->live[task].span;
    return s == TM_NONE ? TM_STATE_READY : (tm_state)b->tr->spans[s].state;
}

int tm__is_final(tm_state s)
{
    return s == TM_STATE_DONE || s == TM_STATE_FAILED || s == TM_STATE_CANCELLED;
}

/* Put handle `id` in the ready queue at event `ev`; `cause` is what a link will start from. */
int tm__queue_handle(tm__builder *b, uint32_t id, uint32_t task, uint32_t ev,
                        uint32_t cause, tm_link_kind kind)
{
    tm_trace *tr = b->tr;
    struct tm__private *p = tr->priv;
    uint32_t old = tm__idmap_get(&p->handles, id);
    if (old != TM_NONE && tr->handles[old].ev_gone == TM_NONE)
        tm__rule(b, TM__F_H, "handle %u is already in the ready queue", id);
    if (tr->n_handles >= TM__INDEX_MAX)
        return TM__NOMEM(b);
    size_t cap = b->cap_handles;
    if (tm__reserve(&tr->handles, &b->cap_handles, tr->n_handles + 1, sizeof *tr->handles) < 0 ||
        tm__reserve(&b->causes, &cap, tr->n_handles + 1, sizeof *b->causes) < 0)
        return TM__NOMEM(b);
    b->cap_handles = cap < b->cap_handles ? cap : b->cap_handles;
    uint32_t i = (uint32_t)tr->n_handles++;
    tr->handles[i] = (tm_handle){id, task, ev, TM_NONE};   /* its callback: tm_handle_fn, from event ev */
    b->causes[i] = (tm__cause){cause, (uint8_t)kind};
    if (tm__idmap_put(&p->handles, id, i) < 0)
        return TM__NOMEM(b);
    b->ready++;
    if (b->ready > tr->stats.peak_ready)
        tr->stats.peak_ready = b->ready;
    return 0;
}

/*
** Take handle `id` out of the ready queue at `ev`. Returns its index, or
** TM_NONE (with a problem) when it is not queued.
*/
uint32_t tm__take_handle(tm__builder *b, uint32_t id, uint32_t ev, int cancelled,
                            const char *what)
{
    tm_trace *tr = b->tr;
    uint32_t i = tm__idmap_get(&tr->priv->handles, id);
    if (i == TM_NONE) {
        tm__rule(b, TM__F_H, "%s: handle %u was never put in the ready queue", what, id);
        return TM_NONE;
    }
    tm_handle *hd = &tr->handles[i];
    if (hd->ev_gone != TM_NONE) {
        tm_kind left = (tm_kind)tr->events[hd->ev_gone].kind;
        int was_cancelled = left == TM_EV_HANDLE_CANCEL || left == TM_EV_TIMER_CANCEL;
        if (!(cancelled && was_cancelled))
            tm__rule(b, TM__F_H, "%s: handle %u already left the ready queue (%s)", what, id,
                        was_cancelled ? "cancelled" : "it ran");
        return TM_NONE;
    }
    hd->ev_gone = ev;   /* cancelled or not: the kind of event ev says */
    b->ready--;
    return i;
}
