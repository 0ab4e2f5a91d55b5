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

#include <stddef.h>
#include <stdio.h>

int cli_list(int argc, char **argv);      /* built-in scenarios, one per line */
int cli_record(int argc, char **argv);    /* run a scenario, write its trace */
int cli_show(int argc, char **argv);      /* terminal timeline of one or more traces */
int cli_summary(int argc, char **argv);   /* makespan, per-task times, concurrency */
int cli_validate(int argc, char **argv);  /* schema and consistency checks */
int cli_export(int argc, char **argv);    /* Chrome Trace Event JSON */
int cli_view(int argc, char **argv);      /* the SDL2 viewer */
int cli_lint(int argc, char **argv);      /* the viewer's findings, for terminals and CI */
int cli_lesson(int argc, char **argv);    /* lessons: list, run, check, new */

/*
** `export --format svg`: the viewer's timeline of a trace as SVG, written to
** `out` (`name` is for messages). Lives with the viewer (viz/app/view_cli.c),
** which draws it. Takes ownership of `tr`. Returns 0 or 1 (message printed).
*/
struct tm_trace;
int cli_export_svg(FILE *out, struct tm_trace *tr, const char *file, const char *name);

/* Shared helpers for commands. */
int cli_usage_error(const char *cmd, const char *fmt, ...);  /* prints, returns 2 */

/* An option handler for cli_parse_files: argv[*i] is an option. Returns 1 when
** it took it (advancing *i past a value it consumed), 0 when it does not know
** it, or -1 after reporting a usage error itself (with cli_usage_error). */
typedef int (*cli_opt_fn)(void *ud, int argc, char **argv, int *i);

/* --max-line SIZE (or --max-line=SIZE) at argv[*i]: sets the loader's line
** limit (tm_set_max_line). 1 when taken (*i past its value), 0 when argv[*i]
** is another option, -1 after a usage error was printed. */
int cli_max_line_opt(const char *cmd, int argc, char **argv, int *i);

/* --max-rows N (or =N) and --all (no cap: *rows = 0) at argv[*i], for the
** commands that print a row per task. Same returns as cli_max_line_opt. */
#define CLI_MAX_ROWS 200    /* the default cap: 10M tasks print a page, not gigabytes */
int cli_max_rows_opt(const char *cmd, int argc, char **argv, int *i, size_t *rows);

/* The loop of commands that read trace files: file names (and "-") in order,
** --help (prints usage), "--" (only files follow), --max-line, other options to opt. Returns
** -1 to go on, with *files (co_free it) and *n >= 1; otherwise the exit status
** the command should return: 0 after --help, 2 for a usage error (including no
** file at all), 1 when out of memory. */
int cli_parse_files(const char *cmd, const char *usage, int argc, char **argv, cli_opt_fn opt, void *ud,
                    char ***files, int *n);

/* ---- Python programs (pyprog.c) ------------------------------------------------ */

/* Whether a command-line argument names a Python program (ends in ".py"). */
int cli_is_program(const char *arg);

/*
** Record Python program `program` with the CPython recorder into trace file
** `out` ("-" is stdout): python3 coroscope_record.py PROGRAM -o OUT EXTRA...
** [-- PROG_ARGS...], the child's stdout on fd `stdout_fd` (-1: ours). Checks
** first that python3 is there and 3.11 or newer, with the install command in
** the message when not. Returns the recorder's exit status (0 when the program
** ran to its end), 1 or 2 after printing what went wrong, 128+N if the
** recorder was killed by signal N.
*/
int cli_record_program(const char *cmd, const char *program, const char *out, char **extra, int n_extra,
                       char **prog_args, int n_prog, int stdout_fd);
/* The same, with the child's stderr on fd `stderr_fd` too (-1: ours). */
int cli_record_program_to(const char *cmd, const char *program, const char *out, char **extra, int n_extra,
                          char **prog_args, int n_prog, int stdout_fd, int stderr_fd);

/*
** For commands that read traces: record each .py among files[0..n) into a
** temporary trace and put that trace's path in its place (the program's own
** output goes to stderr). The temporary files go when the process exits.
** 0, or the exit status to return after a message.
*/
int cli_resolve_programs(const char *cmd, char **files, int n);
void cli_programs_cleanup(void);   /* remove them now (also run at exit) */

/* A trace file's events (not the header, not `source` lines) and the last
** event's time, read without loading it. 0, or -1 when it cannot be read. */
int cli_trace_size(const char *path, unsigned long *events, double *t_end);

/* What to call a trace file in output: the program it was recorded from, for
** a temporary trace made by cli_resolve_programs; else the path itself. */
const char *cli_shown(const char *path);

/* Call the trace file `path` `name` in output from now on (a temporary trace
** of a lesson's: "turns, paused at its key moment"). Copies both; forgotten
** by cli_programs_cleanup. Out of memory: the path is shown. */
void cli_show_as(const char *path, const char *name);

/*
** Output files whose every write is checked. cli_out_open opens path for
** writing ("-" is stdout), or prints why not and returns NULL. cli_out_close
** flushes and closes it (stdout is flushed, not closed): when any write
** failed it prints "coroscope CMD: cannot write PATH: <errno text>", removes
** the partial file if it is a regular file, and returns 1; else 0.
** cli_write_file does all three for data already in memory.
*/
FILE *cli_out_open(const char *cmd, const char *path);
int cli_out_close(const char *cmd, const char *path, FILE *f);
int cli_write_file(const char *cmd, const char *path, const void *data, size_t len);

#endif
