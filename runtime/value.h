/*
** value.h -- Python values and exceptions, as C values.
**
** Scenario code passes arguments, returns results and raises exceptions the way
** a Python coroutine does, so that traces can show them as Python would print
** them. A co_value is a small tagged union passed by value. Strings, lists and
** exceptions it points to live in the running loop's arena: they are valid until
** that loop is closed, and nobody frees them one by one (an arena trades memory
** for simplicity: a loop that raises millions of exceptions keeps them all).
** String literals may be used directly with co_str().
**
** Exceptions are values too (co_exc): a Python type name ("ValueError"), a
** message, an optional cause, and for ExceptionGroup a list of members. A
** coroutine "raises" by returning a non-NULL co_exc *; "except" is an if.
*/
#ifndef CO_VALUE_H
#define CO_VALUE_H

#include <stdbool.h>
#include <stddef.h>

#include "sbuf.h"

typedef struct co_exc co_exc;
typedef struct co_list co_list;

typedef enum co_vkind {
    CO_V_NONE,    /* None */
    CO_V_BOOL,    /* True / False */
    CO_V_INT,     /* int (64-bit) */
    CO_V_FLOAT,   /* float */
    CO_V_STR,     /* str (UTF-8, NUL-terminated) */
    CO_V_LIST,    /* list */
    CO_V_EXC,     /* an exception object used as a value */
    CO_V_PTR      /* an opaque C pointer (shown as <object>) */
} co_vkind;

typedef struct co_value {
    co_vkind kind;
    union {
        bool b;
        long long i;
        double f;
        const char *s;
        co_list *list;
        co_exc *exc;
        void *p;
    } u;
} co_value;

struct co_list {
    size_t n;          /* number of items */
    co_value *items;   /* n items, in the arena */
};

struct co_exc {
    const char *type;      /* Python type name: "CancelledError", "ValueError" ... */
    const char *msg;       /* str(exc); "" when raised without arguments */
    co_exc *cause;         /* __cause__ (raise ... from ...), or NULL */
    co_exc **members;      /* ExceptionGroup members, or NULL */
    size_t nmembers;       /* number of members */
    bool msg_unquoted;     /* msg is the repr of a non-str argument: repr() shows it bare */
};

/* Constructors (no allocation). */
static inline co_value co_none(void) { co_value v = {CO_V_NONE, {0}}; return v; }
static inline co_value co_bool(bool b) { co_value v = {CO_V_BOOL, {0}}; v.u.b = b; return v; }
static inline co_value co_int(long long i) { co_value v = {CO_V_INT, {0}}; v.u.i = i; return v; }
static inline co_value co_float(double f) { co_value v = {CO_V_FLOAT, {0}}; v.u.f = f; return v; }
static inline co_value co_str(const char *s) { co_value v = {CO_V_STR, {0}}; v.u.s = s; return v; }
static inline co_value co_ptr(void *p) { co_value v = {CO_V_PTR, {0}}; v.u.p = p; return v; }
static inline co_value co_excv(co_exc *e) { co_value v = {CO_V_EXC, {0}}; v.u.exc = e; return v; }

/* A number as Python would hold it: CO_NUM(3) is the int 3, CO_NUM(0.5) the
** float 0.5 -- so `job("a", 3)` prints as Python prints it. co_num reads
** either back as a double. */
#define CO_NUM(x) _Generic((x), float: co_float, double: co_float, long double: co_float, default: co_int)(x)
static inline double co_num(co_value v)
{
    return v.kind == CO_V_INT ? (double)v.u.i : v.kind == CO_V_BOOL ? (double)v.u.b : v.u.f;
}

/* Allocating constructors: memory from the current loop's arena (see loop.h);
** they return NULL / a None value only when memory is exhausted. */
const char *co_strf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
co_value co_list_new(size_t n);                 /* n None items */
co_exc *co_exc_new(const char *type, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
co_exc *co_exc_group(const char *msg, co_exc **members, size_t n);  /* ExceptionGroup */

/* Does exception e match Python type `type` in an except clause? Knows the
** builtin hierarchy: every type is an Exception except CancelledError,
** KeyboardInterrupt, SystemExit, GeneratorExit, BaseExceptionGroup (which are
** BaseException only); TimeoutError and ConnectionError are OSErrors; the
** Connection*Error family are ConnectionErrors; QueueEmpty/QueueFull/
** InvalidStateError are Exceptions. "BaseException" matches everything. */
bool co_exc_is(const co_exc *e, const char *type);
static inline bool co_exc_is_cancel(const co_exc *e) { return e && co_exc_is(e, "CancelledError"); }

/* Python's repr() and str() of a value, appended to b. Floats use the shortest
** form that reads back exactly, as Python's repr does ("0.1", "3.0", "1e-05"). */
void co_value_repr(sbuf *b, co_value v);
void co_value_str(sbuf *b, co_value v);
void co_exc_repr(sbuf *b, const co_exc *e);     /* ValueError('boom') */

/* reprlib.repr(v): repr cut to reprlib's default limits (30 characters of a
** string, six list items, six levels), as Future.__repr__ shows a result. */
void co_value_reprlib(sbuf *b, co_value v);

/* Python's ==, and <: *err gets TypeError ("'<' not supported between
** instances of 'NoneType' and 'int'") when the two cannot be ordered. Numbers
** compare with numbers, strings with strings, lists item by item. */
bool co_value_eq(co_value a, co_value b);
bool co_value_lt(co_value a, co_value b, co_exc **err);
const char *co_value_type_name(co_value v);     /* type(v).__name__ */

/* traceback.format_exception(e) as CPython prints it, but for the frames,
** which a C exception does not have: "ValueError: boom", an ExceptionGroup's
** members in their boxes, a cause before "The above exception was the direct
** cause of the following exception:". Appended to b, each line ended by \n. */
void co_exc_format(sbuf *b, const co_exc *e);

/* The shortest decimal that reads back as exactly d, Python-style. buf >= 32. */
void co_format_double(char *buf, double d);
/* The same by the general method (snprintf and strtod, ~600 ns), without the
** fast path co_format_double takes for most numbers; the tests compare both. */
void co_format_double_exact(char *buf, double d);

#endif
