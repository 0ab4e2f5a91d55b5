/*
** queue.h -- asyncio.Queue: a FIFO that tasks put into and get from (and its
** LIFO and priority variants).
**
** get() on an empty queue and put() on a full one suspend the caller on a
** waiter future; the next put (or get) wakes the longest-waiting one, as
** CPython's Queue._wakeup_next does, so waiters are served in arrival order.
** task_done()/join() count unfinished items. maxsize 0 means unbounded.
** The queue belongs to its loop and lives until the loop closes.
*/
#ifndef CO_QUEUE_H
#define CO_QUEUE_H

#include "task.h"

typedef struct co_queue co_queue;

co_queue *co_queue_new(co_loop *L, size_t maxsize);   /* NULL on no memory */

/* asyncio.LifoQueue: the item put last comes out first. asyncio.PriorityQueue:
** the smallest item first, by Python's < (lists compare item by item, as the
** (priority, data) tuples a Python program would use), kept as heapq keeps
** its list -- equal items come out in heapq's order, not insertion order. A
** put whose item Python cannot compare with those queued raises TypeError. */
co_queue *co_lifo_queue_new(co_loop *L, size_t maxsize);
co_queue *co_priority_queue_new(co_loop *L, size_t maxsize);

size_t co_queue_qsize(const co_queue *q);
bool co_queue_empty(const co_queue *q);
bool co_queue_full(const co_queue *q);

/* put_nowait / get_nowait: QueueFull / QueueEmpty instead of waiting. */
co_exc *co_queue_put_nowait(co_queue *q, co_value v);
co_exc *co_queue_get_nowait(co_queue *q, co_value *out);

/* await put / await get: may suspend. */
co_exc *co_queue_put_at(co_queue *q, co_value v, const char *src);
co_exc *co_queue_get_at(co_queue *q, co_value *out, const char *src);
#define co_queue_put(q, v) co_queue_put_at((q), (v), CO_HERE)
#define co_queue_get(q, out) co_queue_get_at((q), (out), CO_HERE)

/* task_done: ValueError if called more times than items were put. */
co_exc *co_queue_task_done(co_queue *q);
/* await join(): until every item put has been marked done. */
co_exc *co_queue_join_at(co_queue *q, const char *src);
#define co_queue_join(q) co_queue_join_at((q), CO_HERE)

#endif
