/*
** drawlist.h -- the list of draw commands the layout produces and the
** renderer consumes, and the hit regions that go with it.
**
** The viewer never draws while it decides what to draw. Layout (layout.h)
** appends commands here -- filled rectangles, outlines, lines, triangles, text,
** clip regions -- in the order they are to be painted, and records a hit region
** for everything a pointer can hover or click. render.c replays the commands
** with SDL; tests read them directly, and `view --layout-dump` prints them so a
** screenshot test knows where to probe. Nothing here knows about SDL.
**
** Every command carries a tag (what it depicts: a span, a marker, a lane
** label...) so tests can find "the running span of Task-2" without knowing
** pixel positions in advance.
**
** Ownership: a vz_drawlist owns its arrays. vz_dl_reset empties it for the
** next frame and keeps the memory; vz_dl_free releases it. Allocation failure
** sets `oom` and drops the command: a frame may come out incomplete, never
** corrupt.
*/
#ifndef VZ_DRAWLIST_H
#define VZ_DRAWLIST_H

#include <stddef.h>
#include <stdint.h>

typedef struct vz_color {
    uint8_t r, g, b, a;      /* straight (not premultiplied) alpha; 255 is opaque */
} vz_color;

#define VZ_RGB(r, g, b) ((vz_color){(r), (g), (b), 255})
#define VZ_RGBA(r, g, b, a) ((vz_color){(r), (g), (b), (a)})

/* The faces text can be set in; the renderer opens each at its size * scale. */
typedef enum vz_font {
    VZ_FONT_BODY,    /* panels, labels */
    VZ_FONT_BOLD,    /* headings, task names */
    VZ_FONT_SMALL,   /* labels inside spans, axis ticks */
    VZ_FONT_MONO,    /* event list, values */
    VZ_FONT_TITLE,   /* run headers, help title */
    VZ_FONT__COUNT
} vz_font;

typedef enum vz_cmd_kind {
    VZ_CMD_RECT,     /* filled rectangle x, y, w, h */
    VZ_CMD_FRAME,    /* 1-pixel outline of x, y, w, h */
    VZ_CMD_LINE,     /* from (x, y) to (x2, y2), w pixels thick */
    VZ_CMD_TRI,      /* filled triangle (x, y), (x2, y2), (x3, y3) */
    VZ_CMD_TEXT,     /* string at top-left (x, y); cut to w pixels when w > 0 */
    VZ_CMD_CLIP,     /* clip later commands to x, y, w, h */
    VZ_CMD_UNCLIP    /* drop the clip */
} vz_cmd_kind;

/* What a command depicts (for tests, dumps and the screenshot probes). */
typedef enum vz_tag {
    VZ_TAG_NONE,
    VZ_TAG_SPAN,        /* a task state span: sub = tm_state, ref = span index */
    VZ_TAG_MERGED,      /* several spans narrower than a pixel: sub = the state shown */
    VZ_TAG_LOOPSEG,     /* the loop lane: sub = vz_seg_kind, ref = index in that kind's array */
    VZ_TAG_FRAME,       /* a coroutine frame: ref = frame index */
    VZ_TAG_MARKER,      /* an event marker: sub = vz_marker_kind, ref = event index */
    VZ_TAG_ARROW,       /* a causality arrow: sub = tm_link_kind, ref = link index */
    VZ_TAG_LANE_LABEL,  /* a lane's name: ref = task index (TM_NONE: the loop lane); sub 1: a worker
                           (ref = its number), 2: the executor's queue */
    VZ_TAG_JOB,         /* an executor job on a worker lane: ref = job index */
    VZ_TAG_GROUP,       /* a TaskGroup: sub = vz_group_part, ref = group index (run->groups) */
    VZ_TAG_DEADLINE,    /* a timeout's deadline tick and the line to it: sub = vz_deadline_end,
                           ref = deadline index (run->deadlines) */
    VZ_TAG_PLAYHEAD,
    VZ_TAG_AXIS,
    VZ_TAG_RUN_HEADER,  /* a trace's title row: ref = run index */
    VZ_TAG_WARNING,     /* a load problem banner */
    VZ_TAG_PANEL,       /* panel background and text: sub = vz_panel, ref = the row's event or finding */
    VZ_TAG_LEGEND,
    VZ_TAG_TOOLBAR,
    VZ_TAG_TOOLTIP,
    VZ_TAG_HELP,
    VZ_TAG_NO_MATCH,    /* "no task matches" where a filtered-out run's lanes would be */
    VZ_TAG_SCROLLBAR,   /* the lanes' vertical scrollbar: sub 0 track, 1 thumb */
    VZ_TAG_CODE,        /* the source panel and its marks: sub = vz_code_part, ref = a line, task or event */
    VZ_TAG_LESSON,      /* the lesson panel (lesson mode): sub = its part (layout_lesson.h) */
    VZ_TAG_JOB_QUEUE,   /* a job waiting for a free worker, on the queue lane: sub = its sub-row,
                           ref = job index */
    VZ_TAG_OVERVIEW,    /* the overview strip: sub = vz_ov_part; the counts' rectangles have ref = their bin */
    VZ_TAG_MINIMAP      /* the minimap of all lanes: sub = vz_mm_part; cells have ref = tm_state */
} vz_tag;

/* Which part of the overview strip a VZ_TAG_OVERVIEW command draws. */
typedef enum vz_ov_part {
    VZ_OV_CAPTION,      /* the strip's background and the words in the lane names' column */
    VZ_OV_SORT,         /* the sort button: ref = vz_sort */
    VZ_OV_BG,           /* the track's background and frame */
    VZ_OV_RUNNING,      /* tasks running (bottom of the stack) */
    VZ_OV_READY,        /* tasks ready (on top of it) */
    VZ_OV_WAITING,      /* tasks waiting (on top) */
    VZ_OV_PLAYHEAD,     /* the playhead */
    VZ_OV_WINDOW        /* the visible window: shade outside, frame around */
} vz_ov_part;

/* Which part of the minimap a VZ_TAG_MINIMAP command draws. */
typedef enum vz_mm_part {
    VZ_MM_CAPTION,      /* "all lanes" above it */
    VZ_MM_BG,           /* its background */
    VZ_MM_RUN,          /* the line where a trace's block begins: ref = run */
    VZ_MM_CELL,         /* a run of cells in one state: ref = tm_state */
    VZ_MM_WINDOW        /* the visible window */
} vz_mm_part;

/* Which part of a TaskGroup a VZ_TAG_GROUP command draws. */
typedef enum vz_group_part {
    VZ_GROUP_BAND,       /* the band behind its lanes over its lifetime (new .. exit) */
    VZ_GROUP_ABORTING,   /* the same band from its abort on, in the warning colour */
    VZ_GROUP_BRACKET,    /* the bracket in the lane names' gutter, with a tick per member */
    VZ_GROUP_LABEL       /* the "TaskGroup" label on its owner's row */
} vz_group_part;

/* Which part of the source panel a VZ_TAG_CODE command draws. */
typedef enum vz_code_part {
    VZ_CODE_TEXT,        /* a line's number and code: ref = line */
    VZ_CODE_RUNNING,     /* the running task's line lit: ref = line */
    VZ_CODE_TASK,        /* a suspended task's dot: ref = task */
    VZ_CODE_SELECTED,    /* the clicked line's outline: ref = line */
    VZ_CODE_STEP         /* on the timeline: a step that suspended at the clicked line: ref = its step_end */
} vz_code_part;

/* Which panel a VZ_TAG_PANEL command belongs to. */
typedef enum vz_panel {
    VZ_PANEL_FRAME,      /* a panel's frame and title */
    VZ_PANEL_LOOP,       /* the loop at the playhead */
    VZ_PANEL_INSPECTOR,
    VZ_PANEL_FINDINGS,
    VZ_PANEL_EVENTS,     /* the event list: ref = the row's event */
    VZ_PANEL_OUTPUT,
    VZ_PANEL_AWAITS,     /* the await graph in the loop panel: ref = the row's task (TM_NONE: a future) */
    VZ_PANEL_LOCALS      /* the selected task's place in the program and its locals: ref = the task */
} vz_panel;

typedef struct vz_cmd {
    uint8_t kind;        /* vz_cmd_kind */
    uint8_t font;        /* TEXT: vz_font */
    uint8_t tag;         /* vz_tag */
    uint8_t sub;         /* tag detail (a state, a kind) */
    uint8_t run;         /* which trace it belongs to (0 when not about one) */
    uint8_t ghost;       /* 1: it lies after the playhead (drawn dimmed) */
    vz_color color;      /* fill, line or text colour */
    float x, y, w, h;    /* box (RECT, FRAME, CLIP), start point and thickness (LINE),
                            first point (TRI), position and max width (TEXT) */
    float x2, y2;        /* LINE: end point; TRI: second point */
    float x3, y3;        /* TRI: third point */
    uint32_t text;       /* TEXT: offset of the string in the list's text buffer */
    uint32_t ref;        /* tag detail: a span, event, task or link index */
} vz_cmd;

/* What a pointer can hover or click. */
typedef enum vz_hit_kind {
    VZ_HIT_NONE,
    VZ_HIT_TIMELINE,    /* empty timeline area: drag pans, wheel zooms */
    VZ_HIT_AXIS,        /* the time axis: drag scrubs the playhead */
    VZ_HIT_SPAN,        /* a = task, b = span */
    VZ_HIT_LOOPSEG,     /* a = index, b = vz_seg_kind (see view_model.h) */
    VZ_HIT_FRAME,       /* a = task, b = frame */
    VZ_HIT_MARKER,      /* a = event index */
    VZ_HIT_JOB,         /* an executor job: a = job index */
    VZ_HIT_GROUP,       /* a TaskGroup's band or bracket: a = group index */
    VZ_HIT_DEADLINE,    /* a timeout's deadline tick: a = deadline index */
    VZ_HIT_LANE,        /* a lane's label: a = task (TM_NONE: the loop lane) */
    VZ_HIT_RUN,         /* a trace's header: makes it the focused trace */
    VZ_HIT_EVENT_ROW,   /* an event list row: a = event index */
    VZ_HIT_FINDING,     /* a = finding index */
    VZ_HIT_BUTTON,      /* a toolbar button: a = vz_action_kind, b = its argument */
    VZ_HIT_PANEL,       /* a panel's background: swallows clicks */
    VZ_HIT_TERM,        /* a word the glossary explains (legend, panel headings): a = vz_term */
    VZ_HIT_DENSE,       /* an instant holding many decisions, on the axis: a = index in run->dense */
    VZ_HIT_SCROLLBAR,   /* the lanes' scrollbar: drag or click to scroll */
    VZ_HIT_CODE_LINE,   /* a line of the source panel: a = line, b = source index */
    VZ_HIT_LESSON,      /* a lesson question's option: a = its index (lesson mode) */
    VZ_HIT_JOB_QUEUE,   /* a job waiting for a free worker: a = job index */
    VZ_HIT_LANE_QUEUE,  /* the queue lane's name */
    VZ_HIT_OVERVIEW,    /* the concurrency track: click or drag to move the view */
    VZ_HIT_MINIMAP,     /* the minimap: click or drag to move the view and scroll the lanes */
    VZ_HIT_FOLD         /* the fold mark before a parent's name: a = task */
} vz_hit_kind;

typedef struct vz_hit {
    float x, y, w, h;    /* the region, in window pixels */
    uint8_t kind;        /* vz_hit_kind */
    uint8_t run;         /* the trace it is about */
    uint32_t a, b;       /* what it is, per kind */
} vz_hit;

typedef struct vz_drawlist {
    vz_cmd *cmds;   size_t n_cmds, cap_cmds;    /* in painting order */
    char *text;     size_t text_len, text_cap;  /* NUL-terminated strings, back to back */
    vz_hit *hits;   size_t n_hits, cap_hits;    /* later hits lie on top of earlier ones */
    uint8_t tag, sub, run;  /* private: the tag stamped on new commands */
    uint8_t ghost;          /* private: ditto */
    uint32_t ref;           /* private: ditto */
    int oom;                /* 1 when a command or hit was dropped for lack of memory */
    int toolbar_rows;       /* what the layout found the toolbar needs (for vz_ui.toolbar_rows) */
} vz_drawlist;

void vz_dl_init(vz_drawlist *dl);
void vz_dl_reset(vz_drawlist *dl);            /* empty it, keep the memory */
void vz_dl_free(vz_drawlist *dl);             /* release everything; NULL ok */

/* Stamp commands appended from now on with this tag (VZ_TAG_NONE to stop). */
void vz_dl_tag(vz_drawlist *dl, vz_tag tag, unsigned sub, unsigned run, uint32_t ref);

/* Mark commands appended from now on, until the next vz_dl_tag, as lying
** after the playhead. */
void vz_dl_ghost(vz_drawlist *dl);

void vz_dl_rect(vz_drawlist *dl, float x, float y, float w, float h, vz_color c);
void vz_dl_frame(vz_drawlist *dl, float x, float y, float w, float h, vz_color c);
void vz_dl_line(vz_drawlist *dl, float x, float y, float x2, float y2, float width, vz_color c);
void vz_dl_tri(vz_drawlist *dl, float x, float y, float x2, float y2, float x3, float y3, vz_color c);
void vz_dl_clip(vz_drawlist *dl, float x, float y, float w, float h);
void vz_dl_unclip(vz_drawlist *dl);

/*
** The most bytes of one string the viewer keeps, measures or draws: more than
** any window can show (at least 2048 characters), so a 10 MB task name or
** print text costs what a short one does, not 57 bytes per byte.
*/
#define VZ_TEXT_MAX 8192

/* Text at top-left (x, y), cut to max_w pixels when max_w > 0 (the renderer
** ends a cut string with an ellipsis). Empty strings add nothing; only the
** first VZ_TEXT_MAX bytes of s are kept (cut between characters). The text
** is kept as it is: the renderer shows control characters and bytes that are
** not UTF-8 escaped (tm_safe.h), and measures what it shows. */
void vz_dl_text(vz_drawlist *dl, vz_font font, float x, float y, float max_w, vz_color c, const char *s);

/* Add a hit region; later regions win where they overlap earlier ones. */
void vz_dl_hit(vz_drawlist *dl, float x, float y, float w, float h, vz_hit_kind kind, unsigned run,
               uint32_t a, uint32_t b);

/* The topmost hit containing (x, y), or NULL. */
const vz_hit *vz_dl_hit_at(const vz_drawlist *dl, float x, float y);

/* The string of a TEXT command. */
const char *vz_dl_str(const vz_drawlist *dl, const vz_cmd *c);

#endif
