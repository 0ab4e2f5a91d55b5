/*
** stack.c -- pooled task stacks (see stack.h for how overflow is caught).
*/
#include <stdint.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc.h"
#include "stack.h"

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((p), (n))
#else
#define UNPOISON(p, n) ((void)(p), (void)(n))
#endif


_Static_assert(sizeof(co_stack) <= CO_STACK_DESC_SIZE, "a stack's descriptor fits its top bytes");

struct co_stack_slab {
    void *base;                          /* the mapping: guard page, then CO_STACKS_PER_SLAB slots */
    size_t len;                          /* bytes mapped */
    co_stack_slab *next;                 /* older slab of the pool */
};

static size_t page_size(void)
{
    static size_t ps;
    if (!ps)
        ps = (size_t)sysconf(_SC_PAGESIZE);
    return ps;
}

size_t co__stack_round(size_t size)
{
    size_t ps = page_size();
    if (size < CO_STACK_MIN_SIZE)
        size = CO_STACK_MIN_SIZE;
    return (size + ps - 1) / ps * ps;
}

void co__stack_pool_init(co_stack_pool *pool, size_t size)
{
    pool->size = co__stack_round(size);
    pool->slabs = NULL;
    pool->carved = CO_STACKS_PER_SLAB;
    pool->free = NULL;
    pool->total = 0;
    pool->in_use = 0;
}

void co__stack_pool_destroy(co_stack_pool *pool)
{
    co_stack_slab *s = pool->slabs;
    while (s) {
        co_stack_slab *next = s->next;
        munmap(s->base, s->len);
        co_free(s);
        s = next;
    }
    pool->slabs = NULL;
    pool->free = NULL;
}

static int add_slab(co_stack_pool *pool)
{
    co_stack_slab *slab = co_malloc(sizeof *slab);
    if (!slab)
        return 0;
    size_t ps = page_size();
    slab->len = ps + pool->size * CO_STACKS_PER_SLAB;
    slab->base = mmap(NULL, slab->len, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (slab->base == MAP_FAILED) {
        co_free(slab);
        return 0;
    }
    mprotect(slab->base, ps, PROT_NONE);     /* the guard page */
    slab->next = pool->slabs;
    pool->slabs = slab;
    pool->carved = 0;
    return 1;
}

/* The next slot of the newest slab, the lowest (on the guard page) first:
** writing its descriptor touches its top page, which its task uses next. */
static co_stack *carve(co_stack_pool *pool)
{
    if (pool->carved == CO_STACKS_PER_SLAB && !add_slab(pool))
        return NULL;
    char *lo = (char *)pool->slabs->base + page_size() + pool->carved++ * pool->size;
    co_stack *st = (co_stack *)(lo + pool->size - CO_STACK_DESC_SIZE);
    st->lo = lo;
    st->size = pool->size - CO_STACK_DESC_SIZE;
    pool->total++;
    return st;
}

co_stack *co__stack_acquire(co_stack_pool *pool)
{
    co_stack *st = pool->free;
    if (st)
        pool->free = st->next;
    else if (!(st = carve(pool)))
        return NULL;
    st->next = NULL;
    /* A finished task's last frames never returned: under AddressSanitizer
    ** their redzones are still poisoned when the stack is reused. */
    UNPOISON(st->lo, st->size);
#if !defined(CO_SPLIT_STACK)
    /* Without prologue checks, a canary at the low end (see stack.h). With
    ** them it would only cost a page of memory per task. */
    uint64_t *w = st->lo;
    for (int i = 0; i < CO_STACK_CANARY_WORDS; i++)
        w[i] = CO__CANARY ^ (uint64_t)i;
#endif
    pool->in_use++;
    return st;
}

void co__stack_release(co_stack_pool *pool, co_stack *st)
{
    st->next = pool->free;
    pool->free = st;
    pool->in_use--;
}
