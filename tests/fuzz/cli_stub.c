/*
** cli_stub.c -- the CLI helpers the fuzz targets need from outside the files
** they build: cli_usage_error from main.c (which also holds main(), so it
** cannot be linked into a fuzz target), kept the same as main.c's; and
** export's SVG drawing, which lives with the viewer (SDL), refused here.
*/
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"
#include "tm_safe.h"
#include "trace_model.h"

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    tm_safe_fprintf(stderr, "coroscope %s: ", cmd);
    va_start(ap, fmt);
    tm_safe_vfprintf(stderr, fmt, ap);   /* the arguments quote the command line */
    va_end(ap);
    fprintf(stderr, "\nrun `coroscope %s --help` for usage\n", cmd);
    return 2;
}

int cli_export_svg(FILE *out, struct tm_trace *tr, const char *file, const char *name)
{
    (void)out;
    (void)file;
    (void)name;
    tm_free(tr);
    fprintf(stderr, "coroscope export: svg is drawn by the viewer, not built into this program\n");
    return 1;
}
