/*
** lesson_parse.c -- reading a lesson file (lessons/FORMAT.md) into a
** `lesson`, with every problem found without running anything: the front
** matter's keys, each block's kind, ID and options, the queries (parsed and
** type-checked), the programs (files that exist, scenarios that exist), and
** each variant's edit applied to its program's text.
*/
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "lesson.h"
#include "scenarios/scenarios.h"

/* ---- diagnostics ----------------------------------------------------------------- */

void ls_diag_add(ls_diags *d, const char *file, int line, int column, int warning, const char *fmt, ...)
{
    if (d->n == d->cap) {
        size_t nc = d->cap ? d->cap * 2 : 8;
        ls_diag *g = co_realloc(d->items, nc * sizeof *g);
        if (!g)
            return;
        d->items = g;
        d->cap = nc;
    }
    ls_diag *x = &d->items[d->n];
    x->file = co_strdup(file ? file : "");
    if (!x->file)
        return;
    x->line = line;
    x->column = column;
    x->warning = warning;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(x->message, sizeof x->message, fmt, ap);
    va_end(ap);
    d->n++;
    if (!warning)
        d->errors++;
}

void ls_diags_free(ls_diags *d)
{
    for (size_t i = 0; i < d->n; i++)
        co_free(d->items[i].file);
    co_free(d->items);
    memset(d, 0, sizeof *d);
}

/* Print text with control characters shown as ?: lesson text is the author's, but
** a program's output or a trace's names may be anyone's. */
static void put_clean(FILE *to, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        fputc(*p < 0x20 || *p == 0x7f ? '?' : *p, to);
}

void ls_diags_print(const ls_diags *d, FILE *to)
{
    for (size_t i = 0; i < d->n; i++) {
        const ls_diag *x = &d->items[i];
        put_clean(to, x->file);
        if (x->line)
            fprintf(to, ":%d:%d", x->line, x->column ? x->column : 1);
        fprintf(to, ": %s", x->warning ? "warning: " : "");
        put_clean(to, x->message);
        fputc('\n', to);
    }
}

/* ---- names ------------------------------------------------------------------------- */

const char *ls_kind_name(ls_kind k)
{
    static const char *const n[] = {"prose", "predict", "reveal", "explain", "variant", "task"};
    return (unsigned)k < 6 ? n[k] : "?";
}

const char *ls_ask_name(ls_ask a)
{
    static const char *const n[] = {"choice", "truefalse", "number", "order", "next", "pick", "text"};
    return (unsigned)a < 7 ? n[a] : "?";
}

/* ---- freeing ---------------------------------------------------------------------------- */

static void free_query(ls_query *q)
{
    co_free(q->text);
    lq_free(q->q);
}

void lesson_free(lesson *L)
{
    if (!L)
        return;
    for (size_t i = 0; i < L->n_blocks; i++) {
        ls_block *b = &L->blocks[i];
        co_free(b->id);
        co_free(b->body);
        free_query(&b->answer);
        free_query(&b->at);
        free_query(&b->goal);
        for (size_t k = 0; k < b->n_options; k++) {
            co_free(b->options[k].text);
            co_free(b->options[k].value);
            co_free(b->options[k].feedback);
        }
        co_free(b->options);
        co_free(b->model);
        co_free(b->programs);
        co_free(b->solution);
    }
    co_free(L->blocks);
    for (size_t i = 0; i < L->n_programs; i++) {
        ls_program *p = &L->programs[i];
        co_free(p->name);
        co_free(p->spec);
        co_free(p->path);
        co_free(p->scenario);
        co_free(p->text);
        co_free(p->trace_path);
        tm_free(p->trace);
    }
    co_free(L->programs);
    for (size_t i = 0; i < L->n_topics; i++)
        co_free(L->topics[i]);
    co_free(L->topics);
    co_free(L->path);
    co_free(L->dir);
    co_free(L->title);
    co_free(L->id);
    co_free(L->level);
    co_free(L);
}

/* ---- reading ------------------------------------------------------------------------------ */

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 4096, n = 0;
    char *buf = co_malloc(cap);
    while (buf) {
        if (n + 1024 > cap) {
            char *g = co_realloc(buf, cap * 2);
            if (!g) {
                co_free(buf);
                buf = NULL;
                break;
            }
            buf = g;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    int bad = ferror(f);
    fclose(f);
    if (!buf || bad) {
        co_free(buf);
        return NULL;
    }
    buf[n] = 0;
    if (len)
        *len = n;
    return buf;
}

typedef struct lines {
    char **v;                 /* each line, without its newline (pointers into buf) */
    size_t n;
    char *buf;
} lines;

static int split_lines(char *buf, lines *out)
{
    size_t cap = 64;
    out->v = co_malloc(cap * sizeof *out->v);
    out->n = 0;
    out->buf = buf;
    if (!out->v)
        return -1;
    char *p = buf;
    while (*p) {
        if (out->n == cap) {
            char **g = co_realloc(out->v, cap * 2 * sizeof *g);
            if (!g)
                return -1;
            out->v = g;
            cap *= 2;
        }
        out->v[out->n++] = p;
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = 0;
        if (nl > p && nl[-1] == '\r')
            nl[-1] = 0;
        p = nl + 1;
    }
    return 0;
}

static char *dup_range(const char *s, size_t n)
{
    char *o = co_malloc(n + 1);
    if (o) {
        memcpy(o, s, n);
        o[n] = 0;
    }
    return o;
}

static char *trim_dup(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    return dup_range(s, n);
}

/* A value without a trailing "  # comment". */
static char *value_of(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    const char *hash = NULL;
    for (const char *p = s; *p; p++)
        if (*p == '#' && (p == s || p[-1] == ' ' || p[-1] == '\t')) {
            hash = p;
            break;
        }
    size_t n = hash ? (size_t)(hash - s) : strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n >= 2 && ((s[0] == '"' && s[n - 1] == '"') || (s[0] == '\'' && s[n - 1] == '\'')))
        s++, n -= 2;
    return dup_range(s, n);
}

static int good_id(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
            return 0;
    return 1;
}

/* ---- front matter ------------------------------------------------------------------------- */

typedef struct parse {
    lesson *L;
    ls_diags *d;
    lines ln;
} parse;

#define ERR(ps, line, col, ...) ls_diag_add((ps)->d, (ps)->L->path, (line), (col), 0, __VA_ARGS__)
#define WARN(ps, line, col, ...) ls_diag_add((ps)->d, (ps)->L->path, (line), (col), 1, __VA_ARGS__)

static int add_program(parse *ps, const char *name, const char *spec, int line, int col, int variant)
{
    lesson *L = ps->L;
    for (size_t i = 0; i < L->n_programs; i++)
        if (!strcmp(L->programs[i].name, name)) {
            ERR(ps, line, col, "program '%s' is defined twice (first on line %d); give each program its own name",
                name, L->programs[i].line);
            return -1;
        }
    ls_program *g = co_realloc(L->programs, (L->n_programs + 1) * sizeof *g);
    if (!g)
        return -1;
    L->programs = g;
    ls_program *p = &L->programs[L->n_programs];
    memset(p, 0, sizeof *p);
    p->name = co_strdup(name);
    p->spec = co_strdup(spec);
    p->line = line;
    L->n_programs++;
    if (!p->name || !p->spec)
        return -1;
    if (variant)
        return 0;                          /* its text comes from the block that makes it */
    if (!strncmp(spec, "scenario:", 9)) {
        p->scenario = co_strdup(spec + 9);
        if (!co_scenario_find(spec + 9))
            ERR(ps, line, col, "'%s' is not a built-in scenario; `coroscope list` shows them", spec + 9);
        return 0;
    }
    size_t n = strlen(L->dir) + strlen(spec) + 2;
    p->path = co_malloc(n);
    if (!p->path)
        return -1;
    snprintf(p->path, n, "%s/%s", L->dir, spec);
    size_t len;
    p->text = read_file(p->path, &len);
    if (!p->text)
        ERR(ps, line, col, "program '%s' (%s): cannot read it: %s; put the file beside the lesson", name, spec,
            strerror(errno ? errno : ENOENT));
    else if (strlen(spec) < 4 || strcmp(spec + strlen(spec) - 3, ".py"))
        ERR(ps, line, col, "program '%s' must be a Python file (NAME.py) or scenario:NAME, not '%s'", name, spec);
    return 0;
}

/* A list value: "[a, b]", or the "- item" lines that follow (advancing *i). */
static void read_list(parse *ps, const char *v, size_t *i, char ***out, size_t *n)
{
    char *s = value_of(v);
    if (!s)
        return;
    if (*s == '[') {
        char *e = strrchr(s, ']');
        if (!e)
            ERR(ps, (int)*i + 1, 1, "a list must end with ']'");
        else
            *e = 0;
        for (char *tok = strtok(s + 1, ","); tok; tok = strtok(NULL, ",")) {
            char *t = trim_dup(tok);
            char **g = t && *t ? co_realloc(*out, (*n + 1) * sizeof *g) : NULL;
            if (!g) {
                co_free(t);
                continue;
            }
            *out = g;
            (*out)[(*n)++] = t;
        }
    } else if (!*s) {
        while (*i + 1 < ps->ln.n) {
            const char *l = ps->ln.v[*i + 1];
            while (*l == ' ')
                l++;
            if (l[0] != '-' || l[1] != ' ')
                break;
            (*i)++;
            char *t = value_of(l + 2);
            char **g = t ? co_realloc(*out, (*n + 1) * sizeof *g) : NULL;
            if (!g) {
                co_free(t);
                continue;
            }
            *out = g;
            (*out)[(*n)++] = t;
        }
    } else {
        char **g = co_realloc(*out, (*n + 1) * sizeof *g);
        if (g) {
            *out = g;
            (*out)[(*n)++] = co_strdup(s);
        }
    }
    co_free(s);
}

/* Returns the index of the first body line, or 0 when there is no front matter. */
static size_t front_matter(parse *ps)
{
    lesson *L = ps->L;
    if (!ps->ln.n || strcmp(ps->ln.v[0], "---")) {
        ERR(ps, 1, 1, "a lesson starts with front matter: a line '---', then title:, id:, level:, topics:, "
                      "minutes:, programs:, then '---' (see lessons/FORMAT.md)");
        return 0;
    }
    size_t i = 1;
    int in_programs = 0, id_line = 2, level_line = 2;
    for (; i < ps->ln.n && strcmp(ps->ln.v[i], "---"); i++) {
        const char *l = ps->ln.v[i];
        int line = (int)i + 1;
        const char *s = l;
        while (*s == ' ' || *s == '\t')
            s++;
        if (!*s || *s == '#')
            continue;
        const char *colon = strchr(s, ':');
        if (!colon) {
            ERR(ps, line, (int)(s - l) + 1, "expected 'key: value' in the front matter");
            continue;
        }
        char *key = dup_range(s, (size_t)(colon - s));
        if (!key)
            continue;
        if (s != l) {
            if (!in_programs)
                ERR(ps, line, 1, "an indented line belongs under 'programs:'");
            else {
                char *spec = value_of(colon + 1);
                if (!good_id(key))
                    ERR(ps, line, (int)(s - l) + 1, "program name '%s': use letters, digits, '-' and '_'", key);
                else if (spec && !*spec)
                    ERR(ps, line, (int)(colon - l) + 2, "program '%s' needs a file (NAME.py) or scenario:NAME", key);
                else if (spec)
                    add_program(ps, key, spec, line, (int)(colon - l) + 3, 0);
                co_free(spec);
            }
            co_free(key);
            continue;
        }
        in_programs = 0;
        const char *v = colon + 1;
        char **dest = !strcmp(key, "title") ? &L->title : !strcmp(key, "id") ? &L->id
                    : !strcmp(key, "level") ? &L->level : NULL;
        if (dest) {
            if (dest == &L->id)
                id_line = line;
            if (dest == &L->level)
                level_line = line;
            if (*dest)
                ERR(ps, line, 1, "'%s' is given twice", key);
            co_free(*dest);
            *dest = value_of(v);
        } else if (!strcmp(key, "topics")) {
            read_list(ps, v, &i, &L->topics, &L->n_topics);
        } else if (!strcmp(key, "minutes") || !strcmp(key, "order")) {
            char *x = value_of(v), *end;
            double n = x ? strtod(x, &end) : 0;
            /* the range first: converting 5e119 to int is undefined (fuzz_lesson) */
            if (!x || end == x || *end || !(n >= 0) || (key[0] == 'm' && (n < 1 || n > 600 || n != (int)n)))
                ERR(ps, line, (int)(v - l) + 2, "'%s' takes %s, not '%s'", key,
                    key[0] == 'm' ? "a whole number of minutes (1 to 600)" : "a number", x ? x : "");
            else if (key[0] == 'm')
                L->minutes = (int)n;
            else {
                L->order = n;
                L->has_order = 1;
            }
            co_free(x);
        } else if (!strcmp(key, "programs")) {
            char *x = value_of(v);
            if (x && *x)
                ERR(ps, line, (int)(v - l) + 2, "list the programs on the lines below 'programs:', each "
                                               "indented: '  name: file.py'");
            co_free(x);
            in_programs = 1;
        } else {
            ERR(ps, line, 1, "unknown front-matter key '%s' (known: title, id, level, topics, minutes, programs, "
                             "order)", key);
        }
        co_free(key);
    }
    if (i >= ps->ln.n) {
        ERR(ps, 1, 1, "the front matter has no closing '---' line");
        return 0;
    }
    struct { const char *key; int ok; } need[] = {
        {"title", L->title && *L->title}, {"id", L->id && *L->id}, {"level", L->level && *L->level},
        {"topics", L->n_topics > 0}, {"minutes", L->minutes > 0}, {"programs", L->n_programs > 0},
    };
    for (size_t k = 0; k < sizeof need / sizeof *need; k++)
        if (!need[k].ok)
            ERR(ps, (int)i + 1, 1, "the front matter lacks '%s:'", need[k].key);
    if (L->id && *L->id && !good_id(L->id))
        ERR(ps, id_line, 1, "id '%s': use letters, digits, '-' and '_'", L->id);
    if (L->level && *L->level && strcmp(L->level, "beginner") && strcmp(L->level, "intermediate") &&
        strcmp(L->level, "advanced"))
        ERR(ps, level_line, 1, "level '%s': use beginner, intermediate or advanced", L->level);
    return i + 1;
}

/* ---- blocks ----------------------------------------------------------------------------------- */

static ls_block *new_block(parse *ps, ls_kind kind, int line)
{
    lesson *L = ps->L;
    ls_block *g = co_realloc(L->blocks, (L->n_blocks + 1) * sizeof *g);
    if (!g)
        return NULL;
    L->blocks = g;
    ls_block *b = &L->blocks[L->n_blocks++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    b->line = b->end_line = b->body_line = line;
    return b;
}

static int program_index(const lesson *L, const char *name)
{
    for (size_t i = 0; i < L->n_programs; i++)
        if (!strcmp(L->programs[i].name, name))
            return (int)i;
    return -1;
}

/* Parse a query option; problems point into the file. */
static void set_query(parse *ps, ls_query *q, const char *text, int line, int col, lq_type want, const char *what)
{
    co_free(q->text);   /* an option given twice: the last one counts (fuzz_lesson found the first leaking) */
    lq_free(q->q);
    q->q = NULL;
    q->text = co_strdup(text);
    q->line = line;
    q->column = col;
    lq_error err;
    q->q = lq_parse(text, &err);
    if (!q->q) {
        ERR(ps, line, col + err.column - 1, "%s %s", what, err.message);
        return;
    }
    lq_type t = lq_static_type(q->q);
    if (want != LQ_NONE && t != want && !(want == LQ_SECONDS && t == LQ_COUNT) &&
        !(want == LQ_NAME && t == LQ_TEXT))
        ERR(ps, line, col, "%s must be %s; '%s' is %s", what, lq_type_name(want), text, lq_type_name(t));
}

static int resolve_program(parse *ps, const char *name, int line, int col)
{
    int p = program_index(ps->L, name);
    if (p < 0)
        ERR(ps, line, col, "no program named '%s' (the front matter's programs, or a variant defined above)",
            name);
    return p;
}

/* Split a predict body into the question, the options (with feedback) and a model answer. */
static void predict_body(parse *ps, ls_block *b, size_t first, size_t last)
{
    size_t qlen = 0, mlen = 0;
    char *question = co_calloc(1, 1), *model = NULL;
    int in_model = 0;
    ls_option *cur = NULL;
    for (size_t i = first; i < last; i++) {
        const char *l = ps->ln.v[i];
        int line = (int)i + 1;
        if (!strncmp(l, "Model answer:", 13)) {
            in_model = 1;
            l += 13;
            while (*l == ' ')
                l++;
        }
        if (in_model) {
            size_t n = strlen(l);
            char *g = co_realloc(model, mlen + n + 2);
            if (g) {
                model = g;
                memcpy(model + mlen, l, n);
                mlen += n;
                model[mlen++] = '\n';
                model[mlen] = 0;
            }
            continue;
        }
        if ((l[0] == '-' || l[0] == '*') && l[1] == ' ') {
            ls_option *g = co_realloc(b->options, (b->n_options + 1) * sizeof *g);
            if (!g)
                continue;
            b->options = g;
            cur = &b->options[b->n_options++];
            memset(cur, 0, sizeof *cur);
            cur->line = line;
            char *text = trim_dup(l + 2);
            char *eq = text ? strstr(text, "{=") : NULL;
            if (eq) {
                char *close = strchr(eq, '}');
                if (!close)
                    ERR(ps, line, (int)(eq - text) + 3, "'{= VALUE}' has no closing '}'");
                else {
                    cur->value = trim_dup((*close = 0, eq + 2));
                    *eq = 0;
                    char *t = trim_dup(text);
                    co_free(text);
                    text = t;
                }
            }
            cur->text = text;
            if (!cur->value)
                cur->value = co_strdup(text ? text : "");
            continue;
        }
        const char *s = l;
        while (*s == ' ' || *s == '\t')
            s++;
        if (cur && *s == '>') {
            s++;
            if (*s == ' ')
                s++;
            size_t old = cur->feedback ? strlen(cur->feedback) : 0, n = strlen(s);
            char *g = co_realloc(cur->feedback, old + n + 2);
            if (g) {
                cur->feedback = g;
                if (old)
                    g[old++] = ' ';
                memcpy(g + old, s, n + 1);
            }
            continue;
        }
        if (cur && *s && s != l) {
            ERR(ps, line, 1, "under an option, a line of feedback starts with '>'");
            continue;
        }
        if (cur && *s) {
            ERR(ps, line, 1, "text after the options: put the question before them, and feedback under each "
                             "option as '> ...' lines");
            continue;
        }
        size_t n = strlen(l);
        char *g = co_realloc(question, qlen + n + 2);
        if (g) {
            question = g;
            memcpy(question + qlen, l, n);
            qlen += n;
            question[qlen++] = '\n';
            question[qlen] = 0;
        }
    }
    b->body = question;
    b->model = model;
}

static void plain_body(parse *ps, ls_block *b, size_t first, size_t last)
{
    size_t len = 0;
    for (size_t i = first; i < last; i++)
        len += strlen(ps->ln.v[i]) + 1;
    b->body = co_malloc(len + 1);
    if (!b->body)
        return;
    size_t k = 0;
    for (size_t i = first; i < last; i++) {
        size_t n = strlen(ps->ln.v[i]);
        memcpy(b->body + k, ps->ln.v[i], n);
        k += n;
        b->body[k++] = '\n';
    }
    b->body[k] = 0;
}

/* The fenced code in a variant's body, and the text before it. */
static char *variant_code(parse *ps, size_t first, size_t last, int line, size_t *code_lines)
{
    size_t open = last, close = last;
    for (size_t i = first; i < last; i++)
        if (!strncmp(ps->ln.v[i], "```", 3)) {
            if (open == last)
                open = i;
            else {
                close = i;
                break;
            }
        }
    if (open == last || close == last) {
        ERR(ps, line, 1, "a variant with :replace: needs the new lines as fenced code (```python ... ```) in "
                         "its body");
        return NULL;
    }
    size_t len = 0;
    for (size_t i = open + 1; i < close; i++)
        len += strlen(ps->ln.v[i]) + 1;
    char *code = co_malloc(len + 1);
    if (!code)
        return NULL;
    size_t k = 0;
    for (size_t i = open + 1; i < close; i++) {
        size_t n = strlen(ps->ln.v[i]);
        memcpy(code + k, ps->ln.v[i], n);
        k += n;
        code[k++] = '\n';
    }
    code[k] = 0;
    *code_lines = close - open - 1;
    return code;
}

/* Make the variant program: the :from: program's text with the edit applied. */
static void make_variant(parse *ps, ls_block *b, const char *change, int change_line, const char *replace,
                         int replace_line, size_t first, size_t last)
{
    lesson *L = ps->L;
    const ls_program *from = b->program >= 0 ? &L->programs[b->program] : NULL;
    if (!from)
        return;
    if (!from->text) {
        if (from->scenario)
            ERR(ps, b->line, 1, "a variant changes a Python program; '%s' is a built-in scenario", from->name);
        return;
    }
    if ((change != NULL) == (replace != NULL)) {
        ERR(ps, b->line, 1, "a variant needs exactly one of ':change: OLD => NEW' and ':replace: N-M'");
        return;
    }
    char *text = NULL;
    if (change) {
        const char *arrow = strstr(change, "=>");
        if (!arrow) {
            ERR(ps, change_line, 1, ":change: is 'OLD => NEW'");
            return;
        }
        char *old = dup_range(change, (size_t)(arrow - change)), *neu = trim_dup(arrow + 2);
        char *o = old ? trim_dup(old) : NULL;
        co_free(old);
        if (!o || !neu || !*o) {
            co_free(o);
            co_free(neu);
            if (o || neu)
                ERR(ps, change_line, 1, ":change: needs the text to replace before '=>'");
            return;
        }
        const char *hit = strstr(from->text, o);
        int count = 0;
        for (const char *h = hit; h; h = strstr(h + 1, o))
            count++;
        if (count != 1)
            ERR(ps, change_line, 1, ":change: '%s' occurs %d times in %s; it must occur exactly once (quote more "
                                    "of the line)", o, count, from->spec);
        else {
            size_t a = (size_t)(hit - from->text), ol = strlen(o), nl = strlen(neu), tl = strlen(from->text);
            text = co_malloc(tl - ol + nl + 1);
            if (text) {
                memcpy(text, from->text, a);
                memcpy(text + a, neu, nl);
                memcpy(text + a + nl, hit + ol, tl - a - ol + 1);
            }
        }
        co_free(o);
        co_free(neu);
    } else {
        char *end;
        long a = strtol(replace, &end, 10), z = a;
        if (*end == '-')
            z = strtol(end + 1, &end, 10);
        while (*end == ' ')
            end++;
        size_t n_lines = 0;
        for (const char *p = from->text; *p; p++)
            n_lines += *p == '\n';
        if (*from->text && from->text[strlen(from->text) - 1] != '\n')
            n_lines++;
        if (*end || a < 1 || z < a || (size_t)z > n_lines) {
            ERR(ps, replace_line, 1, ":replace: takes N or N-M, lines of %s (it has %zu), not '%s'", from->spec,
                n_lines, replace);
            return;
        }
        size_t code_n;
        char *code = variant_code(ps, first, last, b->line, &code_n);
        if (!code)
            return;
        /* Copy the lines before a, the code, and the lines after z. */
        size_t tl = strlen(from->text), cl = strlen(code);
        text = co_malloc(tl + cl + 2);
        if (text) {
            size_t k = 0, line = 1;
            for (const char *p = from->text; *p; p++) {
                if (line < (size_t)a || line > (size_t)z)
                    text[k++] = *p;
                if (*p == '\n') {
                    line++;
                    if (line == (size_t)a) {
                        memcpy(text + k, code, cl);
                        k += cl;
                    }
                }
            }
            if (a == 1) {   /* the code goes first */
                memmove(text + cl, text, k);
                memcpy(text, code, cl);
                k += cl;
            }
            text[k] = 0;
        }
        co_free(code);
    }
    if (!text)
        return;
    if (add_program(ps, b->id, b->id, b->line, 1, 1) < 0) {
        co_free(text);
        return;
    }
    from = &L->programs[b->program];   /* add_program moved the array */
    ls_program *p = &L->programs[L->n_programs - 1];
    co_free(p->path);
    co_free(p->spec);
    p->spec = co_strdup(from->spec);
    p->path = co_strdup(from->path);   /* the same base name, written elsewhere when recorded */
    p->text = text;
    p->variant = 1;
}

static const char *const option_names[][8] = {
    [LS_PREDICT] = {"program", "ask", "answer", "at", "tolerance", NULL},
    [LS_REVEAL] = {"program", "programs", "until", NULL},
    [LS_EXPLAIN] = {"program", NULL},
    [LS_VARIANT] = {"from", "change", "replace", NULL},
    [LS_TASK] = {"program", "goal", "solution", NULL},
};

/* Parse the block whose fence is line `start`; returns the line after its closing fence. */
static size_t parse_block(parse *ps, size_t start)
{
    lesson *L = ps->L;
    const char *l = ps->ln.v[start];
    int line = (int)start + 1;
    const char *k = l + 4;                     /* after ":::{" */
    const char *close = strchr(k, '}');
    if (!close) {
        ERR(ps, line, 4, "a block opens with ':::{KIND} ID'");
        return start + 1;
    }
    char *kind = dup_range(k, (size_t)(close - k));
    static const char *const kinds[] = {"predict", "reveal", "explain", "variant", "task"};
    ls_kind kd = LS_PROSE;
    for (int i = 0; i < 5; i++)
        if (kind && !strcmp(kind, kinds[i]))
            kd = (ls_kind)(i + 1);
    /* the closing fence */
    size_t end = start + 1;
    while (end < ps->ln.n && strcmp(ps->ln.v[end], ":::"))
        end++;
    if (kd == LS_PROSE) {
        ERR(ps, line, 5, "unknown block kind '%s' (known: predict, reveal, explain, variant, task)", kind ? kind : "");
        co_free(kind);
        return end < ps->ln.n ? end + 1 : end;
    }
    co_free(kind);
    if (end >= ps->ln.n) {
        ERR(ps, line, 1, "this %s block has no closing ':::' line", kinds[kd - 1]);
        return ps->ln.n;
    }
    ls_block *b = new_block(ps, kd, line);
    if (!b)
        return end + 1;
    b->end_line = (int)end + 1;
    b->program = L->n_programs ? 0 : -1;
    b->ask = LS_ASK_CHOICE;
    char *id = trim_dup(close + 1);
    if (!id || !*id)
        ERR(ps, line, (int)(close - l) + 2, "a %s block needs an ID after its kind: ':::{%s} my-id'",
            kinds[kd - 1], kinds[kd - 1]);
    else if (!good_id(id))
        ERR(ps, line, (int)(close - l) + 3, "block ID '%s': use letters, digits, '-' and '_'", id);
    else
        for (size_t i = 0; i + 1 < L->n_blocks; i++)
            if (L->blocks[i].id && !strcmp(L->blocks[i].id, id))
                ERR(ps, line, (int)(close - l) + 3, "block ID '%s' is used twice (also on line %d)", id,
                    L->blocks[i].line);
    b->id = id;

    /* options */
    size_t i = start + 1;
    const char *change = NULL, *replace = NULL;
    int change_line = 0, replace_line = 0, saw_program = 0;
    for (; i < end && ps->ln.v[i][0] == ':' && ps->ln.v[i][1] != ':'; i++) {
        const char *o = ps->ln.v[i] + 1;
        int oline = (int)i + 1;
        const char *c2 = strchr(o, ':');
        if (!c2) {
            ERR(ps, oline, 1, "an option line is ':name: value'");
            continue;
        }
        char *name = dup_range(o, (size_t)(c2 - o));
        const char *v = c2 + 1;
        while (*v == ' ')
            v++;
        int vcol = (int)(v - ps->ln.v[i]) + 1;
        int known = 0;
        for (int j = 0; option_names[kd][j]; j++)
            known |= name && !strcmp(name, option_names[kd][j]);
        if (!known) {
            char list[200] = "";
            for (int j = 0; option_names[kd][j]; j++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s:%s:", j ? ", " : "",
                         option_names[kd][j]);
            ERR(ps, oline, 2, "a %s block has no option '%s' (it takes %s)", kinds[kd - 1], name ? name : "", list);
        } else if (!strcmp(name, "program") || !strcmp(name, "from")) {
            char *pn = trim_dup(v);
            b->program = pn ? resolve_program(ps, pn, oline, vcol) : -1;
            saw_program = 1;
            co_free(pn);
        } else if (!strcmp(name, "programs")) {
            char *list = co_strdup(v);
            for (char *tok = list ? strtok(list, ",") : NULL; tok; tok = strtok(NULL, ",")) {
                char *pn = trim_dup(tok);
                int p = pn ? resolve_program(ps, pn, oline, vcol) : -1;
                int *g = p >= 0 ? co_realloc(b->programs, (b->n_programs + 1) * sizeof *g) : NULL;
                if (g) {
                    b->programs = g;
                    b->programs[b->n_programs++] = p;
                }
                co_free(pn);
            }
            co_free(list);
            saw_program = 1;
        } else if (!strcmp(name, "ask")) {
            int found = 0;
            for (int a = 0; a < 7; a++)
                if (!strcmp(v, ls_ask_name((ls_ask)a))) {
                    b->ask = (ls_ask)a;
                    found = 1;
                }
            if (!found)
                ERR(ps, oline, vcol, ":ask: '%s' is not a kind of question (choice, truefalse, number, order, next, "
                                     "pick, text)", v);
        } else if (!strcmp(name, "answer")) {
            set_query(ps, &b->answer, v, oline, vcol, LQ_NONE, ":answer:");
        } else if (!strcmp(name, "at") || !strcmp(name, "until")) {
            set_query(ps, &b->at, v, oline, vcol, LQ_EVENT, name[0] == 'a' ? ":at:" : ":until:");
        } else if (!strcmp(name, "goal")) {
            set_query(ps, &b->goal, v, oline, vcol, LQ_BOOL, ":goal:");
        } else if (!strcmp(name, "tolerance")) {
            char *e2;
            b->tolerance = strtod(v, &e2);
            if (e2 == v || b->tolerance < 0)
                ERR(ps, oline, vcol, ":tolerance: takes a number of seconds (or of the answer's unit), not '%s'", v);
        } else if (!strcmp(name, "solution")) {
            size_t n = strlen(L->dir) + strlen(v) + 2;
            co_free(b->solution);   /* given twice: the last one counts (fuzz_lesson) */
            b->solution = co_malloc(n);
            if (b->solution) {
                snprintf(b->solution, n, "%s/%s", L->dir, v);
                FILE *f = fopen(b->solution, "r");
                if (!f)
                    ERR(ps, oline, vcol, ":solution: cannot read %s: %s", v, strerror(errno));
                else
                    fclose(f);
            }
        } else if (!strcmp(name, "change")) {
            change = v;
            change_line = oline;
        } else if (!strcmp(name, "replace")) {
            replace = v;
            replace_line = oline;
        }
        co_free(name);
    }
    b->body_line = (int)i + 1;
    if (kd == LS_REVEAL && !b->n_programs && b->program >= 0) {
        b->programs = co_malloc(sizeof *b->programs);
        if (b->programs)
            b->programs[b->n_programs++] = b->program;
    }
    (void)saw_program;

    if (kd == LS_PREDICT) {
        predict_body(ps, b, i, end);
        int needs_options = b->ask == LS_ASK_CHOICE || b->ask == LS_ASK_ORDER;
        if (needs_options && b->n_options < 2)
            ERR(ps, line, 1, "a %s question needs at least two options ('- ...' lines)", ls_ask_name(b->ask));
        if (b->ask != LS_ASK_TEXT && !b->answer.text)
            ERR(ps, line, 1, "predict '%s' needs ':answer: QUERY' (the right answer comes from the trace)",
                b->id ? b->id : "");
        if (b->ask == LS_ASK_TEXT && !b->model)
            WARN(ps, line, 1, "a text question should end with a 'Model answer:' paragraph");
        if (b->ask == LS_ASK_NEXT && !b->at.text)
            ERR(ps, line, 1, "a 'next' question needs ':at: EVENT' (the moment to ask what runs next)");
        if (b->answer.q) {
            lq_type t = lq_static_type(b->answer.q);
            const char *want = NULL;
            switch (b->ask) {
            case LS_ASK_NUMBER: want = t == LQ_SECONDS || t == LQ_COUNT ? NULL : "a number"; break;
            case LS_ASK_ORDER: want = t == LQ_LIST ? NULL : "a list"; break;
            case LS_ASK_TRUEFALSE: want = t == LQ_BOOL ? NULL : "yes or no"; break;
            case LS_ASK_NEXT: want = t == LQ_NAME || t == LQ_TEXT ? NULL : "a task's name"; break;
            case LS_ASK_PICK: want = t == LQ_EVENT ? NULL : "an event"; break;
            case LS_ASK_CHOICE: want = t == LQ_EVENT ? "a value (not an event: use :ask: pick)" : NULL; break;
            default: break;
            }
            if (want)
                ERR(ps, b->answer.line, b->answer.column, "a %s question's :answer: must be %s; '%s' is %s",
                    ls_ask_name(b->ask), want, b->answer.text, lq_type_name(t));
        }
    } else if (kd == LS_VARIANT) {
        plain_body(ps, b, i, end);
        if (!saw_program && L->n_programs)
            b->program = 0;
        if (b->id)
            make_variant(ps, b, change, change_line, replace, replace_line, i, end);
    } else {
        plain_body(ps, b, i, end);
        if (kd == LS_TASK && !b->goal.text)
            ERR(ps, line, 1, "a task needs ':goal: QUERY' (a yes/no question about the edited program's trace)");
        if (kd == LS_TASK && b->program >= 0 && !L->programs[b->program].text)
            ERR(ps, line, 1, "a task edits a Python program; '%s' is not one", L->programs[b->program].name);
        if (kd == LS_EXPLAIN || kd == LS_REVEAL) {
            /* every {{ query }} must parse */
            for (const char *p = b->body; p && (p = strstr(p, "{{")); p += 2) {
                const char *z = strstr(p, "}}");
                int qline = b->body_line;
                for (const char *c = b->body; c < p; c++)
                    qline += *c == '\n';
                if (!z) {
                    ERR(ps, qline, 1, "'{{' without its closing '}}'");
                    break;
                }
                char *inner = dup_range(p + 2, (size_t)(z - p - 2));
                char *qtext = inner;
                const char *colon = inner ? strchr(inner, ':') : NULL;
                if (colon) {             /* {{ program: query }} */
                    char *pn = dup_range(inner, (size_t)(colon - inner));
                    char *pt = pn ? trim_dup(pn) : NULL;
                    if (pt && good_id(pt)) {
                        resolve_program(ps, pt, qline, 1);
                        qtext = (char *)colon + 1;
                    }
                    co_free(pn);
                    co_free(pt);
                }
                lq_error err;
                lq_node *q = qtext ? lq_parse(qtext, &err) : NULL;
                if (!q && qtext)
                    ERR(ps, qline, 1, "in {{%s}}: %s", inner, err.message);
                lq_free(q);
                co_free(inner);
            }
        }
    }
    return end + 1;
}

static void add_prose(parse *ps, size_t first, size_t last)
{
    while (first < last && !*ps->ln.v[first])
        first++;
    while (last > first && !*ps->ln.v[last - 1])
        last--;
    if (first >= last)
        return;
    ls_block *b = new_block(ps, LS_PROSE, (int)first + 1);
    if (!b)
        return;
    b->end_line = (int)last;
    plain_body(ps, b, first, last);
}

lesson *lesson_load(const char *path, ls_diags *d)
{
    size_t len;
    errno = 0;
    char *buf = read_file(path, &len);
    if (!buf) {
        ls_diag_add(d, path, 0, 0, 0, "cannot read the lesson: %s", strerror(errno ? errno : EIO));
        return NULL;
    }
    lesson *L = co_calloc(1, sizeof *L);
    if (!L) {
        co_free(buf);
        return NULL;
    }
    L->path = co_strdup(path);
    const char *slash = strrchr(path, '/');
    L->dir = slash ? dup_range(path, (size_t)(slash - path)) : co_strdup(".");
    parse ps = {L, d, {0}};
    if (!L->path || !L->dir || split_lines(buf, &ps.ln) < 0) {
        co_free(ps.ln.v);
        co_free(buf);
        lesson_free(L);
        return NULL;
    }
    size_t body = front_matter(&ps);
    if (!body) {
        co_free(ps.ln.v);
        co_free(buf);
        lesson_free(L);
        return NULL;
    }
    size_t prose = body;
    int in_code = 0;
    for (size_t i = body; i < ps.ln.n;) {
        const char *l = ps.ln.v[i];
        if (!strncmp(l, "```", 3))
            in_code = !in_code;
        if (!in_code && !strncmp(l, ":::{", 4)) {
            add_prose(&ps, prose, i);
            i = parse_block(&ps, i);
            prose = i;
            continue;
        }
        if (!in_code && !strcmp(l, ":::"))
            ERR(&ps, (int)i + 1, 1, "a ':::' line that closes no block");
        i++;
    }
    add_prose(&ps, prose, ps.ln.n);
    co_free(ps.ln.v);
    co_free(buf);
    return L;
}

int lesson_find_block(const lesson *L, const char *id)
{
    for (size_t i = 0; i < L->n_blocks; i++)
        if (L->blocks[i].id && !strcmp(L->blocks[i].id, id))
            return (int)i;
    return -1;
}

size_t lesson_graded(const lesson *L)
{
    size_t n = 0;
    for (size_t i = 0; i < L->n_blocks; i++)
        n += (L->blocks[i].kind == LS_PREDICT && L->blocks[i].ask != LS_ASK_TEXT) || L->blocks[i].kind == LS_TASK;
    return n;
}
