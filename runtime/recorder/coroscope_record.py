#!/usr/bin/env python3
"""coroscope_record -- record how CPython's asyncio schedules a program.

Runs a Python program as __main__ on *virtual-clock* event loops and writes a
coroscope trace of the first loop it runs (JSON Lines, traces/FORMAT.md).

    python3 coroscope_record.py PROGRAM.py [-o OUT.jsonl] [--scenario NAME]
                                [--size N] [--max-events N] [--max-time SECONDS]
                                [-- PROGRAM-ARGS...]

The point of the recorder is fidelity: the schedule it records must be exactly
the one CPython 3.11's asyncio produces, so that the C runtime can be checked
against it (tests/scripts/parity.py). The recorder therefore only *observes*:

* The loop is asyncio's own selector event loop. Only the clock differs:
  time() returns a virtual "now" that starts at 0.0, and the selector's
  select(timeout) advances it by `now = now + timeout` instead of sleeping.
  Everything else (_run_once, the timer heap, the ready queue) is CPython's.
  asyncio.run() is replaced by run() below, which is asyncio.run() on such a
  loop; any other loop the program makes (asyncio.new_event_loop(), Runner)
  is one too, through an event loop policy.
* Tasks are asyncio's pure-Python Task (asyncio.tasks._PyTask) with a few
  methods wrapped to write events; the wrappers call the original methods once
  and schedule nothing. While the program runs, asyncio.Task (and
  asyncio.tasks.Task, which loop.create_task() instantiates) name that class,
  so a task gets its name exactly as in CPython: "Task-N" from the pure-Python
  counter asyncio.tasks._task_name_counter, consumed whenever a task is made
  without a name -- including asyncio.create_task(coro, name=...), which in
  3.11 makes an unnamed task and renames it.
* Hooks on the loop (_call_soon, call_at, _timer_handle_cancelled, select)
  watch handles and timers go by; they return what CPython returns.
* Work that does not cooperate is put on the virtual clock as the C runtime
  does it: time.sleep() in the loop's thread holds the loop while the clock
  moves on (a `block` event); run_in_executor() jobs occupy virtual workers
  for the time their function spends in time.sleep() (`job` events).

* A program that never finishes is stopped by the limits (--max-events,
  --max-time of loop time), and SIGINT / SIGTERM end the recording: the
  trace is flushed and closed by an `end` that says why (_halt). Memory
  running out in the recorder's own bookkeeping ends it too (reason error);
  the trace is written through TraceFile so that no line is lost or doubled.

Only the standard library is used.
"""

import argparse
import asyncio
import collections
import concurrent.futures
import concurrent.futures.thread
import contextvars
import heapq
import io
import json
import os
import platform
import runpy
import selectors
import signal
import sys
import threading
import time
import traceback
import weakref

from asyncio import coroutines, events, exceptions, futures, tasks

FORMAT_NAME = "coroscope-trace"
FORMAT_VERSION = 2
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
_MAIN_THREAD = threading.main_thread().ident

DEFAULT_MAX_EVENTS = 1000000        # about 100 MB of trace
DEFAULT_MAX_TIME = 86400.0          # one day of loop time
LIMIT_STATUS = 3                    # exit status when a limit stopped the program


class DeadlockError(BaseException):
    """The loop waits with nothing that could ever wake it.

    A BaseException, so that the program's own `except Exception` around
    asyncio.run() does not swallow it on the way out.
    """


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


def _cancel_msg(msg):
    """A cancel() message as the CancelledError it becomes would print it."""
    return "" if msg is None else _exc_msg(exceptions.CancelledError(msg))


def _exc_msg(exc):
    try:
        return str(exc)
    except Exception:
        return "<unprintable %s>" % type(exc).__name__


def _callable_name(fn):
    """A short name for a callback or coroutine: its qualified name, bound
    methods included, without "<locals>." ("gather._done_callback")."""
    if fn is None:
        return None
    fn = getattr(fn, "func", fn)                    # functools.partial
    name = getattr(fn, "__qualname__", None) or getattr(fn, "__name__", None)
    return name.replace("<locals>.", "") if name else type(fn).__name__


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
# The trace file

class TraceFile:
    """Where a trace's lines go: a file descriptor, written with os.write
    from a buffer of our own.

    A MemoryError can strike at any allocation, even after a write(2)
    succeeded (the count it returns is an object). With our own buffer an
    appended line is either wholly in it or not at all, and after a failed
    os.write the file's position says how much was written (for a regular
    file), so that no line is ever lost or written twice.
    """

    CHUNK = 1 << 16

    def __init__(self, fd, owned):
        self.fd = fd
        self.owned = owned          # ours to close
        self.buf = bytearray()
        try:
            self.pos = os.lseek(fd, 0, os.SEEK_CUR)
        except OSError:
            self.pos = None         # a pipe or a terminal: no position to check

    def write(self, data):
        """Append bytes; raises MemoryError (nothing appended) or OSError."""
        self.buf += data
        if len(self.buf) >= self.CHUNK:
            self.flush()

    def flush(self):
        while self.buf:
            try:
                n = os.write(self.fd, self.buf)
            except MemoryError:
                _RESERVE.clear()
                if self.pos is None:
                    n = len(self.buf)   # a pipe takes it all, or blocks
                else:
                    n = os.lseek(self.fd, 0, os.SEEK_CUR) - self.pos
            if self.pos is not None:
                self.pos += n
            del self.buf[:n]

    def close(self):
        try:
            self.flush()
        finally:
            if self.owned:
                fd, self.fd = self.fd, -1
                os.close(fd)


# --------------------------------------------------------------------------
# The trace writer

class Recorder:
    """Writes one trace: numbering, ids, the header, one event per line.

    `out` is a text stream, or None to run the virtual loop without writing.
    Events are written only while `active`; write errors are remembered (the
    program must not see them) and reported by the caller at the end.
    """

    def __init__(self, out, scenario, max_events=0):
        self.out = out
        self.scenario = scenario
        self.max_events = max_events    # 0: no limit
        self.seq = 0
        self.last_id = 0
        self.loop = None
        self.active = False
        self.finished = False
        self.halting = False        # _halt is ending the recording and the program
        self.write_error = None
        self.memory_error = False   # the recorder itself ran out of memory
        self.owed_end = None        # the reason of an `end` that could not be written
        self.via_override = None    # who cancels during asyncio.run's shutdown
        self.pending_new = None     # a task_new held back until its name is final
        self.ids = _IdMap()
        self.reported_done = set()  # ids of futures whose fut_done was written
        self.resolving = []         # futures inside set_result/set_exception/cancel
        self.labels = {}            # future id -> the label its fut_new gave
        # Executor threads print too. Reentrant, so that _halt can end the
        # trace from inside _emit; `busy` says which thread is writing a
        # line, so that a signal handler interrupting that write waits for
        # it instead (`signal` remembers the signal until the line is out).
        self.lock = threading.RLock()
        self.busy = None
        self.signal = None

    # -- ids

    def new_id(self):
        self.last_id += 1
        return self.last_id

    def id_of(self, obj):
        """The id of a task or future. A future made where the recorder did
        not see it (asyncio.Future() called directly) is announced with a
        fut_new when it is first mentioned."""
        own = getattr(obj, "_rec_id", None)
        if own is not None and getattr(obj, "_rec", None) is self:
            return own
        number = self.ids.get(obj)
        if number is None:
            number = self.fut_new(obj, "future", None)
        return number

    def fut_new(self, fut, kind, label):
        number = self.new_id()
        self.ids.put(fut, number)
        if label is not None:
            self.labels[number] = label
        self.emit("fut_new", [("fut", number), ("kind", kind), ("label", label),
                              ("by", self.current_task_id())])
        return number

    # -- writing

    def now(self):
        return self.loop.time() if self.loop is not None else 0.0

    def _write_line(self, obj):
        if self.out is None or self.write_error is not None:
            return
        data = (_ENCODER.encode(obj) + "\n").encode("ascii")
        try:
            self.out.write(data)
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
        with self.lock:
            if not self.active:
                return              # another thread ended the recording meanwhile
            if self.max_events and self.seq >= self.max_events:
                if not self.halting:
                    _halt(self, "max_events")
                return
            self.busy = threading.get_ident()
            try:
                seq = self.seq + 1
                obj = {"seq": seq, "t": self.now(), "ev": ev}
                for name, value in fields:
                    obj[name] = value
                self._write_line(obj)
                # Counted once written (and without allocating): an event
                # cut short by MemoryError leaves no gap and no duplicate.
                self.seq = seq
            except MemoryError:
                self.busy = None
                self._out_of_memory()
            finally:
                self.busy = None
        if self.signal is not None and threading.get_ident() == _MAIN_THREAD:
            _halt(self, "interrupted", self.signal)

    def _out_of_memory(self):
        """The recorder could not write an event for want of memory: end the
        trace there (reason error) and stop the program (see _halt)."""
        self.memory_error = True
        _RESERVE.clear()
        if _cli[0] is not None and _cli[0][0] is self:
            _halt(self, "error")
        self.end("error")

    def _flush_new(self):
        task = self.pending_new
        try:
            fields = [("task", task._rec_id), ("name", task.get_name()),
                      ("parent", task._rec_parent), ("coro", task._rec_coro), ("h", task._rec_h)]
        except MemoryError:
            self._out_of_memory()
        self.pending_new = None
        self._emit("task_new", fields)

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
        """Write `end` and stop recording: nothing is written after it."""
        with self.lock:
            if self.active:
                self.pending_new = None
                self.active = False     # first: nothing may follow, whatever happens
                self.busy = threading.get_ident()
                try:
                    seq = self.seq + 1
                    self._write_line({"seq": seq, "t": self.now(), "ev": "end", "reason": reason})
                    self.seq = seq
                except MemoryError:
                    self.memory_error = True    # tried again at the end (owed_end)
                    self.owed_end = reason
                finally:
                    self.busy = None
            self.finished = True

    def flush(self):
        if self.out is not None and self.write_error is None:
            try:
                self.out.flush()
            except (OSError, ValueError) as exc:
                self.write_error = exc

    def report_done(self, fut):
        """fut_done for a future (not a task), once."""
        fut_id = self.id_of(fut)
        if fut_id in self.reported_done:
            return fut_id
        self.reported_done.add(fut_id)
        by, via = self.by_via()
        self.emit("fut_done", [("fut", fut_id)] + _outcome(fut) + [("by", by), ("via", via)])
        return fut_id

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

    def printing_task_id(self):
        """Who prints: the running task, or null in a callback or in another
        thread (an executor's worker)."""
        loop = self.loop
        if loop is None or loop._thread_id != threading.get_ident():
            return None
        return self.current_task_id()

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


def _guard(method):
    """A hook whose bookkeeping must not be cut short: a MemoryError inside
    it (the recorder's or asyncio's) ends the recording with reason error
    and stops the program (_halt), so that the trace stays whole."""
    def guarded(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except MemoryError:
            rec = _cli[0][0] if _cli[0] is not None else None
            if rec is not None and rec.active:
                rec._out_of_memory()
            raise
    guarded.__name__ = method.__name__
    guarded.__qualname__ = method.__qualname__
    guarded.__doc__ = method.__doc__
    return guarded


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


_PASS_THROUGH = {                   # asyncio coroutines that wait through an inner one
    "wait",                                         # -> _wait
    "wait_for",                                     # -> _cancel_and_wait
    "as_completed.<locals>._wait_for_one",          # -> Queue.get
    "_ContextManagerMixin.__aenter__",              # -> Lock/Semaphore.acquire
    "Condition.wait_for",                           # -> Condition.wait
}


def _kind_and_label(calls):
    """What a future is for, from the asyncio calls (frames, outermost first)
    that were running when it was made or that wait on it: FORMAT.md's
    fut_new kind and label, as the C runtime writes them -- ("sleep",
    "sleep(2)"), ("wait", "wait(3, ALL_COMPLETED)"), ("wait_for",
    "wait_for(2)"), ("queue", "queue.get()"), ("lock", "lock.acquire()"),
    ("taskgroup", "taskgroup.__aexit__()") ... -- or ("future", None)."""
    calls = list(calls)
    while len(calls) > 1 and calls[0].f_code.co_qualname in _PASS_THROUGH:
        del calls[0]                # the API called only passes the wait on inward
    if not calls:
        return "future", None
    frame = calls[0]
    name = frame.f_code.co_qualname
    local = frame.f_locals.get
    if name == "sleep":
        return "sleep", "sleep(%r)" % (local("delay"),)
    if name == "_wait":
        return "wait", "wait(%d, %s)" % (len(local("fs") or ()), local("return_when"))
    if name == "wait_for":
        return "wait_for", "wait_for(%r)" % (local("timeout"),)
    if name == "_cancel_and_wait":
        return "wait_for", "_cancel_and_wait()"
    if name == "shield":
        inner = local("inner")
        return "shield", "shield(%s)" % (inner.get_name() if hasattr(inner, "get_name") else "future")
    cls, _, method = name.rpartition(".")
    cls = cls.rpartition(".")[2]
    if not cls:
        return "future", name + "()"
    if cls.endswith("EventLoop"):
        return "io", "%s()" % method
    return cls.lower(), "%s.%s()" % (cls.lower(), method)


_BOUNDARY_CODES = {_STEP.__code__, _WAKEUP.__code__, _HANDLE_RUN_CODE}


def _creation_kind(frame):
    """_kind_and_label for a future being made: the asyncio calls on the
    stack above `frame`, up to the task step or callback that runs them."""
    calls = []
    while (frame is not None and frame.f_code not in _BOUNDARY_CODES
           and _in_asyncio(frame.f_code.co_filename)):
        calls.append(frame)
        frame = frame.f_back
    calls.reverse()
    return _kind_and_label(calls)


def _label(waiter, chain):
    """A short label for what a task waits on: a task's name, "gather(3)", or
    what _kind_and_label says of the asyncio calls the task is inside."""
    if isinstance(waiter, (_PY_TASK, _ORIGINAL_TASK)):
        return waiter.get_name()
    if _GATHERING_FUTURE is not None and isinstance(waiter, _GATHERING_FUTURE):
        return "gather(%d)" % len(getattr(waiter, "_children", ()))
    calls = [obj.cr_frame for obj in chain
             if hasattr(obj, "cr_frame") and _in_asyncio(obj.cr_frame.f_code.co_filename)]
    return _kind_and_label(calls)[1] or "future"


# --------------------------------------------------------------------------
# The recorded Task

class RecordedTask(_PY_TASK):
    """asyncio's pure-Python Task, writing events as it goes.

    Each override calls the original exactly once and adds no scheduling; the
    events come from observing the task's state before and after.
    """

    @_guard
    def __init__(self, coro, *, loop=None, name=None, context=None):
        owner = loop if loop is not None else events._get_running_loop()
        rec = getattr(owner, "_rec", None) or _DISABLED
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

    @_guard
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
                fut_id = rec.id_of(waiter)
                rec.emit("step_end", [("task", task_id), ("reason", "await"), ("fut", fut_id),
                                      ("on", rec.labels.get(fut_id) or _label(waiter, chain)),
                                      ("src", _src(chain))])
            else:
                rec.emit("step_end", [("task", task_id), ("reason", "yield"),
                                      ("h", self._rec_h), ("src", _src(chain))])
        return result

    @_guard
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

    @_guard
    def cancel(self, msg=None):
        rec = self._rec
        if rec.active:
            by, via = rec.by_via()
            done = self.done()
            rec.emit("cancel", [("target", self._rec_id), ("by", by), ("via", via),
                                ("msg", _cancel_msg(msg)), ("ok", not done)])
            waiter = self._fut_waiter
            if (not done and waiter is not None and not isinstance(waiter, RecordedTask)
                    and type(waiter).cancel is futures.Future.cancel):
                # Task.cancel() passes the request on to the plain future it
                # waits on; Future.cancel() succeeds iff that future is pending.
                rec.emit("cancel", [("target", rec.id_of(waiter)), ("by", by), ("via", via),
                                    ("msg", _cancel_msg(msg)), ("ok", not waiter.done())])
        return super().cancel(msg)

    @_guard
    def uncancel(self):
        count = super().uncancel()
        if self._rec.active:
            self._rec.emit("uncancel", [("task", self._rec_id), ("count", count)])
        return count


# --------------------------------------------------------------------------
# Executors under the virtual clock

_job_local = threading.local()      # .job: the job a worker thread is running
_JOB_PATIENCE = 1.0                 # real seconds the loop waits for a job's function


class _Job:
    """One run_in_executor() call under the virtual clock (see _VirtualPool)."""

    def __init__(self, number, pool, func, args, fut, loop):
        self.loop = loop
        self.id = number
        self.pool = pool
        self.func = func
        self.args = args
        self.fut = fut              # the asyncio future the caller awaits
        self.fn = _job_name(func)
        self.worker = -1            # its lane once started
        self.duration = 0.0         # virtual seconds: the time.sleep() calls it made
        self.start = None           # virtual start time
        self.t_done = None          # virtual completion time, once it ran
        self.slow = False           # the loop once stopped waiting for it
        self.finished_at = None     # the loop's clock when its function returned
        self.ran = threading.Event()
        self.result = None
        self.exc = None
        self.cancelled = False      # its future was cancelled before it started

    def run(self):
        """In a worker thread: the function, its time.sleep() calls counted."""
        _job_local.job = self
        try:
            self.result = self.func(*self.args)
        except BaseException as exc:        # delivered to the awaiting task
            self.exc = exc
        finally:
            _job_local.job = None
            self.finished_at = self.loop._now
            self.ran.set()

    def settle(self):
        """Its completion time, now that its function has returned. A job the
        loop had to stop waiting for (it took long, or waited for the loop)
        cannot end before the moment it was seen to end."""
        self.t_done = self.start + self.duration
        if self.slow and self.finished_at > self.t_done:
            self.t_done = self.finished_at


def _job_name(func):
    inner = func
    while hasattr(inner, "func"):           # functools.partial, as to_thread makes
        if (getattr(inner.func, "__name__", None) == "run" and inner.args
                and isinstance(getattr(inner.func, "__self__", None), contextvars.Context)):
            inner = inner.args[0]           # partial(ctx.run, func, ...)
        else:
            inner = inner.func
    return _callable_name(inner)


class _VirtualPool:
    """A thread pool as the loop sees it under the virtual clock.

    A job takes the lowest-numbered free worker when it is submitted, or
    waits its turn (FIFO). It occupies its worker for the virtual time its
    function spends in time.sleep(), and its completion is handed to the loop
    in the poll phase of the iteration in which the clock reaches it (jobs
    due together: earliest first, then the lower worker). This is how the C
    runtime's simulated pool works, so both schedule the same; CPython with
    real threads would finish them at real-time moments.

    The function itself runs on a real thread of the program's executor when
    the job starts, and the loop waits for it to return before the clock
    moves. A function that computes for longer than _JOB_PATIENCE real
    seconds, or that waits for the loop (run_coroutine_threadsafe), is not
    waited for: it then ends no earlier than the virtual time at which it was
    seen to end, which depends on real timing.
    """

    def __init__(self, executor, max_workers):
        self.executor = executor
        self.workers = [None] * max_workers
        self.queue = collections.deque()


# --------------------------------------------------------------------------
# The virtual-clock loop

class VirtualSelector(selectors.DefaultSelector):
    """The loop's selector: its select() is one poll phase under the
    virtual clock (see VirtualClockLoop._poll)."""

    loop = None

    def select(self, timeout=None):
        return self.loop._poll(timeout, super().select)


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """asyncio's selector event loop on a virtual clock, with hooks that record
    handles, timers and executor jobs. The hooks return exactly what CPython
    returns and schedule nothing of their own."""

    def __init__(self, recorder=None):
        self._now = 0.0
        self._recorder = recorder       # None until the loop is first used: see _rec
        self._pools = {}                # id(executor) -> _VirtualPool, in creation order
        self._jobs_pending = 0
        selector = VirtualSelector()
        selector.loop = self
        super().__init__(selector)
        self._clock_resolution = 1e-09

    def time(self):
        return self._now

    @property
    def _rec(self):
        """The loop's recorder, claimed when the loop is first used (a task,
        a callback, a timer, a poll): the first loop that does anything is
        the one recorded, not one made and left unused (get_event_loop())."""
        rec = self._recorder
        if rec is None:
            rec = self._recorder = _claim_recorder(self)
        return rec

    # -- the poll phase

    @_guard
    def _poll(self, timeout, real_select):
        """select(timeout), virtually: poll the real selector without waiting;
        if nothing is ready, move the clock by `timeout` (or less, to the next
        executor job's completion) instead of sleeping; then hand over the
        finished jobs and note the timers _run_once is about to move."""
        ready = real_select(0)
        due, interrupted = self._next_job_due(_JOB_PATIENCE)
        if due is None and timeout is None and self._jobs_pending and not interrupted:
            due, interrupted = self._next_job_due(None)         # nothing else can happen
        if not ready and timeout != 0 and not interrupted:
            if due is not None:
                until_due = due - self._now
                if not until_due > 0:
                    until_due = 0
                if timeout is None or until_due < timeout:
                    timeout = until_due
            if timeout is None:
                if not self._real_wakers():
                    raise DeadlockError(_report_deadlock(self, self._rec))
                ready = real_select(None)
            elif timeout > 0:
                before = self._now
                _check_time(self, before + timeout)
                self._now = self._now + timeout
                if self._rec.active:
                    self._rec.emit("idle", [("from", before), ("until", self._now)])
        self._deliver_jobs()
        self._note_due_timers()
        return ready

    def _real_wakers(self):
        """Whether anything outside the loop could still make it runnable: a
        file other than the loop's self-pipe, a signal handler, or a thread
        other than this one and the executors' idle workers."""
        own = self._ssock.fileno() if self._ssock is not None else -1
        for key in self._selector.get_map().values():
            if key.fd != own:
                return True
        if getattr(self, "_signal_handlers", None):
            return True
        me = threading.current_thread()
        workers = getattr(concurrent.futures.thread, "_threads_queues", {})
        return any(t is not me and t.is_alive() and t not in workers
                   for t in threading.enumerate())

    def _note_due_timers(self):
        """timer_fire for the timers _run_once now moves to the ready queue,
        in heap-pop order (cancelled ones move too, but will not run)."""
        rec = self._rec
        if not rec.active or not self._scheduled:
            return
        end_time = self._now + self._clock_resolution
        if self._scheduled[0]._when >= end_time:
            return
        heap = list(self._scheduled)
        while heap and heap[0]._when < end_time:
            timer = heapq.heappop(heap)
            if not timer._cancelled:
                number = rec.ids.get(timer)
                if number is not None:
                    rec.emit("timer_fire", [("timer", number)])

    # -- blocking calls

    def _block(self, seconds):
        """time.sleep(seconds) in the loop's thread: the loop is held while
        the clock moves on by `seconds`."""
        if not seconds > 0:
            return
        _check_time(self, self._now + seconds)
        rec = self._rec
        if rec.active:
            rec.emit("block", [("task", rec.current_task_id()), ("dur", float(seconds)),
                               ("label", "time.sleep(%r)" % (seconds,))])
        self._now = self._now + seconds

    # -- executors

    def run_in_executor(self, executor, func, *args):
        if executor is not None and not isinstance(executor, concurrent.futures.ThreadPoolExecutor):
            return super().run_in_executor(executor, func, *args)
        self._check_closed()
        if self._debug:
            self._check_callback(func, "run_in_executor")
        if executor is None:
            executor = self._default_executor
            self._check_default_executor()
            if executor is None:
                executor = concurrent.futures.ThreadPoolExecutor(thread_name_prefix="asyncio")
                self._default_executor = executor
        pool = self._pools.get(id(executor))
        if pool is None or pool.executor is not executor:
            pool = self._pools[id(executor)] = _VirtualPool(executor, executor._max_workers)
        rec = self._rec
        number = rec.new_id()
        fut = Future(loop=self)
        job = _Job(number, pool, func, args, fut, self)
        if rec.active:
            rec.fut_new(fut, "executor", "run_in_executor(%s)" % job.fn)

        def _call_check_cancel(destination):
            # futures._chain_future's: a cancelled future cancels the job if
            # it has not started.
            if destination.cancelled() and job.worker < 0:
                job.cancelled = True

        fut.add_done_callback(_call_check_cancel)
        self._jobs_pending += 1
        self._job_event(job, "submit")
        for worker, busy in enumerate(pool.workers):
            if busy is None:
                self._start_job(job, worker)
                break
        else:
            pool.queue.append(job)
        return fut

    def _job_event(self, job, op, outcome=None):
        rec = self._rec
        if rec.active:
            fields = [("obj", job.id), ("op", op), ("worker", job.worker), ("fn", job.fn),
                      ("fut", rec.id_of(job.fut))]
            if outcome is not None:
                fields.append(("outcome", outcome))
            rec.emit("job", fields)

    def _start_job(self, job, worker):
        job.worker = worker
        job.pool.workers[worker] = job
        job.start = self._now
        self._job_event(job, "start")
        job.pool.executor.submit(job.run)

    def _next_job_due(self, patience):
        """(the earliest completion time of a running job or None, whether a
        job's thread handed the loop a callback meanwhile). A job's function
        runs on a real thread: wait for it to return, up to `patience` real
        seconds per job (None: as long as it takes). A job still running
        then is left out, and marked slow."""
        due = None
        ready_before = len(self._ready)
        for pool in self._pools.values():
            for job in pool.workers:
                if job is None:
                    continue
                if job.t_done is None:
                    give_up = None if patience is None else time.monotonic() + patience
                    while not job.ran.wait(0.002):
                        if len(self._ready) > ready_before:    # call_soon_threadsafe from a job
                            return None, True
                        if give_up is not None and time.monotonic() > give_up:
                            job.slow = True
                            break
                    else:
                        job.settle()
                    if job.t_done is None:
                        continue
                if due is None or job.t_done < due:
                    due = job.t_done
        return due, False

    def _deliver_jobs(self):
        """Hand over every job finished by now: earliest first, ties to the
        lower worker; each frees its worker for the next queued job and
        schedules the copy of its outcome into its future, as
        call_soon_threadsafe(_set_state) does in CPython."""
        if not self._jobs_pending:
            return
        limit = self._now + self._clock_resolution
        while True:
            best = None
            for pool in self._pools.values():
                for job in pool.workers:
                    if job is None:
                        continue
                    if job.t_done is None:
                        if not job.ran.is_set():
                            continue        # still running: not due (see _next_job_due)
                        job.settle()
                    if job.t_done < limit and (best is None or job.t_done < best.t_done):
                        best = job
            if best is None:
                return
            self._finish_job(best)

    def _finish_job(self, job):
        pool = job.pool
        self._job_event(job, "done", "exception" if job.exc is not None else "result")
        pool.workers[job.worker] = None
        self._jobs_pending -= 1
        while pool.queue:
            following = pool.queue.popleft()
            if following.cancelled:
                self._jobs_pending -= 1
                continue
            self._start_job(following, job.worker)
            break
        self.call_soon(_set_state, job)

    # -- handles and timers

    @_guard
    def _call_soon(self, callback, args, context):
        rec = self._rec
        if rec.resolving and args and args[0] is rec.resolving[-1] and rec.active:
            rec.report_done(args[0])        # before the first callback it schedules
        handle = super()._call_soon(callback, args, context)
        task = getattr(callback, "__self__", None)
        if isinstance(task, RecordedTask) and task._rec is rec:
            func = callback.__func__
            if func is RecordedTask._Task__step:
                task._rec_h = rec.new_id()
            elif func is _WAKEUP:
                task._rec_h = rec.new_id()
                if rec.active and args:
                    fut = args[0]
                    if isinstance(fut, RecordedTask):
                        fut_id = fut._rec_id
                    else:
                        fut_id = rec.report_done(fut)   # a future made elsewhere
                    rec.emit("wake", [("task", task._rec_id), ("fut", fut_id),
                                      ("h", task._rec_h)])
        return handle

    @_guard
    def call_at(self, when, callback, *args, context=None):
        timer = super().call_at(when, callback, *args, context=context)
        rec = self._rec
        if rec.active:
            number = rec.new_id()
            rec.ids.put(timer, number)
            rec.emit("timer_new", [("timer", number), ("when", float(when) if when != float("inf") else None),
                                   ("fn", _callable_name(callback))])
        return timer

    @_guard
    def create_future(self):
        fut = Future(loop=self)
        rec = self._rec
        if rec.active:
            rec.fut_new(fut, *_creation_kind(sys._getframe(1)))
        return fut

    @_guard
    def _timer_handle_cancelled(self, handle):
        # TimerHandle.cancel() calls this once, the first time, whether the
        # timer still waits in the heap or has already fired (sleep() cancels
        # its timer on the way out either way).
        rec = self._rec
        if rec.active:
            number = rec.ids.get(handle)
            if number is not None:
                rec.emit("timer_cancel", [("timer", number)])
        super()._timer_handle_cancelled(handle)

    def close(self):
        # A loop the program drives itself (run_forever, run_until_complete)
        # ends its recording when it is closed.
        if self._recorder is not None:
            _finish_recording(self._recorder, "complete")
        super().close()


def _set_state(job):
    """futures._set_state for a virtual job: its outcome into its future,
    unless that future was cancelled meanwhile."""
    fut = job.fut
    if fut.cancelled():
        return
    if job.exc is not None:
        fut.set_exception(job.exc)
    else:
        fut.set_result(job.result)


# --------------------------------------------------------------------------
# Futures

def _recorder_of(fut):
    loop = getattr(fut, "_loop", None)
    return loop._rec if isinstance(loop, VirtualClockLoop) else _DISABLED


@_guard
def _resolve(fut, method, *args, **kwargs):
    """Call fut's set_result/set_exception/cancel (`method`, the original)
    and write its fut_done: before the first callback it schedules (see
    VirtualClockLoop._call_soon), or after it if it schedules none."""
    rec = _recorder_of(fut)
    if not rec.active or fut.done():
        return method(*args, **kwargs)
    rec.resolving.append(fut)
    try:
        result = method(*args, **kwargs)
    finally:
        rec.resolving.pop()
    if fut.done() and rec.active:
        rec.report_done(fut)
    return result


@_guard
def _note_cancel(fut, msg, ok):
    rec = _recorder_of(fut)
    if rec.active:
        by, via = rec.by_via()
        rec.emit("cancel", [("target", rec.id_of(fut)), ("by", by), ("via", via),
                            ("msg", _cancel_msg(msg)), ("ok", ok)])


class Future(futures.Future):
    """The future loop.create_future() makes while recording: asyncio's C
    Future, telling the recorder when it is resolved or cancelled. (Named
    Future so that its repr reads as CPython's.)"""

    def set_result(self, result):
        return _resolve(self, super().set_result, result)

    def set_exception(self, exception):
        return _resolve(self, super().set_exception, exception)

    def cancel(self, msg=None):
        _note_cancel(self, msg, not self.done())
        return _resolve(self, super().cancel, msg=msg)


class _GatheringFuture(tasks._GatheringFuture):
    """gather()'s future while recording (tasks._GatheringFuture names it)."""

    @_guard
    def __init__(self, children, *, loop):
        super().__init__(children, loop=loop)
        rec = _recorder_of(self)
        if rec.active:
            rec.fut_new(self, "gather", "gather(%d)" % len(children))

    def set_result(self, result):
        return _resolve(self, super().set_result, result)

    def set_exception(self, exception):
        return _resolve(self, super().set_exception, exception)

    def cancel(self, msg=None):
        # It cancels its unfinished children; cancel() is true if any was.
        _note_cancel(self, msg, not self.done() and any(not c.done() for c in self._children))
        return _resolve(self, super().cancel, msg=msg)


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
# Loops: the first one the program makes is recorded

_pending_recorder = [None]      # set by the command line; the first loop takes it
_active = [None]                # the recorder of the recording in progress
_capture = [None]               # the PrintCapture standing in for sys.stdout


def _current_recorder():
    rec = _active[0]
    return rec if rec is not None else _DISABLED


def new_event_loop():
    """A virtual-clock loop. The first loop to be used records into the
    pending recorder; the others record nothing."""
    return VirtualClockLoop()


def _claim_recorder(loop):
    rec = _pending_recorder[0]
    _pending_recorder[0] = None
    if rec is None:
        rec = Recorder(None, "")
    rec.loop = loop
    if rec.out is not None:
        rec.active = True
        _active[0] = rec
    return rec


def _finish_recording(rec, reason):
    """Write `end` (after the last unfinished printed line) and stop recording."""
    if not rec.active:
        return
    if _capture[0] is not None:
        _capture[0].finish_line()
    rec.end(reason)
    rec.flush()
    if _active[0] is rec:
        _active[0] = None


class VirtualClockPolicy(asyncio.DefaultEventLoopPolicy):
    """The event loop policy while a program is recorded: every loop asyncio
    makes (asyncio.new_event_loop(), asyncio.Runner, get_event_loop()) is a
    virtual-clock one."""

    def __init__(self):
        super().__init__()
        self._loop_factory = new_event_loop


def _creation_order(task):
    number = getattr(task, "_rec_id", None)
    return (0, number) if number is not None else (1, 0)


def _waiting_description(task):
    waiter = getattr(task, "_fut_waiter", None)
    chain = _await_chain(task.get_coro())
    where = _src(chain)
    what = _label(waiter, chain) if waiter is not None else "nothing"
    return "%s waits on %s%s" % (task.get_name(), what, " at " + where if where else "")


def _report_deadlock(loop, rec):
    """Write the deadlock warn and end; return a one-line description."""
    waiting = sorted(tasks.all_tasks(loop), key=_creation_order)
    names = "; ".join(_waiting_description(t) for t in waiting) or "no tasks"
    msg = "deadlock: nothing can wake the loop (no timers, no ready handles, no files); %s" % names
    if rec.active:
        rec.emit("warn", [("kind", "deadlock"), ("msg", msg), ("task", None)])
        _finish_recording(rec, "deadlock")
    for task in waiting:
        task._log_destroy_pending = False
    return "deadlock at t=%r: %s" % (loop.time(), names)


# --------------------------------------------------------------------------
# asyncio.run(), recorded

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
    """asyncio.run(main) on a virtual-clock loop (recorded if it is the first).

    Mirrors CPython 3.11's asyncio.run: the main task is created with
    loop.create_task (so it is Task-1), run to completion; then the remaining
    tasks are cancelled -- in creation order -- and gathered, async generators
    and the default executor are shut down, and the loop is closed. The
    trace's `end` is written after the cancellation phase; the shutdown is not
    recorded. Returns main's result or raises its exception.
    """
    if events._get_running_loop() is not None:
        raise RuntimeError("asyncio.run() cannot be called from a running event loop")
    if not coroutines.iscoroutine(main):
        raise ValueError("a coroutine was expected, got {!r}".format(main))

    loop = new_event_loop()
    rec = loop._rec
    patched = tasks.Task is not RecordedTask
    if patched:
        saved_task = (asyncio.Task, tasks.Task)
        asyncio.Task = tasks.Task = RecordedTask
    try:
        events.set_event_loop(loop)
        if debug is not None:
            loop.set_debug(debug)
        context = contextvars.copy_context()
        task = loop.create_task(main, context=context)
        try:
            result = loop.run_until_complete(task)
        except DeadlockError:
            raise
        except BaseException:
            _shut_down(loop, rec, task)
            raise
        _shut_down(loop, rec, task)
        return result
    finally:
        _finish_recording(rec, "error")
        events.set_event_loop(None)
        loop.close()
        if patched:
            asyncio.Task, tasks.Task = saved_task


def _end_reason(main_task):
    """How a recording whose main task is `main_task` ends: `complete` when
    main returned or raised (as the C runtime's co_run), `error` when it
    did not finish or ran out of memory -- the C runtime's CO_ENOMEM."""
    if not main_task.done():
        return "error"
    if not main_task.cancelled() and isinstance(main_task._exception, MemoryError):
        return "error"
    return "complete"


def _shut_down(loop, rec, main_task):
    """asyncio.Runner.close(): cancel what is left, end the trace, then shut
    down async generators and the default executor without recording."""
    _cancel_all_tasks(loop, rec)
    _finish_recording(rec, _end_reason(main_task))
    loop.run_until_complete(loop.shutdown_asyncgens())
    loop.run_until_complete(loop.shutdown_default_executor())


def _virtual_sleep(seconds, _real_sleep=time.sleep):
    """time.sleep while a program is recorded: in a virtual-clock loop's
    thread it holds the loop while the clock moves on (a `block` event); in an
    executor job it adds to the job's virtual duration; elsewhere it sleeps."""
    loop = events._get_running_loop()
    job = getattr(_job_local, "job", None)
    if not isinstance(loop, VirtualClockLoop) and job is None:
        return _real_sleep(seconds)
    if not isinstance(seconds, (int, float)):
        return _real_sleep(seconds)         # raises what time.sleep raises
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    if job is not None:
        job.duration = job.duration + seconds
    else:
        loop._block(seconds)


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

    @_guard
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
            rec.emit("print", [("task", rec.printing_task_id()), ("text", "".join(self._partial))])
            self._partial = []
        if lines[-1]:
            self._partial.append(lines[-1])
        return len(text)

    def finish_line(self):
        """Record a last line that was printed without its newline."""
        rec = _current_recorder()
        if self._partial and rec.active:
            rec.emit("print", [("task", rec.printing_task_id()), ("text", "".join(self._partial))])
        self._partial = []

    def flush(self):
        self._echo.flush()

    @property
    def buffer(self):
        return self._echo.buffer


# --------------------------------------------------------------------------
# Stopping: limits and signals

_cli = [None]           # the recording the command line made: (recorder, out, out_name)
_max_time = [0.0]       # --max-time: the loop time no loop may pass (0: no limit)


def _check_time(loop, until):
    """Stop the program if moving `loop`'s clock to `until` would pass
    --max-time. Every virtual-clock loop is held to it, recorded or not, so
    that a program that never finishes always ends."""
    limit = _max_time[0]
    if limit and until > limit and _cli[0] is not None:
        _halt(_cli[0][0], "max_time")


def _halt(rec, reason, signum=None):
    """End the recording with `end` `reason` and stop the program at once.

    Used when a limit is reached (max_events, max_time), on SIGINT or
    SIGTERM (interrupted), and when the recorder runs out of memory (error).
    What was recorded is flushed and the trace closed; the program's output
    so far is flushed too; then the process exits without running any more
    of the program (a `finally:` in a coroutine would run code whose events
    could no longer be recorded). Never returns.
    """
    if reason in ("max_events", "max_time"):
        status = LIMIT_STATUS
    elif reason == "interrupted":
        status = 128 + signum
    else:
        status = 1
    with rec.lock:
        if rec.halting:
            return              # this thread is halting already (a signal meanwhile)
        rec.halting = True
        _RESERVE.clear()        # memory for what follows, should it be short
        try:
            _halt_trace(rec, reason)
            message = _halt_message(rec, reason, signum)
        except MemoryError:
            message = "out of memory while ending the recording"
        finally:
            try:
                for stream in (sys.stdout, sys.__stdout__, sys.stderr):
                    try:
                        stream.flush()
                    except (OSError, ValueError, AttributeError):
                        pass
                sys.__stderr__.write("%s: %s\n" % (PROG, message))
                sys.__stderr__.flush()
            finally:
                os._exit(status)


_RESERVE = [bytearray(1 << 18)]     # given back when memory runs out, so that _halt can finish


def _halt_trace(rec, reason):
    """_halt's first part: the trace's last line, `end`, and the file closed."""
    if not rec.finished:
        if reason not in ("max_events", "error") and _capture[0] is not None and rec.active:
            try:
                _capture[0].finish_line()
            except Exception:       # the output's last line is then not in the trace
                pass
        rec.active = True
        rec.end(reason)
    elif rec.owed_end is not None:
        rec.active = True
        rec.end(rec.owed_end)
    if _cli[0] is not None:
        _, out, _ = _cli[0]
        try:
            out.close()
        except (OSError, ValueError) as exc:
            rec.write_error = rec.write_error or exc


def _halt_message(rec, reason, signum):
    out_name = _cli[0][2] if _cli[0] is not None else "stdout"
    if reason == "max_events":
        message = ("stopped the program at the event limit (--max-events %d); the trace %s "
                   "ends with end reason max_events. To record more, raise the limit: "
                   "--max-events N (0: no limit)" % (rec.max_events, out_name))
    elif reason == "max_time":
        message = ("stopped the program at the time limit: its loop time would pass "
                   "--max-time %r virtual seconds; the trace %s ends with end reason max_time. "
                   "To record longer, raise the limit: --max-time SECONDS (0: no limit)"
                   % (_max_time[0], out_name))
    elif reason == "interrupted":
        name = {signal.SIGINT: "SIGINT", signal.SIGTERM: "SIGTERM"}.get(signum, "signal %s" % signum)
        message = ("interrupted by %s: the trace %s ends with end reason interrupted after "
                   "%d events" % (name, out_name, rec.seq - 1))
    else:
        message = ("out of memory (MemoryError) while recording: the program was stopped; "
                   "the trace %s ends with end reason error after %d events"
                   % (out_name, rec.seq - 1))
    if rec.write_error is not None:
        message += "; but writing the trace failed: %s" % (
            getattr(rec.write_error, "strerror", None) or rec.write_error)
    return message


def _on_signal(signum, frame):
    """SIGINT / SIGTERM while a program is recorded: end the trace
    (interrupted) and exit 128 + signum. A signal that arrives while this
    thread is writing an event waits until the event is written."""
    rec = _cli[0][0] if _cli[0] is not None else None
    if rec is None:
        raise KeyboardInterrupt
    if rec.busy == threading.get_ident():
        rec.signal = signum         # _emit halts once its line is out
        return
    _halt(rec, "interrupted", signum)


def _install_signal_handlers():
    """Our handlers for SIGINT and SIGTERM, where the defaults are in place;
    returns what to restore. (A program that installs its own handlers
    keeps them.)"""
    saved = []
    if threading.current_thread() is not threading.main_thread():
        return saved
    for signum, default in ((signal.SIGINT, signal.default_int_handler),
                            (signal.SIGTERM, signal.SIG_DFL)):
        try:
            if signal.getsignal(signum) is default:
                saved.append((signum, signal.signal(signum, _on_signal)))
        except (OSError, ValueError):
            pass
    return saved


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
                    "a coroscope trace of how CPython scheduled it.",
        epilog="Arguments after -- are passed to the program. A program that never "
               "finishes is stopped by the limits: the trace then ends with end reason "
               "max_events or max_time, and the program's output so far is kept. "
               "SIGINT or SIGTERM ends the trace with end reason interrupted. "
               "Exit status: the program's own (1 if it raised); 1 on a deadlock, an "
               "unwritable trace or when the recorder ran out of memory; 2 if the "
               "program cannot be read; %d when a limit stopped the program; "
               "130 / 143 when interrupted by SIGINT / SIGTERM." % LIMIT_STATUS)
    parser.add_argument("program", help="the Python program to run (as __main__)")
    parser.add_argument("-o", "--output", default="-", metavar="OUT",
                        help="trace file to write; '-' (the default) is stdout, "
                             "and the program's own output then goes to stderr")
    parser.add_argument("--scenario", metavar="NAME",
                        help="the header's scenario name (default: the program's file stem)")
    parser.add_argument("--size", metavar="N",
                        help="set COROSCOPE_SIZE=N for the program (the swarm scenario reads it)")
    parser.add_argument("--max-events", metavar="N", default=str(DEFAULT_MAX_EVENTS),
                        help="stop the program after N events (default %d; 0: no limit)"
                             % DEFAULT_MAX_EVENTS)
    parser.add_argument("--max-time", metavar="SECONDS", default=repr(DEFAULT_MAX_TIME),
                        help="stop the program when its loop time would pass SECONDS virtual "
                             "seconds (default %g, one day; 0: no limit)" % DEFAULT_MAX_TIME)
    args = parser.parse_args(argv)
    if args.size is not None:
        try:
            if int(args.size) < 0:
                raise ValueError
        except ValueError:
            parser.error("--size: expected a non-negative integer, got %r" % args.size)
    try:
        args.max_events = int(args.max_events)
        if args.max_events < 0:
            raise ValueError
    except ValueError:
        parser.error("--max-events: expected a non-negative integer, got %r" % args.max_events)
    try:
        args.max_time = float(args.max_time)
        if not 0 <= args.max_time < float("inf"):
            raise ValueError
    except ValueError:
        parser.error("--max-time: expected a non-negative number of seconds, got %r"
                     % args.max_time)
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
        sys.stdout.flush()
        out = TraceFile(sys.stdout.fileno(), False)
        out_name = "stdout"
    else:
        try:
            out = TraceFile(os.open(args.output, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o666), True)
        except OSError as exc:
            return _fail(1, "cannot write trace %s: %s; choose another -o path"
                         % (args.output, exc.strerror or exc))
        out_name = args.output

    if args.size is not None:
        os.environ["COROSCOPE_SIZE"] = str(int(args.size))

    rec = Recorder(out, scenario, max_events=args.max_events)
    _max_time[0] = args.max_time
    _cli[0] = (rec, out, out_name)
    rec.header()
    _pending_recorder[0] = rec
    echo = sys.stderr if to_stdout else sys.stdout
    capture = PrintCapture(echo)
    _capture[0] = capture
    # While the program runs: asyncio.run is ours, every new loop is a
    # virtual-clock one, tasks are recorded tasks, and time.sleep knows the
    # virtual clock.
    saved = (asyncio.run, asyncio.runners.run, asyncio.Task, tasks.Task, time.sleep,
             tasks._GatheringFuture, events.get_event_loop_policy())
    asyncio.run = asyncio.runners.run = run
    asyncio.Task = tasks.Task = RecordedTask
    tasks._GatheringFuture = _GatheringFuture
    time.sleep = _virtual_sleep
    events.set_event_loop_policy(VirtualClockPolicy())
    saved_stdout, saved_argv, saved_path = sys.stdout, sys.argv, list(sys.path)
    sys.stdout = capture
    sys.argv = [program] + program_args
    sys.path.insert(0, os.path.dirname(os.path.abspath(program)))
    saved_signals = _install_signal_handlers()

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
        status = 1
        sys.stdout = saved_stdout
        if isinstance(exc, MemoryError):
            # Out of memory: the trace is ended first, with what is left.
            _RESERVE.clear()
            _finish_recording(rec, "error")
        try:
            _print_program_exception(exc)
        except MemoryError:
            sys.stderr.write("MemoryError\n")
    finally:
        # A loop the program never closed: its recording ends with the program.
        try:
            _finish_recording(rec, "complete" if status == 0 else "error")
        except MemoryError:
            rec.owed_end = rec.owed_end or "error"
        _capture[0] = None
        _pending_recorder[0] = None
        sys.stdout = saved_stdout
        sys.argv = saved_argv
        sys.path[:] = saved_path
        (asyncio.run, asyncio.runners.run, asyncio.Task, tasks.Task, time.sleep,
         tasks._GatheringFuture, policy) = saved
        events.set_event_loop_policy(policy)
        for signum, handler in saved_signals:
            try:
                signal.signal(signum, handler)
            except (MemoryError, OSError, ValueError):
                pass

    if rec.owed_end is not None:        # memory ran out as the trace ended
        reason, rec.owed_end = rec.owed_end, None
        rec.active = True
        rec.end(reason)
    if not rec.finished:
        rec.active = True
        rec.end("error")
        if status == 0:
            status = _fail(1, "%s never ran an event loop; nothing was recorded" % program)
    try:
        out.close()
    except OSError as exc:
        rec.write_error = rec.write_error or exc
    if rec.write_error is not None:
        status = _fail(1, "cannot write trace %s: %s; check the disk and the -o path"
                       % (out_name, getattr(rec.write_error, "strerror", None) or rec.write_error))
    elif rec.memory_error:
        status = _fail(1, "out of memory (MemoryError) while recording: the trace %s ends "
                          "after %d events with end reason error" % (out_name, rec.seq))
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
