/*
** pysyntax.c -- colouring a line of Python (see pysyntax.h). The keyword list
** is Python 3.11's `keyword.kwlist`, with `match`/`case` left out (soft
** keywords, names most of the time).
*/
#include <ctype.h>
#include <string.h>

#include "pysyntax.h"

static const char *const keywords[] = {
    "False", "None", "True", "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del",
    "elif", "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
    "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield"};
static const char *const builtins[] = {
    "print", "range", "len", "list", "dict", "set", "tuple", "str", "int", "float", "bool", "sum", "min", "max",
    "sorted", "enumerate", "zip", "isinstance", "super", "open", "repr", "asyncio", "self", "Exception",
    "ValueError", "TypeError", "RuntimeError", "KeyError", "TimeoutError", "ExceptionGroup"};

static int in_list(const char *w, size_t n, const char *const *list, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (strlen(list[i]) == n && !memcmp(list[i], w, n))
            return 1;
    return 0;
}

static int name_start(unsigned char c)
{
    return isalpha(c) || c == '_' || c >= 0x80;
}

static int name_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c >= 0x80;
}

/* The end of a string whose body starts at i (quote q, tripled or not); sets *open when it runs off the line. */
static size_t string_end(const char *s, size_t len, size_t i, char q, int triple, int *open)
{
    while (i < len) {
        if (s[i] == '\\') {
            i += 2;
            continue;
        }
        if (s[i] == q) {
            if (!triple)
                return i + 1;
            if (i + 2 < len && s[i + 1] == q && s[i + 2] == q)
                return i + 3;
        }
        i++;
    }
    *open = triple;   /* a one-quote string cut by the line's end just ends there */
    return len;
}

/* Append a span, merging with the last one of the same kind; past cap, the rest joins the last. */
static void add(vz_py_span *out, size_t cap, size_t *n, size_t start, size_t len, vz_py_kind kind)
{
    if (!len || !cap)
        return;
    if (*n && (out[*n - 1].kind == kind || *n == cap)) {
        out[*n - 1].len = (uint32_t)(start + len - out[*n - 1].start);
        return;
    }
    out[(*n)++] = (vz_py_span){(uint32_t)start, (uint32_t)len, (uint8_t)kind};
}

/* A string literal starting at i whose opening quote is at q: its end, and *state if it runs on. */
static size_t string_at(const char *s, size_t len, size_t q, int *state)
{
    char c = s[q];
    int triple = q + 2 < len && s[q + 1] == c && s[q + 2] == c, open = 0;
    size_t e = string_end(s, len, q + (triple ? 3 : 1), c, triple, &open);
    if (open)
        *state = c;
    return e;
}

size_t vz_py_spans(const char *s, size_t len, int *state, vz_py_span *out, size_t cap)
{
    size_t n = 0, i = 0;
    int after_def = 0;
    if (*state) {   /* inside a triple-quoted string from an earlier line */
        int open = 0;
        size_t e = string_end(s, len, 0, (char)*state, 1, &open);
        add(out, cap, &n, 0, e, VZ_PY_STRING);
        i = e;
        if (open)
            return n;
        *state = 0;
    }
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == '#') {
            add(out, cap, &n, i, len - i, VZ_PY_COMMENT);
            break;
        }
        if (c == '\'' || c == '"') {
            size_t e = string_at(s, len, i, state);
            add(out, cap, &n, i, e - i, VZ_PY_STRING);
            i = e;
            after_def = 0;
            continue;
        }
        if (name_start(c)) {
            size_t e = i + 1;
            while (e < len && name_char((unsigned char)s[e]))
                e++;
            if (e - i <= 2 && e < len && (s[e] == '\'' || s[e] == '"') && strspn(s + i, "rRbBfFuU") >= e - i) {
                size_t end = string_at(s, len, e, state);   /* a prefixed string: f"...", rb'...' */
                add(out, cap, &n, i, end - i, VZ_PY_STRING);
                i = end;
                after_def = 0;
                continue;
            }
            vz_py_kind k = after_def                                                  ? VZ_PY_DEFNAME
                         : in_list(s + i, e - i, keywords, sizeof keywords / sizeof *keywords) ? VZ_PY_KEYWORD
                         : in_list(s + i, e - i, builtins, sizeof builtins / sizeof *builtins) ? VZ_PY_BUILTIN
                                                                                               : VZ_PY_PLAIN;
            after_def = k == VZ_PY_KEYWORD && ((e - i == 3 && !memcmp(s + i, "def", 3)) ||
                                               (e - i == 5 && !memcmp(s + i, "class", 5)));
            add(out, cap, &n, i, e - i, k);
            i = e;
            continue;
        }
        if (isdigit(c) || (c == '.' && i + 1 < len && isdigit((unsigned char)s[i + 1]))) {
            size_t e = i + 1;
            while (e < len && (isalnum((unsigned char)s[e]) || s[e] == '.' || s[e] == '_' ||
                               ((s[e] == '+' || s[e] == '-') && (s[e - 1] == 'e' || s[e - 1] == 'E'))))
                e++;
            add(out, cap, &n, i, e - i, VZ_PY_NUMBER);
            i = e;
            continue;
        }
        add(out, cap, &n, i, 1, VZ_PY_PLAIN);
        if (!isspace(c))
            after_def = 0;
        i++;
    }
    return n;
}
