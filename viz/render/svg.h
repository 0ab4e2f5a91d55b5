/*
** svg.h -- a frame's draw list as an SVG picture: the same commands the
** renderer paints, written as vector shapes and real text, so a timeline can
** go on a slide or into a handout and stay sharp at any size.
**
** Text is set in the viewer's families (DejaVu Sans, DejaVu Sans Mono) at the
** sizes the layout measured with; a string the layout cut to a width is cut
** the same way here, with an ellipsis, using the same measurements. Clip
** regions become clip paths. Text from a trace is untrusted: it is escaped,
** and control characters and malformed UTF-8 are written as U+FFFD.
**
** No SDL here: it writes from the draw list and the text metrics alone.
*/
#ifndef VZ_SVG_H
#define VZ_SVG_H

#include <stdio.h>

#include "drawlist.h"
#include "layout.h"

/*
** Write dl as an SVG document of w x h pixels to out. `tm` is what the layout
** measured text with; `scale` the UI scale (font sizes are vz_font_px times it).
** Returns 0, or -1 when writing failed.
*/
int vz_svg_write(FILE *out, const vz_drawlist *dl, int w, int h, const vz_text_metrics *tm, float scale);

#endif
