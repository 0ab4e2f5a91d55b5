/*
** args.c -- the argument loop that commands reading trace files share. A
** Python program given instead of a trace (prog.py) is recorded first.
*/
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "cli.h"

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
