/*
** app.c -- the window loop, the offscreen screenshot and the benchmark (see
** app.h). SDL is used here for windows, events and surfaces; every drawing
** call is in render.c.
*/
#include <SDL.h>
#include <SDL_image.h>
#include <SDL_ttf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "alloc.h"
#include "app.h"
#include "cli/cli.h"
#include "drawlist.h"
#include "font.h"
#include "input.h"
#include "layout.h"
#include "playhead.h"
#include "render.h"
#include "svg.h"
#include "tm_safe.h"
#include "ui.h"
#include "app_internal.h"

/* The UI state the options ask for. */
static void initial_ui(vz_ui *ui, vz_doc *doc, const vz_app_opts *o, int w, int h, float scale)
{
    vz_ui_init(ui, doc, w, h, scale);
    if (o->step_view && !ui->step_view) {
        ui->step_view = 1;
        vz_ui_fit(ui, doc);
    }
    if (o->have_at) {
        ui->t = o->at < doc->t_min ? doc->t_min : o->at;
        ui->k = VZ_K_ALL;
    }
    ui->show_panels = !o->no_panels;
    ui->show_help = o->help_overlay;
    ui->hide_future = o->hide_future;
    for (size_t r = 0; r < doc->n_runs; r++) {   /* open the first finding there is */
        if (doc->runs[r].n_findings) {
            ui->open_run = (int)r;
            ui->open_finding = 0;
            break;
        }
    }
    if (o->select) {
        for (size_t r = 0; r < doc->n_runs; r++) {
            const tm_trace *tr = doc->runs[r].tr;
            for (size_t i = 0; i < tr->n_tasks; i++) {
                if (!strcmp(tm_text(tr, tr->tasks[i].name), o->select)) {
                    vz_action a = {0};
                    a.kind = VZ_ACT_SELECT_TASK;
                    a.arg = (int)r;
                    a.arg2 = (int)i;
                    vz_apply(ui, doc, NULL, &a);
                    r = doc->n_runs;
                    break;
                }
            }
        }
    }
}

vz_renderer *vz__app_renderer(SDL_Renderer *r, const vz_app_opts *o, float scale)
{
    vz_font_files files;
    char err[512];
    if (o->fonts) {
        files = *o->fonts;
    } else if (vz_font_find(o->font, &files, err, sizeof err)) {
        tm_safe_fprintf(stderr, "coroscope view: %s\n", err);
        return NULL;
    }
    vz_renderer *vr = vz_render_new(r, &files, scale, err, sizeof err);
    if (!vr)
        tm_safe_fprintf(stderr, "coroscope view: %s\n", err);
    return vr;
}

static void frame(vz_doc *doc, vz_ui *ui, vz_renderer *vr, vz_drawlist *dl)
{
    vz_text_metrics tm;
    vz_render_metrics(vr, &tm);
    vz_doc_sync(doc, ui->t, ui->k);
    vz_layout(doc, ui, &tm, dl);
    ui->toolbar_rows = dl->toolbar_rows;
    vz_render_frame(vr, dl);
}

/* ---- the layout dump (for tests) ------------------------------------------------------ */

static const char *tag_name(unsigned tag)
{
    static const char *const names[] = {"none",  "span",     "merged",   "loopseg", "frame",   "marker",
                                        "arrow", "label",    "job",      "group",   "deadline", "playhead",
                                        "axis",  "header",   "warning",  "panel",   "legend",  "toolbar",
                                        "tooltip", "help",   "no_match", "scrollbar", "code", "lesson",
                                        "job_queue", "overview", "minimap"};
    return tag < sizeof names / sizeof names[0] ? names[tag] : "?";
}

static const char *sub_name(unsigned tag, unsigned sub)
{
    static const char *const segs[] = {"step", "callback", "idle"};
    static const char *const marks[] = {"none",    "created", "cancel_req",   "throw",       "cancelled",
                                        "failed",  "timer",   "print",        "warn",        "other",
                                        "block",   "timeout", "timeout_fire", "group_abort", "io_ready"};
    static const char *const parts[] = {"band", "aborting", "bracket", "label"};
    static const char *const ends[] = {"open", "rescheduled", "fired", "exited"};
    static const char *const code_parts[] = {"text", "running", "task", "selected", "step"};
    static const char *const ov_parts[] = {"caption", "sort", "track", "running", "ready", "waiting", "playhead",
                                           "window"};
    static const char *const mm_parts[] = {"caption", "map", "run", "cell", "window"};
    static const char *const lesson_parts[] = {"frame", "text", "option", "feedback", "code", "hint", "placeholder", "more"};
    static const char *const menu_parts[] = {"menu", "item", "selected", "progress", "more", "empty", "keys"};
    _Static_assert(sizeof marks / sizeof marks[0] == VZ_MK__COUNT, "a name per marker kind");
    switch (tag) {
    case VZ_TAG_SPAN:
    case VZ_TAG_MERGED:
        return tm_state_name((tm_state)sub);
    case VZ_TAG_LOOPSEG:
        return sub < 3 ? segs[sub] : "?";
    case VZ_TAG_MARKER:
        return sub < VZ_MK__COUNT ? marks[sub] : "?";
    case VZ_TAG_ARROW:
        return tm_link_name((tm_link_kind)sub);
    case VZ_TAG_GROUP:
        return sub < 4 ? parts[sub] : "?";
    case VZ_TAG_DEADLINE:
        return sub < 4 ? ends[sub] : "?";
    case VZ_TAG_CODE:
        return sub < 5 ? code_parts[sub] : "?";
    case VZ_TAG_OVERVIEW:
        return sub < 8 ? ov_parts[sub] : "?";
    case VZ_TAG_MINIMAP:
        return sub < 5 ? mm_parts[sub] : "?";
    case VZ_TAG_LESSON:                 /* layout_lesson.c's parts, then the menu's (VZ_LM_*) */
        return sub < 8 ? lesson_parts[sub] : sub >= 16 && sub < 23 ? menu_parts[sub - 16] : "?";
    default:
        return "-";
    }
}

int vz__app_dump_layout(const char *path, const vz_drawlist *dl)
{
    FILE *f = cli_out_open("view", path);
    if (!f)
        return 1;
    static const char *const kinds[] = {"rect", "frame", "line", "tri", "text", "clip", "unclip"};
    for (size_t i = 0; i < dl->n_cmds; i++) {
        const vz_cmd *c = &dl->cmds[i];
        fprintf(f, "%s %.1f %.1f %.1f %.1f #%02x%02x%02x %s %s run=%u ref=%u", kinds[c->kind], c->x, c->y, c->w, c->h,
                c->color.r, c->color.g, c->color.b, tag_name(c->tag), sub_name(c->tag, c->sub), c->run, c->ref);
        if (c->ghost)
            fputs(" ghost", f);
        if (c->kind == VZ_CMD_TEXT)
            tm_safe_fprintf(f, " text=%s", vz_dl_str(dl, c));
        fputc('\n', f);
    }
    return cli_out_close("view", path, f);
}

/* ---- PNG files, every write checked ----------------------------------------------------- */

/* A growing buffer that SDL_image writes the PNG into. */
typedef struct png_buf {
    unsigned char *p;
    size_t len, cap;
    int failed;          /* out of memory */
} png_buf;

static size_t SDLCALL png_write(SDL_RWops *rw, const void *data, size_t size, size_t n)
{
    png_buf *b = rw->hidden.unknown.data1;
    size_t bytes = size * n;
    if (b->failed || (size && bytes / size != n))
        return 0;
    if (b->len + bytes > b->cap) {
        size_t cap = b->cap ? b->cap : 65536;
        while (cap < b->len + bytes)
            cap *= 2;
        unsigned char *p = co_realloc(b->p, cap);
        if (!p) {
            b->failed = 1;
            return 0;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, bytes);
    b->len += bytes;
    return n;
}

static Sint64 SDLCALL png_seek(SDL_RWops *rw, Sint64 offset, int whence)
{
    png_buf *b = rw->hidden.unknown.data1;
    return offset == 0 && (whence == RW_SEEK_CUR || whence == RW_SEEK_END) ? (Sint64)b->len : -1;
}

static Sint64 SDLCALL png_size(SDL_RWops *rw)
{
    return (Sint64)((png_buf *)rw->hidden.unknown.data1)->len;
}

static int SDLCALL png_close(SDL_RWops *rw)
{
    SDL_FreeRW(rw);
    return 0;
}

/*
** Save a surface as a PNG file. The PNG is made in memory, then written with
** every write checked (cli_write_file): a full disk or /dev/full is an error
** with its errno, and a partial file is removed. 0, or 1 with a message.
*/
int vz__app_save_png(SDL_Surface *surf, const char *path)
{
    png_buf b = {0};
    SDL_RWops *rw = SDL_AllocRW();
    if (!rw) {
        fprintf(stderr, "coroscope view: out of memory saving %s\n", path);
        return 1;
    }
    rw->type = SDL_RWOPS_UNKNOWN;
    rw->size = png_size;
    rw->seek = png_seek;
    rw->write = png_write;
    rw->close = png_close;
    rw->hidden.unknown.data1 = &b;
    int rc = 0;
    if (IMG_SavePNG_RW(surf, rw, 1) != 0 || b.failed) {
        tm_safe_fprintf(stderr, "coroscope view: cannot make the PNG for %s: %s\n", path,
                        b.failed ? "out of memory" : IMG_GetError());
        rc = 1;
    } else {
        rc = cli_write_file("view", path, b.p, b.len);
    }
    co_free(b.p);
    return rc;
}

/* ---- offscreen ------------------------------------------------------------------------ */

int vz__offscreen_open(vz__offscreen *os, const vz_app_opts *o)
{
    memset(os, 0, sizeof *os);
    os->surf = SDL_CreateRGBSurfaceWithFormat(0, o->w, o->h, 32, SDL_PIXELFORMAT_RGB888);
    if (!os->surf || !(os->r = SDL_CreateSoftwareRenderer(os->surf))) {
        fprintf(stderr, "coroscope view: cannot make a %dx%d offscreen picture: %s\n", o->w, o->h, SDL_GetError());
        return -1;
    }
    os->vr = vz__app_renderer(os->r, o, o->scale);
    return os->vr ? 0 : -1;
}

void vz__offscreen_close(vz__offscreen *os)
{
    vz_render_free(os->vr);
    if (os->r)
        SDL_DestroyRenderer(os->r);
    if (os->surf)
        SDL_FreeSurface(os->surf);
    if (TTF_WasInit())
        TTF_Quit();
    SDL_Quit();
}

/* A frame's draw list as an SVG file. 0 or 1. */
int vz__app_write_svg(const char *path, const vz_drawlist *dl, int w, int h, vz_renderer *vr, float scale)
{
    FILE *f = cli_out_open("view", path);
    if (!f)
        return 1;
    vz_text_metrics tm;
    vz_render_metrics(vr, &tm);
    vz_svg_write(f, dl, w, h, &tm, scale);   /* its only failure, a write, is the stream's error */
    return cli_out_close("view", path, f);   /* every write checked, the errno said, a partial file removed */
}

int vz_app_export_svg(vz_doc *doc, const vz_app_opts *o, FILE *out, const char *name)
{
    vz_app_opts small = *o;   /* the offscreen picture only measures text here */
    small.w = 16;
    small.h = 16;
    vz__offscreen os;
    if (vz__offscreen_open(&os, &small)) {
        vz__offscreen_close(&os);
        return 1;
    }
    vz_ui ui;
    vz_ui_init(&ui, doc, o->w, o->h, o->scale);
    ui.bare = 1;
    ui.show_panels = 0;
    if (o->step_view && !ui.step_view) {
        ui.step_view = 1;
        vz_ui_fit(&ui, doc);
    }
    vz_geom g;
    vz_ui_geom(&ui, &g);   /* as tall as every lane needs */
    ui.h = (int)(g.axis.h + vz_layout_content_height(doc, ui.scale) + g.status.h + 4 * ui.scale);
    vz_ui_geom(&ui, &g);
    vz_drawlist dl;
    vz_dl_init(&dl);
    vz_text_metrics tm;
    vz_render_metrics(os.vr, &tm);
    vz_doc_sync(doc, ui.t, ui.k);
    vz_layout(doc, &ui, &tm, &dl);
    int rc = 0;
    if (dl.oom) {
        tm_safe_fprintf(stderr, "coroscope export: out of memory drawing %s\n", name);
        rc = 1;
    } else {
        vz_svg_write(out, &dl, ui.w, ui.h, &tm, ui.scale);   /* write errors: cli_out_close reports them */
    }
    vz_dl_free(&dl);
    vz__offscreen_close(&os);
    return rc;
}

int vz_app_screenshot(vz_doc *doc, const vz_app_opts *o)
{
    vz__offscreen os;
    if (vz__offscreen_open(&os, o)) {
        vz__offscreen_close(&os);
        return 1;
    }
    vz_ui ui;
    initial_ui(&ui, doc, o, o->w, o->h, o->scale);
    vz_drawlist dl;
    vz_dl_init(&dl);
    frame(doc, &ui, os.vr, &dl);
    SDL_RenderPresent(os.r);
    int rc = 0;
    size_t len = strlen(o->screenshot);
    if (len > 4 && !strcasecmp(o->screenshot + len - 4, ".svg"))
        rc = vz__app_write_svg(o->screenshot, &dl, o->w, o->h, os.vr, ui.scale);
    else if (vz__app_save_png(os.surf, o->screenshot))
        rc = 1;
    if (!rc && o->layout_dump)
        rc = vz__app_dump_layout(o->layout_dump, &dl);
    vz_dl_free(&dl);
    vz__offscreen_close(&os);
    return rc;
}

/* ---- the benchmark -------------------------------------------------------------------- */

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static long vm_hwm_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = -1;
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kib = strtol(line + 6, NULL, 10);
    fclose(f);
    return kib;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int vz_app_bench(vz_doc *doc, const vz_app_opts *o, double t_model, double t_index)
{
    vz__offscreen os;
    if (vz__offscreen_open(&os, o)) {
        vz__offscreen_close(&os);
        return 1;
    }
    vz_ui ui;
    initial_ui(&ui, doc, o, o->w, o->h, o->scale);
    vz_geom g;
    vz_ui_geom(&ui, &g);
    vz_drawlist dl;
    vz_dl_init(&dl);
    static const struct { const char *name; int frames; } phases[] = {
        {"fit", 20}, {"zoom in", 40}, {"pan", 40}, {"zoom out", 40}, {"scroll", 30}, {"step", 30}};
    enum { PHASES = sizeof phases / sizeof phases[0] };
    size_t total = 0, n = 0, max_cmds = 0;
    for (int p = 0; p < PHASES; p++)
        total += (size_t)phases[p].frames;
    double *ms = co_malloc(2 * total * sizeof *ms), *sorted = ms + total;
    if (!ms) {
        vz__offscreen_close(&os);
        return 1;
    }
    float cx = g.lanes.x + g.lanes.w / 2;
    for (int p = 0; p < PHASES; p++) {
        for (int i = 0; i < phases[p].frames; i++) {
            vz_action a = {0};
            switch (p) {
            case 0:
                a.kind = VZ_ACT_FIT;
                break;
            case 1:
            case 3:
                a.kind = VZ_ACT_ZOOM;
                a.f = p == 1 ? 1.3 : 1 / 1.3;
                a.x = cx;
                break;
            case 2:
                a.kind = VZ_ACT_PAN;
                a.x = g.lanes.w * 0.1f;
                break;
            case 4:
                a.kind = VZ_ACT_SCROLL;
                a.y = g.lanes.h * 3;
                break;
            default:
                a.kind = i == 0 ? VZ_ACT_START : VZ_ACT_NEXT;
            }
            vz_apply(&ui, doc, &dl, &a);
            double t0 = now();
            frame(doc, &ui, os.vr, &dl);
            SDL_RenderPresent(os.r);
            ms[n++] = (now() - t0) * 1000;
            if (dl.n_cmds > max_cmds)
                max_cmds = dl.n_cmds;
        }
    }
    memcpy(sorted, ms, n * sizeof *ms);
    qsort(sorted, n, sizeof *ms, cmp_double);
    size_t events = 0;
    for (size_t r = 0; r < doc->n_runs; r++)
        events += doc->runs[r].tr->n_events;
    long hwm = vm_hwm_kib();
    printf("coroscope view --bench\n");
    for (size_t r = 0; r < doc->n_runs; r++)
        tm_safe_fprintf(stdout, "  trace         %s (%zu events, %zu tasks)\n", doc->runs[r].path, doc->runs[r].tr->n_events,
               doc->runs[r].tr->n_tasks);
    printf("  load          %.3f s  (trace model %.3f s + viewer indexes %.3f s)\n", t_model + t_index, t_model, t_index);
    if (hwm > 0)
        printf("  peak memory   %.1f MiB (VmHWM), %.1f bytes per event\n", hwm / 1024.0,
               events ? hwm * 1024.0 / (double)events : 0.0);
    printf("  frames        %zu at %dx%d, software renderer\n", n, o->w, o->h);
    printf("  frame time    p50 %.2f ms   p95 %.2f ms   max %.2f ms\n", sorted[n / 2], sorted[(size_t)(n * 0.95)],
           sorted[n - 1]);
    printf("  by phase     ");
    for (int p = 0, at = 0; p < PHASES; at += phases[p].frames, p++) {
        double worst = 0, sum = 0;
        for (int i = 0; i < phases[p].frames; i++) {
            sum += ms[at + i];
            if (ms[at + i] > worst)
                worst = ms[at + i];
        }
        printf("%s %s mean %.2f / max %.2f ms", p ? "," : "", phases[p].name, sum / phases[p].frames, worst);
    }
    printf("\n  primitives    at most %zu draw commands in a frame\n", max_cmds);
    co_free(ms);
    vz_dl_free(&dl);
    vz__offscreen_close(&os);
    return 0;
}

/* ---- the window ------------------------------------------------------------------------ */

/* The window the viewer, the lesson mode and the lesson menu open (app_internal.h). */

void vz__window_measure(vz__window *w)
{
    int ww, wh;
    SDL_GetWindowSize(w->win, &ww, &wh);
    SDL_GetRendererOutputSize(w->r, &w->W, &w->H);
    w->ratio = ww > 0 ? (float)w->W / (float)ww : 1;
}

/* SDL's video ends when nothing holds it any more. */
static void video_release(void)
{
    SDL_QuitSubSystem(SDL_INIT_VIDEO);
    if (!SDL_WasInit(SDL_INIT_EVERYTHING))
        SDL_Quit();
}

/* Whether SDL's video driver draws nowhere: no real display answered. */
static int driver_is_headless(void)
{
    const char *d = SDL_GetCurrentVideoDriver();
    return !d || !strcmp(d, "offscreen") || !strcmp(d, "dummy") || !strcmp(d, "evdev");
}

/*
** Start SDL's video on a real display: 0, or VZ_APP_NO_DISPLAY with err set.
** When no real display answers, SDL falls back to drivers that draw nowhere.
** An X server with no client left resets for a moment (a bare Xvfb does, and
** so may a classroom kiosk's), so with DISPLAY set a refusal is asked again a
** few times, 100 ms apart, before the caller falls back to the terminal.
*/
static int video_start(char *err, size_t errlen)
{
    const char *display = getenv("DISPLAY");
    int tries = display && *display ? 4 : 1;
    for (int t = 0;; t++) {
        if (SDL_InitSubSystem(SDL_INIT_VIDEO) != 0) {
            snprintf(err, errlen, "SDL could not start video: %s", SDL_GetError());
        } else if (driver_is_headless()) {
            const char *driver = SDL_GetCurrentVideoDriver();
            snprintf(err, errlen, "SDL found no display to open a window on (video driver '%s')",
                     driver ? driver : "none");
            video_release();
        } else {
            return 0;
        }
        if (t + 1 >= tries)
            return VZ_APP_NO_DISPLAY;
        SDL_Delay(100);
    }
}

int vz_app_video_hold(char *err, size_t errlen)
{
    return video_start(err, errlen);
}

void vz_app_video_release(void)
{
    video_release();
}

int vz__window_open(vz__window *w, const vz_app_opts *o, const char *title, int min_w, int min_h, char *err,
                    size_t errlen)
{
    memset(w, 0, sizeof *w);
    int rc = video_start(err, errlen);
    if (rc)
        return rc;
    SDL_SetHint(SDL_HINT_VIDEO_MINIMIZE_ON_FOCUS_LOSS, "0");
    int ww = o->w, wh = o->h;
    SDL_Rect screen;
    if (!o->size_given && SDL_GetDisplayUsableBounds(0, &screen) == 0 && screen.w > 0 && screen.h > 0) {
        if (ww > screen.w * 0.95)   /* a laptop screen: fit it */
            ww = (int)(screen.w * 0.95);
        if (wh > screen.h * 0.92)
            wh = (int)(screen.h * 0.92);
    }
    w->win = SDL_CreateWindow(o->title ? o->title : title, SDL_WINDOWPOS_CENTERED, SDL_WINDOWPOS_CENTERED, ww, wh,
                              SDL_WINDOW_RESIZABLE | SDL_WINDOW_ALLOW_HIGHDPI);
    if (!w->win) {
        snprintf(err, errlen, "cannot open a window: %s", SDL_GetError());
        video_release();
        return VZ_APP_NO_DISPLAY;
    }
    SDL_SetWindowMinimumSize(w->win, min_w, min_h);
    w->r = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_ACCELERATED | SDL_RENDERER_PRESENTVSYNC);
    if (!w->r)
        w->r = SDL_CreateRenderer(w->win, -1, SDL_RENDERER_SOFTWARE);
    if (!w->r) {
        fprintf(stderr, "coroscope: cannot create a renderer: %s\n", SDL_GetError());
        SDL_DestroyWindow(w->win);
        video_release();
        return 1;
    }
    vz__window_measure(w);
    w->vr = vz__app_renderer(w->r, o, o->scale * w->ratio);
    if (!w->vr) {
        SDL_DestroyRenderer(w->r);
        SDL_DestroyWindow(w->win);
        video_release();
        return 1;
    }
    return 0;
}

void vz__window_close(vz__window *w)
{
    vz_render_free(w->vr);
    SDL_DestroyRenderer(w->r);
    SDL_DestroyWindow(w->win);
    if (TTF_WasInit())
        TTF_Quit();
    video_release();
}

int vz_app_window(vz_doc *doc, const vz_app_opts *o, char *err, size_t errlen)
{
    vz__window w;
    int rc = vz__window_open(&w, o, "coroscope", 640, 420, err, errlen);
    if (rc)
        return rc;
    int pw = w.W, ph = w.H;
    float ratio = w.ratio;
    vz_ui ui;
    initial_ui(&ui, doc, o, pw, ph, o->scale * ratio);
    vz_renderer *vr = w.vr;         /* at ui.scale from the loop's first turn on */
    vz_drawlist dl;
    vz_dl_init(&dl);
    SDL_StopTextInput();
    int texting = 0;
    Uint64 last = SDL_GetPerformanceCounter();
    while (!ui.quit) {
        SDL_Event e;
        int got = SDL_WaitEventTimeout(&e, ui.playing ? 10 : 250);
        while (got) {
            if (e.type == SDL_WINDOWEVENT && (e.window.event == SDL_WINDOWEVENT_SIZE_CHANGED ||
                                              e.window.event == SDL_WINDOWEVENT_EXPOSED)) {
                vz__window_measure(&w);
                pw = w.W, ph = w.H, ratio = w.ratio;
                vz_action a = {0};
                a.kind = VZ_ACT_RESIZE;
                a.arg = pw;
                a.arg2 = ph;
                vz_apply(&ui, doc, &dl, &a);
            }
            vz_action acts[4];
            size_t n = vz_input_translate(&e, &ui, ratio, acts, 4);
            for (size_t i = 0; i < n; i++)
                vz_apply(&ui, doc, &dl, &acts[i]);
            got = SDL_PollEvent(&e);
        }
        if (ui.searching != texting) {
            texting = ui.searching;
            if (texting)
                SDL_StartTextInput();
            else
                SDL_StopTextInput();
        }
        Uint64 t = SDL_GetPerformanceCounter();
        double dt = (double)(t - last) / (double)SDL_GetPerformanceFrequency();
        last = t;
        if (ui.playing) {
            vz_action a = {0};
            a.kind = VZ_ACT_TICK;
            a.f = dt > 0.1 ? 0.1 : dt;
            vz_apply(&ui, doc, &dl, &a);
        }
        if (vz_render_set_scale(vr, ui.scale))
            fprintf(stderr, "coroscope view: cannot reopen the fonts at scale %.2f\n", ui.scale);
        if (ui.dirty || ui.playing) {
            frame(doc, &ui, vr, &dl);
            SDL_RenderPresent(w.r);
            ui.dirty = 0;
        }
    }
    vz_dl_free(&dl);
    vz__window_close(&w);
    return 0;
}
