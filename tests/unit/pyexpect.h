/*
** pyexpect.h -- what CPython prints, asked of CPython itself.
**
** A fidelity test writes a small Python 3.11 program doing what its C side
** does, runs it with python3, and compares what the C runtime printed (the
** `print` events a capture tracer kept) with CPython's output, line by line,
** byte for byte. Expected texts are never typed into the tests.
**
** norm_locations() takes source locations out of a repr, on both sides: a
** C program's locations are C files (or unknown), never the Python ones.
*/
#ifndef TEST_PYEXPECT_H
#define TEST_PYEXPECT_H

#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "capture.h"

/* Run `program` with python3; its standard output (malloc'd), or a failed
** assertion when python3 cannot run it. */
static inline char *py_output(const char *program)
{
    char path[] = "/tmp/coroscope-pyexpect-XXXXXX";
    int fd = mkstemp(path);
    cr_assert(fd >= 0, "mkstemp");
    FILE *src = fdopen(fd, "w");
    fputs(program, src);
    fclose(src);
    char cmd[256];
    snprintf(cmd, sizeof cmd, "python3 %s 2>&1", path);
    FILE *p = popen(cmd, "r");
    cr_assert(p != NULL, "cannot run python3");
    size_t len = 0, cap = 4096;
    char *out = malloc(cap);
    size_t n;
    while ((n = fread(out + len, 1, cap - len - 1, p)) > 0) {
        len += n;
        if (cap - len < 2)
            out = realloc(out, cap *= 2);
    }
    out[len] = 0;
    int rc = pclose(p);
    unlink(path);
    cr_assert(rc == 0, "python3 failed on the expected-output program:\n%s", out);
    return out;
}

/* Remove " at FILE:LINE" and ", defined at FILE:LINE" from s, in place. */
static inline char *norm_locations(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        const char *pat = !strncmp(r, ", defined at ", 13) ? ", defined at " : !strncmp(r, " at ", 4) ? " at " : NULL;
        if (pat) {
            char *q = r + strlen(pat);
            size_t n = strcspn(q, " >,]\n");
            char *colon = memchr(q, ':', n);
            if (colon && colon + 1 < q + n && strspn(colon + 1, "0123456789") == (size_t)(q + n - colon - 1)) {
                r = q + n;
                continue;
            }
        }
        *w++ = *r++;
    }
    *w = 0;
    return s;
}

/* Everything printed through the loop, in full (cap_event keeps 160 bytes). */
static char *py_printed;
static size_t py_printed_len;

static inline void py_tracer(void *ud, const co_trace_event *e)
{
    cap_event_fn(ud, e);
    if (e->ev != CO_EV_PRINT)
        return;
    size_t n = strlen(e->text);
    py_printed = realloc(py_printed, py_printed_len + n + 2);
    memcpy(py_printed + py_printed_len, e->text, n);
    py_printed_len += n;
    py_printed[py_printed_len++] = '\n';
    py_printed[py_printed_len] = 0;
}

/* A loop recording into c, keeping the full print texts too. */
static inline co_loop *py_loop(capture *c)
{
    co_loop_config cfg = {.tracer = {py_tracer, c}};
    return co_loop_new(&cfg);
}

static inline char *cap_prints(const capture *c)
{
    (void)c;
    return strdup(py_printed ? py_printed : "");
}

/* What the C side printed equals what CPython printed for `program`. */
#define expect_same_output(c, program, normalize)                                             \
    do {                                                                                       \
        char *py_ = py_output(program);                                                       \
        char *cc_ = cap_prints(c);                                                             \
        if (normalize) {                                                                       \
            norm_locations(py_);                                                               \
            norm_locations(cc_);                                                               \
        }                                                                                      \
        cr_expect(eq(str, cc_, py_), "what the C runtime printed is what CPython printed");        \
        free(py_);                                                                             \
        free(cc_);                                                                             \
    } while (0)

#endif
