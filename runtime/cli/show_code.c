/*
** show_code.c -- `coroscope show --code`: the program, with what happened on
** its lines.
**
** The trace carries the program's source (format version 3) and every
** suspension names its line. Beside each line where tasks suspended (an
** `await`, `async with`, `async for`, a `yield`), this prints which tasks
** stopped there, from when until they resumed, and for how long -- the
** terminal's version of the viewer's source panel:
**
**     6      await asyncio.sleep(delay)     │ Task-2 0 → 3 s (3 s) · Task-3 0 → 1 s (1 s)
**
** A task that suspended on a line many times is summed up ("Task-2 ×40,
** 12 s in all"). Trace text goes through the same escaping as every other
** output: it never drives the terminal.
*/
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "cli.h"
#include "show_code.h"

#define DETAIL_MAX 3         /* suspensions of one task on one line listed one by one */

/* One suspension: a task stopped on a line at t0 and was resumed at t1 (or never). */
typedef struct stop {
    uint32_t line;
    uint32_t task;
    double t0, t1;
    int resumed;
    tm_str thrown;      /* the exception it was resumed with (CancelledError ...), or 0 */
} stop;

/* When the task suspended by step_end `ev` ran again: the start of its next
** running span, or of its final one; 0 when it never resumed. *thrown gets the
** exception the resuming step raised into it, if any. */
static int resumed_at(const tm_trace *tr, uint32_t task, uint32_t ev, double *t, tm_str *thrown)
{
    *thrown = 0;
    uint32_t si = tm_span_at(tr, task, ev);
    if (si == TM_NONE)
        return 0;
    const tm_task *tk = &tr->tasks[task];
    for (uint32_t k = si + 1; k < tk->span_first + tk->span_count; k++) {
        const tm_span *sp = &tr->spans[k];
        if (sp->state == TM_STATE_RUNNING || sp->state >= TM_STATE_DONE) {
            *t = tr->events[sp->ev_begin].t;
            for (uint32_t e = sp->ev_begin + 1; e < tr->n_events && e < sp->ev_begin + 4; e++)
                if (tr->events[e].kind == TM_EV_THROW && tr->events[e].task == task)
                    *thrown = tr->events[e].s1;
            return 1;
        }
    }
    return 0;
}

/* A time for people, with its unit even when it is 0 ("0 s", "1.5 s", "250 ms"). */
static char *secs(double t, char *buf, size_t size)
{
    tm_format_seconds(t, buf, size);
    if (!strcmp(buf, "0"))
        snprintf(buf, size, "0 s");
    return buf;
}

static int by_line_then_task(const void *a, const void *b)
{
    const stop *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->task != y->task)
        return x->task < y->task ? -1 : 1;
    return x->t0 < y->t0 ? -1 : x->t0 > y->t0;
}

/* Append printf-style text to buf (cap bytes), keeping it NUL-terminated. */
static void addf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void addf(char *buf, size_t cap, size_t *len, const char *fmt, ...)
{
    if (*len >= cap)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf + *len, cap - *len, fmt, ap);
    va_end(ap);
    if (n > 0)
        *len = *len + (size_t)n < cap ? *len + (size_t)n : cap - 1;
}

/* Separators inside a note: between one task's suspensions, and between tasks. */
#define SEP_STOP '\x1f'
#define SEP_TASK '\x1e'

/* A task's name for a note: control characters (the separators among them) as '?'. */
static void add_name(char *buf, size_t cap, size_t *len, const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p && *len + 1 < cap; p++)
        buf[(*len)++] = *p < 0x20 || *p == 0x7f ? '?' : (char)*p;
    buf[*len] = 0;
}

/* What happened on one line, for the tasks in stops[0..n): "Task-2 0 s → 3 s (3 s)",
** tasks separated by SEP_TASK and one task's suspensions by SEP_STOP. */
static void describe(const tm_trace *tr, const stop *s, size_t n, char *buf, size_t cap)
{
    size_t len = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        double total = 0;
        int open = 0;
        while (j < n && s[j].task == s[i].task) {
            if (s[j].resumed)
                total += s[j].t1 - s[j].t0;
            else
                open = 1;
            j++;
        }
        char a[32], b[32], d[32];
        if (i)
            addf(buf, cap, &len, "%c", SEP_TASK);
        add_name(buf, cap, &len, tm_text(tr, tr->tasks[s[i].task].name));
        if (j - i <= DETAIL_MAX && (j - i == 1 || total > 0 || open)) {
            for (size_t k = i; k < j; k++) {
                if (k > i)
                    addf(buf, cap, &len, "%c", SEP_STOP);
                secs(s[k].t0, a, sizeof a);
                if (s[k].resumed && s[k].thrown) {
                    addf(buf, cap, &len, " %s → %s (%s, then ", a, secs(s[k].t1, b, sizeof b),
                         secs(s[k].t1 - s[k].t0, d, sizeof d));
                    add_name(buf, cap, &len, tm_text(tr, s[k].thrown));
                    addf(buf, cap, &len, ")");
                } else if (s[k].resumed)
                    addf(buf, cap, &len, " %s → %s (%s)", a, secs(s[k].t1, b, sizeof b),
                         secs(s[k].t1 - s[k].t0, d, sizeof d));
                else
                    addf(buf, cap, &len, " %s → never resumed", a);
            }
        } else if (!(total > 0) && !open) {
            addf(buf, cap, &len, " ×%zu, 0 s each", j - i);
        } else {
            addf(buf, cap, &len, " ×%zu (%s in all, first at %s%s)", j - i, secs(total, d, sizeof d),
                 secs(s[i].t0, a, sizeof a), open ? "; the last never resumed" : "");
        }
        i = j;
    }
}

static int display_width(const char *s, size_t n)
{
    int w = 0;
    for (size_t i = 0; i < n; i++)
        w += s[i] == '\t' ? 8 - w % 8 : ((unsigned char)s[i] & 0xC0) != 0x80;
    return w;
}

/* A line of code, tabs expanded, control bytes escaped, cut to `w` columns and padded. */
static void put_code(FILE *out, const char *s, size_t n, int w)
{
    int col = 0;
    for (size_t i = 0; i < n && col < w; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\t') {
            do
                fputc(' ', out);
            while (++col % 8 && col < w);
        } else if (c < 0x20 || c == 0x7f) {
            fputc('?', out);
            col++;
        } else {
            if ((c & 0xC0) != 0x80) {
                if (col + 1 > w)
                    break;
                col++;
            }
            fputc(c, out);
        }
    }
    fprintf(out, "%*s", w - col, "");
}

/* Trace text (task names) made safe: control and C1 characters as '?'. */
static void put_note(FILE *out, const char *s, int w)
{
    int col = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p && col < w; p++) {
        if (*p < 0x20 || *p == 0x7f || (p[0] == 0xC2 && p[1] >= 0x80 && p[1] < 0xA0)) {
            fputc('?', out);
            if (*p == 0xC2)
                p++;
            col++;
            continue;
        }
        if ((*p & 0xC0) != 0x80) {
            if (col + 1 == w && p[1]) {
                fputs("…", out);
                return;
            }
            col++;
        }
        fputc(*p, out);
    }
}

/* The note in columns of `avail`: pieces (a task, or one of its suspensions) go on
** one line while they fit, else on continuation lines that start with `indent`
** spaces and the bar. */
static void put_notes(FILE *out, const char *note, int avail, int indent)
{
    const char *p = note;
    int col = 0;
    char sep = 0;
    while (*p) {
        size_t n = strcspn(p, "\x1e\x1f");
        char piece[1024];
        snprintf(piece, sizeof piece, "%.*s", (int)(n < sizeof piece ? n : sizeof piece - 1), p);
        const char *glue = sep == SEP_TASK ? " · " : ",";
        int w = display_width(piece, strlen(piece));
        if (col && col + display_width(glue, strlen(glue)) + w > avail) {
            if (sep == SEP_STOP)
                fputc(',', out);
            fprintf(out, "\n%*s │ ", indent, "");
            col = 0;
            if (sep == SEP_STOP)
                col = 2, fputs("  ", out);
        } else if (col) {
            fputs(glue, out);
            col += display_width(glue, strlen(glue));
        }
        /* The piece, word by word, wrapping onto more lines when it is long. */
        for (char *q = piece + (!col && piece[0] == ' '); *q;) {
            char *space = strchr(q + 1, ' ');
            size_t wn = space ? (size_t)(space - q) : strlen(q);
            char word[1024];
            snprintf(word, sizeof word, "%.*s", (int)wn, q);
            int ww = display_width(word, wn);
            if (col > 2 && col + ww > avail) {
                fprintf(out, "\n%*s │   ", indent, "");
                col = 2;
                if (word[0] == ' ')
                    memmove(word, word + 1, strlen(word)), ww--;
            }
            put_note(out, word, avail);
            col += ww;
            q += wn;
        }
        (void)w;
        sep = p[n];
        p += n + (p[n] != 0);
    }
}

int cli_show_code(FILE *out, const char *path, const tm_trace *tr, int width)
{
    if (!tr->n_sources) {
        fprintf(stderr,
                "coroscope show: %s carries no source code (a trace before format version 3, or from a "
                "C program); record the program again with `coroscope record PROGRAM.py`\n",
                path);
        return 1;
    }
    stop *stops = co_malloc((tr->n_srcrefs ? tr->n_srcrefs : 1) * sizeof *stops);
    if (!stops) {
        fprintf(stderr, "coroscope show: out of memory\n");
        return 1;
    }
    char *note = co_malloc(4096);
    if (!note) {
        co_free(stops);
        fprintf(stderr, "coroscope show: out of memory\n");
        return 1;
    }
    for (uint32_t s = 0; s < tr->n_sources; s++) {
        const tm_source *src = &tr->sources[s];
        size_t n = 0;
        for (size_t i = 0; i < tr->n_srcrefs; i++) {
            const tm_srcref *r = &tr->srcrefs[i];
            const tm_event *e = &tr->events[r->ev];
            if (r->source != s || e->kind != TM_EV_STEP_END || e->task == TM_NONE ||
                (e->detail != TM_REASON_AWAIT && e->detail != TM_REASON_YIELD))
                continue;
            stop *st = &stops[n++];
            *st = (stop){r->line, e->task, e->t, 0, 0, 0};
            st->resumed = resumed_at(tr, e->task, r->ev, &st->t1, &st->thrown);
        }
        qsort(stops, n, sizeof *stops, by_line_then_task);
        int code_w = 0;
        for (uint32_t l = 1; l <= src->n_lines; l++) {
            size_t len;
            const char *text = tm_source_line(tr, s, l, &len);
            int w = display_width(text, len);
            code_w = w > code_w ? w : code_w;
        }
        int num_w = src->n_lines >= 1000 ? 5 : src->n_lines >= 100 ? 4 : 3;
        /* The code column: as wide as the longest line, but leaving the notes a
        ** third of the width; a longer line gets its notes on the lines below. */
        int max_code = width - num_w - 2 - 3 - width / 3;
        if (max_code < 20)
            max_code = 20;
        if (code_w > max_code)
            code_w = max_code;
        int avail = width - num_w - 2 - code_w - 3;
        if (avail < 20)
            avail = 20;
        fputs("── ", out);
        put_note(out, tm_text(tr, src->file), width - 3);
        fprintf(out, " · where each task suspended, and for how long\n   in ");
        put_note(out, path, width - 6);
        fputc('\n', out);
        size_t k = 0;
        for (uint32_t l = 1; l <= src->n_lines; l++) {
            size_t len;
            const char *text = tm_source_line(tr, s, l, &len);
            int w = display_width(text, len);
            fprintf(out, "%*u  ", num_w, l);
            size_t first = k;
            while (k < n && stops[k].line == l)
                k++;
            int full = width - num_w - 2;
            if (k == first) {
                put_code(out, text, len, w < full ? w : full);
                fputc('\n', out);
                continue;
            }
            if (w > code_w) {                      /* the whole line, then the notes below it */
                put_code(out, text, len, w < full ? w : full);
                fprintf(out, "\n%*s", num_w + 2 + code_w, "");
            } else {
                put_code(out, text, len, code_w);
            }
            describe(tr, stops + first, k - first, note, 4096);
            fputs(" │ ", out);
            put_notes(out, note, avail, num_w + 2 + code_w);
            fputc('\n', out);
        }
        if (s + 1 < tr->n_sources)
            fputc('\n', out);
    }
    co_free(note);
    co_free(stops);
    return 0;
}
