/*
** main.c -- `coroscope COMMAND ...`: find the command, hand it argv.
*/
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "tm_safe.h"

struct command {
    const char *name;                 /* what the user types */
    int (*run)(int, char **);         /* the command's entry point */
    const char *help;                 /* one line for `coroscope --help` */
};

static const struct command commands[] = {
    {"list", cli_list, "list the built-in scenarios"},
    {"record", cli_record, "run a scenario and write its trace (JSON Lines)"},
    {"show", cli_show, "draw one or more traces as a terminal timeline"},
    {"summary", cli_summary, "makespan, per-task running/ready/waiting time, peak concurrency"},
    {"validate", cli_validate, "check a trace against the format; line-numbered errors"},
    {"export", cli_export, "convert a trace (--format chrome) for Perfetto / chrome://tracing"},
    {"view", cli_view, "open traces (or --scenario NAME) in the desktop viewer"},
    {"lint", cli_lint, "the findings: awaits that could overlap, stalls, lost exceptions ..."},
    {"lesson", cli_lesson, "classroom lessons: predict, watch, explain, change (list, run, check, new)"},
};

static void usage(FILE *to)
{
    fprintf(to, "usage: coroscope COMMAND [ARGS...]\n\n"
                "coroscope records how coroutines are scheduled and shows it.\n\n"
                "commands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  %-9s %s\n", commands[i].name, commands[i].help);
    fprintf(to, "\n`coroscope COMMAND --help` explains each one.\n");
}

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

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("coroscope 0.1\n");
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    tm_safe_fprintf(stderr, "coroscope: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return 2;
}
