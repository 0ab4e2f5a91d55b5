/*
** coroscope.h -- everything a program written against the runtime needs.
**
**   loop.h      the event loop, clocks, call_soon / call_later
**   future.h    asyncio.Future
**   task.h      tasks, coroutines, co_await / co_sleep / co_await_coro, co_run
**   combine.h   gather, wait, as_completed
**   queue.h     asyncio.Queue
**   sync.h      Lock, Event, Semaphore, BoundedSemaphore, Condition
**   timeouts.h  wait_for, shield, timeout() / timeout_at()
**   taskgroup.h asyncio.TaskGroup
**   contextvars.h  ContextVar, Context: values that follow tasks and callbacks
**   exchandler.h   the loop's exception handler, what asyncio logs
**   executor.h  run_in_executor / to_thread, call_soon_threadsafe, blocking calls,
**               run_coroutine_threadsafe
**   value.h     Python values and exceptions
**   trace.h     the events the runtime records
*/
#ifndef COROSCOPE_H
#define COROSCOPE_H

#include "combine.h"
#include "contextvars.h"
#include "exchandler.h"
#include "executor.h"
#include "future.h"
#include "loop.h"
#include "queue.h"
#include "sync.h"
#include "taskgroup.h"
#include "timeouts.h"
#include "task.h"
#include "trace.h"
#include "value.h"

#endif
