/*
** taskgroup.h -- asyncio.TaskGroup: structured concurrency for a block.
**
**     async with asyncio.TaskGroup() as tg:       co_taskgroup *tg = co_taskgroup_enter();
**         tg.create_task(job("a", 1))             co_taskgroup_create_task(tg, JOB("a", 1), NULL, NULL);
**         await something()                       co_exc *e = ...the body's first exception...;
**                                                 e = co_taskgroup_exit(tg, e);  // may suspend
**
** The block does not end before every child has: exit waits for them. The
** first child to fail (with anything but CancelledError) cancels the other
** children and the body -- that is, the task running the block, which sees
** CancelledError at its current await; exit takes that cancellation back
** (uncancel). The failures are then raised together as an ExceptionGroup
** ("unhandled errors in a TaskGroup"; a BaseExceptionGroup if one of them is
** not an Exception), the body's own exception last. Cancelling the task
** running the block from outside cancels the children too, and exit then
** raises CancelledError. KeyboardInterrupt and SystemExit are raised alone.
** All of this mirrors CPython 3.11's taskgroups.py (__aexit__, _abort,
** _on_task_done) step for step.
**
** One liberty: CPython keeps the children in a set, so the order in which an
** abort cancels them depends on their addresses; here it is creation order.
**
** Ownership: the group lives in the loop's arena until the loop is closed;
** its children are ordinary tasks of the loop. Recorded as `group` events
** (new, add, abort, exit).
*/
#ifndef CO_TASKGROUP_H
#define CO_TASKGROUP_H

#include "task.h"

typedef struct co_taskgroup co_taskgroup;

/* TaskGroup().__aenter__(): the group's parent is the current task (calling
** it outside a task is a misuse). NULL on no memory. Does not suspend. */
co_taskgroup *co_taskgroup_enter(void);

/* tg.create_task(coro, name=name): a child task, which the block's exit will
** wait for. NULL when the group refuses -- *err (if err is not NULL) gets
** RuntimeError "TaskGroup <TaskGroup ...> is finished" after the block ended,
** "... is shutting down" once it aborts -- or on no memory. */
co_task *co_taskgroup_create_task(co_taskgroup *tg, co_coro coro, const char *name, co_exc **err);

/* TaskGroup.__aexit__: body_exc is what the block's body raised (NULL for
** none). Waits for every child (may suspend), then returns what `async with`
** raises: NULL, CancelledError, KeyboardInterrupt/SystemExit, or the
** ExceptionGroup of the failures. Call it once, from the block's task. */
co_exc *co_taskgroup_exit_at(co_taskgroup *tg, co_exc *body_exc, const char *src);
#define co_taskgroup_exit(tg, body_exc) co_taskgroup_exit_at((tg), (body_exc), CO_HERE)

#endif
