/*
** show_list.h -- `coroscope show --list` (show_list.c).
*/
#ifndef SHOW_LIST_H
#define SHOW_LIST_H

#include <stddef.h>
#include <stdio.h>

struct tm_trace;

/* The events of trace tr (read from `path`, shown as `name`; the function
** takes it and frees it), one per line cut to `width` columns, at most
** max_rows of them (0: all). 0, or 1 after a message. */
int cli_show_list(FILE *out, const char *name, struct tm_trace *tr, const char *path, int width, size_t max_rows);

#endif
