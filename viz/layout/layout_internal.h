/*
** layout_internal.h -- what the layout's files share: layout.c (the
** timeline's frame), layout_lanes.c (inside a lane), layout_executor.c (the
** executor's worker and queue lanes), layout_constructs.c
** (TaskGroup brackets, timeout deadlines), layout_overview.c (the overview
** strip and the minimap), layout_panels.c (the side and
** bottom panels) and layout_chrome.c (toolbar, legend, tooltip, help) -- one
** frame's context and small helpers.
*/
#ifndef VZ_LAYOUT_INTERNAL_H
#define VZ_LAYOUT_INTERNAL_H

#include "layout.h"
#include "playhead.h"
#include "theme.h"

typedef struct vz__lctx {
    const vz_doc *doc;          /* the traces */
    const vz_ui *ui;            /* the UI state */
    const vz_text_metrics *tm;  /* text measuring */
    vz_drawlist *dl;            /* where commands go */
    vz_geom g;                  /* the window's regions */
    float s;                    /* UI scale */
    float row_y;                /* the toolbar row being laid out (its top) */
} vz__lctx;

/* One run's lanes being drawn (layout.c fills it, layout_lanes.c reads it). */
typedef struct vz__lanes {
    vz__lctx *c;         /* the frame */
    const vz_run *run;   /* the trace */
    const tm_trace *tr;  /* its model */
    size_t r;            /* run index */
    float top;           /* window y of the run's block */
    uint32_t cur;        /* the run's cursor */
    float px;            /* playhead x */
    int step;            /* step view */
    double v0, v1;       /* visible axis range, a little widened */
    float right;         /* right edge of the lanes area */
    int hide;            /* hide (not dim) the future */
    float stack_top;     /* window y of the top of all runs (for other lanes' y) */
    float bar_w;         /* width of the scrollbar over the lanes' right edge (0: none) */
} vz__lanes;

/* What lies after the playhead fades this far toward the background. */
#define VZ__FUTURE_FADE 0.72f

/* An event's position on the x axis (its time, or its index in step view),
** its window x, and whether it lies after the playhead. */
static inline double vz__ev_pos(const vz__lanes *L, uint32_t ev)
{
    return L->step ? (double)ev : L->tr->events[ev].t;
}

static inline float vz__ev_x(const vz__lanes *L, double p)
{
    return vz_ui_x(L->c->ui, &L->c->g, p);
}

static inline int vz__after_playhead(const vz__lanes *L, uint32_t ev)
{
    return L->cur == TM_NONE || ev > L->cur;
}

/* The top of the state bar inside a lane whose top is lane_y. */
static inline float vz__bar_top(const vz__lanes *L, float lane_y)
{
    return lane_y + (VZ_M_LANE_H - VZ_M_BAR_H) * L->c->s / 2;
}

/* Lane contents (layout_lanes.c). `y` is the lane's top; `slot` a task index,
** or the task count for the loop lane. */
void vz__draw_spans(vz__lanes *L, uint32_t task, float y);
void vz__draw_frames(vz__lanes *L, uint32_t task, float y);
void vz__draw_markers(vz__lanes *L, uint32_t slot, float y);
void vz__draw_loop_lane(vz__lanes *L, float y);
void vz__draw_arrows(vz__lanes *L, uint32_t slot, float lane_top);

/* An arrow from (x0, y0) with its head at (x1, y1). */
void vz__arrow(vz__lctx *c, float x0, float y0, float x1, float y1, vz_color col);

/* The executor (layout_executor.c): a worker's lane, and the queue lane of the
** jobs that waited for a free worker (jobs.h), whose top and height are these. */
void vz__draw_worker(vz__lanes *L, uint32_t worker, float y);
void vz__draw_job_queue(vz__lanes *L, float y);
float vz__queue_y(const vz_run *run, float s);
float vz__queue_h(const vz_run *run, float s);

/* TaskGroups and timeouts (layout_constructs.c): the bands behind a run's
** group lanes, the brackets and labels in the lane names' gutter of the run
** whose block starts at window y `top`, and a task lane's deadlines. */
void vz__draw_group_bands(vz__lanes *L);
void vz__draw_group_gutter(vz__lctx *c, size_t r, float top);
void vz__draw_deadlines(vz__lanes *L, uint32_t task, float y);

/* Where rows are (layout.c): a row's top relative to its run's block, and a
** task lane's height (TM_NONE: the loop lane). */
float vz__row_y(const vz_run *run, size_t row, float s);
float vz__lane_h(const vz_run *run, uint32_t task, float s);

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

/* The run the panels follow (ui->focus, kept in range). */
const vz_run *vz__focus_run(const vz__lctx *c);

/* Small shapes used by markers and the legend. */
void vz__marker(vz__lctx *c, vz_marker_kind kind, float x, float y, float size, vz_color col);

/* The source panel (layout_code.c): whether the focused trace has one, the
** panel itself, and the rings on the steps that suspended at its clicked line. */
int vz__code_shown(const vz__lctx *c);
void vz__layout_code(vz__lctx *c, vz_rect r);
void vz__draw_code_steps(vz__lanes *L);

/* The overview strip and the minimap (layout_overview.c). */
void vz__layout_overview(vz__lctx *c);
void vz__layout_minimap(vz__lctx *c);

/* The panels (layout_panels.c), toolbar, legend and overlays (layout_chrome.c). */
int vz__layout_toolbar(vz__lctx *c);   /* returns the rows it used */
void vz__layout_legend(vz__lctx *c);
void vz__layout_side(vz__lctx *c);
void vz__layout_bottom(vz__lctx *c);
void vz__layout_tooltip(vz__lctx *c);
void vz__layout_help(vz__lctx *c);

#endif
