#!/usr/bin/env python3
"""coroscope_record -- record how CPython's asyncio schedules a program.

Runs a Python program as __main__ with asyncio.run() replaced by run() below,
which drives the program's main coroutine on a *virtual-clock* event loop and
writes a coroscope trace (JSON Lines, traces/FORMAT.md, version 1).

    python3 coroscope_record.py PROGRAM.py [-o OUT.jsonl] [--scenario NAME]
                                [--size N] [-- PROGRAM-ARGS...]

The point of the recorder is fidelity: the schedule it records must be exactly
the one CPython 3.11's asyncio produces, so that the C runtime can be checked
against it (tests/scripts/parity.py). The recorder therefore only *observes*:

* The loop is asyncio's own selector event loop. Only two things differ:
  time() returns a virtual "now" that starts at 0.0, and the selector's
  select(timeout) advances it by `now = now + timeout` instead of sleeping.
  Everything else (_run_once, the timer heap, the ready queue) is CPython's.
* Tasks are asyncio's pure-Python Task (asyncio.tasks._PyTask) with a few
  methods wrapped to write events; the wrappers call the original methods once
  and schedule nothing. While a recording runs, asyncio.Task (and
  asyncio.tasks.Task, which loop.create_task() instantiates) name that class,
  so a task gets its name exactly as in CPython: "Task-N" from the pure-Python
  counter asyncio.tasks._task_name_counter, consumed whenever a task is made
  without a name -- including asyncio.create_task(coro, name=...), which in
  3.11 makes an unnamed task and renames it.
* Hooks on the loop (_call_soon, call_at, _timer_handle_cancelled, select)
  watch handles and timers go by; they return what CPython returns.

Only the standard library is used.
"""

import argparse
import asyncio
import contextvars
import heapq
import io
import json
import os
import platform
import runpy
import selectors
import sys
import threading
import traceback
import weakref

from asyncio import base_events, coroutines, events, exceptions, futures, tasks

FORMAT_NAME = "coroscope-trace"
FORMAT_VERSION = 1
PRODUCER = "coroscope-record (CPython %s)" % platform.python_version()
PROG = "coroscope-record"

_ASYNCIO_DIR = os.path.dirname(os.path.abspath(asyncio.__file__)) + os.sep
_ORIGINAL_TASK = tasks.Task            # the C Task that asyncio.Task names
_PY_TASK = tasks._PyTask
_STEP = _PY_TASK._Task__step           # Task.__step, name-mangled
_WAKEUP = _PY_TASK._Task__wakeup       # Task.__wakeup, name-mangled
_SCHEDULE_CALLBACKS = futures._PyFuture._Future__schedule_callbacks
_HANDLE_RUN_CODE = events.Handle._run.__code__
_GATHERING_FUTURE = getattr(tasks, "_GatheringFuture", None)
_ENCODER = json.JSONEncoder(separators=(",", ":"))   # compact, ASCII-only


class DeadlockError(BaseException):
    """The loop waits with nothing that could ever wake it.

    A BaseException, so that the program's own `except Exception` around
    asyncio.run() does not swallow it on the way out.
    """


class _Deadlock(BaseException):
    """Raised inside select() to unwind the loop; run() turns it into events."""


# --------------------------------------------------------------------------
# JSON helpers

def json_value(value, _depth=0):
    """A result as FORMAT.md's `value`: None, bools, numbers, strings, lists
    (tuples too) as arrays, exceptions as {"exc", "msg"}, anything else as its
    repr string. Floats that JSON cannot hold (nan, inf) become their repr."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value == value and value not in (float("inf"), float("-inf")) else repr(value)
    if isinstance(value, BaseException):
        return {"exc": type(value).__name__, "msg": _exc_msg(value)}
    if isinstance(value, (list, tuple)) and _depth < 50:
        return [json_value(item, _depth + 1) for item in value]
    try:
        return repr(value)
    except Exception:   # a broken __repr__ must not break the recording
        return "<%s object>" % type(value).__name__


def _exc_msg(exc):
    try:
        return str(exc)
    except Exception:
        return "<unprintable %s>" % type(exc).__name__


def _callable_name(fn):
    """A short name for a callback: its qualified name, bound methods included."""
    if fn is None:
        return None
    fn = getattr(fn, "func", fn)                    # functools.partial
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    return name if name else type(fn).__name__


# --------------------------------------------------------------------------
# Ids

class _IdMap:
    """Ids for objects that carry no id of their own (futures, timers).

    Keyed by object identity; an entry is dropped when its object dies, so a
    later object at the same address gets a fresh id -- an id is never reused.
    Objects that cannot be weakly referenced are kept alive instead.
    """

    def __init__(self):
        self._ids = {}          # id(obj) -> (weakref or obj, number)
        self._pinned = []

    def get(self, obj):
        entry = self._ids.get(id(obj))
        if entry is None:
            return None
        ref, number = entry
        target = ref() if isinstance(ref, weakref.ref) else ref
        return number if target is obj else None

    def put(self, obj, number):
        key = id(obj)
        try:
            ref = weakref.ref(obj, lambda r, k=key: self._forget(k, r))
        except TypeError:
            self._pinned.append(obj)
            ref = obj
        self._ids[key] = (ref, number)

    def _forget(self, key, ref):
        entry = self._ids.get(key)
        if entry is not None and entry[0] is ref:
            del self._ids[key]


# --------------------------------------------------------------------------
# The trace writer

class Recorder:
    """Writes one trace: numbering, ids, the header, one event per line.

    `out` is a text stream, or None to run the virtual loop without writing.
    Events are written only while `active`; write errors are remembered (the
    program must not see them) and reported by the caller at the end.
    """

    def __init__(self, out, scenario):
        self.out = out
        self.scenario = scenario
        self.seq = 0
        self.last_id = 0
        self.loop = None
        self.active = False
        self.finished = False
        self.write_error = None
        self.via_override = None    # who cancels during asyncio.run's shutdown
        self.pending_new = None     # a task_new held back until its name is final
        self.ids = _IdMap()
        self.reported_done = set()  # ids of futures whose fut_done was written

    # -- ids

    def new_id(self):
        self.last_id += 1
        return self.last_id

    def id_of(self, obj):
        """The id of a task or future, assigned on first sight."""
        own = getattr(obj, "_rec_id", None)
        if own is not None and getattr(obj, "_rec", None) is self:
            return own
        number = self.ids.get(obj)
        if number is None:
            number = self.new_id()
            self.ids.put(obj, number)
        return number

    # -- writing

    def now(self):
        return self.loop.time() if self.loop is not None else 0.0

    def _write_line(self, obj):
        if self.out is None or self.write_error is not None:
            return
        try:
            self.out.write(_ENCODER.encode(obj) + "\n")
        except (OSError, ValueError) as exc:
            self.write_error = exc

    def header(self):
        self._write_line({"format": FORMAT_NAME, "version": FORMAT_VERSION,
                          "scenario": self.scenario, "clock": "virtual",
                          "semantics": "cpython-3.11", "producer": PRODUCER})

    def emit(self, ev, fields):
        """Write event `ev`; `fields` is a list of (name, value) pairs in
        FORMAT.md's order."""
        if not self.active:
            return
        if self.pending_new is not None:
            self._flush_new()
        self._emit(ev, fields)

    def _emit(self, ev, fields):
        self.seq += 1
        obj = {"seq": self.seq, "t": self.now(), "ev": ev}
        for name, value in fields:
            obj[name] = value
        self._write_line(obj)

    def _flush_new(self):
        task = self.pending_new
        self.pending_new = None
        self._emit("task_new", [("task", task._rec_id), ("name", task.get_name()),
                                ("parent", task._rec_parent), ("coro", task._rec_coro),
                                ("h", task._rec_h)])

    def task_new(self, task):
        # asyncio.create_task(coro, name=...) creates the task unnamed and then
        # renames it, with nothing in between; holding the event until the
        # next one is written lets it carry the final name.
        if not self.active:
            return
        if self.pending_new is not None:
            self._flush_new()
        self.pending_new = task

    def end(self, reason):
        if self.active:
            self.emit("end", [("reason", reason)])
        self.active = False
        self.finished = True

    def flush(self):
        if self.out is not None and self.write_error is None:
            try:
                self.out.flush()
            except (OSError, ValueError) as exc:
                self.write_error = exc

    # -- context

    def current_task(self):
        """The recorded task whose step is running, or None."""
        loop = self.loop
        if loop is None:
            return None
        task = tasks._current_tasks.get(loop)
        if task is not None and getattr(task, "_rec", None) is self:
            return task
        return None

    def current_task_id(self):
        task = self.current_task()
        return task._rec_id if task is not None else None

    def by_via(self):
        """(by, via): the running task's id, or null and the running callback."""
        task = self.current_task()
        if task is not None:
            return task._rec_id, None
        if self.via_override is not None:
            return None, self.via_override
        frame = sys._getframe(1)
        while frame is not None:
            if frame.f_code is _HANDLE_RUN_CODE:
                handle = frame.f_locals.get("self")
                return None, _callable_name(getattr(handle, "_callback", None))
            frame = frame.f_back
        return None, None


_DISABLED = Recorder(None, "")      # stands in when nothing is being recorded


# --------------------------------------------------------------------------
# Where a task waits

def _await_chain(coro):
    """The coroutine/generator objects a suspended task is inside, outermost
    first (a coroutine awaiting a coroutine awaiting ... ; futures end it)."""
    chain = []
    obj = coro
    while obj is not None and len(chain) < 200:
        frame = (getattr(obj, "cr_frame", None) or getattr(obj, "gi_frame", None)
                 or getattr(obj, "ag_frame", None))
        if frame is None:
            break
        chain.append(obj)
        obj = (getattr(obj, "cr_await", None) or getattr(obj, "gi_yieldfrom", None)
               or getattr(obj, "ag_await", None))
    return chain


def _frame_of(obj):
    return (getattr(obj, "cr_frame", None) or getattr(obj, "gi_frame", None)
            or getattr(obj, "ag_frame", None))


_in_asyncio_cache = {}


def _in_asyncio(filename):
    """Whether a code object's file is part of the asyncio package."""
    inside = _in_asyncio_cache.get(filename)
    if inside is None:
        inside = os.path.abspath(filename).startswith(_ASYNCIO_DIR)
        _in_asyncio_cache[filename] = inside
    return inside


def _src(chain):
    """file:line of the innermost suspended frame in the program's own code
    (asyncio's internals, such as sleep(), are skipped)."""
    for obj in reversed(chain):
        frame = _frame_of(obj)
        filename = frame.f_code.co_filename
        if not _in_asyncio(filename):
            return "%s:%d" % (os.path.basename(filename), frame.f_lineno)
    if chain:
        frame = _frame_of(chain[-1])
        return "%s:%d" % (os.path.basename(frame.f_code.co_filename), frame.f_lineno)
    return None


def _label(waiter, chain):
    """A short label for what a task waits on: a task's name, "gather",
    "sleep(2)", or the asyncio coroutine the program called."""
    if isinstance(waiter, (_PY_TASK, _ORIGINAL_TASK)):
        return waiter.get_name()
    if _GATHERING_FUTURE is not None and isinstance(waiter, _GATHERING_FUTURE):
        return "gather"
    for obj in chain:            # the outermost asyncio coroutine is the API called
        if not hasattr(obj, "cr_frame"):
            continue
        frame = obj.cr_frame
        if not _in_asyncio(frame.f_code.co_filename):
            continue
        name = frame.f_code.co_qualname
        if name == "sleep":
            delay = frame.f_locals.get("delay")
            return "sleep(%r)" % (delay,)
        if name.endswith("_wait_for_one"):
            return "as_completed"
        return name.lstrip("_")
    return "future"


# --------------------------------------------------------------------------
# The recorded Task

class RecordedTask(_PY_TASK):
    """asyncio's pure-Python Task, writing events as it goes.

    Each override calls the original exactly once and adds no scheduling; the
    events come from observing the task's state before and after.
    """

    def __init__(self, coro, *, loop=None, name=None, context=None):
        rec = _current_recorder()
        self._rec = rec
        self._rec_id = rec.new_id()     # before the first step's handle gets one
        self._rec_h = None              # id of the handle that will run the next step
        self._rec_parent = rec.current_task_id()
        self._rec_coro = _callable_name(coro) if coro is not None else None
        self._rec_in_step = False
        super().__init__(coro, loop=loop, name=name, context=context)
        if self._loop is not rec.loop:      # a task of some other loop: not ours
            self._rec = _DISABLED
            return
        rec.task_new(self)

    def _Task__step(self, exc=None):
        rec = self._rec
        if not rec.active:
            return _STEP(self, exc)
        task_id = self._rec_id
        rec.emit("step_begin", [("task", task_id), ("h", self._rec_h)])
        self._rec_h = None
        delivered = exc
        if self._must_cancel and not isinstance(exc, exceptions.CancelledError):
            delivered = (exceptions.CancelledError() if self._cancel_message is None
                         else exceptions.CancelledError(self._cancel_message))
        if delivered is not None:
            rec.emit("throw", [("task", task_id), ("exc", type(delivered).__name__),
                               ("msg", _exc_msg(delivered))])
        self._rec_in_step = True
        try:
            result = _STEP(self, exc)
        finally:
            self._rec_in_step = False
        if not self.done():
            # Done tasks were reported from _Future__schedule_callbacks.
            waiter = self._fut_waiter
            chain = _await_chain(self._coro)
            if waiter is not None:
                rec.emit("step_end", [("task", task_id), ("reason", "await"),
                                      ("fut", rec.id_of(waiter)),
                                      ("on", _label(waiter, chain)),
                                      ("src", _src(chain))])
            else:
                rec.emit("step_end", [("task", task_id), ("reason", "yield"),
                                      ("h", self._rec_h), ("src", _src(chain))])
        return result

    def _Future__schedule_callbacks(self):
        # Task.__step finishing the task: the coroutine is gone, the state is
        # final, and the waiters are about to be woken. sys.exc_info() is the
        # exception __step is handling: StopIteration for a return.
        rec = self._rec
        if rec.active and self._rec_in_step:
            self._rec_in_step = False
            handled = sys.exc_info()[1]
            task_id = self._rec_id
            if isinstance(handled, StopIteration):
                end = [("task", task_id), ("reason", "return")]
            elif isinstance(handled, exceptions.CancelledError):
                end = [("task", task_id), ("reason", "cancelled"), ("msg", _exc_msg(handled))]
            else:
                end = [("task", task_id), ("reason", "raise"),
                       ("exc", type(handled).__name__ if handled is not None else None),
                       ("msg", _exc_msg(handled) if handled is not None else None)]
            rec.emit("step_end", end)
            rec.emit("task_done", [("task", task_id)] + _outcome(self))
        _SCHEDULE_CALLBACKS(self)

    def cancel(self, msg=None):
        rec = self._rec
        if rec.active:
            by, via = rec.by_via()
            done = self.done()
            rec.emit("cancel", [("target", self._rec_id), ("by", by), ("via", via),
                                ("msg", msg), ("ok", not done)])
            waiter = self._fut_waiter
            if (not done and waiter is not None and not isinstance(waiter, RecordedTask)
                    and type(waiter).cancel is futures.Future.cancel):
                # Task.cancel() passes the request on to the plain future it
                # waits on; Future.cancel() succeeds iff that future is pending.
                rec.emit("cancel", [("target", rec.id_of(waiter)), ("by", by), ("via", via),
                                    ("msg", msg), ("ok", not waiter.done())])
        return super().cancel(msg)

    def uncancel(self):
        count = super().uncancel()
        if self._rec.active:
            self._rec.emit("uncancel", [("task", self._rec_id), ("count", count)])
        return count


# --------------------------------------------------------------------------
# The virtual-clock loop

class VirtualSelector(selectors.DefaultSelector):
    """The loop's selector. select(timeout) jumps the virtual clock instead of
    sleeping, unless something real (another thread, a registered file) could
    wake the loop, in which case it polls or waits for real."""

    loop = None

    def select(self, timeout=None):
        loop = self.loop
        if not self._real_wakers():
            if timeout is None:
                raise _Deadlock()
            if timeout > 0:
                loop._advance(timeout)
            return []
        if timeout is None:
            return super().select(None)
        events_ = super().select(0)
        if not events_ and timeout > 0:
            loop._advance(timeout)
        return events_

    def _real_wakers(self):
        """Whether anything outside the loop could make it runnable: a file
        other than the loop's self-pipe, or another thread (which may call
        call_soon_threadsafe)."""
        own = self.loop._ssock.fileno() if self.loop._ssock is not None else -1
        for key in self.get_map().values():
            if key.fd != own:
                return True
        return threading.active_count() > 1


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """asyncio's selector event loop on a virtual clock, with hooks that record
    handles and timers. The hooks return exactly what CPython returns."""

    def __init__(self, recorder):
        self._now = 0.0
        self._rec = recorder
        selector = VirtualSelector()
        selector.loop = self
        super().__init__(selector)
        self._clock_resolution = 1e-09

    def time(self):
        return self._now

    def _advance(self, timeout):
        """The clock jump of one select(timeout), then the timers that
        _run_once is about to move to the ready queue, in heap-pop order."""
        before = self._now
        self._now = self._now + timeout
        rec = self._rec
        if not rec.active:
            return
        if self._now != before:
            rec.emit("idle", [("from", before), ("until", self._now)])
        end_time = self._now + self._clock_resolution
        if self._scheduled and self._scheduled[0]._when < end_time:
            heap = list(self._scheduled)
            while heap and heap[0]._when < end_time:
                timer = heapq.heappop(heap)
                if not timer._cancelled:
                    number = rec.ids.get(timer)
                    if number is not None:
                        rec.emit("timer_fire", [("timer", number)])

    def _call_soon(self, callback, args, context):
        handle = super()._call_soon(callback, args, context)
        rec = self._rec
        task = getattr(callback, "__self__", None)
        if isinstance(task, RecordedTask) and task._rec is rec:
            func = callback.__func__
            if func is RecordedTask._Task__step:
                task._rec_h = rec.new_id()
            elif func is _WAKEUP:
                task._rec_h = rec.new_id()
                if rec.active and args:
                    fut = args[0]
                    fut_id = rec.id_of(fut)
                    if not isinstance(fut, RecordedTask) and fut_id not in rec.reported_done:
                        rec.reported_done.add(fut_id)
                        by, via = rec.by_via()
                        rec.emit("fut_done", [("fut", fut_id)] + _outcome(fut)
                                 + [("by", by), ("via", via)])
                    rec.emit("wake", [("task", task._rec_id), ("fut", fut_id),
                                      ("h", task._rec_h)])
        return handle

    def call_at(self, when, callback, *args, context=None):
        timer = super().call_at(when, callback, *args, context=context)
        rec = self._rec
        if rec.active:
            number = rec.new_id()
            rec.ids.put(timer, number)
            rec.emit("timer_new", [("timer", number), ("when", float(when)),
                                   ("fn", _callable_name(callback))])
        return timer

    def _timer_handle_cancelled(self, handle):
        rec = self._rec
        if rec.active and handle._scheduled:
            number = rec.ids.get(handle)
            if number is not None:
                rec.emit("timer_cancel", [("timer", number)])
        super()._timer_handle_cancelled(handle)


def _outcome(fut):
    """FORMAT.md's outcome fields for a finished task or future, read without
    marking an exception as retrieved (fut.exception() would, and so silence
    asyncio's "exception was never retrieved" warning)."""
    if fut.cancelled():
        exc = getattr(fut, "_cancelled_exc", None)      # what __step caught
        if exc is None:
            message = getattr(fut, "_cancel_message", None)
            exc = (exceptions.CancelledError() if message is None
                   else exceptions.CancelledError(message))
        return [("outcome", "cancelled"), ("msg", _exc_msg(exc))]
    exc = getattr(fut, "_exception", None)
    if exc is not None:
        return [("outcome", "exception"), ("exc", type(exc).__name__), ("msg", _exc_msg(exc))]
    return [("outcome", "result"), ("value", json_value(getattr(fut, "_result", None)))]


# --------------------------------------------------------------------------
# asyncio.run(), recorded

_recorder_for_next_run = None   # set by the command line: the first run records
_current = [_DISABLED]          # the recorder of the run in progress
_capture = [None]               # the PrintCapture standing in for sys.stdout


def _current_recorder():
    return _current[0]


def _creation_order(task):
    number = getattr(task, "_rec_id", None)
    return (0, number) if number is not None else (1, 0)


def _waiting_description(rec, task):
    waiter = getattr(task, "_fut_waiter", None)
    chain = _await_chain(task.get_coro())
    where = _src(chain)
    what = _label(waiter, chain) if waiter is not None else "nothing"
    return "%s waits on %s%s" % (task.get_name(), what, " at " + where if where else "")


def _report_deadlock(loop, rec):
    """Write the deadlock warn and end; return a one-line description."""
    waiting = sorted(tasks.all_tasks(loop), key=_creation_order)
    names = "; ".join(_waiting_description(rec, t) for t in waiting) or "no tasks"
    msg = "deadlock: nothing can wake the loop (no timers, no ready handles, no files); %s" % names
    rec.emit("warn", [("kind", "deadlock"), ("msg", msg), ("task", None)])
    rec.end("deadlock")
    for task in waiting:
        task._log_destroy_pending = False
    return "deadlock at t=%r: %s" % (loop.time(), names)


def _cancel_all_tasks(loop, rec):
    """asyncio.runners._cancel_all_tasks, cancelling in creation order."""
    to_cancel = sorted(tasks.all_tasks(loop), key=_creation_order)
    if not to_cancel:
        return
    rec.via_override = "asyncio.run"
    try:
        for task in to_cancel:
            task.cancel()
    finally:
        rec.via_override = None
    loop.run_until_complete(tasks.gather(*to_cancel, return_exceptions=True))
    for task in to_cancel:
        if task.cancelled():
            continue
        if task.exception() is not None:
            loop.call_exception_handler({
                "message": "unhandled exception during asyncio.run() shutdown",
                "exception": task.exception(),
                "task": task,
            })


def run(main, *, debug=None):
    """asyncio.run(main) on the virtual-clock loop, recording the first call.

    Mirrors CPython 3.11's asyncio.run: the main task is created with
    loop.create_task (so it is Task-1), run to completion; then the remaining
    tasks are cancelled and gathered, async generators and the default
    executor are shut down, and the loop is closed. The trace's `end` event is
    written after the cancellation phase; the shutdown is not recorded.
    Returns main's result or raises its exception.
    """
    global _recorder_for_next_run
    if events._get_running_loop() is not None:
        raise RuntimeError("asyncio.run() cannot be called from a running event loop")
    if not coroutines.iscoroutine(main):
        raise ValueError("a coroutine was expected, got {!r}".format(main))

    rec = _recorder_for_next_run
    _recorder_for_next_run = None
    if rec is None:
        rec = Recorder(None, "")
    loop = VirtualClockLoop(rec)
    rec.loop = loop
    _current[0] = rec
    saved_task = (asyncio.Task, tasks.Task)
    asyncio.Task = tasks.Task = RecordedTask
    rec.active = rec.out is not None
    try:
        events.set_event_loop(loop)
        if debug is not None:
            loop.set_debug(debug)
        context = contextvars.copy_context()
        task = loop.create_task(main, context=context)
        try:
            try:
                result = loop.run_until_complete(task)
            except _Deadlock:
                raise
            except BaseException:
                _close(loop, rec, task)
                raise
            _close(loop, rec, task)
            return result
        except _Deadlock:
            raise DeadlockError(_report_deadlock(loop, rec)) from None
    finally:
        if rec.active:
            rec.end("error")
        rec.flush()
        events.set_event_loop(None)
        loop.close()
        asyncio.Task, tasks.Task = saved_task
        _current[0] = _DISABLED


def _close(loop, rec, main_task):
    """asyncio.Runner.close(): cancel what is left, end the trace, then shut
    down async generators and the default executor without recording."""
    _cancel_all_tasks(loop, rec)
    if _capture[0] is not None:
        _capture[0].finish_line()
    rec.end("complete" if main_task.done() else "error")
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.run_until_complete(loop.shutdown_default_executor())


# --------------------------------------------------------------------------
# The program's output

class PrintCapture(io.TextIOBase):
    """Stands in for sys.stdout: passes the text on to `echo` at once and,
    while a recording runs, turns each completed line into a `print` event
    attributed to the task running when the line was completed."""

    def __init__(self, echo):
        super().__init__()
        self._echo = echo
        self._partial = []

    @property
    def encoding(self):
        return getattr(self._echo, "encoding", "utf-8")

    @property
    def errors(self):
        return getattr(self._echo, "errors", "strict")

    def writable(self):
        return True

    def isatty(self):
        return False

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s" % type(text).__name__)
        self._echo.write(text)
        rec = _current_recorder()
        if not rec.active:
            return len(text)
        lines = text.split("\n")
        for line in lines[:-1]:
            self._partial.append(line)
            rec.emit("print", [("task", rec.current_task_id()), ("text", "".join(self._partial))])
            self._partial = []
        if lines[-1]:
            self._partial.append(lines[-1])
        return len(text)

    def finish_line(self):
        """Record a last line that was printed without its newline."""
        rec = _current_recorder()
        if self._partial and rec.active:
            rec.emit("print", [("task", rec.current_task_id()), ("text", "".join(self._partial))])
        self._partial = []

    def flush(self):
        self._echo.flush()

    @property
    def buffer(self):
        return self._echo.buffer


# --------------------------------------------------------------------------
# The command line

def _fail(status, message):
    sys.stderr.write("%s: %s\n" % (PROG, message))
    return status


def _parse(argv):
    if "--" in argv:
        cut = argv.index("--")
        argv, program_args = argv[:cut], argv[cut + 1:]
    else:
        program_args = []
    parser = argparse.ArgumentParser(
        prog="coroscope_record.py",
        description="Run a Python asyncio program under a virtual clock and write "
                    "a coroscope trace of how CPython scheduled it.")
    parser.add_argument("program", help="the Python program to run (as __main__)")
    parser.add_argument("-o", "--output", default="-", metavar="OUT",
                        help="trace file to write; '-' (the default) is stdout, "
                             "and the program's own output then goes to stderr")
    parser.add_argument("--scenario", metavar="NAME",
                        help="the header's scenario name (default: the program's file stem)")
    parser.add_argument("--size", metavar="N",
                        help="set COROSCOPE_SIZE=N for the program (the swarm scenario reads it)")
    args = parser.parse_args(argv)
    if args.size is not None:
        try:
            if int(args.size) < 0:
                raise ValueError
        except ValueError:
            parser.error("--size: expected a non-negative integer, got %r" % args.size)
    return args, program_args


def _print_program_exception(exc):
    """The program's traceback, without the recorder's and runpy's frames on top."""
    skip = {os.path.abspath(__file__), os.path.abspath(runpy.__file__)}
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not (filename.startswith("<frozen runpy") or os.path.abspath(filename) in skip):
            break
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb, file=sys.stderr)


def main(argv=None):
    global _recorder_for_next_run
    args, program_args = _parse(sys.argv[1:] if argv is None else argv)
    program = args.program

    try:
        with open(program, "rb") as f:
            source = f.read()
    except OSError as exc:
        return _fail(2, "cannot read program %s: %s; check the path and try again"
                     % (program, exc.strerror or exc))
    try:
        compile(source, program, "exec")
    except SyntaxError as exc:
        where = "%s:%s" % (exc.filename or program, exc.lineno or "?")
        if exc.offset:
            where += ":%d" % exc.offset
        return _fail(1, "syntax error in %s: %s; fix the program and record again"
                     % (where, exc.msg))
    except ValueError as exc:            # e.g. null bytes in the source
        return _fail(1, "cannot compile %s: %s" % (program, exc))

    scenario = args.scenario or os.path.splitext(os.path.basename(program))[0]
    to_stdout = args.output == "-"
    if to_stdout:
        out = sys.stdout        # JSON is written ASCII-only, so any encoding will do
        out_name = "stdout"
    else:
        try:
            out = open(args.output, "w", encoding="utf-8", newline="\n")
        except OSError as exc:
            return _fail(1, "cannot write trace %s: %s; choose another -o path"
                         % (args.output, exc.strerror or exc))
        out_name = args.output

    if args.size is not None:
        os.environ["COROSCOPE_SIZE"] = str(int(args.size))

    rec = Recorder(out, scenario)
    rec.header()
    _recorder_for_next_run = rec
    echo = sys.stderr if to_stdout else sys.stdout
    capture = PrintCapture(echo)
    _capture[0] = capture
    saved_run = (asyncio.run, asyncio.runners.run)
    asyncio.run = asyncio.runners.run = run
    saved_stdout, saved_argv, saved_path0 = sys.stdout, sys.argv, list(sys.path)
    sys.stdout = capture
    sys.argv = [program] + program_args
    sys.path.insert(0, os.path.dirname(os.path.abspath(program)))

    status = 0
    deadlock = None
    try:
        runpy.run_path(program, run_name="__main__")
    except DeadlockError as exc:
        deadlock = exc
    except SystemExit as exc:
        code = exc.code
        if code is None:
            status = 0
        elif isinstance(code, int):
            status = code
        else:
            sys.stderr.write("%s\n" % (code,))
            status = 1
    except BaseException as exc:         # the program's own error: show it as Python would
        sys.stdout = saved_stdout
        _print_program_exception(exc)
        status = 1
    finally:
        _capture[0] = None
        sys.stdout = saved_stdout
        sys.argv = saved_argv
        sys.path[:] = saved_path0
        asyncio.run, asyncio.runners.run = saved_run

    if not rec.finished:
        rec.active = True
        rec.end("error")
        _fail(1, "%s never called asyncio.run(); nothing was recorded" % program)
        status = status or 1
    rec.flush()
    try:
        if to_stdout:
            out.flush()
        else:
            out.close()
    except OSError as exc:
        rec.write_error = rec.write_error or exc
    if rec.write_error is not None:
        status = _fail(1, "cannot write trace %s: %s; check the disk and the -o path"
                       % (out_name, getattr(rec.write_error, "strerror", None) or rec.write_error))
    if deadlock is not None:
        _fail(1, str(deadlock))
        sys.stderr.flush()
        sys.stdout.flush()
        # The waiting coroutines must not be finalized: their `finally:`
        # blocks would run the program's code after the trace has ended.
        os._exit(1)
    return status


if __name__ == "__main__":
    sys.exit(main())
