/*
** heap.c -- the out-of-line parts of the heapq-exact timer heap (see heap.h).
*/
#include "alloc.h"
#include "heap.h"

int co__heap_push(co_heap *h, void *item)
{
    if (h->n == h->cap) {
        size_t cap = h->cap ? h->cap * 2 : 64;
        void **items = co_realloc(h->items, cap * sizeof *items);
        if (!items)
            return 0;
        h->items = items;
        h->cap = cap;
    }
    h->items[h->n++] = item;
    co__heap_siftdown(h, 0, h->n - 1);
    return 1;
}

void co__heap_free(co_heap *h)
{
    co_free(h->items);
    h->items = NULL;
    h->n = h->cap = 0;
}
