/*
** trace_writer.h -- writing events as traces/FORMAT.md's JSON Lines.
**
** A dedicated formatter, not a JSON library: events are appended to a 256 KiB
** buffer with hand-written integer, float and string encoders, and each full
** buffer is written out by a thread of the writer's own while the loop goes on
** (cJSON's printer costs ~2 µs an event here; this under 100 ns;
** tests/bench/writer.c measures it). It writes format version 4 unless the
** header asks for 3: `seq` and `t` only where they do not follow from the
** previous event, and the strings that repeat (`src`, `on`, `kind`, `fn` ...)
** once each, as `str` lines, then by number (traces/FORMAT.md, "Version 4").
** Every line it writes parses with cJSON; tests/unit check that.
**
** Ownership: the writer owns its buffer and, when it opened it, the file.
** co_trace_writer_close flushes, closes and frees, and reports the first write
** error (a full disk is not silent). Between calls the writer's thread may be
** writing to the stream: write to it yourself only after
** co_trace_writer_flush, and use one writer from one thread at a time.
*/
#ifndef CO_TRACE_WRITER_H
#define CO_TRACE_WRITER_H

#include <stdio.h>

#include "status.h"
#include "trace.h"

typedef struct co_trace_writer co_trace_writer;

/* The trace format version a writer writes unless told otherwise. */
#define CO_TRACE_VERSION 4

typedef struct co_trace_header {
    const char *scenario;      /* header "scenario" */
    const char *clock;         /* "virtual" or "real" */
    const char *producer;      /* e.g. "coroscope-runtime 0.1" */
    int version;               /* the format to write: 3 or 4; 0 is CO_TRACE_VERSION */
} co_trace_header;

/* Open path for writing ("-" is stdout) and write the header line. NULL on
** failure, with a message in err (what failed and why; a version other than
** 0, 3 or 4 is one). */
co_trace_writer *co_trace_writer_open(const char *path, const co_trace_header *hdr,
                                      char *err, size_t errlen);

/* Write to an already open stream (not closed by the writer). NULL when out
** of memory or hdr->version is not 0, 3 or 4. */
co_trace_writer *co_trace_writer_new(FILE *f, const co_trace_header *hdr);

/* The tracer to put in co_loop_config. */
co_tracer co_trace_writer_tracer(co_trace_writer *w);

/* Write one event now (also what the tracer does). */
void co_trace_writer_event(co_trace_writer *w, const co_trace_event *ev);

/*
** Write out the lines buffered so far, without closing. It neither allocates
** nor frees, so a signal handler may call it -- with co_trace_writer_event for
** a last `end` event, which never defines a version-4 string and so never
** allocates either -- when no other call on w is running (the writer's buffer
** keeps room for an event; make the stream unbuffered, and nothing waits in
** stdio either). CO_EIO if a write failed so far.
*/
co_status co_trace_writer_flush(co_trace_writer *w);

/* The errno of the first failure so far (a write, or ENOMEM when an event did
** not fit in memory and was left out), 0 while all is well. */
int co_trace_writer_error(const co_trace_writer *w);

/* Flush, close, free. CO_EIO if any write failed (err says why). NULL ok. */
co_status co_trace_writer_close(co_trace_writer *w, char *err, size_t errlen);

/* Format one event / the header as a version-3 JSON line (with '\n'),
** appended to b: each line stands alone (no string table, seq and t always
** written), whatever hdr->version says. Used by tests. */
void co_trace_format_event(sbuf *b, const co_trace_event *ev);
void co_trace_format_header(sbuf *b, const co_trace_header *hdr);

#endif
