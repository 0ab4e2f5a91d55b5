/*
** ui.h -- the viewer's UI state: what the user is looking at and where the
** playhead is, with the pure geometry both layout and input agree on.
**
** The state is plain data. Input (input.h) changes it in response to actions;
** layout (layout.h) reads it. The x axis shows either loop time in seconds or
** (step view) event indexes, so zero-time decisions under the virtual clock
** spread out; [x0, x1] is the visible range in those units. The playhead is
** (t, k) as view_model.h explains.
**
** Geometry: vz_ui_geom divides the window into the toolbar, the timeline
** (axis, lane labels, lanes), the side panels and the bottom panels, scaled by
** the UI scale. Nothing here knows about SDL.
*/
#ifndef VZ_UI_H
#define VZ_UI_H

#include <stdint.h>

#include "view_model.h"

typedef struct vz_rect {
    float x, y, w, h;
} vz_rect;

/* Where everything goes in the window, in pixels. */
typedef struct vz_geom {
    float s;            /* UI scale */
    vz_rect toolbar;    /* buttons and the playhead readout */
    vz_rect overview;   /* the overview strip above the axis (h = 0 when off) */
    vz_rect track;      /* in it, the concurrency track, under the lanes' x range */
    vz_rect minimap;    /* the minimap along the lanes' right (w = 0 when off) */
    int toolbar_rows;   /* 1, or 2 in a narrow window */
    vz_rect status;     /* the legend row */
    vz_rect timeline;   /* axis + labels + lanes */
    vz_rect axis;       /* the time axis above the lanes (scrub area) */
    vz_rect labels;     /* lane names */
    vz_rect lanes;      /* the lanes themselves */
    vz_rect side;       /* loop panel, inspector, findings (w = 0 when hidden) */
    vz_rect bottom;     /* event list and output (h = 0 when hidden) */
    vz_rect events;     /* the event list */
    vz_rect output;     /* printed output */
} vz_geom;

/*
** What the user can ask for. Input turns SDL events into these; toolbar
** buttons carry one (the layout records it in their hit region); tests apply
** them directly.
*/
typedef enum vz_action_kind {
    VZ_ACT_NONE,
    VZ_ACT_QUIT,
    VZ_ACT_PLAY,            /* play / pause (from the start when at the end) */
    VZ_ACT_NEXT,            /* next scheduler decision */
    VZ_ACT_PREV,            /* previous scheduler decision */
    VZ_ACT_NEXT_INSTANT,    /* the next loop time at which something happens */
    VZ_ACT_PREV_INSTANT,
    VZ_ACT_START,           /* before the first event */
    VZ_ACT_END,             /* after the last event */
    VZ_ACT_FASTER,          /* playback speed x2 */
    VZ_ACT_SLOWER,          /* playback speed /2 */
    VZ_ACT_ZOOM,            /* f = factor (>1 in), x = anchor */
    VZ_ACT_PAN,             /* x = pixels (positive: later) */
    VZ_ACT_SCROLL,          /* y = pixels (positive: down) */
    VZ_ACT_FIT,             /* show everything */
    VZ_ACT_STEP_VIEW,       /* x axis: time <-> event index */
    VZ_ACT_ARROWS,          /* arg = tm_link_kind: toggle that arrow kind */
    VZ_ACT_FUTURE,          /* after the playhead: dimmed <-> hidden */
    VZ_ACT_HELP,            /* the keyboard help overlay */
    VZ_ACT_PANELS,          /* side and bottom panels */
    VZ_ACT_FOCUS,           /* arg = run to follow, -1 for the next one */
    VZ_ACT_STEP_MODE,       /* stepping: the focused trace alone <-> all traces on one clock */
    VZ_ACT_SEARCH,          /* start typing a task filter */
    VZ_ACT_TEXT,            /* text = typed characters */
    VZ_ACT_BACKSPACE,
    VZ_ACT_ENTER,
    VZ_ACT_ESCAPE,
    VZ_ACT_SCALE,           /* f = factor for the UI scale */
    VZ_ACT_POINTER_MOVE,    /* x, y */
    VZ_ACT_POINTER_DOWN,    /* x, y, arg = button (1 left) */
    VZ_ACT_POINTER_UP,      /* x, y */
    VZ_ACT_POINTER_LEAVE,
    VZ_ACT_WHEEL,           /* x, y = pointer; f = clicks (positive: away from the user);
                               arg = 1 with shift, arg2 = horizontal clicks */
    VZ_ACT_RESIZE,          /* arg, arg2 = new window size */
    VZ_ACT_TICK,            /* f = seconds since the last frame (playback) */
    VZ_ACT_JUMP,            /* arg = run, arg2 = event: put the playhead just past it */
    VZ_ACT_SELECT_TASK,     /* arg = run, arg2 = task */
    VZ_ACT_FINDING,         /* arg = run, arg2 = finding: open it, select and jump */
    VZ_ACT_OVERVIEW,        /* the overview (concurrency track, minimap) on / off */
    VZ_ACT_SORT,            /* arg = vz_sort, or -1 for the next one */
    VZ_ACT_FOLD             /* arg = run, arg2 = task (-1: the selected task, or every parent when
                               none is): fold its descendants into its lane, or unfold them */
} vz_action_kind;

typedef struct vz_action {
    uint8_t kind;           /* vz_action_kind */
    int arg, arg2;          /* per kind */
    float x, y;             /* pointer position, pixels */
    double f;               /* a factor, a count or seconds, per kind */
    char text[32];          /* VZ_ACT_TEXT: UTF-8 */
} vz_action;

typedef enum vz_sel_kind { VZ_SEL_NONE, VZ_SEL_TASK, VZ_SEL_EVENT } vz_sel_kind;
typedef enum vz_drag { VZ_DRAG_NONE, VZ_DRAG_PAN, VZ_DRAG_SCRUB, VZ_DRAG_SCROLL, VZ_DRAG_OVERVIEW, VZ_DRAG_MINIMAP } vz_drag;

#define VZ_ARROW_KINDS 3   /* spawn, wake, cancel (tm_link_kind 0..2) */

typedef struct vz_ui {
    int w, h;                   /* window size in pixels */
    float scale;                /* UI scale: --scale times the HiDPI factor */

    int step_view;              /* x axis: 0 loop time, 1 event index */
    int step_auto;              /* the step view was chosen at the start, for this run + 1 (0: not):
                                   one instant holds most of its decisions (the axis says so) */
    double x0, x1;              /* the visible range of the x axis */
    double scroll;              /* lanes scrolled up, pixels */

    double t;                   /* playhead: loop time */
    uint32_t k;                 /* playhead: decisions shown at t (VZ_K_ALL: all) */
    int playing;                /* playback running */
    int speed;                  /* playback speed index: speed = 2^(speed) */
    double play_acc;            /* fraction of a decision owed to playback */

    uint8_t arrows[VZ_ARROW_KINDS]; /* arrow kinds shown */
    int hide_future;            /* after the playhead: 1 hidden, 0 dimmed */
    int show_help;              /* the keyboard help overlay */
    int show_panels;            /* side and bottom panels */
    int overview;               /* the overview strip and the minimap (on by itself for more than
                                   VZ_OV_AUTO task lanes) */
    int bare;                   /* a picture of the timeline alone (export): no toolbar, panels,
                                   playhead or tooltip */
    int toolbar_rows;           /* rows the last frame's toolbar took (vz_drawlist.toolbar_rows;
                                   0: not laid out yet, estimated from the width) */
    int legend_rows;            /* legend rows wanted whatever the width: 2 when the traces have task
                                   groups, timeouts or I/O waits to explain, else 1 */
    int focus;                  /* the run the panels follow and (step_all 0) the one stepped */
    int step_all;               /* with several traces: 0 -> and <- step the focused trace one
                                   decision at a time (the others follow its clock); 1 they go to
                                   the next decision of any trace, and the focus follows the trace
                                   that moved */

    uint8_t sel_kind;           /* vz_sel_kind */
    uint8_t sel_run;            /* run of the selection */
    uint32_t sel;               /* task or event index */

    int open_run, open_finding; /* the finding whose explanation is shown (-1: none) */

    int code_run;               /* the source panel shows line code_line of source code_source */
    uint32_t code_line;         /*   of this run (a clicked span or event); 0: it follows the playhead */
    uint32_t code_source;
    int code_sel_run;           /* the clicked line of the source panel: its steps are ringed on the */
    uint32_t code_sel_line;     /*   timeline (code_sel_line 0: none) */
    uint32_t code_sel_source;

    int searching;              /* typing into the filter */
    char filter[VZ_FILTER_MAX]; /* task name filter as typed */

    float mx, my;               /* pointer position */
    int mouse_in;               /* pointer is inside the window */
    uint8_t drag;               /* vz_drag */
    int drag_moved;             /* the pointer moved since the button went down */
    float drag_px, drag_py;     /* where the drag started */
    double drag_x0, drag_x1, drag_scroll;  /* view when the drag started */

    int quit;                   /* the user asked to leave */
    int dirty;                  /* something changed since the last frame */
} vz_ui;

/* A fresh state for a doc: fitted, playhead at the end, panels shown. */
void vz_ui_init(vz_ui *ui, const vz_doc *doc, int w, int h, float scale);

void vz_ui_geom(const vz_ui *ui, vz_geom *g);

/* Axis units <-> window x within g->lanes. */
float vz_ui_x(const vz_ui *ui, const vz_geom *g, double pos);
double vz_ui_pos(const vz_ui *ui, const vz_geom *g, float x);

/* The playhead's position on the axis for a run (time, or its cursor in step view). */
double vz_ui_playhead_pos(const vz_ui *ui, const vz_run *run);

/* The whole extent of the x axis for a doc (no margins). */
void vz_ui_extent(const vz_ui *ui, const vz_doc *doc, double *lo, double *hi);

/* Pixels of minimap per pixel of stacked lanes (1 when they fit). */
float vz_ui_minimap_scale(const vz_ui *ui, const vz_doc *doc, const vz_geom *g);

/* Show the whole doc (and scroll to the top). */
void vz_ui_fit(vz_ui *ui, const vz_doc *doc);

/* Keep the visible range on the trace (a 5% margin past either end at most)
** and between a minimum and 1.5 times the whole axis. */
void vz_ui_clamp(vz_ui *ui, const vz_doc *doc);

/* Zoom by `factor` (>1 zooms in) keeping the axis position under x fixed. */
void vz_ui_zoom(vz_ui *ui, const vz_doc *doc, const vz_geom *g, double factor, float x);

/* Pan by dx pixels (positive moves the view right, to later times). */
void vz_ui_pan(vz_ui *ui, const vz_doc *doc, const vz_geom *g, float dx);

/*
** The lanes' scrollbar, when the stacked traces are taller than the lanes'
** area: its track (along the lanes' right edge) and its thumb's top and
** height. Returns 0 when everything fits (no scrollbar).
*/
int vz_ui_scroll_thumb(const vz_ui *ui, const vz_doc *doc, const vz_geom *g, vz_rect *track, float *thumb_y,
                       float *thumb_h);

/* The largest scroll for a doc: content height less the lanes' area, or 0. */
double vz_ui_scroll_max(const vz_ui *ui, const vz_doc *doc, const vz_geom *g);

/* Playback speed as a multiplier. */
double vz_ui_speed(const vz_ui *ui);

#endif
