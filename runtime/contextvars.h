/*
** contextvars.h -- Python's contextvars: ContextVar, Context, Token.
**
** A context variable has one value per Context. Code always runs in some
** Context -- the current one -- and get/set act on it. asyncio passes
** contexts along as CPython 3.11 does:
**
**   - a task runs every step in its own Context: a copy of the creator's
**     current one (copy_context()) made when the task is created, or the
**     one given to co_create_task_in (create_task(..., context=ctx));
**   - a callback scheduled with call_soon / call_later runs in a copy of the
**     Context current when it was scheduled, a done-callback in a copy of the
**     one current when it was added;
**   - asyncio.to_thread runs its function in a copy of the caller's Context.
**
** So a value a task sets is seen by that task and by what it creates
** afterwards, never by its creator or its siblings.
**
** A Context holds an immutable mapping; set() gives the current Context a new
** mapping (as CPython's HAMT does), so copy_context() is O(1) and a copy
** never changes when the original does. Costs: a copy is a pointer; a set()
** copies the mapping (fine for the few variables a program has).
**
** Ownership: ContextVars, Contexts, Tokens and values live in the arena of the
** loop current when they were made (co_loop_new makes one current) until it
** is closed. None of these calls suspends.
*/
#ifndef CO_CONTEXTVARS_H
#define CO_CONTEXTVARS_H

#include "value.h"

typedef struct co_cvar co_cvar;          /* contextvars.ContextVar */
typedef struct co_vars co_vars;          /* contextvars.Context */
typedef struct co_cvar_token co_cvar_token;  /* contextvars.Token */

/* ContextVar(name) / ContextVar(name, default=*deflt): deflt may be NULL (no
** default). NULL on no memory. */
co_cvar *co_cvar_new(const char *name, const co_value *deflt);
const char *co_cvar_name(const co_cvar *v);

/* var.get() / var.get(default): *out gets the value in the current Context,
** else *deflt (if not NULL), else the variable's default; else LookupError
** with the variable's repr. */
co_exc *co_cvar_get(const co_cvar *v, const co_value *deflt, co_value *out);

/* var.set(value) in the current Context; the Token undoes it. NULL on no
** memory. */
co_cvar_token *co_cvar_set(co_cvar *v, co_value value);

/* var.reset(token): the value before that set(). ValueError if the token
** belongs to another variable or was made in another Context, RuntimeError if
** it was used already -- CPython's messages. */
co_exc *co_cvar_reset(co_cvar *v, co_cvar_token *tok);

/* contextvars.copy_context(): a new Context with the current one's values.
** NULL on no memory. */
co_vars *co_copy_context(void);

/* Context.run(fn, arg): fn runs with ctx current. RuntimeError ("cannot enter
** context: ... is already entered") if ctx is current somewhere already. */
co_exc *co_vars_run(co_vars *ctx, void (*fn)(void *arg), void *arg);

/* ctx[var] / ctx.get(var): NULL and *out set, or LookupError. */
co_exc *co_vars_get(const co_vars *ctx, const co_cvar *v, co_value *out);
size_t co_vars_len(const co_vars *ctx);       /* len(ctx) */

/* repr(var): <ContextVar name='x' default=1 at 0x...>. */
const char *co_cvar_repr(const co_cvar *v);

#endif
