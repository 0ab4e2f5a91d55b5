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

/* A program's timers, deadlines and stalls take few distinct values (its
** sleeps), so `when`, `from`, `until` and `dur` are looked up by their bits in
** a small direct-mapped table of their text before being formatted. */
#define NUM_CACHE 64

struct co_trace_writer {
    FILE *f;                 /* destination */
    int owns_file;           /* fclose it at the end */
    int err;                 /* first errno from writing, or 0 */
    sbuf line;               /* output not yet written: whole lines */
    int real_clock;          /* header clock "real": t is written to the microsecond */
    double last_t;           /* cache: the last `t` formatted */
    char last_t_text[40];
    size_t last_t_len;
    struct num_text {            /* cache: numbers formatted lately (timer `when`s ...) */
        double d;
        unsigned char len;       /* 0: empty */
        char text[31];
    } nums[NUM_CACHE];
};

/* --- field encoders ------------------------------------------------------- */

/* The output buffer keeps SLACK bytes free wherever a fixed-size piece (a
** key, a number, punctuation) is written: format_with_cache reserves it per
** event, and each unbounded piece (a string, a list) reserves its own size plus
** SLACK again. So the pieces below append without checking room or writing a
** terminating NUL -- the formatter's hot path. If a reservation fails, `failed`
** is set and nothing more is written. */
#define SLACK 512

static inline int room(sbuf *b, size_t n) { return sb_reserve(b, n + SLACK); }

/* Fixed pieces: at almost every call n is a constant, and memcpy then compiles
** to a few moves. */
static inline void w_putn(sbuf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static inline void w_putc(sbuf *b, char c)
{
    if (!b->failed)
        b->p[b->len++] = c;
}

#define sb_putn(b, s, n) w_putn((b), (s), (n))
#define sb_putc(b, c) w_putc((b), (c))
#define sb_puts(b, s) w_putn((b), (s), strlen(s))

/* The number of decimal digits of v (> 0): the bit length gives it to within
** one (1233 / 4096 ~ log10 2). */
static inline int u64_digits(uint64_t v)
{
    static const uint64_t pow10[] = {
        1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
        100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL, 1000000000000ULL,
        10000000000000ULL, 100000000000000ULL, 1000000000000000ULL, 10000000000000000ULL,
        100000000000000000ULL, 1000000000000000000ULL, 10000000000000000000ULL};
    int t = ((64 - __builtin_clzll(v | 1)) * 1233) >> 12;   /* log10(v) rounded up or down */
    return t - (v < pow10[t]) + 1;
}

static inline void put_u64(sbuf *b, uint64_t v)
{
    /* Two digits per division, from a table, written in place from the end:
    ** ids and seq are most of a line. */
    static const char pairs[] =
        "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
        "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
        "8081828384858687888990919293949596979899";
    if (b->failed)
        return;
    char *d = b->p + b->len;
    if (v < 10) {
        *d = (char)('0' + v);
        b->len++;
        return;
    }
    int n = u64_digits(v);
    char *p = d + n;
    while (v >= 100) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, pairs + 2 * r, 2);
    }
    if (v >= 10) {
        p -= 2;
        memcpy(p, pairs + 2 * v, 2);
    } else
        *--p = (char)('0' + v);
    b->len += (size_t)n;
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

/* 1: the byte must be escaped in a JSON string (controls, '"', '\\'); NUL
** included, so that it ends the fast copy below. */
static const unsigned char special[256] = {
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
    ['"'] = 1, ['\\'] = 1,
};

static void put_string_escaped(sbuf *b, const char *s)
{
    static const char hex[] = "0123456789abcdef";
    if (!room(b, strlen(s) * 6 + 2))      /* worst case: every byte as \u00XX */
        return;
    sb_putc(b, '"');
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (!special[c])
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

/* Most strings need no escape and are short (kinds, labels, `src`): they are
** copied in one pass that stops at the first byte to escape, or where the
** buffer's reserved slack would run low; put_string_escaped then does it all
** again the careful way. */
static void put_string(sbuf *b, const char *s)
{
    if (b->failed)
        return;
    char *start = b->p + b->len, *d = start;
    const char *lim = b->p + b->cap - SLACK - 2;
    const unsigned char *u = (const unsigned char *)s;
    *d++ = '"';
    while (d < lim && !special[*u])
        *d++ = (char)*u++;
    if (!*u && d < lim) {
        *d++ = '"';
        b->len += (size_t)(d - start);
        return;
    }
    put_string_escaped(b, s);
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
            if (!room(b, 0))
                return;
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

/* Keys are literals: the macros paste the punctuation on at compile time. */
#define KEYLIT(k) ",\"" k "\":"
#define key(b, k) sb_putn((b), KEYLIT(k), sizeof KEYLIT(k) - 1)
#define f_id(b, k, v) f_id_((b), KEYLIT(k), sizeof KEYLIT(k) - 1, (v))
#define f_str(b, k, v) f_str_((b), KEYLIT(k), sizeof KEYLIT(k) - 1, (v))
#define f_num(b, k, v) f_num_(w, (b), KEYLIT(k), sizeof KEYLIT(k) - 1, (v))

static inline void f_id_(sbuf *b, const char *k, size_t klen, uint64_t id)
{
    sb_putn(b, k, klen);
    if (id)
        put_u64(b, id);
    else
        sb_puts(b, "null");
}

static inline void f_str_(sbuf *b, const char *k, size_t klen, const char *s)
{
    sb_putn(b, k, klen);
    if (s)
        put_string(b, s);
    else
        sb_puts(b, "null");
}

/* put_double through w's cache of numbers (w NULL: none). */
static void put_number(co_trace_writer *w, sbuf *b, double d)
{
    if (!w || d != d || d - d != 0) {
        put_double(b, d);
        return;
    }
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    struct num_text *c = &w->nums[(bits * 0x9E3779B97F4A7C15ULL) >> 58];
    if (!c->len || memcmp(&c->d, &d, sizeof d)) {
        char tmp[40];
        co_format_double(tmp, d);
        size_t n = strlen(tmp);
        if (n >= sizeof c->text) {
            sb_putn(b, tmp, n);
            return;
        }
        memcpy(c->text, tmp, n);
        c->len = (unsigned char)n;
        c->d = d;
    }
    sb_putn(b, c->text, c->len);
}

static inline void f_num_(co_trace_writer *w, sbuf *b, const char *k, size_t klen, double d)
{
    sb_putn(b, k, klen);
    put_number(w, b, d);
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

/* `src` and `csrc`, when the producer knows them (FORMAT.md, version 3). */
static void src_fields(sbuf *b, const co_trace_event *ev)
{
    if (ev->src)
        f_str(b, "src", ev->src);
    if (ev->src && ev->csrc)
        f_str(b, "csrc", ev->csrc);
}

static void trace_fields(co_trace_writer *w, sbuf *b, const co_trace_event *ev)
{
    switch (ev->ev) {
    case CO_EV_TASK_NEW:
        f_id(b, "task", ev->task);
        f_str(b, "name", ev->name);
        f_id(b, "parent", ev->parent);
        f_str(b, "coro", ev->coro);
        f_id(b, "h", ev->h);
        src_fields(b, ev);
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
            if (ev->src && ev->csrc)
                f_str(b, "csrc", ev->csrc);
        } else if (!strcmp(ev->reason, "yield")) {
            f_id(b, "h", ev->h);
            f_str(b, "src", ev->src);
            if (ev->src && ev->csrc)
                f_str(b, "csrc", ev->csrc);
        } else if (!strcmp(ev->reason, "raise")) {
            f_str(b, "exc", ev->exc);
            f_str(b, "msg", ev->msg ? ev->msg : "");
            src_fields(b, ev);
        } else if (!strcmp(ev->reason, "cancelled")) {
            f_str(b, "msg", ev->msg ? ev->msg : "");
            src_fields(b, ev);
        } else
            src_fields(b, ev);
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
        if (ev->nof && room(b, ev->nof * 21 + 8)) {   /* unbounded: 20 digits and a comma per id */
            key(b, "of");
            sb_putc(b, '[');
            for (size_t i = 0; i < ev->nof; i++) {
                if (i)
                    sb_putc(b, ',');
                put_u64(b, ev->of[i]);
            }
            sb_putc(b, ']');
        }
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
        src_fields(b, ev);
        break;
    case CO_EV_FRAME_EXIT:
        f_id(b, "task", ev->task);
        f_str(b, "fn", ev->fn);
        break;
    case CO_EV_PRINT:
        f_id(b, "task", ev->task);
        f_str(b, "text", ev->text ? ev->text : "");
        src_fields(b, ev);
        break;
    case CO_EV_SOURCE:
        f_str(b, "file", ev->file ? ev->file : "");
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

/* Real-clock times carry no meaning below the microsecond, and each event has
** a different one, so they skip the shortest-repr search: whole microseconds,
** trailing zeros dropped ("12.5", "0.000731", "3.0"). */
static void format_micros(char *out, double t)
{
    if (!(t >= 0 && t < 9e12)) {
        co_format_double(out, t);
        return;
    }
    unsigned long long us = (unsigned long long)(t * 1e6 + 0.5);
    unsigned long long sec = us / 1000000, frac = us % 1000000;
    char digits[7];
    for (int i = 5; i >= 0; i--) {
        digits[i] = (char)('0' + frac % 10);
        frac /= 10;
    }
    int nd = 6;
    while (nd > 1 && digits[nd - 1] == '0')
        nd--;
    char whole[24];
    int nw = 0;
    do {
        whole[nw++] = (char)('0' + sec % 10);
        sec /= 10;
    } while (sec);
    int n = 0;
    while (nw)
        out[n++] = whole[--nw];
    out[n++] = '.';
    memcpy(out + n, digits, (size_t)nd);
    out[n + nd] = 0;
}

static void format_with_cache(co_trace_writer *w, sbuf *b, const co_trace_event *ev)
{
    if (!room(b, 0))
        return;
    sb_putn(b, "{\"seq\":", 7);
    put_u64(b, ev->seq);
    sb_putn(b, ",\"t\":", 5);
    if (w) {
        if (ev->t != w->last_t || !w->last_t_text[0]) {
            w->last_t = ev->t;
            if (w->real_clock)
                format_micros(w->last_t_text, ev->t);
            else
                co_format_double(w->last_t_text, ev->t);
            w->last_t_len = strlen(w->last_t_text);
        }
        sb_putn(b, w->last_t_text, w->last_t_len);
    } else
        put_double(b, ev->t);
    static const struct { const char *s; size_t n; } evs[] = {
#define CO_X_EVKEY(name, str) {",\"ev\":\"" str "\"", sizeof(",\"ev\":\"" str "\"") - 1},
        CO_EVENT_LIST(CO_X_EVKEY)
#undef CO_X_EVKEY
    };
    if ((unsigned)ev->ev < CO_EV__COUNT)
        sb_putn(b, evs[ev->ev].s, evs[ev->ev].n);
    trace_fields(w, b, ev);
    if (ev->order)
        f_str(b, "order", ev->order);
    sb_putn(b, "}\n", 2);
}

void co_trace_format_event(sbuf *b, const co_trace_event *ev)
{
    format_with_cache(NULL, b, ev);
    if (!b->failed)
        b->p[b->len] = 0;             /* room() left space for it */
}

/* --- output ------------------------------------------------------------------ */

static void flush(co_trace_writer *w)
{
    sbuf *b = &w->line;
    if (b->len && !w->err && fwrite(b->p, 1, b->len, w->f) != b->len)
        w->err = errno ? errno : EIO;
    b->len = 0;
}

void co_trace_writer_event(co_trace_writer *w, const co_trace_event *ev)
{
    /* Lines are formatted straight into the output buffer, which goes to the
    ** file whenever it passes BUFSZ. */
    format_with_cache(w, &w->line, ev);
    if (w->line.failed) {
        w->err = ENOMEM;
        w->line.failed = 0;
        w->line.len = 0;
    } else if (w->line.len >= BUFSZ)
        flush(w);
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
    if (!sb_reserve(&w->line, BUFSZ + 4096)) {
        co_free(w);
        return NULL;
    }
    w->f = f;
    w->real_clock = hdr->clock && !strcmp(hdr->clock, "real");
    co_trace_format_header(&w->line, hdr);
    return w;
}

void co_trace_format_header(sbuf *b, const co_trace_header *hdr)
{
    if (!room(b, 0))
        return;
    sb_puts(b, "{\"format\":\"coroscope-trace\",\"version\":3,\"scenario\":");
    put_string(b, hdr->scenario ? hdr->scenario : "");
    sb_puts(b, ",\"clock\":");
    put_string(b, hdr->clock ? hdr->clock : "virtual");
    sb_puts(b, ",\"semantics\":\"cpython-3.11\",\"producer\":");
    put_string(b, hdr->producer ? hdr->producer : "coroscope-runtime 0.1");
    sb_puts(b, "}\n");
    if (!b->failed)
        b->p[b->len] = 0;
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

int co_trace_writer_error(const co_trace_writer *w)
{
    return w->err;
}

co_status co_trace_writer_flush(co_trace_writer *w)
{
    flush(w);
    if (fflush(w->f) != 0 && !w->err)
        w->err = errno ? errno : EIO;
    return w->err ? CO_EIO : CO_OK;
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
    co_free(w);
    if (e) {
        if (err)
            snprintf(err, errlen, "writing the trace failed: %s", strerror(e));
        return CO_EIO;
    }
    return CO_OK;
}
