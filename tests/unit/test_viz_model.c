/*
** test_viz_model.c -- the viewer's model glue (viz/model/view_model.h, viz/model/findings.h):
** loop segments, markers and arrows per lane, the name filter, the playhead's
** decision-by-decision moves, the loop state at a cursor, event sentences, the
** findings, and the rest of asyncio (viz/model/constructs.h): task groups, timeout
** deadlines, I/O waits.
**
** Traces come from the built-in scenarios, recorded in-process on the virtual
** clock exactly as `coroscope record` would, or from a few lines written here.
** Recording uses the default allocator; everything the viewer does afterwards
** runs under a counting allocator, and every test ends with nothing allocated.
** No display is needed.
*/
#include <criterion/criterion.h>
#include <criterion/new/assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc.h"
#include "constructs.h"
#include "findings.h"
#include "jobs.h"
#include "overview.h"
#include "playhead.h"
#include "tm_safe.h"
#include "scenarios/scenarios.h"
#include "trace_writer.h"
#include "view_model.h"
#include "words.h"
#include "counting_alloc.h"

/* ---- allocation accounting ---------------------------------------------------- */

static void counting_on(void) { counting_alloc_on(); }

/* ---- traces -------------------------------------------------------------------- */

/* Record a built-in scenario to a temporary file (default allocator). */
static void record(const char *name, char *path, size_t size)
{
    const co_scenario *sc = co_scenario_find(name);
    cr_assert(not(zero(ptr, (void *)sc)), "scenario %s exists", name);
    snprintf(path, size, "/tmp/test-viz-model-%s-XXXXXX", name);
    int fd = mkstemp(path);
    cr_assert(ge(int, fd, 0));
    close(fd);
    char err[256];
    cr_assert(eq(int, co_scenario_record_file(sc, path, "test_viz_model", err, sizeof err), CO_OK), "%s", err);
}

static vz_doc doc;

/* Record the named scenarios, then load them into `doc` under the counting allocator. */
static void open_scenarios(const char *const *names, size_t n)
{
    char paths[VZ_MAX_RUNS][128];
    for (size_t i = 0; i < n; i++)
        record(names[i], paths[i], sizeof paths[i]);
    counting_on();
    vz_doc_init(&doc);
    for (size_t i = 0; i < n; i++) {
        tm_error err;
        tm_trace *tr = tm_load(paths[i], 0, &err);
        cr_assert(not(zero(ptr, tr)), "%s loads: %s", names[i], err.message);
        cr_assert(eq(int, vz_doc_add(&doc, tr, names[i], paths[i]), 0));
        unlink(paths[i]);
    }
}

static void open_scenario(const char *name)
{
    open_scenarios(&name, 1);
}

/* Load a trace written out in the test. */
static void open_text(const char *text)
{
    counting_on();
    vz_doc_init(&doc);
    FILE *f = fmemopen((void *)text, strlen(text), "r");
    cr_assert(not(zero(ptr, f)));
    tm_error err;
    tm_trace *tr = tm_load_stream(f, 0, &err);
    fclose(f);
    cr_assert(not(zero(ptr, tr)), "the text loads: %s", err.message);
    cr_assert(eq(int, vz_doc_add(&doc, tr, "text", "-"), 0));
}

/* Load a trace file from tests/data (tests run from the repository root). */
static void open_data(const char *name)
{
    char path[128];
    snprintf(path, sizeof path, "tests/data/%s", name);
    counting_on();
    vz_doc_init(&doc);
    tm_error err;
    tm_trace *tr = tm_load(path, 0, &err);
    cr_assert(not(zero(ptr, tr)), "%s loads: %s", path, err.message);
    cr_assert(eq(int, vz_doc_add(&doc, tr, name, path), 0));
}

static void teardown(void)
{
    vz_doc_free(&doc);
    cr_assert(eq(long, live_allocs, 0), "nothing left allocated");
    co_alloc_set(NULL);
}

TestSuite(viz_model, .fini = teardown);

static uint32_t task_named(const vz_run *run, const char *name)
{
    for (uint32_t i = 0; i < run->tr->n_tasks; i++)
        if (!strcmp(tm_text(run->tr, run->tr->tasks[i].name), name))
            return i;
    cr_fatal("no task named %s", name);
    return TM_NONE;
}

static size_t decisions_upto(const vz_run *run, uint32_t cur)
{
    size_t n = 0;
    for (uint32_t i = 0; cur != TM_NONE && i <= cur; i++)
        n += (size_t)vz_is_decision(&run->tr->events[i]);
    return n;
}

/* ---- the loop lane, markers, arrows, rows ---------------------------------------- */

Test(viz_model, the_loop_lane_lists_every_callback_the_loop_ran)
{
    open_scenario("gather");
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(sz, run->n_cbs, (size_t)run->tr->stats.callbacks));
    for (size_t i = 0; i < run->n_cbs; i++) {
        cr_assert(eq(str, (char *)tm_kind_name((tm_kind)run->tr->events[run->cbs[i]].kind), "cb_run"));
        if (i)
            cr_assert(gt(u32, run->cbs[i], run->cbs[i - 1]), "callbacks in event order");
    }
}

Test(viz_model, a_callback_segment_never_outlasts_its_instant)
{
    open_scenario("gather");
    const vz_run *run = &doc.runs[0];
    for (size_t i = 0; i < run->n_cbs; i++) {
        uint32_t last, first = vz_seg_events(run, VZ_SEG_CALLBACK, i, &last);
        cr_assert(ge(u32, last, first));
        cr_assert(eq(dbl, run->tr->events[last].t, run->tr->events[first].t), "callback at event %u", first);
        for (uint32_t e = first + 1; e <= last; e++) {
            uint8_t k = run->tr->events[e].kind;
            cr_assert(k != TM_EV_STEP_BEGIN && k != TM_EV_CB_RUN && k != TM_EV_TIMER_FIRE && k != TM_EV_IDLE,
                      "no other handle inside callback %u", first);
            cr_assert(eq(u32, tm_event_by(run->tr, e), TM_NONE), "no task's event inside callback %u", first);
        }
    }
}

/* The event with this seq (as written in the file). */
static uint32_t event_seq(const vz_run *run, uint32_t seq)
{
    for (uint32_t i = 0; i < run->tr->n_events; i++)
        if (tm_event_seq(run->tr, i) == seq)
            return i;
    cr_fatal("no event #%u", seq);
    return TM_NONE;
}

Test(viz_model, a_callback_runs_until_the_loop_takes_its_next_handle)
{
    /* taskgroup_fail #51 runs TaskGroup._on_task_done, which aborts the group and
    ** cancels Task-4 (#53) and the body (#57); #61 is the loop's next handle. */
    open_scenario("taskgroup_fail");
    const vz_run *run = &doc.runs[0];
    uint32_t cb = event_seq(run, 51), cancel = event_seq(run, 53);
    cr_assert(eq(int, run->tr->events[cb].kind, TM_EV_CB_RUN));
    cr_assert(eq(int, run->tr->events[cancel].kind, TM_EV_CANCEL));
    vz_loop_state ls;
    vz_run_loop_state(run, cancel, &ls);
    cr_assert(eq(u32, ls.callback, cb), "the loop is inside TaskGroup._on_task_done at #53");
    cr_assert(eq(u32, ls.running, TM_NONE));
    vz_run_loop_state(run, event_seq(run, 60), &ls);
    cr_assert(eq(u32, ls.callback, cb), "still inside it at #60");
    vz_run_loop_state(run, event_seq(run, 61), &ls);
    cr_assert(eq(u32, ls.callback, TM_NONE), "#61 begins Task-4's step");
    char buf[256];
    vz_event_text(run, cancel, buf, sizeof buf);
    cr_assert(not(zero(ptr, strstr(buf, "TaskGroup._on_task_done"))), "%s", buf);
    cr_assert(not(zero(ptr, strstr(buf, "calls cancel() on Task-4"))), "%s", buf);
    cr_assert(zero(ptr, strstr(buf, "loop calls")), "%s", buf);
}

Test(viz_model, markers_are_grouped_by_lane_in_event_order)
{
    open_scenario("cancel_swallow");
    const vz_run *run = &doc.runs[0];
    const tm_trace *tr = run->tr;
    for (size_t slot = 0; slot <= tr->n_tasks; slot++) {
        for (uint32_t i = run->mk_first[slot]; i < run->mk_first[slot + 1]; i++) {
            uint32_t lane;
            vz_marker_kind k = vz_marker_of(tr, &tr->events[run->mk_ev[i]], &lane);
            cr_assert(ne(int, (int)k, VZ_MK_NONE));
            cr_assert(eq(u32, lane < tr->n_tasks ? lane : (uint32_t)tr->n_tasks, (uint32_t)slot));
            if (i > run->mk_first[slot])
                cr_assert(gt(u32, run->mk_ev[i], run->mk_ev[i - 1]));
        }
    }
    /* The stubborn task gets a cancel-requested and a CancelledError-delivered mark. */
    uint32_t t = task_named(run, "stubborn");
    int cancel = 0, thrown = 0;
    for (uint32_t i = run->mk_first[t]; i < run->mk_first[t + 1]; i++) {
        uint32_t lane;
        vz_marker_kind k = vz_marker_of(tr, &tr->events[run->mk_ev[i]], &lane);
        cancel += k == VZ_MK_CANCEL_REQ;
        thrown += k == VZ_MK_THROW;
    }
    cr_assert(eq(int, cancel, 1));
    cr_assert(eq(int, thrown, 1));
}

Test(viz_model, arrows_are_indexed_by_the_lane_they_point_to)
{
    open_scenario("gather");
    const vz_run *run = &doc.runs[0];
    const tm_trace *tr = run->tr;
    size_t spawn = 0, wake = 0;
    for (size_t slot = 0; slot <= tr->n_tasks; slot++) {
        for (uint32_t i = run->ln_first[slot]; i < run->ln_first[slot + 1]; i++) {
            const tm_link *l = &tr->links[run->ln_idx[i]];
            uint32_t lane = tm_event_by(tr, l->to);
            cr_assert(eq(u32, lane < tr->n_tasks ? lane : (uint32_t)tr->n_tasks, (uint32_t)slot));
            spawn += l->kind == TM_LINK_SPAWN;
            wake += l->kind == TM_LINK_WAKE;
        }
    }
    cr_assert(eq(sz, spawn, tr->n_tasks), "one spawn arrow per task");
    cr_assert(eq(sz, wake, (size_t)4), "three sleeps and the gather wake a task");
}

Test(viz_model, the_filter_keeps_matching_tasks_in_tree_order)
{
    open_scenario("wait");
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(sz, run->n_rows, run->tr->n_tasks));
    vz_doc_filter(&doc, "JOB");
    cr_assert(eq(sz, run->n_rows, (size_t)3), "the three job() tasks match their coroutine");
    for (size_t i = 1; i < run->n_rows; i++)
        cr_assert(gt(u32, run->rows[i], run->rows[i - 1]));
    cr_assert(eq(u32, run->row_of[task_named(run, "Task-1")], TM_NONE));
    vz_doc_filter(&doc, "Main");
    cr_assert(eq(sz, run->n_rows, (size_t)1));
    cr_assert(eq(str, (char *)tm_text(run->tr, run->tr->tasks[run->rows[0]].name), "Task-1"));
    vz_doc_filter(&doc, "");
    cr_assert(eq(sz, run->n_rows, run->tr->n_tasks));
}

Test(viz_model, frame_levels_give_the_sequential_task_one_sub_row)
{
    open_scenario("sequential");
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(u8, run->levels[0], 1));
    cr_assert(eq(u32, run->row_sub[run->n_rows], 1));
}

/* ---- the playhead ----------------------------------------------------------------- */

Test(viz_model, the_playhead_at_the_start_shows_no_event)
{
    open_scenario("gather");
    cr_assert(eq(u32, vz_run_cursor(&doc.runs[0], doc.t_min, 0), TM_NONE));
    vz_doc_sync(&doc, doc.t_min, 0);
    cr_assert(eq(u32, doc.runs[0].loop.n_ready, 0));
}

Test(viz_model, each_step_next_reveals_exactly_one_more_decision)
{
    open_scenario("gather");
    const vz_run *run = &doc.runs[0];
    double t = doc.t_min;
    uint32_t k = 0;
    size_t shown = 0, total = 0, moves = 0;
    for (size_t i = 0; i < run->tr->n_events; i++)
        total += (size_t)vz_is_decision(&run->tr->events[i]);
    while (vz_doc_step_next(&doc, &t, &k)) {
        uint32_t cur = vz_run_cursor(run, t, k);
        size_t now = decisions_upto(run, cur);
        if (k != VZ_K_ALL)
            cr_assert(eq(sz, now, shown + 1), "move %zu at t=%g k=%u", moves, t, k);
        shown = now;
        moves++;
        cr_assert(lt(sz, moves, (size_t)10000));
    }
    cr_assert(eq(sz, shown, total), "stepping ends with every decision shown");
    cr_assert(eq(u32, vz_run_cursor(run, t, k), (uint32_t)(run->tr->n_events - 1)));
}

Test(viz_model, step_prev_retraces_step_next_exactly)
{
    open_scenario("as_completed");
    const vz_run *run = &doc.runs[0];
    uint32_t seen[512];
    size_t n = 0;
    double t = doc.t_min;
    uint32_t k = 0;
    seen[n++] = vz_run_cursor(run, t, k);
    while (n < 512 && vz_doc_step_next(&doc, &t, &k))
        seen[n++] = vz_run_cursor(run, t, k);
    for (size_t i = n - 1; i-- > 0;) {
        cr_assert(eq(int, vz_doc_step_prev(&doc, &t, &k), 1), "can go back from step %zu", i + 1);
        cr_assert(eq(u32, vz_run_cursor(run, t, k), seen[i]), "back at step %zu", i);
    }
    cr_assert(eq(int, vz_doc_step_prev(&doc, &t, &k), 0), "nothing before the start");
}

Test(viz_model, after_the_last_decision_of_an_instant_the_playhead_moves_to_the_next_one)
{
    open_scenario("gather");
    double t = 0;
    uint32_t k = VZ_K_ALL;
    cr_assert(eq(int, vz_doc_step_next(&doc, &t, &k), 1));
    cr_assert(eq(dbl, t, 1.0));
    cr_assert(eq(u32, k, 1));
    const tm_event *e = &doc.runs[0].tr->events[vz_run_cursor(&doc.runs[0], t, k)];
    cr_assert(eq(str, (char *)tm_kind_name((tm_kind)e->kind), "timer_fire"), "the first decision at 1 s");
}

Test(viz_model, traces_side_by_side_step_through_an_instant_in_lockstep)
{
    static const char *const names[] = {"sequential", "gather"};
    open_scenarios(names, 2);
    double t = 0;
    uint32_t k = 0;
    for (int i = 0; i < 4; i++)
        vz_doc_step_next(&doc, &t, &k);
    cr_assert(eq(dbl, t, 0.0));
    cr_assert(eq(u32, k, 4));
    /* Sequential has only three decisions at t = 0 (create, run, await); gather has more. */
    cr_assert(eq(sz, decisions_upto(&doc.runs[0], vz_run_cursor(&doc.runs[0], t, k)), (size_t)3));
    cr_assert(eq(sz, decisions_upto(&doc.runs[1], vz_run_cursor(&doc.runs[1], t, k)), (size_t)4));
    /* Sequential runs out of decisions at t = 0 first; gather keeps stepping. */
    uint32_t seq_all = vz_run_cursor(&doc.runs[0], 0, VZ_K_ALL);
    for (int i = 0; i < 8; i++)
        vz_doc_step_next(&doc, &t, &k);
    cr_assert(eq(dbl, t, 0.0));
    cr_assert(eq(u32, vz_run_cursor(&doc.runs[0], t, k), seq_all));
}

Test(viz_model, the_playhead_for_an_event_shows_that_event)
{
    open_scenario("wait");
    const vz_run *run = &doc.runs[0];
    for (uint32_t ev = 0; ev < run->tr->n_events; ev++) {
        double t;
        uint32_t k;
        vz_run_playhead_for(run, ev, &t, &k);
        uint32_t cur = vz_run_cursor(run, t, k);
        cr_assert(ge(u32, cur, ev), "event %u", ev);
        uint32_t next = vz_run_next_decision(run, ev);
        if (next != TM_NONE)
            cr_assert(lt(u32, cur, next), "but no further than the next decision (event %u)", ev);
    }
}

Test(viz_model, the_cursor_cache_agrees_with_a_fresh_walk)
{
    open_scenario("as_completed");
    double t = 0;
    uint32_t k = 0;
    while (vz_doc_step_next(&doc, &t, &k)) {
        vz_doc_sync(&doc, t, k);
        cr_assert(eq(u32, doc.runs[0].cur, vz_run_cursor(&doc.runs[0], t, k)), "t=%g k=%u", t, k);
    }
}

/* ---- the loop at a cursor ---------------------------------------------------------- */

/* The event index of the n-th event of a kind about a task (n from 0). */
static uint32_t find_event(const vz_run *run, tm_kind kind, const char *task, int n)
{
    uint32_t t = task ? task_named(run, task) : TM_NONE;
    for (uint32_t i = 0; i < run->tr->n_events; i++) {
        const tm_event *e = &run->tr->events[i];
        if (e->kind == kind && (!task || e->task == t) && n-- == 0)
            return i;
    }
    cr_fatal("no such event");
    return TM_NONE;
}

Test(viz_model, the_loop_state_lists_the_ready_queue_head_first)
{
    open_scenario("gather");
    const vz_run *run = &doc.runs[0];
    /* Just before main awaits the gather, its three children wait in creation order. */
    uint32_t ev = find_event(run, TM_EV_STEP_END, "Task-1", 0) - 1;
    vz_loop_state ls;
    vz_run_loop_state(run, ev, &ls);
    cr_assert(eq(sz, ls.n_ready, (size_t)3));
    static const char *const order[] = {"Task-2", "Task-3", "Task-4"};
    for (int i = 0; i < 3; i++)
        cr_assert(eq(str, (char *)vz_task_name(run, run->tr->handles[ls.ready[i]].task), (char *)order[i]));
    cr_assert(eq(u32, ls.running, task_named(run, "Task-1")), "still inside main's step");
}

Test(viz_model, the_loop_state_lists_pending_timers_soonest_first_and_who_waits)
{
    open_scenario("gather");
    const vz_run *run = &doc.runs[0];
    uint32_t ev = find_event(run, TM_EV_STEP_END, "Task-4", 0);   /* all three sleeps started */
    vz_loop_state ls;
    vz_run_loop_state(run, ev, &ls);
    cr_assert(eq(sz, ls.n_timers, (size_t)3));
    cr_assert(eq(dbl, run->tr->timers[ls.timers[0]].when, 1.0));
    cr_assert(eq(dbl, run->tr->timers[ls.timers[2]].when, 3.0));
    cr_assert(eq(str, (char *)vz_timer_purpose(run, ls.timers[0]), "sleep(1)"));
    cr_assert(eq(sz, ls.n_waiting, (size_t)4));
    cr_assert(eq(sz, ls.n_alive, (size_t)4));
    cr_assert(eq(str, (char *)tm_text(run->tr, run->tr->spans[ls.waiting_span[0]].label), "gather(3)"));
}

Test(viz_model, the_loop_state_says_when_a_callback_runs_and_when_the_loop_idles)
{
    open_scenario("sequential");
    const vz_run *run = &doc.runs[0];
    vz_loop_state ls;
    vz_run_loop_state(run, find_event(run, TM_EV_CB_RUN, NULL, 0), &ls);
    cr_assert(ne(u32, ls.callback, TM_NONE));
    cr_assert(eq(u32, ls.running, TM_NONE));
    vz_run_loop_state(run, find_event(run, TM_EV_IDLE, NULL, 0), &ls);
    cr_assert(eq(u32, ls.idle, 0));
    cr_assert(eq(dbl, run->tr->idles[ls.idle].until, 3.0));
}

Test(viz_model, between_instants_the_loop_is_shown_waiting_for_its_next_timer)
{
    open_scenario("gather");
    const vz_run *run = &doc.runs[0];
    vz_doc_sync(&doc, 1.5, VZ_K_ALL);
    cr_assert(eq(u32, run->loop.callback, TM_NONE));
    cr_assert(eq(u32, run->loop.running, TM_NONE));
    cr_assert(ne(u32, run->loop.idle, TM_NONE));
    cr_assert(eq(dbl, run->tr->idles[run->loop.idle].until, 2.0));
    vz_doc_sync(&doc, 1.0, VZ_K_ALL);
    cr_assert(ne(u32, run->loop.callback, TM_NONE), "at 1 s itself the last callback still shows");
}

/* ---- words ---------------------------------------------------------------------------- */

Test(viz_model, asyncio_internals_are_said_in_a_students_words_and_a_programs_names_are_kept)
{
    open_scenario("as_completed");
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(str, (char *)vz_callback_words("_set_result_unless_cancelled"), "timer ends a sleep"));
    cr_assert(not(zero(ptr, (void *)vz_plain_callback("_run_until_complete_cb"))));
    cr_assert(zero(ptr, (void *)vz_plain_callback("report")), "a program's own callback means what it says");
    cr_assert(eq(str, (char *)vz_callback_words("report"), "report"));
    cr_assert(eq(str, (char *)vz_wait_words(run, "queue.get()"), "the next completion (as_completed)"));
    cr_assert(eq(str, (char *)vz_wait_words(run, "sleep(3)"), "sleep(3)"));
    cr_assert(not(zero(ptr, strstr(vz_wait_words(run, "_cancel_and_wait()"), "wait_for"))));
    char buf[256];
    vz_event_text(run, find_event(run, TM_EV_CB_RUN, NULL, 0), buf, sizeof buf);
    cr_assert(not(zero(ptr, strstr(buf, "timer ends a sleep (_set_result_unless_cancelled)"))), "%s", buf);
    for (int t = 0; t < VZ_TERM__COUNT; t++) {
        cr_assert(gt(sz, strlen(vz_term_word((vz_term)t)), (size_t)2));
        cr_assert(gt(sz, strlen(vz_term_meaning((vz_term)t)), (size_t)40), "%s is explained", vz_term_word((vz_term)t));
    }
}

Test(viz_model, a_queue_get_is_a_queue_get_outside_as_completed)
{
    open_scenario("pipeline");
    cr_assert(eq(str, (char *)vz_wait_words(&doc.runs[0], "queue.get()"), "queue.get()"));
}

Test(viz_model, event_text_says_what_a_task_awaits)
{
    open_scenario("gather");
    const vz_run *run = &doc.runs[0];
    char buf[256];
    vz_event_text(run, find_event(run, TM_EV_STEP_END, "Task-1", 0), buf, sizeof buf);
    cr_assert(eq(str, buf, "Task-1 awaits gather(3) and gives the loop back"));
    vz_event_text(run, find_event(run, TM_EV_TASK_NEW, "Task-2", 0), buf, sizeof buf);
    cr_assert(eq(str, buf, "Task-1 creates Task-2 (job); its first step is queued"));
    vz_event_text(run, find_event(run, TM_EV_TASK_DONE, "Task-3", 0), buf, sizeof buf);
    cr_assert(eq(str, buf, "Task-3 is done: 'b'"));
}

/* One sentence for event ev of the only run. */
static const char *text_of(uint32_t ev)
{
    static char buf[256];
    return vz_event_text(&doc.runs[0], ev, buf, sizeof buf);
}

Test(viz_model, event_text_says_who_holds_a_lock)
{
    open_scenario("lock_counter");
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(str, (char *)text_of(find_event(run, TM_EV_SYNC, "Task-2", 0)), "Task-2 acquires lock #3 (held)"));
    cr_assert(eq(str, (char *)text_of(find_event(run, TM_EV_SYNC, "Task-2", 1)), "Task-2 releases lock #3 (free)"));
}

Test(viz_model, event_text_counts_the_items_in_a_queue)
{
    open_scenario("pipeline");
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(str, (char *)text_of(find_event(run, TM_EV_SYNC, "Task-1", 0)), "Task-1 puts into queue #3: 1 item"));
    cr_assert(eq(str, (char *)text_of(find_event(run, TM_EV_SYNC, "Task-2", 0)), "Task-2 gets from queue #3: 1 item left"));
}

Test(viz_model, event_text_says_when_a_deadline_is_armed_and_fires)
{
    open_scenario("wait_for_timeout");
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(str, (char *)text_of(find_event(run, TM_EV_TIMEOUT, "Task-1", 0)),
                 "Task-1 arms a wait_for deadline due at 2 s"));
    const char *fired = text_of(find_event(run, TM_EV_TIMEOUT, "Task-1", 1));
    cr_assert(not(zero(ptr, strstr(fired, "timeout fired"))), "%s", fired);
}

Test(viz_model, event_text_says_why_a_task_group_aborts)
{
    open_scenario("taskgroup_fail");
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(str, (char *)text_of(find_event(run, TM_EV_GROUP, NULL, 0)), "Task-1 opens TaskGroup #3 (async with)"));
    cr_assert(eq(str, (char *)text_of(run->groups[0].ev_abort),
                 "TaskGroup #3 aborts: a child failed; the running children are cancelled"));
}

/* ---- the rest of asyncio ----------------------------------------------------------- */

/* Is event ev among the markers of a lane (a task, or TM_NONE for the loop)? */
static int marked_on(const vz_run *run, uint32_t lane, uint32_t ev)
{
    uint32_t slot = lane == TM_NONE ? (uint32_t)run->tr->n_tasks : lane;
    for (uint32_t i = run->mk_first[slot]; i < run->mk_first[slot + 1]; i++)
        if (run->mk_ev[i] == ev)
            return 1;
    return 0;
}

Test(viz_model, a_task_group_knows_its_owner_members_abort_and_exit)
{
    open_scenario("taskgroup_fail");
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(sz, run->n_groups, (size_t)1));
    const vz_group *g = &run->groups[0];
    static const char *const members[] = {"Task-2", "Task-3", "Task-4"};
    cr_assert(eq(u32, g->id, 3u));
    cr_assert(eq(u32, g->owner, task_named(run, "Task-1")));
    cr_assert(eq(u32, g->count, 3u));
    for (uint32_t k = 0; k < 3; k++)
        cr_assert(eq(u32, run->grp_task[g->first + k], task_named(run, members[k])), "member %u", k);
    cr_assert(lt(u32, g->ev_new, g->ev_abort));
    cr_assert(lt(u32, g->ev_abort, g->ev_exit));
    cr_assert(ne(u32, g->ev_exit, TM_NONE));
    cr_assert(eq(int, run->grp_cols, 1));
    cr_assert(vz_group_has(run, g, task_named(run, "Task-1")));
    cr_assert(vz_group_has(run, g, task_named(run, "Task-4")));
    /* A child's failure aborted it from a callback: the marker goes on the owner's lane. */
    uint32_t lane;
    cr_assert(eq(u32, run->tr->events[g->ev_abort].task, TM_NONE));
    cr_assert(eq(int, vz_marker_of(run->tr, &run->tr->events[g->ev_abort], &lane), VZ_MK_GROUP_ABORT));
    cr_assert(marked_on(run, g->owner, g->ev_abort), "the abort is marked on Task-1's lane");
    cr_assert(not(marked_on(run, TM_NONE, g->ev_abort)));
    /* What the bracket shows needs no marker. */
    cr_assert(eq(int, vz_marker_of(run->tr, &run->tr->events[g->ev_new], &lane), VZ_MK_NONE));
    cr_assert(eq(int, vz_marker_of(run->tr, &run->tr->events[g->ev_exit], &lane), VZ_MK_NONE));
}

Test(viz_model, a_reschedule_ends_one_deadline_and_starts_the_next)
{
    open_scenario("timeout_block");
    const vz_run *run = &doc.runs[0];
    uint32_t main = task_named(run, "Task-1");
    cr_assert(eq(sz, run->n_deadlines, (size_t)3));
    cr_assert(eq(u32, run->dl_first[main + 1] - run->dl_first[main], 3u), "all three on Task-1's lane");
    const vz_deadline *d = &run->deadlines[run->dl_first[main]];
    cr_assert(eq(dbl, d[0].when, 2.0));
    cr_assert(eq(int, d[0].end, VZ_DL_RESCHEDULED));
    cr_assert(eq(u32, d[0].ev_end, d[1].ev), "the reschedule that ended it set the next");
    cr_assert(eq(dbl, d[1].when, 3.0));
    cr_assert(eq(int, d[1].end, VZ_DL_FIRED));
    cr_assert(eq(dbl, run->tr->events[d[1].ev_end].t, 3.0));
    cr_assert(eq(dbl, d[2].when, 8.0));
    cr_assert(eq(int, d[2].end, VZ_DL_EXITED), "timeout_at in time: the block leaves at 4 s");
    uint32_t lane;
    cr_assert(eq(int, vz_marker_of(run->tr, &run->tr->events[d[1].ev_end], &lane), VZ_MK_TIMEOUT_FIRE));
    cr_assert(eq(u32, lane, main));
    cr_assert(eq(int, vz_marker_of(run->tr, &run->tr->events[d[0].ev], &lane), VZ_MK_TIMEOUT));
}

Test(viz_model, a_wait_on_a_socket_is_an_io_wait_and_its_ready_marks_the_waiting_lane)
{
    FILE *f = fopen("tests/data/io_wait.jsonl", "r");
    cr_assert(not(zero(ptr, f)), "run from the repository root");
    static char text[8192];
    size_t n = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[n] = 0;
    open_text(text);
    const vz_run *run = &doc.runs[0];
    const tm_task *tk = &run->tr->tasks[0];
    uint32_t waits[2], k = 0;
    for (uint32_t i = tk->span_first; i < tk->span_first + tk->span_count && k < 2; i++)
        if (run->tr->spans[i].state == TM_STATE_WAITING)
            waits[k++] = i;
    cr_assert(eq(u32, k, 2u));
    cr_assert(vz_span_is_io(run, waits[0]), "read(fd 7) is an I/O wait");
    cr_assert(not(vz_span_is_io(run, waits[1])), "sleep(0.5) is not");
    cr_assert(eq(sz, run->n_io_waits, (size_t)1));
    uint32_t ready = find_event(run, TM_EV_IO, NULL, 1), lane;
    cr_assert(eq(str, (char *)tm_text(run->tr, run->tr->events[ready].s1), "ready"));
    cr_assert(eq(int, vz_marker_of(run->tr, &run->tr->events[ready], &lane), VZ_MK_IO_READY));
    cr_assert(marked_on(run, 0, ready), "the poller's ready is drawn where Task-1 waited");
    cr_assert(not(marked_on(run, 0, find_event(run, TM_EV_IO, NULL, 0))), "the wait itself is the span");
}

Test(viz_model, building_the_constructs_survives_every_allocation_failing)
{
    static const char *const names[] = {"taskgroup_fail", "timeout_block", "executor_job"};
    for (size_t k = 0; k < 3; k++) {
        char path[128];
        record(names[k], path, sizeof path);
        counting_on();
        for (long budget = 0;; budget++) {
            tm_error err;
            alloc_budget = -1;
            tm_trace *tr = tm_load(path, 0, &err);
            cr_assert(not(zero(ptr, tr)));
            vz_doc_init(&doc);
            alloc_budget = budget;
            int rc = vz_doc_add(&doc, tr, names[k], path);
            alloc_budget = -1;
            vz_doc_free(&doc);
            cr_assert(eq(long, live_allocs, 0), "%s, budget %ld: nothing leaks (rc %d)", names[k], budget, rc);
            if (rc == 0)
                break;
            cr_assert(lt(long, budget, 1000L));
        }
        unlink(path);
    }
}

/* ---- the executor's queue ------------------------------------------------------------ */

/* The job with trace id `id`. */
static uint32_t job_with_id(const vz_run *run, uint32_t id)
{
    uint32_t j = tm_find_job(run->tr, id);
    cr_assert(ne(u32, j, TM_NONE), "job #%u exists", id);
    return j;
}

Test(viz_model, a_job_submitted_while_every_worker_is_busy_is_queued_until_one_comes_free)
{
    /* Three jobs, two workers: #11 (1 s) and #13 (3 s) start at once; #15 waits
    ** until #11 is done at 1 s, then runs on worker-0. */
    open_data("executor_queue.jsonl");
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(u32, run->tr->n_workers, 2));
    uint32_t a = job_with_id(run, 11), b = job_with_id(run, 13), c = job_with_id(run, 15);
    cr_assert(eq(u32, vz_job_busy(run, a), TM_NONE), "a free worker took the first job at once");
    cr_assert(eq(u32, vz_job_busy(run, b), TM_NONE), "and the second");
    cr_assert(eq(u32, vz_job_busy(run, c), 2), "the third waited, both workers busy");
    cr_assert(eq(sz, run->n_queued, (size_t)1));
    cr_assert(eq(u32, run->jq_job[0], c));
    cr_assert(eq(int, run->q_rows, 1), "one queued job: one sub-row");
    cr_assert(eq(u32, vz_job_queue_end(run, c), run->tr->jobs[c].ev_start));
    char buf[300];
    cr_assert(not(zero(ptr, vz_job_wait_text(run, c, buf, sizeof buf))));
    cr_assert(eq(str, buf, "waiting for a free worker (2 busy) from 0 s to 1 s (1 s), then worker-0 takes it"));
    cr_assert(zero(ptr, vz_job_wait_text(run, a, buf, sizeof buf)), "a job that did not wait has no wait text");
    /* The event list says so at the submit and at the start. */
    vz_event_text(run, run->tr->jobs[c].ev_submit, buf, sizeof buf);
    cr_assert(not(zero(ptr, strstr(buf, "waiting for a free worker (2 busy)"))), "submit: %s", buf);
    vz_event_text(run, run->tr->jobs[c].ev_start, buf, sizeof buf);
    cr_assert(not(zero(ptr, strstr(buf, "worker-0 is free and starts fetch() (job #15), queued for 1 s"))),
              "start: %s", buf);
    vz_event_text(run, run->tr->jobs[a].ev_submit, buf, sizeof buf);
    cr_assert(zero(ptr, strstr(buf, "waiting")), "a job that started at once: %s", buf);
}

Test(viz_model, the_executor_job_scenario_queues_its_third_job_for_two_seconds)
{
    open_scenario("executor_job");
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(sz, run->tr->n_jobs, (size_t)3));
    cr_assert(eq(sz, run->n_queued, (size_t)1));
    uint32_t j = run->jq_job[0];
    cr_assert(eq(u32, j, 2), "the last job submitted");
    cr_assert(eq(u32, vz_job_busy(run, j), 2));
    const tm_job *jb = &run->tr->jobs[j];
    cr_assert(eq(dbl, run->tr->events[jb->ev_start].t - run->tr->events[jb->ev_submit].t, 2.0));
}

Test(viz_model, jobs_queued_at_once_get_sub_rows_of_their_own_and_a_worker_slow_to_start_is_not_queued)
{
    /* One worker: #2 runs 0-1 s; #3 and #4 are submitted while it runs and wait
    ** together (two sub-rows); #5 is submitted at 3 s to an idle pool and its
    ** worker only starts it at 3.5 s -- late, but no worker had to come free. */
    static const char text[] =
        "{\"format\":\"coroscope-trace\",\"version\":2,\"scenario\":\"q\",\"clock\":\"real\","
        "\"semantics\":\"cpython-3.11\",\"producer\":\"test\"}\n"
        "{\"seq\":1,\"t\":0.0,\"ev\":\"job\",\"obj\":2,\"op\":\"submit\",\"worker\":-1,\"fn\":\"f\",\"fut\":0}\n"
        "{\"seq\":2,\"t\":0.0,\"ev\":\"job\",\"obj\":2,\"op\":\"start\",\"worker\":0,\"fn\":\"f\",\"fut\":0}\n"
        "{\"seq\":3,\"t\":0.1,\"ev\":\"job\",\"obj\":3,\"op\":\"submit\",\"worker\":-1,\"fn\":\"g\",\"fut\":0}\n"
        "{\"seq\":4,\"t\":0.2,\"ev\":\"job\",\"obj\":4,\"op\":\"submit\",\"worker\":-1,\"fn\":\"h\",\"fut\":0}\n"
        "{\"seq\":5,\"t\":1.0,\"ev\":\"job\",\"obj\":2,\"op\":\"done\",\"worker\":0,\"fn\":\"f\",\"fut\":0,\"outcome\":\"result\"}\n"
        "{\"seq\":6,\"t\":1.0,\"ev\":\"job\",\"obj\":3,\"op\":\"start\",\"worker\":0,\"fn\":\"g\",\"fut\":0}\n"
        "{\"seq\":7,\"t\":2.0,\"ev\":\"job\",\"obj\":3,\"op\":\"done\",\"worker\":0,\"fn\":\"g\",\"fut\":0,\"outcome\":\"result\"}\n"
        "{\"seq\":8,\"t\":2.0,\"ev\":\"job\",\"obj\":4,\"op\":\"start\",\"worker\":0,\"fn\":\"h\",\"fut\":0}\n"
        "{\"seq\":9,\"t\":2.5,\"ev\":\"job\",\"obj\":4,\"op\":\"done\",\"worker\":0,\"fn\":\"h\",\"fut\":0,\"outcome\":\"result\"}\n"
        "{\"seq\":10,\"t\":3.0,\"ev\":\"job\",\"obj\":5,\"op\":\"submit\",\"worker\":-1,\"fn\":\"k\",\"fut\":0}\n"
        "{\"seq\":11,\"t\":3.5,\"ev\":\"job\",\"obj\":5,\"op\":\"start\",\"worker\":0,\"fn\":\"k\",\"fut\":0}\n"
        "{\"seq\":12,\"t\":4.0,\"ev\":\"job\",\"obj\":5,\"op\":\"done\",\"worker\":0,\"fn\":\"k\",\"fut\":0,\"outcome\":\"result\"}\n"
        "{\"seq\":13,\"t\":4.0,\"ev\":\"end\",\"reason\":\"complete\"}\n";
    open_text(text);
    const vz_run *run = &doc.runs[0];
    uint32_t g = job_with_id(run, 3), h = job_with_id(run, 4), k = job_with_id(run, 5);
    cr_assert(eq(sz, run->n_queued, (size_t)2));
    cr_assert(eq(u32, vz_job_busy(run, g), 1));
    cr_assert(eq(u32, vz_job_busy(run, h), 1));
    cr_assert(eq(int, run->q_rows, 2), "waiting at the same time: two sub-rows");
    cr_assert(ne(int, run->jq_row[0], run->jq_row[1]));
    cr_assert(eq(u32, vz_job_busy(run, k), TM_NONE), "no worker was busy when k was submitted");
}

/* ---- findings ----------------------------------------------------------------------- */

static const vz_finding *finding(const vz_run *run, vz_finding_kind kind)
{
    for (size_t i = 0; i < run->n_findings; i++)
        if (run->findings[i].kind == kind)
            return &run->findings[i];
    return NULL;
}

Test(viz_model, sequential_awaits_are_reported_with_their_sum_and_longest)
{
    open_scenario("sequential");
    const vz_finding *f = finding(&doc.runs[0], VZ_FIND_SEQUENTIAL);
    cr_assert(not(zero(ptr, (void *)f)));
    cr_assert(eq(str, (char *)f->title,
                 "Task-1 awaited 3 calls one after another: 6 s in all; together they would take about 3 s"));
    cr_assert(eq(str, (char *)f->facts, "job('a', 3) 3 s + job('b', 1) 1 s + job('c', 2) 2 s = 6 s"));
    cr_assert(gt(sz, strlen(vz_finding_explain(VZ_FIND_SEQUENTIAL)), (size_t)200));
}

Test(viz_model, gather_and_wait_have_nothing_to_point_out)
{
    static const char *const names[] = {"gather", "wait", "as_completed"};
    open_scenarios(names, 3);
    for (size_t r = 0; r < 3; r++)
        cr_assert(eq(sz, doc.runs[r].n_findings, (size_t)0), "%s", names[r]);
}

Test(viz_model, a_swallowed_cancellation_is_reported)
{
    open_scenario("cancel_swallow");
    const vz_finding *f = finding(&doc.runs[0], VZ_FIND_SWALLOWED_CANCEL);
    cr_assert(not(zero(ptr, (void *)f)));
    cr_assert(eq(u32, f->task, task_named(&doc.runs[0], "stubborn")));
    cr_assert(eq(str, (char *)tm_kind_name((tm_kind)doc.runs[0].tr->events[f->ev].kind), "throw"));
}

Test(viz_model, a_cancellation_that_ends_the_task_is_not_reported)
{
    open_scenario("cancel_cleanup");
    cr_assert(zero(ptr, (void *)finding(&doc.runs[0], VZ_FIND_SWALLOWED_CANCEL)));
}

Test(viz_model, a_blocking_step_with_ready_tasks_is_reported_as_a_stall)
{
    open_scenario("blocking_call");
    const vz_finding *f = finding(&doc.runs[0], VZ_FIND_STALL);
    cr_assert(not(zero(ptr, (void *)f)));
    cr_assert(not(zero(ptr, strstr(f->title, "held the loop for 2 s"))), "title: %s", f->title);
}

static const char warned_trace[] =
    "{\"format\":\"coroscope-trace\",\"version\":1,\"scenario\":\"warned\",\"clock\":\"virtual\","
    "\"semantics\":\"cpython-3.11\",\"producer\":\"test\"}\n"
    "{\"seq\":1,\"t\":0.0,\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null,\"coro\":\"main\",\"h\":2}\n"
    "{\"seq\":2,\"t\":0.0,\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n"
    "{\"seq\":3,\"t\":0.0,\"ev\":\"task_new\",\"task\":3,\"name\":\"Task-2\",\"parent\":1,\"coro\":\"fail\",\"h\":4}\n"
    "{\"seq\":4,\"t\":0.0,\"ev\":\"task_new\",\"task\":5,\"name\":\"Task-3\",\"parent\":1,\"coro\":\"forever\",\"h\":6}\n"
    "{\"seq\":5,\"t\":0.0,\"ev\":\"step_end\",\"task\":1,\"reason\":\"yield\",\"h\":7,\"src\":\"x.py:3\"}\n"
    "{\"seq\":6,\"t\":0.0,\"ev\":\"step_begin\",\"task\":3,\"h\":4}\n"
    "{\"seq\":7,\"t\":0.0,\"ev\":\"step_end\",\"task\":3,\"reason\":\"raise\",\"exc\":\"ValueError\",\"msg\":\"boom\"}\n"
    "{\"seq\":8,\"t\":0.0,\"ev\":\"task_done\",\"task\":3,\"outcome\":\"exception\",\"exc\":\"ValueError\",\"msg\":\"boom\"}\n"
    "{\"seq\":9,\"t\":0.0,\"ev\":\"step_begin\",\"task\":5,\"h\":6}\n"
    "{\"seq\":10,\"t\":0.0,\"ev\":\"fut_new\",\"fut\":8,\"kind\":\"future\",\"label\":\"never\",\"by\":5}\n"
    "{\"seq\":11,\"t\":0.0,\"ev\":\"step_end\",\"task\":5,\"reason\":\"await\",\"fut\":8,\"on\":\"never\",\"src\":\"x.py:9\"}\n"
    "{\"seq\":12,\"t\":0.0,\"ev\":\"step_begin\",\"task\":1,\"h\":7}\n"
    "{\"seq\":13,\"t\":0.0,\"ev\":\"step_end\",\"task\":1,\"reason\":\"return\"}\n"
    "{\"seq\":14,\"t\":0.0,\"ev\":\"task_done\",\"task\":1,\"outcome\":\"result\",\"value\":null}\n"
    "{\"seq\":15,\"t\":0.0,\"ev\":\"warn\",\"kind\":\"pending_at_close\",\"msg\":\"Task was destroyed but it is pending!\",\"task\":5}\n"
    "{\"seq\":16,\"t\":0.0,\"ev\":\"warn\",\"kind\":\"never_retrieved\",\"msg\":\"Task exception was never retrieved\",\"task\":3}\n"
    "{\"seq\":17,\"t\":0.0,\"ev\":\"end\",\"reason\":\"complete\"}\n";

Test(viz_model, warnings_about_lost_exceptions_and_pending_tasks_become_findings)
{
    open_text(warned_trace);
    const vz_run *run = &doc.runs[0];
    const vz_finding *lost = finding(run, VZ_FIND_NEVER_RETRIEVED), *pending = finding(run, VZ_FIND_PENDING_AT_CLOSE);
    cr_assert(not(zero(ptr, (void *)lost)));
    cr_assert(not(zero(ptr, (void *)pending)));
    cr_assert(eq(str, (char *)lost->title, "Task-2 failed with ValueError: boom and nobody retrieved it"));
    cr_assert(eq(str, (char *)pending->title, "Task-3 was still pending when the loop closed"));
}

Test(viz_model, a_truncated_trace_loads_up_to_its_last_good_line)
{
    static const char text[] =
        "{\"format\":\"coroscope-trace\",\"version\":1,\"scenario\":\"cut\",\"clock\":\"virtual\","
        "\"semantics\":\"cpython-3.11\",\"producer\":\"test\"}\n"
        "{\"seq\":1,\"t\":0.0,\"ev\":\"task_new\",\"task\":1,\"name\":\"Task-1\",\"parent\":null,\"coro\":\"main\",\"h\":2}\n"
        "{\"seq\":2,\"t\":0.0,\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n"
        "{\"seq\":3,\"t\":0.0,\"ev\":\"step_end\",\"task\":1,\"reas";
    open_text(text);
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(sz, run->tr->n_events, (size_t)2));
    cr_assert(ge(sz, run->tr->n_problems, (size_t)1));
    cr_assert(eq(u32, run->tr->problems[0].line, 4));
    vz_doc_sync(&doc, doc.t_max, VZ_K_ALL);
    cr_assert(eq(u32, run->loop.running, 0), "the trace stops inside main's step");
}

Test(viz_model, building_a_doc_survives_every_allocation_failing)
{
    char path[128];
    record("gather", path, sizeof path);
    counting_on();
    for (long budget = 0;; budget++) {
        tm_error err;
        alloc_budget = -1;
        tm_trace *tr = tm_load(path, 0, &err);
        cr_assert(not(zero(ptr, tr)));
        vz_doc_init(&doc);
        alloc_budget = budget;
        int rc = vz_doc_add(&doc, tr, "gather", path);
        alloc_budget = -1;
        vz_doc_free(&doc);
        cr_assert(eq(long, live_allocs, 0), "budget %ld: nothing leaks (rc %d)", budget, rc);
        if (rc == 0)
            break;
        cr_assert(lt(long, budget, 1000L));
    }
    unlink(path);
}

/* ---- the overview ------------------------------------------------------------------------ */

Test(viz_model, the_concurrency_bins_count_tasks_per_state_at_the_busiest_moment_of_each_bin)
{
    long saved = co_scenario_size;
    co_scenario_size = 100;
    open_scenario("swarm");
    co_scenario_size = saved;
    const vz_run *run = &doc.runs[0];
    cr_assert(eq(u32, run->conc_peak, 101u), "main and its 100 workers alive at once");
    /* At 0.05 s every worker sleeps and main awaits the gather: 101 waiting. */
    const vz_conc *k = &vz_ov_bins(run, 0)[vz_ov_bin(run, 0, 0.05, VZ_OV_BINS)];
    cr_assert(eq(u32, k->waiting, 101u));
    cr_assert(eq(u32, k->running, 0u));
    cr_assert(eq(u32, k->ready, 0u));
    /* The counts never exceed what is alive, and one task runs at a time. */
    for (int mode = 0; mode < 2; mode++)
        for (size_t b = 0; b < VZ_OV_BINS; b++) {
            const vz_conc *c = &vz_ov_bins(run, mode)[b];
            cr_assert(le(u32, c->running, 1u));
            cr_assert(le(u32, c->running + c->ready + c->waiting, run->conc_peak));
        }
    /* Minimap cells: the state that took most of the cell. Main waits on the
    ** gather to the end; the first worker sleeps 0 + 0.3 + 0.6 + 0.9 + 0.2 s and
    ** is done from 2 s on. */
    const uint8_t *cells = vz_mm_cells(run, 0, 0);
    cr_assert(eq(int, cells[VZ_MM_COLS / 2], TM_STATE_WAITING + 1));
    cr_assert(eq(int, cells[VZ_MM_COLS - 1], TM_STATE_WAITING + 1));
    cells = vz_mm_cells(run, 0, 1);
    cr_assert(eq(int, cells[VZ_MM_COLS / 4], TM_STATE_WAITING + 1));
    cr_assert(eq(int, cells[VZ_MM_COLS * 2 / 3 - 1], TM_STATE_WAITING + 1), "asleep until 2 s");
    cr_assert(eq(int, cells[VZ_MM_COLS * 2 / 3 + 1], TM_STATE_DONE + 1), "done after 2 s");
}

Test(viz_model, names_sort_as_people_read_them)
{
    cr_assert(lt(int, vz_natural_cmp("Task-2", "Task-10"), 0));
    cr_assert(gt(int, vz_natural_cmp("Task-10", "Task-9"), 0));
    cr_assert(zero(int, vz_natural_cmp("Task-007", "Task-7")));
    cr_assert(lt(int, vz_natural_cmp("a", "b"), 0));
    cr_assert(lt(int, vz_natural_cmp("Task", "Task-1"), 0));
    cr_assert(lt(int, vz_natural_cmp("worker-2b", "worker-2c"), 0));
}

/* ---- huge text ---------------------------------------------------------------------- */

/*
** The formatter the viewer writes every line with reads only as much of a
** string as the line can hold: here the string runs into a page that may not
** be read, and formatting it into 300 bytes must not touch that page (a
** strlen of the whole string would fault; a 10 MB task name would cost 10 MB
** per line per frame).
*/
Test(viz_model, a_line_formatted_from_a_huge_string_reads_only_what_it_holds)
{
    long page = sysconf(_SC_PAGESIZE);
    char *mem = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    cr_assert(ne(ptr, (void *)mem, MAP_FAILED));
    cr_assert(zero(int, mprotect(mem + page, (size_t)page, PROT_NONE)));
    memset(mem, 'x', (size_t)page);   /* no NUL before the guard page */
    char buf[300];
    int n = tm_safe_snprintf(buf, sizeof buf, "%s waits", mem + page - 1000);
    cr_assert(eq(int, n, 299));
    cr_assert(eq(int, buf[0], 'x'));
    n = tm_safe_snprintf(buf, sizeof buf, "%.20s|", mem + page - 1000);
    cr_assert(eq(int, n, 21), "a precision bounds it too");
    munmap(mem, (size_t)page * 2);
}

Test(viz_model, a_ten_megabyte_task_name_and_print_make_sentences_of_a_line)
{
    size_t big = (size_t)10 << 20;
    char *text = malloc(2 * big + 4096);
    cr_assert(not(zero(ptr, text)));
    size_t len = (size_t)sprintf(text, "%s\n", "{\"format\":\"coroscope-trace\",\"version\":2,\"scenario\":\"x\",\"clock\":\"virtual\","
                                               "\"semantics\":\"cpython-3.11\",\"producer\":\"test\"}");
    len += (size_t)sprintf(text + len, "{\"seq\":1,\"t\":0.0,\"ev\":\"task_new\",\"task\":1,\"name\":\"");
    memset(text + len, 'n', big);
    len += big;
    len += (size_t)sprintf(text + len, "\",\"parent\":null,\"coro\":\"main\",\"h\":2}\n"
                                       "{\"seq\":2,\"t\":0.0,\"ev\":\"step_begin\",\"task\":1,\"h\":2}\n"
                                       "{\"seq\":3,\"t\":0.0,\"ev\":\"print\",\"task\":1,\"text\":\"");
    memset(text + len, 'p', big);
    len += big;
    sprintf(text + len, "\"}\n{\"seq\":4,\"t\":0.0,\"ev\":\"step_end\",\"task\":1,\"reason\":\"return\"}\n"
                        "{\"seq\":5,\"t\":0.0,\"ev\":\"task_done\",\"task\":1,\"outcome\":\"result\",\"value\":\"None\"}\n"
                        "{\"seq\":6,\"t\":0.0,\"ev\":\"end\",\"reason\":\"complete\"}\n");
    open_text(text);
    free(text);
    cr_assert(eq(sz, strlen(tm_text(doc.runs[0].tr, doc.runs[0].tr->tasks[0].name)), big), "the model keeps it whole");
    char line[512];
    for (uint32_t ev = 0; ev < doc.runs[0].tr->n_events; ev++) {
        vz_event_text(&doc.runs[0], ev, line, sizeof line);
        cr_assert(lt(sz, strlen(line), sizeof line));
    }
    vz_event_text(&doc.runs[0], 2, line, sizeof line);
    cr_assert(eq(int, strncmp(line, "nnnn", 4), 0), "the sentence starts with the name: %.40s", line);
}
