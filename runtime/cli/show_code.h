/*
** show_code.h -- `coroscope show --code`: a trace's embedded program, with
** the tasks that suspended on each line, when, and for how long.
*/
#ifndef SHOW_CODE_H
#define SHOW_CODE_H

#include <stdio.h>

#include "trace_model.h"

/* Print every source file `tr` carries, annotated, in `width` columns. `path`
** names the trace in headings and messages. 0, or 1 after a message (no source
** in the trace, or out of memory). */
int cli_show_code(FILE *out, const char *path, const tm_trace *tr, int width);

#endif
