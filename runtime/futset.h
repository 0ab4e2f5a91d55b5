/*
** futset.h -- a set of pointers with a number each: the dict or set CPython
** keeps futures and tasks in.
**
** gather (arg_to_fut), wait and as_completed (set(fs)) and TaskGroup
** (_tasks) find a future among many: comparing it with each of the others
** would make n of them cost O(n^2) -- 100k futures took seconds. This is an
** open-addressing table (linear probing, at most half full) mapping a pointer
** to a number, which the callers use as the pointer's index in their own
** array: so the array keeps its order (the order CPython's iteration gives is
** reproduced elsewhere, see combine.c) and the table only finds.
**
** Entries are never removed one by one: callers mark their array's slot empty
** and rebuild the table when it holds mostly stale entries (co__futset_clear).
** A table lives in the loop's arena (freed with the loop) or in co_malloc'd
** memory (co__futset_free), as the caller says.
*/
#ifndef CO_FUTSET_H
#define CO_FUTSET_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"

void *co__arena_alloc(size_t size);   /* internal.h's, from the current loop's arena */

typedef struct co__futset_slot {
    const void *key;           /* NULL: free */
    size_t val;                /* the caller's number for key */
} co__futset_slot;

typedef struct co__futset {
    co__futset_slot *slot;     /* mask + 1 slots */
    size_t mask;               /* capacity - 1 (a power of two) */
    size_t n;                  /* keys in the table */
    bool in_arena;             /* slots from the loop's arena (never freed here) */
} co__futset;

static inline bool co__futset_alloc(co__futset *s, size_t cap)
{
    size_t bytes = cap * sizeof *s->slot;
    s->slot = s->in_arena ? co__arena_alloc(bytes) : co_malloc(bytes);
    if (!s->slot)
        return false;
    memset(s->slot, 0, bytes);
    s->mask = cap - 1;
    s->n = 0;
    return true;
}

/* Room for n keys without growing; false on no memory. */
static inline bool co__futset_init(co__futset *s, size_t n, bool in_arena)
{
    size_t cap = 16;
    while (cap < 2 * n)
        cap <<= 1;
    s->in_arena = in_arena;
    return co__futset_alloc(s, cap);
}

static inline void co__futset_free(co__futset *s)
{
    if (!s->in_arena)
        co_free(s->slot);
    s->slot = NULL;
}

/* Forget every key (the table keeps its size). */
static inline void co__futset_clear(co__futset *s)
{
    memset(s->slot, 0, (s->mask + 1) * sizeof *s->slot);
    s->n = 0;
}

/* The slot holding key, or the free slot where it would go. */
static inline co__futset_slot *co__futset_find(const co__futset *s, const void *key)
{
    uint64_t x = (uint64_t)(uintptr_t)key;   /* splitmix64's finaliser: every bit counts */
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    size_t i = (size_t)x & s->mask;
    while (s->slot[i].key && s->slot[i].key != key)
        i = (i + 1) & s->mask;
    return &s->slot[i];
}

/* Add key with number val. Returns 1 if added, 0 if key was there already
** (nothing changes), -1 on no memory. Grows the table (co_malloc'd or arena
** ones alike) when it would be more than half full. */
static inline int co__futset_add(co__futset *s, const void *key, size_t val)
{
    co__futset_slot *e = co__futset_find(s, key);
    if (e->key)
        return 0;
    if (2 * (s->n + 1) > s->mask + 1) {
        co__futset old = *s;
        if (!co__futset_alloc(s, 2 * (old.mask + 1))) {
            *s = old;
            return -1;
        }
        for (size_t i = 0; i <= old.mask; i++)
            if (old.slot[i].key)
                *co__futset_find(s, old.slot[i].key) = old.slot[i];
        s->n = old.n;
        co__futset_free(&old);
        e = co__futset_find(s, key);
    }
    e->key = key;
    e->val = val;
    s->n++;
    return 1;
}

#endif
