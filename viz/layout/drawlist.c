/*
** drawlist.c -- appending draw commands and hit regions (see drawlist.h).
**
** Arrays grow by doubling and are kept between frames, so a steady frame
** allocates nothing.
*/
#include <string.h>

#include "alloc.h"
#include "drawlist.h"

void vz_dl_init(vz_drawlist *dl)
{
    memset(dl, 0, sizeof *dl);
}

void vz_dl_reset(vz_drawlist *dl)
{
    dl->n_cmds = 0;
    dl->text_len = 0;
    dl->n_hits = 0;
    dl->tag = dl->sub = dl->run = dl->ghost = 0;
    dl->ref = 0;
    dl->oom = 0;
}

void vz_dl_free(vz_drawlist *dl)
{
    if (!dl)
        return;
    co_free(dl->cmds);
    co_free(dl->text);
    co_free(dl->hits);
    vz_dl_init(dl);
}

/* Make room for one more element of `size` bytes; 0 on failure. */
static int grow(void **arr, size_t *cap, size_t n, size_t size, size_t first)
{
    if (n < *cap)
        return 1;
    size_t ncap = *cap ? *cap * 2 : first;
    void *p = co_realloc(*arr, ncap * size);
    if (!p)
        return 0;
    *arr = p;
    *cap = ncap;
    return 1;
}

void vz_dl_tag(vz_drawlist *dl, vz_tag tag, unsigned sub, unsigned run, uint32_t ref)
{
    dl->tag = (uint8_t)tag;
    dl->sub = (uint8_t)sub;
    dl->run = (uint8_t)run;
    dl->ref = ref;
    dl->ghost = 0;
}

void vz_dl_ghost(vz_drawlist *dl)
{
    dl->ghost = 1;
}

static vz_cmd *push(vz_drawlist *dl, vz_cmd_kind kind, vz_color c)
{
    if (!grow((void **)&dl->cmds, &dl->cap_cmds, dl->n_cmds, sizeof *dl->cmds, 1024)) {
        dl->oom = 1;
        return NULL;
    }
    vz_cmd *cmd = &dl->cmds[dl->n_cmds++];
    memset(cmd, 0, sizeof *cmd);
    cmd->kind = (uint8_t)kind;
    cmd->color = c;
    cmd->tag = dl->tag;
    cmd->sub = dl->sub;
    cmd->run = dl->run;
    cmd->ref = dl->ref;
    cmd->ghost = dl->ghost;
    return cmd;
}

void vz_dl_rect(vz_drawlist *dl, float x, float y, float w, float h, vz_color c)
{
    if (w <= 0 || h <= 0 || c.a == 0)
        return;
    vz_cmd *cmd = push(dl, VZ_CMD_RECT, c);
    if (cmd) {
        cmd->x = x;
        cmd->y = y;
        cmd->w = w;
        cmd->h = h;
    }
}

void vz_dl_frame(vz_drawlist *dl, float x, float y, float w, float h, vz_color c)
{
    if (w <= 0 || h <= 0 || c.a == 0)
        return;
    vz_cmd *cmd = push(dl, VZ_CMD_FRAME, c);
    if (cmd) {
        cmd->x = x;
        cmd->y = y;
        cmd->w = w;
        cmd->h = h;
    }
}

void vz_dl_line(vz_drawlist *dl, float x, float y, float x2, float y2, float width, vz_color c)
{
    vz_cmd *cmd = push(dl, VZ_CMD_LINE, c);
    if (cmd) {
        cmd->x = x;
        cmd->y = y;
        cmd->x2 = x2;
        cmd->y2 = y2;
        cmd->w = width;
    }
}

void vz_dl_tri(vz_drawlist *dl, float x, float y, float x2, float y2, float x3, float y3, vz_color c)
{
    vz_cmd *cmd = push(dl, VZ_CMD_TRI, c);
    if (cmd) {
        cmd->x = x;
        cmd->y = y;
        cmd->x2 = x2;
        cmd->y2 = y2;
        cmd->x3 = x3;
        cmd->y3 = y3;
    }
}

void vz_dl_clip(vz_drawlist *dl, float x, float y, float w, float h)
{
    vz_cmd *cmd = push(dl, VZ_CMD_CLIP, VZ_RGB(0, 0, 0));
    if (cmd) {
        cmd->x = x;
        cmd->y = y;
        cmd->w = w < 0 ? 0 : w;
        cmd->h = h < 0 ? 0 : h;
    }
}

void vz_dl_unclip(vz_drawlist *dl)
{
    push(dl, VZ_CMD_UNCLIP, VZ_RGB(0, 0, 0));
}

void vz_dl_text(vz_drawlist *dl, vz_font font, float x, float y, float max_w, vz_color c, const char *s)
{
    if (!s || !*s || c.a == 0)
        return;
    size_t len = strnlen(s, VZ_TEXT_MAX + 1);
    if (len > VZ_TEXT_MAX) {   /* keep what a window can show, cut between characters */
        len = VZ_TEXT_MAX;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    len++;   /* the NUL */
    while (dl->text_len + len > dl->text_cap) {
        size_t ncap = dl->text_cap ? dl->text_cap * 2 : 16384;
        char *p = co_realloc(dl->text, ncap);
        if (!p) {
            dl->oom = 1;
            return;
        }
        dl->text = p;
        dl->text_cap = ncap;
    }
    vz_cmd *cmd = push(dl, VZ_CMD_TEXT, c);
    if (!cmd)
        return;
    memcpy(dl->text + dl->text_len, s, len - 1);
    dl->text[dl->text_len + len - 1] = '\0';
    cmd->text = (uint32_t)dl->text_len;
    dl->text_len += len;
    cmd->font = (uint8_t)font;
    cmd->x = x;
    cmd->y = y;
    cmd->w = max_w;
}

void vz_dl_hit(vz_drawlist *dl, float x, float y, float w, float h, vz_hit_kind kind, unsigned run,
               uint32_t a, uint32_t b)
{
    if (w <= 0 || h <= 0)
        return;
    if (!grow((void **)&dl->hits, &dl->cap_hits, dl->n_hits, sizeof *dl->hits, 256)) {
        dl->oom = 1;
        return;
    }
    dl->hits[dl->n_hits++] = (vz_hit){x, y, w, h, (uint8_t)kind, (uint8_t)run, a, b};
}

const vz_hit *vz_dl_hit_at(const vz_drawlist *dl, float x, float y)
{
    for (size_t i = dl->n_hits; i-- > 0;) {
        const vz_hit *h = &dl->hits[i];
        if (x >= h->x && x < h->x + h->w && y >= h->y && y < h->y + h->h)
            return h;
    }
    return NULL;
}

const char *vz_dl_str(const vz_drawlist *dl, const vz_cmd *c)
{
    return c->kind == VZ_CMD_TEXT && c->text < dl->text_len ? dl->text + c->text : "";
}
