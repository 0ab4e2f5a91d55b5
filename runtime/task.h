/*
** task.h -- asyncio.Task and coroutines: C functions that run on their own stack.
**
** A coroutine function is a C function that takes Python-style arguments and
** either returns NULL with *result set (Python's `return`) or returns an
** exception (Python's `raise`):
**
**     static co_exc *job(const co_value *args, co_value *result)
**     {
**         co_exc *e = co_sleep(args[1].u.f);   // await asyncio.sleep(delay)
**         if (e)
**             return e;                        // let CancelledError through
**         *result = args[0];                   // return name
**         return NULL;
**     }
**
** A co_coro bundles the function with its arguments, as calling `job("a", 3)` in
** Python makes a coroutine object without running it: CO_CORO(job, co_str("a"),
** co_float(3)). Awaiting it inside a task (co_await_coro) is a plain call; wrapping it
** in a task (co_create_task) gives it a stack of its own and schedules its
** first step. Every task runs on a stack from the loop's pool (in copy stack
** mode, on stacks shared by turns: loop.h, co_stack_mode); stacks are
** stackful, so any C function called from a coroutine may await.
**
** Suspension points -- the only calls that may switch to another task -- are
** the co_await family below and everything built on it (co_sleep, co_gather's
** await, queues ...). Each is a macro that records the file:line of the await
** for the trace. Calling one outside a task is a misuse: the runtime prints
** where and aborts.
*/
#ifndef CO_TASK_H
#define CO_TASK_H

#include "contextvars.h"
#include "future.h"

#define CO_MAXARGS 6

/* "file.c:12": the place in the source a macro is used at. */
#define CO__STR2(x) #x
#define CO__STR(x) CO__STR2(x)
#define CO_HERE (__FILE__ ":" CO__STR(__LINE__))

typedef co_exc *(*co_fn)(const co_value *args, co_value *result);

typedef struct co_coro {
    co_fn fn;                      /* the coroutine function */
    const char *name;              /* its name, as traces show it */
    int nargs;                     /* arguments used */
    co_value args[CO_MAXARGS];     /* the arguments, by value */
    size_t stack_size;             /* 0: the loop's default */
    const char *src;               /* file:line where it was made (CO_CORO), or NULL */
    uint32_t origin;               /* debug mode: its entry in the loop's list of coroutines, 0 none */
} co_coro;

/* A coroutine object. In debug mode (co_loop_set_debug) the current loop
** remembers it, as CPython's coroutine origin tracking does: one that is
** never awaited (nor wrapped in a task) is reported when asyncio.run() ends or
** the loop closes -- "RuntimeWarning: coroutine 'job' was never awaited" with
** where it was made -- and awaiting one twice raises RuntimeError("cannot
** reuse already awaited coroutine"). Copies of a co_coro are the same object. */
co_coro co_coro_make(co_fn fn, const char *name, int nargs, const co_value *args);
co_coro co_coro_make_at(co_fn fn, const char *name, int nargs, const co_value *args, const char *src);
#define CO_CORO(fn, ...) \
    co_coro_make_at((fn), #fn, (int)(sizeof((co_value[]){__VA_ARGS__}) / sizeof(co_value)), \
                    (co_value[]){__VA_ARGS__}, CO_HERE)
#define CO_CORO0(fn) co_coro_make_at((fn), #fn, 0, NULL, CO_HERE)

/* An awaitable as gather/ensure_future take it: a future (or task), or a
** coroutine not yet started. */
typedef struct co_aw {
    co_future *fut;                /* non-NULL: this future */
    co_coro coro;                  /* otherwise: this coroutine */
} co_aw;
static inline co_aw co_aw_fut(co_future *f) { co_aw a = {0}; a.fut = f; return a; }
static inline co_aw co_aw_coro(co_coro c) { co_aw a = {0}; a.coro = c; return a; }

/* asyncio.create_task(coro, name=name): name NULL means "Task-N" from the
** process-wide counter, as in CPython. The first step is scheduled with
** call_soon: the task does not run before its creator yields. Uses the running
** loop. co_loop_create_task is loop.create_task, which works before the loop
** runs; the two differ as in CPython 3.11 in one detail: create_task with a
** name still uses up a Task-N number, loop.create_task with a name does not.
** NULL on no memory. */
co_task *co_create_task(co_coro coro, const char *name);
co_task *co_loop_create_task(co_loop *L, co_coro coro, const char *name);

/* create_task(coro, name=name, context=ctx): the task's steps run in ctx
** itself, not in a copy of the current Context (ctx NULL: a copy, as above). */
co_task *co_create_task_in(co_coro coro, const char *name, co_vars *ctx);
co_task *co_loop_create_task_in(co_loop *L, co_coro coro, const char *name, co_vars *ctx);

/* asyncio.ensure_future: a future stays itself; a coroutine becomes a task. */
co_future *co_ensure_future(co_aw aw);

/* A task as a future; NULL stays NULL (awaiting NULL raises MemoryError, so a
** failed constructor propagates like Python's MemoryError). */
static inline co_future *co_task_future(co_task *t) { return (co_future *)t; }
const char *co_task_name(const co_task *t);
uint64_t co_task_id(const co_task *t);

/* Task.set_name(name) (NULL: "None", as str(None)); the trace keeps naming the
** task as it was named when created. Task.get_coro(); Task.get_context(). */
co_status co_task_set_name(co_task *t, const char *name);
co_coro co_task_get_coro(const co_task *t);
co_vars *co_task_get_context(const co_task *t);

/* Task.cancel(msg): if the task waits on a future, cancel that future;
** otherwise its next step raises CancelledError inside it. False if done. */
bool co_task_cancel(co_task *t, const char *msg);
int co_task_cancelling(const co_task *t);   /* pending cancel() requests */
int co_task_uncancel(co_task *t);           /* decrement; returns the new count */

co_task *co_current_task(void);             /* asyncio.current_task() or NULL */

/* asyncio.all_tasks(): the loop's unfinished tasks in creation order; returns
** how many there are and stores up to cap of them. */
size_t co_all_tasks(co_loop *L, co_task **out, size_t cap);

/* --- inside a task: these may suspend ------------------------------------ */


/* await fut: returns NULL with *out set (out may be NULL), or the exception the
** await raises (the future's, or CancelledError if this task is cancelled). A
** future already done does not suspend. f == NULL (a constructor that ran out
** of memory) raises MemoryError. */
co_exc *co_await_at(co_future *f, co_value *out, const char *src);
#define co_await(f, out) co_await_at((f), (out), CO_HERE)

/* await asyncio.sleep(delay): delay <= 0 is a bare yield (one iteration). */
co_exc *co_sleep_at(double delay, const char *src);
#define co_sleep(delay) co_sleep_at((delay), CO_HERE)

/* value = await asyncio.sleep(delay, result): *out (may be NULL) gets result. */
co_exc *co_sleep_result_at(double delay, co_value result, co_value *out, const char *src);
#define co_sleep_result(delay, result, out) co_sleep_result_at((delay), (result), (out), CO_HERE)

/* await coro (a plain call, recorded as frame_enter / frame_exit). */
co_exc *co_await_coro_at(co_coro coro, co_value *out, const char *src);
#define co_await_coro(coro, out) co_await_coro_at((coro), (out), CO_HERE)

/* print(...) from the running task: a `print` event (with the caller's file:line
** as its `src`), echoed to the loop's out. */
void co_print_at(const char *src, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
#define co_print(...) co_print_at(CO_HERE, __VA_ARGS__)

/* repr(v) / str(v) as a string in the loop's arena. */
const char *co_repr(co_value v);
const char *co_strv(co_value v);

/* asyncio.run(coro): a new main task (Task-1 in a fresh process), run until it
** is done, then cancel whatever tasks remain and run until they finish, as
** asyncio.run does (remaining tasks are cancelled in creation order). Writes the
** trace's `end` event. Returns the main task's exception, or NULL with *out set;
** *status (may be NULL) gets CO_EDEADLOCK if the loop deadlocked. */
co_exc *co_run(co_loop *L, co_coro main, co_value *out, co_status *status);

/* asyncio.Runner (3.11): several runs on one loop, then close.
**
**     co_runner *r = co_runner_new(NULL);          // with asyncio.Runner() as runner:
**     co_runner_run(r, CO_CORO0(first), &v, NULL);  //     runner.run(first())
**     co_runner_run(r, CO_CORO0(second), &v, NULL); //     runner.run(second())
**     co_runner_free(r);                             // (leaving the block)
**
** The loop is made at the first run (or co_runner_get_loop) with cfg (NULL:
** defaults). Each run makes a task (Task-N) that runs in the runner's one
** Context, so context variables a run sets are seen by the next, and runs the
** loop until it is done: tasks it leaves behind stay pending, to run during
** the next run. run returns the task's exception (RuntimeError "Runner is
** closed" after close), or NULL with *out set; *status the loop's status.
** close cancels what remains and waits for it, shuts down (the two shutdown
** coroutines of CPython, as tasks), writes the trace's `end`, frees the loop
** and returns the final status; a closed runner refuses to run. free closes
** if need be and frees the runner. SIGINT is not handled. */
typedef struct co_runner co_runner;
co_runner *co_runner_new(const co_loop_config *cfg);   /* NULL on no memory */
/* Runner(loop_factory=...) on a loop the caller made: close does all but free
** it (the caller closes it). */
co_runner *co_runner_new_with_loop(co_loop *L);
co_loop *co_runner_get_loop(co_runner *r);
co_exc *co_runner_run(co_runner *r, co_coro coro, co_value *out, co_status *status);
co_status co_runner_close(co_runner *r);              /* NULL is fine; again is fine */
co_status co_runner_free(co_runner *r);               /* NULL is fine */

#endif
