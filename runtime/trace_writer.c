/*
** trace_writer.c -- the JSON Lines formatter (see trace_writer.h).
**
** One function per field type (uint, double, string, value), and one table
** below, trace_fields, that says which fields each event kind carries and in
** what order: it is traces/FORMAT.md in code form.
*/
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "trace_writer.h"

#define BUFSZ (256 * 1024)        /* a write's size, about (the last line may pass it) */
#define BG_BUFS 16                 /* full buffers the writing thread may hold: 4 MiB (see output) */

/* A program's timers, deadlines and stalls take few distinct values (its
** sleeps), so `when`, `from`, `until` and `dur` are looked up by their bits in
** a small direct-mapped table of their text before being formatted. */
#define NUM_CACHE 64

/* Version 4's string table (see intern below). Strings longer than
** INTERN_MAX_LEN, and new strings once INTERN_MAX are in the table, are
** written out instead: the table, the writer's memory and a reader's stay
** bounded whatever a program does. */
#define INTERN_MAX_LEN 1024
#define INTERN_MAX 65536
#define PTR_CACHE 256              /* recently interned strings, by address */
#define TEXT_BLOCK (16 * 1024)     /* the table's copies are carved from blocks this size */
#define RO_RANGES 64               /* read-only mappings remembered (see read_only_ranges) */

typedef struct interned {
    const char *text;        /* the writer's copy, NUL-terminated; NULL: an empty slot */
    uint32_t len, id, hash;
} interned;

typedef struct text_block {
    struct text_block *next;
    size_t used, cap;
    char data[];
} text_block;

struct co_trace_writer {
    FILE *f;                 /* destination */
    int owns_file;           /* fclose it at the end */
    int err;                 /* first errno from writing, or 0 */
    sbuf line;               /* output not yet written: whole lines */
    size_t line_start;       /* where the line being formatted begins in `line` */
    int version;             /* the format written: 3 or 4 */
    uint64_t prev_seq;       /* version 4: seq and t of the last event written */
    double prev_t;
    interned *tab;           /* version 4: the strings defined so far, by content */
    size_t tab_cap, tab_n;   /* slots (a power of two) / strings */
    text_block *blocks;      /* their copies */
    struct {                 /* by address: the last string seen at each hash of one */
        const char *p;
        const interned *e;
        int fixed;           /* p is in read-only file memory: its bytes cannot change */
    } pc[PTR_CACHE];
    struct ro_range {        /* the read-only file mappings when the writer was made */
        uintptr_t lo, hi;
    } ro[RO_RANGES];
    size_t n_ro;
    sbuf scratch;            /* a `str` line being made */
    int real_clock;          /* header clock "real": t is written to the microsecond */
    double last_t;           /* cache: the last `t` formatted */
    char last_t_text[40];
    size_t last_t_len;
    struct num_text {            /* cache: numbers formatted lately (timer `when`s ...) */
        double d;
        unsigned char len;       /* 0: empty */
        char text[31];
    } nums[NUM_CACHE];
    struct {                 /* the background write (see "output" below) */
        pthread_t thread;
        pthread_mutex_t mu;
        pthread_cond_t work;     /* a buffer was handed over, or stop */
        pthread_cond_t idle;     /* a buffer was written */
        sbuf ring[BG_BUFS];      /* buffers; those from head on, count of them, are to write */
        size_t head, count;      /* under mu */
        atomic_int busy;         /* count, for wait_idle */
        atomic_int err;          /* the thread's first errno, or 0 */
        int stop;                /* under mu: the thread is to end */
        int state;               /* 0 not started, 1 running, -1 cannot: write in place */
    } bg;
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

/* The field writers below are forced inline: then each key's length is a
** constant at its call, and its memcpy a few moves instead of a call. */
#if defined(__GNUC__)
#define HOT static inline __attribute__((always_inline))
#else
#define HOT static inline
#endif

/* Fixed pieces: at almost every call n is a constant, and memcpy then compiles
** to a few moves. */
HOT void w_putn(sbuf *b, const char *s, size_t n)
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

HOT void put_u64(sbuf *b, uint64_t v)
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

HOT void f_id_(sbuf *b, const char *k, size_t klen, uint64_t id)
{
    sb_putn(b, k, klen);
    if (id)
        put_u64(b, id);
    else
        sb_puts(b, "null");
}

HOT void f_str_(sbuf *b, const char *k, size_t klen, const char *s)
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

HOT void f_num_(co_trace_writer *w, sbuf *b, const char *k, size_t klen, double d)
{
    sb_putn(b, k, klen);
    put_number(w, b, d);
}

/* --- version 4: the string table ------------------------------------------------ */

/*
** A string an event names (a label, a `src`, a callback's name ...) is looked
** up in w's table by content; the first time it is seen it gets the next
** number, and a `str` line defining it goes into the output just before the
** line being formatted. The runtime passes most strings as literals or as
** labels it keeps, so a cache by address answers nearly every lookup; since
** an address may be reused for other text once its owner is freed, a hit is
** checked against the copy's bytes, never trusted alone.
*/
static uint32_t hash_text(const char *s, size_t n)
{
    uint32_t h = 2166136261u;   /* FNV-1a */
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

static const char *copy_text(co_trace_writer *w, const char *s, size_t n)
{
    text_block *bl = w->blocks;
    if (!bl || bl->cap - bl->used < n + 1) {
        size_t cap = n + 1 > TEXT_BLOCK ? n + 1 : TEXT_BLOCK;
        text_block *nb = co_malloc(sizeof *nb + cap);
        if (!nb)
            return NULL;
        nb->next = bl;
        nb->used = 0;
        nb->cap = cap;
        w->blocks = bl = nb;
    }
    char *d = bl->data + bl->used;
    memcpy(d, s, n);
    d[n] = 0;
    bl->used += n + 1;
    return d;
}

/* Make room for one more string in the table (load at most one half). */
static int tab_grow(co_trace_writer *w)
{
    if ((w->tab_n + 1) * 2 <= w->tab_cap)
        return 1;
    size_t cap = w->tab_cap ? w->tab_cap * 2 : 256;
    interned *t = co_calloc(cap, sizeof *t);
    if (!t)
        return 0;
    for (size_t i = 0; i < w->tab_cap; i++) {
        const interned *e = &w->tab[i];
        if (!e->text)
            continue;
        size_t j = e->hash & (cap - 1);
        while (t[j].text)
            j = (j + 1) & (cap - 1);
        t[j] = *e;
    }
    co_free(w->tab);
    w->tab = t;
    w->tab_cap = cap;
    memset(w->pc, 0, sizeof w->pc);   /* its entries pointed into the old table */
    return 1;
}

/* The number of string s in w's table, defining it first when it is new; 0
** when it is to be written out (too long, the table full, or no memory). */
/*
** The read-only, file-backed mappings of the process (the program's and its
** libraries' text and constants, from /proc/self/maps), so that a string
** literal -- most of what the runtime passes -- is known by its address
** alone: its bytes cannot change while it is mapped, and a library unloaded
** while the runtime still names its strings would be a use after free
** anyway. Mappings made later are not trusted; without /proc, nothing is,
** and every hit is checked against the copy.
*/
static void read_only_ranges(co_trace_writer *w)
{
    FILE *f = fopen("/proc/self/maps", "r");
    if (!f)
        return;
    char line[512];
    while (w->n_ro < RO_RANGES && fgets(line, sizeof line, f)) {
        unsigned long lo, hi, inode;
        char perms[8], dev[16];
        unsigned long long off;
        int path = 0;
        if (sscanf(line, "%lx-%lx %7s %llx %15s %lu %n", &lo, &hi, perms, &off, dev, &inode, &path) < 6)
            continue;
        if (perms[0] != 'r' || perms[1] != '-' || perms[3] != 'p' || !inode || !path || line[path] != '/')
            continue;   /* writable, anonymous or shared: its bytes may change */
        w->ro[w->n_ro].lo = (uintptr_t)lo;
        w->ro[w->n_ro].hi = (uintptr_t)hi;
        w->n_ro++;
    }
    fclose(f);
}

static int read_only(const co_trace_writer *w, const char *s)
{
    uintptr_t a = (uintptr_t)s;
    for (size_t i = 0; i < w->n_ro; i++)
        if (a >= w->ro[i].lo && a < w->ro[i].hi)
            return 1;
    return 0;
}

static uint32_t intern_slow(co_trace_writer *w, sbuf *b, const char *s, size_t slot)
{
    size_t n = strnlen(s, INTERN_MAX_LEN + 1);
    if (n > INTERN_MAX_LEN)
        return 0;
    uint32_t h = hash_text(s, n);
    size_t j = 0;
    if (w->tab_cap) {
        for (j = h & (w->tab_cap - 1); w->tab[j].text; j = (j + 1) & (w->tab_cap - 1)) {
            const interned *e = &w->tab[j];
            if (e->hash == h && e->len == n && !memcmp(e->text, s, n)) {
                w->pc[slot].p = s;
                w->pc[slot].e = e;
                w->pc[slot].fixed = read_only(w, s);
                return e->id;
            }
        }
    }
    if (w->tab_n >= INTERN_MAX)
        return 0;
    /* New: the `str` line first (it is all that can fail late), then the entry. */
    sbuf *sl = &w->scratch;
    sl->len = 0;
    if (!room(sl, 32))
        goto no_memory;
    memcpy(sl->p, "{\"str\":", 7);
    sl->len = 7;
    put_u64(sl, w->tab_n + 1);
    memcpy(sl->p + sl->len, ",\"s\":", 5);
    sl->len += 5;
    put_string(sl, s);
    if (sl->failed)
        goto no_memory;
    sl->p[sl->len++] = '}';
    sl->p[sl->len++] = '\n';
    size_t L = sl->len;
    const char *copy;
    int grown = tab_grow(w);
    if (!grown || !(copy = copy_text(w, s, n)))
        return 0;   /* no memory for the table: written out, which is as valid */
    if (!room(b, L))
        return 0;   /* the event fails: co_trace_writer_event reports ENOMEM */
    for (j = h & (w->tab_cap - 1); w->tab[j].text; j = (j + 1) & (w->tab_cap - 1))
        ;
    interned *e = &w->tab[j];
    *e = (interned){copy, (uint32_t)n, (uint32_t)++w->tab_n, h};
    memmove(b->p + w->line_start + L, b->p + w->line_start, b->len - w->line_start);
    memcpy(b->p + w->line_start, sl->p, L);
    b->len += L;
    w->line_start += L;
    w->pc[slot].p = s;
    w->pc[slot].e = e;
    w->pc[slot].fixed = read_only(w, s);
    return e->id;
no_memory:
    sl->failed = 0;
    return 0;
}

HOT uint32_t intern(co_trace_writer *w, sbuf *b, const char *s)
{
    size_t slot = (size_t)(((uint64_t)(uintptr_t)s * 0x9E3779B97F4A7C15ULL) >> 56);
    const interned *e = w->pc[slot].e;
    /* A literal is known by its address; any other string is checked with
    ** strcmp, not memcmp: it stops at the first difference, so s is never
    ** read past its own NUL, whatever it holds now. */
    if (w->pc[slot].p == s && e && (w->pc[slot].fixed || !strcmp(e->text, s)))
        return e->id;
    return intern_slow(w, b, s, slot);
}

/* A field that version 4 may give as a string's number (FORMAT.md lists
** them): by number when w writes version 4, else as a string; NULL is null. */
#define f_sym(b, k, v) f_sym_(w, (b), KEYLIT(k), sizeof KEYLIT(k) - 1, (v))

HOT void f_sym_(co_trace_writer *w, sbuf *b, const char *k, size_t klen, const char *s)
{
    sb_putn(b, k, klen);
    uint32_t id;
    if (!s)
        sb_puts(b, "null");
    else if (w && w->version >= 4 && !b->failed && (id = intern(w, b, s)) != 0)
        put_u64(b, id);
    else
        put_string(b, s);
}

/* --- the table of fields per event ------------------------------------------------ */

static void outcome_fields(co_trace_writer *w, sbuf *b, const co_trace_event *ev)
{
    f_sym(b, "outcome", ev->outcome);
    if (ev->value) {
        key(b, "value");
        put_value(b, ev->value);
    } else if (ev->exc) {
        f_sym(b, "exc", ev->exc);
        f_str(b, "msg", ev->msg ? ev->msg : "");
    } else
        f_str(b, "msg", ev->msg ? ev->msg : "");
}

/* `src` and `csrc`, when the producer knows them (FORMAT.md, version 3). */
static void src_fields(co_trace_writer *w, sbuf *b, const co_trace_event *ev)
{
    if (ev->src)
        f_sym(b, "src", ev->src);
    if (ev->src && ev->csrc)
        f_sym(b, "csrc", ev->csrc);
}

static void trace_fields(co_trace_writer *w, sbuf *b, const co_trace_event *ev)
{
    switch (ev->ev) {
    case CO_EV_TASK_NEW:
        f_id(b, "task", ev->task);
        f_str(b, "name", ev->name);
        f_id(b, "parent", ev->parent);
        f_sym(b, "coro", ev->coro);
        f_id(b, "h", ev->h);
        src_fields(w, b, ev);
        break;
    case CO_EV_STEP_BEGIN:
        f_id(b, "task", ev->task);
        f_id(b, "h", ev->h);
        break;
    case CO_EV_THROW:
        f_id(b, "task", ev->task);
        f_sym(b, "exc", ev->exc);
        f_str(b, "msg", ev->msg ? ev->msg : "");
        break;
    case CO_EV_STEP_END:
        f_id(b, "task", ev->task);
        f_sym(b, "reason", ev->reason);
        if (!strcmp(ev->reason, "await")) {
            f_id(b, "fut", ev->fut);
            f_sym(b, "on", ev->on);
            f_sym(b, "src", ev->src);
            if (ev->src && ev->csrc)
                f_sym(b, "csrc", ev->csrc);
        } else if (!strcmp(ev->reason, "yield")) {
            f_id(b, "h", ev->h);
            f_sym(b, "src", ev->src);
            if (ev->src && ev->csrc)
                f_sym(b, "csrc", ev->csrc);
        } else if (!strcmp(ev->reason, "raise")) {
            f_sym(b, "exc", ev->exc);
            f_str(b, "msg", ev->msg ? ev->msg : "");
            src_fields(w, b, ev);
        } else if (!strcmp(ev->reason, "cancelled")) {
            f_str(b, "msg", ev->msg ? ev->msg : "");
            src_fields(w, b, ev);
        } else
            src_fields(w, b, ev);
        break;
    case CO_EV_TASK_DONE:
        f_id(b, "task", ev->task);
        outcome_fields(w, b, ev);
        break;
    case CO_EV_FUT_NEW:
        f_id(b, "fut", ev->fut);
        f_sym(b, "kind", ev->kind);
        f_sym(b, "label", ev->label);
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
        outcome_fields(w, b, ev);
        f_id(b, "by", ev->by);
        f_sym(b, "via", ev->via);
        break;
    case CO_EV_CB_ADD:
        f_id(b, "fut", ev->fut);
        f_sym(b, "fn", ev->fn);
        break;
    case CO_EV_WAKE:
        f_id(b, "task", ev->task);
        f_id(b, "fut", ev->fut);
        f_id(b, "h", ev->h);
        break;
    case CO_EV_CALL_SOON:
        f_id(b, "h", ev->h);
        f_sym(b, "fn", ev->fn);
        f_id(b, "fut", ev->fut);
        break;
    case CO_EV_CB_RUN:
        f_id(b, "h", ev->h);
        f_sym(b, "fn", ev->fn);
        break;
    case CO_EV_HANDLE_CANCEL:
        f_id(b, "h", ev->h);
        break;
    case CO_EV_CANCEL:
        f_id(b, "target", ev->target);
        f_id(b, "by", ev->by);
        f_sym(b, "via", ev->via);
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
        f_sym(b, "fn", ev->fn);
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
        f_sym(b, "fn", ev->fn);
        f_str(b, "args", ev->args ? ev->args : "()");
        src_fields(w, b, ev);
        break;
    case CO_EV_FRAME_EXIT:
        f_id(b, "task", ev->task);
        f_sym(b, "fn", ev->fn);
        break;
    case CO_EV_PRINT:
        f_id(b, "task", ev->task);
        f_str(b, "text", ev->text ? ev->text : "");
        src_fields(w, b, ev);
        break;
    case CO_EV_SOURCE:
        f_str(b, "file", ev->file ? ev->file : "");
        f_str(b, "text", ev->text ? ev->text : "");
        break;
    case CO_EV_WARN:
        f_sym(b, "kind", ev->kind);
        f_str(b, "msg", ev->msg ? ev->msg : "");
        f_id(b, "task", ev->task);
        break;
    case CO_EV_SYNC:
        f_id(b, "obj", ev->obj);
        f_sym(b, "kind", ev->kind);
        f_sym(b, "op", ev->op);
        f_id(b, "task", ev->task);
        key(b, "count");
        put_int(b, ev->count);
        break;
    case CO_EV_JOB:
        f_id(b, "obj", ev->obj);
        f_sym(b, "op", ev->op);
        key(b, "worker");
        put_int(b, ev->worker);
        f_sym(b, "fn", ev->fn);
        f_id(b, "fut", ev->fut);
        if (ev->outcome)
            f_sym(b, "outcome", ev->outcome);
        break;
    case CO_EV_IO:
        key(b, "fd");
        put_int(b, ev->fd);
        f_sym(b, "op", ev->op);
        f_id(b, "task", ev->task);
        f_sym(b, "label", ev->label);
        break;
    case CO_EV_TIMEOUT:
        f_id(b, "obj", ev->obj);
        f_sym(b, "op", ev->op);
        f_num(b, "when", ev->when);
        f_id(b, "task", ev->task);
        break;
    case CO_EV_GROUP:
        f_id(b, "obj", ev->obj);
        f_sym(b, "op", ev->op);
        f_id(b, "task", ev->task);
        break;
    case CO_EV_BLOCK:
        f_id(b, "task", ev->task);
        f_num(b, "dur", ev->dur);
        f_sym(b, "label", ev->label);
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

/* The longest `,"ev":"..."` is 22 bytes; EVKEY_COPY bytes are copied, from
** offset 0 or 1 of an entry of EVKEY_COPY + 1. */
#define EVKEY_COPY 32
_Static_assert(EVKEY_COPY < SLACK, "the copy stays in the slack");

static void format_with_cache(co_trace_writer *w, sbuf *b, const co_trace_event *ev)
{
    if (!room(b, 0))
        return;
    /* Version 4 leaves out a seq that follows the previous one and a t that
    ** repeats it (bit for bit). */
    int v4 = w && w->version >= 4, first = 1;
    sb_putc(b, '{');
    if (!v4 || ev->seq != w->prev_seq + 1) {
        sb_putn(b, "\"seq\":", 6);
        put_u64(b, ev->seq);
        first = 0;
    }
    if (v4 && !memcmp(&ev->t, &w->prev_t, sizeof ev->t)) {
        ;
    } else if (w) {
        if (!first)
            sb_putc(b, ',');
        sb_putn(b, "\"t\":", 4);
        first = 0;
        if (ev->t != w->last_t || !w->last_t_text[0]) {
            w->last_t = ev->t;
            if (w->real_clock)
                format_micros(w->last_t_text, ev->t);
            else
                co_format_double(w->last_t_text, ev->t);
            w->last_t_len = strlen(w->last_t_text);
        }
        sb_putn(b, w->last_t_text, w->last_t_len);
    } else {
        sb_putn(b, ",\"t\":", 5);
        put_double(b, ev->t);
    }
    /* `,"ev":"..."`, without its comma when it comes first. Each entry is
    ** padded so that a fixed EVKEY_COPY bytes are copied (a few moves, where
    ** a copy of the exact length is a call), of which n count: the slack
    ** room() keeps takes the rest. */
    static const struct { char s[EVKEY_COPY + 1]; unsigned char n; } evs[] = {
#define CO_X_EVKEY(name, str) {",\"ev\":\"" str "\"", sizeof(",\"ev\":\"" str "\"") - 1},
        CO_EVENT_LIST(CO_X_EVKEY)
#undef CO_X_EVKEY
    };
    if ((unsigned)ev->ev < CO_EV__COUNT && !b->failed) {
        memcpy(b->p + b->len, evs[ev->ev].s + first, EVKEY_COPY);
        b->len += evs[ev->ev].n - (size_t)first;
    }
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

/*
** Writing is done by a thread of the writer's own, so that the loop formats
** the next lines while the kernel copies the last ones into the page cache
** (about a third of a recorded ping-pong pass when the loop did both). The
** loop's thread does all the formatting, in event order, as before: the bytes
** are the same whoever writes them, and only whole buffers change hands.
** When `line` passes BUFSZ, hand_off queues it in the ring (waiting, if all
** BG_BUFS are queued, for the oldest to be written) and takes an empty one in
** exchange; the thread writes the queued buffers in order. Buffers are large
** (256 KiB) so that the hand-overs, each of which may wake the thread, are
** rare, and many, so that the loop seldom waits while the thread is off the
** CPU (on a busy machine, with 4 of them, the loop waited at one hand-over in
** 6; with 16, one in 60). The thread starts with the first full buffer, so a small trace never
** makes one; if it cannot start (no memory, no threads), the loop's thread
** writes in place, as it always did.
**
** Everything else -- co_trace_writer_flush, close, and a signal handler's
** flush -- first waits until the thread holds nothing (an atomic count,
** polled with nanosleep: a handler may do both), then writes `line` itself.
** The thread blocks every signal but those its own writes raise (SIGPIPE,
** SIGXFSZ: they end the process as they did in place), so SIGINT and SIGTERM
** reach a thread that may end the recording. A
** failed write is the writer's error from the next event on (the thread's
** errno is taken at the next hand-over, flush or co_trace_writer_error), and
** nothing is written after it, as before.
*/

/* Write b to w's stream unless a write has failed already; the errno of a
** failure in *err. */
static void write_out(co_trace_writer *w, sbuf *b, int *err)
{
    if (b->len && !*err && fwrite(b->p, 1, b->len, w->f) != b->len)
        *err = errno ? errno : EIO;
    b->len = 0;
}

static void *writer_main(void *arg)
{
    co_trace_writer *w = arg;
    pthread_mutex_lock(&w->bg.mu);
    for (;;) {
        while (!w->bg.count && !w->bg.stop)
            pthread_cond_wait(&w->bg.work, &w->bg.mu);
        if (!w->bg.count)
            break;   /* stop, with nothing left to write */
        sbuf *b = &w->bg.ring[w->bg.head];
        pthread_mutex_unlock(&w->bg.mu);
        int e = atomic_load(&w->bg.err);
        write_out(w, b, &e);
        if (e)
            atomic_store(&w->bg.err, e);
        pthread_mutex_lock(&w->bg.mu);
        w->bg.head = (w->bg.head + 1) % BG_BUFS;
        w->bg.count--;
        atomic_store(&w->bg.busy, (int)w->bg.count);
        pthread_cond_signal(&w->bg.idle);
    }
    pthread_mutex_unlock(&w->bg.mu);
    return NULL;
}

/* Start the thread, with its buffers and every signal blocked; on any
** failure w->bg.state is -1 and the writer writes in place. */
static void start_thread(co_trace_writer *w)
{
    w->bg.state = -1;
    for (size_t i = 0; i < BG_BUFS; i++)
        if (!sb_reserve(&w->bg.ring[i], BUFSZ + 4096))
            return;
    if (pthread_mutex_init(&w->bg.mu, NULL))
        return;
    if (pthread_cond_init(&w->bg.work, NULL))
        goto no_work;
    if (pthread_cond_init(&w->bg.idle, NULL))
        goto no_idle;
    sigset_t all, old;
    sigfillset(&all);
    sigdelset(&all, SIGPIPE);   /* raised by its own writes: they end the process, as in place */
    sigdelset(&all, SIGXFSZ);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&w->bg.thread, NULL, writer_main, w);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    if (rc == 0) {
        w->bg.state = 1;
        return;
    }
    pthread_cond_destroy(&w->bg.idle);
no_idle:
    pthread_cond_destroy(&w->bg.work);
no_work:
    pthread_mutex_destroy(&w->bg.mu);
}

/* The errno of the thread's first failed write becomes the writer's. */
static void take_thread_error(co_trace_writer *w)
{
    int e = atomic_load(&w->bg.err);
    if (e && !w->err)
        w->err = e;
}

/* Wait until the thread holds no bytes. Async-signal-safe. */
static void wait_idle(co_trace_writer *w)
{
    while (atomic_load(&w->bg.busy)) {
        struct timespec ts = {0, 20 * 1000};
        nanosleep(&ts, NULL);
    }
}

/* Everything formatted so far, written out; synchronous. */
static void flush(co_trace_writer *w)
{
    if (w->bg.state > 0) {
        wait_idle(w);
        take_thread_error(w);
    }
    write_out(w, &w->line, &w->err);
}

/* `line` is full: to the thread, or written here when there is none. */
static void hand_off(co_trace_writer *w)
{
    if (w->bg.state == 0)
        start_thread(w);
    if (w->bg.state < 0) {
        write_out(w, &w->line, &w->err);
        return;
    }
    pthread_mutex_lock(&w->bg.mu);
    while (w->bg.count == BG_BUFS)
        pthread_cond_wait(&w->bg.idle, &w->bg.mu);
    take_thread_error(w);
    if (w->err) {
        w->line.len = 0;   /* a write failed: nothing more is written, as in place */
    } else {
        sbuf *slot = &w->bg.ring[(w->bg.head + w->bg.count) % BG_BUFS];
        sbuf full = w->line;
        w->line = *slot;   /* written, empty */
        *slot = full;
        w->bg.count++;
        atomic_store(&w->bg.busy, (int)w->bg.count);
        pthread_cond_signal(&w->bg.work);
    }
    pthread_mutex_unlock(&w->bg.mu);
}

/* End the thread, once it has written what it holds. */
static void stop_thread(co_trace_writer *w)
{
    if (w->bg.state <= 0)
        return;
    pthread_mutex_lock(&w->bg.mu);
    w->bg.stop = 1;
    pthread_cond_signal(&w->bg.work);
    pthread_mutex_unlock(&w->bg.mu);
    pthread_join(w->bg.thread, NULL);
    pthread_cond_destroy(&w->bg.idle);
    pthread_cond_destroy(&w->bg.work);
    pthread_mutex_destroy(&w->bg.mu);
    take_thread_error(w);
    w->bg.state = 0;
}

void co_trace_writer_event(co_trace_writer *w, const co_trace_event *ev)
{
    /* Lines are formatted straight into the output buffer, which is handed
    ** to the writing thread whenever it passes BUFSZ -- except after `end`:
    ** a signal handler may be writing that one, and flushes next. */
    w->line_start = w->line.len;
    format_with_cache(w, &w->line, ev);
    if (w->line.failed) {
        /* The event is left out (the lines before it, and the `str` lines it
        ** made, stay); the next event's seq then shows the gap. */
        w->err = ENOMEM;
        w->line.failed = 0;
        w->line.len = w->line_start;
        return;
    }
    w->prev_seq = ev->seq;
    w->prev_t = ev->t;
    if (w->line.len >= BUFSZ && ev->ev != CO_EV_END)
        hand_off(w);
}

static void tracer_event(void *ud, const co_trace_event *ev) { co_trace_writer_event(ud, ev); }

co_tracer co_trace_writer_tracer(co_trace_writer *w)
{
    co_tracer t = {tracer_event, w};
    return t;
}

static void format_header(sbuf *b, const co_trace_header *hdr, int version);

co_trace_writer *co_trace_writer_new(FILE *f, const co_trace_header *hdr)
{
    int version = hdr->version ? hdr->version : CO_TRACE_VERSION;
    if (version != 3 && version != 4)
        return NULL;
    co_trace_writer *w = co_calloc(1, sizeof *w);
    if (!w)
        return NULL;
    if (!sb_reserve(&w->line, BUFSZ + 4096)) {
        co_free(w);
        return NULL;
    }
    w->f = f;
    w->version = version;
    if (version >= 4)
        read_only_ranges(w);
    w->real_clock = hdr->clock && !strcmp(hdr->clock, "real");
    format_header(&w->line, hdr, version);
    return w;
}

void co_trace_format_header(sbuf *b, const co_trace_header *hdr)
{
    format_header(b, hdr, 3);
}

static void format_header(sbuf *b, const co_trace_header *hdr, int version)
{
    if (!room(b, 0))
        return;
    sb_puts(b, "{\"format\":\"coroscope-trace\",\"version\":");
    put_u64(b, (uint64_t)version);
    sb_puts(b, ",\"scenario\":");
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
    if (hdr->version && hdr->version != 3 && hdr->version != 4) {
        snprintf(err, errlen, "cannot write trace format version %d (this coroscope writes 3 and 4)",
                 hdr->version);
        return NULL;
    }
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
    return w->err ? w->err : atomic_load(&w->bg.err);
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
    stop_thread(w);
    flush(w);
    if (fflush(w->f) != 0 && !w->err)
        w->err = errno ? errno : EIO;
    if (w->owns_file && fclose(w->f) != 0 && !w->err)
        w->err = errno ? errno : EIO;
    int e = w->err;
    sb_free(&w->line);
    for (size_t i = 0; i < BG_BUFS; i++)
        sb_free(&w->bg.ring[i]);
    sb_free(&w->scratch);
    co_free(w->tab);
    for (text_block *bl = w->blocks, *nx; bl; bl = nx) {
        nx = bl->next;
        co_free(bl);
    }
    co_free(w);
    if (e) {
        if (err)
            snprintf(err, errlen, "writing the trace failed: %s", strerror(e));
        return CO_EIO;
    }
    return CO_OK;
}
