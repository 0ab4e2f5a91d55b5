/*
** stack.h -- pooled C stacks for tasks.
**
** Each task runs on a stack of its own. Giving every stack its own mmap and
** guard page costs two kernel memory areas per task, and Linux's default
** vm.max_map_count (65530) then caps a process near 32.7k tasks. So stacks come
** from slabs: one mmap holds CO_STACKS_PER_SLAB stacks above a single guard page,
** and a finished task's stack goes back on a free list for the next task.
**
** Overflow is caught two ways: the lowest stack of a slab sits on the guard page
** (a fault, reported by the SIGSEGV handler in task.c with the task's name), and
** every stack starts with a canary that the loop checks each time a task gives
** control back (task.c reports the task by name and aborts). The canary check
** sees an overflow after the fact, so it cannot promise the neighbour stack was
** untouched -- it promises the process stops before it runs on corrupt memory.
**
** Stacks are mapped MAP_NORESERVE: untouched pages cost no memory, so a 64 KiB
** stack whose task touches one page costs 4 KiB of RSS.
*/
#ifndef CO_STACK_H
#define CO_STACK_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

#define CO_STACK_DEFAULT_SIZE (64 * 1024)  /* bytes; per loop and per task configurable */
#define CO_STACK_MIN_SIZE (16 * 1024)      /* smaller requests are rounded up */
#define CO_STACKS_PER_SLAB 64              /* stacks sharing one mmap and guard page */
#define CO_STACK_CANARY_WORDS 8            /* 64-bit words of canary at the low end */

typedef struct co_stack {
    void *lo;                /* lowest address; the canary lives here */
    size_t size;             /* usable bytes, canary included */
    struct co_stack *next;   /* private: free-list link */
} co_stack;

typedef struct co_stack_slab co_stack_slab;

typedef struct co_stack_pool {
    size_t size;             /* read-only: bytes per stack (page multiple) */
    co_stack_slab *slabs;    /* private: every slab mapped so far */
    co_stack *free;          /* private: stacks ready for reuse */
    size_t total;            /* read-only: stacks carved so far */
    size_t in_use;           /* read-only: stacks handed out and not returned */
} co_stack_pool;

/* Round a requested size up to whole pages (and at least CO_STACK_MIN_SIZE). */
size_t co__stack_round(size_t size);

void co__stack_pool_init(co_stack_pool *pool, size_t size);
void co__stack_pool_destroy(co_stack_pool *pool);   /* unmaps everything */

/* A stack with a fresh canary, or NULL when memory is exhausted. */
co_stack *co__stack_acquire(co_stack_pool *pool);
void co__stack_release(co_stack_pool *pool, co_stack *s);

#define CO__CANARY 0xC0C0C0DEADC0FFEEull

/* Checked at every switch back to the loop, so inline. */
static inline bool co__stack_canary_ok(const co_stack *st)
{
    const unsigned long long *w = st->lo;
    unsigned long long bad = 0;
    for (int i = 0; i < CO_STACK_CANARY_WORDS; i++)
        bad |= w[i] ^ (CO__CANARY ^ (unsigned long long)i);
    return bad == 0;
}

#endif
