/*
** layout.h -- a pure function from (traces, UI state) to a frame's draw
** commands and hit regions.
**
** vz_layout reads the view model (after vz_doc_sync for the UI's playhead)
** and the UI state and appends to a draw list everything one frame shows:
**
**   toolbar   playback buttons, speed, axis mode, arrow toggles, filter, the
**             playhead's time;
**   timeline  per trace a title row (makespan, peak concurrency, idle time,
**             speed-up against the first trace, load warnings), the loop lane,
**             and one lane per task in tree order with its state spans, its
**             coroutine frames in sub-rows, its event markers and its
**             timeouts' deadlines; TaskGroup bands behind their lanes and
**             brackets in the lane names' gutter; causality arrows; the time
**             axis; the playhead; what lies after the playhead dimmed or
**             hidden;
**   panels    the loop at the playhead (running task, ready queue, timers,
**             waiting tasks), the inspector, the findings, the event list
**             around the playhead, the printed output;
**   overlays  the legend row, a tooltip for what the pointer is over, the
**             keyboard help.
**
** Level of detail: per lane, spans, frames and markers narrower than a pixel
** are merged into one primitive per pixel column (a merged column shows the
** most telling state in it: running over ready over waiting), and only lanes
** inside the viewport are visited, so a frame costs O(visible lanes x width)
** primitives at most, whatever the trace's size.
**
** The layout measures text through the caller's vz_text_metrics (the
** renderer's fonts, or a fixed-width stand-in in tests); it calls nothing else
** outside itself and keeps no state between calls.
*/
#ifndef VZ_LAYOUT_H
#define VZ_LAYOUT_H

#include "drawlist.h"
#include "ui.h"
#include "view_model.h"

typedef struct vz_text_metrics {
    float (*width)(void *ud, vz_font font, const char *s);  /* pixels wide, at the current scale */
    void *ud;                                               /* passed to width */
    float line_h[VZ_FONT__COUNT];                           /* line height per font, pixels */
} vz_text_metrics;

/* Lay out one frame into dl (which is reset first). dl->toolbar_rows says how
** many rows the toolbar took: keep it in ui->toolbar_rows, so input's geometry
** is the frame's. */
void vz_layout(const vz_doc *doc, const vz_ui *ui, const vz_text_metrics *tm, vz_drawlist *dl);

/* Heights in pixels at scale s: one run's block, and all runs stacked. */
float vz_layout_run_height(const vz_run *run, float s);
float vz_layout_content_height(const vz_doc *doc, float s);

/* The top of a task's lane (TM_NONE: the loop lane) relative to the top of the
** stacked runs, or a negative number when the task is filtered out. */
float vz_layout_lane_y(const vz_doc *doc, size_t run, uint32_t task, float s);

#endif
