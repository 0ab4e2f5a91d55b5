/*
** constructs.c -- task groups, timeout deadlines, I/O waits and the lanes of
** the version-2 markers, derived once per run from the model's marks and
** spans (see constructs.h).
**
** Objects are found by id through a small open-addressing table built here
** (ids are unique per trace, but a damaged trace may repeat one: the latest
** wins, and nothing worse than a wrong bracket follows). Every pass is linear
** in the marks or spans, except the gutter columns: groups sorted by their
** first lane, then given the leftmost column free over their lanes.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "constructs.h"
#include "jobs.h"
#include "tm_safe.h"

#define FD_LANES_MAX 65536   /* descriptors tracked for io lanes; higher ones go to the loop lane */

/* ---- an id -> index table --------------------------------------------------------- */

typedef struct idmap {
    uint32_t *keys;     /* 0 = empty slot (ids are positive) */
    uint32_t *vals;
    size_t cap;         /* a power of two, at least twice the entries */
} idmap;

static int idmap_init(idmap *m, size_t n)
{
    m->cap = 16;
    while (m->cap < 2 * n + 2)
        m->cap *= 2;
    m->keys = co_calloc(m->cap, sizeof *m->keys);
    m->vals = co_malloc(m->cap * sizeof *m->vals);
    if (m->keys && m->vals)
        return 0;
    co_free(m->keys);
    co_free(m->vals);
    return -1;
}

static void idmap_free(idmap *m)
{
    co_free(m->keys);
    co_free(m->vals);
}

static size_t idmap_slot(const idmap *m, uint32_t key)
{
    size_t i = (key * 2654435761u) & (m->cap - 1);
    while (m->keys[i] && m->keys[i] != key)
        i = (i + 1) & (m->cap - 1);
    return i;
}

/* Sizing at init keeps the table at most half full, so a put always finds a slot. */
static void idmap_put(idmap *m, uint32_t key, uint32_t val)
{
    if (!key)
        return;
    size_t i = idmap_slot(m, key);
    m->keys[i] = key;
    m->vals[i] = val;
}

static uint32_t idmap_get(const idmap *m, uint32_t key)
{
    if (!key)
        return TM_NONE;
    size_t i = idmap_slot(m, key);
    return m->keys[i] ? m->vals[i] : TM_NONE;
}

/* ---- helpers ------------------------------------------------------------------------ */

static const char *mark_op(const tm_trace *tr, const tm_mark *m)
{
    return tm_text(tr, m->op);
}

static tm_kind mark_kind(const tm_trace *tr, const tm_mark *m)
{
    return (tm_kind)tr->events[m->ev].kind;
}

int vz_span_is_io(const vz_run *run, uint32_t si)
{
    return run->span_io && si < run->tr->n_spans && (run->span_io[si / 8] >> (si % 8) & 1);
}

int vz_group_has(const vz_run *run, const vz_group *g, uint32_t task)
{
    if (task == TM_NONE)
        return 0;
    if (g->owner == task)
        return 1;
    for (uint32_t i = 0; i < g->count; i++)
        if (run->grp_task[g->first + i] == task)
            return 1;
    return 0;
}

const vz_group *vz_group_find(const vz_run *run, uint32_t id)
{
    for (size_t i = 0; i < run->n_groups; i++)
        if (run->groups[i].id == id)
            return &run->groups[i];
    return NULL;
}

double vz_time_pos(const vz_run *run, double t, int step_view)
{
    if (!step_view)
        return t;
    const tm_trace *tr = run->tr;
    size_t lo = 0, hi = tr->n_events;
    while (lo < hi) {   /* the first event at or after t */
        size_t mid = lo + (hi - lo) / 2;
        if (tr->events[mid].t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo >= tr->n_events)
        lo = tr->n_events ? tr->n_events - 1 : 0;
    return (double)lo;
}

/* ---- I/O waits ---------------------------------------------------------------------- */

static int build_io_waits(vz_run *run)
{
    const tm_trace *tr = run->tr;
    run->span_io = co_calloc(tr->n_spans / 8 + 1, 1);
    if (!run->span_io)
        return -1;
    for (size_t i = 0; i < tr->n_spans; i++) {
        const tm_span *sp = &tr->spans[i];
        if (sp->state != TM_STATE_WAITING || !sp->fut)
            continue;
        uint32_t f = tm_find_future(tr, sp->fut);
        if (f != TM_NONE && !strcmp(tm_text(tr, tr->futures[f].kind), "io")) {
            run->span_io[i / 8] |= (uint8_t)(1u << (i % 8));
            run->n_io_waits++;
        }
    }
    return 0;
}

/* ---- task groups ---------------------------------------------------------------------- */

typedef struct grange {
    uint32_t lo, hi;   /* first and last lane (positions in tr->lanes) of owner and members */
    uint32_t g;        /* group index */
} grange;

static int by_lo_then_wider(const void *a, const void *b)
{
    const grange *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    if (x->hi != y->hi)
        return x->hi > y->hi ? -1 : 1;
    return x->g < y->g ? -1 : x->g > y->g;
}

/* Gutter columns: outer groups (first lane earlier, or same and reaching further) to the left. */
static int assign_columns(vz_run *run)
{
    const tm_trace *tr = run->tr;
    uint32_t *pos = co_malloc((tr->n_tasks ? tr->n_tasks : 1) * sizeof *pos);
    grange *rg = co_malloc((run->n_groups ? run->n_groups : 1) * sizeof *rg);
    if (!pos || !rg) {
        co_free(pos);
        co_free(rg);
        return -1;
    }
    for (size_t i = 0; i < tr->n_tasks; i++)
        pos[tr->lanes[i]] = (uint32_t)i;
    size_t n = 0;
    for (size_t gi = 0; gi < run->n_groups; gi++) {
        const vz_group *g = &run->groups[gi];
        uint32_t lo = UINT32_MAX, hi = 0;
        if (g->owner != TM_NONE)
            lo = hi = pos[g->owner];
        for (uint32_t k = 0; k < g->count; k++) {
            uint32_t p = pos[run->grp_task[g->first + k]];
            lo = p < lo ? p : lo;
            hi = p > hi ? p : hi;
        }
        if (lo != UINT32_MAX)
            rg[n++] = (grange){lo, hi, (uint32_t)gi};
    }
    qsort(rg, n, sizeof *rg, by_lo_then_wider);
    uint32_t last_hi[VZ_GROUP_COLS];
    int used[VZ_GROUP_COLS] = {0};
    for (size_t i = 0; i < n; i++) {
        int col = VZ_GROUP_COLS - 1;
        for (int c = 0; c < VZ_GROUP_COLS; c++)
            if (!used[c] || last_hi[c] < rg[i].lo) {
                col = c;
                break;
            }
        used[col] = 1;
        last_hi[col] = rg[i].hi;
        run->groups[rg[i].g].col = (uint8_t)col;
        if (col + 1 > run->grp_cols)
            run->grp_cols = (uint8_t)(col + 1);
    }
    co_free(pos);
    co_free(rg);
    return 0;
}

static int build_groups(vz_run *run, size_t n_group_marks)
{
    const tm_trace *tr = run->tr;
    idmap ids;
    run->groups = co_malloc((n_group_marks ? n_group_marks : 1) * sizeof *run->groups);
    uint32_t *add_group = co_malloc((n_group_marks ? n_group_marks : 1) * sizeof *add_group);
    uint32_t *add_task = co_malloc((n_group_marks ? n_group_marks : 1) * sizeof *add_task);
    run->grp_task = co_malloc((n_group_marks ? n_group_marks : 1) * sizeof *run->grp_task);
    int rc = -1;
    if (!run->groups || !add_group || !add_task || !run->grp_task || idmap_init(&ids, n_group_marks) < 0)
        goto out_nomap;
    size_t n_adds = 0;
    for (size_t i = 0; i < tr->n_marks; i++) {
        const tm_mark *m = &tr->marks[i];
        if (mark_kind(tr, m) != TM_EV_GROUP)
            continue;
        const char *op = mark_op(tr, m);
        if (!strcmp(op, "new")) {
            uint32_t gi = (uint32_t)run->n_groups++;
            run->groups[gi] = (vz_group){m->obj, m->task, m->ev, TM_NONE, TM_NONE, 0, 0, 0};
            idmap_put(&ids, m->obj, gi);
            continue;
        }
        uint32_t gi = idmap_get(&ids, m->obj);
        if (gi == TM_NONE)
            continue;
        vz_group *g = &run->groups[gi];
        if (!strcmp(op, "add") && m->task != TM_NONE) {
            add_group[n_adds] = gi;
            add_task[n_adds++] = m->task;
        } else if (!strcmp(op, "abort") && g->ev_abort == TM_NONE) {
            g->ev_abort = m->ev;
        } else if (!strcmp(op, "exit") && g->ev_exit == TM_NONE) {
            g->ev_exit = m->ev;
        }
    }
    /* Members grouped by group, each group's in joining order (a counting sort). */
    for (size_t k = 0; k < n_adds; k++)
        run->groups[add_group[k]].count++;
    uint32_t at = 0;
    for (size_t gi = 0; gi < run->n_groups; gi++) {
        run->groups[gi].first = at;
        at += run->groups[gi].count;
        run->groups[gi].count = 0;
    }
    for (size_t k = 0; k < n_adds; k++) {
        vz_group *g = &run->groups[add_group[k]];
        run->grp_task[g->first + g->count++] = add_task[k];
    }
    rc = assign_columns(run);
    idmap_free(&ids);
out_nomap:
    co_free(add_group);
    co_free(add_task);
    return rc;
}

/* ---- deadlines -------------------------------------------------------------------------- */

static void end_deadline(vz_deadline *dl, uint32_t *open, uint32_t ev, vz_deadline_end why)
{
    if (*open == TM_NONE)
        return;
    dl[*open].ev_end = ev;
    dl[*open].end = (uint8_t)why;
    *open = TM_NONE;
}

static int build_deadlines(vz_run *run, size_t n_timeout_marks)
{
    const tm_trace *tr = run->tr;
    size_t cap = n_timeout_marks ? n_timeout_marks : 1, n = 0;
    vz_deadline *dl = co_malloc(cap * sizeof *dl);
    uint32_t *open = co_malloc(cap * sizeof *open);   /* per timeout (in order met): its open deadline */
    idmap ids;
    run->dl_first = co_calloc(tr->n_tasks + 1, sizeof *run->dl_first);
    run->deadlines = co_malloc(cap * sizeof *run->deadlines);
    int rc = -1;
    if (!dl || !open || !run->dl_first || !run->deadlines || idmap_init(&ids, n_timeout_marks) < 0)
        goto out_nomap;
    uint32_t n_objs = 0;
    for (size_t i = 0; i < tr->n_marks; i++) {
        const tm_mark *m = &tr->marks[i];
        if (mark_kind(tr, m) != TM_EV_TIMEOUT)
            continue;
        uint32_t oi = idmap_get(&ids, m->obj);
        if (oi == TM_NONE) {
            oi = n_objs++;
            open[oi] = TM_NONE;
            idmap_put(&ids, m->obj, oi);
        }
        const char *op = mark_op(tr, m);
        if (!strcmp(op, "arm") || !strcmp(op, "reschedule")) {
            end_deadline(dl, &open[oi], m->ev, VZ_DL_RESCHEDULED);
            if (isfinite(m->num) && m->task != TM_NONE && m->task < tr->n_tasks) {
                dl[n] = (vz_deadline){m->ev, TM_NONE, m->task, m->obj, m->num, VZ_DL_OPEN};
                open[oi] = (uint32_t)n++;
            }
        } else if (!strcmp(op, "fire")) {
            end_deadline(dl, &open[oi], m->ev, VZ_DL_FIRED);
        } else if (!strcmp(op, "exit")) {
            end_deadline(dl, &open[oi], m->ev, VZ_DL_EXITED);
        }
    }
    /* Grouped by owner, each owner's in event order (a stable counting sort). */
    for (size_t i = 0; i < n; i++)
        run->dl_first[dl[i].owner + 1]++;
    for (size_t t = 0; t < tr->n_tasks; t++)
        run->dl_first[t + 1] += run->dl_first[t];
    for (size_t i = 0; i < n; i++)
        run->deadlines[run->dl_first[dl[i].owner]++] = dl[i];
    /* The fill moved each owner's start to the next owner's: shift them back. */
    memmove(run->dl_first + 1, run->dl_first, tr->n_tasks * sizeof *run->dl_first);
    run->dl_first[0] = 0;
    run->n_deadlines = n;
    rc = 0;
    idmap_free(&ids);
out_nomap:
    co_free(dl);
    co_free(open);
    return rc;
}

/* ---- marker lanes ----------------------------------------------------------------------- */

static int build_mark_lanes(vz_run *run)
{
    const tm_trace *tr = run->tr;
    uint32_t max_fd = 0;
    run->mk_lane = co_malloc((tr->n_marks ? tr->n_marks : 1) * sizeof *run->mk_lane);
    if (!run->mk_lane)
        return -1;
    for (size_t i = 0; i < tr->n_marks; i++)
        if (mark_kind(tr, &tr->marks[i]) == TM_EV_IO && tr->marks[i].obj < FD_LANES_MAX && tr->marks[i].obj >= max_fd)
            max_fd = tr->marks[i].obj + 1;
    uint32_t *fd_task = co_malloc((max_fd ? max_fd : 1) * sizeof *fd_task);   /* who last waited on each fd */
    idmap groups;
    if (!fd_task || idmap_init(&groups, run->n_groups) < 0) {
        co_free(fd_task);
        return -1;
    }
    for (size_t g = 0; g < run->n_groups; g++)
        idmap_put(&groups, run->groups[g].id, (uint32_t)g);
    for (uint32_t f = 0; f < max_fd; f++)
        fd_task[f] = TM_NONE;
    for (size_t i = 0; i < tr->n_marks; i++) {
        const tm_mark *m = &tr->marks[i];
        const tm_event *e = &tr->events[m->ev];
        uint32_t lane = e->task != TM_NONE ? e->task : tm_event_by(tr, m->ev);
        if (e->kind == TM_EV_IO && m->obj < max_fd) {
            if (e->task != TM_NONE)
                fd_task[m->obj] = e->task;
            else if (fd_task[m->obj] != TM_NONE)
                lane = fd_task[m->obj];
        } else if (e->kind == TM_EV_GROUP && e->task == TM_NONE) {
            uint32_t g = idmap_get(&groups, m->obj);
            if (g != TM_NONE && run->groups[g].owner != TM_NONE)
                lane = run->groups[g].owner;
        }
        run->mk_lane[i] = lane < tr->n_tasks ? lane : TM_NONE;
    }
    idmap_free(&groups);
    co_free(fd_task);
    return 0;
}

/* ---- building ---------------------------------------------------------------------------- */

int vz_constructs_build(vz_run *run)
{
    const tm_trace *tr = run->tr;
    size_t n_group = 0, n_timeout = 0;
    for (size_t i = 0; i < tr->n_marks; i++) {
        tm_kind k = mark_kind(tr, &tr->marks[i]);
        n_group += k == TM_EV_GROUP;
        n_timeout += k == TM_EV_TIMEOUT;
    }
    if (build_io_waits(run) < 0 || build_groups(run, n_group) < 0 || build_deadlines(run, n_timeout) < 0 ||
        build_mark_lanes(run) < 0)
        return -1;
    return 0;
}

void vz_constructs_free(vz_run *run)
{
    co_free(run->groups);
    co_free(run->grp_task);
    co_free(run->deadlines);
    co_free(run->dl_first);
    co_free(run->span_io);
    co_free(run->mk_lane);
    run->groups = NULL;
    run->grp_task = NULL;
    run->deadlines = NULL;
    run->dl_first = NULL;
    run->span_io = NULL;
    run->mk_lane = NULL;
    run->n_groups = run->n_deadlines = run->n_io_waits = 0;
    run->grp_cols = 0;
}

/* ---- in words ------------------------------------------------------------------------------ */

/* "1 item", "2 items"; "?" items when the count is missing. */
static const char *items(double n, char *buf, size_t size)
{
    if (isnan(n))
        tm_safe_snprintf(buf, size, "? items");
    else
        tm_safe_snprintf(buf, size, "%g item%s", n, n == 1 ? "" : "s");
    return buf;
}

static void sync_text(const char *who, const char *kind, const char *op, uint32_t obj, double n, char *buf,
                      size_t size)
{
    char it[48];
    if (!strcmp(kind, "queue")) {
        if (!strcmp(op, "put"))
            tm_safe_snprintf(buf, size, "%s puts into queue #%u: %s", who, obj, items(n, it, sizeof it));
        else if (!strcmp(op, "get"))
            tm_safe_snprintf(buf, size, "%s gets from queue #%u: %s left", who, obj, items(n, it, sizeof it));
        else if (!strcmp(op, "task_done"))
            tm_safe_snprintf(buf, size, "%s calls task_done() on queue #%u (%s queued)", who, obj, items(n, it, sizeof it));
        else if (!strcmp(op, "join"))
            tm_safe_snprintf(buf, size, "%s joins queue #%u: waits while items are unfinished (%s queued)", who, obj,
                     items(n, it, sizeof it));
        else
            tm_safe_snprintf(buf, size, "%s: queue #%u %s (%s queued)", who, obj, op, items(n, it, sizeof it));
    } else if (!strcmp(kind, "lock") && (!strcmp(op, "acquire") || !strcmp(op, "release"))) {
        tm_safe_snprintf(buf, size, "%s %ss lock #%u (%s)", who, op, obj, op[0] == 'a' ? "held" : "free");
    } else if (!strcmp(kind, "semaphore") && (!strcmp(op, "acquire") || !strcmp(op, "release")) && !isnan(n)) {
        tm_safe_snprintf(buf, size, "%s %ss semaphore #%u (value now %g)", who, op, obj, n);
    } else if (!strcmp(kind, "event") && !strcmp(op, "wait")) {
        tm_safe_snprintf(buf, size, "%s waits on event #%u: %s", who, obj,
                 n == 1 ? "already set, returns at once" : "not set, waits until it is");
    } else if (!strcmp(kind, "event") && (!strcmp(op, "set") || !strcmp(op, "clear"))) {
        tm_safe_snprintf(buf, size, "%s %ss event #%u%s", who, op, obj, op[0] == 's' ? ": its waiters wake" : "");
    } else if (!strcmp(kind, "condition") && (!strcmp(op, "acquire") || !strcmp(op, "release"))) {
        tm_safe_snprintf(buf, size, "%s %ss the lock of condition #%u", who, op, obj);
    } else if (!strcmp(kind, "condition") && !strcmp(op, "wait")) {
        tm_safe_snprintf(buf, size, "%s waits on condition #%u (%g waiting)", who, obj, n);
    } else if (!strcmp(kind, "condition") && !strcmp(op, "notify")) {
        tm_safe_snprintf(buf, size, "%s notifies condition #%u: %g waiter%s woken", who, obj, n, n == 1 ? "" : "s");
    } else if (isnan(n)) {
        tm_safe_snprintf(buf, size, "%s: %s #%u %s", who, *kind ? kind : "sync", obj, op);
    } else {
        tm_safe_snprintf(buf, size, "%s: %s #%u %s (count %g)", who, *kind ? kind : "sync", obj, op, n);
    }
}

static void io_text(const vz_run *run, const tm_mark *m, const char *who, char *buf, size_t size)
{
    const tm_trace *tr = run->tr;
    const char *op = mark_op(tr, m), *what = tm_text(tr, m->what);
    uint32_t lane = run->mk_lane ? run->mk_lane[m - tr->marks] : TM_NONE;
    if (!strcmp(op, "wait"))
        tm_safe_snprintf(buf, size, "%s waits until fd %u is ready (%s)", who, m->obj, *what ? what : "I/O");
    else if (!strcmp(op, "ready") && lane != TM_NONE)
        tm_safe_snprintf(buf, size, "the poller reports fd %u ready (%s): %s's I/O wait ends", m->obj, *what ? what : "I/O",
                 vz_task_name(run, lane));
    else if (!strcmp(op, "ready"))
        tm_safe_snprintf(buf, size, "the poller reports fd %u ready (%s)", m->obj, *what ? what : "I/O");
    else if (!strcmp(op, "close"))
        tm_safe_snprintf(buf, size, "%s closes fd %u", who, m->obj);
    else if (!strcmp(op, "accept"))
        tm_safe_snprintf(buf, size, "the server accepts a connection: fd %u", m->obj);
    else
        tm_safe_snprintf(buf, size, "%s: fd %u %s%s%s", who, m->obj, op, *what && strcmp(what, op) ? " " : "",
                 strcmp(what, op) ? what : "");
}

static void timeout_text(const vz_run *run, const tm_mark *m, const char *who, char *buf, size_t size)
{
    const tm_trace *tr = run->tr;
    const char *op = mark_op(tr, m);
    uint32_t f = tm_find_future(tr, m->obj);
    int wait_for = f != TM_NONE && !strcmp(tm_text(tr, tr->futures[f].kind), "wait_for");
    char when[32];
    vz_format_seconds(m->num, when, sizeof when);
    if (!strcmp(op, "arm") && isnan(m->num))
        tm_safe_snprintf(buf, size, "%s enters a timeout block with no deadline", who);
    else if (!strcmp(op, "arm"))
        tm_safe_snprintf(buf, size, "%s arms a %s due at %s", who, wait_for ? "wait_for deadline" : "timeout", when);
    else if (!strcmp(op, "reschedule") && isnan(m->num))
        tm_safe_snprintf(buf, size, "%s reschedules its timeout to no deadline", who);
    else if (!strcmp(op, "reschedule"))
        tm_safe_snprintf(buf, size, "%s reschedules its timeout to %s", who, when);
    else if (!strcmp(op, "fire") && wait_for)
        tm_safe_snprintf(buf, size, "timeout fired: %s's wait_for deadline (%s) passed; it cancels what it awaits", who,
                 when);
    else if (!strcmp(op, "fire"))
        tm_safe_snprintf(buf, size, "timeout fired: the deadline (%s) passed; %s is cancelled, to leave the block with "
                 "TimeoutError", when, who);
    else if (!strcmp(op, "exit"))
        tm_safe_snprintf(buf, size, wait_for ? "%s's wait_for returns: its deadline is dropped"
                                     : "%s leaves its timeout block: the deadline is dropped", who);
    else
        tm_safe_snprintf(buf, size, "%s: timeout %s", who, op);
}

static void group_text(const vz_run *run, const tm_mark *m, const tm_event *e, char *buf, size_t size)
{
    const tm_trace *tr = run->tr;
    const char *op = mark_op(tr, m);
    const vz_group *g = vz_group_find(run, m->obj);
    const char *who = vz_task_name(run, e->task);
    if (!strcmp(op, "new"))
        tm_safe_snprintf(buf, size, "%s opens TaskGroup #%u (async with)", who, m->obj);
    else if (!strcmp(op, "add") && g && g->owner != TM_NONE)
        tm_safe_snprintf(buf, size, "%s joins TaskGroup #%u of %s", who, m->obj, vz_task_name(run, g->owner));
    else if (!strcmp(op, "add"))
        tm_safe_snprintf(buf, size, "%s joins TaskGroup #%u", who, m->obj);
    else if (!strcmp(op, "abort") && e->task != TM_NONE)
        tm_safe_snprintf(buf, size, "TaskGroup #%u aborts: %s's block raised or was cancelled; the running children are "
                 "cancelled", m->obj, who);
    else if (!strcmp(op, "abort"))
        tm_safe_snprintf(buf, size, "TaskGroup #%u aborts: a child failed; the running children are cancelled", m->obj);
    else if (!strcmp(op, "exit"))
        tm_safe_snprintf(buf, size, "TaskGroup #%u exits: its %u child%s finished", m->obj, g ? g->count : 0,
                 g && g->count == 1 ? " has" : "ren have");
    else
        tm_safe_snprintf(buf, size, "TaskGroup #%u: %s", m->obj, op);
}

char *vz_construct_text(const vz_run *run, uint32_t ev, char *buf, size_t size)
{
    const tm_trace *tr = run->tr;
    const tm_event *e = &tr->events[ev];
    const tm_mark *m = e->obj < tr->n_marks ? &tr->marks[e->obj] : NULL;
    if (!m || m->ev != ev) {
        tm_safe_snprintf(buf, size, "%s", tm_kind_name((tm_kind)e->kind));
        return buf;
    }
    const char *who = e->task != TM_NONE ? vz_task_name(run, e->task)
                    : tm_event_by(tr, ev) != TM_NONE ? vz_task_name(run, tm_event_by(tr, ev)) : "a callback";
    switch ((tm_kind)e->kind) {
    case TM_EV_SYNC:
        sync_text(who, tm_text(tr, m->what), mark_op(tr, m), m->obj, m->num, buf, size);
        break;
    case TM_EV_JOB: {
        const char *op = mark_op(tr, m), *fn = tm_text(tr, m->what);
        uint32_t job = tm_find_job(tr, m->obj), busy = vz_job_busy(run, job);
        char waited[32];
        if (!strcmp(op, "submit") && busy != TM_NONE)   /* every worker busy: it joins the executor's queue */
            tm_safe_snprintf(buf, size, "%s hands %s() to the executor (job #%u), waiting for a free worker (%u busy)", who,
                     fn, m->obj, busy);
        else if (!strcmp(op, "submit"))
            tm_safe_snprintf(buf, size, "%s hands %s() to the executor (job #%u)", who, fn, m->obj);
        else if (!strcmp(op, "start") && busy != TM_NONE)
            tm_safe_snprintf(buf, size, "worker-%g is free and starts %s() (job #%u), queued for %s; the loop runs on",
                     m->num, fn, m->obj,
                     vz_format_seconds(e->t - tr->events[tr->jobs[job].ev_submit].t, waited, sizeof waited));
        else if (!strcmp(op, "start"))
            tm_safe_snprintf(buf, size, "worker-%g starts %s() (job #%u); the loop runs on", m->num, fn, m->obj);
        else if (!strcmp(op, "done"))
            tm_safe_snprintf(buf, size, "worker-%g finishes %s(): it %s; the result goes back to the loop", m->num, fn,
                     e->detail == TM_OUTCOME_EXCEPTION ? "raised" : "returned");
        else
            tm_safe_snprintf(buf, size, "job #%u %s %s()", m->obj, op, fn);
        break;
    }
    case TM_EV_IO:
        io_text(run, m, who, buf, size);
        break;
    case TM_EV_TIMEOUT:
        timeout_text(run, m, who, buf, size);
        break;
    case TM_EV_GROUP:
        group_text(run, m, e, buf, size);
        break;
    default:
        tm_safe_snprintf(buf, size, "%s", tm_kind_name((tm_kind)e->kind));
    }
    return buf;
}
