/*
** value.c -- Python values and exceptions as C values (see value.h).
*/
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "value.h"

const char *co_strf(const char *fmt, ...)
{
    va_list ap, ap2;
    va_start(ap, fmt);
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = n < 0 ? NULL : co__arena_alloc((size_t)n + 1);
    if (s)
        vsnprintf(s, (size_t)n + 1, fmt, ap2);
    va_end(ap2);
    return s ? s : "";
}

co_value co_list_new(size_t n)
{
    co_list *l = co__arena_alloc(sizeof *l);
    co_value *items = co__arena_alloc(n ? n * sizeof *items : 1);
    if (!l || !items)
        return co_none();
    for (size_t i = 0; i < n; i++)
        items[i] = co_none();
    l->n = n;
    l->items = items;
    co_value v = {CO_V_LIST, {0}};
    v.u.list = l;
    return v;
}

co_exc *co_exc_new(const char *type, const char *fmt, ...)
{
    co_exc *e = co__arena_alloc(sizeof *e);
    if (!e)
        return co__exc_nomem();
    memset(e, 0, sizeof *e);
    e->type = type;
    e->msg = "";
    if (fmt && *fmt) {
        va_list ap, ap2;
        va_start(ap, fmt);
        va_copy(ap2, ap);
        int n = vsnprintf(NULL, 0, fmt, ap);
        char *s = n < 0 ? NULL : co__arena_alloc((size_t)n + 1);
        if (s) {
            vsnprintf(s, (size_t)n + 1, fmt, ap2);
            e->msg = s;
        }
        va_end(ap2);
        va_end(ap);
    }
    return e;
}

co_exc *co_exc_group(const char *msg, co_exc **members, size_t n)
{
    bool base = false;  /* a group holding a BaseException is a BaseExceptionGroup */
    for (size_t i = 0; i < n; i++)
        if (!co_exc_is(members[i], "Exception"))
            base = true;
    co_exc *e = co_exc_new(base ? "BaseExceptionGroup" : "ExceptionGroup", "%s", msg);
    co_exc **m = co__arena_alloc(n ? n * sizeof *m : 1);
    if (!m)
        return e;
    memcpy(m, members, n * sizeof *m);
    e->members = m;
    e->nmembers = n;
    return e;
}

/* The parent of each builtin exception type we model; types not listed derive
** from Exception (user-defined exceptions usually do). */
static const char *const exc_parents[][2] = {
    {"BaseException", NULL},
    {"Exception", "BaseException"},
    {"CancelledError", "BaseException"},
    {"KeyboardInterrupt", "BaseException"},
    {"SystemExit", "BaseException"},
    {"GeneratorExit", "BaseException"},
    {"BaseExceptionGroup", "BaseException"},
    {"ExceptionGroup", "BaseExceptionGroup"},
    {"OSError", "Exception"},
    {"TimeoutError", "OSError"},
    {"ConnectionError", "OSError"},
    {"ConnectionRefusedError", "ConnectionError"},
    {"ConnectionResetError", "ConnectionError"},
    {"ConnectionAbortedError", "ConnectionError"},
    {"BrokenPipeError", "ConnectionError"},
    {"LookupError", "Exception"},
    {"KeyError", "LookupError"},
    {"IndexError", "LookupError"},
    {"ArithmeticError", "Exception"},
    {"ZeroDivisionError", "ArithmeticError"},
    {"IncompleteReadError", "EOFError"},
    {"EOFError", "Exception"},
    {"StopIteration", "Exception"},
    {"StopAsyncIteration", "Exception"},
    {"RuntimeError", "Exception"},
    {"RecursionError", "RuntimeError"},
    {"NotImplementedError", "RuntimeError"},
    {"BrokenBarrierError", "RuntimeError"},
    {"TypeError", "Exception"},
    {"ValueError", "Exception"},
    {"UnicodeError", "ValueError"},
};

static const char *exc_parent(const char *type)
{
    for (size_t i = 0; i < sizeof exc_parents / sizeof exc_parents[0]; i++)
        if (!strcmp(exc_parents[i][0], type))
            return exc_parents[i][1];
    return "Exception";
}

bool co_exc_is(const co_exc *e, const char *type)
{
    if (!e)
        return false;
    /* ExceptionGroup also derives from Exception (multiple inheritance). */
    if (!strcmp(e->type, "ExceptionGroup") && !strcmp(type, "Exception"))
        return true;
    for (const char *t = e->type; t; t = exc_parent(t))
        if (!strcmp(t, type))
            return true;
    return false;
}

/* The fast path of co_format_double, for numbers Python's repr writes in fixed
** notation (1e-4 <= |d| < 1e15): the shortest decimal is the one with the
** fewest fractional digits k that reads back as d, and with k digits the
** candidates are the integers m next to |d| * 10^k. While m < 2^53 and
** 10^k <= 10^17, m / 10^k is one correctly rounded IEEE division of two exact
** doubles -- exactly what strtod makes of the decimal -- so the test needs no
** strtod. Of two candidates that both read back, the nearer one is Python's
** (float_repr's shortest mode); fma measures |d| * 10^k - m with one rounding.
** Returns 0 when it cannot decide (the caller takes the slow path). */
static int format_fixed_fast(char *buf, double d)
{
    static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8,
                                   1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17};
    double a = fabs(d);
    if (!(a >= 1e-4 && a < 1e15))
        return 0;
    for (int k = 0; k <= 17; k++) {
        double p = pow10[k];
        double m = nearbyint(a * p);
        if (m >= 9007199254740992.0)         /* 2^53: m might not be exact */
            return 0;
        double best = -1, besterr = 0;
        for (double c = m - 1; c <= m + 1; c++) {
            if (c <= 0 || c / p != a)
                continue;
            double err = fabs(fma(a, p, -c));
            if (best < 0 || err < besterr || (err == besterr && fmod(c, 2) == 0)) {
                best = c;
                besterr = err;
            }
        }
        if (best < 0)
            continue;
        /* best = I * 10^k + F: write I, '.', F as k digits (or "0"). */
        char digits[24];
        int nd = 0;
        uint64_t v = (uint64_t)best;
        do {
            digits[nd++] = (char)('0' + v % 10);
            v /= 10;
        } while (v);
        while (nd <= k)                       /* leading zeros of a fraction < 1 */
            digits[nd++] = '0';
        char *out = buf;
        if (d < 0)
            *out++ = '-';
        for (int i = nd - 1; i >= k; i--)
            *out++ = digits[i];
        *out++ = '.';
        if (k == 0)
            *out++ = '0';
        for (int i = k - 1; i >= 0; i--)
            *out++ = digits[i];
        *out = 0;
        return 1;
    }
    return 0;
}

void co_format_double(char *buf, double d)
{
    if (isnan(d)) { strcpy(buf, "nan"); return; }
    if (isinf(d)) { strcpy(buf, d < 0 ? "-inf" : "inf"); return; }
    if (d == 0) { strcpy(buf, signbit(d) ? "-0.0" : "0.0"); return; }
    if (format_fixed_fast(buf, d))
        return;
    co_format_double_exact(buf, d);
}

/* The general case: snprintf's correctly rounded digits at 15, 16, then 17
** significant digits, the first that strtod reads back as d. */
void co_format_double_exact(char *buf, double d)
{
    if (isnan(d) || isinf(d) || d == 0) {
        co_format_double(buf, d);
        return;
    }
    /* The shortest digits that read back as d: if any decimal of 15 digits or
    ** fewer does, the correctly rounded 15-digit one does (a double carries
    ** ~15.95 digits), and trailing zeros then shorten it; else 16, else 17. */
    char tmp[40];
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
        if (strtod(tmp, NULL) == d)
            break;
    }
    /* tmp is [-]D[.DDD]e[+-]XX: split into sign, digits and exponent. */
    const char *p = tmp;
    char *out = buf;
    if (*p == '-')
        *out++ = *p++;
    char digits[20];
    int nd = 0;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9')
            digits[nd++] = *p;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    int exp = atoi(p + 1);
    if (exp >= -4 && exp < 16) {        /* Python's repr: fixed notation */
        if (exp < 0) {
            *out++ = '0';
            *out++ = '.';
            for (int i = -1; i > exp; i--)
                *out++ = '0';
            for (int i = 0; i < nd; i++)
                *out++ = digits[i];
        } else {
            for (int i = 0; i <= exp; i++)
                *out++ = i < nd ? digits[i] : '0';
            *out++ = '.';
            if (nd > exp + 1)
                for (int i = exp + 1; i < nd; i++)
                    *out++ = digits[i];
            else
                *out++ = '0';
        }
        *out = 0;
    } else {                            /* scientific: 1e+16, 1.5e-07 */
        *out++ = digits[0];
        if (nd > 1) {
            *out++ = '.';
            for (int i = 1; i < nd; i++)
                *out++ = digits[i];
        }
        sprintf(out, "e%c%02d", exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    }
}

static void repr_str(sbuf *b, const char *s)
{
    /* Python prefers single quotes unless the string holds one and no double. */
    char q = strchr(s, '\'') && !strchr(s, '"') ? '"' : '\'';
    sb_putc(b, q);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '\\' || c == (unsigned char)q) { sb_putc(b, '\\'); sb_putc(b, (char)c); }
        else if (c == '\n') sb_puts(b, "\\n");
        else if (c == '\t') sb_puts(b, "\\t");
        else if (c == '\r') sb_puts(b, "\\r");
        else if (c < 0x20 || c == 0x7f) sb_printf(b, "\\x%02x", c);
        else sb_putc(b, (char)c);
    }
    sb_putc(b, q);
}

void co_exc_repr(sbuf *b, const co_exc *e)
{
    sb_puts(b, e->type);
    sb_putc(b, '(');
    if (e->msg && *e->msg && e->msg_unquoted)
        sb_puts(b, e->msg);
    else if (e->msg && *e->msg)
        repr_str(b, e->msg);
    if (e->members) {
        if (!(e->msg && *e->msg))
            repr_str(b, "");
        sb_puts(b, ", [");
        for (size_t i = 0; i < e->nmembers; i++) {
            if (i)
                sb_puts(b, ", ");
            co_exc_repr(b, e->members[i]);
        }
        sb_putc(b, ']');
    }
    sb_putc(b, ')');
}

void co_value_repr(sbuf *b, co_value v)
{
    char num[40];
    switch (v.kind) {
    case CO_V_NONE: sb_puts(b, "None"); break;
    case CO_V_BOOL: sb_puts(b, v.u.b ? "True" : "False"); break;
    case CO_V_INT: sb_printf(b, "%lld", v.u.i); break;
    case CO_V_FLOAT: co_format_double(num, v.u.f); sb_puts(b, num); break;
    case CO_V_STR: repr_str(b, v.u.s ? v.u.s : ""); break;
    case CO_V_LIST:
        sb_putc(b, '[');
        for (size_t i = 0; i < v.u.list->n; i++) {
            if (i)
                sb_puts(b, ", ");
            co_value_repr(b, v.u.list->items[i]);
        }
        sb_putc(b, ']');
        break;
    case CO_V_EXC: co_exc_repr(b, v.u.exc); break;
    case CO_V_PTR: sb_puts(b, "<object>"); break;
    }
}

static void exc_str(sbuf *b, const co_exc *e);

void co_value_str(sbuf *b, co_value v)
{
    if (v.kind == CO_V_STR)
        sb_puts(b, v.u.s ? v.u.s : "");
    else if (v.kind == CO_V_EXC)
        exc_str(b, v.u.exc);
    else
        co_value_repr(b, v);
}

/* --- reprlib.repr ---------------------------------------------------------------- */

/* Bytes of the first n code points of UTF-8 s (all of s if shorter). */
static size_t cp_bytes(const char *s, size_t n)
{
    size_t i = 0;
    while (s[i] && n) {
        i++;
        while ((s[i] & 0xC0) == 0x80)
            i++;
        n--;
    }
    return i;
}

static size_t cp_len(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += (*s & 0xC0) != 0x80;
    return n;
}

/* s cut to max code points as reprlib cuts: its head, "...", its tail. */
static void put_cut(sbuf *b, const char *s, size_t max)
{
    size_t n = cp_len(s);
    if (n <= max) {
        sb_puts(b, s);
        return;
    }
    size_t i = (max - 3) / 2, j = max - 3 - i;
    sb_putn(b, s, cp_bytes(s, i));
    sb_puts(b, "...");
    sb_puts(b, s + cp_bytes(s, n - j));
}

/* reprlib.Repr's defaults: maxlevel 6, maxlist 6, maxstring 30, maxother 30. */
static void reprlib_value(sbuf *b, co_value v, int level)
{
    sbuf tmp = {0};
    switch (v.kind) {
    case CO_V_STR: {
        /* Repr.repr_str: the repr of the first 30 characters; if that is
        ** still too long, the repr of head + tail, cut in the middle. */
        const char *x = v.u.s ? v.u.s : "";
        char *head = co__arena_alloc(cp_bytes(x, 30) + 1);
        if (!head)
            return;
        memcpy(head, x, cp_bytes(x, 30));
        head[cp_bytes(x, 30)] = 0;
        repr_str(&tmp, head);
        if (tmp.p && cp_len(tmp.p) > 30) {
            size_t n = cp_len(x), hb = cp_bytes(x, 13), tb = strlen(x) - cp_bytes(x, n > 14 ? n - 14 : 0);
            char *ht = co__arena_alloc(hb + tb + 1);
            if (!ht)
                break;
            memcpy(ht, x, hb);
            memcpy(ht + hb, x + strlen(x) - tb, tb + 1);
            tmp.len = 0;
            repr_str(&tmp, ht);
            if (tmp.p) {                 /* then always cut: head 13, "...", tail 14 */
                size_t m = cp_len(tmp.p);
                sb_putn(b, tmp.p, cp_bytes(tmp.p, 13));
                sb_puts(b, "...");
                sb_puts(b, tmp.p + cp_bytes(tmp.p, m > 14 ? m - 14 : 0));
            }
        } else if (tmp.p)
            sb_puts(b, tmp.p);
        break;
    }
    case CO_V_LIST:
        /* Repr._repr_iterable: six items, then "..."; nested six deep. */
        if (level <= 0) {
            sb_puts(b, "[...]");
            break;
        }
        sb_putc(b, '[');
        for (size_t i = 0; i < v.u.list->n && i < 6; i++) {
            if (i)
                sb_puts(b, ", ");
            reprlib_value(b, v.u.list->items[i], level - 1);
        }
        if (v.u.list->n > 6)
            sb_puts(b, ", ...");
        sb_putc(b, ']');
        break;
    case CO_V_INT:                       /* maxlong 40: a 64-bit int never reaches it */
    case CO_V_NONE:
    case CO_V_BOOL:
        co_value_repr(b, v);
        break;
    default:                             /* Repr.repr_instance: maxother 30 */
        co_value_repr(&tmp, v);
        if (tmp.p)
            put_cut(b, tmp.p, 30);
        break;
    }
    sb_free(&tmp);
}

void co_value_reprlib(sbuf *b, co_value v) { reprlib_value(b, v, 6); }

/* --- comparisons: ==, < ---------------------------------------------------------- */

/* type(v).__name__ */
const char *co_value_type_name(co_value v)
{
    switch (v.kind) {
    case CO_V_NONE: return "NoneType";
    case CO_V_BOOL: return "bool";
    case CO_V_INT: return "int";
    case CO_V_FLOAT: return "float";
    case CO_V_STR: return "str";
    case CO_V_LIST: return "list";
    case CO_V_EXC: return v.u.exc->type;
    case CO_V_PTR: return "object";
    }
    return "object";
}

static bool is_number(co_value v) { return v.kind == CO_V_BOOL || v.kind == CO_V_INT || v.kind == CO_V_FLOAT; }

/* int and float compare exactly, as Python compares them. */
static int num_cmp(co_value a, co_value b)
{
    if (a.kind != CO_V_FLOAT && b.kind != CO_V_FLOAT) {
        long long x = a.kind == CO_V_BOOL ? a.u.b : a.u.i, y = b.kind == CO_V_BOOL ? b.u.b : b.u.i;
        return (x > y) - (x < y);
    }
    double x = co_num(a), y = co_num(b);
    return (x > y) - (x < y);
}

bool co_value_eq(co_value a, co_value b)
{
    if (is_number(a) && is_number(b))
        return a.kind == CO_V_FLOAT || b.kind == CO_V_FLOAT ? co_num(a) == co_num(b) : num_cmp(a, b) == 0;
    if (a.kind != b.kind)
        return false;
    switch (a.kind) {
    case CO_V_NONE: return true;
    case CO_V_STR: return !strcmp(a.u.s ? a.u.s : "", b.u.s ? b.u.s : "");
    case CO_V_LIST:
        if (a.u.list->n != b.u.list->n)
            return false;
        for (size_t i = 0; i < a.u.list->n; i++)
            if (!co_value_eq(a.u.list->items[i], b.u.list->items[i]))
                return false;
        return true;
    case CO_V_EXC: return a.u.exc == b.u.exc;       /* identity, as object.__eq__ */
    case CO_V_PTR: return a.u.p == b.u.p;
    default: return false;
    }
}

/* a < b, or *err = TypeError when Python refuses to order them. Lists
** compare as sequences do: the first items that differ decide, else length. */
bool co_value_lt(co_value a, co_value b, co_exc **err)
{
    *err = NULL;
    if (is_number(a) && is_number(b)) {
        if (a.kind == CO_V_FLOAT || b.kind == CO_V_FLOAT)
            return co_num(a) < co_num(b);       /* nan compares false, as in Python */
        return num_cmp(a, b) < 0;
    }
    if (a.kind == CO_V_STR && b.kind == CO_V_STR)
        return strcmp(a.u.s ? a.u.s : "", b.u.s ? b.u.s : "") < 0;  /* UTF-8 order is code point order */
    if (a.kind == CO_V_LIST && b.kind == CO_V_LIST) {
        size_t n = a.u.list->n < b.u.list->n ? a.u.list->n : b.u.list->n;
        for (size_t i = 0; i < n; i++)
            if (!co_value_eq(a.u.list->items[i], b.u.list->items[i]))
                return co_value_lt(a.u.list->items[i], b.u.list->items[i], err);
        return a.u.list->n < b.u.list->n;
    }
    *err = co_exc_new("TypeError", "'<' not supported between instances of '%s' and '%s'",
                      co_value_type_name(a), co_value_type_name(b));
    return false;
}

/* --- traceback.format_exception, without the frames ------------------------------- */

/* The module CPython names before an exception's type when it prints one
** (traceback.format_exception_only): builtins and __main__ are left out. */
static const char *exc_module(const char *type)
{
    static const char *const asyncio_exc[] = {"CancelledError", "InvalidStateError", "IncompleteReadError",
                                              "LimitOverrunError", "SendfileNotAvailableError",
                                              "BrokenBarrierError"};
    for (size_t i = 0; i < sizeof asyncio_exc / sizeof asyncio_exc[0]; i++)
        if (!strcmp(type, asyncio_exc[i]))
            return "asyncio.exceptions.";
    if (!strcmp(type, "QueueEmpty") || !strcmp(type, "QueueFull"))
        return "asyncio.queues.";
    return "";
}

/* str(e): KeyError shows its argument's repr, a group counts its members. */
static void exc_str(sbuf *b, const co_exc *e)
{
    if (e->members)
        sb_printf(b, "%s (%zu sub-exception%s)", e->msg, e->nmembers, e->nmembers == 1 ? "" : "s");
    else if (!strcmp(e->type, "KeyError") && e->msg && *e->msg && !e->msg_unquoted)
        repr_str(b, e->msg);
    else
        sb_puts(b, e->msg ? e->msg : "");
}

/* traceback._ExceptionPrintContext: the margin of nested exception groups. */
typedef struct print_ctx {
    int depth;                 /* exception_group_depth */
    bool need_close;
} print_ctx;

static void emit(sbuf *b, const print_ctx *c, const char *text, char margin)
{
    /* Every line of text gets the indent, and inside a group the margin. */
    while (*text) {
        size_t n = strcspn(text, "\n");
        for (int i = 0; i < 2 * c->depth; i++)
            sb_putc(b, ' ');
        if (c->depth) {
            sb_putc(b, margin);
            sb_putc(b, ' ');
        }
        sb_putn(b, text, n);
        sb_putc(b, '\n');
        text += n + (text[n] == '\n');
    }
}

static void format_exc(sbuf *b, const co_exc *e, print_ctx *c);

static void format_one(sbuf *b, const co_exc *e, print_ctx *c)
{
    sbuf line = {0};
    sb_printf(&line, "%s%s", exc_module(e->type), e->type);
    sbuf str = {0};
    exc_str(&str, e);
    if (str.p && *str.p)
        sb_printf(&line, ": %s", str.p);
    sb_free(&str);
    if (!e->members) {
        emit(b, c, line.p ? line.p : "", '|');
        sb_free(&line);
        return;
    }
    if (c->depth > 10) {                       /* max_group_depth */
        emit(b, c, "... (max_group_depth is 10)", '|');
        sb_free(&line);
        return;
    }
    bool toplevel = c->depth == 0;
    if (toplevel)
        c->depth++;
    emit(b, c, line.p ? line.p : "", '|');
    sb_free(&line);
    size_t n = e->nmembers <= 15 ? e->nmembers : 16;   /* max_group_width */
    c->need_close = false;
    for (size_t i = 0; i < n; i++) {
        bool last = i == n - 1, truncated = i >= 15;
        if (last)
            c->need_close = true;
        for (int k = 0; k < 2 * c->depth; k++)
            sb_putc(b, ' ');
        if (truncated)
            sb_printf(b, "%s+---------------- ... ----------------\n", i == 0 ? "+-" : "  ");
        else
            sb_printf(b, "%s+---------------- %zu ----------------\n", i == 0 ? "+-" : "  ", i + 1);
        c->depth++;
        if (!truncated)
            format_exc(b, e->members[i], c);
        else {
            char more[64];
            size_t rest = e->nmembers - 15;
            snprintf(more, sizeof more, "and %zu more exception%s", rest, rest > 1 ? "s" : "");
            emit(b, c, more, '|');
        }
        if (last && c->need_close) {
            for (int k = 0; k < 2 * c->depth; k++)
                sb_putc(b, ' ');
            sb_puts(b, "+------------------------------------\n");
            c->need_close = false;
        }
        c->depth--;
    }
    if (toplevel)
        c->depth = 0;
}

/* TracebackException.format: the cause first, then what it caused. */
static void format_exc(sbuf *b, const co_exc *e, print_ctx *c)
{
    if (e->cause) {
        format_exc(b, e->cause, c);
        emit(b, c, "\nThe above exception was the direct cause of the following exception:\n\n", '|');
    }
    format_one(b, e, c);
}

void co_exc_format(sbuf *b, const co_exc *e)
{
    print_ctx c = {0, false};
    format_exc(b, e, &c);
}
