/*
** args.c -- what the commands share: the argument loop of commands that read
** trace files (a Python program given instead of a trace, prog.py, is
** recorded first), the --max-line option, and output files whose every write
** is checked (a full disk or /dev/full is an error with its errno, and a
** partial file is removed, never left looking like a result).
*/
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "cli.h"
#include "tm_safe.h"
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

int cli_max_rows_opt(const char *cmd, int argc, char **argv, int *i, size_t *rows)
{
    const char *a = argv[*i];
    if (!strcmp(a, "--all")) {
        *rows = 0;
        return 1;
    }
    if (strcmp(a, "--max-rows") && strncmp(a, "--max-rows=", 11))
        return 0;
    const char *v = a[10] == '=' ? a + 11 : (*i + 1 < argc ? argv[++*i] : NULL);
    char *end;
    long n = v ? strtol(v, &end, 10) : -1;
    if (!v || !*v || *end || n < 0 || n > 100000000) {
        cli_usage_error(cmd, "--max-rows takes a whole number (0 for no cap)%s%s%s", v ? ", not '" : "", v ? v : "",
                        v ? "'" : "");
        return -1;
    }
    *rows = (size_t)n;
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

FILE *cli_out_open(const char *cmd, const char *path)
{
    if (!strcmp(path, "-"))
        return stdout;
    FILE *f = fopen(path, "w");
    if (!f)
        tm_safe_fprintf(stderr, "coroscope %s: cannot write %s: %s\n", cmd, path, strerror(errno));
    return f;
}

/* Close f after a failure (err: its errno, 0 if unknown yet), or check that all
** went well; the shared end of cli_out_close and cli_write_file. */
static int out_finish(const char *cmd, const char *path, FILE *f, int err)
{
    int to_stdout = f == stdout;
    int failed = err != 0;
    if (fflush(f) != 0 && !failed) {
        failed = 1;
        err = errno;
    }
    if (ferror(f) && !failed) {
        failed = 1;
        err = EIO;   /* an earlier write failed and its data is gone */
    }
    struct stat sb;
    int regular = !to_stdout && fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode);
    if (!to_stdout && fclose(f) != 0 && !failed) {
        failed = 1;
        err = errno;
    }
    if (!failed)
        return 0;
    if (to_stdout) {
        tm_safe_fprintf(stderr, "coroscope %s: cannot write the output: %s\n", cmd, strerror(err));
        return 1;
    }
    if (regular)   /* half a file must not look like a result; a device is not ours to remove */
        unlink(path);
    tm_safe_fprintf(stderr, "coroscope %s: cannot write %s: %s%s\n", cmd, path, strerror(err),
                    regular ? " (the partial file was removed)" : "");
    return 1;
}

int cli_out_close(const char *cmd, const char *path, FILE *f)
{
    return out_finish(cmd, path, f, 0);
}

int cli_write_file(const char *cmd, const char *path, const void *data, size_t len)
{
    FILE *f = cli_out_open(cmd, path);
    if (!f)
        return 1;
    int err = 0;
    if (len && fwrite(data, 1, len, f) != len)
        err = errno ? errno : EIO;
    return out_finish(cmd, path, f, err);
}
