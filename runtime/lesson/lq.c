/*
** lq.c -- parsing and evaluating lesson queries (see lq.h; the language is
** documented in docs/LESSONS.md).
**
** The grammar, loosest binding first:
**
**     query := and ("or" and)*
**     and   := not ("and" not)*
**     not   := "not" not | cmp
**     cmp   := term (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") term)?
**     term  := NUMBER | STRING | "[" [query ("," query)*] "]" | "(" query ")"
**            | NAME | NAME "(" [query ("," query)*] ")"
**
** A NAME alone is a query without arguments (`makespan`); with parentheses it
** is a function (`done_at("a")`). Every name is in the table `fns` below, with
** the arguments it takes and the type it gives, so a misspelt name or a wrong
** argument is caught when the lesson is checked, before any program runs.
*/
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "lq.h"

/* ---- the tree ------------------------------------------------------------------ */

typedef enum node_kind { N_NUM, N_STR, N_LIST, N_CALL, N_CMP, N_AND, N_OR, N_NOT } node_kind;

typedef enum cmp_op { OP_EQ, OP_NE, OP_LT, OP_LE, OP_GT, OP_GE, OP_IN } cmp_op;

struct lq_node {
    node_kind kind;
    int column;               /* where it starts in the query text */
    double num;               /* N_NUM */
    char *text;               /* N_STR: the string; N_CALL: the name */
    int fn;                   /* N_CALL: index in fns */
    cmp_op op;                /* N_CMP */
    lq_node **kids;           /* arguments, list items, operands */
    size_t n_kids;
};

void lq_free(lq_node *q)
{
    if (!q)
        return;
    for (size_t i = 0; i < q->n_kids; i++)
        lq_free(q->kids[i]);
    co_free(q->kids);
    co_free(q->text);
    co_free(q);
}

/* ---- values --------------------------------------------------------------------- */

void lq_value_free(lq_value *v)
{
    if (!v)
        return;
    co_free(v->text);
    for (size_t i = 0; i < v->n; i++)
        lq_value_free(&v->items[i]);
    co_free(v->items);
    memset(v, 0, sizeof *v);
}

int lq_value_copy(lq_value *dst, const lq_value *src)
{
    *dst = *src;
    dst->text = NULL;
    dst->items = NULL;
    dst->n = 0;
    if (src->text && !(dst->text = co_strdup(src->text)))
        return -1;
    if (src->n) {
        dst->items = co_calloc(src->n, sizeof *dst->items);
        if (!dst->items)
            return -1;
        for (size_t i = 0; i < src->n; i++) {
            dst->n = i + 1;
            if (lq_value_copy(&dst->items[i], &src->items[i]) < 0)
                return -1;
        }
    }
    return 0;
}

const char *lq_type_name(lq_type t)
{
    switch (t) {
    case LQ_SECONDS: return "a time in seconds";
    case LQ_COUNT: return "a whole number";
    case LQ_TEXT: return "a text";
    case LQ_NAME: return "a task's name";
    case LQ_BOOL: return "yes or no";
    case LQ_EVENT: return "an event";
    case LQ_LIST: return "a list";
    default: return "nothing";
    }
}

static int is_number(const lq_value *v)
{
    return v->type == LQ_SECONDS || v->type == LQ_COUNT;
}

static int is_string(const lq_value *v)
{
    return v->type == LQ_TEXT || v->type == LQ_NAME;
}

int lq_value_equal(const lq_value *a, const lq_value *b)
{
    if (is_number(a) && is_number(b))
        return fabs(a->num - b->num) <= 1e-9 * (1 + fabs(a->num));
    if (is_string(a) && is_string(b))
        return !strcmp(a->text ? a->text : "", b->text ? b->text : "");
    if (a->type != b->type)
        return 0;
    switch (a->type) {
    case LQ_BOOL: return (a->num != 0) == (b->num != 0);
    case LQ_EVENT: return a->ev == b->ev;
    case LQ_LIST:
        if (a->n != b->n)
            return 0;
        for (size_t i = 0; i < a->n; i++)
            if (!lq_value_equal(&a->items[i], &b->items[i]))
                return 0;
        return 1;
    default: return 1;
    }
}

static char *seconds_text(double s, char *buf, size_t size)
{
    tm_format_seconds(s, buf, size);
    if (!strcmp(buf, "0"))
        snprintf(buf, size, "0 s");
    return buf;
}

char *lq_value_format(const lq_value *v, const tm_trace *tr, char *buf, size_t size)
{
    if (!size)
        return buf;
    buf[0] = 0;
    switch (v->type) {
    case LQ_SECONDS: return seconds_text(v->num, buf, size);
    case LQ_COUNT: snprintf(buf, size, "%.0f", v->num); break;
    case LQ_TEXT:
    case LQ_NAME: snprintf(buf, size, "%s", v->text ? v->text : ""); break;
    case LQ_BOOL: snprintf(buf, size, "%s", v->num ? "yes" : "no"); break;
    case LQ_EVENT:
        if (tr && v->ev < tr->n_events)
            snprintf(buf, size, "event %u (%s at %s)", tm_event_seq(tr, v->ev),
                     tm_kind_name((tm_kind)tr->events[v->ev].kind),
                     seconds_text(tr->events[v->ev].t, (char[32]){0}, 32));
        else
            snprintf(buf, size, "event %u", v->ev);
        break;
    case LQ_LIST: {
        size_t len = 0;
        if (!v->n)
            snprintf(buf, size, "(none)");
        for (size_t i = 0; i < v->n && len + 1 < size; i++) {
            char item[512];
            lq_value_format(&v->items[i], tr, item, sizeof item);
            int k = snprintf(buf + len, size - len, "%s%s", i ? ", " : "", item);
            if (k < 0)
                break;
            len += (size_t)k < size - len ? (size_t)k : size - len - 1;
        }
        break;
    }
    default: snprintf(buf, size, "nothing"); break;
    }
    return buf;
}

/* ---- reading answers ------------------------------------------------------------ */

static const char *skip_space(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    return s;
}

/* Text with spaces, and one pair of matching quotes or backticks, taken off. */
static char *clean_text(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
        n--;
    if (n >= 2 && (s[0] == '`' || s[0] == '"' || s[0] == '\'') && s[n - 1] == s[0])
        s++, n -= 2;
    char *out = co_malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = 0;
    }
    return out;
}

static int read_seconds(const char *text, double *out)
{
    char *end;
    const char *s = skip_space(text);
    double v = strtod(s, &end);
    if (end == s || !isfinite(v))
        return -1;
    const char *u = skip_space(end);
    double scale = 1;
    if (!strncmp(u, "ms", 2))
        scale = 1e-3, u += 2;
    else if (!strncmp(u, "µs", 3))
        scale = 1e-6, u += 3;
    else if (!strncmp(u, "us", 2))
        scale = 1e-6, u += 2;
    else if (!strncmp(u, "min", 3))
        scale = 60, u += 3;
    else if (!strncmp(u, "seconds", 7))
        u += 7;
    else if (!strncmp(u, "second", 6))
        u += 6;
    else if (*u == 's')
        u++;
    u = skip_space(u);
    if (*u)
        return -1;
    *out = v * scale;
    return 0;
}

static int read_one(const char *s, size_t n, lq_type type, lq_value *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    char *t = clean_text(s, n);
    if (!t) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    out->type = type;
    int rc = 0;
    switch (type) {
    case LQ_SECONDS:
        if (read_seconds(t, &out->num) < 0) {
            snprintf(err, errlen, "'%s' is not a time (write e.g. 3 s, 1.5 s or 250 ms)", t);
            rc = -1;
        }
        break;
    case LQ_COUNT: {
        char *end;
        long long v = strtoll(skip_space(t), &end, 10);
        if (end == skip_space(t) || *skip_space(end)) {
            snprintf(err, errlen, "'%s' is not a whole number", t);
            rc = -1;
        }
        out->num = (double)v;
        break;
    }
    case LQ_BOOL: {
        char low[16] = {0};
        for (size_t i = 0; t[i] && i < sizeof low - 1; i++)
            low[i] = (char)tolower((unsigned char)t[i]);
        if (!strcmp(low, "true") || !strcmp(low, "yes") || !strcmp(low, "t") || !strcmp(low, "y"))
            out->num = 1;
        else if (!strcmp(low, "false") || !strcmp(low, "no") || !strcmp(low, "f") || !strcmp(low, "n"))
            out->num = 0;
        else {
            snprintf(err, errlen, "'%s' is not yes or no (write true or false)", t);
            rc = -1;
        }
        break;
    }
    case LQ_EVENT:
        snprintf(err, errlen, "an event is picked on the timeline, not written");
        rc = -1;
        break;
    default:
        out->type = type == LQ_NAME ? LQ_NAME : LQ_TEXT;
        out->text = t;
        t = NULL;
        break;
    }
    co_free(t);
    return rc;
}

int lq_value_read(const char *text, const lq_value *like, lq_value *out, char *err, size_t errlen)
{
    if (like->type != LQ_LIST)
        return read_one(text, strlen(text), like->type, out, err, errlen);
    lq_type item = like->n ? like->items[0].type : LQ_TEXT;
    memset(out, 0, sizeof *out);
    out->type = LQ_LIST;
    const char *s = skip_space(text);
    size_t len = strlen(s);
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\n' || s[len - 1] == '\r'))
        len--;
    int bracket = len >= 2 && s[0] == '[' && s[len - 1] == ']';
    if (bracket)
        s++, len -= 2;
    /* Items: separated by commas (outside quotes), or by arrows. */
    size_t cap = 0;
    const char *p = s, *end = s + len;
    while (p <= end) {
        const char *q = p;
        char quote = 0;
        while (q < end) {
            if (quote) {
                if (*q == quote)
                    quote = 0;
            } else if (*q == '\'' || *q == '"' || *q == '`') {
                quote = *q;
            } else if (*q == ',' || !strncmp(q, "→", 3) || !strncmp(q, "->", 2)) {
                break;
            }
            q++;
        }
        const char *a = p;
        size_t n = (size_t)(q - p);
        const char *chk = a;
        while (chk < q && (*chk == ' ' || *chk == '\t'))
            chk++;
        if (chk < q) {
            if (out->n == cap) {
                size_t nc = cap ? cap * 2 : 8;
                lq_value *g = co_realloc(out->items, nc * sizeof *g);
                if (!g) {
                    lq_value_free(out);
                    snprintf(err, errlen, "out of memory");
                    return -1;
                }
                out->items = g;
                cap = nc;
            }
            if (read_one(a, n, item, &out->items[out->n], err, errlen) < 0) {
                lq_value_free(out);
                return -1;
            }
            out->n++;
        } else if (q < end || out->n) {
            lq_value_free(out);
            snprintf(err, errlen, "an empty item in the list '%s'", text);
            return -1;
        }
        if (q >= end)
            break;
        p = q + (*q == ',' ? 1 : *q == '-' ? 2 : 3);
    }
    return 0;
}

/* ---- the lexer and parser ----------------------------------------------------------- */

typedef struct parser {
    const char *src, *p;
    lq_error *err;
    int failed;
} parser;

static void fail(parser *ps, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fail(parser *ps, const char *at, const char *fmt, ...)
{
    if (ps->failed)
        return;
    ps->failed = 1;
    if (ps->err) {
        ps->err->column = (int)(at - ps->src) + 1;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
        va_end(ap);
    }
}

static void space(parser *ps)
{
    while (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r')
        ps->p++;
}

static int is_word(parser *ps, const char *w)
{
    space(ps);
    size_t n = strlen(w);
    return !strncmp(ps->p, w, n) && !isalnum((unsigned char)ps->p[n]) && ps->p[n] != '_';
}

static lq_node *new_node(parser *ps, node_kind kind, const char *at)
{
    lq_node *n = co_calloc(1, sizeof *n);
    if (!n)
        fail(ps, at, "out of memory");
    else {
        n->kind = kind;
        n->column = (int)(at - ps->src) + 1;
    }
    return n;
}

static int add_kid(parser *ps, lq_node *n, lq_node *kid)
{
    if (!kid)
        return -1;
    lq_node **k = co_realloc(n->kids, (n->n_kids + 1) * sizeof *k);
    if (!k) {
        lq_free(kid);
        fail(ps, ps->p, "out of memory");
        return -1;
    }
    n->kids = k;
    n->kids[n->n_kids++] = kid;
    return 0;
}

static lq_node *parse_or(parser *ps);

/* ---- the names ------------------------------------------------------------------------ */

/* Argument kinds. */
enum { A_TASK = 1, A_TEXT, A_EVENT, A_WHEN, A_COUNT, A_LIST };

typedef struct fn_def {
    const char *name;
    int min, max;              /* how many arguments */
    uint8_t args[2];           /* their kinds */
    lq_type type;              /* what it gives */
    lq_type item;              /* for a list: the items' type */
    const char *what;          /* for messages: the arguments it wants */
} fn_def;

static const fn_def fns[] = {
    /* whole-run figures */
    {"makespan", 0, 0, {0}, LQ_SECONDS, 0, ""},
    {"idle", 0, 0, {0}, LQ_SECONDS, 0, ""},
    {"peak", 0, 0, {0}, LQ_COUNT, 0, ""},
    {"prints", 0, 0, {0}, LQ_LIST, LQ_TEXT, ""},
    {"finish_order", 0, 0, {0}, LQ_LIST, LQ_NAME, ""},
    {"first_done", 0, 0, {0}, LQ_NAME, 0, ""},
    {"last_done", 0, 0, {0}, LQ_NAME, 0, ""},
    {"tasks", 0, 0, {0}, LQ_LIST, LQ_NAME, ""},
    {"findings", 0, 0, {0}, LQ_LIST, LQ_TEXT, ""},
    {"start", 0, 0, {0}, LQ_EVENT, 0, ""},
    {"end", 0, 0, {0}, LQ_EVENT, 0, ""},
    /* tasks */
    {"done_at", 1, 1, {A_TASK}, LQ_SECONDS, 0, "(TASK)"},
    {"started_at", 1, 1, {A_TASK}, LQ_SECONDS, 0, "(TASK)"},
    {"steps", 1, 1, {A_TASK}, LQ_COUNT, 0, "(TASK)"},
    {"cancelled", 1, 1, {A_TASK}, LQ_BOOL, 0, "(TASK)"},
    {"exception", 1, 1, {A_TASK}, LQ_TEXT, 0, "(TASK)"},
    {"message", 1, 1, {A_TASK}, LQ_TEXT, 0, "(TASK)"},
    {"result", 1, 1, {A_TASK}, LQ_TEXT, 0, "(TASK)"},
    {"outcome", 1, 1, {A_TASK}, LQ_TEXT, 0, "(TASK)"},
    {"state", 2, 2, {A_TASK, A_WHEN}, LQ_TEXT, 0, "(TASK, TIME or EVENT)"},
    {"waits_on", 2, 2, {A_TASK, A_WHEN}, LQ_TEXT, 0, "(TASK, TIME or EVENT)"},
    {"line", 2, 2, {A_TASK, A_WHEN}, LQ_COUNT, 0, "(TASK, TIME or EVENT)"},
    /* printed lines */
    {"printed_at", 1, 1, {A_TEXT}, LQ_SECONDS, 0, "(TEXT)"},
    {"printed_by", 1, 1, {A_TEXT}, LQ_NAME, 0, "(TEXT)"},
    /* the loop at a moment */
    {"ready_at", 1, 1, {A_WHEN}, LQ_LIST, LQ_NAME, "(EVENT or TIME)"},
    {"timers_at", 1, 1, {A_WHEN}, LQ_LIST, LQ_SECONDS, "(EVENT or TIME)"},
    {"next_after", 1, 1, {A_WHEN}, LQ_NAME, 0, "(EVENT or TIME)"},
    {"running_at", 1, 1, {A_WHEN}, LQ_NAME, 0, "(EVENT or TIME)"},
    {"time_of", 1, 1, {A_EVENT}, LQ_SECONDS, 0, "(EVENT)"},
    {"elapsed", 2, 2, {A_EVENT, A_EVENT}, LQ_SECONDS, 0, "(EVENT, EVENT)"},
    /* combinators' results */
    {"gather_result", 0, 1, {A_COUNT}, LQ_TEXT, 0, "([N])"},
    {"wait_done", 0, 1, {A_COUNT}, LQ_LIST, LQ_NAME, "([N])"},
    {"wait_pending", 0, 1, {A_COUNT}, LQ_LIST, LQ_NAME, "([N])"},
    /* findings, lists */
    {"finding", 1, 1, {A_TEXT}, LQ_BOOL, 0, "(KIND)"},
    {"count", 1, 1, {A_LIST}, LQ_COUNT, 0, "(LIST)"},
    /* events */
    {"print", 1, 1, {A_TEXT}, LQ_EVENT, 0, "(TEXT)"},
    {"done", 1, 1, {A_TASK}, LQ_EVENT, 0, "(TASK)"},
    {"created", 1, 1, {A_TASK}, LQ_EVENT, 0, "(TASK)"},
    {"cancel", 1, 1, {A_TASK}, LQ_EVENT, 0, "(TASK)"},
    {"step", 1, 2, {A_TASK, A_COUNT}, LQ_EVENT, 0, "(TASK[, N])"},
    {"suspend", 1, 2, {A_TASK, A_COUNT}, LQ_EVENT, 0, "(TASK[, N])"},
    {"wake", 1, 2, {A_TASK, A_COUNT}, LQ_EVENT, 0, "(TASK[, N])"},
    {"time", 1, 1, {A_COUNT}, LQ_EVENT, 0, "(SECONDS)"},
    {"seq", 1, 1, {A_COUNT}, LQ_EVENT, 0, "(N)"},
};
#define N_FNS (sizeof fns / sizeof *fns)

static int find_fn(const char *name, size_t n)
{
    for (size_t i = 0; i < N_FNS; i++)
        if (strlen(fns[i].name) == n && !strncmp(fns[i].name, name, n))
            return (int)i;
    return -1;
}

/* The closest known name, for "did you mean". */
static const char *nearest(const char *name, size_t n)
{
    const char *best = NULL;
    size_t best_d = 3;
    for (size_t i = 0; i < N_FNS; i++) {
        const char *f = fns[i].name;
        size_t m = strlen(f), d = 0;
        /* a cheap distance: differing positions plus the length difference */
        for (size_t k = 0; k < n && k < m; k++)
            d += name[k] != f[k];
        d += n > m ? n - m : m - n;
        if (d < best_d) {
            best_d = d;
            best = f;
        }
    }
    return best;
}

static lq_node *parse_term(parser *ps)
{
    space(ps);
    const char *at = ps->p;
    char c = *ps->p;
    if (c == '(') {
        ps->p++;
        lq_node *q = parse_or(ps);
        space(ps);
        if (*ps->p != ')') {
            fail(ps, ps->p, "a ')' is missing here");
            lq_free(q);
            return NULL;
        }
        ps->p++;
        return q;
    }
    if (c == '[') {
        ps->p++;
        lq_node *n = new_node(ps, N_LIST, at);
        if (!n)
            return NULL;
        space(ps);
        if (*ps->p == ']') {
            ps->p++;
            return n;
        }
        for (;;) {
            if (add_kid(ps, n, parse_or(ps)) < 0) {
                lq_free(n);
                return NULL;
            }
            space(ps);
            if (*ps->p == ',') {
                ps->p++;
                continue;
            }
            if (*ps->p == ']') {
                ps->p++;
                return n;
            }
            fail(ps, ps->p, "expected ',' or ']' in the list");
            lq_free(n);
            return NULL;
        }
    }
    if (c == '"' || c == '\'') {
        const char *s = ++ps->p;
        while (*ps->p && *ps->p != c)
            ps->p += ps->p[0] == '\\' && ps->p[1] ? 2 : 1;
        if (*ps->p != c) {
            fail(ps, at, "this string has no closing %c", c);
            return NULL;
        }
        lq_node *n = new_node(ps, N_STR, at);
        if (!n)
            return NULL;
        n->text = co_malloc((size_t)(ps->p - s) + 1);
        if (!n->text) {
            lq_free(n);
            fail(ps, at, "out of memory");
            return NULL;
        }
        size_t k = 0;
        for (const char *q = s; q < ps->p; q++) {
            if (*q == '\\' && q + 1 < ps->p)
                q++;
            n->text[k++] = *q;
        }
        n->text[k] = 0;
        ps->p++;
        return n;
    }
    if (isdigit((unsigned char)c) || (c == '-' && isdigit((unsigned char)ps->p[1])) || c == '.') {
        char *end;
        double v = strtod(ps->p, &end);
        if (end == ps->p) {
            fail(ps, at, "not a number");
            return NULL;
        }
        ps->p = end;
        if (!strncmp(ps->p, "ms", 2) && !isalnum((unsigned char)ps->p[2]))
            v *= 1e-3, ps->p += 2;
        else if (*ps->p == 's' && !isalnum((unsigned char)ps->p[1]))
            ps->p++;
        lq_node *n = new_node(ps, N_NUM, at);
        if (n)
            n->num = v;
        return n;
    }
    if (isalpha((unsigned char)c) || c == '_') {
        const char *s = ps->p;
        while (isalnum((unsigned char)*ps->p) || *ps->p == '_')
            ps->p++;
        size_t len = (size_t)(ps->p - s);
        int fn = find_fn(s, len);
        if (fn < 0) {
            const char *near = nearest(s, len);
            if (near)
                fail(ps, at, "unknown name '%.*s' (did you mean '%s'? docs/LESSONS.md lists them)", (int)len, s,
                     near);
            else
                fail(ps, at, "unknown name '%.*s' (docs/LESSONS.md lists the names a query can use)", (int)len, s);
            return NULL;
        }
        lq_node *n = new_node(ps, N_CALL, at);
        if (!n)
            return NULL;
        n->fn = fn;
        space(ps);
        if (*ps->p == '(') {
            ps->p++;
            space(ps);
            if (*ps->p != ')') {
                for (;;) {
                    if (add_kid(ps, n, parse_or(ps)) < 0) {
                        lq_free(n);
                        return NULL;
                    }
                    space(ps);
                    if (*ps->p == ',') {
                        ps->p++;
                        continue;
                    }
                    break;
                }
            }
            if (*ps->p != ')') {
                fail(ps, ps->p, "expected ',' or ')' after an argument of %s", fns[fn].name);
                lq_free(n);
                return NULL;
            }
            ps->p++;
        }
        const fn_def *f = &fns[fn];
        if ((int)n->n_kids < f->min || (int)n->n_kids > f->max) {
            if (f->max == 0)
                fail(ps, at, "%s takes no arguments", f->name);
            else
                fail(ps, at, "%s takes %s", f->name, f->what);
            lq_free(n);
            return NULL;
        }
        return n;
    }
    if (!c)
        fail(ps, at, "the query ends where a value should be");
    else
        fail(ps, at, "unexpected '%c'", c);
    return NULL;
}

static lq_node *parse_cmp(parser *ps)
{
    lq_node *a = parse_term(ps);
    if (!a)
        return NULL;
    space(ps);
    static const struct { const char *s; cmp_op op; } ops[] = {
        {"==", OP_EQ}, {"!=", OP_NE}, {"<=", OP_LE}, {">=", OP_GE}, {"<", OP_LT}, {">", OP_GT},
    };
    const char *at = ps->p;
    int op = -1;
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        size_t n = strlen(ops[i].s);
        if (!strncmp(ps->p, ops[i].s, n)) {
            op = (int)ops[i].op;
            ps->p += n;
            break;
        }
    }
    if (op < 0 && is_word(ps, "in")) {
        op = OP_IN;
        ps->p += 2;
    }
    if (op < 0) {
        if (*ps->p == '=') {
            fail(ps, ps->p, "use '==' to compare");
            lq_free(a);
            return NULL;
        }
        return a;
    }
    lq_node *n = new_node(ps, N_CMP, at);
    if (!n) {
        lq_free(a);
        return NULL;
    }
    n->op = (cmp_op)op;
    if (add_kid(ps, n, a) < 0 || add_kid(ps, n, parse_term(ps)) < 0) {
        lq_free(n);
        return NULL;
    }
    return n;
}

static lq_node *parse_not(parser *ps)
{
    if (is_word(ps, "not")) {
        const char *at = ps->p;
        ps->p += 3;
        lq_node *n = new_node(ps, N_NOT, at);
        if (!n || add_kid(ps, n, parse_not(ps)) < 0) {
            lq_free(n);
            return NULL;
        }
        return n;
    }
    return parse_cmp(ps);
}

static lq_node *parse_chain(parser *ps, const char *word, node_kind kind, lq_node *(*sub)(parser *))
{
    lq_node *a = sub(ps);
    if (!a)
        return NULL;
    while (is_word(ps, word)) {
        const char *at = ps->p;
        ps->p += strlen(word);
        lq_node *n = new_node(ps, kind, at);
        if (!n) {
            lq_free(a);
            return NULL;
        }
        if (add_kid(ps, n, a) < 0 || add_kid(ps, n, sub(ps)) < 0) {
            lq_free(n);
            return NULL;
        }
        a = n;
    }
    return a;
}

static lq_node *parse_and(parser *ps)
{
    return parse_chain(ps, "and", N_AND, parse_not);
}

static lq_node *parse_or(parser *ps)
{
    return parse_chain(ps, "or", N_OR, parse_and);
}

/* ---- static types -------------------------------------------------------------------- */

lq_type lq_static_type(const lq_node *q)
{
    if (!q)
        return LQ_NONE;
    switch (q->kind) {
    case N_NUM: return LQ_SECONDS;
    case N_STR: return LQ_TEXT;
    case N_LIST: return LQ_LIST;
    case N_CALL: return fns[q->fn].type;
    default: return LQ_BOOL;
    }
}

/* Check what each argument and operand will be, where a parse can tell. */
static void check_types(parser *ps, const lq_node *q)
{
    if (ps->failed || !q)
        return;
    for (size_t i = 0; i < q->n_kids; i++)
        check_types(ps, q->kids[i]);
    const char *at = ps->src + q->column - 1;
    if (q->kind == N_CALL) {
        const fn_def *f = &fns[q->fn];
        for (size_t i = 0; i < q->n_kids; i++) {
            lq_type t = lq_static_type(q->kids[i]);
            const char *want = NULL;
            switch (f->args[i]) {
            case A_TASK:
            case A_TEXT: want = t == LQ_TEXT || t == LQ_NAME ? NULL : "a name or text in quotes"; break;
            case A_EVENT: want = t == LQ_EVENT ? NULL : "an event, such as print(\"a\") or done(\"b\")"; break;
            case A_WHEN:
                want = t == LQ_EVENT || t == LQ_SECONDS || t == LQ_COUNT ? NULL : "an event or a time in seconds";
                break;
            case A_COUNT: want = t == LQ_SECONDS || t == LQ_COUNT ? NULL : "a number"; break;
            case A_LIST: want = t == LQ_LIST ? NULL : "a list"; break;
            }
            if (want) {
                fail(ps, ps->src + q->kids[i]->column - 1, "argument %zu of %s must be %s", i + 1, f->name,
                     want);
                return;
            }
        }
    } else if (q->kind == N_AND || q->kind == N_OR || q->kind == N_NOT) {
        for (size_t i = 0; i < q->n_kids; i++)
            if (lq_static_type(q->kids[i]) != LQ_BOOL) {
                fail(ps, ps->src + q->kids[i]->column - 1, "'%s' joins yes/no questions; this is %s",
                     q->kind == N_AND ? "and" : q->kind == N_OR ? "or" : "not",
                     lq_type_name(lq_static_type(q->kids[i])));
                return;
            }
    } else if (q->kind == N_CMP) {
        lq_type a = lq_static_type(q->kids[0]), b = lq_static_type(q->kids[1]);
        int num_a = a == LQ_SECONDS || a == LQ_COUNT, num_b = b == LQ_SECONDS || b == LQ_COUNT;
        if (q->op == OP_IN) {
            if (b != LQ_LIST && b != LQ_TEXT && b != LQ_NAME)
                fail(ps, at, "'in' needs a list or a text on its right");
        } else if (q->op != OP_EQ && q->op != OP_NE && !(num_a && num_b)) {
            fail(ps, at, "'<', '<=', '>' and '>=' compare numbers; here they meet %s and %s", lq_type_name(a),
                 lq_type_name(b));
        }
    }
}

lq_node *lq_parse(const char *text, lq_error *err)
{
    parser ps = {text, text, err, 0};
    if (err)
        memset(err, 0, sizeof *err);
    lq_node *q = parse_or(&ps);
    if (q && !ps.failed) {
        space(&ps);
        if (*ps.p)
            fail(&ps, ps.p, "unexpected '%c' after the query", *ps.p);
    }
    if (q && !ps.failed)
        check_types(&ps, q);
    if (ps.failed) {
        lq_free(q);
        return NULL;
    }
    return q;
}

/* ---- evaluation ------------------------------------------------------------------------ */

typedef struct evaluator {
    const lq_env *env;
    const tm_trace *tr;
    lq_error *err;
} evaluator;

static int efail(evaluator *e, const lq_node *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int efail(evaluator *e, const lq_node *at, const char *fmt, ...)
{
    if (e->err) {
        e->err->column = at ? at->column : 1;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->err->message, sizeof e->err->message, fmt, ap);
        va_end(ap);
    }
    return -1;
}

static int set_text(lq_value *out, lq_type type, const char *s)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    out->text = co_strdup(s ? s : "");
    return out->text ? 0 : -1;
}

static void set_num(lq_value *out, lq_type type, double v)
{
    memset(out, 0, sizeof *out);
    out->type = type;
    out->num = v;
}

static void set_event(lq_value *out, uint32_t ev)
{
    memset(out, 0, sizeof *out);
    out->type = LQ_EVENT;
    out->ev = ev;
}

/* Append an item to a list value (its items' type set by the first). */
static int push(lq_value *list, const lq_value *item)
{
    lq_value *g = co_realloc(list->items, (list->n + 1) * sizeof *g);
    if (!g)
        return -1;
    list->items = g;
    list->items[list->n++] = *item;
    return 0;
}

static int push_text(lq_value *list, lq_type type, const char *s)
{
    lq_value v;
    if (set_text(&v, type, s) < 0)
        return -1;
    if (push(list, &v) < 0) {
        lq_value_free(&v);
        return -1;
    }
    return 0;
}

static const char *task_name(const tm_trace *tr, uint32_t t)
{
    return tm_text(tr, tr->tasks[t].name);
}

/* A task by name, else by coroutine name when exactly one task runs it. */
static int resolve_task(evaluator *e, const lq_node *at, const char *name, uint32_t *out)
{
    const tm_trace *tr = e->tr;
    for (uint32_t t = 0; t < tr->n_tasks; t++)
        if (!strcmp(task_name(tr, t), name)) {
            *out = t;
            return 0;
        }
    uint32_t found = TM_NONE, n = 0;
    for (uint32_t t = 0; t < tr->n_tasks; t++)
        if (!strcmp(tm_text(tr, tr->tasks[t].coro), name)) {
            found = t;
            n++;
        }
    if (n == 1) {
        *out = found;
        return 0;
    }
    if (n > 1)
        return efail(e, at, "%u tasks run %s(); name one by its task name (Task-2, ...) or give the tasks names",
                     n, name);
    return efail(e, at, "no task is named '%s' in this run (its tasks: %s%s)", name,
                 tr->n_tasks ? task_name(tr, 0) : "none", tr->n_tasks > 1 ? ", ..." : "");
}

static int eval(evaluator *e, const lq_node *q, lq_value *out);

/* An argument as an event: an event, or a time (the last event at or before it). */
static int arg_event(evaluator *e, const lq_value *v, const lq_node *at, uint32_t *ev)
{
    const tm_trace *tr = e->tr;
    if (v->type == LQ_EVENT) {
        *ev = v->ev;
        return 0;
    }
    if (is_number(v)) {
        uint32_t i = tm_event_at_time(tr, v->num);
        if (i == TM_NONE)
            return efail(e, at, "nothing had happened yet at %g s", v->num);
        *ev = i;
        return 0;
    }
    return efail(e, at, "expected an event or a time, got %s", lq_type_name(v->type));
}

/* The k-th (1-based) event of kind `kind` about task t (step_end: only suspensions). */
static int nth_event(evaluator *e, const lq_node *at, uint32_t t, tm_kind kind, long k, uint32_t *ev)
{
    const tm_trace *tr = e->tr;
    long seen = 0;
    for (uint32_t i = 0; i < tr->n_events; i++) {
        const tm_event *x = &tr->events[i];
        if (x->kind != kind || x->task != t)
            continue;
        if (kind == TM_EV_STEP_END && x->detail != TM_REASON_AWAIT && x->detail != TM_REASON_YIELD)
            continue;
        if (++seen == k) {
            *ev = i;
            return 0;
        }
    }
    return efail(e, at, "%s has %ld %s event%s, not %ld", task_name(tr, t), seen, tm_kind_name(kind),
                 seen == 1 ? "" : "s", k);
}

static int first_print(evaluator *e, const lq_node *at, const char *text, uint32_t *ev)
{
    const tm_trace *tr = e->tr;
    for (size_t i = 0; i < tr->n_prints; i++)
        if (!strcmp(tm_text(tr, tr->events[tr->prints[i]].s1), text)) {
            *ev = tr->prints[i];
            return 0;
        }
    return efail(e, at, "nothing printed the line '%s'", text);
}

/* The k-th (1-based) future of kind `kind`, in creation order. */
static int nth_future(evaluator *e, const lq_node *at, const char *kind, long k, uint32_t *f)
{
    const tm_trace *tr = e->tr;
    long seen = 0;
    for (uint32_t i = 0; i < tr->n_futures; i++)
        if (!strcmp(tm_text(tr, tr->futures[i].kind), kind) && ++seen == k) {
            *f = i;
            return 0;
        }
    return efail(e, at, "the run made %ld %s() future%s, not %ld", seen, kind, seen == 1 ? "" : "s", k);
}

static int finish_order(evaluator *e, lq_value *out)
{
    const tm_trace *tr = e->tr;
    memset(out, 0, sizeof *out);
    out->type = LQ_LIST;
    /* task_done events in event order */
    for (uint32_t i = 0; i < tr->n_events; i++)
        if (tr->events[i].kind == TM_EV_TASK_DONE && tr->events[i].task != TM_NONE &&
            push_text(out, LQ_NAME, task_name(tr, tr->events[i].task)) < 0)
            return -1;
    return 0;
}

static const char *const finding_kinds[] = {
    "sequential_awaits", "loop_stall", "never_retrieved", "pending_at_close", "swallowed_cancel", "deadlock",
};

static int call(evaluator *e, const lq_node *q, lq_value *args, lq_value *out)
{
    const tm_trace *tr = e->tr;
    const fn_def *f = &fns[q->fn];
    const char *name = f->name;
    uint32_t task = TM_NONE, ev = TM_NONE;
    /* Resolve task and event arguments once. */
    for (size_t i = 0; i < q->n_kids; i++) {
        const lq_node *at = q->kids[i];
        if (f->args[i] == A_TASK && resolve_task(e, at, args[i].text ? args[i].text : "", &task) < 0)
            return -1;
        if ((f->args[i] == A_WHEN || (f->args[i] == A_EVENT && i == 0)) && arg_event(e, &args[i], at, &ev) < 0)
            return -1;
    }
    double kd = q->n_kids > 1 && f->args[1] == A_COUNT ? args[1].num
              : q->n_kids == 1 && f->args[0] == A_COUNT ? args[0].num : 1;
    /* Clamp before converting: a count of 1e300 (or NaN) is undefined as a long (fuzz_lesson). */
    long k = !(kd > -1e15) ? -1000000000000000L : kd > 1e15 ? 1000000000000000L : (long)kd;
    const tm_task *tk = task != TM_NONE ? &tr->tasks[task] : NULL;

    if (!strcmp(name, "makespan"))
        return set_num(out, LQ_SECONDS, tr->stats.makespan), 0;
    if (!strcmp(name, "idle"))
        return set_num(out, LQ_SECONDS, tr->stats.idle), 0;
    if (!strcmp(name, "peak"))
        return set_num(out, LQ_COUNT, tr->stats.peak_tasks), 0;
    if (!strcmp(name, "prints")) {
        memset(out, 0, sizeof *out);
        out->type = LQ_LIST;
        for (size_t i = 0; i < tr->n_prints; i++)
            if (push_text(out, LQ_TEXT, tm_text(tr, tr->events[tr->prints[i]].s1)) < 0)
                return -1;
        return 0;
    }
    if (!strcmp(name, "finish_order"))
        return finish_order(e, out);
    if (!strcmp(name, "first_done") || !strcmp(name, "last_done")) {
        lq_value all;
        if (finish_order(e, &all) < 0)
            return -1;
        if (!all.n) {
            lq_value_free(&all);
            return efail(e, q, "no task finished in this run");
        }
        int rc = lq_value_copy(out, &all.items[name[0] == 'f' ? 0 : all.n - 1]);
        lq_value_free(&all);
        return rc;
    }
    if (!strcmp(name, "tasks")) {
        memset(out, 0, sizeof *out);
        out->type = LQ_LIST;
        for (uint32_t t = 0; t < tr->n_tasks; t++)
            if (push_text(out, LQ_NAME, task_name(tr, t)) < 0)
                return -1;
        return 0;
    }
    if (!strcmp(name, "findings") || !strcmp(name, "finding")) {
        if (!e->env->findings)
            return efail(e, q, "findings are not available here");
        if (name[7] == 0) {
            int r = e->env->findings(e->env->findings_ud, tr, args[0].text);
            if (r < 0)
                return efail(e, q->kids[0], "unknown finding '%s' (known: sequential_awaits, loop_stall, "
                                            "never_retrieved, pending_at_close, swallowed_cancel, deadlock)",
                             args[0].text);
            return set_num(out, LQ_BOOL, r), 0;
        }
        memset(out, 0, sizeof *out);
        out->type = LQ_LIST;
        for (size_t i = 0; i < sizeof finding_kinds / sizeof *finding_kinds; i++)
            if (e->env->findings(e->env->findings_ud, tr, finding_kinds[i]) == 1 &&
                push_text(out, LQ_TEXT, finding_kinds[i]) < 0)
                return -1;
        return 0;
    }
    if (!strcmp(name, "start") || !strcmp(name, "end")) {
        if (!tr->n_events)
            return efail(e, q, "the trace has no events");
        return set_event(out, name[0] == 's' ? 0 : (uint32_t)tr->n_events - 1), 0;
    }
    if (!strcmp(name, "done_at") || !strcmp(name, "done")) {
        if (tk->ev_done == TM_NONE)
            return efail(e, q, "%s never finished in this run", task_name(tr, task));
        if (name[4] == 0)
            return set_event(out, tk->ev_done), 0;
        return set_num(out, LQ_SECONDS, tr->events[tk->ev_done].t), 0;
    }
    if (!strcmp(name, "started_at"))
        return set_num(out, LQ_SECONDS, tr->events[tk->ev_new].t), 0;
    if (!strcmp(name, "created"))
        return set_event(out, tk->ev_new), 0;
    if (!strcmp(name, "steps"))
        return set_num(out, LQ_COUNT, tk->steps), 0;
    if (!strcmp(name, "cancelled"))
        return set_num(out, LQ_BOOL, tk->outcome == TM_OUTCOME_CANCELLED), 0;
    if (!strcmp(name, "exception"))
        return set_text(out, LQ_TEXT, tk->outcome == TM_OUTCOME_EXCEPTION ? tm_text(tr, tk->result) : "none");
    if (!strcmp(name, "message"))
        return set_text(out, LQ_TEXT, tm_text(tr, tk->msg));
    if (!strcmp(name, "outcome"))
        return set_text(out, LQ_TEXT, tm_outcome_name((tm_outcome)tk->outcome));
    if (!strcmp(name, "result")) {
        if (tk->outcome != TM_OUTCOME_RESULT)
            return efail(e, q, "%s did not return a result (it ended: %s)", task_name(tr, task),
                         tm_outcome_name((tm_outcome)tk->outcome));
        return set_text(out, LQ_TEXT, tm_text(tr, tk->result));
    }
    if (!strcmp(name, "state") || !strcmp(name, "waits_on")) {
        uint32_t si = tm_span_at(tr, task, ev);
        if (name[0] == 's')
            return set_text(out, LQ_TEXT, si == TM_NONE ? "not created" : tm_state_name((tm_state)tr->spans[si].state));
        if (si == TM_NONE || tr->spans[si].state != TM_STATE_WAITING)
            return set_text(out, LQ_TEXT, "nothing");
        return set_text(out, LQ_TEXT, tm_text(tr, tr->spans[si].label));
    }
    if (!strcmp(name, "line")) {
        const tm_srcref *r = tm_task_src_at(tr, task, ev, NULL);
        if (!r)
            return efail(e, q, "the trace does not say where %s is then", task_name(tr, task));
        return set_num(out, LQ_COUNT, r->line), 0;
    }
    if (!strcmp(name, "printed_at") || !strcmp(name, "printed_by") || !strcmp(name, "print")) {
        uint32_t p = TM_NONE;
        if (first_print(e, q->kids[0], args[0].text, &p) < 0)
            return -1;
        if (!strcmp(name, "print"))
            return set_event(out, p), 0;
        if (!strcmp(name, "printed_at"))
            return set_num(out, LQ_SECONDS, tr->events[p].t), 0;
        uint32_t who = tr->events[p].task;
        return set_text(out, LQ_NAME, who == TM_NONE ? "nothing" : task_name(tr, who));
    }
    if (!strcmp(name, "ready_at")) {
        uint32_t hs[256];
        size_t n = tm_ready_at(tr, ev, hs, 256);
        memset(out, 0, sizeof *out);
        out->type = LQ_LIST;
        for (size_t i = 0; i < n && i < 256; i++) {
            const tm_handle *h = &tr->handles[hs[i]];
            if (push_text(out, h->task != TM_NONE ? LQ_NAME : LQ_TEXT,
                          h->task != TM_NONE ? task_name(tr, h->task) : tm_text(tr, tm_handle_fn(tr, hs[i]))) < 0)
                return -1;
        }
        return 0;
    }
    if (!strcmp(name, "timers_at")) {
        uint32_t ts[256];
        size_t n = tm_timers_at(tr, ev, ts, 256);
        memset(out, 0, sizeof *out);
        out->type = LQ_LIST;
        for (size_t i = 0; i < n && i < 256; i++) {
            lq_value v;
            set_num(&v, LQ_SECONDS, tr->timers[ts[i]].when);
            if (push(out, &v) < 0)
                return -1;
        }
        return 0;
    }
    if (!strcmp(name, "next_after")) {
        for (uint32_t i = ev + 1; i < tr->n_events; i++)
            if (tr->events[i].kind == TM_EV_STEP_BEGIN && tr->events[i].task != TM_NONE)
                return set_text(out, LQ_NAME, task_name(tr, tr->events[i].task));
        return set_text(out, LQ_NAME, "nothing");
    }
    if (!strcmp(name, "running_at")) {
        uint32_t r = tm_running_at(tr, ev);
        return set_text(out, LQ_NAME, r == TM_NONE ? "nothing" : task_name(tr, r));
    }
    if (!strcmp(name, "time_of"))
        return set_num(out, LQ_SECONDS, tr->events[ev].t), 0;
    if (!strcmp(name, "elapsed")) {
        uint32_t ev2 = TM_NONE;
        if (arg_event(e, &args[1], q->kids[1], &ev2) < 0)
            return -1;
        return set_num(out, LQ_SECONDS, tr->events[ev2].t - tr->events[ev].t), 0;
    }
    if (!strcmp(name, "gather_result")) {
        uint32_t fi = TM_NONE;
        if (nth_future(e, q, "gather", k, &fi) < 0)
            return -1;
        const tm_future *fu = &tr->futures[fi];
        if (fu->outcome == TM_OUTCOME_PENDING)
            return efail(e, q, "gather number %ld never finished", k);
        return set_text(out, LQ_TEXT, fu->outcome == TM_OUTCOME_CANCELLED ? "CancelledError" : tm_text(tr, fu->result));
    }
    if (!strcmp(name, "wait_done") || !strcmp(name, "wait_pending")) {
        uint32_t fi = TM_NONE;
        if (nth_future(e, q, "wait", k, &fi) < 0)
            return -1;
        const tm_future *fu = &tr->futures[fi];
        if (!fu->of_count)
            return efail(e, q, "this trace does not say what wait() waited for (no `of`); record it with a newer coroscope");
        if (fu->ev_done == TM_NONE)
            return efail(e, q, "wait number %ld never returned", k);
        int want_done = name[5] == 'd';
        memset(out, 0, sizeof *out);
        out->type = LQ_LIST;
        for (uint32_t i = 0; i < fu->of_count; i++) {
            uint32_t id = tr->of_ids[fu->of_first + i], t = tm_find_task(tr, id);
            int done;
            const char *label;
            if (t != TM_NONE) {
                done = tr->tasks[t].ev_done != TM_NONE && tr->tasks[t].ev_done <= fu->ev_done;
                label = task_name(tr, t);
            } else {
                uint32_t g = tm_find_future(tr, id);
                done = g != TM_NONE && tr->futures[g].ev_done != TM_NONE && tr->futures[g].ev_done <= fu->ev_done;
                label = g != TM_NONE ? tm_text(tr, tr->futures[g].label) : "?";
            }
            if (done == want_done && push_text(out, LQ_NAME, label) < 0)
                return -1;
        }
        return 0;
    }
    if (!strcmp(name, "count"))
        return set_num(out, LQ_COUNT, (double)args[0].n), 0;
    if (!strcmp(name, "cancel")) {
        for (uint32_t i = 0; i < tr->n_events; i++)
            if (tr->events[i].kind == TM_EV_CANCEL && tr->events[i].task == task)
                return set_event(out, i), 0;
        return efail(e, q, "nothing called cancel() on %s", task_name(tr, task));
    }
    if (!strcmp(name, "step") || !strcmp(name, "suspend") || !strcmp(name, "wake")) {
        tm_kind kind = name[1] == 't' ? TM_EV_STEP_BEGIN : name[1] == 'u' ? TM_EV_STEP_END : TM_EV_WAKE;
        if (k < 1)
            return efail(e, q, "%s counts from 1", name);
        if (nth_event(e, q, task, kind, k, &ev) < 0)
            return -1;
        return set_event(out, ev), 0;
    }
    if (!strcmp(name, "time")) {
        uint32_t i = tm_event_at_time(tr, args[0].num);
        if (i == TM_NONE)
            return efail(e, q, "nothing had happened yet at %g s", args[0].num);
        return set_event(out, i), 0;
    }
    if (!strcmp(name, "seq")) {
        for (uint32_t i = 0; i < tr->n_events; i++)
            if (tm_event_seq(tr, i) == (uint32_t)args[0].num)
                return set_event(out, i), 0;
        return efail(e, q, "no event has seq %.0f", args[0].num);
    }
    return efail(e, q, "'%s' cannot be evaluated", name);
}

static int truthy(evaluator *e, const lq_node *q, int *yes)
{
    lq_value v;
    if (eval(e, q, &v) < 0)
        return -1;
    if (v.type != LQ_BOOL) {
        lq_value_free(&v);
        return efail(e, q, "expected yes or no here, got %s", lq_type_name(v.type));
    }
    *yes = v.num != 0;
    lq_value_free(&v);
    return 0;
}

static int eval(evaluator *e, const lq_node *q, lq_value *out)
{
    memset(out, 0, sizeof *out);
    switch (q->kind) {
    case N_NUM:
        set_num(out, LQ_SECONDS, q->num);
        return 0;
    case N_STR:
        return set_text(out, LQ_TEXT, q->text) < 0 ? efail(e, q, "out of memory") : 0;
    case N_LIST:
        out->type = LQ_LIST;
        for (size_t i = 0; i < q->n_kids; i++) {
            lq_value v;
            if (eval(e, q->kids[i], &v) < 0 || push(out, &v) < 0) {
                lq_value_free(out);
                return -1;
            }
        }
        return 0;
    case N_NOT: {
        int y;
        if (truthy(e, q->kids[0], &y) < 0)
            return -1;
        set_num(out, LQ_BOOL, !y);
        return 0;
    }
    case N_AND:
    case N_OR: {
        int a, b;
        if (truthy(e, q->kids[0], &a) < 0)
            return -1;
        if ((q->kind == N_AND && !a) || (q->kind == N_OR && a)) {
            set_num(out, LQ_BOOL, a);
            return 0;
        }
        if (truthy(e, q->kids[1], &b) < 0)
            return -1;
        set_num(out, LQ_BOOL, b);
        return 0;
    }
    case N_CMP: {
        lq_value a, b;
        if (eval(e, q->kids[0], &a) < 0)
            return -1;
        if (eval(e, q->kids[1], &b) < 0) {
            lq_value_free(&a);
            return -1;
        }
        int r = 0, rc = 0;
        switch (q->op) {
        case OP_EQ: r = lq_value_equal(&a, &b); break;
        case OP_NE: r = !lq_value_equal(&a, &b); break;
        case OP_IN:
            if (b.type == LQ_LIST) {
                for (size_t i = 0; i < b.n && !r; i++)
                    r = lq_value_equal(&a, &b.items[i]);
            } else if (is_string(&a) && is_string(&b)) {
                r = strstr(b.text, a.text) != NULL;
            } else
                rc = efail(e, q, "'in' needs a list or a text on its right");
            break;
        default:
            if (!is_number(&a) || !is_number(&b))
                rc = efail(e, q, "only numbers are compared with < and >");
            else
                r = q->op == OP_LT ? a.num < b.num - 1e-9
                  : q->op == OP_LE ? a.num <= b.num + 1e-9
                  : q->op == OP_GT ? a.num > b.num + 1e-9 : a.num >= b.num - 1e-9;
        }
        lq_value_free(&a);
        lq_value_free(&b);
        if (rc < 0)
            return -1;
        set_num(out, LQ_BOOL, r);
        return 0;
    }
    case N_CALL: {
        lq_value args[2];
        memset(args, 0, sizeof args);
        size_t n = q->n_kids;
        for (size_t i = 0; i < n; i++)
            if (eval(e, q->kids[i], &args[i]) < 0) {
                for (size_t j = 0; j < i; j++)
                    lq_value_free(&args[j]);
                return -1;
            }
        int rc = call(e, q, args, out);
        for (size_t i = 0; i < n; i++)
            lq_value_free(&args[i]);
        if (rc < 0)
            lq_value_free(out);
        return rc;
    }
    }
    return efail(e, q, "cannot evaluate this");
}

int lq_eval(const lq_node *q, const lq_env *env, lq_value *out, lq_error *err)
{
    if (err)
        memset(err, 0, sizeof *err);
    evaluator e = {env, env->tr, err};
    return eval(&e, q, out);
}

/* ---- why a predicate is false ---------------------------------------------------- */

static const char *const op_text[] = {"==", "!=", "<", "<=", ">", ">=", "in"};

/* A node written back as query text (numbers as the query gave them). */
static void node_text(const lq_node *q, char *buf, size_t size, size_t *k)
{
#define PUT(...)                                                                   \
    do {                                                                           \
        if (*k < size) {                                                           \
            int n_ = snprintf(buf + *k, size - *k, __VA_ARGS__);                   \
            *k = n_ < 0 ? size : *k + (size_t)n_ < size ? *k + (size_t)n_ : size;  \
        }                                                                          \
    } while (0)
    switch (q->kind) {
    case N_NUM:
        PUT("%g", q->num);
        break;
    case N_STR:
        PUT("'%s'", q->text);
        break;
    case N_LIST:
    case N_CALL:
        if (q->kind == N_CALL)
            PUT("%s", fns[q->fn].name);
        if (q->kind == N_LIST || q->n_kids)
            PUT("%s", q->kind == N_LIST ? "[" : "(");
        for (size_t i = 0; i < q->n_kids; i++) {
            if (i)
                PUT(", ");
            node_text(q->kids[i], buf, size, k);
        }
        if (q->kind == N_LIST || q->n_kids)
            PUT("%s", q->kind == N_LIST ? "]" : ")");
        break;
    case N_CMP:
        node_text(q->kids[0], buf, size, k);
        PUT(" %s ", op_text[q->op]);
        node_text(q->kids[1], buf, size, k);
        break;
    case N_AND:
    case N_OR:
        PUT("(");
        node_text(q->kids[0], buf, size, k);
        PUT(" %s ", q->kind == N_AND ? "and" : "or");
        node_text(q->kids[1], buf, size, k);
        PUT(")");
        break;
    case N_NOT:
        PUT("not ");
        node_text(q->kids[0], buf, size, k);
        break;
    }
#undef PUT
}

/* Append to buf why q is false: each false comparison of an `and` with the
** value its left side has. */
static void explain(evaluator *e, const lq_node *q, char *buf, size_t size, size_t *k)
{
    int yes;
    if (truthy(e, q, &yes) < 0 || yes)
        return;
    if (q->kind == N_AND) {
        explain(e, q->kids[0], buf, size, k);
        explain(e, q->kids[1], buf, size, k);
        return;
    }
    if (*k && *k + 3 < size) {
        memcpy(buf + *k, "; ", 3);
        *k += 2;
    }
    node_text(q, buf, size, k);
    if (*k + 10 < size) {
        memcpy(buf + *k, " is false", 10);
        *k += 9;
    }
    /* What the run gave for the figures it compares: "(makespan is 6 s)". */
    if (q->kind != N_CMP)
        return;
    int said = 0;
    for (size_t i = 0; i < 2; i++) {
        const lq_node *side = q->kids[i];
        lq_value v;
        if (side->kind != N_CALL || eval(e, side, &v) < 0)
            continue;
        char name[120], val[160];
        size_t nk = 0;
        node_text(side, name, sizeof name, &nk);
        lq_value_format(&v, e->tr, val, sizeof val);
        lq_value_free(&v);
        if (*k < size) {
            int n = snprintf(buf + *k, size - *k, "%s%s is %s", said ? "; " : " (", name, val);
            *k = n < 0 ? size : *k + (size_t)n < size ? *k + (size_t)n : size;
        }
        said = 1;
    }
    if (said && *k + 2 < size) {
        buf[(*k)++] = ')';
        buf[*k] = 0;
    }
}

int lq_explain(const lq_node *q, const lq_env *env, char *buf, size_t size)
{
    if (!size)
        return 0;
    buf[0] = 0;
    lq_error err;
    memset(&err, 0, sizeof err);
    evaluator e = {env, env->tr, &err};
    size_t k = 0;
    explain(&e, q, buf, size, &k);
    if (k >= size)
        k = size - 1;
    buf[k] = 0;
    return (int)k;
}
