/*
** fuzz.h -- what the fuzz targets in tests/fuzz share.
**
** Each target is one file with LLVMFuzzerTestOneInput(): libFuzzer calls it
** with a generated input, and replay.c calls it with the files named on its
** command line, so the same code runs under `clang -fsanitize=fuzzer` and as a
** plain program built with cc. A target reports a bug by crashing: through a
** sanitizer, or through fz_fail() when the model breaks a promise its header
** makes (an index out of range, a span that leaves a gap).
**
** Helpers:
**   fz_check_model   every contract of trace_model.h that can be checked from
**                    outside, plus the query functions on every event;
**   fz_trace_path    the input as a file path (an in-memory file), for the
**                    commands that take a path;
**   fz_quiet_*       stdout and stderr sent to /dev/null around a command;
**   fz_alloc_*       a counting allocator that can fail the Nth allocation.
*/
#ifndef FUZZ_H
#define FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "trace_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Print "fuzz: invariant broken: <message>" and abort (a crash libFuzzer keeps). */
void fz_fail(const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 1, 2), noreturn))
#endif
    ;
#define FZ_CHECK(cond, ...) ((cond) ? (void)0 : fz_fail(__VA_ARGS__))

/*
** Check every array of a loaded trace against trace_model.h (indexes in
** range, spans contiguous and gapless, lanes in tree order, sorted lists
** sorted), then ask the query functions about every event and check their
** answers. `flags` is what the trace was loaded with. Aborts on the first
** broken rule.
*/
void fz_check_model(const tm_trace *tr, unsigned flags);

/*
** The input as a readable file: a path ("/proc/self/fd/N" of a memfd) whose
** contents are data[0..size). Valid until the next call. Aborts if the
** system has no memfd.
*/
const char *fz_trace_path(const uint8_t *data, size_t size);

/* An empty in-memory file for a command to write to, and what it wrote
** (NUL-terminated, owned by the caller; *len gets the length). */
const char *fz_out_path(void);
char *fz_out_read(size_t *len);

/* Send stdout and stderr (the FILE streams, not the descriptors, so a
** sanitizer's report still reaches the terminal) to /dev/null, and back. */
void fz_quiet_begin(void);
void fz_quiet_end(void);

/*
** The counting allocator (installed with co_alloc_set). fz_alloc_fail_at(n)
** makes allocation number n (0-based, counted from now) and every later one
** fail; -1 never fails. fz_alloc_live() is the number of blocks not freed.
*/
void fz_alloc_install(void);
void fz_alloc_fail_at(long n);
long fz_alloc_count(void);   /* allocations since the last fz_alloc_fail_at */
long fz_alloc_live(void);

#endif
