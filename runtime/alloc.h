/*
** alloc.h -- the one allocator every part of coroscope uses.
**
** All memory the runtime, the trace writer and the model allocate goes through
** co_malloc / co_realloc / co_free, so a test can swap in a counting or failing
** allocator (co_alloc_set) and check that the Nth allocation failing is reported,
** not crashed on, and that nothing leaks. The default is the C library's.
*/
#ifndef CO_ALLOC_H
#define CO_ALLOC_H

#include <stddef.h>

typedef struct co_allocator {
    void *(*malloc_fn)(size_t size, void *ud);               /* like malloc */
    void *(*realloc_fn)(void *p, size_t size, void *ud);     /* like realloc */
    void (*free_fn)(void *p, void *ud);                      /* like free; NULL ok */
    void *ud;                                                 /* passed to each */
} co_allocator;

/* Replace the allocator (NULL restores the default). Call before any object
** exists: memory must be freed by the allocator that gave it. */
void co_alloc_set(const co_allocator *a);

void *co_malloc(size_t size);
void *co_calloc(size_t n, size_t size);
void *co_realloc(void *p, size_t size);
void co_free(void *p);
char *co_strdup(const char *s);

#endif
