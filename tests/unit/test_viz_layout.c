/*
** test_viz_layout.c -- the viewer's layout (viz/layout/layout.h) and the UI actions
** that drive it (viz/input/input.h), without a display: where spans, arrows, labels
** and the playhead land in the draw list, what the panels say, what a click
** or a key does, and that a big trace costs a bounded number of primitives.
**
** Text is measured by a stand-in (7 pixels per byte, 16-pixel lines), so
** positions are exact and nothing here loads a font. Traces are built-in
** scenarios recorded in-process, or a few lines written here.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "constructs.h"
#include "input.h"
#include "layout.h"
#include "overview.h"
#include "playhead.h"
#include "scenarios/scenarios.h"
#include "theme.h"
#include "trace_writer.h"
#include "words.h"

/* ---- fixtures ------------------------------------------------------------------------- */

static float metrics_scale = 1;   /* tests at another UI scale set this too */

static float fake_width(void *ud, vz_font font, const char *s)
{
    (void)ud;
    (void)font;
    return 7.0f * metrics_scale * (float)strlen(s);
}

static vz_text_metrics metrics = {fake_width, NULL, {16, 16, 15, 16, 20}};

static vz_doc doc;
static vz_ui ui;
static vz_drawlist dl;

static void record(const char *name, char *path, size_t size)
{
    const co_scenario *sc = co_scenario_find(name);
    cr_assert(not(zero(ptr, (void *)sc)), "scenario %s exists", name);
    snprintf(path, size, "/tmp/test-viz-layout-%s-XXXXXX", name);
    int fd = mkstemp(path);
    cr_assert(ge(int, fd, 0));
    close(fd);
    char err[256];
    cr_assert(eq(int, co_scenario_record_file(sc, path, "test_viz_layout", err, sizeof err), CO_OK), "%s", err);
}

/* Open scenarios side by side in a 1600x1000 window, fitted, playhead at the end. */
static void open_scenarios(const char *const *names, size_t n)
{
    vz_doc_init(&doc);
    for (size_t i = 0; i < n; i++) {
        char path[128];
        record(names[i], path, sizeof path);
        tm_error err;
        tm_trace *tr = tm_load(path, 0, &err);
        unlink(path);
        cr_assert(not(zero(ptr, tr)), "%s loads: %s", names[i], err.message);
        cr_assert(eq(int, vz_doc_add(&doc, tr, names[i], path), 0));
    }
    vz_ui_init(&ui, &doc, 1600, 1000, 1);
    vz_dl_init(&dl);
}

static void open_scenario(const char *name)
{
    open_scenarios(&name, 1);
}

/* Open a trace file from tests/data (tests run from the repository root). */
static void open_data(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "tests/data/%s", name);
    vz_doc_init(&doc);
    tm_error err;
    tm_trace *tr = tm_load(path, 0, &err);
    cr_assert(not(zero(ptr, tr)), "%s loads: %s", path, err.message);
    cr_assert(eq(int, vz_doc_add(&doc, tr, name, path), 0));
    vz_ui_init(&ui, &doc, 1600, 1000, 1);
    vz_dl_init(&dl);
}

/* The x axis in loop time, fitted (traces whose point is one instant open in event order). */
static void time_view(void)
{
    ui.step_view = 0;
    ui.step_auto = 0;
    vz_ui_fit(&ui, &doc);
}

static void lay_out(void)
{
    static const float base[VZ_FONT__COUNT] = {16, 16, 15, 16, 20};
    for (int f = 0; f < VZ_FONT__COUNT; f++)
        metrics.line_h[f] = base[f] * metrics_scale;
    vz_doc_sync(&doc, ui.t, ui.k);
    vz_layout(&doc, &ui, &metrics, &dl);
    ui.toolbar_rows = dl.toolbar_rows;
    cr_assert(eq(int, dl.oom, 0));
}

static void teardown(void)
{
    vz_dl_free(&dl);
    vz_doc_free(&doc);
}

TestSuite(viz_layout, .fini = teardown);

static uint32_t task_named(const char *name)
{
    const tm_trace *tr = doc.runs[0].tr;
    for (uint32_t i = 0; i < tr->n_tasks; i++)
        if (!strcmp(tm_text(tr, tr->tasks[i].name), name))
            return i;
    cr_fatal("no task named %s", name);
    return TM_NONE;
}

/* The span of a task in a state (the n-th such, from 0). */
static uint32_t span_of(uint32_t task, tm_state state, int n)
{
    const tm_trace *tr = doc.runs[0].tr;
    const tm_task *tk = &tr->tasks[task];
    for (uint32_t i = tk->span_first; i < tk->span_first + tk->span_count; i++)
        if (tr->spans[i].state == state && n-- == 0)
            return i;
    cr_fatal("no such span");
    return TM_NONE;
}

/* The first filled rectangle with this tag, sub and ref, before (ghost 0) or
** after (ghost 1) the playhead, or NULL. */
static const vz_cmd *rect_at(vz_tag tag, unsigned sub, uint32_t ref, int ghost)
{
    for (size_t i = 0; i < dl.n_cmds; i++) {
        const vz_cmd *c = &dl.cmds[i];
        if (c->kind == VZ_CMD_RECT && c->tag == tag && c->sub == sub && c->ref == ref && c->ghost == ghost)
            return c;
    }
    return NULL;
}

static const vz_cmd *rect_tagged(vz_tag tag, unsigned sub, uint32_t ref)
{
    return rect_at(tag, sub, ref, 0);
}

static size_t count_ghosts(void)
{
    size_t n = 0;
    for (size_t i = 0; i < dl.n_cmds; i++)
        n += dl.cmds[i].ghost;
    return n;
}

static size_t count_tagged(vz_tag tag, int sub)
{
    size_t n = 0;
    for (size_t i = 0; i < dl.n_cmds; i++)
        n += dl.cmds[i].tag == tag && (sub < 0 || dl.cmds[i].sub == sub);
    return n;
}

/* The first text command containing `needle`, or NULL. */
static const vz_cmd *text_with(const char *needle)
{
    for (size_t i = 0; i < dl.n_cmds; i++)
        if (dl.cmds[i].kind == VZ_CMD_TEXT && strstr(vz_dl_str(&dl, &dl.cmds[i]), needle))
            return &dl.cmds[i];
    return NULL;
}

static int same_color(vz_color a, vz_color b)
{
    return a.r == b.r && a.g == b.g && a.b == b.b && a.a == b.a;
}

static float axis_x(double pos)
{
    vz_geom g;
    vz_ui_geom(&ui, &g);
    return vz_ui_x(&ui, &g, pos);
}

static void act(vz_action_kind kind, float x, float y, int arg)
{
    vz_action a;
    memset(&a, 0, sizeof a);
    a.kind = (uint8_t)kind;
    a.x = x;
    a.y = y;
    a.arg = arg;
    vz_apply(&ui, &doc, &dl, &a);
}

/* ---- the timeline ------------------------------------------------------------------------ */

Test(viz_layout, the_layout_is_the_same_for_the_same_state)
{
    open_scenario("gather");
    lay_out();
    size_t n = dl.n_cmds, text = dl.text_len;
    vz_cmd *copy = malloc(n * sizeof *copy);
    char *chars = malloc(text);
    memcpy(copy, dl.cmds, n * sizeof *copy);
    memcpy(chars, dl.text, text);
    lay_out();
    cr_assert(eq(sz, dl.n_cmds, n));
    cr_assert(eq(sz, dl.text_len, text));
    cr_assert(zero(int, memcmp(copy, dl.cmds, n * sizeof *copy)));
    cr_assert(zero(int, memcmp(chars, dl.text, text)));
    free(copy);
    free(chars);
}

Test(viz_layout, a_zero_time_running_step_is_drawn_two_pixels_wide_in_the_running_colour)
{
    open_scenario("gather");
    lay_out();
    /* Task-3's second step runs at t = 1 and takes no time. */
    uint32_t sp = span_of(task_named("Task-3"), TM_STATE_RUNNING, 1);
    const vz_cmd *c = rect_tagged(VZ_TAG_MERGED, TM_STATE_RUNNING, sp);
    if (!c)
        c = rect_tagged(VZ_TAG_SPAN, TM_STATE_RUNNING, sp);
    cr_assert(not(zero(ptr, (void *)c)), "the step is drawn");
    cr_assert(ge(flt, c->w, (float)VZ_M_MIN_SPAN));
    cr_assert(le(flt, fabsf(c->x - axis_x(1.0)), 1.0f), "at 1 s: x %g, axis %g", c->x, axis_x(1.0));
    cr_assert(same_color(c->color, vz_state_color(TM_STATE_RUNNING)));
}

Test(viz_layout, a_waiting_span_covers_its_time_on_the_axis)
{
    open_scenario("gather");
    lay_out();
    uint32_t sp = span_of(task_named("Task-2"), TM_STATE_WAITING, 0);
    const vz_cmd *c = rect_tagged(VZ_TAG_SPAN, TM_STATE_WAITING, sp);
    cr_assert(not(zero(ptr, (void *)c)));
    cr_assert(le(flt, fabsf(c->x - axis_x(0.0)), 0.5f));
    cr_assert(le(flt, fabsf(c->x + c->w - axis_x(3.0)), 0.5f));
    cr_assert(same_color(c->color, vz_state_color(TM_STATE_WAITING)));
    cr_assert(not(zero(ptr, (void *)text_with("sleep(3)"))), "labelled with what it awaits");
}

Test(viz_layout, what_lies_after_the_playhead_is_dimmed_or_hidden)
{
    open_scenario("gather");
    ui.t = 1.5;
    ui.k = VZ_K_ALL;
    lay_out();
    uint32_t sp = span_of(task_named("Task-2"), TM_STATE_WAITING, 0);
    const vz_cmd *past = rect_tagged(VZ_TAG_SPAN, TM_STATE_WAITING, sp);
    const vz_cmd *ghost = rect_at(VZ_TAG_SPAN, TM_STATE_WAITING, sp, 1);
    cr_assert(not(zero(ptr, (void *)past)));
    cr_assert(not(zero(ptr, (void *)ghost)));
    cr_assert(le(flt, fabsf(past->x + past->w - axis_x(1.5)), 0.5f), "solid up to the playhead");
    cr_assert(le(flt, fabsf(ghost->x - axis_x(1.5)), 0.5f), "dimmed after it");
    cr_assert(not(same_color(ghost->color, past->color)));
    size_t dimmed = count_ghosts();
    cr_assert(gt(sz, dimmed, (size_t)0));
    ui.hide_future = 1;
    lay_out();
    cr_assert(eq(sz, count_ghosts(), (size_t)0), "hidden: nothing after the playhead");
    for (size_t i = 0; i < dl.n_cmds; i++)
        if (dl.cmds[i].tag == VZ_TAG_SPAN && dl.cmds[i].kind == VZ_CMD_RECT)
            cr_assert(le(flt, dl.cmds[i].x, axis_x(1.5) + 0.5f), "span %u starts before the playhead", dl.cmds[i].ref);
}

Test(viz_layout, lanes_follow_tree_order_under_the_loop_lane)
{
    open_scenario("gather");
    lay_out();
    const vz_cmd *loop = text_with("event loop"), *main = NULL, *child = NULL;
    for (size_t i = 0; i < dl.n_cmds; i++) {
        const vz_cmd *c = &dl.cmds[i];
        if (c->kind != VZ_CMD_TEXT || c->tag != VZ_TAG_LANE_LABEL)
            continue;
        if (!strcmp(vz_dl_str(&dl, c), "Task-1"))
            main = c;
        if (!strcmp(vz_dl_str(&dl, c), "Task-2"))
            child = c;
    }
    cr_assert(not(zero(ptr, (void *)loop)));
    cr_assert(not(zero(ptr, (void *)main)));
    cr_assert(not(zero(ptr, (void *)child)));
    cr_assert(lt(flt, loop->y, main->y));
    cr_assert(lt(flt, main->y, child->y));
    cr_assert(gt(flt, child->x, main->x), "a child is indented under its creator");
    cr_assert(not(zero(ptr, (void *)text_with("job()"))), "lanes name the coroutine");
}

Test(viz_layout, the_sequential_chain_shows_its_frames_in_a_sub_row)
{
    open_scenario("sequential");
    lay_out();
    size_t frames = 0;
    for (size_t i = 0; i < dl.n_cmds; i++)
        frames += dl.cmds[i].tag == VZ_TAG_FRAME && dl.cmds[i].kind == VZ_CMD_RECT;
    cr_assert(eq(sz, frames, (size_t)3));
    const vz_cmd *b = text_with("job('b', 1)");
    cr_assert(not(zero(ptr, (void *)b)));
    cr_assert(ge(flt, b->x, axis_x(3.0)), "b starts when a has returned");
}

Test(viz_layout, arrows_can_be_turned_off_by_kind)
{
    open_scenario("gather");
    lay_out();
    cr_assert(gt(sz, count_tagged(VZ_TAG_ARROW, TM_LINK_WAKE), (size_t)0));
    cr_assert(gt(sz, count_tagged(VZ_TAG_ARROW, TM_LINK_SPAWN), (size_t)0));
    act(VZ_ACT_ARROWS, 0, 0, TM_LINK_WAKE);
    lay_out();
    cr_assert(eq(sz, count_tagged(VZ_TAG_ARROW, TM_LINK_WAKE), (size_t)0));
    cr_assert(gt(sz, count_tagged(VZ_TAG_ARROW, TM_LINK_SPAWN), (size_t)0));
}

Test(viz_layout, a_cancel_arrow_ends_where_cancelled_error_is_delivered)
{
    open_scenario("cancel_swallow");
    lay_out();
    cr_assert(gt(sz, count_tagged(VZ_TAG_ARROW, TM_LINK_CANCEL), (size_t)0));
    cr_assert(gt(sz, count_tagged(VZ_TAG_MARKER, VZ_MK_CANCEL_REQ), (size_t)0));
    cr_assert(gt(sz, count_tagged(VZ_TAG_MARKER, VZ_MK_THROW), (size_t)0));
}

Test(viz_layout, the_comparison_header_shows_makespan_concurrency_and_speed_up)
{
    static const char *const names[] = {"sequential", "gather"};
    open_scenarios(names, 2);
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("makespan 6 s"))));
    cr_assert(not(zero(ptr, (void *)text_with("makespan 3 s"))));
    cr_assert(not(zero(ptr, (void *)text_with("peak 4 tasks at once"))));
    cr_assert(not(zero(ptr, (void *)text_with("2.00\xC3\x97 faster than sequential"))));
    cr_assert(not(zero(ptr, (void *)text_with("loop idle 3 s"))));
}

Test(viz_layout, a_damaged_trace_shows_a_warning_with_its_line_number)
{
    static const char text[] =
        "{\"format\":\"coroscope-trace\",\"version\":1,\"scenario\":\"cut\",\"clock\":\"virtual\","
        "\"semantics\":\"cpython-3.11\",\"producer\":\"test\"}\n"
        "{\"seq\":1,\"t\":0.0,\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null,\"coro\":\"main\",\"h\":2}\n"
        "{\"seq\":2,\"t\":0.0,\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n"
        "{\"seq\":3,\"t\":0.0,\"ev\":\"step_end\",\"task\":1,\"reas";
    vz_doc_init(&doc);
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    tm_error err;
    tm_trace *tr = tm_load_stream(f, 0, &err);
    fclose(f);
    cr_assert(not(zero(ptr, tr)));
    cr_assert(eq(int, vz_doc_add(&doc, tr, "cut", "-"), 0));
    vz_ui_init(&ui, &doc, 1280, 800, 1);
    vz_dl_init(&dl);
    lay_out();
    const vz_cmd *w = NULL;
    for (size_t i = 0; i < dl.n_cmds; i++)
        if (dl.cmds[i].tag == VZ_TAG_WARNING && dl.cmds[i].kind == VZ_CMD_TEXT)
            w = &dl.cmds[i];
    cr_assert(not(zero(ptr, (void *)w)));
    cr_assert(not(zero(ptr, strstr(vz_dl_str(&dl, w), "line 4"))), "warning: %s", vz_dl_str(&dl, w));
}

Test(viz_layout, the_step_view_spreads_zero_time_steps_apart)
{
    open_scenario("gather");
    act(VZ_ACT_STEP_VIEW, 0, 0, 0);
    lay_out();
    uint32_t sp = span_of(task_named("Task-3"), TM_STATE_RUNNING, 0);
    const vz_cmd *c = rect_tagged(VZ_TAG_SPAN, TM_STATE_RUNNING, sp);
    cr_assert(not(zero(ptr, (void *)c)));
    cr_assert(gt(flt, c->w, 10.0f), "one event is several pixels wide");
    const tm_span *s = &doc.runs[0].tr->spans[sp];
    cr_assert(le(flt, fabsf(c->x - axis_x((double)s->ev_begin)), 0.5f));
}

Test(viz_layout, axis_ticks_stay_distinct_at_deep_zoom)
{
    open_scenario("gather");
    ui.x0 = 3.0;
    ui.x1 = 3.0 + 2e-7;
    lay_out();
    const char *labels[64];
    size_t n = 0;
    for (size_t i = 0; i < dl.n_cmds && n < 64; i++)
        if (dl.cmds[i].tag == VZ_TAG_AXIS && dl.cmds[i].kind == VZ_CMD_TEXT && dl.cmds[i].font == VZ_FONT_SMALL &&
            dl.cmds[i].x > 300)
            labels[n++] = vz_dl_str(&dl, &dl.cmds[i]);
    cr_assert(ge(sz, n, (size_t)3));
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            cr_assert(ne(str, (char *)labels[i], (char *)labels[j]));
}

/* ---- panels ---------------------------------------------------------------------------------- */

Test(viz_layout, the_loop_panel_shows_the_ready_queue_and_timers_at_the_playhead)
{
    open_scenario("gather");
    act(VZ_ACT_START, 0, 0, 0);
    for (int i = 0; i < 6; i++)
        act(VZ_ACT_NEXT, 0, 0, 0);
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("Ready queue: 3 handles"))), "after main's step: three children queued");
    cr_assert(not(zero(ptr, (void *)text_with("1. step of Task-2"))));
    act(VZ_ACT_NEXT_INSTANT, 0, 0, 0);
    act(VZ_ACT_NEXT, 0, 0, 0);
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("at 2 s  sleep(2) of Task-4"))), "pending timers by deadline");
}

Test(viz_layout, the_findings_panel_explains_sequential_awaits)
{
    open_scenario("sequential");
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("Awaits that could run concurrently"))));
    cr_assert(not(zero(ptr, (void *)text_with("asyncio.gather"))), "the explanation is open");
}

Test(viz_layout, the_event_list_follows_the_playhead)
{
    open_scenario("gather");
    act(VZ_ACT_START, 0, 0, 0);
    for (int i = 0; i < 5; i++)
        act(VZ_ACT_NEXT, 0, 0, 0);
    lay_out();
    uint32_t cur = doc.runs[0].cur;
    const vz_cmd *row = rect_tagged(VZ_TAG_PANEL, VZ_PANEL_EVENTS, cur);
    cr_assert(not(zero(ptr, (void *)row)), "the current event's row is highlighted");
    cr_assert(same_color(row->color, VZ_C_SELECT));
}

Test(viz_layout, the_help_overlay_lists_the_keys)
{
    open_scenario("gather");
    act(VZ_ACT_HELP, 0, 0, 0);
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("play / pause"))));
    cr_assert(not(zero(ptr, (void *)text_with("next / previous scheduler decision"))));
}

/* ---- the rest of asyncio ------------------------------------------------------------------- */

/* Window y of the middle of a task's bar (the first run). */
static float lane_mid(uint32_t task)
{
    vz_geom g;
    vz_ui_geom(&ui, &g);
    return g.lanes.y - (float)ui.scroll + vz_layout_lane_y(&doc, 0, task, ui.scale) + VZ_M_LANE_H * ui.scale / 2.0f;
}

/* The first command of a kind with this tag, sub and ref, or NULL. */
static const vz_cmd *cmd_at(vz_cmd_kind kind, vz_tag tag, unsigned sub, uint32_t ref)
{
    for (size_t i = 0; i < dl.n_cmds; i++) {
        const vz_cmd *c = &dl.cmds[i];
        if (c->kind == kind && c->tag == tag && c->sub == sub && c->ref == ref)
            return c;
    }
    return NULL;
}

/* A rect of a group's part that covers window y (NULL if none). */
static const vz_cmd *group_rect_over(vz_group_part part, uint32_t g, float y)
{
    for (size_t i = 0; i < dl.n_cmds; i++) {
        const vz_cmd *c = &dl.cmds[i];
        if (c->kind == VZ_CMD_RECT && c->tag == VZ_TAG_GROUP && c->sub == part && c->ref == g && c->y <= y &&
            c->y + c->h >= y && c->w > 5)
            return c;
    }
    return NULL;
}

/* The first text of a TaskGroup's labels containing `needle`, or NULL. */
static const vz_cmd *group_text_with(const char *needle)
{
    for (size_t i = 0; i < dl.n_cmds; i++)
        if (dl.cmds[i].kind == VZ_CMD_TEXT && dl.cmds[i].tag == VZ_TAG_GROUP &&
            strstr(vz_dl_str(&dl, &dl.cmds[i]), needle))
            return &dl.cmds[i];
    return NULL;
}

Test(viz_layout, a_task_group_draws_a_bracket_over_its_owner_and_member_lanes)
{
    open_scenario("taskgroup_fail");
    time_view();
    lay_out();
    vz_geom g;
    vz_ui_geom(&ui, &g);
    static const char *const lanes[] = {"Task-1", "Task-2", "Task-3", "Task-4"};
    /* The bracket's upright reaches from the owner's lane to the last member's. */
    const vz_cmd *up = cmd_at(VZ_CMD_RECT, VZ_TAG_GROUP, VZ_GROUP_BRACKET, 0);
    cr_assert(not(zero(ptr, (void *)up)), "a bracket is drawn");
    cr_assert(le(flt, up->y, lane_mid(task_named("Task-1"))));
    cr_assert(ge(flt, up->y + up->h, lane_mid(task_named("Task-4"))));
    cr_assert(lt(flt, up->x, g.lanes.x), "in the lane names' gutter");
    /* A tick from it into each lane of the group. */
    for (size_t k = 0; k < 4; k++) {
        float y = lane_mid(task_named(lanes[k]));
        int ticked = 0;
        for (size_t i = 0; i < dl.n_cmds; i++) {
            const vz_cmd *c = &dl.cmds[i];
            ticked |= c->kind == VZ_CMD_RECT && c->tag == VZ_TAG_GROUP && c->sub == VZ_GROUP_BRACKET &&
                      fabsf(c->y + c->h / 2 - y) < 1 && fabsf(c->x + c->w - g.lanes.x) < 1;
        }
        cr_assert(ticked, "%s has a tick", lanes[k]);
    }
    /* The band behind the lanes: from `new` (0 s) on, over the four lanes. */
    const vz_cmd *band = group_rect_over(VZ_GROUP_BAND, 0, lane_mid(task_named("Task-3")));
    cr_assert(not(zero(ptr, (void *)band)));
    cr_assert(le(flt, fabsf(band->x - axis_x(0.0)), 1.0f));
    cr_assert(le(flt, band->y, lane_mid(task_named("Task-1"))));
    cr_assert(ge(flt, band->y + band->h, lane_mid(task_named("Task-4"))));
    /* Aborted (a child failed), and labelled so in the warning colour. */
    cr_assert(not(zero(ptr, (void *)cmd_at(VZ_CMD_RECT, VZ_TAG_GROUP, VZ_GROUP_ABORTING, 0))));
    cr_assert(not(zero(ptr, (void *)group_text_with("TaskGroup"))));
    const vz_cmd *state = group_text_with("aborted");
    cr_assert(not(zero(ptr, (void *)state)));
    cr_assert(same_color(state->color, VZ_C_ABORT));
    cr_assert(gt(sz, count_tagged(VZ_TAG_MARKER, VZ_MK_GROUP_ABORT), (size_t)0), "the abort is marked");
}

Test(viz_layout, a_task_group_is_labelled_aborting_from_its_abort_on)
{
    open_scenario("taskgroup_fail");
    vz_run *run = &doc.runs[0];
    const vz_group *g = &run->groups[0];
    vz_run_playhead_for(run, g->ev_new, &ui.t, &ui.k);
    lay_out();
    const vz_cmd *label = group_text_with("TaskGroup");
    cr_assert(not(zero(ptr, (void *)label)));
    cr_assert(same_color(label->color, VZ_C_GROUP));
    cr_assert(zero(ptr, (void *)group_text_with("abort")), "not before the abort");
    vz_run_playhead_for(run, g->ev_abort, &ui.t, &ui.k);
    lay_out();
    cr_assert(ge(u32, run->cur, g->ev_abort));
    cr_assert(lt(u32, run->cur, g->ev_exit), "the block has not exited yet");
    const vz_cmd *state = group_text_with("aborting");
    cr_assert(not(zero(ptr, (void *)state)));
    cr_assert(same_color(state->color, VZ_C_ABORT));
}

/* Every label of a TaskGroup lies on its owner's row (issue 9: "aborted" was
** drawn on the row of a child that returned normally). */
static void group_labels_on_owner_row(void)
{
    const vz_run *run = &doc.runs[0];
    float top = lane_mid(run->groups[0].owner) - VZ_M_LANE_H * ui.scale / 2;
    size_t n = 0;
    for (size_t i = 0; i < dl.n_cmds; i++) {
        const vz_cmd *c = &dl.cmds[i];
        if (c->kind != VZ_CMD_TEXT || c->tag != VZ_TAG_GROUP)
            continue;
        n++;
        cr_assert(ge(flt, c->y, top), "'%s' is on the owner's row", vz_dl_str(&dl, c));
        cr_assert(le(flt, c->y, top + VZ_M_LANE_H * ui.scale), "'%s' is on the owner's row", vz_dl_str(&dl, c));
    }
    cr_assert(gt(sz, n, (size_t)0), "the group is labelled");
}

Test(viz_layout, a_task_groups_abort_is_labelled_on_its_owners_row_never_a_members)
{
    open_scenario("taskgroup_fail");
    lay_out();
    cr_assert(not(zero(ptr, (void *)group_text_with("aborted"))));
    group_labels_on_owner_row();
    /* Narrow lane names (a projector's scale on a small window): shortened, still on the owner's row. */
    ui.w = 1024;
    ui.h = 640;
    ui.scale = 1.6f;
    metrics_scale = 1.6f;
    lay_out();
    cr_assert(not(zero(ptr, (void *)group_text_with("aborted"))));
    group_labels_on_owner_row();
}

Test(viz_layout, two_task_groups_sharing_lanes_keep_brackets_and_bands_apart)
{
    open_data("two_taskgroups.jsonl");
    lay_out();
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(sz, run->n_groups, (size_t)3));
    cr_assert(eq(int, run->grp_cols, 2));
    const vz_cmd *a = cmd_at(VZ_CMD_RECT, VZ_TAG_GROUP, VZ_GROUP_BRACKET, 0);
    const vz_cmd *b = cmd_at(VZ_CMD_RECT, VZ_TAG_GROUP, VZ_GROUP_BRACKET, 1);
    cr_assert(not(zero(ptr, (void *)a)));
    cr_assert(not(zero(ptr, (void *)b)));
    cr_assert(gt(flt, fabsf(a->x - b->x), 4.0f), "Task-1's two groups: one bracket column each");
    /* The second group's band covers its owner and members, not Task-2 (of the first) between them. */
    cr_assert(not(zero(ptr, (void *)group_rect_over(VZ_GROUP_BAND, 1, lane_mid(task_named("Task-1"))))));
    cr_assert(not(zero(ptr, (void *)group_rect_over(VZ_GROUP_BAND, 1, lane_mid(task_named("Task-5"))))));
    cr_assert(zero(ptr, (void *)group_rect_over(VZ_GROUP_BAND, 1, lane_mid(task_named("Task-2")))));
}

Test(viz_layout, a_timeout_that_fires_has_a_fire_marker_and_a_deadline_tick)
{
    open_scenario("wait_for_timeout");
    time_view();
    lay_out();
    const tm_trace *tr = doc.runs[0].tr;
    const vz_cmd *fire = NULL, *tick = NULL;
    for (size_t i = 0; i < dl.n_cmds; i++) {
        const vz_cmd *c = &dl.cmds[i];
        if (!fire && c->tag == VZ_TAG_MARKER && c->sub == VZ_MK_TIMEOUT_FIRE)
            fire = c;
        if (!tick && c->kind == VZ_CMD_RECT && c->tag == VZ_TAG_DEADLINE && c->h > VZ_M_BAR_H)
            tick = c;
    }
    cr_assert(not(zero(ptr, (void *)fire)), "a timeout-fired marker");
    cr_assert(eq(dbl, tr->events[fire->ref].t, 2.0));
    cr_assert(eq(u32, tr->events[fire->ref].task, task_named("Task-1")));
    cr_assert(not(zero(ptr, (void *)tick)), "a deadline tick");
    cr_assert(eq(int, tick->sub, VZ_DL_FIRED));
    cr_assert(le(flt, fabsf(tick->x + tick->w / 2 - axis_x(2.0)), 1.0f), "at the deadline, 2 s");
    cr_assert(le(flt, tick->y, lane_mid(task_named("Task-1"))));
    cr_assert(ge(flt, tick->y + tick->h, lane_mid(task_named("Task-1"))), "on the owner's lane");
    cr_assert(not(zero(ptr, (void *)text_with("timeout fired"))), "the legend explains it");
}

Test(viz_layout, a_rescheduled_deadline_fades_and_its_successor_is_drawn_where_it_moved)
{
    open_scenario("timeout_block");
    lay_out();
    const vz_cmd *moved = NULL, *fired = NULL;
    for (size_t i = 0; i < dl.n_cmds; i++) {
        const vz_cmd *c = &dl.cmds[i];
        if (c->kind != VZ_CMD_RECT || c->tag != VZ_TAG_DEADLINE || c->h <= VZ_M_BAR_H)
            continue;
        if (c->sub == VZ_DL_RESCHEDULED && !moved)
            moved = c;
        if (c->sub == VZ_DL_FIRED && !fired)
            fired = c;
    }
    cr_assert(not(zero(ptr, (void *)moved)));
    cr_assert(not(zero(ptr, (void *)fired)));
    cr_assert(le(flt, fabsf(moved->x + moved->w / 2 - axis_x(2.0)), 1.0f));
    cr_assert(le(flt, fabsf(fired->x + fired->w / 2 - axis_x(3.0)), 1.0f));
    cr_assert(same_color(fired->color, VZ_C_DEADLINE));
    cr_assert(not(same_color(moved->color, VZ_C_DEADLINE)), "the old deadline is faded");
}

Test(viz_layout, an_io_wait_has_its_own_colour_and_a_legend_entry)
{
    open_data("io_wait.jsonl");
    lay_out();
    uint32_t t = task_named("Task-1");
    const vz_cmd *io = rect_tagged(VZ_TAG_SPAN, TM_STATE_WAITING, span_of(t, TM_STATE_WAITING, 0));
    const vz_cmd *sleep = rect_tagged(VZ_TAG_SPAN, TM_STATE_WAITING, span_of(t, TM_STATE_WAITING, 1));
    cr_assert(not(zero(ptr, (void *)io)));
    cr_assert(not(zero(ptr, (void *)sleep)));
    cr_assert(same_color(io->color, VZ_C_IO_WAIT), "read(fd 7) in the I/O colour");
    cr_assert(same_color(sleep->color, vz_state_color(TM_STATE_WAITING)), "sleep(0.5) as any wait");
    cr_assert(not(zero(ptr, (void *)text_with("read(fd 7)"))));
    cr_assert(not(zero(ptr, (void *)text_with("waiting on I/O"))), "the legend explains the colour");
    cr_assert(gt(sz, count_tagged(VZ_TAG_MARKER, VZ_MK_IO_READY), (size_t)0), "the poller's ready is marked");
}

Test(viz_layout, a_lock_marker_explains_itself_in_its_tooltip_and_the_event_list)
{
    open_scenario("lock_counter");
    lay_out();
    const tm_trace *tr = doc.runs[0].tr;
    const vz_hit *hit = NULL;
    for (size_t i = 0; i < dl.n_hits && !hit; i++)
        if (dl.hits[i].kind == VZ_HIT_MARKER && tr->events[dl.hits[i].a].kind == TM_EV_SYNC)
            hit = &dl.hits[i];
    cr_assert(not(zero(ptr, (void *)hit)), "a lock operation is marked");
    uint32_t ev = hit->a;
    char want[200];
    vz_event_text(&doc.runs[0], ev, want, sizeof want);
    cr_assert(not(zero(ptr, strstr(want, " lock #3 ("))), "%s", want);
    ui.mouse_in = 1;
    ui.mx = hit->x + hit->w / 2;
    ui.my = hit->y + hit->h / 2;
    lay_out();
    const vz_cmd *tip = text_with(want);
    cr_assert(not(zero(ptr, (void *)tip)), "the tooltip says: %s", want);
    cr_assert(eq(int, tip->tag, VZ_TAG_TOOLTIP));
    ui.mouse_in = 0;
    vz_run_playhead_for(&doc.runs[0], ev, &ui.t, &ui.k);
    lay_out();
    int listed = 0;
    for (size_t i = 0; i < dl.n_cmds; i++)
        listed |= dl.cmds[i].kind == VZ_CMD_TEXT && dl.cmds[i].tag == VZ_TAG_PANEL && dl.cmds[i].ref == ev &&
                  !strcmp(vz_dl_str(&dl, &dl.cmds[i]), want);
    cr_assert(listed, "the event list words it the same way");
}

/* The first hit of a kind (and, unless TM_NONE, about `a`), or NULL. */
static const vz_hit *hit_of(vz_hit_kind kind, uint32_t a)
{
    for (size_t i = 0; i < dl.n_hits; i++)
        if (dl.hits[i].kind == kind && (a == TM_NONE || dl.hits[i].a == a))
            return &dl.hits[i];
    return NULL;
}

Test(viz_layout, a_job_waiting_for_a_free_worker_is_drawn_queued_from_its_submit_to_its_start)
{
    open_data("executor_queue.jsonl");
    time_view();
    lay_out();
    const vz_run *run = &doc.runs[0];
    uint32_t c = tm_find_job(run->tr, 15);
    const vz_cmd *q = rect_tagged(VZ_TAG_JOB_QUEUE, 0, c);
    cr_assert(not(zero(ptr, (void *)q)), "the third job has a queued bar");
    cr_assert(le(flt, fabsf(q->x - axis_x(0.0)), 0.5f), "from its submit at 0 s: x %g", q->x);
    cr_assert(le(flt, fabsf(q->x + q->w - axis_x(1.0)), 0.5f), "to its start at 1 s");
    cr_assert(same_color(q->color, VZ_C_JOB_QUEUED));
    cr_assert(gt(sz, count_tagged(VZ_TAG_JOB_QUEUE, -1), (size_t)0));
    for (uint32_t id = 11; id <= 13; id += 2)
        cr_assert(zero(ptr, (void *)rect_tagged(VZ_TAG_JOB_QUEUE, 0, tm_find_job(run->tr, id))),
                  "job #%u started at once: not queued", id);
    /* Its lane is under the worker lanes, named, and the legend says what the colour is. */
    vz_geom g;
    vz_ui_geom(&ui, &g);
    const vz_cmd *w1 = NULL;
    for (size_t i = 0; i < dl.n_cmds && !w1; i++)
        if (dl.cmds[i].tag == VZ_TAG_LANE_LABEL && dl.cmds[i].sub == 1 && dl.cmds[i].ref == 1)
            w1 = &dl.cmds[i];
    cr_assert(not(zero(ptr, (void *)w1)));
    cr_assert(gt(flt, q->y, w1->y + VZ_M_LANE_H - 1), "below worker-1");
    cr_assert(not(zero(ptr, (void *)text_with("jobs waiting"))));
    cr_assert(not(zero(ptr, (void *)text_with("queued for a worker"))), "a legend entry");
    /* Hovering it says why it waits; clicking it inspects its submit. */
    const vz_hit *h = hit_of(VZ_HIT_JOB_QUEUE, c);
    cr_assert(not(zero(ptr, (void *)h)));
    ui.mouse_in = 1;
    ui.mx = h->x + h->w / 2;
    ui.my = h->y + h->h / 2;
    lay_out();
    const vz_cmd *tip = text_with("fetch() for Task-1 is waiting for a free worker (2 busy)");
    cr_assert(not(zero(ptr, (void *)tip)));
    cr_assert(eq(int, tip->tag, VZ_TAG_TOOLTIP));
    cr_assert(not(zero(ptr, (void *)text_with("worker-0 takes it at 1 s"))));
    act(VZ_ACT_POINTER_DOWN, ui.mx, ui.my, 1);
    act(VZ_ACT_POINTER_UP, ui.mx, ui.my, 1);
    cr_assert(eq(int, ui.sel_kind, VZ_SEL_EVENT));
    cr_assert(eq(u32, ui.sel, run->tr->jobs[c].ev_submit));
    ui.mouse_in = 0;
    lay_out();
    int said = 0;
    for (size_t i = 0; i < dl.n_cmds; i++)
        said |= dl.cmds[i].kind == VZ_CMD_TEXT && dl.cmds[i].tag == VZ_TAG_PANEL &&
                dl.cmds[i].sub == VZ_PANEL_INSPECTOR && strstr(vz_dl_str(&dl, &dl.cmds[i]), "waiting for a free worker (2 busy)");
    cr_assert(said, "the inspector says it waited for a free worker");
    /* The playhead before the submit: the wait is dimmed, not yet drawn solid. */
    ui.t = 0;
    ui.k = 0;
    lay_out();
    cr_assert(zero(ptr, (void *)rect_at(VZ_TAG_JOB_QUEUE, 0, c, 0)));
    cr_assert(not(zero(ptr, (void *)rect_at(VZ_TAG_JOB_QUEUE, 0, c, 1))));
}

Test(viz_layout, a_trace_whose_jobs_never_wait_has_no_queue_lane)
{
    open_scenario("gather");
    lay_out();
    float h = vz_layout_run_height(&doc.runs[0], 1);
    cr_assert(eq(sz, count_tagged(VZ_TAG_JOB_QUEUE, -1), (size_t)0));
    cr_assert(zero(ptr, (void *)text_with("jobs waiting")));
    cr_assert(zero(ptr, (void *)text_with("queued for a worker")));
    cr_assert(eq(flt, h, (float)(VZ_M_RUN_H + 5 * VZ_M_LANE_H + VZ_M_RUN_GAP)), "title, loop and 4 tasks");
    teardown();
    /* Title row, loop lane, Task-1, two workers, then the queue lane. */
    open_data("executor_queue.jsonl");
    cr_assert(eq(flt, vz_layout_run_height(&doc.runs[0], 1), (float)(VZ_M_RUN_H + 5 * VZ_M_LANE_H + VZ_M_RUN_GAP)));
}

/* ---- input ---------------------------------------------------------------------------------- */

Test(viz_layout, a_click_on_a_span_selects_its_task_and_the_inspector_describes_it)
{
    open_scenario("gather");
    lay_out();
    uint32_t t = task_named("Task-3");
    const vz_hit *hit = NULL;
    for (size_t i = 0; i < dl.n_hits; i++)
        if (dl.hits[i].kind == VZ_HIT_SPAN && dl.hits[i].a == t && dl.hits[i].w > 20)
            hit = &dl.hits[i];
    cr_assert(not(zero(ptr, (void *)hit)));
    float x = hit->x + hit->w / 2, y = hit->y + hit->h / 2;
    act(VZ_ACT_POINTER_DOWN, x, y, 1);
    act(VZ_ACT_POINTER_UP, x, y, 1);
    cr_assert(eq(int, ui.sel_kind, VZ_SEL_TASK));
    cr_assert(eq(u32, ui.sel, t));
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("created by Task-1 at 0 s"))));
    cr_assert(not(zero(ptr, (void *)text_with("outcome: returned 'b' at 1 s"))));
    /* Every figure has its unit: "running 0 s in 2 steps", never "running 0 in 2 steps". */
    cr_assert(not(zero(ptr, (void *)text_with("running 0 s in 2 steps"))));
    cr_assert(zero(ptr, (void *)text_with("running 0 in")));
}

Test(viz_layout, the_right_arrow_moves_the_playhead_one_decision)
{
    open_scenario("gather");
    act(VZ_ACT_START, 0, 0, 0);
    cr_assert(eq(u32, ui.k, 0));
    for (int i = 0; i < 3; i++)
        act(VZ_ACT_NEXT, 0, 0, 0);
    cr_assert(eq(dbl, ui.t, 0.0));
    cr_assert(eq(u32, ui.k, 3));
    act(VZ_ACT_PREV, 0, 0, 0);
    cr_assert(eq(u32, ui.k, 2));
}

/* Decisions a run shows at the playhead. */
static size_t shown_decisions(size_t r)
{
    const vz_run *run = &doc.runs[r];
    uint32_t cur = vz_run_cursor(run, ui.t, ui.k);
    size_t n = 0;
    for (uint32_t i = 0; cur != TM_NONE && i <= cur; i++)
        n += (size_t)vz_is_decision(&run->tr->events[i]);
    return n;
}

Test(viz_layout, with_several_traces_each_step_moves_the_focused_one_by_one_decision)
{
    static const char *const names[] = {"sequential", "gather"};
    open_scenarios(names, 2);
    ui.focus = 1;
    size_t total = 0;
    for (size_t i = 0; i < doc.runs[1].tr->n_events; i++)
        total += (size_t)vz_is_decision(&doc.runs[1].tr->events[i]);
    act(VZ_ACT_START, 0, 0, 0);
    for (size_t i = 1; i <= total; i++) {
        act(VZ_ACT_NEXT, 0, 0, 0);
        cr_assert(eq(sz, shown_decisions(1), i), "step %zu shows gather's decision %zu", i, i);
    }
    act(VZ_ACT_NEXT, 0, 0, 0);
    cr_assert(eq(sz, shown_decisions(1), total), "past its end, nothing more");
    for (size_t i = total - 1; i > total - 10; i--) {
        act(VZ_ACT_PREV, 0, 0, 0);
        cr_assert(eq(sz, shown_decisions(1), i), "back to gather's decision %zu", i);
    }
    cr_assert(eq(int, ui.focus, 1), "the focus stays");
    /* It is said on screen: the focused trace is marked, the toolbar says what is stepped. */
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("\xE2\x96\xB6 gather"))));
    cr_assert(not(zero(ptr, (void *)text_with("step: gather"))));
    cr_assert(not(zero(ptr, (void *)text_with("The loop at the playhead \xE2\x80\x94 gather"))));
}

Test(viz_layout, stepping_all_traces_moves_the_focus_to_the_trace_that_changed)
{
    static const char *const names[] = {"sequential", "gather"};
    open_scenarios(names, 2);
    act(VZ_ACT_STEP_MODE, 0, 0, 0);
    cr_assert(eq(int, ui.step_all, 1));
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("step: all traces"))));
    act(VZ_ACT_START, 0, 0, 0);
    int moved_focus = 0;
    for (int i = 0; i < 200; i++) {
        size_t before[2] = {shown_decisions(0), shown_decisions(1)};
        int f = ui.focus;
        act(VZ_ACT_NEXT, 0, 0, 0);
        size_t after[2] = {shown_decisions(0), shown_decisions(1)};
        if (after[0] == before[0] && after[1] == before[1])
            break;   /* the end */
        cr_assert(ne(sz, after[ui.focus], before[ui.focus]), "the focused trace is one that moved");
        moved_focus |= ui.focus != f;
    }
    cr_assert(moved_focus, "the focus followed a trace that moved alone");
    /* The help says how stepping works with several traces. */
    act(VZ_ACT_HELP, 0, 0, 0);
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("all traces on one clock"))));
}

Test(viz_layout, playback_reveals_decisions_then_advances_loop_time)
{
    open_scenario("gather");
    act(VZ_ACT_START, 0, 0, 0);
    act(VZ_ACT_PLAY, 0, 0, 0);
    cr_assert(eq(int, ui.playing, 1));
    vz_action tick = {0};
    tick.kind = VZ_ACT_TICK;
    tick.f = 0.25;   /* two decisions at 8 per second */
    vz_apply(&ui, &doc, NULL, &tick);
    cr_assert(eq(u32, ui.k, 2));
    for (int i = 0; i < 400 && ui.playing; i++)
        vz_apply(&ui, &doc, NULL, &tick);
    cr_assert(eq(int, ui.playing, 0), "playback stops at the end");
    cr_assert(eq(dbl, ui.t, 3.0));
}

Test(viz_layout, dragging_on_the_axis_scrubs_the_playhead)
{
    open_scenario("gather");
    lay_out();
    vz_geom g;
    vz_ui_geom(&ui, &g);
    act(VZ_ACT_POINTER_DOWN, axis_x(1.5), g.axis.y + g.axis.h / 2, 1);
    cr_assert(le(dbl, fabs(ui.t - 1.5), 0.01));
    act(VZ_ACT_POINTER_MOVE, axis_x(2.0) + 2, g.axis.y + g.axis.h / 2, 0);
    cr_assert(eq(dbl, ui.t, 2.0), "snaps to the instant a few pixels away");
    act(VZ_ACT_POINTER_UP, axis_x(2.0), g.axis.y, 1);
    cr_assert(eq(int, ui.drag, VZ_DRAG_NONE));
}

Test(viz_layout, zooming_keeps_the_point_under_the_pointer)
{
    open_scenario("gather");
    vz_geom g;
    vz_ui_geom(&ui, &g);
    float x = g.lanes.x + g.lanes.w * 0.3f;
    double before = vz_ui_pos(&ui, &g, x);
    vz_action a = {0};
    a.kind = VZ_ACT_WHEEL;
    a.x = x;
    a.y = g.lanes.y + 50;
    a.f = 3;
    vz_apply(&ui, &doc, NULL, &a);
    cr_assert(lt(dbl, ui.x1 - ui.x0, 3.2), "zoomed in");
    cr_assert(le(dbl, fabs(vz_ui_pos(&ui, &g, x) - before), 1e-9));
    act(VZ_ACT_FIT, 0, 0, 0);
    cr_assert(le(dbl, ui.x0, 0.0));
    cr_assert(ge(dbl, ui.x1, 3.0));
}

Test(viz_layout, the_filter_typed_in_hides_other_lanes)
{
    open_scenario("wait");
    act(VZ_ACT_SEARCH, 0, 0, 0);
    vz_action a = {0};
    a.kind = VZ_ACT_TEXT;
    snprintf(a.text, sizeof a.text, "main");
    vz_apply(&ui, &doc, NULL, &a);
    lay_out();
    cr_assert(eq(sz, doc.runs[0].n_rows, (size_t)1));
    cr_assert(not(zero(ptr, (void *)text_with("main|"))), "the filter box shows what was typed");
    act(VZ_ACT_ESCAPE, 0, 0, 0);
    cr_assert(eq(sz, doc.runs[0].n_rows, doc.runs[0].tr->n_tasks));
}

Test(viz_layout, a_filter_that_matches_nothing_says_so)
{
    open_scenario("wait");
    act(VZ_ACT_SEARCH, 0, 0, 0);
    vz_action a = {0};
    a.kind = VZ_ACT_TEXT;
    snprintf(a.text, sizeof a.text, "zzz");
    vz_apply(&ui, &doc, NULL, &a);
    lay_out();
    cr_assert(eq(sz, doc.runs[0].n_rows, (size_t)0));
    const vz_cmd *msg = text_with("no task matches");
    cr_assert(not(zero(ptr, (void *)msg)), "blank lanes say why");
    cr_assert(not(zero(ptr, strstr(vz_dl_str(&dl, msg), "zzz"))));
    vz_geom g;
    vz_ui_geom(&ui, &g);
    cr_assert(ge(flt, msg->x, g.lanes.x), "where the lanes would be");
    act(VZ_ACT_ESCAPE, 0, 0, 0);
    lay_out();
    cr_assert(zero(ptr, (void *)text_with("no task matches")));
}

Test(viz_layout, panning_stops_near_the_start_and_end_of_the_trace)
{
    open_scenario("gather");
    act(VZ_ACT_ZOOM, 800, 0, 0);   /* no factor: nothing */
    vz_action z = {0};
    z.kind = VZ_ACT_ZOOM;
    z.f = 4;
    z.x = 800;
    vz_apply(&ui, &doc, NULL, &z);
    double span = ui.x1 - ui.x0;
    for (int i = 0; i < 50; i++)
        act(VZ_ACT_PAN, -400, 0, 0);
    cr_assert(ge(dbl, ui.x0, doc.t_min - span * 0.05 - 1e-9), "no further than 5%% of the view before 0 s");
    cr_assert(gt(dbl, ui.x1, doc.t_min), "the start stays on screen");
    cr_assert(le(dbl, fabs((ui.x1 - ui.x0) - span), 1e-9), "panning keeps the zoom");
    for (int i = 0; i < 100; i++)
        act(VZ_ACT_PAN, 400, 0, 0);
    cr_assert(le(dbl, ui.x1, doc.t_max + span * 0.05 + 1e-9), "no further than 5%% of the view past the end");
    cr_assert(lt(dbl, ui.x0, doc.t_max));
}

Test(viz_layout, outcome_labels_at_the_end_of_a_fitted_trace_are_not_cut)
{
    static const char *const names[] = {"sequential", "gather", "wait", "as_completed"};
    open_scenarios(names, 4);
    ui.w = 1024;   /* a small window: the fitted view's right margin is a few pixels */
    ui.h = 640;
    vz_ui_fit(&ui, &doc);
    lay_out();
    vz_geom g;
    vz_ui_geom(&ui, &g);
    size_t n = 0;
    for (size_t i = 0; i < dl.n_cmds; i++) {
        const vz_cmd *c = &dl.cmds[i];
        if (c->kind != VZ_CMD_TEXT || c->tag != VZ_TAG_SPAN || c->sub < TM_STATE_DONE)
            continue;
        const char *text = vz_dl_str(&dl, c);
        float w = fake_width(NULL, VZ_FONT_SMALL, text);
        n++;
        cr_assert(le(flt, c->x + w, g.lanes.x + g.lanes.w), "'%s' ends inside the lanes", text);
        cr_assert(ge(flt, c->w, w), "'%s' has room to be drawn whole", text);
    }
    cr_assert(ge(sz, n, (size_t)4), "finished tasks show their outcomes");
    int seq_none = 0;   /* sequential's main ends the longest trace, at the right edge */
    for (size_t i = 0; i < dl.n_cmds; i++)
        seq_none |= dl.cmds[i].kind == VZ_CMD_TEXT && dl.cmds[i].run == 0 && dl.cmds[i].tag == VZ_TAG_SPAN &&
                    !strcmp(vz_dl_str(&dl, &dl.cmds[i]), "\xE2\x9C\x93 None");
    cr_assert(seq_none, "sequential's main shows that it returned None");
}

Test(viz_layout, lanes_say_what_asyncio_internals_mean_and_the_tooltip_keeps_the_raw_name)
{
    open_scenario("as_completed");
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("the next completion"))), "as_completed's wait, in words");
    int raw = 0;
    for (size_t i = 0; i < dl.n_cmds; i++)
        raw |= dl.cmds[i].kind == VZ_CMD_TEXT && dl.cmds[i].tag == VZ_TAG_SPAN &&
               !strcmp(vz_dl_str(&dl, &dl.cmds[i]), "queue.get()");
    cr_assert(not(raw), "no lane says queue.get()");
    /* Hovering that wait: the words and asyncio's own name. */
    const vz_hit *hit = NULL;
    uint32_t main_task = task_named("Task-1");
    for (size_t i = 0; i < dl.n_hits; i++)
        if (dl.hits[i].kind == VZ_HIT_SPAN && dl.hits[i].a == main_task && dl.hits[i].w > 30 &&
            doc.runs[0].tr->spans[dl.hits[i].b].state == TM_STATE_WAITING)
            hit = &dl.hits[i];
    cr_assert(not(zero(ptr, (void *)hit)));
    act(VZ_ACT_POINTER_MOVE, hit->x + hit->w / 2, hit->y + hit->h / 2, 0);
    lay_out();
    const vz_cmd *tip = NULL;
    for (size_t i = 0; i < dl.n_cmds; i++)
        if (dl.cmds[i].kind == VZ_CMD_TEXT && dl.cmds[i].tag == VZ_TAG_TOOLTIP)
            tip = tip ? tip : &dl.cmds[i];
    cr_assert(not(zero(ptr, (void *)tip)));
    cr_assert(not(zero(ptr, strstr(vz_dl_str(&dl, tip), "asyncio: queue.get()"))), "%s", vz_dl_str(&dl, tip));
}

Test(viz_layout, the_legend_explains_its_words_on_hover_and_the_help_has_a_glossary)
{
    open_scenario("gather");
    lay_out();
    const vz_hit *ready = NULL;
    for (size_t i = 0; i < dl.n_hits; i++)
        if (dl.hits[i].kind == VZ_HIT_TERM && dl.hits[i].a == VZ_TERM_READY)
            ready = &dl.hits[i];
    cr_assert(not(zero(ptr, (void *)ready)), "the legend's 'ready' can be hovered");
    act(VZ_ACT_POINTER_MOVE, ready->x + 3, ready->y + ready->h / 2, 0);
    lay_out();
    int said = 0;
    for (size_t i = 0; i < dl.n_cmds; i++)
        said |= dl.cmds[i].tag == VZ_TAG_TOOLTIP && dl.cmds[i].kind == VZ_CMD_TEXT &&
                !strncmp(vz_dl_str(&dl, &dl.cmds[i]), "ready: ", 7);
    cr_assert(said, "the tooltip defines 'ready'");
    act(VZ_ACT_HELP, 0, 0, 0);
    lay_out();
    for (int t = 0; t < VZ_TERM__COUNT; t++) {
        char head[64];
        snprintf(head, sizeof head, "%s \xE2\x80\x94 ", vz_term_word((vz_term)t));
        cr_assert(not(zero(ptr, (void *)text_with(head))), "the help defines '%s'", vz_term_word((vz_term)t));
    }
}

Test(viz_layout, a_cascade_at_one_instant_opens_in_event_order_and_the_axis_says_why)
{
    open_scenario("taskgroup_fail");
    cr_assert(eq(int, ui.step_view, 1), "most decisions happen at 2 s: event order from the start");
    lay_out();
    char why[400] = "";   /* the axis's caption, maybe wrapped over two lines */
    for (size_t i = 0; i < dl.n_cmds; i++)
        if (dl.cmds[i].kind == VZ_CMD_TEXT && dl.cmds[i].tag == VZ_TAG_AXIS && dl.cmds[i].sub == 1)
            snprintf(why + strlen(why), sizeof why - strlen(why), "%s%s", *why ? " " : "", vz_dl_str(&dl, &dl.cmds[i]));
    cr_assert(not(zero(ptr, strstr(why, "event order: 25 of 44 decisions happen at 2 s"))), "%s", why);
    /* The labels of the cascade are drawn whole there. */
    cr_assert(not(zero(ptr, (void *)text_with("\xE2\x9C\x97 ValueError: boom"))));
    cr_assert(not(zero(ptr, (void *)text_with("\xE2\x8A\x98 cancelled"))));
    /* In loop time, the instant gets a chip; clicking it goes back to event order. */
    act(VZ_ACT_STEP_VIEW, 0, 0, 0);
    cr_assert(eq(int, ui.step_view, 0));
    cr_assert(eq(int, ui.step_auto, 0));
    lay_out();
    const vz_hit *chip = NULL;
    for (size_t i = 0; i < dl.n_hits; i++)
        if (dl.hits[i].kind == VZ_HIT_DENSE)
            chip = &dl.hits[i];
    cr_assert(not(zero(ptr, (void *)chip)), "the dense instant has a chip on the axis");
    cr_assert(eq(dbl, doc.runs[0].dense[chip->a].t, 2.0));
    cr_assert(not(zero(ptr, (void *)text_with("2 s \xC3\x97"))));
    float x = chip->x + chip->w / 2, y = chip->y + chip->h / 2;
    act(VZ_ACT_POINTER_DOWN, x, y, 1);
    act(VZ_ACT_POINTER_UP, x, y, 1);
    cr_assert(eq(int, ui.step_view, 1));
}

Test(viz_layout, the_headline_comparison_opens_in_loop_time)
{
    static const char *const names[] = {"sequential", "gather", "wait", "as_completed"};
    open_scenarios(names, 4);
    cr_assert(eq(int, ui.step_view, 0), "no instant holds most of a trace's decisions");
}

Test(viz_layout, lanes_taller_than_the_window_get_a_scrollbar_that_drags)
{
    static const char *const names[] = {"sequential", "gather", "wait", "as_completed"};
    open_scenarios(names, 4);
    ui.w = 1280;
    ui.h = 800;
    lay_out();
    const vz_cmd *thumb = rect_tagged(VZ_TAG_SCROLLBAR, 1, 0);
    cr_assert(not(zero(ptr, (void *)thumb)), "the headline at 1280x800 does not fit: a scrollbar shows it");
    vz_geom g;
    vz_ui_geom(&ui, &g);
    cr_assert(ge(flt, thumb->x, g.lanes.x + g.lanes.w - 13), "along the lanes' right edge");
    cr_assert(lt(flt, thumb->h, g.lanes.h), "the thumb is the visible part");
    /* Drag the thumb to the bottom: the last trace's lanes come into view. */
    float x = thumb->x + thumb->w / 2, y = thumb->y + thumb->h / 2;
    act(VZ_ACT_POINTER_DOWN, x, y, 1);
    act(VZ_ACT_POINTER_MOVE, x, y + g.lanes.h, 0);
    act(VZ_ACT_POINTER_UP, x, y + g.lanes.h, 1);
    double content = vz_layout_content_height(&doc, 1);
    cr_assert(gt(dbl, ui.scroll, 0.0));
    cr_assert(ge(dbl, ui.scroll + g.lanes.h, content - 1), "scrolled to the end");
    /* Everything fits at 1600x1200: no scrollbar. */
    ui.h = 1200;
    ui.scroll = 0;
    lay_out();
    cr_assert(zero(ptr, (void *)rect_tagged(VZ_TAG_SCROLLBAR, 1, 0)));
}

/* Every control of the toolbar, by the action it carries. */
static int has_button(vz_action_kind act)
{
    for (size_t i = 0; i < dl.n_hits; i++)
        if (dl.hits[i].kind == VZ_HIT_BUTTON && dl.hits[i].a == (uint32_t)act)
            return 1;
    return 0;
}

Test(viz_layout, on_a_projector_the_toolbar_wraps_and_keeps_every_control)
{
    static const char *const names[] = {"sequential", "gather"};
    static const struct { int w, h; float scale; } sizes[] = {
        {1280, 800, 1.5f}, {1024, 640, 1}, {1024, 640, 2}, {1600, 1000, 2}, {1280, 800, 1.52f}};
    for (size_t k = 0; k < sizeof sizes / sizeof sizes[0]; k++) {
        open_scenarios(names, 2);
        ui.w = sizes[k].w;
        ui.h = sizes[k].h;
        ui.scale = metrics_scale = sizes[k].scale;
        lay_out();
        static const vz_action_kind acts[] = {VZ_ACT_START, VZ_ACT_PREV, VZ_ACT_PLAY, VZ_ACT_NEXT, VZ_ACT_END,
                                              VZ_ACT_SLOWER, VZ_ACT_FASTER, VZ_ACT_STEP_VIEW, VZ_ACT_ARROWS,
                                              VZ_ACT_FIT, VZ_ACT_FUTURE, VZ_ACT_HELP, VZ_ACT_SEARCH,
                                              VZ_ACT_STEP_MODE};
        for (size_t i = 0; i < sizeof acts / sizeof acts[0]; i++)
            cr_assert(has_button(acts[i]), "action %d has its control at %dx%d, scale %.2f", (int)acts[i],
                      sizes[k].w, sizes[k].h, sizes[k].scale);
        const vz_cmd *t = text_with("t = ");
        cr_assert(not(zero(ptr, (void *)t)), "the playhead's time is shown at %dx%d, scale %.2f", sizes[k].w,
                  sizes[k].h, sizes[k].scale);
        for (size_t i = 0; i < dl.n_hits; i++)   /* every control inside the window */
            if (dl.hits[i].kind == VZ_HIT_BUTTON)
                cr_assert(le(flt, dl.hits[i].x + dl.hits[i].w, (float)ui.w));
        /* The event list keeps room for its sentences. */
        int cut_short = 0;
        for (size_t i = 0; i < dl.n_cmds; i++)
            cut_short |= dl.cmds[i].kind == VZ_CMD_TEXT && dl.cmds[i].tag == VZ_TAG_PANEL &&
                         dl.cmds[i].sub == VZ_PANEL_EVENTS && dl.cmds[i].font == VZ_FONT_BODY && dl.cmds[i].w > 0 &&
                         dl.cmds[i].w < 160 * ui.scale;
        cr_assert(not(cut_short), "event sentences get at least 160 px at %dx%d, scale %.2f", sizes[k].w, sizes[k].h,
                  sizes[k].scale);
        teardown();
        metrics_scale = 1;
    }
}

/* ---- the source panel ------------------------------------------------------------------------ */

/* The first command of the source panel with this part and ref, or NULL. */
static const vz_cmd *code_cmd(vz_code_part part, uint32_t ref)
{
    for (size_t i = 0; i < dl.n_cmds; i++)
        if (dl.cmds[i].tag == VZ_TAG_CODE && dl.cmds[i].sub == part && dl.cmds[i].ref == ref)
            return &dl.cmds[i];
    return NULL;
}

/* The n-th step_end of a task (from 0). */
static uint32_t step_end_of(uint32_t task, int n)
{
    const tm_trace *tr = doc.runs[0].tr;
    for (uint32_t i = 0; i < tr->n_events; i++)
        if (tr->events[i].kind == TM_EV_STEP_END && tr->events[i].task == task && n-- == 0)
            return i;
    cr_fatal("no such step_end");
    return TM_NONE;
}

Test(viz_layout, the_source_panel_shows_the_program_and_where_each_task_is)
{
    open_scenario("gather");
    cr_assert(gt(sz, doc.runs[0].tr->n_sources, (size_t)0), "a built-in scenario carries its Python twin");
    /* Just after Task-2 awaits its sleep (gather.py line 6). */
    uint32_t t2 = task_named("Task-2"), ev = step_end_of(t2, 0);
    vz_run_playhead_for(&doc.runs[0], ev, &ui.t, &ui.k);
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("Code \xE2\x80\x94 gather.py"))));
    cr_assert(not(zero(ptr, (void *)text_with("async"))), "the code, in coloured pieces");
    const vz_cmd *dot = code_cmd(VZ_CODE_TASK, t2);
    cr_assert(not(zero(ptr, (void *)dot)), "Task-2 is marked on the line it awaits");
    cr_assert(same_color(dot->color, vz_task_color(t2)), "in its own colour");
    const vz_cmd *kw = NULL;
    for (size_t i = 0; i < dl.n_cmds; i++)
        if (dl.cmds[i].tag == VZ_TAG_CODE && dl.cmds[i].kind == VZ_CMD_TEXT && !strcmp(vz_dl_str(&dl, &dl.cmds[i]), "await"))
            kw = kw ? kw : &dl.cmds[i];
    cr_assert(not(zero(ptr, (void *)kw)));
    cr_assert(not(same_color(kw->color, VZ_C_TEXT)), "keywords have a colour of their own");
    /* While Task-1's first step runs, its line is lit. */
    uint32_t t1 = task_named("Task-1");
    vz_run_playhead_for(&doc.runs[0], step_end_of(t1, 0) - 1, &ui.t, &ui.k);
    lay_out();
    cr_assert(eq(u32, doc.runs[0].loop.running, t1));
    const vz_cmd *lit = code_cmd(VZ_CODE_RUNNING, 11);
    cr_assert(not(zero(ptr, (void *)lit)), "gather.py:11, where main awaits gather, is lit");
}

Test(viz_layout, clicking_a_code_line_rings_its_steps_and_moves_the_playhead_to_the_next)
{
    open_scenario("gather");
    act(VZ_ACT_START, 0, 0, 0);
    lay_out();
    const vz_hit *line6 = NULL;
    for (size_t i = 0; i < dl.n_hits; i++)
        if (dl.hits[i].kind == VZ_HIT_CODE_LINE && dl.hits[i].a == 6)
            line6 = &dl.hits[i];
    cr_assert(not(zero(ptr, (void *)line6)), "line 6 can be clicked");
    float x = line6->x + 20, y = line6->y + line6->h / 2;
    act(VZ_ACT_POINTER_DOWN, x, y, 1);
    cr_assert(eq(u32, ui.code_sel_line, 6));
    const tm_trace *tr = doc.runs[0].tr;
    uint32_t cur = vz_run_cursor(&doc.runs[0], ui.t, ui.k);
    const tm_srcref *at = tm_event_src(tr, vz_run_prev_decision(&doc.runs[0], cur + 1));
    cr_assert(not(zero(ptr, (void *)at)));
    cr_assert(eq(u32, at->line, 6), "the playhead is at a step that suspended on line 6");
    uint32_t first = cur;
    lay_out();
    cr_assert(ge(sz, count_tagged(VZ_TAG_CODE, VZ_CODE_STEP), (size_t)2), "in loop time, one ring at 0 s");
    act(VZ_ACT_STEP_VIEW, 0, 0, 0);
    lay_out();
    size_t rings = count_tagged(VZ_TAG_CODE, VZ_CODE_STEP);
    cr_assert(ge(sz, rings, (size_t)3 * 2), "in event order, the three jobs' awaits are ringed apart");
    act(VZ_ACT_POINTER_DOWN, x, y, 1);
    cr_assert(gt(u32, vz_run_cursor(&doc.runs[0], ui.t, ui.k), first), "a second click goes to the next one");
    /* A click on a span scrolls the code to its line: Task-1 waits on gather at line 11. */
    time_view();
    act(VZ_ACT_END, 0, 0, 0);
    lay_out();
    uint32_t t1 = task_named("Task-1");
    const vz_hit *span = NULL;
    for (size_t i = 0; i < dl.n_hits; i++)
        if (dl.hits[i].kind == VZ_HIT_SPAN && dl.hits[i].a == t1 && dl.hits[i].w > 40)
            span = &dl.hits[i];
    cr_assert(not(zero(ptr, (void *)span)));
    act(VZ_ACT_POINTER_DOWN, span->x + span->w / 2, span->y + span->h / 2, 1);
    act(VZ_ACT_POINTER_UP, span->x + span->w / 2, span->y + span->h / 2, 1);
    cr_assert(eq(u32, ui.code_line, 11));
}

Test(viz_layout, a_trace_without_source_gets_no_source_panel_and_several_follow_the_focus)
{
    open_data("gather.jsonl");   /* a version-1 trace */
    lay_out();
    cr_assert(zero(ptr, (void *)text_with("Code \xE2\x80\x94")));
    cr_assert(eq(sz, count_tagged(VZ_TAG_CODE, -1), (size_t)0));
    teardown();
    static const char *const names[] = {"sequential", "gather"};
    open_scenarios(names, 2);
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("Code \xE2\x80\x94 sequential.py"))));
    act(VZ_ACT_FOCUS, 0, 0, 1);
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("Code \xE2\x80\x94 gather.py"))), "the panel follows the focus");
}

Test(viz_layout, the_inspector_shows_a_tasks_locals_and_the_loop_panel_who_awaits_whom)
{
    open_data("gather_locals.jsonl");   /* gather with `locals` on its awaits and `of` on gather */
    ui.step_view = 0;
    ui.t = 1.5;
    ui.k = VZ_K_ALL;
    vz_action a = {0};
    a.kind = VZ_ACT_SELECT_TASK;
    a.arg = 0;
    a.arg2 = (int)task_named("Task-2");
    vz_apply(&ui, &doc, NULL, &a);
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("at gather.py:6"))), "where Task-2 is suspended");
    cr_assert(not(zero(ptr, (void *)text_with("job()  line 6"))), "its frame, as Python Tutor draws it");
    const vz_cmd *name = NULL, *value = NULL;
    for (size_t i = 0; i < dl.n_cmds; i++) {
        const vz_cmd *c = &dl.cmds[i];
        if (c->kind != VZ_CMD_TEXT || c->tag != VZ_TAG_PANEL || c->sub != VZ_PANEL_LOCALS)
            continue;
        if (!strcmp(vz_dl_str(&dl, c), "name"))
            name = c;
        if (!strcmp(vz_dl_str(&dl, c), "'a'"))
            value = c;
    }
    cr_assert(not(zero(ptr, (void *)name)));
    cr_assert(not(zero(ptr, (void *)value)));
    cr_assert(eq(flt, name->y, value->y), "name and value on one row");
    cr_assert(gt(flt, value->x, name->x));
    cr_assert(not(zero(ptr, (void *)text_with("and 1 more"))), "what was not recorded is counted");
    /* Who awaits whom: main -> gather(3) -> its three children. */
    cr_assert(not(zero(ptr, (void *)text_with("Who awaits whom"))));
    const vz_cmd *g = text_with("\xE2\x94\x94 gather(3)"), *child = text_with("\xE2\x94\x94 Task-2  job()");
    cr_assert(not(zero(ptr, (void *)g)));
    cr_assert(not(zero(ptr, (void *)child)));
    cr_assert(gt(flt, child->x, g->x), "the child is indented under gather");
    cr_assert(gt(flt, child->y, g->y));
    cr_assert(not(zero(ptr, (void *)text_with("Task-3  job()  \xE2\x9C\x93 done"))), "a finished child says so");
}

/* ---- scale ----------------------------------------------------------------------------------- */

Test(viz_layout, a_big_trace_costs_a_bounded_number_of_primitives)
{
    long saved = co_scenario_size;
    co_scenario_size = 2000;
    open_scenario("swarm");
    co_scenario_size = saved;
    cr_assert(gt(sz, doc.runs[0].tr->n_events, (size_t)80000));
    lay_out();
    vz_geom g;
    vz_ui_geom(&ui, &g);
    size_t width = (size_t)g.lanes.w;
    cr_assert(le(sz, count_tagged(VZ_TAG_LOOPSEG, -1), 3 * width), "the loop lane: at most one mark per column per kind");
    size_t markers_on_loop = 0;
    for (size_t i = 0; i < dl.n_cmds; i++)
        markers_on_loop += dl.cmds[i].tag == VZ_TAG_MARKER && dl.cmds[i].sub == VZ_MK_TIMER;
    cr_assert(le(sz, markers_on_loop, 2 * width));
    cr_assert(lt(sz, dl.n_cmds, (size_t)20000), "%zu commands", dl.n_cmds);
    /* Zoomed in on one instant, still bounded. */
    ui.x0 = 0.99;
    ui.x1 = 1.01;
    lay_out();
    cr_assert(lt(sz, dl.n_cmds, (size_t)20000), "%zu commands", dl.n_cmds);
    act(VZ_ACT_STEP_VIEW, 0, 0, 0);
    lay_out();
    cr_assert(lt(sz, dl.n_cmds, (size_t)20000), "%zu commands", dl.n_cmds);
}

/* ---- the overview of a big trace ------------------------------------------------------------ */

/* Open swarm with n workers (main gathers them all: n + 1 tasks). */
static void open_swarm(long n)
{
    long saved = co_scenario_size;
    co_scenario_size = n;
    open_scenario("swarm");
    co_scenario_size = saved;
}

/* The first command of a kind with this tag and sub, or NULL. */
static const vz_cmd *cmd_of(vz_cmd_kind kind, vz_tag tag, unsigned sub)
{
    for (size_t i = 0; i < dl.n_cmds; i++)
        if (dl.cmds[i].kind == kind && dl.cmds[i].tag == tag && dl.cmds[i].sub == sub)
            return &dl.cmds[i];
    return NULL;
}

Test(viz_layout, the_overview_opens_by_itself_when_there_are_more_lanes_than_a_window_holds_and_O_toggles_it)
{
    open_scenario("gather");
    cr_assert(zero(int, ui.overview), "a small trace keeps its room for lanes");
    lay_out();
    cr_assert(zero(sz, count_tagged(VZ_TAG_OVERVIEW, -1)));
    cr_assert(zero(sz, count_tagged(VZ_TAG_MINIMAP, -1)));
    act(VZ_ACT_OVERVIEW, 0, 0, 0);
    lay_out();
    cr_assert(gt(sz, count_tagged(VZ_TAG_OVERVIEW, VZ_OV_WAITING), (size_t)0), "O shows it for any trace");
    teardown();

    open_swarm(100);
    cr_assert(eq(int, ui.overview, 1));
    lay_out();
    vz_geom g;
    vz_ui_geom(&ui, &g);
    cr_assert(gt(flt, g.overview.h, 0.0f));
    cr_assert(gt(flt, g.minimap.w, 0.0f));
    cr_assert(le(flt, g.lanes.x + g.lanes.w, g.minimap.x), "the minimap is beside the lanes, not over them");
    cr_assert(le(flt, g.overview.y + g.overview.h, g.axis.y), "the strip is above the axis");
    cr_assert(gt(sz, count_tagged(VZ_TAG_MINIMAP, VZ_MM_CELL), (size_t)0));
    cr_assert(not(zero(ptr, (void *)text_with("peak 101"))), "the caption names the peak");
    cr_assert(not(zero(ptr, (void *)text_with("peak 101  \xC2\xB7  101 lanes"))));
    act(VZ_ACT_OVERVIEW, 0, 0, 0);
    lay_out();
    cr_assert(zero(sz, count_tagged(VZ_TAG_OVERVIEW, -1)));
}

Test(viz_layout, the_concurrency_track_stacks_running_ready_and_waiting_to_the_scale_of_the_peak)
{
    open_swarm(100);
    lay_out();
    vz_geom g;
    vz_ui_geom(&ui, &g);
    const vz_run *run = &doc.runs[0];
    float scale = (g.track.h - 2) / (float)run->conc_peak, base = g.track.y + g.track.h;
    size_t checked = 0;
    float tallest = 0;
    for (size_t i = 0; i < dl.n_cmds; i++) {
        const vz_cmd *c = &dl.cmds[i];
        if (c->kind != VZ_CMD_RECT || c->tag != VZ_TAG_OVERVIEW || c->sub < VZ_OV_RUNNING || c->sub > VZ_OV_WAITING)
            continue;
        const vz_conc *k = &vz_ov_bins(run, ui.step_view)[c->ref];
        uint32_t n = c->sub == VZ_OV_RUNNING ? k->running : c->sub == VZ_OV_READY ? k->ready : k->waiting;
        cr_assert(le(flt, fabsf(c->h - roundf((float)n * scale)), 0.01f), "bin %u: %u tasks, %g pixels", c->ref, n, c->h);
        cr_assert(le(flt, c->y + c->h, base + 0.01f), "inside the track");
        cr_assert(ge(flt, c->y, g.track.y - 0.01f));
        if (c->sub == VZ_OV_WAITING && base - c->y > tallest)
            tallest = base - c->y;
        checked++;
    }
    cr_assert(gt(sz, checked, (size_t)10));
    cr_assert(ge(flt, tallest, g.track.h - 4), "the peak reaches the top: %g of %g", tallest, g.track.h);
    /* The visible window is marked: fitted, it frames (almost) the whole track. */
    const vz_cmd *w = cmd_of(VZ_CMD_FRAME, VZ_TAG_OVERVIEW, VZ_OV_WINDOW);
    cr_assert(not(zero(ptr, (void *)w)));
    cr_assert(le(flt, fabsf(w->x - g.track.x), 1.0f));
    cr_assert(le(flt, fabsf(w->x + w->w - (g.track.x + g.track.w)), 1.0f));
    /* Zoomed in, the frame is as narrow as the view, where the view is. */
    ui.x0 = 1.0;
    ui.x1 = 1.5;
    lay_out();
    w = cmd_of(VZ_CMD_FRAME, VZ_TAG_OVERVIEW, VZ_OV_WINDOW);
    double lo, hi;
    vz_ui_extent(&ui, &doc, &lo, &hi);
    float xa = g.track.x + (float)((1.0 - lo) / (hi - lo)) * g.track.w;
    float xb = g.track.x + (float)((1.5 - lo) / (hi - lo)) * g.track.w;
    cr_assert(le(flt, fabsf(w->x - xa), 1.0f), "frame at %g, view from %g", w->x, xa);
    cr_assert(le(flt, fabsf(w->x + w->w - xb), 1.0f));
}

Test(viz_layout, a_click_on_the_concurrency_track_centres_the_view_there_keeping_its_width)
{
    open_swarm(100);
    ui.x0 = 0.5;
    ui.x1 = 1.0;
    lay_out();
    vz_geom g;
    vz_ui_geom(&ui, &g);
    double lo, hi;
    vz_ui_extent(&ui, &doc, &lo, &hi);
    float x = g.track.x + g.track.w * 0.75f;
    act(VZ_ACT_POINTER_DOWN, x, g.track.y + g.track.h / 2, 1);
    act(VZ_ACT_POINTER_UP, x, g.track.y + g.track.h / 2, 1);
    double want = lo + 0.75 * (hi - lo);
    cr_assert(le(dbl, fabs((ui.x0 + ui.x1) / 2 - want), (hi - lo) * 0.01), "centre %g, clicked %g", (ui.x0 + ui.x1) / 2,
              want);
    cr_assert(le(dbl, fabs((ui.x1 - ui.x0) - 0.5), 1e-9), "the zoom is kept");
}

Test(viz_layout, the_minimap_shows_every_lane_marks_the_window_and_a_click_scrolls_there)
{
    open_swarm(300);
    lay_out();
    vz_geom g;
    vz_ui_geom(&ui, &g);
    float k = vz_ui_minimap_scale(&ui, &doc, &g);
    cr_assert(lt(flt, k, 1.0f), "301 lanes do not fit: the map is a reduction");
    /* Bands reach the bottom of the content: the last lanes are on the map too. */
    float content = vz_layout_content_height(&doc, 1), lowest = 0;
    for (size_t i = 0; i < dl.n_cmds; i++)
        if (dl.cmds[i].tag == VZ_TAG_MINIMAP && dl.cmds[i].sub == VZ_MM_CELL && dl.cmds[i].y + dl.cmds[i].h > lowest)
            lowest = dl.cmds[i].y + dl.cmds[i].h;
    cr_assert(ge(flt, lowest, g.minimap.y + content * k - 40 * k - 4), "lowest band at %g", lowest);
    cr_assert(gt(sz, count_tagged(VZ_TAG_MINIMAP, VZ_MM_CELL), (size_t)50));
    const vz_cmd *w = cmd_of(VZ_CMD_FRAME, VZ_TAG_MINIMAP, VZ_MM_WINDOW);
    cr_assert(not(zero(ptr, (void *)w)));
    cr_assert(le(flt, fabsf(w->y - g.minimap.y), 1.0f), "at the top before scrolling");
    cr_assert(le(flt, fabsf(w->h - g.lanes.h * k), 1.0f), "as tall as the lanes' area, reduced");
    /* A click three quarters down scrolls so that row is in the middle. */
    float y = g.minimap.y + g.minimap.h * 0.75f, x = g.minimap.x + g.minimap.w / 2;
    act(VZ_ACT_POINTER_DOWN, x, y, 1);
    act(VZ_ACT_POINTER_UP, x, y, 1);
    double want = (y - g.minimap.y) / k - g.lanes.h / 2, max = vz_ui_scroll_max(&ui, &doc, &g);
    cr_assert(le(dbl, fabs(ui.scroll - (want < max ? want : max)), 1.0), "scroll %g, wanted %g", ui.scroll, want);
    lay_out();
    w = cmd_of(VZ_CMD_FRAME, VZ_TAG_MINIMAP, VZ_MM_WINDOW);
    cr_assert(le(flt, fabsf(w->y - (g.minimap.y + (float)ui.scroll * k)), 1.0f), "the window moved with the lanes");
    /* The wheel over the map scrolls the lanes. */
    double before = ui.scroll;
    vz_action a = {0};
    a.kind = VZ_ACT_WHEEL;
    a.x = x;
    a.y = y;
    a.f = 2;
    vz_apply(&ui, &doc, &dl, &a);
    cr_assert(lt(dbl, ui.scroll, before));
}

Test(viz_layout, C_folds_a_parents_children_into_its_lane_and_a_filter_still_finds_them)
{
    open_swarm(100);
    uint32_t main_task = task_named("Task-1");
    cr_assert(eq(sz, doc.runs[0].n_rows, (size_t)101));
    cr_assert(eq(u32, doc.runs[0].subtree[main_task], 100u));
    /* C on a worker folds its parent, which becomes the selection. */
    act(VZ_ACT_SELECT_TASK, 0, 0, 0);
    ui.sel = task_named("Task-50");
    act(VZ_ACT_FOLD, 0, 0, -1);
    cr_assert(eq(sz, doc.runs[0].n_rows, (size_t)1));
    cr_assert(eq(u32, ui.sel, main_task));
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("+100 folded"))));
    cr_assert(not(zero(ptr, (void *)text_with("1 of 101 lanes"))));
    /* A filter shows its matches inside a folded lane. */
    vz_doc_filter(&doc, "Task-5");
    cr_assert(gt(sz, doc.runs[0].n_rows, (size_t)1));
    vz_doc_filter(&doc, "");
    cr_assert(eq(sz, doc.runs[0].n_rows, (size_t)1));
    /* A click on the fold mark unfolds. */
    const vz_hit *mark = NULL;
    for (size_t i = 0; i < dl.n_hits; i++)
        if (dl.hits[i].kind == VZ_HIT_FOLD && dl.hits[i].a == main_task)
            mark = &dl.hits[i];
    cr_assert(not(zero(ptr, (void *)mark)), "the parent's lane has a fold mark");
    float mx = mark->x + mark->w / 2, my = mark->y + mark->h / 2;
    act(VZ_ACT_POINTER_DOWN, mx, my, 1);
    act(VZ_ACT_POINTER_UP, mx, my, 1);
    cr_assert(eq(sz, doc.runs[0].n_rows, (size_t)101));
    /* With nothing selected, C folds every parent, and again unfolds them. */
    ui.sel_kind = VZ_SEL_NONE;
    act(VZ_ACT_FOLD, 0, 0, -1);
    cr_assert(eq(sz, doc.runs[0].n_rows, (size_t)1));
    act(VZ_ACT_FOLD, 0, 0, -1);
    cr_assert(eq(sz, doc.runs[0].n_rows, (size_t)101));
}

Test(viz_layout, R_sorts_the_lanes_by_start_total_wait_and_name_flat_and_back_to_the_tree)
{
    open_swarm(30);
    const vz_run *run = &doc.runs[0];
    const tm_trace *tr = run->tr;
    act(VZ_ACT_SORT, 0, 0, -1);
    cr_assert(eq(int, doc.sort, VZ_SORT_START));
    for (size_t r = 1; r < run->n_rows; r++)
        cr_assert(lt(u32, tr->tasks[run->rows[r - 1]].ev_new, tr->tasks[run->rows[r]].ev_new));
    act(VZ_ACT_SORT, 0, 0, -1);
    cr_assert(eq(int, doc.sort, VZ_SORT_WAIT));
    for (size_t r = 1; r < run->n_rows; r++)
        cr_assert(ge(dbl, tr->tasks[run->rows[r - 1]].t_waiting, tr->tasks[run->rows[r]].t_waiting),
                  "row %zu waits longer than the one above it", r);
    cr_assert(ne(u32, run->rows[0], run->rows[run->n_rows - 1]));
    act(VZ_ACT_SORT, 0, 0, -1);
    cr_assert(eq(int, doc.sort, VZ_SORT_NAME));
    for (size_t r = 1; r < run->n_rows; r++)
        cr_assert(lt(int, vz_natural_cmp(tm_text(tr, tr->tasks[run->rows[r - 1]].name),
                                         tm_text(tr, tr->tasks[run->rows[r]].name)), 0));
    cr_assert(eq(str, (char *)tm_text(tr, tr->tasks[run->rows[1]].name), "Task-2"), "Task-2 before Task-10");
    /* Flat: no indentation under the parent. */
    act(VZ_ACT_OVERVIEW, 0, 0, 0);   /* 31 lanes: not on by itself */
    lay_out();
    const vz_cmd *b = text_with("Task-2");
    cr_assert(eq(flt, b->x, 10.0f), "a worker's name starts at the column's edge, unindented");
    cr_assert(not(zero(ptr, (void *)text_with("lanes: by name  (R)"))), "the overview says the order");
    act(VZ_ACT_SORT, 0, 0, -1);
    cr_assert(eq(int, doc.sort, VZ_SORT_TREE));
    lay_out();
    b = text_with("Task-2");
    cr_assert(gt(flt, b->x, 10.0f), "tree order indents again");
    /* The sort button in the overview does what R does. */
    lay_out();
    const vz_hit *btn = NULL;
    for (size_t i = 0; i < dl.n_hits; i++)
        if (dl.hits[i].kind == VZ_HIT_BUTTON && dl.hits[i].a == VZ_ACT_SORT)
            btn = &dl.hits[i];
    cr_assert(not(zero(ptr, (void *)btn)));
    float bx = btn->x + btn->w / 2, by = btn->y + btn->h / 2;
    act(VZ_ACT_POINTER_DOWN, bx, by, 1);
    act(VZ_ACT_POINTER_UP, bx, by, 1);
    cr_assert(eq(int, doc.sort, VZ_SORT_START));
}

Test(viz_layout, the_help_lists_the_overview_sort_and_fold_keys)
{
    open_scenario("gather");
    ui.show_help = 1;
    lay_out();
    cr_assert(not(zero(ptr, (void *)text_with("overview on / off"))));
    cr_assert(not(zero(ptr, (void *)text_with("order the lanes"))));
    cr_assert(not(zero(ptr, (void *)text_with("fold the selected task"))));
}
