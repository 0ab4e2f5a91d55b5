/*
** show_groups.c -- TaskGroup brackets and lane marks for `coroscope show`
** (see show_groups.h), from the model's marks.
**
** Groups are found by id through an array sorted by id (ids are unique per
** trace; in a damaged trace that repeats one, one of them gets the events).
** Columns are given greedily: groups sorted by first lane (the wider first
** when two begin on the same lane) each take the leftmost column whose last
** group ended above them.
*/
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "show_groups.h"

#define FD_MAX 65536   /* descriptors tracked for `ready` marks; others are not marked */

typedef struct id_index {
    uint32_t id;     /* group id */
    uint32_t g;      /* its index */
} id_index;

static int by_id(const void *a, const void *b)
{
    const id_index *x = a, *y = b;
    return x->id < y->id ? -1 : x->id > y->id;
}

static uint32_t group_of(const id_index *ix, size_t n, uint32_t id)
{
    id_index key = {id, 0};
    const id_index *hit = bsearch(&key, ix, n, sizeof *ix, by_id);
    return hit ? hit->g : TM_NONE;
}

static const char *op_of(const tm_trace *tr, const tm_mark *m)
{
    return tm_text(tr, m->op);
}

static tm_kind kind_of(const tm_trace *tr, const tm_mark *m)
{
    return (tm_kind)tr->events[m->ev].kind;
}

int show_span_is_io(const tm_trace *tr, const tm_span *sp)
{
    if (sp->state != TM_STATE_WAITING || !sp->fut)
        return 0;
    uint32_t f = tm_find_future(tr, sp->fut);
    return f != TM_NONE && !strcmp(tm_text(tr, tr->futures[f].kind), "io");
}

/* A group's lanes and column, to sort groups by. */
typedef struct gkey {
    uint32_t lo, hi;   /* first and last lane */
    int col;           /* bracket column (once given) */
    uint32_t g;        /* group index */
} gkey;

/* For columns: by first lane, then the one reaching further first. */
static int by_first_lane(const void *a, const void *b)
{
    const gkey *x = a, *y = b;
    if (x->lo != y->lo)
        return x->lo < y->lo ? -1 : 1;
    if (x->hi != y->hi)
        return x->hi > y->hi ? -1 : 1;
    return x->g < y->g ? -1 : x->g > y->g;
}

/* For closing lines: by last lane, and at one lane the inner (higher column) first. */
static int by_last_lane(const void *a, const void *b)
{
    const gkey *x = a, *y = b;
    if (x->hi != y->hi)
        return x->hi < y->hi ? -1 : 1;
    if (x->col != y->col)
        return x->col > y->col ? -1 : 1;
    return x->g < y->g ? -1 : x->g > y->g;
}

static void set_cell(show_groups *sg, uint32_t lane, int col, uint8_t what, uint32_t g)
{
    size_t at = (size_t)lane * SHOW_GROUP_COLS + (size_t)col;
    if (what >= sg->cell[at]) {
        sg->cell[at] = what;
        sg->cell_group[at] = g;
    }
}

static int build_brackets(const tm_trace *tr, show_groups *sg, const uint32_t *pos, id_index *ix)
{
    size_t n = sg->n_groups;
    /* Lanes of each group: its owner's and its members'. */
    for (size_t i = 0; i < tr->n_marks; i++) {
        const tm_mark *m = &tr->marks[i];
        if (kind_of(tr, m) != TM_EV_GROUP)
            continue;
        uint32_t g = group_of(ix, n, m->obj);
        if (g == TM_NONE)
            continue;
        show_group *gr = &sg->groups[g];
        const char *op = op_of(tr, m);
        if (!strcmp(op, "add") && m->task < tr->n_tasks) {
            uint32_t p = pos[m->task];
            gr->members++;
            if (gr->lo > gr->hi) {   /* its first known lane */
                gr->lo = gr->hi = p;
            } else {
                gr->lo = p < gr->lo ? p : gr->lo;
                gr->hi = p > gr->hi ? p : gr->hi;
            }
        } else if (!strcmp(op, "abort") && gr->ev_abort == TM_NONE) {
            gr->ev_abort = m->ev;
        } else if (!strcmp(op, "exit") && gr->ev_exit == TM_NONE) {
            gr->ev_exit = m->ev;
        }
    }
    gkey *order = co_malloc((n ? n : 1) * sizeof *order);
    sg->closing = co_malloc((n ? n : 1) * sizeof *sg->closing);
    if (!order || !sg->closing) {
        co_free(order);
        return -1;
    }
    size_t k = 0;
    for (size_t g = 0; g < n; g++)
        if (sg->groups[g].lo <= sg->groups[g].hi)
            order[k++] = (gkey){sg->groups[g].lo, sg->groups[g].hi, 0, (uint32_t)g};
    qsort(order, k, sizeof *order, by_first_lane);
    uint32_t last_hi[SHOW_GROUP_COLS];
    int used[SHOW_GROUP_COLS] = {0};
    for (size_t i = 0; i < k; i++) {
        show_group *gr = &sg->groups[order[i].g];
        int col = SHOW_GROUP_COLS - 1;
        for (int c = 0; c < SHOW_GROUP_COLS; c++)
            if (!used[c] || last_hi[c] < gr->lo) {
                col = c;
                break;
            }
        used[col] = 1;
        last_hi[col] = gr->hi;
        gr->col = order[i].col = col;
        if (col + 1 > sg->cols)
            sg->cols = col + 1;
        for (uint32_t lane = gr->lo; lane <= gr->hi; lane++)
            set_cell(sg, lane, col, SG_PASS, order[i].g);
        if (gr->owner < tr->n_tasks)
            set_cell(sg, pos[gr->owner], col, SG_MEMBER, order[i].g);
    }
    for (size_t i = 0; i < tr->n_marks; i++) {   /* a tick on every member's lane */
        const tm_mark *m = &tr->marks[i];
        if (kind_of(tr, m) != TM_EV_GROUP || strcmp(op_of(tr, m), "add") || m->task >= tr->n_tasks)
            continue;
        uint32_t g = group_of(ix, n, m->obj);
        if (g != TM_NONE)
            set_cell(sg, pos[m->task], sg->groups[g].col, SG_MEMBER, g);
    }
    for (size_t i = 0; i < k; i++)
        set_cell(sg, order[i].lo, order[i].col, SG_TOP, order[i].g);
    qsort(order, k, sizeof *order, by_last_lane);
    for (size_t i = 0; i < k; i++)
        sg->closing[i] = order[i].g;
    sg->n_closing = k;
    co_free(order);
    return 0;
}

/* The marks on task lanes, grouped by task (a counting sort keeps event order). */
static int build_marks(const tm_trace *tr, show_groups *sg, const id_index *ix)
{
    uint32_t max_fd = 0;
    for (size_t i = 0; i < tr->n_marks; i++)
        if (kind_of(tr, &tr->marks[i]) == TM_EV_IO && tr->marks[i].obj < FD_MAX && tr->marks[i].obj >= max_fd)
            max_fd = tr->marks[i].obj + 1;
    uint32_t *fd_task = co_malloc((max_fd ? max_fd : 1) * sizeof *fd_task);   /* who last waited on each fd */
    uint32_t *lane = co_malloc((tr->n_marks ? tr->n_marks : 1) * sizeof *lane);
    uint8_t *what = co_malloc(tr->n_marks ? tr->n_marks : 1);
    sg->mk_first = co_calloc(tr->n_tasks + 1, sizeof *sg->mk_first);
    int rc = -1;
    if (!fd_task || !lane || !what || !sg->mk_first)
        goto out;
    for (uint32_t f = 0; f < max_fd; f++)
        fd_task[f] = TM_NONE;
    size_t total = 0;
    for (size_t i = 0; i < tr->n_marks; i++) {
        const tm_mark *m = &tr->marks[i];
        const char *op = op_of(tr, m);
        lane[i] = TM_NONE;
        switch (kind_of(tr, m)) {
        case TM_EV_IO:
            if (m->obj >= max_fd)
                break;
            if (m->task != TM_NONE)
                fd_task[m->obj] = m->task;
            else if (!strcmp(op, "ready"))
                lane[i] = fd_task[m->obj], what[i] = SM_IO_READY;
            break;
        case TM_EV_TIMEOUT:
            if (!strcmp(op, "fire"))
                lane[i] = m->task, what[i] = SM_FIRED;
            break;
        case TM_EV_GROUP:
            if (!strcmp(op, "abort")) {
                uint32_t g = group_of(ix, sg->n_groups, m->obj);
                lane[i] = g != TM_NONE && sg->groups[g].owner != TM_NONE ? sg->groups[g].owner : m->task;
                what[i] = SM_ABORT;
            }
            break;
        default:
            break;
        }
        if (lane[i] < tr->n_tasks) {
            sg->mk_first[lane[i] + 1]++;
            total++;
        } else {
            lane[i] = TM_NONE;
        }
    }
    for (size_t t = 0; t < tr->n_tasks; t++)
        sg->mk_first[t + 1] += sg->mk_first[t];
    sg->marks = co_malloc((total ? total : 1) * sizeof *sg->marks);
    if (!sg->marks)
        goto out;
    for (size_t i = 0; i < tr->n_marks; i++)
        if (lane[i] != TM_NONE)
            sg->marks[sg->mk_first[lane[i]]++] = (show_mark){tr->marks[i].ev, what[i]};
    /* The fill moved each task's start to the next task's: shift them back. */
    memmove(sg->mk_first + 1, sg->mk_first, tr->n_tasks * sizeof *sg->mk_first);
    sg->mk_first[0] = 0;
    sg->n_marks = total;
    rc = 0;
out:
    co_free(fd_task);
    co_free(lane);
    co_free(what);
    return rc;
}

int show_groups_build(const tm_trace *tr, show_groups *sg)
{
    memset(sg, 0, sizeof *sg);
    size_t n = 0, nt = tr->n_tasks ? tr->n_tasks : 1;
    for (size_t i = 0; i < tr->n_marks; i++)
        n += kind_of(tr, &tr->marks[i]) == TM_EV_GROUP && !strcmp(op_of(tr, &tr->marks[i]), "new");
    uint32_t *pos = co_malloc(nt * sizeof *pos);
    id_index *ix = co_malloc((n ? n : 1) * sizeof *ix);
    sg->groups = co_malloc((n ? n : 1) * sizeof *sg->groups);
    sg->cell = co_calloc(nt * SHOW_GROUP_COLS, 1);
    sg->cell_group = co_malloc(nt * SHOW_GROUP_COLS * sizeof *sg->cell_group);
    int rc = -1;
    if (!pos || !ix || !sg->groups || !sg->cell || !sg->cell_group)
        goto out;
    for (size_t i = 0; i < tr->n_tasks; i++)
        pos[tr->lanes[i]] = (uint32_t)i;
    for (size_t i = 0; i < tr->n_marks; i++) {
        const tm_mark *m = &tr->marks[i];
        if (kind_of(tr, m) != TM_EV_GROUP || strcmp(op_of(tr, m), "new"))
            continue;
        uint32_t own = m->task < tr->n_tasks ? m->task : TM_NONE;
        sg->groups[sg->n_groups] = (show_group){m->obj, own, m->ev, TM_NONE, TM_NONE,
                                                own != TM_NONE ? pos[own] : 1, own != TM_NONE ? pos[own] : 0, 0, 0};
        ix[sg->n_groups] = (id_index){m->obj, (uint32_t)sg->n_groups};
        sg->n_groups++;
    }
    qsort(ix, sg->n_groups, sizeof *ix, by_id);
    for (size_t i = 0; i < tr->n_spans && !sg->io_waits; i++)
        sg->io_waits = show_span_is_io(tr, &tr->spans[i]);
    if (build_brackets(tr, sg, pos, ix) < 0 || build_marks(tr, sg, ix) < 0)
        goto out;
    rc = 0;
out:
    co_free(pos);
    co_free(ix);
    return rc;
}

void show_groups_free(show_groups *sg)
{
    co_free(sg->groups);
    co_free(sg->cell);
    co_free(sg->cell_group);
    co_free(sg->closing);
    co_free(sg->marks);
    co_free(sg->mk_first);
    memset(sg, 0, sizeof *sg);
}
