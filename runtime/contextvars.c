/*
** contextvars.c -- ContextVar, Context and Token (see contextvars.h), after
** CPython's Python/context.c.
**
** A Context points at an immutable mapping from variables to values (a small
** array here, a HAMT in CPython); ContextVar.set makes a new mapping with one
** entry changed and points the current Context at it. Copying a Context is
** therefore copying a pointer, which is what lets every handle and every task
** carry its own Context without allocating.
*/
#include <stdint.h>
#include <string.h>

#include "internal.h"

struct co__vmap {
    size_t n;                  /* entries */
    struct {
        const co_cvar *var;
        co_value value;
    } items[];                 /* in the order the variables were first set */
};

struct co_cvar {
    const char *name;          /* ContextVar.name */
    bool has_default;
    co_value deflt;            /* ContextVar's default, if has_default */
};

struct co_cvar_token {
    co_cvar *var;              /* Token.var */
    co_vars *ctx;              /* the Context it was made in */
    bool had_old;              /* Token.old_value is not Token.MISSING */
    co_value old;              /* Token.old_value */
    bool used;                 /* reset() already took it */
};

/* The thread's own Context: what runs outside any task or callback. */
static _Thread_local co_vars base_vars;
_Thread_local co_vars *co__tls_vars;

co_vars *co__vars_current(void) { return co__tls_vars ? co__tls_vars : &base_vars; }

/* LookupError(var): the argument is the variable, not a string. */
static co_exc *unquoted(co_exc *e)
{
    if (e != co__exc_nomem())
        e->msg_unquoted = true;
    return e;
}

static const co_value *lookup(const co__vmap *m, const co_cvar *v)
{
    if (m)
        for (size_t i = 0; i < m->n; i++)
            if (m->items[i].var == v)
                return &m->items[i].value;
    return NULL;
}

co_cvar *co_cvar_new(const char *name, const co_value *deflt)
{
    co_cvar *v = co__arena_alloc(sizeof *v);
    const char *copy = co_strf("%s", name ? name : "");
    if (!v)
        return NULL;
    v->name = copy;
    v->has_default = deflt != NULL;
    v->deflt = deflt ? *deflt : co_none();
    return v;
}

const char *co_cvar_name(const co_cvar *v) { return v->name; }

const char *co_cvar_repr(const co_cvar *v)
{
    if (!v->has_default)
        return co_strf("<ContextVar name=%s at %p>", co_repr(co_str(v->name)), (const void *)v);
    return co_strf("<ContextVar name=%s default=%s at %p>", co_repr(co_str(v->name)), co_repr(v->deflt),
                   (const void *)v);
}

co_exc *co_cvar_get(const co_cvar *v, const co_value *deflt, co_value *out)
{
    const co_value *found = lookup(co__vars_current()->map, v);
    if (found)
        *out = *found;
    else if (deflt)
        *out = *deflt;
    else if (v->has_default)
        *out = v->deflt;
    else
        return unquoted(co_exc_new("LookupError", "%s", co_cvar_repr(v)));
    return NULL;
}

/* The mapping m with v = value (a new one: mappings never change). */
static co__vmap *with(const co__vmap *m, const co_cvar *v, co_value value)
{
    size_t n = m ? m->n : 0;
    bool present = lookup(m, v) != NULL;
    co__vmap *r = co__arena_alloc(sizeof *r + (n + !present) * sizeof r->items[0]);
    if (!r)
        return NULL;
    r->n = n + !present;
    if (n)
        memcpy(r->items, m->items, n * sizeof r->items[0]);
    for (size_t i = 0; i < n; i++)
        if (r->items[i].var == v)
            r->items[i].value = value;
    if (!present) {
        r->items[n].var = v;
        r->items[n].value = value;
    }
    return r;
}

/* The mapping m without v. */
static co__vmap *without(const co__vmap *m, const co_cvar *v)
{
    co__vmap *r = co__arena_alloc(sizeof *r + m->n * sizeof r->items[0]);
    if (!r)
        return NULL;
    r->n = 0;
    for (size_t i = 0; i < m->n; i++)
        if (m->items[i].var != v)
            r->items[r->n++] = m->items[i];
    return r;
}

co_cvar_token *co_cvar_set(co_cvar *v, co_value value)
{
    co_vars *ctx = co__vars_current();
    co_cvar_token *tok = co__arena_alloc(sizeof *tok);
    co__vmap *m = with(ctx->map, v, value);
    if (!tok || !m)
        return NULL;
    const co_value *old = lookup(ctx->map, v);
    tok->var = v;
    tok->ctx = ctx;
    tok->had_old = old != NULL;
    tok->old = old ? *old : co_none();
    tok->used = false;
    ctx->map = m;
    return tok;
}

static const char *token_repr(const co_cvar_token *tok)
{
    return co_strf("<Token%s var=%s at %p>", tok->used ? " used" : "", co_cvar_repr(tok->var), (const void *)tok);
}

co_exc *co_cvar_reset(co_cvar *v, co_cvar_token *tok)
{
    if (tok->used)
        return co_exc_new("RuntimeError", "%s has already been used once", token_repr(tok));
    if (tok->var != v)
        return co_exc_new("ValueError", "%s was created by a different ContextVar", token_repr(tok));
    co_vars *ctx = co__vars_current();
    if (tok->ctx != ctx)
        return co_exc_new("ValueError", "%s was created in a different Context", token_repr(tok));
    co__vmap *m = tok->had_old ? with(ctx->map, v, tok->old) : ctx->map ? without(ctx->map, v) : NULL;
    if (!m && (tok->had_old || ctx->map))
        return co__exc_nomem();
    tok->used = true;
    ctx->map = m;
    return NULL;
}

co_vars *co_copy_context(void)
{
    co_vars *c = co__arena_alloc(sizeof *c);
    if (!c)
        return NULL;
    c->map = co__vars_current()->map;
    c->entered = false;
    return c;
}

co_exc *co_vars_run(co_vars *ctx, void (*fn)(void *arg), void *arg)
{
    if (ctx->entered)
        return co_exc_new("RuntimeError", "cannot enter context: <_contextvars.Context object at %p> is already entered",
                          (void *)ctx);
    co_vars *saved = co__vars_enter(ctx);
    fn(arg);
    co__vars_leave(saved);
    return NULL;
}

co_exc *co_vars_get(const co_vars *ctx, const co_cvar *v, co_value *out)
{
    const co_value *found = lookup(ctx->map, v);
    if (!found)
        return unquoted(co_exc_new("KeyError", "%s", co_cvar_repr(v)));
    *out = *found;
    return NULL;
}

size_t co_vars_len(const co_vars *ctx) { return ctx->map ? ctx->map->n : 0; }
