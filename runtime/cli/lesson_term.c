/*
** lesson_term.c -- a lesson in a terminal (`coroscope lesson run --terminal`).
**
** The same lesson as in the viewer, drawn with text: prose wrapped to the
** terminal, each program listed with line numbers, a question with numbered
** choices, the answer read from the scripted list (--answers) or standard
** input (end of input counts as no answer), feedback on the answer given,
** then the reveal -- the terminal timeline up to the pause point, and then in
** full -- and the explanation with the run's own figures. Nothing of a
** program's outcome is printed before a reveal of it. A score line ends every
** run: `score: 3/5`.
*/
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "cli.h"
#include "show_list.h"
#include "lesson_host.h"

/* ---- text ------------------------------------------------------------------------ */

/* Width in columns of UTF-8 text (every code point one column). */
static int cols(const char *s, size_t n)
{
    int w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* Put text with control characters (but tabs) shown as '?'. */
static void put(FILE *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xC2 && i + 1 < n && (unsigned char)s[i + 1] >= 0x80 && (unsigned char)s[i + 1] < 0xA0) {
            fputc('?', out);
            i++;
        } else
            fputc(c < 0x20 && c != '\t' ? '?' : c == 0x7f ? '?' : c, out);
    }
}

/* A paragraph wrapped at `width` after `indent` (and `first` on the first line). */
static void wrap(FILE *out, const char *text, int width, const char *first, const char *indent)
{
    int col = 0;
    const char *p = text;
    int started = 0;
    while (*p) {
        while (*p == ' ' || *p == '\n')
            p++;
        const char *w = p;
        while (*p && *p != ' ' && *p != '\n')
            p++;
        /* "2 s" stays on one line: a number keeps its unit. */
        if (p > w && isdigit((unsigned char)p[-1]) && p[0] == ' ' && p[1] == 's' &&
            (!p[2] || strchr(" \n.,;:)", p[2]))) {
            p += 2;
            while (*p && *p != ' ' && *p != '\n')
                p++;
        }
        size_t n = (size_t)(p - w);
        if (!n)
            break;
        int wc = cols(w, n);
        if (started && col + 1 + wc > width) {
            fputc('\n', out);
            started = 0;
        }
        if (!started) {
            const char *lead = col == 0 && !first ? indent : first ? first : indent;
            fputs(lead, out);
            col = cols(lead, strlen(lead));
            first = NULL;
            started = 1;
        } else {
            fputc(' ', out);
            col++;
        }
        put(out, w, n);
        col += wc;
    }
    if (started)
        fputc('\n', out);
}

/* Markdown for a terminal: headings underlined, paragraphs and list items
** wrapped, fenced code with line numbers, quotes indented. */
static void markdown(FILE *out, const char *md, int width)
{
    const char *p = md;
    char para[8192];
    size_t plen = 0;
    int in_code = 0, code_line = 0;
    char lead[16] = "";
#define FLUSH()                                                      \
    do {                                                             \
        if (plen) {                                                  \
            para[plen] = 0;                                          \
            wrap(out, para, width, lead[0] ? lead : "", lead[0] ? "   " : ""); \
            plen = 0;                                                \
            lead[0] = 0;                                             \
        }                                                            \
    } while (0)
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        const char *l = p;
        p = nl ? nl + 1 : p + n;
        if (n >= 3 && !strncmp(l, "```", 3)) {
            FLUSH();
            in_code = !in_code;
            code_line = 0;
            if (!in_code)
                fputc('\n', out);
            continue;
        }
        if (in_code) {
            fprintf(out, "  %3d │ ", ++code_line);
            put(out, l, n);
            fputc('\n', out);
            continue;
        }
        if (!n) {
            FLUSH();
            fputc('\n', out);
            continue;
        }
        if (l[0] == '#') {
            FLUSH();
            size_t h = 0;
            while (h < n && l[h] == '#')
                h++;
            const char *t = l + h;
            while (*t == ' ')
                t++;
            size_t tn = n - (size_t)(t - l);
            put(out, t, tn);
            fputc('\n', out);
            int w = cols(t, tn);
            for (int i = 0; i < w && i < width; i++)
                fputs(h == 1 ? "═" : "─", out);
            fputc('\n', out);
            continue;
        }
        if ((l[0] == '-' || l[0] == '*') && n > 1 && l[1] == ' ') {
            FLUSH();
            snprintf(lead, sizeof lead, " • ");
            l += 2, n -= 2;
        } else if (l[0] == '>') {
            FLUSH();
            snprintf(lead, sizeof lead, " │ ");
            l++, n--;
        }
        if (plen + n + 2 < sizeof para) {
            if (plen)
                para[plen++] = ' ';
            memcpy(para + plen, l, n);
            plen += n;
        }
    }
    FLUSH();
#undef FLUSH
}

static void rule(FILE *out, int width, const char *label)
{
    int w = label ? cols(label, strlen(label)) + 4 : 0;
    fputs("\n── ", out);
    if (label) {
        fputs(label, out);
        fputs(" ", out);
    }
    for (int i = w; i < width - 1 && i < 200; i++)
        fputs("─", out);
    fputc('\n', out);
}

/* A program's code with line numbers; `mark` lines (1-based, 0 none) flagged. */
static void listing(FILE *out, const ls_program *p, int a, int z)
{
    if (!p->text) {
        fprintf(out, "  (built-in scenario %s: `coroscope show --code` after its reveal shows its Python twin)\n",
                p->scenario ? p->scenario : "?");
        return;
    }
    const char *s = p->text;
    int line = 1;
    while (*s) {
        const char *nl = strchr(s, '\n');
        size_t n = nl ? (size_t)(nl - s) : strlen(s);
        fprintf(out, "%s%3d │ ", line >= a && line <= z ? "▶" : " ", line);
        put(out, s, n);
        fputc('\n', out);
        s = nl ? nl + 1 : s + n;
        line++;
    }
}

/* ---- answers ----------------------------------------------------------------------- */

/* The next answer: scripted, else a line of input. NULL at the end of input. */
static char *next_answer(lh_term_opts *o, const char *prompt, char *buf, size_t size)
{
    if (o->next_answer < o->n_answers) {
        snprintf(buf, size, "%s", o->answers[o->next_answer++]);
        printf("%s%s\n", prompt, buf);
        return buf;
    }
    printf("%s", prompt);
    fflush(stdout);
    if (!o->in || !fgets(buf, (int)size, o->in)) {
        printf("\n");
        return NULL;
    }
    size_t n = strlen(buf);
    while (n && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
        buf[--n] = 0;
    return buf;
}

/* ---- traces on the screen ---------------------------------------------------------------- */

/* Draw the timelines of `paths` with `coroscope show` (paused: cut traces). */
static void show(char **paths, size_t n, int width, int paused)
{
    char w[16];
    snprintf(w, sizeof w, "%d", width);
    char *argv[16] = {"show", "--width", w, "--no-color"};
    int argc = 4;
    if (paused)
        argv[argc++] = "--paused";
    for (size_t i = 0; i < n && argc < 15; i++)
        argv[argc++] = paths[i];
    fflush(stdout);
    cli_show(argc, argv);
    fflush(stdout);
}

/* The timeline of program `prog` up to event `ev` (nothing of what follows). */
static void show_until(lh_host *h, const lesson *L, const ls_block *b, const int *progs, size_t n,
                       const lq_env *proto, int width)
{
    char *paths[8];
    char names[8][1100];
    size_t k = 0;
    for (size_t i = 0; i < n && k < 8; i++) {
        const ls_program *p = &L->programs[progs[i]];
        if (!p->trace)
            continue;
        uint32_t ev = lesson_pause_event(L, b, progs[i], proto);
        if (ev == TM_NONE)
            continue;
        snprintf(names[k], sizeof names[k], "%s/cut-%s.jsonl", h->tmpdir, p->name);
        if (lesson_cut_trace(p->trace, p->trace_path, ev, names[k]) == 0) {
            char shown[300];
            snprintf(shown, sizeof shown, "%s so far", p->name);
            cli_show_as(names[k], shown);
            paths[k] = names[k], k++;
        }
    }
    if (k)
        show(paths, k, width, 1);
}

/* 1 when the reveal's key moment comes before the end of one of its runs:
** when every run pauses at its last event, "up to the key moment" would only
** print the whole run twice. */
static int pauses_before_end(const lesson *L, const ls_block *b, const lq_env *proto)
{
    for (size_t i = 0; i < b->n_programs; i++) {
        const tm_trace *tr = L->programs[b->programs[i]].trace;
        if (!tr || !tr->n_events)
            continue;
        uint32_t ev = lesson_pause_event(L, b, b->programs[i], proto);
        if (ev != TM_NONE && ev + 1 < tr->n_events)
            return 1;
    }
    return 0;
}

/* ---- blocks -------------------------------------------------------------------------------- */

static void ask(lesson *L, lh_host *h, lh_term_opts *o, ls_session *s, const ls_block *b, const lq_env *proto)
{
    const ls_program *p = &L->programs[b->program];
    char label[256];
    snprintf(label, sizeof label, "question: %s", b->id);
    rule(stdout, o->width, label);
    if (b->at.q) {
        printf("The run so far, up to the moment the question is about:\n");
        int one = b->program;
        show_until(h, L, b, &one, 1, proto, o->width);
    } else if (!s->revealed[b->program]) {
        printf("%s (%s):\n", p->name, p->scenario ? p->spec : p->spec);
        listing(stdout, p, 0, 0);
        printf("\n");
    }
    markdown(stdout, b->body ? b->body : "", o->width);
    const char *choices[64];
    size_t nc = lesson_choices(L, b, choices, 64);
    int numbered = b->ask == LS_ASK_CHOICE || b->ask == LS_ASK_TRUEFALSE || b->ask == LS_ASK_NEXT ||
                   b->ask == LS_ASK_ORDER;
    if (numbered)
        for (size_t i = 0; i < nc; i++) {
            char lead[16];
            snprintf(lead, sizeof lead, "  %zu) ", i + 1);
            wrap(stdout, choices[i], o->width, lead, "     ");
        }
    const char *how = b->ask == LS_ASK_CHOICE ? "the number of your choice"
                    : b->ask == LS_ASK_TRUEFALSE ? "1 (true) or 2 (false)"
                    : b->ask == LS_ASK_NUMBER ? "a number, e.g. 3 or 1.5 s"
                    : b->ask == LS_ASK_ORDER ? "the numbers in order, e.g. 2 1 3"
                    : b->ask == LS_ASK_NEXT ? "the number or the name of a task"
                    : b->ask == LS_ASK_PICK ? "the #N of an event, as `coroscope show --list` numbers them"
                    : "a sentence or two";
    /* A pick question about a run already revealed: its events, numbered. */
    if (b->ask == LS_ASK_PICK && p->trace_path && s->revealed[b->program]) {
        tm_error te;
        tm_trace *copy = tm_load(p->trace_path, 0, &te);
        if (copy) {
            printf("The run's events, numbered:\n");
            cli_show_as(p->trace_path, p->name);
            fflush(stdout);
            cli_show_list(stdout, p->name, copy, p->trace_path, o->width, 120);
        }
    }
    printf("(answer with %s; an empty line skips)\n", how);
    char buf[1024];
    ls_verdict v;
    for (int tries = 0;; tries++) {
        char *a = next_answer(o, "your answer> ", buf, sizeof buf);
        if (a && b->ask == LS_ASK_ORDER)
            for (char *c = a; *c; c++)
                if (*c == ' ' || *c == '-')
                    *c = ',';
        lesson_grade(L, b, proto, a, &v);
        if (!v.error[0] || !a || tries >= 2)
            break;
        printf("  %s\n", v.error);
    }
    ls_session_answer(s, &v);
    if (b->ask == LS_ASK_TEXT) {
        if (b->model) {
            printf("\nA model answer:\n");
            markdown(stdout, b->model, o->width);
        }
        return;
    }
    char line[900];
    if (!v.answered)
        snprintf(line, sizeof line, "✗ No answer. The answer is %s.", v.right);
    else if (v.correct)
        snprintf(line, sizeof line, "✓ Right: %s.", v.right);
    else
        snprintf(line, sizeof line, "✗ Not quite: you said %s; the answer is %s.", v.given, v.right);
    printf("\n");
    wrap(stdout, line, o->width, "", "  ");
    if (v.feedback)
        wrap(stdout, v.feedback, o->width, "  ", "  ");
}

static void reveal(lesson *L, lh_host *h, lh_term_opts *o, const ls_block *b, const lq_env *proto)
{
    char label[256];
    snprintf(label, sizeof label, "reveal: %s", b->id);
    rule(stdout, o->width, label);
    char *body = lesson_interpolate(L, b->program, b->body ? b->body : "", proto);
    if (body && *body)
        markdown(stdout, body, o->width);
    co_free(body);
    if (b->at.q && pauses_before_end(L, b, proto)) {
        printf("Up to the key moment (%s):\n", b->at.text);
        show_until(h, L, b, b->programs, b->n_programs, proto, o->width);
        printf("\nAnd the whole run:\n");
    }
    char *paths[8];
    size_t k = 0;
    for (size_t i = 0; i < b->n_programs && k < 8; i++)
        if (L->programs[b->programs[i]].trace_path) {
            paths[k++] = L->programs[b->programs[i]].trace_path;
            cli_show_as(paths[k - 1], L->programs[b->programs[i]].name);
        }
    show(paths, k, o->width, 0);
    /* Several decisions can share an instant, and the time axis cannot tell
    ** them apart: name the key moment in words. */
    for (size_t i = 0; b->at.q && i < b->n_programs; i++) {
        const ls_program *p = &L->programs[b->programs[i]];
        uint32_t ev = p->trace ? lesson_pause_event(L, b, b->programs[i], proto) : TM_NONE;
        char what[400], t[32], line[600];
        if (ev == TM_NONE || ev >= p->trace->n_events || lh_event_sentence(p->trace_path, ev, what, sizeof what) < 0)
            continue;
        snprintf(line, sizeof line, "The key moment in %s: event #%u at %s, %s.", p->name,
                 tm_event_seq(p->trace, ev), tm_format_seconds(p->trace->events[ev].t, t, sizeof t), what);
        wrap(stdout, line, o->width, "", "  ");
    }
    for (size_t i = 0; i < b->n_programs; i++) {
        const tm_trace *tr = L->programs[b->programs[i]].trace;
        if (!tr || !tr->n_prints)
            continue;
        printf("%s printed:\n", L->programs[b->programs[i]].name);
        for (size_t j = 0; j < tr->n_prints; j++) {
            printf("  ");
            const char *t = tm_text(tr, tr->events[tr->prints[j]].s1);
            put(stdout, t, strlen(t));
            printf("\n");
        }
    }
}

/* A variant: what changed, as a small diff. */
static void variant(const lesson *L, lh_term_opts *o, const ls_block *b)
{
    char label[256];
    snprintf(label, sizeof label, "change: %s", b->id);
    rule(stdout, o->width, label);
    markdown(stdout, b->body ? b->body : "", o->width);
    int vi = -1;
    for (size_t i = 0; i < L->n_programs; i++)
        if (L->programs[i].variant && !strcmp(L->programs[i].name, b->id))
            vi = (int)i;
    if (vi < 0 || b->program < 0)
        return;
    const char *a = L->programs[b->program].text, *z = L->programs[vi].text;
    /* lines that differ, by line number (edits keep most lines in place) */
    int line = 1;
    while (a && z && (*a || *z)) {
        const char *na = strchr(a, '\n'), *nz = strchr(z, '\n');
        size_t la = na ? (size_t)(na - a) : strlen(a), lz = nz ? (size_t)(nz - z) : strlen(z);
        if (la != lz || memcmp(a, z, la)) {
            if (la || *a) {
                printf("  - %3d │ ", line);
                put(stdout, a, la);
                printf("\n");
            }
            printf("  + %3d │ ", line);
            put(stdout, z, lz);
            printf("\n");
        }
        a = na ? na + 1 : a + la;
        z = nz ? nz + 1 : z + lz;
        line++;
    }
}

static int file_mtime(const char *path, struct timespec *t)
{
    struct stat st;
    if (stat(path, &st) < 0)
        return -1;
    *t = st.st_mtim;
    return 0;
}

/* Record the student's copy and judge it; 1 the goal holds, 0 not, -1 error. */
static int judge_copy(lesson *L, lh_host *h, const ls_block *b, const char *copy, const lq_env *proto, int width)
{
    FILE *f = fopen(copy, "r");
    char *text = f ? co_malloc(1 << 20) : NULL;
    size_t n = text ? fread(text, 1, (1 << 20) - 1, f) : 0;
    if (f)
        fclose(f);
    if (!text)
        return -1;
    text[n] = 0;
    ls_program p = L->programs[b->program];
    p.name = "attempt";
    p.text = text;
    p.variant = 1;
    char out[1200], err[512] = "";
    snprintf(out, sizeof out, "%s/attempt-%s.jsonl", h->tmpdir, b->id);
    int ok = -1;
    if (lh_record(h, &p, out, err, sizeof err) < 0)
        printf("  Your program does not run: %s\n", err);
    else {
        tm_error te;
        tm_trace *tr = tm_load(out, 0, &te);
        lq_error qe;
        ok = tr ? lesson_goal_holds(b, tr, proto, &qe) : -1;
        char *paths[1] = {out};
        cli_show_as(out, "your attempt");
        show(paths, 1, width, 0);
        if (ok == 1)
            printf("✓ The goal holds: %s\n", b->goal.text);
        else if (ok == 0) {
            char why[600] = "", line[700];
            lesson_goal_why(b, tr, proto, why, sizeof why);
            snprintf(line, sizeof line, "✗ Not yet: %s.", why[0] ? why : "the goal does not hold for this run");
            wrap(stdout, line, width, "", "  ");
            if (tr->n_prints) {
                printf("  Your program printed:\n");
                for (size_t j = 0; j < tr->n_prints && j < 20; j++) {
                    const char *t = tm_text(tr, tr->events[tr->prints[j]].s1);
                    printf("    ");
                    put(stdout, t, strlen(t));
                    printf("\n");
                }
                if (tr->n_prints > 20)
                    printf("    ... and %zu more lines\n", tr->n_prints - 20);
            }
        }
        else
            printf("  The goal cannot be judged: %s\n", tr ? qe.message : te.message);
        tm_free(tr);
    }
    co_free(text);
    return ok;
}

static void task(lesson *L, lh_host *h, lh_term_opts *o, ls_session *s, const ls_block *b, const lq_env *proto)
{
    char label[256];
    snprintf(label, sizeof label, "task: %s", b->id);
    rule(stdout, o->width, label);
    markdown(stdout, b->body ? b->body : "", o->width);
    char goal[600];
    snprintf(goal, sizeof goal, "Goal: %s", b->goal.text);
    wrap(stdout, goal, o->width, "", "  ");
    const ls_program *p = &L->programs[b->program];
    char dir[1024], copy[1400];
    lh_work_dir(L->id, dir, sizeof dir);
    const char *base = p->path ? strrchr(p->path, '/') : NULL;
    snprintf(copy, sizeof copy, "%s/%s-%s", dir, b->id, base ? base + 1 : "program.py");
    if (access(copy, F_OK) != 0) {
        FILE *f = fopen(copy, "w");
        if (f) {
            fputs(p->text ? p->text : "", f);
            fclose(f);
        }
    }
    ls_verdict v = {0};
    v.graded = 1;
    int ok = 0;
    if (o->next_answer < o->n_answers) {
        /* scripted: the answer names a file whose text becomes the student's copy */
        const char *from = o->answers[o->next_answer++];
        printf("your program> %s\n", from);
        FILE *in = fopen(from, "r"), *out = in ? fopen(copy, "w") : NULL;
        if (in && out) {
            char buf[4096];
            size_t n;
            while ((n = fread(buf, 1, sizeof buf, in)) > 0)
                fwrite(buf, 1, n, out);
        }
        if (in)
            fclose(in);
        if (out)
            fclose(out);
        if (!in)
            printf("  cannot read %s: %s\n", from, strerror(errno));
        else {
            v.answered = 1;
            ok = judge_copy(L, h, b, copy, proto, o->width) == 1;
        }
    } else {
        printf("Your own copy of the program:\n  %s\nEdit it in any editor: each time you save it, it is\n"
               "recorded again and judged. Press Enter to stop.\n",
               copy);
        fflush(stdout);
        struct timespec seen = {0, 0};
        file_mtime(copy, &seen);
        for (;;) {
            fd_set r;
            FD_ZERO(&r);
            int fd = o->in ? fileno(o->in) : -1;
            if (fd >= 0)
                FD_SET(fd, &r);
            struct timeval tv = {0, 400000};
            int got = select(fd + 1, &r, NULL, NULL, &tv);
            if (got > 0) {
                char line[256];
                if (!fgets(line, sizeof line, o->in))
                    line[0] = 0;   /* end of input: stop too */
                break;
            }
            struct timespec now;
            if (file_mtime(copy, &now) == 0 && (now.tv_sec != seen.tv_sec || now.tv_nsec != seen.tv_nsec)) {
                seen = now;
                v.answered = 1;
                printf("\n(saved: recording it)\n");
                if (judge_copy(L, h, b, copy, proto, o->width) == 1) {
                    ok = 1;
                    break;
                }
                printf("Keep editing, or press Enter to stop.\n");
                fflush(stdout);
            }
        }
    }
    v.correct = ok;
    snprintf(v.right, sizeof v.right, "%s", b->goal.text);
    ls_session_answer(s, &v);
    if (!v.answered)
        printf("✗ No attempt was judged.\n");
}

int lh_run_terminal(lesson *L, lh_host *h, lh_term_opts *o)
{
    lq_env proto = {NULL, lh_findings, h};
    ls_session s;
    if (ls_session_init(&s, L) < 0) {
        fprintf(stderr, "coroscope lesson: out of memory\n");
        return 1;
    }
    char head[512];
    snprintf(head, sizeof head, "%s", L->title ? L->title : "");
    printf("%s\n", head);
    for (int i = 0; i < cols(head, strlen(head)) && i < o->width; i++)
        fputs("═", stdout);
    printf("\n%s · about %d minutes · ", L->level ? L->level : "", L->minutes);
    for (size_t i = 0; i < L->n_topics; i++)
        printf("%s%s", i ? ", " : "", L->topics[i]);
    printf("\n\n");
    for (s.pos = 0; s.pos < L->n_blocks;) {
        const ls_block *b = &L->blocks[s.pos];
        switch (b->kind) {
        case LS_PROSE:
            markdown(stdout, b->body ? b->body : "", o->width);
            break;
        case LS_PREDICT:
            ask(L, h, o, &s, b, &proto);
            break;
        case LS_REVEAL:
            reveal(L, h, o, b, &proto);
            break;
        case LS_EXPLAIN: {
            char *t = lesson_interpolate(L, b->program, b->body ? b->body : "", &proto);
            rule(stdout, o->width, "why");
            markdown(stdout, t ? t : "", o->width);
            co_free(t);
            break;
        }
        case LS_VARIANT:
            variant(L, o, b);
            break;
        case LS_TASK:
            task(L, h, o, &s, b, &proto);
            break;
        }
        printf("\n");
        if (ls_session_next(&s) < 0)
            break;
    }
    size_t right, graded;
    ls_session_score(&s, &right, &graded);
    printf("score: %zu/%zu\n", right, graded);
    lh_progress_put(L->id, (int)right, (int)graded, 1);
    ls_session_free(&s);
    return 0;
}
