/*
** layout_internal.h -- what layout.c (the timeline) and layout_panels.c (the
** toolbar, panels and overlays) share: one frame's context and small helpers.
*/
#ifndef VZ_LAYOUT_INTERNAL_H
#define VZ_LAYOUT_INTERNAL_H

#include "layout.h"
#include "theme.h"

typedef struct vz__lctx {
    const vz_doc *doc;          /* the traces */
    const vz_ui *ui;            /* the UI state */
    const vz_text_metrics *tm;  /* text measuring */
    vz_drawlist *dl;            /* where commands go */
    vz_geom g;                  /* the window's regions */
    float s;                    /* UI scale */
} vz__lctx;

/* Width of a string in a font. */
float vz__text_w(const vz__lctx *c, vz_font font, const char *s);

/* Line height of a font. */
float vz__line_h(const vz__lctx *c, vz_font font);

/* Draw text wrapped to max_w from (x, y); returns the height used. Draws
** nothing past y_max. */
float vz__wrap(vz__lctx *c, vz_font font, float x, float y, float max_w, float y_max, vz_color col,
               const char *text);

/* A panel with a title bar; returns the y where its content starts. */
float vz__panel(vz__lctx *c, vz_rect r, const char *title);

/* Small shapes used by markers and the legend. */
void vz__marker(vz__lctx *c, vz_marker_kind kind, float x, float y, float size, vz_color col);

/* The panels, toolbar, legend and overlays (layout_panels.c). */
void vz__layout_toolbar(vz__lctx *c);
void vz__layout_legend(vz__lctx *c);
void vz__layout_side(vz__lctx *c);
void vz__layout_bottom(vz__lctx *c);
void vz__layout_tooltip(vz__lctx *c);
void vz__layout_help(vz__lctx *c);

#endif
