/*
** exchandler.c -- the loop's exception handler and asyncio's log lines (see
** exchandler.h), after BaseEventLoop.call_exception_handler and
** default_exception_handler in CPython 3.11's base_events.py.
*/
#include <stdarg.h>
#include <string.h>

#include "exchandler.h"
#include "internal.h"

void co_loop_set_exception_handler(co_loop *L, co_exception_handler fn, void *ud)
{
    L->exc_handler = fn;
    L->exc_handler_ud = fn ? ud : NULL;
}

co_exception_handler co_loop_get_exception_handler(const co_loop *L, void **ud)
{
    if (ud)
        *ud = L->exc_handler_ud;
    return L->exc_handler;
}

const char *co_handle_repr(const co_handle *h)
{
    /* events.Handle._repr_info, TimerHandle's `when` after "cancelled". */
    sbuf b = {0};
    sb_puts(&b, h->is_timer ? "<TimerHandle" : "<Handle");
    if (h->cancelled)
        sb_puts(&b, " cancelled");
    if (h->is_timer)
        sb_printf(&b, " when=%s", co_repr(co_float(h->when)));
    if (h->kind == CO_H_TASK_STEP || h->kind == CO_H_TASK_WAKEUP)
        sb_printf(&b, " %s()", h->kind == CO_H_TASK_STEP ? "TaskStepMethWrapper" : "Task.task_wakeup");
    else if (!h->cancelled)
        sb_printf(&b, " %s()", h->fn_name);
    sb_putc(&b, '>');
    const char *s = co_strf("%s", b.p ? b.p : "");
    sb_free(&b);
    return s;
}

/* logging's lastResort handler: the message, then the formatted exception. */
static void log_error(co_loop *L, const char *text, const co_exc *exc)
{
    if (!L->err)
        return;
    fputs(text, L->err);
    fputc('\n', L->err);
    if (exc) {
        sbuf b = {0};
        co_exc_format(&b, exc);
        if (b.p)
            fputs(b.p, L->err);
        sb_free(&b);
    }
    fflush(L->err);
}

void co__log(co_loop *L, const char *fmt, ...)
{
    if (!L->err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vfprintf(L->err, fmt, ap);
    va_end(ap);
    fputc('\n', L->err);
    fflush(L->err);
}

void co_loop_default_exception_handler(co_loop *L, const co_exc_context *ctx)
{
    sbuf b = {0};
    sb_puts(&b, ctx->message && *ctx->message ? ctx->message : "Unhandled exception in event loop");
    /* `key: repr(value)` for every key but message and exception, sorted. */
    if (ctx->future)
        sb_printf(&b, "\nfuture: %s", co_future_repr(ctx->future));
    if (ctx->handle)
        sb_printf(&b, "\nhandle: %s", co_handle_repr(ctx->handle));
    if (ctx->task)
        sb_printf(&b, "\ntask: %s", co_future_repr(co_task_future(ctx->task)));
    log_error(L, b.p ? b.p : "", ctx->exception);
    sb_free(&b);
}

/* repr(context), a dict in the order CPython's callers build it. */
static const char *context_repr(const co_exc_context *ctx)
{
    sbuf b = {0};
    const char *sep = "";
    sb_putc(&b, '{');
    if (ctx->message) {
        sb_printf(&b, "'message': %s", co_repr(co_str(ctx->message)));
        sep = ", ";
    }
    if (ctx->exception) {
        sb_printf(&b, "%s'exception': %s", sep, co_repr(co_excv(ctx->exception)));
        sep = ", ";
    }
    if (ctx->future) {
        sb_printf(&b, "%s'future': %s", sep, co_future_repr(ctx->future));
        sep = ", ";
    }
    if (ctx->task) {
        sb_printf(&b, "%s'task': %s", sep, co_future_repr(co_task_future(ctx->task)));
        sep = ", ";
    }
    if (ctx->handle)
        sb_printf(&b, "%s'handle': %s", sep, co_handle_repr(ctx->handle));
    sb_putc(&b, '}');
    const char *s = co_strf("%s", b.p ? b.p : "");
    sb_free(&b);
    return s;
}

void co_loop_call_exception_handler(co_loop *L, const co_exc_context *ctx)
{
    if (!L->exc_handler) {
        co_loop_default_exception_handler(L, ctx);
        return;
    }
    co_exc *e = L->exc_handler(L, ctx, L->exc_handler_ud);
    if (e) {
        /* The custom handler failed: the default one reports that. */
        sbuf b = {0};
        sb_printf(&b, "Unhandled error in exception handler\ncontext: %s", context_repr(ctx));
        log_error(L, b.p ? b.p : "", e);
        sb_free(&b);
    }
}

void co__report(co_loop *L, const char *kind, const char *msg, const co_exc_context *ctx)
{
    if (co__tracing(L)) {
        co_task *t = ctx->task ? ctx->task : ctx->future && ctx->future->is_task ? (co_task *)ctx->future : NULL;
        co_trace_event ev = {.ev = CO_EV_WARN, .kind = kind, .msg = msg, .task = t ? t->fut.id : 0};
        co__emit(L, &ev);
    }
    co_loop_call_exception_handler(L, ctx);
}
