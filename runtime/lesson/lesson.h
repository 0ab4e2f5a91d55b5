/*
** lesson.h -- the lesson engine: lesson files (lessons/FORMAT.md), the
** programs they run, grading answers from traces, and a session's progress
** through the blocks. No SDL and no terminal here: the terminal runner
** (runtime/cli/cmd_lesson.c) and the viewer's lesson mode both drive this.
**
**   lesson_load      parse a lesson file and check everything that can be
**                    checked without running anything (options, IDs, queries,
**                    program files, variants' edits), every problem with its
**                    FILE:LINE:COL;
**   lesson_record    record every program, variants included, through a
**                    recorder the host provides, and load their traces;
**   lesson_grade     judge an answer to a predict block from the trace;
**   ls_session       where a student is in a lesson, what they answered, the
**                    score, and what may be shown yet (nothing of a program's
**                    outcome before a reveal of it).
**
** Ownership: lesson_load returns a lesson the caller frees with lesson_free
** (NULL ok); it owns every string, query tree and trace in it. Diagnostics
** go into an ls_diags the caller owns (ls_diags_free).
*/
#ifndef LESSON_H
#define LESSON_H

#include <stddef.h>

#include "lq.h"
#include "trace_model.h"

/* ---- diagnostics ---------------------------------------------------------------- */

typedef struct ls_diag {
    char *file;          /* the lesson (or program) the problem is in */
    int line, column;    /* 1-based; 0 when about the whole file */
    int warning;         /* 1: worth fixing, but the lesson runs */
    char message[400];   /* what is wrong; what to do */
} ls_diag;

typedef struct ls_diags {
    ls_diag *items;
    size_t n, cap;
    size_t errors;       /* how many are not warnings */
} ls_diags;

void ls_diags_free(ls_diags *d);

/* Add a problem. */
void ls_diag_add(ls_diags *d, const char *file, int line, int column, int warning, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* Print them as FILE:LINE:COL: [warning: ]message, one per line. */
void ls_diags_print(const ls_diags *d, FILE *to);

/* ---- the lesson ------------------------------------------------------------------- */

typedef enum ls_kind { LS_PROSE, LS_PREDICT, LS_REVEAL, LS_EXPLAIN, LS_VARIANT, LS_TASK } ls_kind;

typedef enum ls_ask {
    LS_ASK_CHOICE, LS_ASK_TRUEFALSE, LS_ASK_NUMBER, LS_ASK_ORDER, LS_ASK_NEXT, LS_ASK_PICK, LS_ASK_TEXT
} ls_ask;

typedef struct ls_option {
    char *text;          /* as shown */
    char *value;         /* compared with the answer ({= VALUE}, else the text) */
    char *feedback;      /* the `>` lines under it, or NULL */
    int line;            /* where it is in the file */
} ls_option;

/* A query written in an option, with where it is for messages. */
typedef struct ls_query {
    char *text;          /* as written */
    lq_node *q;          /* parsed */
    int line, column;    /* of the text in the lesson file */
} ls_query;

typedef struct ls_program {
    char *name;          /* what blocks call it */
    char *spec;          /* as written: "turns.py", "scenario:gather", or a variant's ID */
    char *path;          /* a Python program's file (NULL for a scenario) */
    char *scenario;      /* a built-in scenario's name, or NULL */
    char *text;          /* a Python program's text (a variant's: changed) */
    int variant;         /* 1: made by a variant block */
    int line;            /* where it is defined */
    /* after lesson_record */
    char *trace_path;    /* its trace */
    tm_trace *trace;     /* loaded */
} ls_program;

typedef struct ls_block {
    ls_kind kind;
    char *id;            /* NULL for prose */
    int line;            /* the fence (or first prose line) */
    int end_line;        /* the closing fence (or last prose line) */
    char *body;          /* prose / question / explanation Markdown */
    int body_line;       /* the line the body starts on */
    /* predict */
    int program;         /* index into programs (predict, explain, task, variant's :from:) */
    ls_ask ask;
    ls_query answer;     /* :answer: */
    ls_query at;         /* predict :at: / reveal :until: (text NULL: none) */
    double tolerance;
    ls_option *options;
    size_t n_options;
    char *model;         /* text: the model answer */
    /* reveal */
    int *programs;       /* :programs: (or the one :program:) */
    size_t n_programs;
    /* task */
    ls_query goal;
    char *solution;      /* path of the solution file, or NULL */
} ls_block;

typedef struct lesson {
    char *path;          /* the lesson file */
    char *dir;           /* its folder: programs are found here */
    char *title, *id, *level;
    char **topics;
    size_t n_topics;
    int minutes;
    double order;        /* `order:` (default: none, then by file name) */
    int has_order;
    ls_program *programs;
    size_t n_programs;
    ls_block *blocks;
    size_t n_blocks;
} lesson;

/*
** Parse and statically check the lesson at `path`. Returns the lesson (even
** with problems, when it could be read at all), or NULL when the file cannot
** be read or has no valid front matter; problems go to `d`.
*/
lesson *lesson_load(const char *path, ls_diags *d);
void lesson_free(lesson *L);

const char *ls_kind_name(ls_kind k);
const char *ls_ask_name(ls_ask a);

/* The block with this ID, or -1. */
int lesson_find_block(const lesson *L, const char *id);

/* The number of graded questions (predict blocks other than `text`, and tasks). */
size_t lesson_graded(const lesson *L);

/* ---- recording ---------------------------------------------------------------------- */

/*
** How the host records a program: a Python file (`path`, whose text is
** `text`: for a variant, write `text` to a file of the same base name in a
** directory of your own) or a built-in scenario (`scenario`), into the trace
** file `out`. 0, or -1 with a message in err.
*/
typedef int (*ls_record_fn)(void *ud, const ls_program *p, const char *out, char *err, size_t errlen);

/*
** Record every program of L (variants included) into files under `dir` and
** load their traces. Problems (a program that fails to record, a trace that
** does not load) go to d with the line that defines the program. 0 when all
** recorded, -1 otherwise.
*/
int lesson_record(lesson *L, const char *dir, ls_record_fn rec, void *ud, ls_diags *d);

/*
** Check what needs the traces: every answer and goal evaluates and fits its
** question; a choice has exactly one right option; every `:at:` / `:until:`
** names an event; each wrong option has feedback (a warning otherwise); each
** task's solution (recorded with `rec`, into `dir`) meets its goal.
*/
void lesson_check_traces(lesson *L, const lq_env *proto, const char *dir, ls_record_fn rec, void *ud,
                         ls_diags *d);

/* ---- grading -------------------------------------------------------------------------- */

typedef struct ls_verdict {
    int graded;          /* 0 for `text` (and for no question at all) */
    int answered;        /* 0: no answer (an empty line, end of input) */
    int correct;
    int option;          /* the option chosen or matched (0-based), or -1 */
    const char *feedback;/* that option's feedback, or NULL */
    char given[256];     /* the answer as the student gave it, for people */
    char right[512];     /* the right answer, for people */
    char error[320];     /* why the answer could not be read ("'x' is not a time") */
} ls_verdict;

/* An env for the lesson's program `prog` (copy of proto with its trace). */
lq_env lesson_env(const lesson *L, int prog, const lq_env *proto);

/*
** The right answer to predict block b, evaluated on its program's trace.
** 0, or -1 with the evaluation problem in err.
*/
int lesson_answer(const lesson *L, const ls_block *b, const lq_env *proto, lq_value *out, lq_error *err);

/*
** The options a student chooses from: the block's own, or for `next` without
** options the tasks alive at `:at:`, for `truefalse` without options True and
** False. Writes up to cap texts to out (borrowed from the lesson or static).
*/
size_t lesson_choices(const lesson *L, const ls_block *b, const char **out, size_t cap);

/*
** Judge `answer` (what the student typed: an option's number or letter, a
** number, an order "2,1,3" or the items themselves, a task name, a step's
** event number for `pick`; NULL or "" for no answer) to predict block b.
*/
int lesson_grade(const lesson *L, const ls_block *b, const lq_env *proto, const char *answer,
                 ls_verdict *out);

/* Interpolate {{ QUERY }} / {{ PROGRAM: QUERY }} in text with the values for
** program `prog`. Returns a new string (co_free it), or NULL when memory runs out;
** a query that fails reads "[?: message]". */
char *lesson_interpolate(const lesson *L, int prog, const char *text, const lq_env *proto);

/* Whether a task's goal holds for the trace `tr`: 1 yes, 0 no, -1 error (err). */
int lesson_goal_holds(const ls_block *b, const tm_trace *tr, const lq_env *proto, lq_error *err);

/* Why a task's goal does not hold on tr, in a sentence (lq_explain): "" when
** it holds. Returns the length written. */
int lesson_goal_why(const ls_block *b, const tm_trace *tr, const lq_env *proto, char *buf, size_t size);

/*
** The event a block pauses at for program `prog`: its `:at:` (predict) or
** `:until:` (reveal), else the trace's last event. TM_NONE when the program
** has no trace or the query fails.
*/
uint32_t lesson_pause_event(const lesson *L, const ls_block *b, int prog, const lq_env *proto);

/*
** Copy trace file `src` (whose model is `tr`) up to and including event `ev`
** into `dst`: a trace with nothing of what came after -- how both runners show
** "the run so far" without giving the outcome away. 0, or -1 (errno).
*/
int lesson_cut_trace(const tm_trace *tr, const char *src, uint32_t ev, const char *dst);

/* ---- a session ------------------------------------------------------------------------- */

typedef struct ls_session {
    const lesson *L;
    size_t pos;          /* the block being shown */
    ls_verdict *verdicts;/* per block (predict and task) */
    unsigned char *done; /* per block: answered, judged, or read */
    unsigned char *revealed; /* per program: its outcome may be shown */
} ls_session;

int ls_session_init(ls_session *s, const lesson *L);   /* 0, or -1 out of memory */
void ls_session_free(ls_session *s);

/* Move on / back. Returns 0, or -1 at the end / start. Passing a reveal marks
** its programs revealed. */
int ls_session_next(ls_session *s);
int ls_session_prev(ls_session *s);

/* Record the verdict for the current block. */
void ls_session_answer(ls_session *s, const ls_verdict *v);

/* Score so far: right answers / graded questions in the lesson. */
void ls_session_score(const ls_session *s, size_t *right, size_t *graded);

#endif
