/*
** counting_alloc.h -- an allocator for tests: counts live blocks (so a test
** can assert nothing leaked) and can be told to start failing after a number
** of allocations (so a test can check out-of-memory is reported, not crashed
** on). Install it with counting_alloc_on(); each Criterion test runs in its own
** process, so the counters start fresh.
*/
#ifndef TEST_COUNTING_ALLOC_H
#define TEST_COUNTING_ALLOC_H

#include <stdlib.h>

#include "alloc.h"

static long live_allocs;    /* co_malloc'd blocks not yet freed */
static long alloc_budget;   /* allocations left before they fail; < 0: unlimited */

static void *count_malloc(size_t n, void *ud)
{
    (void)ud;
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    live_allocs++;
    return malloc(n);
}

static void *count_realloc(void *p, size_t n, void *ud)
{
    (void)ud;
    if (alloc_budget == 0)
        return NULL;
    if (alloc_budget > 0)
        alloc_budget--;
    if (!p)
        live_allocs++;
    return realloc(p, n);
}

static void count_free(void *p, void *ud)
{
    (void)ud;
    if (p)
        live_allocs--;
    free(p);
}

static inline void counting_alloc_on(void)
{
    static const co_allocator a = {count_malloc, count_realloc, count_free, NULL};
    live_allocs = 0;
    alloc_budget = -1;
    co_alloc_set(&a);
}

#endif
