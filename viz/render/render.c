/*
** render.c -- draw commands onto an SDL renderer (see render.h).
**
** Rectangles, outlines and thin lines use SDL's primitives; thick lines and
** triangles go through SDL_RenderGeometry. Text goes through one cache keyed
** by (what, font, parameter, string): a measured width, a cut-to-fit length,
** or a texture of the string in its colour.
**
** Text from a trace is shown, never obeyed, and never costs more than what a
** window can hold: what is measured and drawn is shown_text() of a string --
** its first VZ_TEXT_MAX bytes, with control characters and bytes that are not
** UTF-8 escaped (tm_safe.h) -- so the font engine never sees a 10 MB string
** (SDL_ttf keeps a glyph position per byte it lays out).
*/
#include <SDL.h>
#include <SDL_ttf.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "render.h"
#include "theme.h"
#include "tm_safe.h"

#define CACHE_SLOTS 8192          /* power of two */
#define CACHE_MAX (CACHE_SLOTS * 7 / 10)
#define CACHE_BYTES (1536 * 1024)   /* texture pixels kept before the cache is cleared */
#define ELLIPSIS "\xE2\x80\xA6"
#define SHOWN_MAX (VZ_TEXT_MAX + 1)   /* a buffer for shown_text() */
#define CUT_MAX (SHOWN_MAX + 8)       /* a shown text cut, with the ellipsis */

typedef enum entry_kind { E_WIDTH = 1, E_TEXTURE, E_CUT } entry_kind;

typedef struct entry {
    uint32_t hash;       /* of the key; 0 marks an empty slot */
    uint8_t kind;        /* entry_kind */
    uint8_t font;        /* vz_font */
    int param;           /* E_CUT: the width it was cut to */
    char *str;           /* the key string (owned) */
    int w, h;            /* E_WIDTH / E_TEXTURE: size in pixels; E_CUT: bytes kept */
    SDL_Texture *tex;    /* E_TEXTURE */
    unsigned frame;      /* the last frame that used it */
} entry;

struct vz_renderer {
    SDL_Renderer *r;               /* borrowed */
    vz_font_files files;           /* where the faces are */
    TTF_Font *fonts[VZ_FONT__COUNT];
    float scale;                   /* the scale the fonts were opened at */
    entry *cache;                  /* CACHE_SLOTS slots */
    SDL_BlendMode blend;           /* the draw blend mode last set */
    size_t used;                   /* slots in use */
    size_t bytes;                  /* texture pixel bytes in the cache */
    unsigned frame;                /* frames drawn so far */
};

/* ---- fonts --------------------------------------------------------------------------- */

static void close_fonts(vz_renderer *vr)
{
    for (int i = 0; i < VZ_FONT__COUNT; i++) {
        if (vr->fonts[i])
            TTF_CloseFont(vr->fonts[i]);
        vr->fonts[i] = NULL;
    }
}

static void cache_clear(vz_renderer *vr)
{
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        entry *e = &vr->cache[i];
        if (!e->hash)
            continue;
        if (e->tex)
            SDL_DestroyTexture(e->tex);
        co_free(e->str);
        memset(e, 0, sizeof *e);
    }
    vr->used = 0;
    vr->bytes = 0;
}

static int open_fonts(vz_renderer *vr, float scale, char *err, size_t errlen)
{
    close_fonts(vr);
    for (int i = 0; i < VZ_FONT__COUNT; i++) {
        const char *path = i == VZ_FONT_BOLD || i == VZ_FONT_TITLE ? vr->files.bold
                         : i == VZ_FONT_MONO                      ? vr->files.mono
                                                                  : vr->files.regular;
        int px = (int)lroundf(vz_font_px[i] * scale);
        vr->fonts[i] = TTF_OpenFont(path, px < 6 ? 6 : px);
        if (!vr->fonts[i]) {
            if (err)
                snprintf(err, errlen, "cannot open the font %s: %s", path, TTF_GetError());
            close_fonts(vr);
            return -1;
        }
    }
    vr->scale = scale;
    return 0;
}

vz_renderer *vz_render_new(SDL_Renderer *r, const vz_font_files *fonts, float scale, char *err, size_t errlen)
{
    if (!TTF_WasInit() && TTF_Init() != 0) {
        snprintf(err, errlen, "SDL2_ttf could not start: %s", TTF_GetError());
        return NULL;
    }
    vz_renderer *vr = co_calloc(1, sizeof *vr);
    if (!vr || !(vr->cache = co_calloc(CACHE_SLOTS, sizeof *vr->cache))) {
        co_free(vr);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    vr->r = r;
    vr->files = *fonts;
    if (open_fonts(vr, scale, err, errlen)) {
        vz_render_free(vr);
        return NULL;
    }
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_BLEND);
    return vr;
}

void vz_render_free(vz_renderer *vr)
{
    if (!vr)
        return;
    if (vr->cache) {
        cache_clear(vr);
        co_free(vr->cache);
    }
    close_fonts(vr);
    co_free(vr);
}

int vz_render_set_scale(vz_renderer *vr, float scale)
{
    if (scale == vr->scale)
        return 0;
    cache_clear(vr);
    float old = vr->scale;
    if (open_fonts(vr, scale, NULL, 0))
        return open_fonts(vr, old, NULL, 0), -1;
    return 0;
}

/* ---- the cache ----------------------------------------------------------------------- */

static entry *lookup(vz_renderer *vr, entry_kind kind, unsigned font, int param, const char *s, int *found);

/* Between frames: over budget, keep only what the last frame used. */
static void cache_trim(vz_renderer *vr)
{
    if (vr->bytes <= CACHE_BYTES && vr->used <= CACHE_MAX / 2)
        return;
    size_t keep = 0;
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        keep += vr->cache[i].hash && vr->cache[i].frame == vr->frame;
    if (keep > CACHE_MAX / 2) {
        cache_clear(vr);
        return;
    }
    entry *old = vr->cache;
    vr->cache = co_calloc(CACHE_SLOTS, sizeof *vr->cache);
    if (!vr->cache) {
        vr->cache = old;
        cache_clear(vr);
        return;
    }
    vr->used = 0;
    vr->bytes = 0;
    for (size_t i = 0; i < CACHE_SLOTS; i++) {
        entry *e = &old[i];
        if (!e->hash)
            continue;
        int found;
        entry *n = e->frame == vr->frame ? lookup(vr, (entry_kind)e->kind, e->font, e->param, e->str, &found) : NULL;
        if (n) {
            n->w = e->w;
            n->h = e->h;
            n->tex = e->tex;
            if (e->tex)
                vr->bytes += (size_t)e->w * (size_t)e->h * 4;
        } else if (e->tex) {
            SDL_DestroyTexture(e->tex);
        }
        co_free(e->str);
    }
    co_free(old);
}

static uint32_t hash_key(entry_kind kind, unsigned font, int param, const char *s)
{
    uint32_t h = 2166136261u ^ (kind * 31u + font * 131u + (uint32_t)param * 7919u);
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h ? h : 1;
}

/* The entry for a key: existing (found = 1) or a fresh empty slot to fill. */
static entry *lookup(vz_renderer *vr, entry_kind kind, unsigned font, int param, const char *s, int *found)
{
    if (vr->used >= CACHE_MAX)   /* a frame with a great deal of new text */
        cache_clear(vr);
    uint32_t h = hash_key(kind, font, param, s);
    for (size_t i = h & (CACHE_SLOTS - 1);; i = (i + 1) & (CACHE_SLOTS - 1)) {
        entry *e = &vr->cache[i];
        if (!e->hash) {
            *found = 0;
            e->hash = h;
            e->kind = (uint8_t)kind;
            e->font = (uint8_t)font;
            e->param = param;
            e->str = co_strdup(s);
            if (!e->str) {
                e->hash = 0;
                return NULL;
            }
            e->frame = vr->frame;
            vr->used++;
            return e;
        }
        if (e->hash == h && e->kind == kind && e->font == font && e->param == param && !strcmp(e->str, s)) {
            *found = 1;
            e->frame = vr->frame;
            return e;
        }
    }
}

/*
** What is measured and drawn for s: s itself when it is short and safe, else
** its first VZ_TEXT_MAX bytes (cut between characters), escaped, in buf
** (SHOWN_MAX bytes). The escaping can cut it shorter; the window shows less.
*/
static const char *shown_text(const char *s, char *buf)
{
    size_t n = strnlen(s, VZ_TEXT_MAX + 1);
    if (n > VZ_TEXT_MAX) {
        n = VZ_TEXT_MAX;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    } else if (!tm_safe_needed(s, n)) {
        return s;
    }
    tm_safe_escape(buf, SHOWN_MAX, s, n, NULL);
    return buf;
}

/* The width of a string that is already shown_text(). */
static float measure_shown(vz_renderer *vr, vz_font font, const char *s)
{
    if (!*s)
        return 0;
    int found;
    entry *e = lookup(vr, E_WIDTH, font, 0, s, &found);
    if (e && found)
        return (float)e->w;
    int w = 0, h = 0;
    TTF_SizeUTF8(vr->fonts[font], s, &w, &h);
    if (e) {
        e->w = w;
        e->h = h;
    }
    return (float)w;
}

/* The layout's measure: the width of what will be shown for s. */
static float measure(void *ud, vz_font font, const char *s)
{
    if (!s || !*s)
        return 0;
    char shown[SHOWN_MAX];
    return measure_shown(ud, font, shown_text(s, shown));
}

void vz_render_metrics(vz_renderer *vr, vz_text_metrics *out)
{
    out->width = measure;
    out->ud = vr;
    for (int i = 0; i < VZ_FONT__COUNT; i++)
        out->line_h[i] = (float)TTF_FontHeight(vr->fonts[i]);
}

/* How many bytes of s fit in max_w pixels followed by an ellipsis. */
static size_t cut_length(vz_renderer *vr, vz_font font, const char *s, int max_w)
{
    int found;
    entry *e = lookup(vr, E_CUT, font, max_w, s, &found);
    if (e && found)
        return (size_t)e->w;
    size_t len = strlen(s), lo = 0, hi = len;
    char buf[CUT_MAX];
    if (len > sizeof buf - 8)
        hi = len = sizeof buf - 8;
    while (lo < hi) {   /* the longest prefix that fits */
        size_t mid = (lo + hi + 1) / 2;
        while (mid > 0 && ((unsigned char)s[mid] & 0xC0) == 0x80)
            mid--;
        if (mid <= lo) {
            hi = lo;
            break;
        }
        memcpy(buf, s, mid);
        memcpy(buf + mid, ELLIPSIS, sizeof ELLIPSIS);
        if (measure_shown(vr, font, buf) <= max_w)
            lo = mid;
        else
            hi = mid - 1;
    }
    while (lo > 0 && ((unsigned char)s[lo] & 0xC0) == 0x80)
        lo--;
    e = lookup(vr, E_CUT, font, max_w, s, &found);   /* measuring may have cleared the cache */
    if (e)
        e->w = (int)lo;
    return lo;
}

/* The texture of a string in a font and colour. Textures are made in their final
** colour: tinting at draw time would send the software renderer down its slow,
** per-pixel modulating blitter. */
static entry *texture(vz_renderer *vr, vz_font font, vz_color col, const char *s)
{
    int found;
    int rgba = (int)((uint32_t)col.r << 24 | (uint32_t)col.g << 16 | (uint32_t)col.b << 8 | col.a);
    entry *e = lookup(vr, E_TEXTURE, font, rgba, s, &found);
    if (!e || found)
        return e;
    SDL_Surface *surf = TTF_RenderUTF8_Blended(vr->fonts[font], s, (SDL_Color){col.r, col.g, col.b, col.a});
    if (surf) {
        e->tex = SDL_CreateTextureFromSurface(vr->r, surf);
        e->w = surf->w;
        e->h = surf->h;
        vr->bytes += (size_t)surf->w * (size_t)surf->h * 4;
        SDL_FreeSurface(surf);
        if (e->tex)
            SDL_SetTextureBlendMode(e->tex, SDL_BLENDMODE_BLEND);
    }
    return e;
}

/* ---- drawing ------------------------------------------------------------------------- */

static void draw_text(vz_renderer *vr, const vz_drawlist *dl, const vz_cmd *c)
{
    char shown[SHOWN_MAX];
    const char *s = shown_text(vz_dl_str(dl, c), shown);
    vz_font font = c->font < VZ_FONT__COUNT ? (vz_font)c->font : VZ_FONT_BODY;
    char buf[CUT_MAX];
    if (c->w > 0 && measure_shown(vr, font, s) > c->w) {
        int max_w = (int)c->w;
        if (max_w < 8)
            return;
        size_t keep = cut_length(vr, font, s, max_w);
        if (!keep)
            return;
        memcpy(buf, s, keep);
        memcpy(buf + keep, ELLIPSIS, sizeof ELLIPSIS);
        s = buf;
    }
    entry *e = texture(vr, font, c->color, s);
    if (!e || !e->tex)
        return;
    SDL_Rect dst = {(int)lroundf(c->x), (int)lroundf(c->y), e->w, e->h};
    SDL_RenderCopy(vr->r, e->tex, NULL, &dst);
}

/* Opaque colours are written, not blended: the software renderer blends pixel
** by pixel, and most of a frame is opaque. */
static void set_color(vz_renderer *vr, vz_color c)
{
    SDL_BlendMode want = c.a == 255 ? SDL_BLENDMODE_NONE : SDL_BLENDMODE_BLEND;
    if (want != vr->blend) {
        SDL_SetRenderDrawBlendMode(vr->r, want);
        vr->blend = want;
    }
    SDL_SetRenderDrawColor(vr->r, c.r, c.g, c.b, c.a);
}

static void geometry(vz_renderer *vr, const SDL_FPoint *p, int n, vz_color col)
{
    SDL_Vertex v[4];
    SDL_Color c = {col.r, col.g, col.b, col.a};
    for (int i = 0; i < n; i++)
        v[i] = (SDL_Vertex){p[i], c, {0, 0}};
    static const int quad[6] = {0, 1, 2, 0, 2, 3};
    SDL_RenderGeometry(vr->r, NULL, v, n, n == 4 ? quad : NULL, n == 4 ? 6 : 0);
}

static void thick_line(vz_renderer *vr, const vz_cmd *c)
{
    float dx = c->x2 - c->x, dy = c->y2 - c->y, len = sqrtf(dx * dx + dy * dy);
    if (c->w <= 1.25f || len < 0.5f) {
        set_color(vr, c->color);
        SDL_RenderDrawLineF(vr->r, c->x, c->y, c->x2, c->y2);
        return;
    }
    float nx = -dy / len * c->w / 2, ny = dx / len * c->w / 2;
    SDL_FPoint p[4] = {{c->x + nx, c->y + ny}, {c->x2 + nx, c->y2 + ny}, {c->x2 - nx, c->y2 - ny}, {c->x - nx, c->y - ny}};
    geometry(vr, p, 4, c->color);
}

void vz_render_frame(vz_renderer *vr, const vz_drawlist *dl)
{
    SDL_Renderer *r = vr->r;
    cache_trim(vr);
    vr->frame++;
    SDL_RenderSetClipRect(r, NULL);
    vz_color bg = VZ_C_BG;
    SDL_SetRenderDrawBlendMode(r, SDL_BLENDMODE_NONE);
    vr->blend = SDL_BLENDMODE_NONE;
    SDL_SetRenderDrawColor(r, bg.r, bg.g, bg.b, 255);
    SDL_RenderClear(r);
    for (size_t i = 0; i < dl->n_cmds; i++) {
        const vz_cmd *c = &dl->cmds[i];
        switch ((vz_cmd_kind)c->kind) {
        case VZ_CMD_RECT: {
            SDL_FRect rc = {c->x, c->y, c->w, c->h};
            set_color(vr, c->color);
            SDL_RenderFillRectF(r, &rc);
            break;
        }
        case VZ_CMD_FRAME: {
            SDL_FRect rc = {c->x, c->y, c->w, c->h};
            set_color(vr, c->color);
            SDL_RenderDrawRectF(r, &rc);
            break;
        }
        case VZ_CMD_LINE:
            thick_line(vr, c);
            break;
        case VZ_CMD_TRI: {
            SDL_FPoint p[3] = {{c->x, c->y}, {c->x2, c->y2}, {c->x3, c->y3}};
            geometry(vr, p, 3, c->color);
            break;
        }
        case VZ_CMD_TEXT:
            draw_text(vr, dl, c);
            break;
        case VZ_CMD_CLIP: {
            SDL_Rect rc = {(int)floorf(c->x), (int)floorf(c->y), (int)ceilf(c->w), (int)ceilf(c->h)};
            SDL_RenderSetClipRect(r, &rc);
            break;
        }
        case VZ_CMD_UNCLIP:
            SDL_RenderSetClipRect(r, NULL);
            break;
        }
    }
    SDL_RenderSetClipRect(r, NULL);
}
