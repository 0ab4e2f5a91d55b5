/*
** stack.h -- pooled C stacks for tasks.
**
** Each task runs on a stack of its own. Giving every stack its own mmap and
** guard page costs two kernel memory areas per task, and Linux's default
** vm.max_map_count (65530) then caps a process near 32.7k tasks. So stacks come
** from slabs: one mmap holds CO_STACKS_PER_SLAB stacks above a single guard page,
** and a finished task's stack goes back on a free list for the next task.
**
** Overflow is caught where it happens, before a frame is written, by the task
** that overflows -- whatever the frame's size, so a big local array cannot
** reach over into the stack below and blame its owner later:
**
**   - x86-64 (CO_SPLIT_STACK): everything is compiled with -fsplit-stack, so
**     every function's prologue compares its stack pointer minus its frame with
**     the running task's limit, co__stack_limit() (context.h keeps it in the
**     thread's TCB while the task runs). A frame that would pass it calls
**     __morestack (runtime/arch/switch_x86_64.S), which reports the task by
**     name and stops the process. Below the limit lie CO_STACK_RESERVE bytes for
**     code that has no such prologue (the C library).
**   - every target: at each switch back to the loop the task's saved stack
**     pointer must lie inside its stack (code without checks that suspended
**     deep), the lowest stack of a slab sits on the guard page (a fault,
**     reported by the SIGSEGV handler in task.c with the task's name), and,
**     where there are no prologue checks (AArch64, sanitizer builds), every
**     stack starts with a canary checked at every switch; that one sees an
**     overflow after the fact, and promises only that the process stops before
**     it runs on corrupt memory.
**
** A guard page per stack would catch everything too, but splits the mapping:
** two kernel memory areas per task, and vm.max_map_count (65530) would cap a
** process near 32.7k tasks. The prologue check costs no memory, and without a
** canary to write a suspended task touches only the top page of its stack.
**
** Stacks are mapped MAP_NORESERVE: untouched pages cost no memory, so a 64 KiB
** stack whose task touches one page costs 4 KiB of RSS. A stack's descriptor
** (co_stack) lives in its own top bytes, on the page its task touches first
** anyway, so a stack costs nothing beside that page; a slab's stacks are
** carved one at a time, when first wanted, so no other page is touched.
**
** In copy stack mode (loop.h, co_stack_mode) a loop takes two stacks per size
** from its pool and its tasks take turns on them (task.c saves a suspended
** task's bytes to the heap when another task needs its stack); they are
** ordinary ones of these, and every rule above holds for them.
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
#define CO_STACK_RESERVE (8 * 1024)        /* below the limit: for code without prologue checks */

/* At the top of the stack it describes: the usable bytes end below it. */
typedef struct co_stack {
    void *lo;                /* lowest address; the canary lives here */
    size_t size;             /* usable bytes, canary included (the slot less CO_STACK_DESC_SIZE) */
    struct co_stack *next;   /* private: free-list link */
} co_stack;

#define CO_STACK_DESC_SIZE 32   /* the top bytes of a slot that hold its co_stack (the stack stays 16-byte aligned) */

typedef struct co_stack_slab co_stack_slab;

typedef struct co_stack_pool {
    size_t size;             /* read-only: bytes per stack slot (page multiple) */
    co_stack_slab *slabs;    /* private: every slab mapped so far, the newest first */
    size_t carved;           /* private: slots of the newest slab handed out so far */
    co_stack *free;          /* private: stacks returned, ready for reuse */
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

/*
** The lowest stack pointer a split-stack prologue accepts on this stack: the
** canary words and CO_STACK_RESERVE lie below it. (A function whose frame is
** under 256 bytes compares the stack pointer itself, so it may go that much
** lower; the reserve covers it.)
*/
static inline void *co__stack_limit(const co_stack *st)
{
    return (char *)st->lo + CO_STACK_CANARY_WORDS * 8 + CO_STACK_RESERVE;
}

/* Is a task's saved stack pointer inside its stack, above the canary? Checked
** at every switch back to the loop. */
static inline bool co__stack_sp_ok(const co_stack *st, const void *sp)
{
    const char *p = sp, *lo = st->lo;
    return p >= lo + CO_STACK_CANARY_WORDS * 8 && p <= lo + st->size;
}

/* Checked at every switch back to the loop, so inline. With prologue checks
** (CO_SPLIT_STACK) no canary is written, and this always holds. */
static inline bool co__stack_canary_ok(const co_stack *st)
{
#if defined(CO_SPLIT_STACK)
    (void)st;
    return true;
#else
    const unsigned long long *w = st->lo;
    unsigned long long bad = 0;
    for (int i = 0; i < CO_STACK_CANARY_WORDS; i++)
        bad |= w[i] ^ (CO__CANARY ^ (unsigned long long)i);
    return bad == 0;
#endif
}

#endif
