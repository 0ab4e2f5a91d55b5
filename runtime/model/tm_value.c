/*
** tm_value.c -- result values as Python would print them.
**
** A trace keeps a task's result as JSON (`null`, `["a", "b"]`, an exception
** object `{"exc":"ValueError","msg":"boom"}`); a timeline should show what a
** Python programmer expects to read: None, ['a', 'b'], ValueError('boom').
** The text is cut at about 250 bytes ("..."), on a character boundary, so
** one huge result cannot make the model large.
*/
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tm_internal.h"

/* A bounded text buffer: output past `cap` is dropped and marked with "...". */
typedef struct textbuf {
    char s[256];
    size_t len;
    int full;
} textbuf;

static void put(textbuf *tb, const char *s, size_t n)
{
    if (tb->full)
        return;
    if (tb->len + n > sizeof tb->s - 4) {
        n = sizeof tb->s - 4 - tb->len;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;   /* cut before a character, never inside one: the text stays UTF-8 */
        tb->full = 1;
    }
    memcpy(tb->s + tb->len, s, n);
    tb->len += n;
    if (tb->full) {
        memcpy(tb->s + tb->len, "...", 3);
        tb->len += 3;
    }
}

static void puts_(textbuf *tb, const char *s)
{
    put(tb, s, strlen(s));
}

/* Python's repr of a str: single quotes unless the text has ' and no ". */
static void put_pystr(textbuf *tb, const char *s)
{
    char q = (strchr(s, '\'') && !strchr(s, '"')) ? '"' : '\'';
    put(tb, &q, 1);
    for (; *s && !tb->full; s++) {
        char esc[8];
        switch (*s) {
        case '\\': puts_(tb, "\\\\"); break;
        case '\n': puts_(tb, "\\n"); break;
        case '\t': puts_(tb, "\\t"); break;
        case '\r': puts_(tb, "\\r"); break;
        default:
            if (*s == q) {
                esc[0] = '\\', esc[1] = q;
                put(tb, esc, 2);
            } else if ((unsigned char)*s < 0x20) {
                snprintf(esc, sizeof esc, "\\x%02x", (unsigned char)*s);
                puts_(tb, esc);
            } else {
                size_t k = 1;   /* a whole UTF-8 character, so a cut cannot split it */
                while (((unsigned char)s[k] & 0xC0) == 0x80)
                    k++;
                put(tb, s, k);
                s += k - 1;
            }
        }
    }
    put(tb, &q, 1);
}

static void put_number(textbuf *tb, double d)
{
    char num[40];
    if (d == floor(d) && fabs(d) < 1e15)
        snprintf(num, sizeof num, "%.0f", d);
    else {
        snprintf(num, sizeof num, "%.15g", d);   /* shortest form that reads back */
        if (strtod(num, NULL) != d)
            snprintf(num, sizeof num, "%.17g", d);
    }
    puts_(tb, num);
}

static void put_value(textbuf *tb, const cJSON *v)
{
    if (tb->full)
        return;
    if (cJSON_IsNull(v))
        puts_(tb, "None");
    else if (cJSON_IsTrue(v))
        puts_(tb, "True");
    else if (cJSON_IsFalse(v))
        puts_(tb, "False");
    else if (cJSON_IsNumber(v))
        put_number(tb, v->valuedouble);
    else if (cJSON_IsString(v))
        put_pystr(tb, v->valuestring);
    else if (cJSON_IsArray(v)) {
        puts_(tb, "[");
        for (const cJSON *c = v->child; c; c = c->next) {
            put_value(tb, c);
            if (c->next)
                puts_(tb, ", ");
        }
        puts_(tb, "]");
    } else if (cJSON_IsObject(v)) {
        const cJSON *exc = cJSON_GetObjectItemCaseSensitive(v, "exc");
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(v, "msg");
        if (cJSON_IsString(exc)) {           /* an exception used as a value */
            puts_(tb, exc->valuestring);
            puts_(tb, "(");
            if (cJSON_IsString(msg) && msg->valuestring[0])
                put_pystr(tb, msg->valuestring);
            puts_(tb, ")");
            return;
        }
        puts_(tb, "{");
        for (const cJSON *c = v->child; c; c = c->next) {
            put_pystr(tb, c->string ? c->string : "");
            puts_(tb, ": ");
            put_value(tb, c);
            if (c->next)
                puts_(tb, ", ");
        }
        puts_(tb, "}");
    } else {
        puts_(tb, "?");
    }
}

tm_str tm__value_repr(tm__builder *b, const cJSON *v)
{
    if (!v)
        return 0;
    textbuf tb;
    tb.len = 0;
    tb.full = 0;
    put_value(&tb, v);
    return tm__str(b, tb.s, tb.len);
}
