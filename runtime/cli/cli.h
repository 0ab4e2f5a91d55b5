/*
** cli.h -- the `coroscope` command line: one entry point per command.
**
** main.c parses nothing but the command word and dispatches here. Each command
** gets argv starting at its own name (argv[0] is "show", "record", ...), parses
** its own flags, answers --help, and returns the process exit status:
** 0 success, 1 a failure of the work (bad trace, deadlock, unwritable file),
** 2 a usage error (unknown flag, missing argument).
*/
#ifndef CLI_H
#define CLI_H

int cli_list(int argc, char **argv);      /* built-in scenarios, one per line */
int cli_record(int argc, char **argv);    /* run a scenario, write its trace */
int cli_show(int argc, char **argv);      /* terminal timeline of one or more traces */
int cli_summary(int argc, char **argv);   /* makespan, per-task times, concurrency */
int cli_validate(int argc, char **argv);  /* schema and consistency checks */
int cli_export(int argc, char **argv);    /* Chrome Trace Event JSON */
int cli_view(int argc, char **argv);      /* the SDL2 viewer */

/* Shared helpers for commands. */
int cli_usage_error(const char *cmd, const char *fmt, ...);  /* prints, returns 2 */

#endif
