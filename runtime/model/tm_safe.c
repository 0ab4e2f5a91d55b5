/*
** tm_safe.c -- escaping trace text for terminals, logs and JSON (see tm_safe.h).
**
** One decoder, next_unit(), reads the next character of a string and says how
** it must be written: as it is, as a C escape, as \uNNNN, or (a byte that is
** not UTF-8) as \xNN. The three writers -- into a buffer, to a stream, inside
** JSON strings -- all walk a string with it, so they can never disagree about
** what is dangerous.
*/
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "tm_safe.h"

/* ---- the decoder ---------------------------------------------------------------- */

enum { U_PLAIN, U_CTRL, U_UNI, U_BAD };

typedef struct unit {
    int how;         /* U_* */
    size_t len;      /* input bytes it covers */
    uint32_t cp;     /* U_UNI: the code point; U_CTRL, U_BAD: the byte */
} unit;

/* The well-formed UTF-8 sequence at s (at most n bytes): its length, or 0. */
static size_t utf8_length(const unsigned char *s, size_t n, uint32_t *cp)
{
    unsigned char c = s[0];
    size_t len = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (len == 0 || len > n)
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((len == 3 && c == 0xE0 && s[1] < 0xA0) || (len == 3 && c == 0xED && s[1] >= 0xA0) ||
        (len == 4 && c == 0xF0 && s[1] < 0x90) || (len == 4 && c == 0xF4 && s[1] >= 0x90))
        return 0;   /* overlong, a surrogate, or past U+10FFFF */
    uint32_t v = c & (0x7F >> len);
    for (size_t i = 1; i < len; i++)
        v = v << 6 | (s[i] & 0x3F);
    *cp = v;
    return len;
}

/* Characters that reorder or break lines of text: shown by number. */
static int is_layout_control(uint32_t cp)
{
    return cp == 0x061C || cp == 0x200E || cp == 0x200F || cp == 0x2028 || cp == 0x2029 ||
           (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

static unit next_unit(const char *s, size_t n)
{
    unsigned char c = (unsigned char)s[0];
    if (c < 0x20 || c == 0x7F)
        return (unit){U_CTRL, 1, c};
    if (c < 0x80)
        return (unit){U_PLAIN, 1, c};
    uint32_t cp = 0;
    size_t len = utf8_length((const unsigned char *)s, n, &cp);
    if (!len)
        return (unit){U_BAD, 1, c};
    if (cp <= 0x9F || is_layout_control(cp))
        return (unit){U_UNI, len, cp};
    return (unit){U_PLAIN, len, cp};
}

/* The escaped text of a unit (not U_PLAIN) into out[8]; its length. */
static size_t escape_unit(const unit *u, char *out)
{
    static const char hex[] = "0123456789abcdef";
    if (u->how == U_CTRL && (u->cp == '\n' || u->cp == '\r' || u->cp == '\t')) {
        out[0] = '\\';
        out[1] = u->cp == '\n' ? 'n' : u->cp == '\r' ? 'r' : 't';
        return 2;
    }
    if (u->how == U_CTRL || u->how == U_BAD) {
        out[0] = '\\';
        out[1] = 'x';
        out[2] = hex[u->cp >> 4 & 15];
        out[3] = hex[u->cp & 15];
        return 4;
    }
    out[0] = '\\';
    out[1] = 'u';
    for (int i = 0; i < 4; i++)
        out[2 + i] = hex[u->cp >> (12 - 4 * i) & 15];
    return 6;
}

int tm_safe_needed(const char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F) {   /* the common case, without a call */
            i++;
            continue;
        }
        unit u = next_unit(s + i, n - i);
        if (u.how != U_PLAIN)
            return 1;
        i += u.len;
    }
    return 0;
}

size_t tm_safe_escape(char *buf, size_t size, const char *s, size_t n, size_t *used)
{
    size_t out = 0, i = 0;
    while (i < n) {
        unit u = next_unit(s + i, n - i);
        char esc[8];
        const char *piece = s + i;
        size_t len = u.len;
        if (u.how != U_PLAIN) {
            len = escape_unit(&u, esc);
            piece = esc;
        }
        if (out + len + 1 > size)
            break;
        memcpy(buf + out, piece, len);
        out += len;
        i += u.len;
    }
    if (size)
        buf[out] = '\0';
    if (used)
        *used = i;
    return out;
}

/* ---- one sink for buffers and streams ----------------------------------------------- */

typedef struct sink {
    FILE *f;         /* a stream, or NULL for the buffer */
    char *buf;       /* the buffer (size bytes) */
    size_t size;
    size_t len;      /* bytes written (to the stream, or into buf) */
    int full;        /* the buffer is full: the rest is dropped */
    int err;         /* a write to the stream failed */
} sink;

/* Room left in a buffer sink (0 for a stream: unlimited). */
static size_t room_left(const sink *k)
{
    return k->f ? SIZE_MAX : k->full || k->size == 0 ? 0 : k->size - 1 - k->len;
}

static void put(sink *k, const char *s, size_t n)
{
    if (k->f) {
        if (n && fwrite(s, 1, n, k->f) != n)
            k->err = 1;
        k->len += n;
        return;
    }
    size_t room = room_left(k);
    if (n > room) {   /* cut, but never inside a UTF-8 character */
        size_t keep = room;
        size_t back = keep;
        while (back > 0 && ((unsigned char)s[back - 1] & 0xC0) == 0x80)
            back--;
        if (back > 0 && (unsigned char)s[back - 1] >= 0xC0) {
            uint32_t cp;
            if (utf8_length((const unsigned char *)s + back - 1, keep - back + 1, &cp) == 0)
                keep = back - 1;   /* its last bytes did not fit */
        }
        n = keep;
        k->full = 1;
    }
    memcpy(k->buf + k->len, s, n);
    k->len += n;
}

static void pad(sink *k, size_t n)
{
    static const char spaces[] = "                                ";
    while (n) {
        size_t m = n < sizeof spaces - 1 ? n : sizeof spaces - 1;
        put(k, spaces, m);
        n -= m;
    }
}

/* The escaped length of s (NUL-terminated), at most `limit` bytes of whole units. */
static size_t escaped_length(const char *s, size_t limit)
{
    size_t out = 0, n = strlen(s);
    char esc[8];
    for (size_t i = 0; i < n;) {
        unit u = next_unit(s + i, n - i);
        size_t len = u.how == U_PLAIN ? u.len : escape_unit(&u, esc);
        if (out + len > limit)
            break;
        out += len;
        i += u.len;
    }
    return out;
}

/* Write the escaped s, `limit` bytes of it at most (whole units). */
static void put_escaped(sink *k, const char *s, size_t limit)
{
    char chunk[1024];
    int cut = limit > room_left(k);
    if (cut)
        limit = room_left(k);
    /* No unit's escape is shorter than its bytes, so `limit` bytes of output
    ** cover at most `limit` bytes of s (and one unit more, 4 bytes at most, is
    ** looked at): a 10 MB string formatted into a line costs the line. */
    size_t n = limit < SIZE_MAX - 8 ? strnlen(s, limit + 8) : strlen(s);
    while (n && limit) {
        size_t used, room = limit < sizeof chunk ? limit + 1 : sizeof chunk;
        size_t w = tm_safe_escape(chunk, room, s, n, &used);
        if (!used)
            break;   /* the next unit is longer than what the limit leaves */
        put(k, chunk, w);
        limit -= w;
        s += used;
        n -= used;
    }
    if (cut && n)
        k->full = 1;
}

int tm_safe_fputs(const char *s, FILE *f)
{
    sink k = {f, NULL, 0, 0, 0, 0};
    put_escaped(&k, s, SIZE_MAX);
    return k.err ? EOF : 0;
}

/* ---- printf ------------------------------------------------------------------------ */

/*
** Format one conversion other than %s, whose spec (without the `*`s, which
** were read already) is in spec, taking its argument from ap.
*/
static void put_converted(sink *k, const char *spec, char conv, const char *lenmod, va_list *ap)
{
    char small[128], *out = small;
    int n = -1;
#define CONVERT(type)                                      \
    do {                                                   \
        type v_ = va_arg(*ap, type);                       \
        n = snprintf(small, sizeof small, spec, v_);       \
        if (n >= (int)sizeof small && (out = co_malloc((size_t)n + 1)) != NULL) \
            snprintf(out, (size_t)n + 1, spec, v_);        \
    } while (0)
    int l = (int)strlen(lenmod);
    switch (conv) {
    case 'd': case 'i':
        if (l == 2 && lenmod[0] == 'l') CONVERT(long long);
        else if (l == 1 && lenmod[0] == 'l') CONVERT(long);
        else if (l == 1 && lenmod[0] == 'z') CONVERT(ptrdiff_t);   /* the signed size_t */
        else if (l == 1 && lenmod[0] == 'j') CONVERT(intmax_t);
        else if (l == 1 && lenmod[0] == 't') CONVERT(ptrdiff_t);
        else CONVERT(int);
        break;
    case 'u': case 'o': case 'x': case 'X':
        if (l == 2 && lenmod[0] == 'l') CONVERT(unsigned long long);
        else if (l == 1 && lenmod[0] == 'l') CONVERT(unsigned long);
        else if (l == 1 && lenmod[0] == 'z') CONVERT(size_t);
        else if (l == 1 && lenmod[0] == 'j') CONVERT(uintmax_t);
        else if (l == 1 && lenmod[0] == 't') CONVERT(size_t);
        else CONVERT(unsigned);
        break;
    case 'c':
        CONVERT(int);
        break;
    case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A':
        if (l == 1 && lenmod[0] == 'L') CONVERT(long double);
        else CONVERT(double);
        break;
    case 'p':
        CONVERT(void *);
        break;
    default:
        break;
    }
#undef CONVERT
    if (n < 0)
        return;
    if (!out) {   /* out of memory for a very wide number: what fits */
        put(k, small, strlen(small));
        return;
    }
    if (conv == 'c') {   /* a character from a caller is still checked */
        char esc[8];
        unit u = next_unit(out, (size_t)n);
        if (n == 1 && u.how != U_PLAIN) {
            put(k, esc, escape_unit(&u, esc));
            return;
        }
    }
    put(k, out, (size_t)n);
    if (out != small)
        co_free(out);
}

static void safe_vformat(sink *k, const char *fmt, va_list ap0)
{
    va_list ap;
    va_copy(ap, ap0);
    const char *p = fmt;
    while (*p) {
        const char *pct = strchr(p, '%');
        if (!pct) {
            put(k, p, strlen(p));
            break;
        }
        put(k, p, (size_t)(pct - p));
        const char *q = pct + 1;
        if (*q == '%') {
            put(k, "%", 1);
            p = q + 1;
            continue;
        }
        char spec[64];
        size_t sl = 0;
        spec[sl++] = '%';
        int left = 0, width = -1, prec = -1;
        while (*q && strchr("-+ #0", *q)) {
            left |= *q == '-';
            if (sl < 8)
                spec[sl++] = *q;
            q++;
        }
        if (*q == '*') {
            width = va_arg(ap, int);
            if (width < 0) {
                left = 1;
                width = -width;
            }
            q++;
        } else if (*q >= '0' && *q <= '9') {
            width = 0;
            while (*q >= '0' && *q <= '9')
                width = width * 10 + (*q++ - '0');
        }
        if (*q == '.') {
            q++;
            prec = 0;
            if (*q == '*') {
                prec = va_arg(ap, int);
                q++;
            } else
                while (*q >= '0' && *q <= '9')
                    prec = prec * 10 + (*q++ - '0');
        }
        char lenmod[3] = {0};
        int ll = 0;
        while (*q && strchr("hljztL", *q) && ll < 2)
            lenmod[ll++] = *q++;
        char conv = *q ? *q++ : '\0';
        p = q;
        if (conv == 's') {
            const char *s = va_arg(ap, const char *);
            if (!s)
                s = "(null)";
            size_t limit = prec >= 0 ? (size_t)prec : SIZE_MAX;
            size_t len = width > 0 ? escaped_length(s, limit) : 0;   /* a long name costs a scan only when padded */
            size_t fill = width > 0 && (size_t)width > len ? (size_t)width - len : 0;
            if (!left)
                pad(k, fill);
            put_escaped(k, s, width > 0 ? len : limit);
            if (left)
                pad(k, fill);
            continue;
        }
        if (!conv || !strchr("diuoxXcfFeEgGaAp", conv))
            continue;   /* %n and unknown conversions print nothing */
        if (left && sl < 9 && !memchr(spec, '-', sl))
            spec[sl++] = '-';
        if (width >= 0)
            sl += (size_t)snprintf(spec + sl, sizeof spec - sl, "%d", width);
        if (prec >= 0)
            sl += (size_t)snprintf(spec + sl, sizeof spec - sl, ".%d", prec);
        memcpy(spec + sl, lenmod, (size_t)ll);
        sl += (size_t)ll;
        spec[sl++] = conv;
        spec[sl] = '\0';
        put_converted(k, spec, conv, lenmod, &ap);
    }
    va_end(ap);
}

int tm_safe_vfprintf(FILE *f, const char *fmt, va_list ap)
{
    sink k = {f, NULL, 0, 0, 0, 0};
    safe_vformat(&k, fmt, ap);
    return k.err ? -1 : (int)(k.len > INT32_MAX ? INT32_MAX : k.len);
}

int tm_safe_fprintf(FILE *f, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = tm_safe_vfprintf(f, fmt, ap);
    va_end(ap);
    return n;
}

int tm_safe_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    sink k = {NULL, buf, size, 0, 0, 0};
    va_list ap;
    va_start(ap, fmt);
    safe_vformat(&k, fmt, ap);
    va_end(ap);
    if (size)
        buf[k.len] = '\0';
    return (int)k.len;
}

/* ---- JSON ------------------------------------------------------------------------- */

int tm_safe_json_fputs(const char *json, FILE *f)
{
    sink k = {f, NULL, 0, 0, 0, 0};
    size_t n = strlen(json), run = 0, i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)json[i];
        if (c >= 0x20 && c < 0x7F) {
            i++;
            continue;
        }
        unit u = next_unit(json + i, n - i);
        if (u.how == U_PLAIN || c == '\n' || c == '\r' || c == '\t') {   /* whitespace between values */
            i += u.len;
            continue;
        }
        put(&k, json + run, i - run);
        char esc[8];
        if (u.how == U_BAD) {
            put(&k, "\\ufffd", 6);
        } else {
            unit as_uni = {U_UNI, u.len, u.cp};   /* JSON's own escape: \u00NN */
            put(&k, esc, escape_unit(&as_uni, esc));
        }
        i += u.len;
        run = i;
    }
    put(&k, json + run, n - run);
    return k.err ? EOF : 0;
}

int tm_safe_json_string(const char *s, FILE *f)
{
    static const char hex[] = "0123456789abcdef";
    sink k = {f, NULL, 0, 0, 0, 0};
    size_t n = strlen(s), run = 0, i = 0;
    put(&k, "\"", 1);
    while (i < n) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') {
            i++;
            continue;
        }
        unit u = next_unit(s + i, n - i);
        if (u.how == U_PLAIN && c != '"' && c != '\\') {
            i += u.len;
            continue;
        }
        put(&k, s + run, i - run);
        char esc[8];
        if (c == '"' || c == '\\' || c == '\n' || c == '\r' || c == '\t') {
            esc[0] = '\\';
            esc[1] = c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : (char)c;
            put(&k, esc, 2);
        } else if (u.how == U_BAD) {
            put(&k, "\\ufffd", 6);
        } else {
            char e[6] = {'\\', 'u', hex[u.cp >> 12 & 15], hex[u.cp >> 8 & 15], hex[u.cp >> 4 & 15], hex[u.cp & 15]};
            put(&k, e, 6);
        }
        i += u.len;
        run = i;
    }
    put(&k, s + run, n - run);
    put(&k, "\"", 1);
    return k.err ? EOF : 0;
}
