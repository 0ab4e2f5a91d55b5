/*
** trace_writer.c -- the JSON Lines formatter (see trace_writer.h).
**
** One function per field type (uint, double, string, value), and one table
** below, trace_fields, that says which fields each event kind carries and in
** what order: it is traces/FORMAT.md in code form.
*/
#include <errno.h>
#include <string.h>

#include "alloc.h"
#include "trace_writer.h"

#define BUFSZ (64 * 1024)

struct co_trace_writer {
    FILE *f;                 /* destination */
    int owns_file;           /* fclose it at the end */
    int err;                 /* first errno from writing, or 0 */
    sbuf line;               /* the line being built */
    char *buf;               /* output buffer */
    size_t used;             /* bytes in buf */
    double last_t;           /* cache: the last `t` formatted */
    char last_t_text[40];
};

/* --- field encoders ------------------------------------------------------- */

static void put_u64(sbuf *b, uint64_t v)
{
    char tmp[24];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if (!sb_reserve(b, (size_t)n))
        return;
    for (int i = n - 1; i >= 0; i--)
        b->p[b->len++] = tmp[i];
    b->p[b->len] = 0;
}

static void put_int(sbuf *b, long long v)
{
    if (v < 0) {
        sb_putc(b, '-');
        put_u64(b, (uint64_t)0 - (uint64_t)v);
    } else
        put_u64(b, (uint64_t)v);
}

static void put_double(sbuf *b, double d)
{
    char tmp[40];
    if (d != d || d - d != 0) {        /* nan, inf: JSON has none */
        sb_puts(b, "null");
        return;
    }
    co_format_double(tmp, d);
    sb_puts(b, tmp);
}

static void put_string(sbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    sb_putc(b, '"');
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        sb_putn(b, run, (size_t)(s - run));
        run = s + 1;
        switch (c) {
        case '"': sb_puts(b, "\\\""); break;
        case '\\': sb_puts(b, "\\\\"); break;
        case '\n': sb_puts(b, "\\n"); break;
        case '\r': sb_puts(b, "\\r"); break;
        case '\t': sb_puts(b, "\\t"); break;
        default: {
            char u[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
            sb_puts(b, u);
        }
        }
    }
    sb_putn(b, run, (size_t)(s - run));
    sb_putc(b, '"');
}

static void put_value(sbuf *b, const co_value *v)
{
    switch (v->kind) {
    case CO_V_NONE: sb_puts(b, "null"); break;
    case CO_V_BOOL: sb_puts(b, v->u.b ? "true" : "false"); break;
    case CO_V_INT: put_int(b, v->u.i); break;
    case CO_V_FLOAT: put_double(b, v->u.f); break;
    case CO_V_STR: put_string(b, v->u.s ? v->u.s : ""); break;
    case CO_V_LIST:
        sb_putc(b, '[');
        for (size_t i = 0; i < v->u.list->n; i++) {
            if (i)
                sb_putc(b, ',');
            put_value(b, &v->u.list->items[i]);
        }
        sb_putc(b, ']');
        break;
    case CO_V_EXC:
        sb_puts(b, "{\"exc\":");
        put_string(b, v->u.exc->type);
        sb_puts(b, ",\"msg\":");
        put_string(b, v->u.exc->msg ? v->u.exc->msg : "");
        sb_putc(b, '}');
        break;
    case CO_V_PTR: sb_puts(b, "\"<object>\""); break;
    }
}

static void key(sbuf *b, const char *k)
{
    sb_putc(b, ',');
    sb_putc(b, '"');
    sb_puts(b, k);
    sb_puts(b, "\":");
}

static void f_id(sbuf *b, const char *k, uint64_t id)
{
    key(b, k);
    if (id)
        put_u64(b, id);
    else
        sb_puts(b, "null");
}

static void f_str(sbuf *b, const char *k, const char *s)
{
    key(b, k);
    if (s)
        put_string(b, s);
    else
        sb_puts(b, "null");
}

static void f_num(sbuf *b, const char *k, double d)
{
    key(b, k);
    put_double(b, d);
}

/* --- the table of fields per event ------------------------------------------------ */

static void outcome_fields(sbuf *b, const co_trace_event *ev)
{
    f_str(b, "outcome", ev->outcome);
    if (ev->value) {
        key(b, "value");
        put_value(b, ev->value);
    } else if (ev->exc) {
        f_str(b, "exc", ev->exc);
        f_str(b, "msg", ev->msg ? ev->msg : "");
    } else
        f_str(b, "msg", ev->msg ? ev->msg : "");
}

static void trace_fields(sbuf *b, const co_trace_event *ev)
{
    switch (ev->ev) {
    case CO_EV_TASK_NEW:
        f_id(b, "task", ev->task);
        f_str(b, "name", ev->name);
        f_id(b, "parent", ev->parent);
        f_str(b, "coro", ev->coro);
        f_id(b, "h", ev->h);
        break;
    case CO_EV_STEP_BEGIN:
        f_id(b, "task", ev->task);
        f_id(b, "h", ev->h);
        break;
    case CO_EV_THROW:
        f_id(b, "task", ev->task);
        f_str(b, "exc", ev->exc);
        f_str(b, "msg", ev->msg ? ev->msg : "");
        break;
    case CO_EV_STEP_END:
        f_id(b, "task", ev->task);
        f_str(b, "reason", ev->reason);
        if (!strcmp(ev->reason, "await")) {
            f_id(b, "fut", ev->fut);
            f_str(b, "on", ev->on);
            f_str(b, "src", ev->src);
        } else if (!strcmp(ev->reason, "yield")) {
            f_id(b, "h", ev->h);
            f_str(b, "src", ev->src);
        } else if (!strcmp(ev->reason, "raise")) {
            f_str(b, "exc", ev->exc);
            f_str(b, "msg", ev->msg ? ev->msg : "");
        } else if (!strcmp(ev->reason, "cancelled"))
            f_str(b, "msg", ev->msg ? ev->msg : "");
        break;
    case CO_EV_TASK_DONE:
        f_id(b, "task", ev->task);
        outcome_fields(b, ev);
        break;
    case CO_EV_FUT_NEW:
        f_id(b, "fut", ev->fut);
        f_str(b, "kind", ev->kind);
        f_str(b, "label", ev->label);
        f_id(b, "by", ev->by);
        break;
    case CO_EV_FUT_DONE:
        f_id(b, "fut", ev->fut);
        outcome_fields(b, ev);
        f_id(b, "by", ev->by);
        f_str(b, "via", ev->via);
        break;
    case CO_EV_CB_ADD:
        f_id(b, "fut", ev->fut);
        f_str(b, "fn", ev->fn);
        break;
    case CO_EV_WAKE:
        f_id(b, "task", ev->task);
        f_id(b, "fut", ev->fut);
        f_id(b, "h", ev->h);
        break;
    case CO_EV_CALL_SOON:
        f_id(b, "h", ev->h);
        f_str(b, "fn", ev->fn);
        f_id(b, "fut", ev->fut);
        break;
    case CO_EV_CB_RUN:
        f_id(b, "h", ev->h);
        f_str(b, "fn", ev->fn);
        break;
    case CO_EV_HANDLE_CANCEL:
        f_id(b, "h", ev->h);
        break;
    case CO_EV_CANCEL:
        f_id(b, "target", ev->target);
        f_id(b, "by", ev->by);
        f_str(b, "via", ev->via);
        f_str(b, "msg", ev->msg ? ev->msg : "");
        key(b, "ok");
        sb_puts(b, ev->ok ? "true" : "false");
        break;
    case CO_EV_UNCANCEL:
        f_id(b, "task", ev->task);
        key(b, "count");
        put_u64(b, (uint64_t)(ev->count < 0 ? 0 : ev->count));
        break;
    case CO_EV_TIMER_NEW:
        f_id(b, "timer", ev->timer);
        f_num(b, "when", ev->when);
        f_str(b, "fn", ev->fn);
        break;
    case CO_EV_TIMER_FIRE:
    case CO_EV_TIMER_CANCEL:
        f_id(b, "timer", ev->timer);
        break;
    case CO_EV_IDLE:
        f_num(b, "from", ev->from);
        f_num(b, "until", ev->until);
        break;
    case CO_EV_END:
        f_str(b, "reason", ev->reason);
        break;
    case CO_EV_FRAME_ENTER:
        f_id(b, "task", ev->task);
        f_str(b, "fn", ev->fn);
        f_str(b, "args", ev->args ? ev->args : "()");
        break;
    case CO_EV_FRAME_EXIT:
        f_id(b, "task", ev->task);
        f_str(b, "fn", ev->fn);
        break;
    case CO_EV_PRINT:
        f_id(b, "task", ev->task);
        f_str(b, "text", ev->text ? ev->text : "");
        break;
    case CO_EV_WARN:
        f_str(b, "kind", ev->kind);
        f_str(b, "msg", ev->msg ? ev->msg : "");
        f_id(b, "task", ev->task);
        break;
    case CO_EV_SYNC:
        f_id(b, "obj", ev->obj);
        f_str(b, "kind", ev->kind);
        f_str(b, "op", ev->op);
        f_id(b, "task", ev->task);
        key(b, "count");
        put_int(b, ev->count);
        break;
    case CO_EV_JOB:
        f_id(b, "obj", ev->obj);
        f_str(b, "op", ev->op);
        key(b, "worker");
        put_int(b, ev->worker);
        f_str(b, "fn", ev->fn);
        f_id(b, "fut", ev->fut);
        if (ev->outcome)
            f_str(b, "outcome", ev->outcome);
        break;
    case CO_EV_IO:
        key(b, "fd");
        put_int(b, ev->fd);
        f_str(b, "op", ev->op);
        f_id(b, "task", ev->task);
        f_str(b, "label", ev->label);
        break;
    case CO_EV_TIMEOUT:
        f_id(b, "obj", ev->obj);
        f_str(b, "op", ev->op);
        f_num(b, "when", ev->when);
        f_id(b, "task", ev->task);
        break;
    case CO_EV_GROUP:
        f_id(b, "obj", ev->obj);
        f_str(b, "op", ev->op);
        f_id(b, "task", ev->task);
        break;
    case CO_EV_BLOCK:
        f_id(b, "task", ev->task);
        f_num(b, "dur", ev->dur);
        f_str(b, "label", ev->label);
        break;
    case CO_EV__COUNT:
        break;
    }
}

static void format_with_cache(co_trace_writer *w, sbuf *b, const co_trace_event *ev)
{
    sb_puts(b, "{\"seq\":");
    put_u64(b, ev->seq);
    sb_puts(b, ",\"t\":");
    if (w) {
        if (ev->t != w->last_t || !w->last_t_text[0]) {
            w->last_t = ev->t;
            co_format_double(w->last_t_text, ev->t);
        }
        sb_puts(b, w->last_t_text);
    } else
        put_double(b, ev->t);
    sb_puts(b, ",\"ev\":\"");
    sb_puts(b, co_trace_event_name(ev->ev));
    sb_putc(b, '"');
    trace_fields(b, ev);
    sb_puts(b, "}\n");
}

void co_trace_format_event(sbuf *b, const co_trace_event *ev) { format_with_cache(NULL, b, ev); }

/* --- output ------------------------------------------------------------------ */

static void flush(co_trace_writer *w)
{
    if (w->used && !w->err && fwrite(w->buf, 1, w->used, w->f) != w->used)
        w->err = errno ? errno : EIO;
    w->used = 0;
}

static void write_bytes(co_trace_writer *w, const char *p, size_t n)
{
    if (w->used + n > BUFSZ)
        flush(w);
    if (n > BUFSZ) {
        if (!w->err && fwrite(p, 1, n, w->f) != n)
            w->err = errno ? errno : EIO;
        return;
    }
    memcpy(w->buf + w->used, p, n);
    w->used += n;
}

void co_trace_writer_event(co_trace_writer *w, const co_trace_event *ev)
{
    w->line.len = 0;
    format_with_cache(w, &w->line, ev);
    if (w->line.failed)
        w->err = ENOMEM;
    else
        write_bytes(w, w->line.p, w->line.len);
}

static void tracer_event(void *ud, const co_trace_event *ev) { co_trace_writer_event(ud, ev); }

co_tracer co_trace_writer_tracer(co_trace_writer *w)
{
    co_tracer t = {tracer_event, w};
    return t;
}

co_trace_writer *co_trace_writer_new(FILE *f, const co_trace_header *hdr)
{
    co_trace_writer *w = co_calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->buf = co_malloc(BUFSZ);
    if (!w->buf) {
        co_free(w);
        return NULL;
    }
    w->f = f;
    sbuf *b = &w->line;
    sb_puts(b, "{\"format\":\"coroscope-trace\",\"version\":2,\"scenario\":");
    put_string(b, hdr->scenario ? hdr->scenario : "");
    sb_puts(b, ",\"clock\":");
    put_string(b, hdr->clock ? hdr->clock : "virtual");
    sb_puts(b, ",\"semantics\":\"cpython-3.11\",\"producer\":");
    put_string(b, hdr->producer ? hdr->producer : "coroscope-runtime 0.1");
    sb_puts(b, "}\n");
    write_bytes(w, b->p, b->len);
    return w;
}

co_trace_writer *co_trace_writer_open(const char *path, const co_trace_header *hdr, char *err, size_t errlen)
{
    int to_stdout = !strcmp(path, "-");
    FILE *f = to_stdout ? stdout : fopen(path, "w");
    if (!f) {
        snprintf(err, errlen, "cannot write trace to '%s': %s", path, strerror(errno));
        return NULL;
    }
    co_trace_writer *w = co_trace_writer_new(f, hdr);
    if (!w) {
        if (!to_stdout)
            fclose(f);
        snprintf(err, errlen, "out of memory opening '%s'", path);
        return NULL;
    }
    w->owns_file = !to_stdout;
    return w;
}

co_status co_trace_writer_close(co_trace_writer *w, char *err, size_t errlen)
{
    if (!w)
        return CO_OK;
    flush(w);
    if (fflush(w->f) != 0 && !w->err)
        w->err = errno ? errno : EIO;
    if (w->owns_file && fclose(w->f) != 0 && !w->err)
        w->err = errno ? errno : EIO;
    int e = w->err;
    sb_free(&w->line);
    co_free(w->buf);
    co_free(w);
    if (e) {
        if (err)
            snprintf(err, errlen, "writing the trace failed: %s", strerror(e));
        return CO_EIO;
    }
    return CO_OK;
}
