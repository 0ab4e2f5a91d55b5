/*
** render.h -- the one part of the viewer that draws: it replays a draw list
** (drawlist.h) on an SDL renderer and sets text with SDL2_ttf.
**
** Text is rendered once per (font, colour, string) into a texture, so a
** steady frame renders no glyphs at all; measured widths and cut-to-fit
** strings are cached the same way. When the cache outgrows its budget, a new
** frame keeps only what the previous frame used, which bounds its memory.
**
** Ownership: vz_render_new borrows the SDL_Renderer (the caller destroys it
** after vz_render_free) and owns its fonts and textures.
*/
#ifndef VZ_RENDER_H
#define VZ_RENDER_H

#include <stddef.h>

#include "drawlist.h"
#include "font.h"
#include "layout.h"

struct SDL_Renderer;
typedef struct vz_renderer vz_renderer;

/* A renderer with the fonts opened at UI scale `scale`. NULL with a message in
** err when a font cannot be opened or memory runs out. */
vz_renderer *vz_render_new(struct SDL_Renderer *r, const vz_font_files *fonts, float scale, char *err, size_t errlen);
void vz_render_free(vz_renderer *vr);   /* NULL ok */

/* Reopen the fonts for a new UI scale (no-op when unchanged). 0 or -1. */
int vz_render_set_scale(vz_renderer *vr, float scale);

/* Text measuring for the layout, valid while vr lives. */
void vz_render_metrics(vz_renderer *vr, vz_text_metrics *out);

/* Clear the target and draw every command of dl, in order. */
void vz_render_frame(vz_renderer *vr, const vz_drawlist *dl);

#endif
