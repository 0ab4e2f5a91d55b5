/*
** alloc.c -- the replaceable allocator (see alloc.h).
*/
#include <stdlib.h>
#include <string.h>

#include "alloc.h"

static void *std_malloc(size_t size, void *ud) { (void)ud; return malloc(size); }
static void *std_realloc(void *p, size_t size, void *ud) { (void)ud; return realloc(p, size); }
static void std_free(void *p, void *ud) { (void)ud; free(p); }

static co_allocator current = {std_malloc, std_realloc, std_free, NULL};

void co_alloc_set(const co_allocator *a)
{
    static const co_allocator std = {std_malloc, std_realloc, std_free, NULL};
    current = a ? *a : std;
}

void *co_malloc(size_t size) { return current.malloc_fn(size ? size : 1, current.ud); }
void *co_realloc(void *p, size_t size) { return current.realloc_fn(p, size ? size : 1, current.ud); }
void co_free(void *p) { if (p) current.free_fn(p, current.ud); }

void *co_calloc(size_t n, size_t size)
{
    if (size && n > (size_t)-1 / size)
        return NULL;
    void *p = co_malloc(n * size);
    if (p)
        memset(p, 0, n * size);
    return p;
}

char *co_strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *p = co_malloc(n);
    if (p)
        memcpy(p, s, n);
    return p;
}
