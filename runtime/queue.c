/*
** queue.c -- asyncio.Queue, LifoQueue and PriorityQueue (see queue.h),
** mirroring queues.py: one queue whose _put / _get depend on its kind.
*/
#include <string.h>

#include "internal.h"
#include "queue.h"

/* A ring of values (waiter futures ride in it as co_ptr); grows by doubling. */
typedef struct ring {
    co_value *buf;      /* cap slots */
    size_t head, n, cap;
} ring;

static co_value *ring_at(ring *r, size_t i) { return &r->buf[(r->head + i) % r->cap]; }

static int ring_grow(ring *r)
{
    size_t cap = r->cap ? r->cap * 2 : 8;
    co_value *buf = co_malloc(cap * sizeof *buf);
    if (!buf)
        return 0;
    for (size_t i = 0; i < r->n; i++)
        buf[i] = *ring_at(r, i);
    co_free(r->buf);
    r->buf = buf;
    r->head = 0;
    r->cap = cap;
    return 1;
}

static inline int ring_push(ring *r, co_value v)
{
    if (r->n == r->cap && !ring_grow(r))
        return 0;
    size_t at = r->head + r->n;
    if (at >= r->cap)
        at -= r->cap;
    r->buf[at] = v;
    r->n++;
    return 1;
}

static inline co_value ring_pop(ring *r)
{
    co_value v = r->buf[r->head];
    if (++r->head == r->cap)
        r->head = 0;
    r->n--;
    return v;
}

static void ring_remove(ring *r, const void *p)
{
    for (size_t i = 0; i < r->n; i++)
        if (ring_at(r, i)->u.p == p) {
            for (size_t j = i; j + 1 < r->n; j++)
                *ring_at(r, j) = *ring_at(r, j + 1);
            r->n--;
            return;
        }
}

typedef enum queue_kind { Q_FIFO, Q_LIFO, Q_PRIORITY } queue_kind;

struct co_queue {
    uint64_t id;             /* trace id of `sync` events */
    co_loop *loop;
    queue_kind kind;         /* Queue, LifoQueue or PriorityQueue: _put and _get */
    size_t maxsize;          /* 0: unbounded */
    ring items;              /* co_value; LIFO and priority keep head at 0 (a list) */
    ring getters;            /* co_future *: tasks waiting in get() */
    ring putters;            /* co_future *: tasks waiting in put() */
    size_t unfinished;       /* _unfinished_tasks */
    bool finished;           /* _finished.is_set() */
    ring joiners;            /* co_future *: tasks waiting in join() */
    co_queue *next;          /* the loop frees queues at close */
};

static void queue_free(void *p)
{
    co_queue *q = p;
    co_free(q->items.buf);
    co_free(q->getters.buf);
    co_free(q->putters.buf);
    co_free(q->joiners.buf);
}

static co_queue *queue_new(co_loop *L, size_t maxsize, queue_kind kind)
{
    co_queue *q = co__arena_alloc(sizeof *q);
    if (!q)
        return NULL;
    memset(q, 0, sizeof *q);
    q->id = co__new_id(L);
    q->loop = L;
    q->kind = kind;
    q->maxsize = maxsize;
    q->finished = true;
    if (co__at_close(L, queue_free, q) != CO_OK)
        return NULL;
    return q;
}

co_queue *co_queue_new(co_loop *L, size_t maxsize) { return queue_new(L, maxsize, Q_FIFO); }
co_queue *co_lifo_queue_new(co_loop *L, size_t maxsize) { return queue_new(L, maxsize, Q_LIFO); }
co_queue *co_priority_queue_new(co_loop *L, size_t maxsize) { return queue_new(L, maxsize, Q_PRIORITY); }

size_t co_queue_qsize(const co_queue *q) { return q->items.n; }
bool co_queue_empty(const co_queue *q) { return q->items.n == 0; }
bool co_queue_full(const co_queue *q) { return q->maxsize > 0 && q->items.n >= q->maxsize; }

/* A `sync` event: op happened to q; count is the number of items queued now. */
static CO__NOINLINE void trace_queue_event(co_queue *q, const char *op)
{
    co_loop *L = q->loop;
    co_trace_event ev;
    co__event_init(&ev, CO_EV_SYNC);
    ev.obj = q->id;
    ev.kind = "queue";
    ev.op = op;
    ev.task = L->current ? L->current->fut.id : 0;
    ev.count = (int)q->items.n;
    co__emit(L, &ev);
}
static inline void trace_queue(co_queue *q, const char *op)
{
    if (co__tracing(q->loop))
        trace_queue_event(q, op);
}

/* Queue._wakeup_next: the first waiter not already done gets None (a
** waiter is a plain future: Future.set_result). */
static void wakeup_first(ring *waiters)
{
    while (waiters->n) {
        co_future *w = ring_pop(waiters).u.p;
        bool wake = w->state == CO_PENDING;
        if (wake)
            co__future_set_result(w, co_none());
        co__future_unref(w);
        if (wake)
            break;
    }
}
static inline void wakeup_next(ring *waiters)
{
    if (waiters->n)
        wakeup_first(waiters);
}

/* --- PriorityQueue's heap: heapq on a list of values ---------------------- */

/* heapq._siftdown: move items[pos] up towards startpos. A comparison Python
** refuses stops it where it is, as the TypeError leaves heapq's list. */
static co_exc *heap_siftdown(co_value *heap, size_t startpos, size_t pos)
{
    co_value newitem = heap[pos];
    co_exc *err = NULL;
    while (pos > startpos) {
        size_t parentpos = (pos - 1) >> 1;
        co_value parent = heap[parentpos];
        bool lt = co_value_lt(newitem, parent, &err);
        if (err)
            break;
        if (!lt)
            break;
        heap[pos] = parent;
        pos = parentpos;
    }
    heap[pos] = newitem;
    return err;
}

/* heapq._siftup: walk items[pos] down to a leaf by the smaller child, then up. */
static co_exc *heap_siftup(co_value *heap, size_t n, size_t pos)
{
    size_t startpos = pos, childpos = 2 * pos + 1;
    co_value newitem = heap[pos];
    co_exc *err = NULL;
    while (childpos < n) {
        size_t rightpos = childpos + 1;
        if (rightpos < n) {
            bool lt = co_value_lt(heap[childpos], heap[rightpos], &err);
            if (err) {
                heap[pos] = newitem;
                return err;
            }
            if (!lt)
                childpos = rightpos;
        }
        heap[pos] = heap[childpos];
        pos = childpos;
        childpos = 2 * pos + 1;
    }
    heap[pos] = newitem;
    return heap_siftdown(heap, startpos, pos);
}

/* Queue._put: append (FIFO, LIFO) or heappush (priority). */
static co_exc *queue_put(co_queue *q, co_value v)
{
    if (!ring_push(&q->items, v))
        return co__exc_nomem();
    if (q->kind == Q_PRIORITY)
        return heap_siftdown(q->items.buf, 0, q->items.n - 1);
    return NULL;
}

/* Queue._get: popleft (FIFO), pop (LIFO), heappop (priority). */
static co_exc *queue_get(co_queue *q, co_value *out)
{
    ring *r = &q->items;
    if (q->kind == Q_FIFO) {
        *out = ring_pop(r);
        return NULL;
    }
    co_value last = r->buf[--r->n];
    if (q->kind == Q_LIFO || r->n == 0) {
        *out = last;
        return NULL;
    }
    *out = r->buf[0];
    r->buf[0] = last;
    return heap_siftup(r->buf, r->n, 0);
}

co_exc *co_queue_put_nowait(co_queue *q, co_value v)
{
    if (co_queue_full(q))
        return co_exc_new("QueueFull", NULL);
    size_t before = co_queue_qsize(q);
    co_exc *e = queue_put(q, v);
    if (e) {
        /* heapq.heappush appends before it compares: an item that cannot be
        ** compared is in the queue all the same (not counted unfinished). */
        if (co_queue_qsize(q) > before)
            trace_queue(q, "put");
        return e;
    }
    q->unfinished++;
    q->finished = false;
    trace_queue(q, "put");
    wakeup_next(&q->getters);
    return NULL;
}

co_exc *co_queue_get_nowait(co_queue *q, co_value *out)
{
    if (co_queue_empty(q))
        return co_exc_new("QueueEmpty", NULL);
    co_value v;
    co_exc *e = queue_get(q, &v);
    if (e)
        return e;
    if (out)
        *out = v;
    trace_queue(q, "get");
    wakeup_next(&q->putters);
    return NULL;
}

/* Wait on a new waiter future in `waiters`; on an exception, clean up as
** Queue.get/put's `except:` clause does. `ready` says whether the queue can
** now serve another waiter of the same kind. */
static co_exc *wait_turn(co_queue *q, ring *waiters, const char *label, const char *src,
                         bool (*ready)(const co_queue *))
{
    co_future *w = co__future_new(q->loop, "queue", label, true);
    if (!w)
        return co__exc_nomem();
    if (!ring_push(waiters, co_ptr(w))) {
        co__future_unref(w);
        return co__exc_nomem();
    }
    co__future_ref(w);                       /* ours, besides the ring's */
    co_exc *e = co_await_at(w, NULL, src);
    if (e) {
        co_future_cancel(w, NULL);           /* "just in case": usually already done */
        size_t before = waiters->n;
        ring_remove(waiters, w);
        if (waiters->n < before)
            co__future_unref(w);
        if (ready(q) && !co_future_cancelled(w))
            wakeup_next(waiters);
    }
    co__future_unref(w);
    return e;
}

static bool has_items(const co_queue *q) { return !co_queue_empty(q); }
static bool has_room(const co_queue *q) { return !co_queue_full(q); }

co_exc *co_queue_get_at(co_queue *q, co_value *out, const char *src)
{
    while (co_queue_empty(q)) {
        co_exc *e = wait_turn(q, &q->getters, "queue.get()", src, has_items);
        if (e)
            return e;
    }
    return co_queue_get_nowait(q, out);
}

co_exc *co_queue_put_at(co_queue *q, co_value v, const char *src)
{
    while (co_queue_full(q)) {
        co_exc *e = wait_turn(q, &q->putters, "queue.put()", src, has_room);
        if (e)
            return e;
    }
    return co_queue_put_nowait(q, v);
}

co_exc *co_queue_task_done(co_queue *q)
{
    if (q->unfinished == 0)
        return co_exc_new("ValueError", "task_done() called too many times");
    trace_queue(q, "task_done");
    if (--q->unfinished == 0 && !q->finished) {
        q->finished = true;                  /* Event.set(): wake every joiner */
        for (size_t i = 0; i < q->joiners.n; i++) {
            co_future *w = ring_at(&q->joiners, i)->u.p;
            if (!co_future_done(w))
                co_future_set_result(w, co_bool(true));
        }
    }
    return NULL;
}

co_exc *co_queue_join_at(co_queue *q, const char *src)
{
    trace_queue(q, "join");
    if (q->unfinished == 0)
        return NULL;
    if (q->finished)                         /* Event.wait() on a set event */
        return NULL;
    co_future *w = co__future_new(q->loop, "queue", "queue.join()", true);
    if (!w)
        return co__exc_nomem();
    if (!ring_push(&q->joiners, co_ptr(w))) {
        co__future_unref(w);
        return co__exc_nomem();
    }
    co_exc *e = co_await_at(w, NULL, src);
    ring_remove(&q->joiners, w);            /* Event.wait's finally */
    co__future_unref(w);
    return e;
}
