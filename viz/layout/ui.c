/*
** ui.c -- the viewer's UI state: defaults, geometry, axis mapping, zoom and pan.
*/
#include <math.h>
#include <string.h>

#include "overview.h"
#include "playhead.h"
#include "theme.h"
#include "layout.h"
#include "ui.h"

void vz_ui_init(vz_ui *ui, const vz_doc *doc, int w, int h, float scale)
{
    memset(ui, 0, sizeof *ui);
    ui->w = w;
    ui->h = h;
    ui->scale = scale > 0 ? scale : 1;
    ui->arrows[0] = ui->arrows[1] = ui->arrows[2] = 1;
    ui->show_panels = 1;
    ui->legend_rows = 1;
    for (size_t r = 0; r < doc->n_runs; r++) {
        const vz_run *run = &doc->runs[r];
        if (run->n_groups || run->n_deadlines || run->n_io_waits ||
            (run->mk_present & (1u << VZ_MK_TIMEOUT_FIRE | 1u << VZ_MK_IO_READY)))
            ui->legend_rows = 2;
    }
    size_t lanes = 0;   /* more lanes than a window holds: the overview opens */
    for (size_t r = 0; r < doc->n_runs; r++)
        lanes += doc->runs[r].tr->n_tasks;
    ui->overview = lanes > VZ_OV_AUTO;
    ui->sel_kind = VZ_SEL_NONE;
    ui->code_run = -1;
    ui->code_sel_run = -1;
    ui->open_run = 0;
    ui->open_finding = 0;
    ui->k = VZ_K_ALL;
    ui->t = doc->t_max;
    /* Traces that take no time at all read better one event per step, and so
    ** do traces whose point is a cascade at one instant (the axis says why). */
    ui->step_view = doc->n_runs && doc->t_max <= doc->t_min;
    int dense = vz_doc_wants_event_order(doc);
    if (!ui->step_view && dense >= 0) {
        ui->step_view = 1;
        ui->step_auto = dense + 1;
    }
    vz_ui_fit(ui, doc);
    ui->dirty = 1;
}

void vz_ui_geom(const vz_ui *ui, vz_geom *g)
{
    float s = ui->scale, W = (float)ui->w, H = (float)ui->h;
    memset(g, 0, sizeof *g);
    g->s = s;
    /* A window too narrow for every control in one row gets two: none is dropped. */
    g->toolbar_rows = ui->toolbar_rows > 0 ? ui->toolbar_rows
                    : W >= VZ_M_TOOLBAR_W * s ? 1 : W * 2 >= VZ_M_TOOLBAR_W * s ? 2 : 3;
    g->toolbar = (vz_rect){0, 0, W, ui->bare ? 0 : VZ_M_TOOLBAR_H * s * (float)g->toolbar_rows};
    int wrap = W < VZ_M_LEGEND_W * s || ui->legend_rows > 1;   /* the legend wraps */
    float status_h = VZ_M_STATUS_H * s * (wrap ? 2 : 1);
    g->status = (vz_rect){0, H - status_h, W, status_h};
    float side_w = 0, bottom_h = 0;
    /* Panels need room: at a scale the window cannot hold (1024x640 at 2x is
    ** 512x320 at 1x) they fold away, as Tab would, and the lanes keep the window. */
    if (ui->show_panels && !ui->bare && W >= VZ_M_PANELS_MIN_W * s && H >= VZ_M_PANELS_MIN_H * s) {
        side_w = VZ_M_SIDEBAR_W * s;
        if (side_w > W * 0.34f)
            side_w = W * 0.34f;
        bottom_h = VZ_M_BOTTOM_H * s;
        if (bottom_h > H * 0.28f)
            bottom_h = H * 0.28f;
    }
    float top = g->toolbar.h, bot = g->status.y;
    g->side = (vz_rect){W - side_w, top, side_w, bot - top};
    g->bottom = (vz_rect){0, bot - bottom_h, W - side_w, bottom_h};
    g->events = (vz_rect){0, g->bottom.y, g->bottom.w * 0.58f, bottom_h};
    g->output = (vz_rect){g->events.w, g->bottom.y, g->bottom.w - g->events.w, bottom_h};
    g->timeline = (vz_rect){0, top, W - side_w, g->bottom.y - top};
    float labels_w = VZ_M_LABELS_W * s;
    if (labels_w > g->timeline.w * 0.4f)
        labels_w = g->timeline.w * 0.4f;
    /* The overview: a strip above the axis, and the minimap right of the lanes,
    ** when the window has room for them beside lanes worth the name. */
    float ov_h = 0, mm_w = 0;
    if (ui->overview && !ui->bare && g->timeline.h >= 3 * VZ_M_OVERVIEW_H * s &&
        g->timeline.w - labels_w >= 3 * VZ_M_MINIMAP_W * s) {
        ov_h = VZ_M_OVERVIEW_H * s;
        mm_w = VZ_M_MINIMAP_W * s;
    }
    g->overview = (vz_rect){0, top, g->timeline.w, ov_h};
    float body = top + ov_h, lanes_w = g->timeline.w - labels_w - mm_w;
    g->axis = (vz_rect){labels_w, body, lanes_w, VZ_M_AXIS_H * s};
    g->labels = (vz_rect){0, body + g->axis.h, labels_w, g->timeline.h - ov_h - g->axis.h};
    g->lanes = (vz_rect){labels_w, body + g->axis.h, lanes_w, g->timeline.h - ov_h - g->axis.h};
    if (g->lanes.w < 1)
        g->lanes.w = 1;
    if (g->lanes.h < 1)
        g->lanes.h = 1;
    if (ov_h > 0) {
        g->track = (vz_rect){g->lanes.x, top + 5 * s, g->lanes.w, ov_h - 10 * s};
        g->minimap = (vz_rect){g->lanes.x + g->lanes.w, g->lanes.y, mm_w, g->lanes.h};
    }
}

float vz_ui_x(const vz_ui *ui, const vz_geom *g, double pos)
{
    double span = ui->x1 - ui->x0;
    double x = g->lanes.x + (pos - ui->x0) / (span > 0 ? span : 1) * g->lanes.w;
    if (!(x >= -1e6))   /* NaN too: times near DBL_MAX make the span infinite (fuzz_view) */
        x = -1e6;
    if (x > 1e6)
        x = 1e6;
    return (float)x;
}

double vz_ui_pos(const vz_ui *ui, const vz_geom *g, float x)
{
    return ui->x0 + (x - g->lanes.x) / g->lanes.w * (ui->x1 - ui->x0);
}

double vz_ui_playhead_pos(const vz_ui *ui, const vz_run *run)
{
    if (!ui->step_view)
        return ui->t;
    return run->cur == TM_NONE ? 0 : run->cur + 0.5;
}

void vz_ui_extent(const vz_ui *ui, const vz_doc *doc, double *lo, double *hi)
{
    if (ui->step_view) {
        *lo = 0;
        *hi = doc->max_events ? (double)doc->max_events : 1;
    } else {
        /* Times past 1e300 s (a damaged trace: fuzz_view) are drawn at the edge,
        ** so that the view's pads and spans stay finite. */
        *lo = doc->t_min < -1e300 ? -1e300 : doc->t_min;
        *hi = doc->t_max > 1e300 ? 1e300 : doc->t_max;
        if (*hi <= *lo)
            *hi = *lo + 1;
    }
}

void vz_ui_fit(vz_ui *ui, const vz_doc *doc)
{
    double lo, hi;
    vz_ui_extent(ui, doc, &lo, &hi);
    double pad = (hi - lo) * 0.03;
    ui->x0 = lo - pad;
    ui->x1 = hi + pad;
    ui->scroll = 0;
    ui->dirty = 1;
}

/*
** Keep the view on the trace: no wider than half as much again as the whole
** axis, no narrower than a minimum, and never further out than a small margin
** (5% of the view) beyond either end -- so panning stops at the trace's start
** instead of sliding into negative time. A view wider than the trace and its
** margins is centred on it.
*/
void vz_ui_clamp(vz_ui *ui, const vz_doc *doc)
{
    double lo, hi;
    vz_ui_extent(ui, doc, &lo, &hi);
    double full = (hi - lo) * 1.5, min = ui->step_view ? 4 : (hi - lo) * 1e-9;
    if (min < 1e-9)
        min = 1e-9;
    double span = ui->x1 - ui->x0;
    if (span > full)
        span = full;
    if (span < min)
        span = min;
    double c = (ui->x0 + ui->x1) / 2, margin = span * 0.05;
    if (span >= hi - lo + 2 * margin) {
        c = (lo + hi) / 2;
    } else {
        if (c - span / 2 < lo - margin)
            c = lo - margin + span / 2;
        if (c + span / 2 > hi + margin)
            c = hi + margin - span / 2;
    }
    ui->x0 = c - span / 2;
    ui->x1 = c + span / 2;
}

void vz_ui_zoom(vz_ui *ui, const vz_doc *doc, const vz_geom *g, double factor, float x)
{
    if (!(factor > 0))
        return;
    if (x < g->lanes.x || x > g->lanes.x + g->lanes.w)
        x = g->lanes.x + g->lanes.w / 2;
    double anchor = vz_ui_pos(ui, g, x);
    ui->x0 = anchor - (anchor - ui->x0) / factor;
    ui->x1 = anchor + (ui->x1 - anchor) / factor;
    vz_ui_clamp(ui, doc);
    ui->dirty = 1;
}

void vz_ui_pan(vz_ui *ui, const vz_doc *doc, const vz_geom *g, float dx)
{
    double d = dx / g->lanes.w * (ui->x1 - ui->x0);
    ui->x0 += d;
    ui->x1 += d;
    vz_ui_clamp(ui, doc);
    ui->dirty = 1;
}

float vz_ui_minimap_scale(const vz_ui *ui, const vz_doc *doc, const vz_geom *g)
{
    float h = vz_layout_content_height(doc, ui->scale);
    return h > g->minimap.h && h > 0 ? g->minimap.h / h : 1;
}

double vz_ui_speed(const vz_ui *ui)
{
    return ldexp(1.0, ui->speed);
}

double vz_ui_scroll_max(const vz_ui *ui, const vz_doc *doc, const vz_geom *g)
{
    double max = vz_layout_content_height(doc, ui->scale) - g->lanes.h + 20 * g->s;
    return max > 0 ? max : 0;
}

int vz_ui_scroll_thumb(const vz_ui *ui, const vz_doc *doc, const vz_geom *g, vz_rect *track, float *thumb_y,
                       float *thumb_h)
{
    double max = vz_ui_scroll_max(ui, doc, g);
    if (max <= 0)
        return 0;
    float s = g->s, total = (float)(max + g->lanes.h);
    *track = (vz_rect){g->lanes.x + g->lanes.w - 12 * s, g->lanes.y, 12 * s, g->lanes.h};
    float h = g->lanes.h * g->lanes.h / total;
    if (h < 24 * s)
        h = 24 * s;
    if (h > g->lanes.h)
        h = g->lanes.h;
    *thumb_h = h;
    *thumb_y = g->lanes.y + (float)(ui->scroll / max) * (g->lanes.h - h);
    return 1;
}
