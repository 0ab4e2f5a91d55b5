/*
** fuzz_view.c -- the viewer's model and layout (viz/model, viz/layout,
** viz/input/input_apply.c) on arbitrary bytes, with no display.
**
** The input is a trace file. What loads is added to a viewer document and
** laid out as a 1280x800 window would be, then driven through a sequence of
** UI actions -- step through decisions, jump to the start and the end, zoom,
** pan, scroll, the event axis, the help overlay, a click and a hover in the
** middle of the window, a filter, a second copy of the trace side by side, a
** narrow window -- laying out a frame after each. Which actions, and where,
** follows from a hash of the input, so a crash replays exactly.
**
** A frame must not run out of memory, and every command must be drawable:
** finite coordinates (the renderer converts them to int) and text inside the
** draw list. The text is measured by a stand-in metric that, like the real
** one, never reads past VZ_TEXT_MAX bytes of a string.
*/
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "input.h"
#include "layout.h"
#include "playhead.h"

static float fake_width(void *ud, vz_font font, const char *s)
{
    (void)ud;
    return (6.0f + (float)font) * (float)strnlen(s, VZ_TEXT_MAX);
}

static const vz_text_metrics metrics = {fake_width, NULL, {16, 16, 14, 15, 20}};

/* Lay out a frame and check every command in it. */
static void frame(vz_doc *doc, const vz_ui *ui, vz_drawlist *dl)
{
    vz_doc_sync(doc, ui->t, ui->k);
    vz_layout(doc, ui, &metrics, dl);
    FZ_CHECK(!dl->oom, "a frame ran out of memory (%zu commands)", dl->n_cmds);
    for (size_t i = 0; i < dl->n_cmds; i++) {
        const vz_cmd *c = &dl->cmds[i];
        FZ_CHECK(c->kind <= VZ_CMD_UNCLIP, "command %zu: kind %u", i, c->kind);
        FZ_CHECK(isfinite(c->x) && isfinite(c->y) && isfinite(c->w) && isfinite(c->h),
                 "command %zu (kind %u): a coordinate is not finite: %g %g %g %g", i, c->kind, c->x, c->y, c->w,
                 c->h);
        if (c->kind == VZ_CMD_LINE || c->kind == VZ_CMD_TRI)
            FZ_CHECK(isfinite(c->x2) && isfinite(c->y2) && isfinite(c->x3) && isfinite(c->y3),
                     "command %zu (kind %u): an end point is not finite", i, c->kind);
        if (c->kind == VZ_CMD_TEXT) {
            FZ_CHECK(c->text < dl->text_len, "command %zu: text offset %u past %zu", i, c->text, dl->text_len);
            FZ_CHECK(strnlen(dl->text + c->text, VZ_TEXT_MAX + 1) <= VZ_TEXT_MAX,
                     "command %zu: a text longer than VZ_TEXT_MAX", i);
        }
    }
}

static uint32_t input_hash(const uint8_t *data, size_t size)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < size; i++)
        h = (h ^ data[i]) * 16777619u;
    return h;
}

static void act(vz_ui *ui, vz_doc *doc, vz_drawlist *dl, vz_action a)
{
    vz_apply(ui, doc, dl, &a);
    frame(doc, ui, dl);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int installed;
    if (!installed) {
        fz_alloc_install();
        installed = 1;
    }
    fz_alloc_fail_at(-1);
    tm_trace *trs[2];
    for (int i = 0; i < 2; i++) {
        FILE *in = size ? fmemopen((void *)data, size, "rb") : fopen("/dev/null", "rb");
        if (!in)
            fz_fail("cannot open the input as a stream");
        tm_error err;
        trs[i] = tm_load_stream(in, 0, &err);
        fclose(in);
        if (!trs[i]) {
            FZ_CHECK(i == 0, "the second load of the same bytes failed");
            return 0;
        }
    }
    vz_doc doc;
    vz_doc_init(&doc);
    if (vz_doc_add(&doc, trs[0], "fuzz", "fuzz.jsonl")) {
        tm_free(trs[0]);
        tm_free(trs[1]);
        vz_doc_free(&doc);
        FZ_CHECK(fz_alloc_live() == 0, "%ld blocks leaked", fz_alloc_live());
        return 0;
    }
    vz_ui ui;
    vz_ui_init(&ui, &doc, 1280, 800, 1);
    vz_drawlist dl;
    vz_dl_init(&dl);
    frame(&doc, &ui, &dl);

    uint32_t h = input_hash(data, size);
    float mx = 200 + (float)(h % 900), my = 60 + (float)((h >> 10) % 700);
    static const uint8_t simple[] = {VZ_ACT_NEXT, VZ_ACT_NEXT, VZ_ACT_PREV, VZ_ACT_NEXT_INSTANT, VZ_ACT_START,
                                     VZ_ACT_NEXT, VZ_ACT_END, VZ_ACT_PREV_INSTANT, VZ_ACT_STEP_VIEW, VZ_ACT_FUTURE,
                                     VZ_ACT_HELP, VZ_ACT_HELP, VZ_ACT_FIT};
    for (size_t i = 0; i < sizeof simple; i++)
        if (!((h >> (i % 32)) & 1) || i < 3)
            act(&ui, &doc, &dl, (vz_action){.kind = simple[i]});
    act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_ZOOM, .f = 8, .x = mx});
    act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_PAN, .x = (float)((int)(h % 600) - 300)});
    act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_SCROLL, .y = (float)(h % 400)});
    act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_POINTER_MOVE, .x = mx, .y = my});
    act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_POINTER_DOWN, .x = mx, .y = my, .arg = 1});
    act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_POINTER_UP, .x = mx, .y = my});
    act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_SELECT_TASK, .arg = 0, .arg2 = (int)(h % 7)});
    act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_FINDING, .arg = 0, .arg2 = (int)(h % 3)});
    act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_JUMP, .arg = 0, .arg2 = (int)(h % (trs[0]->n_events + 1))});
    act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_ZOOM, .f = 1e-3, .x = mx});
    act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_TICK, .f = 0.5});
    act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_SEARCH});
    vz_action typed = {.kind = VZ_ACT_TEXT};
    snprintf(typed.text, sizeof typed.text, "%c", 'a' + (int)(h % 26));
    act(&ui, &doc, &dl, typed);
    act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_ENTER});

    /* Two copies side by side, in a small window at a large scale. */
    if (!vz_doc_add(&doc, trs[1], "fuzz (copy)", "fuzz.jsonl")) {
        trs[1] = NULL;
        act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_RESIZE, .arg = 640, .arg2 = 360});
        act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_SCALE, .f = 2});
        act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_FOCUS, .arg = -1});
        act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_FIT});
        act(&ui, &doc, &dl, (vz_action){.kind = VZ_ACT_PANELS});
    }
    tm_free(trs[1]);
    vz_dl_free(&dl);
    vz_doc_free(&doc);
    FZ_CHECK(fz_alloc_live() == 0, "%ld blocks leaked by the viewer", fz_alloc_live());
    return 0;
}
