/*
** svg.c -- draw commands as SVG (see svg.h).
**
** One element per command, in painting order: rectangles, outlines (a rect
** with a one-pixel stroke, drawn inside its box as the renderer does), lines,
** triangles (polygons) and text. A CLIP starts a group clipped to its box and
** an UNCLIP (or the next CLIP) ends it, as clip regions replace one another
** in the renderer.
*/
#include <string.h>

#include "svg.h"
#include "theme.h"

#define ELLIPSIS "\xE2\x80\xA6"
#define ASCENT 0.797f   /* DejaVu's baseline below the top of a line, as a share of its height */

/* The length of the well-formed UTF-8 character at s, or 0 when it is not one. */
static int utf8_length(const unsigned char *s)
{
    int n = s[0] < 0x80 ? 1 : s[0] < 0xC2 ? 0 : s[0] < 0xE0 ? 2 : s[0] < 0xF0 ? 3 : s[0] < 0xF5 ? 4 : 0;
    for (int i = 1; i < n; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    if ((n == 3 && s[0] == 0xE0 && s[1] < 0xA0) || (n == 3 && s[0] == 0xED && s[1] >= 0xA0) ||
        (n == 4 && s[0] == 0xF0 && s[1] < 0x90) || (n == 4 && s[0] == 0xF4 && s[1] >= 0x90))
        return 0;
    return n;
}

/* Text content or an attribute value: escaped, control characters and bad bytes as U+FFFD. */
static void put_text(FILE *out, const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    while (p < end && *p) {
        int n = utf8_length(p);
        if (n == 0 || p + n > end || *p < 0x20 || *p == 0x7F) {
            fputs("\xEF\xBF\xBD", out);
            p += n > 0 && p + n <= end ? n : 1;
            continue;
        }
        switch (*p) {
        case '&': fputs("&amp;", out); break;
        case '<': fputs("&lt;", out); break;
        case '>': fputs("&gt;", out); break;
        case '"': fputs("&quot;", out); break;
        default: fwrite(p, 1, (size_t)n, out);
        }
        p += n;
    }
}

static void put_color(FILE *out, const char *attr, vz_color c)
{
    fprintf(out, " %s=\"#%02x%02x%02x\"", attr, c.r, c.g, c.b);
    if (c.a != 255)
        fprintf(out, " %s-opacity=\"%.3f\"", attr, c.a / 255.0);
}

/* How many bytes of s fit in max_w pixels followed by an ellipsis (as render.c cuts). */
static size_t cut_length(const vz_text_metrics *tm, vz_font font, const char *s, float max_w)
{
    char buf[1024];
    size_t len = strlen(s), lo = 0, hi = len > sizeof buf - 8 ? sizeof buf - 8 : len;
    while (lo < hi) {
        size_t mid = (lo + hi + 1) / 2;
        while (mid > 0 && ((unsigned char)s[mid] & 0xC0) == 0x80)
            mid--;
        if (mid <= lo)
            break;
        memcpy(buf, s, mid);
        memcpy(buf + mid, ELLIPSIS, sizeof ELLIPSIS);
        if (tm->width(tm->ud, font, buf) <= max_w)
            lo = mid;
        else
            hi = mid - 1;
    }
    while (lo > 0 && ((unsigned char)s[lo] & 0xC0) == 0x80)
        lo--;
    return lo;
}

static void text(FILE *out, const vz_drawlist *dl, const vz_cmd *c, const vz_text_metrics *tm, float scale)
{
    const char *s = vz_dl_str(dl, c);
    vz_font font = c->font < VZ_FONT__COUNT ? (vz_font)c->font : VZ_FONT_BODY;
    size_t keep = strlen(s);
    int cut = 0;
    if (c->w > 0 && tm->width(tm->ud, font, s) > c->w) {
        if (c->w < 8 || !(keep = cut_length(tm, font, s, c->w)))
            return;
        cut = 1;
    }
    int bold = font == VZ_FONT_BOLD || font == VZ_FONT_TITLE, mono = font == VZ_FONT_MONO;
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" font-size=\"%.1f\"%s%s", c->x, c->y + tm->line_h[font] * ASCENT,
            vz_font_px[font] * scale, mono ? " font-family=\"DejaVu Sans Mono, monospace\"" : "",
            bold ? " font-weight=\"bold\"" : "");
    put_color(out, "fill", c->color);
    fputs(">", out);
    put_text(out, s, keep);
    if (cut)
        fputs(ELLIPSIS, out);
    fputs("</text>\n", out);
}

int vz_svg_write(FILE *out, const vz_drawlist *dl, int w, int h, const vz_text_metrics *tm, float scale)
{
    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
            "font-family=\"DejaVu Sans, Verdana, sans-serif\">\n",
            w, h, w, h);
    int clipped = 0;
    unsigned clips = 0;
    for (size_t i = 0; i < dl->n_cmds; i++) {
        const vz_cmd *c = &dl->cmds[i];
        switch ((vz_cmd_kind)c->kind) {
        case VZ_CMD_RECT:
            if (c->w <= 0 || c->h <= 0)
                break;
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"", c->x, c->y, c->w, c->h);
            put_color(out, "fill", c->color);
            fputs("/>\n", out);
            break;
        case VZ_CMD_FRAME:
            if (c->w <= 1 || c->h <= 1)
                break;
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke-width=\"1\"",
                    c->x + 0.5f, c->y + 0.5f, c->w - 1, c->h - 1);
            put_color(out, "stroke", c->color);
            fputs("/>\n", out);
            break;
        case VZ_CMD_LINE:
            fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke-width=\"%.1f\"", c->x, c->y,
                    c->x2, c->y2, c->w > 0 ? c->w : 1);
            put_color(out, "stroke", c->color);
            fputs("/>\n", out);
            break;
        case VZ_CMD_TRI:
            fprintf(out, "<polygon points=\"%.1f,%.1f %.1f,%.1f %.1f,%.1f\"", c->x, c->y, c->x2, c->y2, c->x3, c->y3);
            put_color(out, "fill", c->color);
            fputs("/>\n", out);
            break;
        case VZ_CMD_TEXT:
            text(out, dl, c, tm, scale);
            break;
        case VZ_CMD_CLIP:
            if (clipped)
                fputs("</g>\n", out);
            fprintf(out,
                    "<clipPath id=\"c%u\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\"/></clipPath>\n"
                    "<g clip-path=\"url(#c%u)\">\n",
                    clips, c->x, c->y, c->w > 0 ? c->w : 0, c->h > 0 ? c->h : 0, clips);
            clips++;
            clipped = 1;
            break;
        case VZ_CMD_UNCLIP:
            if (clipped)
                fputs("</g>\n", out);
            clipped = 0;
            break;
        }
    }
    if (clipped)
        fputs("</g>\n", out);
    fputs("</svg>\n", out);
    return ferror(out) ? -1 : 0;
}
