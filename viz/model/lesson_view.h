/*
** lesson_view.h -- the viewer's lesson mode: a lesson (runtime/lesson) being
** taken in the window, block by block, with the timeline beside it.
**
** The lesson panel (layout_lesson.c) shows the current block -- prose, a
** question with its numbered options, the answer being typed, the feedback,
** a variant's change, a task's goal -- and the timeline shows what the
** student may see so far, and nothing more:
**
**   a question     before it is answered, nothing of its program's run, or
**                  with `:at:` the run cut at that event (a trace that ends
**                  there: no makespan, no finish marks, no output, no
**                  findings of what follows); after the answer, the same;
**   a reveal       the whole runs of its programs, the playhead playing to
**                  the key event (`:until:`) and pausing there with it
**                  selected;
**   explain, variant, prose   the last reveal stays on screen;
**   a task         the student's latest attempt, re-recorded on every save.
**
** What keys do is viz/input/lesson_input.h; how it is drawn,
** viz/layout/layout_lesson.c.
**
** No SDL here, and no UI state. Ownership: the view owns its doc (traces loaded for display)
** and its session; the lesson stays the caller's.
*/
#ifndef VZ_LESSON_VIEW_H
#define VZ_LESSON_VIEW_H

#include <time.h>

#include "lesson.h"
#include "view_model.h"

#define VZ_LV_MAX_ANSWERS 256

typedef struct vz_lesson_view {
    lesson *L;                 /* the lesson (the caller's) */
    ls_session s;              /* where the student is, and the score */
    lq_env proto;              /* findings provider for queries */
    ls_record_fn rec;          /* to record a task's attempts */
    void *rec_ud;
    char tmpdir[1024];         /* where cut traces and attempts go */
    int present;               /* presenter mode: R reveals, no typing needed */

    vz_doc doc;                /* what the timeline shows now */
    int doc_block;             /* the block it was built for (-1: none yet) */
    int has_doc;               /* doc holds runs */
    uint32_t target_ev;        /* reveal: the key event in run 0 (TM_NONE: none) */
    int playing_to;            /* reveal: the playhead is on its way to the key event */

    int choice;                /* the highlighted option (-1: none) */
    char typed[256];           /* an answer being typed */
    int answered;              /* the current block has its verdict */
    ls_verdict verdict;
    char notice[640];          /* a line for the student ("answer with a number ...") */

    /* a task block */
    char copy[1400];           /* the student's copy of the program */
    struct timespec copy_mtime;/* when it was last judged */
    int task_result;           /* -1 not judged, 0 goal not met, 1 met */
    char task_msg[640];

    char *answers[VZ_LV_MAX_ANSWERS];  /* scripted answers (borrowed), in block order */
    int n_answers, next_answer;
    int finished;              /* past the last block */
    float text_scroll;         /* the lesson panel scrolled up, pixels */
} vz_lesson_view;

/* A question is waiting for its answer: the side panels stay closed until
** then (they show the ready queue, the timers and each task's line, which
** would answer many questions). */
int vz_lv_asking(const vz_lesson_view *lv);

/* Start at the first block. `rec` records a task's attempts (may be NULL).
** 0, or -1 out of memory. */
int vz_lv_init(vz_lesson_view *lv, lesson *L, const lq_env *proto, ls_record_fn rec, void *rec_ud,
               const char *tmpdir);
void vz_lv_free(vz_lesson_view *lv);

/*
** Go to block `i` (moving the session there, scripted answers applied to the
** blocks on the way, as if the student had taken them in order), and build
** what the timeline shows for it. 0, or -1 when there is no such block.
*/
int vz_lv_goto(vz_lesson_view *lv, size_t i);

/* Answer the current predict block with `text` (NULL: no answer). */
void vz_lv_answer(vz_lesson_view *lv, const char *text);

/* Next / previous block. */
void vz_lv_next(vz_lesson_view *lv);
void vz_lv_prev(vz_lesson_view *lv);

/* A task block: if the student's copy was saved since it was last judged,
** record it and judge it (the doc then shows the attempt). 1 when it did. */
int vz_lv_poll_task(vz_lesson_view *lv);

/* Presenter mode: show the right answer to the class (the verdict of the
** right option, without anyone answering). */
void vz_lv_present_answer(vz_lesson_view *lv);

/* The current block, or NULL past the end. */
const ls_block *vz_lv_block(const vz_lesson_view *lv);

#endif
