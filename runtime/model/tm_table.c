/*
** tm_table.c -- the model's generic storage: growable arrays, an id -> index
** hash table and a string interner.
**
** A million-event trace must fit in well under 100 bytes per event, so
** nothing here allocates per element: arrays grow by half again, the id table
** is two flat uint32_t arrays, and strings live back to back in one buffer and
** are named by their offset. Repeated strings (task names, "sleep(1)", callback
** names) are stored once.
*/
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "tm_internal.h"

int tm__reserve(void *arr, size_t *cap, size_t need, size_t size)
{
    void **p = arr;
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap + *cap / 2 : 64;
    if (ncap < need)
        ncap = need;
    if (ncap > SIZE_MAX / size)
        return -1;
    void *q = co_realloc(*p, ncap * size);
    if (!q)
        return -1;
    *p = q;
    *cap = ncap;
    return 0;
}

void tm__shrink(void *arr, size_t n, size_t size)
{
    void **p = arr;
    if (!*p || n == 0)
        return;
    void *q = co_realloc(*p, n * size);
    if (q)
        *p = q;
}

/* ---- id -> index ---------------------------------------------------------- */

/*
** Trace ids are handed out by one counter, so they are dense: keeping nearby
** ids in nearby slots makes a replay's lookups walk memory in order (a
** multiplicative hash cost a cache miss per lookup: 15% of a load). Folding
** the high bits in keeps ids that differ only there from piling up.
*/
static size_t id_slot(uint32_t key, size_t cap)
{
    return (size_t)((key ^ (key >> 15)) & (uint32_t)(cap - 1));
}

static int idmap_grow(tm__idmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 256;
    uint32_t *keys = co_calloc(ncap, sizeof *keys);
    uint32_t *vals = co_malloc(ncap * sizeof *vals);
    if (!keys || !vals) {
        co_free(keys);
        co_free(vals);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++) {
        if (!m->keys[i])
            continue;
        size_t j = id_slot(m->keys[i], ncap);
        while (keys[j])
            j = (j + 1) & (ncap - 1);
        keys[j] = m->keys[i];
        vals[j] = m->vals[i];
    }
    co_free(m->keys);
    co_free(m->vals);
    m->keys = keys;
    m->vals = vals;
    m->cap = ncap;
    return 0;
}

static int hash_put(tm__idmap *m, uint32_t key, uint32_t val)
{
    if ((m->len + 1) * 2 > m->cap && idmap_grow(m) < 0)
        return -1;
    size_t j = id_slot(key, m->cap);
    while (m->keys[j] && m->keys[j] != key)
        j = (j + 1) & (m->cap - 1);
    if (!m->keys[j]) {
        m->len++;
        m->n++;
    }
    m->keys[j] = key;
    m->vals[j] = val;
    return 0;
}

static uint32_t *hash_find(const tm__idmap *m, uint32_t key)
{
    if (!m->len)
        return NULL;
    size_t j = id_slot(key, m->cap);
    while (m->keys[j]) {
        if (m->keys[j] == key)
            return &m->vals[j];
        j = (j + 1) & (m->cap - 1);
    }
    return NULL;
}

/*
** A producer's ids come from one counter, so most keys are small and dense:
** they index an array directly (4 bytes a key instead of the hash's 8, and no
** probing). The array only grows to cover a key below 4 slots per key stored
** plus 64 Ki, so that no file -- one id of 4000000000 -- can make it large;
** other keys go to the hash part. A key the hash part holds stays there.
*/
#define DENSE_SLACK 65536

int tm__idmap_put(tm__idmap *m, uint32_t key, uint32_t val)
{
    uint32_t *h = hash_find(m, key);
    if (h) {
        *h = val;
        return 0;
    }
    if (key >= m->dense_cap && key < (m->n + 1) * 4 + DENSE_SLACK) {
        size_t ncap = m->dense_cap ? m->dense_cap * 2 : 1024;
        while (ncap <= key)
            ncap *= 2;
        uint32_t *d = co_realloc(m->dense, ncap * sizeof *d);
        if (!d)
            return -1;
        memset(d + m->dense_cap, 0xff, (ncap - m->dense_cap) * sizeof *d);   /* TM_NONE */
        m->dense = d;
        m->dense_cap = ncap;
    }
    if (key < m->dense_cap) {
        if (m->dense[key] == TM_NONE)
            m->n++;
        m->dense[key] = val;
        return 0;
    }
    return hash_put(m, key, val);
}

uint32_t tm__idmap_get(const tm__idmap *m, uint32_t key)
{
    if (!key)
        return TM_NONE;
    if (key < m->dense_cap && m->dense[key] != TM_NONE)
        return m->dense[key];
    uint32_t *h = hash_find(m, key);
    return h ? *h : TM_NONE;
}

void tm__idmap_trim(tm__idmap *m)
{
    size_t n = m->dense_cap;
    while (n > 0 && m->dense[n - 1] == TM_NONE)
        n--;
    if (n == m->dense_cap)
        return;
    if (n == 0) {
        co_free(m->dense);
        m->dense = NULL;
        m->dense_cap = 0;
        return;
    }
    uint32_t *d = co_realloc(m->dense, n * sizeof *d);
    if (d) {   /* else the larger block stays: still right */
        m->dense = d;
        m->dense_cap = n;
    }
}

void tm__idmap_free(tm__idmap *m)
{
    co_free(m->dense);
    co_free(m->keys);
    co_free(m->vals);
    memset(m, 0, sizeof *m);
}

/* ---- interned strings ------------------------------------------------------ */

/* FNV-1a: short strings, no need for anything stronger. */
static uint32_t str_hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h ? h : 1;
}

int tm__strings_init(tm__strings *st)
{
    memset(st, 0, sizeof *st);
    st->cap = 4096;
    st->buf = co_malloc(st->cap);
    if (!st->buf)
        return -1;
    st->buf[0] = '\0';   /* offset 0 is "" */
    st->len = 1;
    return 0;
}

static int strings_grow_slots(tm__strings *st)
{
    size_t n = st->nslots ? st->nslots * 2 : 1024;
    uint32_t *slots = co_calloc(n, sizeof *slots);
    uint32_t *hashes = co_malloc(n * sizeof *hashes);
    if (!slots || !hashes) {
        co_free(slots);
        co_free(hashes);
        return -1;
    }
    for (size_t i = 0; i < st->nslots; i++) {
        if (!st->slots[i])
            continue;
        size_t j = st->hashes[i] & (n - 1);
        while (slots[j])
            j = (j + 1) & (n - 1);
        slots[j] = st->slots[i];
        hashes[j] = st->hashes[i];
    }
    co_free(st->slots);
    co_free(st->hashes);
    st->slots = slots;
    st->hashes = hashes;
    st->nslots = n;
    return 0;
}

int tm__intern(tm__strings *st, const char *s, size_t n, tm_str *out)
{
    if (n == 0) {
        *out = 0;
        return 0;
    }
    if ((st->count + 1) * 2 > st->nslots && strings_grow_slots(st) < 0)
        return -1;
    uint32_t h = str_hash(s, n);
    size_t j = h & (st->nslots - 1);
    while (st->slots[j]) {
        if (st->hashes[j] == h) {
            const char *have = st->buf + st->slots[j] - 1;
            if (!memcmp(have, s, n) && have[n] == '\0') {
                *out = st->slots[j] - 1;
                return 0;
            }
        }
        j = (j + 1) & (st->nslots - 1);
    }
    if (st->len + n + 1 > UINT32_MAX - 1)
        return -1;
    if (tm__reserve(&st->buf, &st->cap, st->len + n + 1, 1) < 0)
        return -1;
    uint32_t off = (uint32_t)st->len;
    memcpy(st->buf + off, s, n);
    st->buf[off + n] = '\0';
    st->len += n + 1;
    st->slots[j] = off + 1;
    st->hashes[j] = h;
    st->count++;
    *out = off;
    return 0;
}

void tm__strings_done(tm__strings *st)
{
    co_free(st->slots);
    co_free(st->hashes);
    st->slots = st->hashes = NULL;
    st->nslots = st->count = 0;
}

void tm__strings_free(tm__strings *st)
{
    co_free(st->buf);
    co_free(st->slots);
    co_free(st->hashes);
    memset(st, 0, sizeof *st);
}
