/*
** fuzz_args.c -- the command lines of `coroscope show | summary | validate |
** export | lint` on arbitrary bytes: the shared argument loop (args.c), each
** command's options and their values, --max-line, usage errors, --help.
**
** The first byte picks the command; the rest, split at newlines and NULs, is
** its argument list (at most 32 arguments). Arguments that could reach outside
** the fuzzer's sandbox -- "-" (standard input), anything with a '/' -- are
** replaced by the path of an in-memory trace, so the commands read a real
** trace; a bare name is a file in a scratch directory (the fuzzer runs
** inside it), where `export -o NAME` may write. The exit status must be 0, 1
** or 2, and usage errors must say what to do.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fuzz.h"

static const char trace[] =
    "{\"format\":\"coroscope-trace\",\"version\":2,\"scenario\":\"t\",\"clock\":\"virtual\","
    "\"semantics\":\"cpython-3.11\",\"producer\":\"fuzz\"}\n"
    "{\"seq\":1,\"t\":0,\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null,\"coro\":\"main\",\"h\":2}\n"
    "{\"seq\":2,\"t\":0,\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n"
    "{\"seq\":3,\"t\":0,\"ev\":\"step_end\",\"task\":1,\"reason\":\"await\",\"fut\":3,\"on\":\"sleep(1)\",\"src\":\"x.py:2\"}\n"
    "{\"seq\":4,\"t\":1,\"ev\":\"step_begin\",\"task\":1,\"h\":4}\n"
    "{\"seq\":5,\"t\":1,\"ev\":\"step_end\",\"task\":1,\"reason\":\"return\"}\n"
    "{\"seq\":6,\"t\":1,\"ev\":\"task_done\",\"task\":1,\"outcome\":\"result\",\"value\":null}\n"
    "{\"seq\":7,\"t\":1,\"ev\":\"end\",\"reason\":\"complete\"}\n";

#define MAX_ARGS 32
#define MAX_ARG 256

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    static int ready;
    if (!ready) {
        char dir[] = "/tmp/coroscope-fuzz-args-XXXXXX";
        if (!mkdtemp(dir) || chdir(dir) != 0)
            fz_fail("cannot make a scratch directory");
        snprintf(path, sizeof path, "%s", fz_trace_path((const uint8_t *)trace, sizeof trace - 1));
        ready = 1;
    }
    static const struct {
        const char *name;
        int (*run)(int, char **);
    } commands[] = {{"show", cli_show}, {"summary", cli_summary}, {"validate", cli_validate}, {"export", cli_export},
                    {"lint", cli_lint}};
    if (size == 0)
        return 0;
    size_t which = data[0] % (sizeof commands / sizeof commands[0]);

    static char args[MAX_ARGS][MAX_ARG + 1];
    char *argv[MAX_ARGS + 2];
    int argc = 0;
    argv[argc++] = (char *)commands[which].name;
    for (size_t i = 1; i < size && argc <= MAX_ARGS;) {
        size_t n = 0;
        char *a = args[argc - 1];
        while (i < size && data[i] != '\n' && data[i] != '\0') {
            if (n < MAX_ARG)
                a[n++] = (char)data[i];
            i++;
        }
        i++;
        a[n] = '\0';
        if (!strcmp(a, "-") || strchr(a, '/'))
            snprintf(a, MAX_ARG + 1, "%s", path);   /* nothing outside the sandbox */
        argv[argc++] = a;
    }
    argv[argc] = NULL;

    fz_quiet_begin();
    tm_set_max_line(0);
    int rc = commands[which].run(argc, argv);
    tm_set_max_line(0);
    fz_quiet_end();
    FZ_CHECK(rc == 0 || rc == 1 || rc == 2, "coroscope %s exited %d", commands[which].name, rc);
    return 0;
}
