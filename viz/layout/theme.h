/*
** theme.h -- the viewer's colours and sizes, in one place.
**
** A light theme: projectors wash out dark backgrounds, and a light page reads
** well on a laptop too. The six task states get six colours, and six dimmed
** ones for what lies after the playhead, that stay apart for the common
** colour-vision deficiencies (theme.c says how far; a test checks it); and
** finished states are drawn as thin bars with a symbol and text, so no state
** is told by colour alone. The same
** colours name the same states in the terminal view (`coroscope show`).
**
** Sizes are in pixels at scale 1; layout multiplies them by the UI scale
** (`--scale`, HiDPI), so a projector gets bigger text and lanes, not a blurred
** picture.
*/
#ifndef VZ_THEME_H
#define VZ_THEME_H

#include "drawlist.h"
#include "trace_model.h"
#include "view_model.h"

/* Page and panels. */
#define VZ_C_BG          VZ_RGB(0xF6, 0xF6, 0xF2)   /* window background */
#define VZ_C_PANEL       VZ_RGB(0xFF, 0xFF, 0xFF)   /* panel background */
#define VZ_C_PANEL_HEAD  VZ_RGB(0xEC, 0xEC, 0xE4)   /* panel title bar */
#define VZ_C_BORDER      VZ_RGB(0xD0, 0xD0, 0xC6)   /* panel and button borders */
#define VZ_C_TEXT        VZ_RGB(0x1F, 0x23, 0x28)   /* body text */
#define VZ_C_TEXT_DIM    VZ_RGB(0x65, 0x6D, 0x76)   /* secondary text */
#define VZ_C_TEXT_FAINT  VZ_RGB(0xA8, 0xAE, 0xB4)   /* text after the playhead */
#define VZ_C_STRIPE      VZ_RGB(0xEE, 0xEE, 0xE7)   /* every other lane */
#define VZ_C_GRID        VZ_RGB(0xDD, 0xDD, 0xD3)   /* tick lines across the lanes */
#define VZ_C_ENDED       VZ_RGB(0xEA, 0xEA, 0xE3)   /* after a trace ended, in a comparison */
#define VZ_C_HEADER      VZ_RGB(0xE3, 0xE8, 0xEF)   /* a trace's title row */
#define VZ_C_BUTTON      VZ_RGB(0xFA, 0xFA, 0xF7)
#define VZ_C_BUTTON_ON   VZ_RGB(0xD6, 0xE6, 0xFA)   /* a toggle that is on */
#define VZ_C_SELECT      VZ_RGB(0xFF, 0xF1, 0xB8)   /* the selected lane's background */
#define VZ_C_SELECT_LINE VZ_RGB(0xB0, 0x88, 0x00)   /* the selected item's outline */
#define VZ_C_PLAYHEAD    VZ_RGB(0xD4, 0x38, 0x0D)   /* the playhead line and handle */
#define VZ_C_WARN_BG     VZ_RGB(0xFF, 0xE5, 0xB4)   /* load-problem banner */
#define VZ_C_WARN_TEXT   VZ_RGB(0x7A, 0x3E, 0x00)
#define VZ_C_TOOLTIP     VZ_RGB(0x2B, 0x30, 0x36)   /* tooltip background */
#define VZ_C_TOOLTIP_TXT VZ_RGB(0xFF, 0xFF, 0xFF)
#define VZ_C_SHADE       VZ_RGBA(0x1F, 0x23, 0x28, 150)  /* behind the help overlay */

/* Executor threads. */
#define VZ_C_JOB         VZ_RGB(0xA8, 0x5C, 0x1F)   /* a job running on a worker thread */
#define VZ_C_WORKER_BG   VZ_RGB(0xF3, 0xEC, 0xE2)   /* a worker lane */
#define VZ_C_JOB_QUEUED  VZ_RGB(0xF5, 0xDA, 0xBE)   /* a job waiting for a free worker (outlined in VZ_C_JOB) */
#define VZ_C_ON_QUEUED   VZ_RGB(0x6B, 0x37, 0x0C)   /* text on it */

/* The rest of asyncio: I/O waits, task groups, timeouts. */
#define VZ_C_IO_WAIT     VZ_RGB(0x93, 0xD9, 0xCE)   /* a task waiting on a socket (a waiting span) */
#define VZ_C_IO_EDGE     VZ_RGB(0x2E, 0x9C, 0x8C)   /* the stripe along an I/O wait's foot */
#define VZ_C_ON_IO       VZ_RGB(0x07, 0x4A, 0x42)   /* text on an I/O wait */
#define VZ_C_GROUP       VZ_RGB(0x3B, 0x5B, 0x8C)   /* a TaskGroup's bracket and outline */
#define VZ_C_GROUP_BAND  VZ_RGBA(0x3B, 0x5B, 0x8C, 24)  /* behind a TaskGroup's lanes while it is open */
#define VZ_C_ABORT       VZ_RGB(0xC8, 0x5A, 0x00)   /* a TaskGroup from its abort on (warning colour) */
#define VZ_C_ABORT_BAND  VZ_RGBA(0xE0, 0x6A, 0x00, 40)  /* behind its lanes while it aborts */
#define VZ_C_DEADLINE    VZ_RGB(0x9C, 0x5E, 0x00)   /* a timeout: armed, and its deadline tick */

/* The loop lane. */
#define VZ_C_CALLBACK    VZ_RGB(0x1B, 0x9A, 0xAA)   /* a plain callback ran */
#define VZ_C_IDLE        VZ_RGB(0xE1, 0xE1, 0xD8)   /* nothing ready: waiting for a timer */
#define VZ_C_IDLE_TEXT   VZ_RGB(0x6A, 0x6A, 0x60)

/* Text drawn on a state's colour. */
#define VZ_C_ON_WAITING  VZ_RGB(0x0B, 0x3D, 0x70)
#define VZ_C_ON_DONE     VZ_RGB(0x2A, 0x5A, 0x30)
#define VZ_C_ON_FAILED   VZ_RGB(0xA4, 0x0E, 0x26)
#define VZ_C_ON_CANCEL   VZ_RGB(0x5A, 0x2D, 0xA8)

/* Sizes at scale 1, in pixels. */
#define VZ_M_TOOLBAR_H   44    /* the button row */
#define VZ_M_TOOLBAR_W   1320  /* narrower windows (at scale 1) get the toolbar in two rows */
#define VZ_M_STATUS_H    30    /* the legend row at the bottom */
#define VZ_M_LEGEND_W    1500  /* narrower windows get a two-row legend */
#define VZ_M_SIDEBAR_W   400   /* loop panel, inspector, findings */
#define VZ_M_PANELS_MIN_W 760  /* smaller windows (at scale 1) fold the panels away */
#define VZ_M_PANELS_MIN_H 500
#define VZ_M_BOTTOM_H    184   /* event list and output */
#define VZ_M_AXIS_H      34    /* the time axis (scrub here) */
#define VZ_M_LABELS_W    220   /* lane names */
#define VZ_M_RUN_H       32    /* a trace's title row */
#define VZ_M_LANE_H      30    /* a task or loop lane */
#define VZ_M_BAR_H       20    /* the state bar inside a lane */
#define VZ_M_SUB_H       17    /* one level of coroutine frames */
#define VZ_M_RUN_GAP     10    /* space between traces */
#define VZ_M_INDENT      14    /* lane name indent per tree level */
#define VZ_M_MIN_SPAN    2     /* minimum width of a zero-time running span */
#define VZ_M_PAD         8     /* panel padding */
#define VZ_M_OVERVIEW_H  62    /* the overview strip above the axis */
#define VZ_M_MINIMAP_W   96    /* the minimap right of the lanes */

/* Font sizes at scale 1, in pixels, per vz_font. */
extern const float vz_font_px[VZ_FONT__COUNT];

#define VZ_M_GUTTER_COL  7     /* one TaskGroup bracket column in the lane names' gutter */

vz_color vz_state_color(tm_state state);        /* fill of a state span */
vz_color vz_state_ghost(tm_state state);        /* its fill after the playhead (dimmed) */
vz_color vz_state_text_color(tm_state state);   /* text drawn on it */
vz_color vz_marker_color(vz_marker_kind kind);
vz_color vz_link_color(tm_link_kind kind);
vz_color vz_seg_color(vz_seg_kind kind);

/* A task's own colour (its dots in the source panel): one of eight, by task index. */
vz_color vz_task_color(uint32_t task);

/* c mixed toward the background: amount 0 keeps c, 1 gives the background. */
vz_color vz_fade(vz_color c, float amount);

#endif
