/*
** args.c -- the argument loop that commands reading trace files share. A
** Python program given instead of a trace (prog.py) is recorded first.
*/
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "cli.h"
#include "trace_model.h"

int cli_max_line_opt(const char *cmd, int argc, char **argv, int *i)
{
    const char *a = argv[*i];
    if (strcmp(a, "--max-line") && strncmp(a, "--max-line=", 11))
        return 0;
    const char *v = a[10] == '=' ? a + 11 : (*i + 1 < argc ? argv[++*i] : NULL);
    size_t n = tm_parse_size(v);
    if (!n) {
        cli_usage_error(cmd, "--max-line takes a size in bytes (e.g. 64M, 1G)%s%s%s", v ? ", not '" : "", v ? v : "",
                        v ? "'" : "");
        return -1;
    }
    tm_set_max_line(n);
    return 1;
}

int cli_parse_files(const char *cmd, const char *usage, int argc, char **argv, cli_opt_fn opt, void *ud,
                    char ***files_out, int *n_out)
{
    char **files = co_calloc((size_t)argc, sizeof *files);
    int n = 0, only_files = 0;
    if (!files) {
        fprintf(stderr, "coroscope %s: out of memory\n", cmd);
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int taken;
        if (only_files || a[0] != '-' || !a[1]) {
            files[n++] = argv[i];
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            fputs(usage, stdout);
            co_free(files);
            return 0;
        } else if (!strcmp(a, "--")) {
            only_files = 1;
        } else if ((taken = cli_max_line_opt(cmd, argc, argv, &i)) != 0) {
            if (taken < 0) {
                co_free(files);
                return 2;
            }
        } else if ((taken = opt ? opt(ud, argc, argv, &i) : 0) != 1) {
            co_free(files);
            return taken == 0 ? cli_usage_error(cmd, "unknown option '%s'", a) : 2;
        }
    }
    if (n == 0) {
        co_free(files);
        return cli_usage_error(cmd, "no trace file given");
    }
    int rc = cli_resolve_programs(cmd, files, n);
    if (rc) {
        co_free(files);
        return rc;
    }
    *files_out = files;
    *n_out = n;
    return -1;
}
