/*
** lesson_view.c -- the viewer's lesson mode: moving through a lesson's
** blocks and building what the timeline may show for each (see
** lesson_view.h). The doc is rebuilt from trace files whenever the block
** changes: cut traces before a reveal, whole ones after.
*/
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "lesson_view.h"

const ls_block *vz_lv_block(const vz_lesson_view *lv)
{
    return lv->s.pos < lv->L->n_blocks ? &lv->L->blocks[lv->s.pos] : NULL;
}

static void clear_doc(vz_lesson_view *lv)
{
    vz_doc_free(&lv->doc);
    vz_doc_init(&lv->doc);
    lv->has_doc = 0;
    lv->target_ev = TM_NONE;
    lv->playing_to = 0;
}

/* Add the trace at `path` to the doc, labelled with the program's name. */
static int add_run(vz_lesson_view *lv, const char *path, const char *label, int paused)
{
    tm_error err;
    tm_trace *tr = tm_load(path, 0, &err);
    if (!tr || vz_doc_add(&lv->doc, tr, label, path) < 0) {
        snprintf(lv->notice, sizeof lv->notice, "cannot show %s: %s", label, tr ? "out of memory" : err.message);
        return -1;
    }
    lv->doc.runs[lv->doc.n_runs - 1].paused = paused;
    lv->has_doc = 1;
    return 0;
}

/* The program's run cut at `ev` (a trace with nothing after it). */
static void add_cut(vz_lesson_view *lv, int prog, uint32_t ev)
{
    const ls_program *p = &lv->L->programs[prog];
    if (!p->trace || ev == TM_NONE)
        return;
    char path[1200];
    snprintf(path, sizeof path, "%s/view-cut-%s.jsonl", lv->tmpdir, p->name);
    if (lesson_cut_trace(p->trace, p->trace_path, ev, path) == 0)
        add_run(lv, path, p->name, 1);
}

/* The last reveal at or before block i, or -1. */
static int last_reveal(const vz_lesson_view *lv, size_t i)
{
    for (size_t k = i + 1; k-- > 0;)
        if (lv->L->blocks[k].kind == LS_REVEAL)
            return (int)k;
    return -1;
}

static void build_reveal(vz_lesson_view *lv, const ls_block *b)
{
    for (size_t i = 0; i < b->n_programs; i++) {
        const ls_program *p = &lv->L->programs[b->programs[i]];
        if (p->trace_path)
            add_run(lv, p->trace_path, p->name, 0);
    }
    if (lv->doc.n_runs) {
        lv->target_ev = lesson_pause_event(lv->L, b, b->programs[0], &lv->proto);
        lv->playing_to = 1;
    }
}

/* Build the doc for the current block. */
static void build(vz_lesson_view *lv)
{
    clear_doc(lv);
    lv->doc_block = (int)lv->s.pos;
    const ls_block *b = vz_lv_block(lv);
    if (!b)
        return;
    switch (b->kind) {
    case LS_PREDICT:
        if (b->at.q)
            add_cut(lv, b->program, lesson_pause_event(lv->L, b, b->program, &lv->proto));
        else if (lv->s.revealed[b->program] && lv->L->programs[b->program].trace_path)
            add_run(lv, lv->L->programs[b->program].trace_path, lv->L->programs[b->program].name, 0);
        break;
    case LS_REVEAL:
        build_reveal(lv, b);
        break;
    case LS_TASK:
        if (lv->task_result >= 0) {
            char out[1300];
            snprintf(out, sizeof out, "%s/attempt-%s.jsonl", lv->tmpdir, b->id);
            add_run(lv, out, "your program", 0);
        }
        break;
    default: {
        int r = last_reveal(lv, lv->s.pos);
        if (r >= 0) {
            const ls_block *rb = &lv->L->blocks[r];
            for (size_t i = 0; i < rb->n_programs; i++) {
                const ls_program *p = &lv->L->programs[rb->programs[i]];
                if (p->trace_path)
                    add_run(lv, p->trace_path, p->name, 0);
            }
        }
        break;
    }
    }
}

int vz_lv_init(vz_lesson_view *lv, lesson *L, const lq_env *proto, ls_record_fn rec, void *rec_ud,
               const char *tmpdir)
{
    memset(lv, 0, sizeof *lv);
    lv->L = L;
    lv->proto = proto ? *proto : (lq_env){0};
    lv->rec = rec;
    lv->rec_ud = rec_ud;
    snprintf(lv->tmpdir, sizeof lv->tmpdir, "%s", tmpdir);
    lv->choice = -1;
    lv->task_result = -1;
    lv->doc_block = -1;
    vz_doc_init(&lv->doc);
    if (ls_session_init(&lv->s, L) < 0)
        return -1;
    build(lv);
    return 0;
}

void vz_lv_free(vz_lesson_view *lv)
{
    vz_doc_free(&lv->doc);
    ls_session_free(&lv->s);
    memset(lv, 0, sizeof *lv);
}

/* A task's student copy: in the work folder given by the host via tmpdir's
** sibling, or in tmpdir itself. */
static void prepare_task(vz_lesson_view *lv, const ls_block *b)
{
    const ls_program *p = &lv->L->programs[b->program];
    const char *base = p->path ? strrchr(p->path, '/') : NULL;
    snprintf(lv->copy, sizeof lv->copy, "%s/%s-%s", lv->tmpdir, b->id, base ? base + 1 : "program.py");
    if (access(lv->copy, F_OK) != 0) {
        FILE *f = fopen(lv->copy, "w");
        if (f) {
            fputs(p->text ? p->text : "", f);
            fclose(f);
        }
    }
    struct stat st;
    if (stat(lv->copy, &st) == 0)
        lv->copy_mtime = st.st_mtim;
    lv->task_result = -1;
    snprintf(lv->task_msg, sizeof lv->task_msg, "Edit your copy and save it: it is recorded and judged each time.");
}

/* Judge the student's copy now. */
static int judge_task(vz_lesson_view *lv, const ls_block *b)
{
    if (!lv->rec)
        return -1;
    FILE *f = fopen(lv->copy, "r");
    char *text = f ? co_malloc(1 << 20) : NULL;
    size_t n = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
    if (f)
        fclose(f);
    if (!text)
        return -1;
    text[n] = 0;
    ls_program p = lv->L->programs[b->program];
    p.name = "attempt";
    p.text = text;
    p.variant = 1;
    p.trace = NULL;
    p.trace_path = NULL;
    char out[1300], err[512] = "";
    snprintf(out, sizeof out, "%s/attempt-%s.jsonl", lv->tmpdir, b->id);
    int ok = -1;
    if (lv->rec(lv->rec_ud, &p, out, err, sizeof err) < 0)
        snprintf(lv->task_msg, sizeof lv->task_msg, "Your program does not run: %s", err);
    else {
        tm_error te;
        tm_trace *tr = tm_load(out, 0, &te);
        lq_error qe;
        ok = tr ? lesson_goal_holds(b, tr, &lv->proto, &qe) : -1;
        char why[400] = "";
        if (ok == 0)
            lesson_goal_why(b, tr, &lv->proto, why, sizeof why);
        if (ok == 1)
            snprintf(lv->task_msg, sizeof lv->task_msg, "\xE2\x9C\x93 The goal holds. Well done.");
        else if (ok == 0)
            snprintf(lv->task_msg, sizeof lv->task_msg, "\xE2\x9C\x97 Not yet: %s. Keep editing.",
                     why[0] ? why : "the goal does not hold for this run");
        else
            snprintf(lv->task_msg, sizeof lv->task_msg, "The goal cannot be judged for this run.");
        tm_free(tr);
    }
    co_free(text);
    lv->task_result = ok < 0 ? 0 : ok;
    ls_verdict v = {0};
    v.graded = 1;
    v.answered = 1;
    v.correct = ok == 1;
    snprintf(v.right, sizeof v.right, "%s", b->goal.text ? b->goal.text : "");
    ls_session_answer(&lv->s, &v);
    lv->answered = 1;
    lv->verdict = v;
    build(lv);
    return ok;
}

int vz_lv_poll_task(vz_lesson_view *lv)
{
    const ls_block *b = vz_lv_block(lv);
    if (!b || b->kind != LS_TASK || !lv->copy[0])
        return 0;
    struct stat st;
    if (stat(lv->copy, &st) < 0 ||
        (st.st_mtim.tv_sec == lv->copy_mtime.tv_sec && st.st_mtim.tv_nsec == lv->copy_mtime.tv_nsec))
        return 0;
    lv->copy_mtime = st.st_mtim;
    judge_task(lv, b);
    return 1;
}

/* Enter the current block: its doc, its task copy, its scripted answer. */
static void enter(vz_lesson_view *lv)
{
    lv->choice = -1;
    lv->typed[0] = 0;
    lv->notice[0] = 0;
    lv->text_scroll = 0;
    const ls_block *b = vz_lv_block(lv);
    lv->answered = b && lv->s.done[lv->s.pos] && (b->kind == LS_PREDICT || b->kind == LS_TASK);
    if (lv->answered)
        lv->verdict = lv->s.verdicts[lv->s.pos];
    if (b && b->kind == LS_TASK)
        prepare_task(lv, b);
    build(lv);
}

void vz_lv_answer(vz_lesson_view *lv, const char *text)
{
    const ls_block *b = vz_lv_block(lv);
    if (!b || b->kind != LS_PREDICT)
        return;
    ls_verdict v;
    lesson_grade(lv->L, b, &lv->proto, text, &v);
    if (v.error[0] && text && *text) {
        snprintf(lv->notice, sizeof lv->notice, "%s", v.error);   /* not read: let them try again */
        return;
    }
    lv->verdict = v;
    lv->answered = 1;
    lv->notice[0] = 0;
    ls_session_answer(&lv->s, &v);
}

void vz_lv_present_answer(vz_lesson_view *lv)
{
    const ls_block *b = vz_lv_block(lv);
    if (!b || b->kind != LS_PREDICT || lv->answered)
        return;
    ls_verdict v;
    lesson_grade(lv->L, b, &lv->proto, NULL, &v);
    /* the right option, for its feedback */
    for (size_t i = 0; i < b->n_options; i++) {
        char num[32];
        snprintf(num, sizeof num, "%zu", i + 1);
        ls_verdict t;
        lesson_grade(lv->L, b, &lv->proto, num, &t);
        if (t.correct) {
            v.option = (int)i;
            v.feedback = t.feedback;
            break;
        }
    }
    v.answered = 0;
    v.graded = 0;                  /* the class predicted aloud: nobody's score */
    lv->verdict = v;
    lv->answered = 1;
    snprintf(lv->notice, sizeof lv->notice, "The answer, for the class.");
}

/* Apply the scripted answer of the current block, if there is one left. */
static void scripted(vz_lesson_view *lv)
{
    const ls_block *b = vz_lv_block(lv);
    if (!b || lv->answered || lv->next_answer >= lv->n_answers)
        return;
    if (b->kind == LS_PREDICT) {
        vz_lv_answer(lv, lv->answers[lv->next_answer++]);
    } else if (b->kind == LS_TASK) {
        const char *from = lv->answers[lv->next_answer++];
        FILE *in = fopen(from, "r"), *out = in ? fopen(lv->copy, "w") : NULL;
        char buf[4096];
        size_t n;
        while (in && out && (n = fread(buf, 1, sizeof buf, in)) > 0)
            fwrite(buf, 1, n, out);
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        if (in)
            judge_task(lv, b);
    }
}

int vz_lv_goto(vz_lesson_view *lv, size_t i)
{
    if (i >= lv->L->n_blocks)
        return -1;
    /* Take the blocks on the way in order, as a student would. */
    while (lv->s.pos < i) {
        scripted(lv);
        if (ls_session_next(&lv->s) < 0)
            break;
        enter(lv);
    }
    while (lv->s.pos > i)
        ls_session_prev(&lv->s);
    enter(lv);
    scripted(lv);
    return 0;
}

void vz_lv_next(vz_lesson_view *lv)
{
    if (ls_session_next(&lv->s) < 0) {
        lv->finished = 1;
        clear_doc(lv);
        return;
    }
    enter(lv);
    scripted(lv);
}

void vz_lv_prev(vz_lesson_view *lv)
{
    lv->finished = 0;
    if (lv->s.pos >= lv->L->n_blocks && lv->L->n_blocks)
        lv->s.pos = lv->L->n_blocks - 1;
    else
        ls_session_prev(&lv->s);
    enter(lv);
}

int vz_lv_asking(const vz_lesson_view *lv)
{
    const ls_block *b = vz_lv_block(lv);
    return b && b->kind == LS_PREDICT && !lv->answered && !lv->finished;
}
