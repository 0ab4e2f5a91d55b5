/*
** sbuf.h -- a growable string buffer (used to build reprs and trace lines).
**
** The buffer owns its bytes (co_malloc); sb_free releases them. On allocation
** failure the buffer sets `failed` and stops growing; callers check once at the
** end rather than after every append.
*/
#ifndef CO_SBUF_H
#define CO_SBUF_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"

typedef struct sbuf {
    char *p;        /* bytes, always NUL-terminated when cap > 0 */
    size_t len;     /* bytes used, not counting the NUL */
    size_t cap;     /* bytes allocated */
    int failed;     /* an allocation failed: content is truncated */
} sbuf;

static inline int sb_reserve(sbuf *b, size_t extra)
{
    if (b->failed)
        return 0;
    if (b->len + extra + 1 <= b->cap)
        return 1;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = co_realloc(b->p, cap);
    if (!p) {
        b->failed = 1;
        return 0;
    }
    b->p = p;
    b->cap = cap;
    return 1;
}

static inline void sb_putn(sbuf *b, const char *s, size_t n)
{
    if (!sb_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = 0;
}

static inline void sb_puts(sbuf *b, const char *s) { sb_putn(b, s, strlen(s)); }
static inline void sb_putc(sbuf *b, char c) { sb_putn(b, &c, 1); }

static inline void sb_vprintf(sbuf *b, const char *fmt, va_list ap)
{
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap2);
    va_end(ap2);
    if (n < 0 || !sb_reserve(b, (size_t)n))
        return;
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
}

static inline void sb_printf(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    sb_vprintf(b, fmt, ap);
    va_end(ap);
}

static inline void sb_free(sbuf *b)
{
    co_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

#endif
