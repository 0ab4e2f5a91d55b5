/*
** words.c -- plain words for asyncio's internal names, and the glossary (see
** words.h). The callbacks are those of CPython 3.11's Lib/asyncio that a
** trace shows: each line says which function the name belongs to.
*/
#include <string.h>

#include "words.h"

static const struct { const char *fn, *plain; } callbacks[] = {
    /* futures._set_result_unless_cancelled: the timer of asyncio.sleep() */
    {"_set_result_unless_cancelled", "timer ends a sleep"},
    /* base_events._run_until_complete_cb: asyncio.run's main task finished */
    {"_run_until_complete_cb", "asyncio.run sees main finish and stops the loop"},
    /* tasks._GatheringFuture / gather's _done_callback */
    {"gather._done_callback", "gather notes a child finished"},
    /* taskgroups.TaskGroup._on_task_done */
    {"TaskGroup._on_task_done", "the TaskGroup notes a child finished"},
    /* tasks.as_completed's _on_completion */
    {"as_completed._on_completion", "as_completed queues a finished task"},
    {"as_completed._on_timeout", "as_completed's timeout expires"},
    /* tasks._wait's _on_completion */
    {"_on_completion", "wait() notes a finished task"},
    /* tasks._release_waiter: wait() / wait_for() wake their caller */
    {"_release_waiter", "wakes the task that waits (wait / wait_for)"},
    /* timeouts.Timeout._on_timeout */
    {"Timeout._on_timeout", "the timeout expires and cancels its task"},
    /* tasks.shield's callbacks */
    {"shield._inner_done_callback", "shield passes the inner result on"},
    {"shield._outer_done_callback", "shield lets go of the inner task"},
    /* futures._chain_future's _set_state: an executor's result reaches the loop */
    {"_set_state", "copies an executor's result to its future"},
    /* futures._chain_future's _call_check_cancel */
    {"_call_check_cancel", "passes a cancellation on to the executor"},
};

const char *vz_plain_callback(const char *fn)
{
    for (size_t i = 0; i < sizeof callbacks / sizeof callbacks[0]; i++)
        if (!strcmp(fn, callbacks[i].fn))
            return callbacks[i].plain;
    return NULL;
}

const char *vz_callback_words(const char *fn)
{
    const char *p = vz_plain_callback(fn);
    return p ? p : fn;
}

/* Does the trace use as_completed (its _on_completion callbacks feed a queue)? */
static int uses_as_completed(const vz_run *run)
{
    const tm_trace *tr = run->tr;
    for (size_t i = 0; i < run->n_cbs && i < 64; i++)
        if (!strcmp(tm_text(tr, tr->events[run->cbs[i]].s1), "as_completed._on_completion"))
            return 1;
    return 0;
}

const char *vz_wait_words(const vz_run *run, const char *label)
{
    /* tasks.wait_for: after the timeout, the inner task is cancelled and awaited. */
    if (!strcmp(label, "_cancel_and_wait()"))
        return "the cancelled task to finish (wait_for)";
    /* tasks.as_completed: each `await` takes the next finished task from a queue. */
    if (!strcmp(label, "queue.get()") && uses_as_completed(run))
        return "the next completion (as_completed)";
    /* taskgroups.TaskGroup.__aexit__: the block's end waits for every child. */
    if (!strcmp(label, "taskgroup.__aexit__()"))
        return "its children (end of async with TaskGroup)";
    return label;
}

static const struct { const char *word, *meaning; } terms[VZ_TERM__COUNT] = {
    [VZ_TERM_RUNNING] = {"running", "The task's code is executing. Only one task runs at a time: the loop runs it "
                                    "until it awaits something that is not ready, returns or raises."},
    [VZ_TERM_READY] = {"ready", "The task can go on and is in the loop's ready queue, waiting for its turn. "
                                "Ready tasks run in the order they were queued."},
    [VZ_TERM_WAITING] = {"waiting", "The task is suspended on a future (a sleep, another task, a lock, a queue, "
                                    "a socket) and uses no time; it becomes ready when that future is done."},
    [VZ_TERM_DONE] = {"done", "The task finished: it returned a value, raised an exception (failed) or was "
                              "cancelled. Its result stays in the task for whoever awaits it."},
    [VZ_TERM_STEP] = {"step", "One run of a task's coroutine by the loop, from where it resumed to the next "
                              "await that suspends it (Task.__step in CPython). A step takes no loop time "
                              "unless it computes or blocks."},
    [VZ_TERM_HANDLE] = {"handle", "An entry of the loop's ready queue: a task's next step, or a callback. Each "
                                  "loop iteration runs the handles that were ready when it began."},
    [VZ_TERM_CALLBACK] = {"callback", "A plain function the loop calls, not a task: a timer's, or one a future "
                                      "runs when it is done (gather and TaskGroup count their children this way)."},
    [VZ_TERM_TIMER] = {"timer", "A callback due at a loop time (call_later): asyncio.sleep(2) sets one that ends "
                                "the sleep. When nothing is ready the loop jumps or waits to the next timer."},
    [VZ_TERM_FUTURE] = {"future", "A box for a result that is not there yet. Awaiting it suspends the task; "
                                  "setting its result (or exception) wakes everyone waiting. A task is a future "
                                  "too."},
    [VZ_TERM_WAKEUP] = {"wake-up", "When a future a task waits on is done, the task's next step is put in the "
                                   "ready queue; it runs in a later loop iteration, not at once."},
    [VZ_TERM_IDLE] = {"idle", "Nothing is ready: the loop waits for the next timer or for I/O. Under the "
                              "virtual clock the wait is a jump of the clock."},
    [VZ_TERM_CANCEL] = {"cancel", "cancel() asks a task to stop: CancelledError is raised inside it at the "
                                  "await where it is suspended, the next time it runs."},
};

const char *vz_term_word(vz_term term)
{
    return (unsigned)term < VZ_TERM__COUNT ? terms[term].word : "";
}

const char *vz_term_meaning(vz_term term)
{
    return (unsigned)term < VZ_TERM__COUNT ? terms[term].meaning : "";
}
