/*
** lesson_host.h -- what the lesson engine (runtime/lesson) needs from the
** program that runs it, as the CLI provides it: finding lessons, recording
** their programs (Python through the CPython recorder, built-in scenarios on
** the runtime, each in a child process of its own), answering findings
** questions, keeping each student's progress, and the terminal runner.
*/
#ifndef LESSON_HOST_H
#define LESSON_HOST_H

#include <stdio.h>

#include "lesson.h"

/* Where lessons are looked for, in order (up to LH_MAX_DIRS). */
#define LH_MAX_DIRS 8
typedef struct lh_dirs {
    char *dir[LH_MAX_DIRS];
    int n;
} lh_dirs;

/* --dir values first, then $COROSCOPE_LESSONS (colon-separated), then the
** checkout's lessons/ beside the executable, then PREFIX/share/coroscope/lessons. */
void lh_dirs_init(lh_dirs *d, char **extra, int n_extra);
void lh_dirs_free(lh_dirs *d);

/* The lesson files in those folders (sorted by order, then file name). *out
** is a co_malloc'd array of co_malloc'd paths. */
int lh_find_all(const lh_dirs *d, char ***out, int *n);
void lh_free_list(char **list, int n);

/* A lesson named by file path or by id; NULL (with a message) when not found. */
char *lh_resolve(const lh_dirs *d, const char *id_or_file);

/* The host: a private temporary directory for traces, and the findings cache. */
typedef struct lh_host {
    char tmpdir[1024];
    const lesson *L;
    int *findings;       /* per program: bit k set = has finding kind k; -1 unknown */
} lh_host;

int lh_host_init(lh_host *h, const lesson *L);   /* 0, or -1 with a message printed */
void lh_host_free(lh_host *h);                   /* removes the temporary directory */

/* The ls_record_fn for lesson_record (ud = lh_host *). */
int lh_record(void *ud, const ls_program *p, const char *out, char *err, size_t errlen);

/* The lq_findings_fn (ud = lh_host *). */
int lh_findings(void *ud, const tm_trace *tr, const char *kind);

/* Event `ev` of the trace at `path` in the viewer's words ("Task-1 prints:
** b done"), into buf. 0, or -1 (buf "") when it cannot be said. */
int lh_event_sentence(const char *path, uint32_t ev, char *buf, size_t size);

/* Progress: the best score per lesson id, kept under $XDG_STATE_HOME/coroscope. */
int lh_progress_get(const char *id, int *best, int *of, int *completed);   /* 1 found, 0 not */
void lh_progress_put(const char *id, int score, int of, int completed);
/* Where a student's own copies of task programs go: STATE/coroscope/work/ID. */
void lh_work_dir(const char *id, char *buf, size_t size);

/* The terminal runner. answers: scripted answers (NULL: none), in block order.
** Returns the process exit status. */
typedef struct lh_term_opts {
    int width;
    char **answers;      /* scripted answers, consumed in order */
    int n_answers;
    int next_answer;
    FILE *in;            /* where the rest are read (stdin) */
    int color;
} lh_term_opts;

int lh_run_terminal(lesson *L, lh_host *h, lh_term_opts *o);

/* The viewer's lesson mode (viz/app/lesson_cli.c): a window, or with
** `screenshot` one frame offscreen at `block` (NULL: the first). Returns the
** exit status, or -2 (VZ_APP_NO_DISPLAY) when no window could open. */
typedef struct lh_window_opts {
    int w, h;            /* window or picture size (0: the default) */
    float scale;         /* UI scale (0: 1, or 1.6 presenting) */
    int present;         /* presenter mode */
    const char *screenshot, *layout_dump, *block;
    char **answers;      /* scripted answers */
    int n_answers;
} lh_window_opts;

int lh_run_window(lesson *L, lh_host *h, const lh_window_opts *o);

/* The lesson menu (viz/app/lesson_cli.c): the lessons in `d` with the
** student's progress, in a window (or one frame of it offscreen with
** o->screenshot / o->layout_dump). Each lesson the student opens is handed to
** `open` (its path; ud passed through); when that returns the menu shows
** again with the progress read anew. Returns the exit status, or -2
** (VZ_APP_NO_DISPLAY) when no window could open. */
typedef int (*lh_open_fn)(void *ud, const char *path);
int lh_run_menu(const lh_dirs *d, const lh_window_opts *o, lh_open_fn open, void *ud);

#endif
