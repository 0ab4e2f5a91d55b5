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

/* An option handler for cli_parse_files: argv[*i] is an option. Returns 1 when
** it took it (advancing *i past a value it consumed), 0 when it does not know
** it, or -1 after reporting a usage error itself (with cli_usage_error). */
typedef int (*cli_opt_fn)(void *ud, int argc, char **argv, int *i);

/* The loop of commands that read trace files: file names (and "-") in order,
** --help (prints usage), "--" (only files follow), other options to opt. Returns
** -1 to go on, with *files (co_free it) and *n >= 1; otherwise the exit status
** the command should return: 0 after --help, 2 for a usage error (including no
** file at all), 1 when out of memory. */
int cli_parse_files(const char *cmd, const char *usage, int argc, char **argv, cli_opt_fn opt, void *ud,
                    char ***files, int *n);

#endif
