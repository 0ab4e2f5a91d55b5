/*
** heap.h -- the timer heap, pushing and popping exactly as Python's heapq.
**
** CPython keeps call_later timers in a list managed by heapq and compares
** TimerHandles on `when` alone. Timers due at the same time therefore come out
** in an order set by the heap's shape, not by insertion; to reproduce CPython's
** schedule event for event, these functions repeat heapq's algorithms step for
** step: heappush sifts the new item towards the root; heappop moves the last
** item to the root, walks it down to a leaf always taking the smaller child
** (the right one on ties), then sifts it back up; heapify runs that walk on
** every parent from the last to the first.
**
** The heap is an array of pointers to any struct whose first member is a
** double `when` (co_timer_heap_item). It does not own the items.
*/
#ifndef CO_HEAP_H
#define CO_HEAP_H

#include <stddef.h>

typedef struct co_heap {
    void **items;     /* items[0] is the earliest; each points at a double `when` */
    size_t n;         /* items in the heap */
    size_t cap;       /* slots allocated */
} co_heap;

#define CO_HEAP_WHEN(p) (*(const double *)(p))

/* heapq._siftdown: move the item at pos up towards startpos. */
static inline void co__heap_siftdown(co_heap *h, size_t startpos, size_t pos)
{
    void *newitem = h->items[pos];
    while (pos > startpos) {
        size_t parentpos = (pos - 1) >> 1;
        void *parent = h->items[parentpos];
        if (CO_HEAP_WHEN(newitem) < CO_HEAP_WHEN(parent)) {
            h->items[pos] = parent;
            pos = parentpos;
            continue;
        }
        break;
    }
    h->items[pos] = newitem;
}

/* heapq._siftup: walk the item at pos down to a leaf, then sift it up. */
static inline void co__heap_siftup(co_heap *h, size_t pos)
{
    size_t endpos = h->n, startpos = pos;
    void *newitem = h->items[pos];
    size_t childpos = 2 * pos + 1;
    while (childpos < endpos) {
        size_t rightpos = childpos + 1;
        if (rightpos < endpos &&
            !(CO_HEAP_WHEN(h->items[childpos]) < CO_HEAP_WHEN(h->items[rightpos])))
            childpos = rightpos;
        h->items[pos] = h->items[childpos];
        pos = childpos;
        childpos = 2 * pos + 1;
    }
    h->items[pos] = newitem;
    co__heap_siftdown(h, startpos, pos);
}

/* heapq.heappush. Returns 0 when growing the array failed. */
int co__heap_push(co_heap *h, void *item);

/* heapq.heappop; NULL when empty. */
static inline void *co__heap_pop(co_heap *h)
{
    if (!h->n)
        return NULL;
    void *last = h->items[--h->n];
    if (!h->n)
        return last;
    void *ret = h->items[0];
    h->items[0] = last;
    co__heap_siftup(h, 0);
    return ret;
}

/* heapq.heapify, in place. */
static inline void co__heap_heapify(co_heap *h)
{
    for (size_t i = h->n / 2; i-- > 0;)
        co__heap_siftup(h, i);
}

void co__heap_free(co_heap *h);

#endif
