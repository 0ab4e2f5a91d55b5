/*
** cli_stub.c -- the one CLI helper the fuzz targets need from main.c
** (which also holds main(), so it cannot be linked into a fuzz target).
** Kept the same as main.c's.
*/
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "coroscope %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "\nrun `coroscope %s --help` for usage\n", cmd);
    return 2;
}
