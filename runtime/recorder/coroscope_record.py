#!/usr/bin/env python3
"""coroscope_record -- record how CPython's asyncio schedules a program.

Runs a Python program as __main__ on *virtual-clock* event loops and writes a
coroscope trace of the first loop it runs (JSON Lines, traces/FORMAT.md).

    python3 coroscope_record.py PROGRAM.py [-o OUT.jsonl] [--scenario NAME]
                                [--size N] [--max-events N] [--max-time SECONDS]
                                [--no-locals] [--trace-version 3|4] [-- PROGRAM-ARGS...]

The point of the recorder is fidelity: the schedule it records must be exactly
the one CPython 3.11's asyncio produces, so that the C runtime can be checked
against it (tests/scripts/parity.py), and the program must not be able to
tell that it is recorded (tests/scripts/recorder.py, "transparency"). The
recorder therefore only *observes*:

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
  3.11 makes an unnamed task and renames it. The classes are named as
  CPython's (Task, Future, Handle, _UnixSelectorEventLoop), and the task's
  wake-up callback is named Task.task_wakeup, so reprs read the same.
* Hooks on the loop (_call_soon, call_at, handles' _run, select) watch
  handles and timers go by; they return what CPython returns. The rest of
  asyncio (TaskGroup, timeout(), wait_for, the queues and locks, streams) is
  watched by small wrappers installed while the program runs (_Patches):
  either plain functions that write an event and return the original
  coroutine (so no frame of ours is ever in the program's tracebacks), or
  watchers that write an event once such a coroutine has finished, at the
  next event of its task (Recorder.sync).
* The program's own coroutine calls (`await job("a", 3)`) are seen without
  a profiler: at every event of a task, and when it suspends, the program's
  coroutine frames on its stack are compared with the ones seen before
  (frame_enter / frame_exit). A call that neither suspends nor causes an
  event in between is not seen (FORMAT.md, "Producers").
* Work that does not cooperate is put on the virtual clock as the C runtime
  does it: time.sleep() in the loop's thread holds the loop while the clock
  moves on (a `block` event), and so does a step that computes for
  BLOCK_CPU seconds of CPU time or more (the clock then moves by the CPU
  time it took); run_in_executor() jobs occupy virtual workers for the time
  their function spends in time.sleep() (`job` events).
* A program that never finishes is stopped by the limits (--max-events,
  --max-time of loop time), and SIGINT / SIGTERM end the recording: the
  trace is flushed and closed by an `end` that says why (_halt). Memory
  running out in the recorder's own bookkeeping ends it too (reason error);
  the trace is written through TraceFile so that no line is lost or doubled.
* The trace carries the source of every file its `src` fields name
  (`source` events), and at every suspension the local variables of the
  program's frames (`locals`; --no-locals leaves them out). It is format
  version 4 without a string table (`seq` left out, `t` where it repeats);
  --trace-version 3 spells every line out.

Only the standard library is used, and where it is built the recorder's own
C extension (runtime/recorder/speedups.c: the same text, faster, for a
suspension's step_end and its `locals`, and for emit_body with the check
before each event; _load_speedups).
"""

import argparse
import asyncio
import collections
import concurrent.futures
import concurrent.futures.thread
import contextvars
import functools
import heapq
import itertools
import io
import json
import linecache
import operator
import os
import platform
import re
import runpy
import selectors
import signal
import sys
import sysconfig
import threading
import time
import tokenize
import types
import traceback
import warnings
import weakref

from asyncio import (base_events, coroutines, events, exceptions, futures, locks, queues,
                     selector_events, streams, taskgroups, tasks, timeouts)

FORMAT_NAME = "coroscope-trace"
FORMAT_VERSION = 4                  # the default; --trace-version 3 spells every line out
PRODUCER = "coroscope-record (CPython %s)" % platform.python_version()
PROG = "coroscope-record"

_ASYNCIO_DIR = os.path.dirname(os.path.abspath(asyncio.__file__)) + os.sep
_STDLIB_DIRS = tuple(sorted({os.path.abspath(sysconfig.get_paths()[k]) + os.sep
                             for k in ("stdlib", "platstdlib")}))
_HERE = os.path.abspath(__file__)
_ORIGINAL_TASK = tasks.Task            # the C Task that asyncio.Task names
_C_FUTURE = futures.Future             # the C Future that asyncio.Future names
_PY_TASK = tasks._PyTask
_STEP = _PY_TASK._Task__step           # Task.__step, name-mangled
_STEP_CODE = _STEP.__code__
_WAKEUP = _PY_TASK._Task__wakeup       # Task.__wakeup, name-mangled
_SCHEDULE_CALLBACKS = futures._PyFuture._Future__schedule_callbacks
_PY_TASK_DEL = _PY_TASK.__del__
_HANDLE_RUN = events.Handle._run
_GATHERING_FUTURE = tasks._GatheringFuture
_MAIN_THREAD = threading.main_thread().ident
_get_ident = threading.get_ident
_getframe = sys._getframe
_gettrace = sys.gettrace
_thread_time = time.thread_time
_perf = time.perf_counter
_INF = float("inf")
_repeat = itertools.repeat

CO_COROUTINE = 0x0080                  # inspect.CO_COROUTINE
CO_ASYNC_GENERATOR = 0x0200            # inspect.CO_ASYNC_GENERATOR

DEFAULT_MAX_EVENTS = 1000000        # about 100 MB of trace
DEFAULT_MAX_TIME = 86400.0          # one day of loop time
LIMIT_STATUS = 3                    # exit status when a limit stopped the program
BLOCK_CPU = 0.1                     # CPU seconds a step may compute before it counts as
                                    # blocking: asyncio's slow_callback_duration
PENDING_LIMIT = 256                 # events collected before they are written (_write_pending)
CPU_READ_PERIOD = 0.0005            # wall seconds a reading of the CPU clock serves (_cpu_start)
SLOW_CALLBACK = 0.1                 # loop seconds a handle may hold the loop without a warning
SOURCE_LIMIT = 1 << 20              # files larger than this are not embedded (FORMAT.md)
REPR_LIMIT = 80                     # characters of a local's repr (FORMAT.md)
LOCALS_LIMIT = 16                   # locals per frame (FORMAT.md)


class DeadlockError(BaseException):
    """The loop waits with nothing that could ever wake it.

    A BaseException, so that the program's own `except Exception` around
    asyncio.run() does not swallow it on the way out.
    """


# --------------------------------------------------------------------------
# JSON

def _make_encoder():
    """The fastest compact, ASCII-only JSON encoder the json module has: its
    C encoder called directly (json.JSONEncoder.encode adds a layer of
    Python per call); the pure-Python one where there is no C."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder(separators=(",", ":")).encode
    encode = make(None, None, json.encoder.encode_basestring_ascii, None, ":", ",",
                  False, False, True)
    return lambda obj: "".join(encode(obj, 0))


_encode = _make_encoder()
_esc = getattr(json.encoder, "c_encode_basestring_ascii", None) or json.encoder.py_encode_basestring_ascii
_float_repr = float.__repr__
_keys = {}              # field name -> ',"name":'


def _body(ev, fields, raw=None):
    """An event's members after `seq` and `t`, as compact, ASCII-only JSON
    text ('"ev":"NAME",...', without the braces), fields in the
    order given. Faster than building a dict for json's encoder: scalars
    are formatted here and only lists and objects go to the encoder. `raw`
    is JSON text of fields already encoded (`locals`), put last. The most
    frequent events are formatted by their writers instead
    (Recorder.emit_body), the same way."""
    out = f'"ev":"{ev}"'
    for name, value in fields:
        key = _keys.get(name)
        if key is None:
            key = _keys[name] = ',"%s":' % name
        kind = value.__class__
        if kind is int:
            out += key + str(value)
        elif kind is str:
            out += key + _esc(value)
        else:
            out += key + _scalar(value)
    if raw is not None:
        out += raw
    return out


def _scalar(value):
    """A field's value as JSON text: null for None (and for inf and nan,
    which JSON cannot hold); lists and objects through the encoder."""
    kind = value.__class__
    if kind is str:
        return _esc(value)
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    if kind is float:
        return _float_repr(value) if value - value == 0 else "null"
    if kind is bool:
        return "true" if value else "false"
    return _encode(value)


def _num(x):
    """A number as JSON holds it: null for inf and nan (JSON has neither;
    `when` null means never, as the C runtime writes it)."""
    if x is None:
        return None
    x = float(x)
    return x if x - x == 0 else None


def json_value(value, _depth=0):
    """A result as FORMAT.md's `value`: None, bools, numbers, strings, lists
    (tuples too) as arrays, exceptions as {"exc", "msg"}, anything else as its
    repr string. Floats that JSON cannot hold (nan, inf) become their repr."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return value if value - value == 0 else repr(value)
    if isinstance(value, BaseException):
        return {"exc": type(value).__name__, "msg": _exc_msg(value)}
    if isinstance(value, (list, tuple)) and _depth < 50:
        return [json_value(item, _depth + 1) for item in value]
    try:
        return _stable(repr(value))
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


# --------------------------------------------------------------------------
# Short reprs (locals, arguments)

_SHORT_CONTAINERS = {list: ("[", "]"), tuple: ("(", ")"), set: ("{", "}"),
                     frozenset: ("frozenset({", "})"), dict: ("{", "}")}


def _bounded_repr(value, budget, depth=0):
    """repr(value), or at least its first `budget` characters: containers
    of the built-in types are walked only as far as they will be seen, so a
    million-item list costs no more than a short one (the text is the same
    as repr's up to the point where it is cut)."""
    kind = type(value)
    if kind is str:
        if len(value) <= budget + 2:
            return repr(value)
        head = repr(value[:budget + 2])
        # repr picks its quote from the whole string; the head must agree.
        if ("'" in value and '"' not in value) != ("'" in value[:budget + 2] and '"' not in value[:budget + 2]):
            return repr(value)
        return head[:-1]
    brackets = _SHORT_CONTAINERS.get(kind)
    if brackets is None or depth > 20:
        return repr(value)
    opening, closing = brackets
    if not value:
        return {list: "[]", tuple: "()", set: "set()", frozenset: "frozenset()", dict: "{}"}[kind]
    sequence = kind is list or kind is tuple
    if sequence:
        seen = _plain_seen.get((id(value), budget))
        if seen is not None:
            items, more, text = seen
            n, k = len(value), len(items)
            if n >= k and (n > k) == more and all(map(operator.is_, value[:k], items)):
                return text
    parts = []
    more = False
    used = len(opening)
    if kind is dict:
        for key, item in value.items():
            if used > budget:
                parts.append("...")
                break
            text = "%s: %s" % (_bounded_repr(key, budget - used, depth + 1),
                               _bounded_repr(item, budget - used, depth + 1))
            parts.append(text)
            used += len(text) + 2
    else:
        for item in value:
            if used > budget:
                parts.append("...")
                more = True
                break
            # An item that is neither a string nor a container is shown by
            # its repr whatever the budget: no call for it (the common case).
            item_kind = type(item)
            if item_kind is str or item_kind in _SHORT_CONTAINERS:
                text = _bounded_repr(item, budget - used, depth + 1)
            else:
                text = repr(item)
            parts.append(text)
            used += len(text) + 2
    if kind is tuple and len(value) == 1:
        text = "(%s,)" % parts[0]
    else:
        text = opening + ", ".join(parts) + closing
    if sequence and len(text) <= _PLAIN_SEEN_TEXT:
        shown = value[:len(parts) - more]
        if _PLAIN_ITEMS.issuperset(map(type, shown)):
            if len(_plain_seen) >= _PLAIN_SEEN_LIMIT:
                _plain_seen.clear()
            _plain_seen[id(value), budget] = (shown, more, text)
    return text


# A list or tuple whose items shown are numbers, bools or None: the same
# item objects show the same text (the repr of such an object never
# changes), so the text is remembered with them and given again while the
# list or tuple still starts with those very objects and has more items
# exactly when it had (a results list that grows at its end). Keyed by its
# id and the budget; the id is only a hint, the items are what is checked.
# A text of 640 characters or fewer holds no int too long to show
# (sys.set_int_max_str_digits takes nothing below 640).
_PLAIN_ITEMS = frozenset((int, float, bool, type(None)))
_plain_seen = {}        # (id(list or tuple), budget) -> (the items shown, whether "..." followed, text)
_PLAIN_SEEN_LIMIT = 4096
_PLAIN_SEEN_TEXT = 640


_ADDRESS = re.compile(r"(0x[0-9a-fA-F]{6,16})")     # split() gives text, address, text ...
_addresses = {}         # an address seen in a repr (lower case) -> the stand-in it is shown as
_stable_seen = {}       # a repr with addresses -> what _stable made of it
_STABLE_SEEN_LIMIT = 4096


def _stand_in(address):
    address = address.lower()
    number = _addresses.get(address)
    if number is None:
        number = _addresses[address] = "0x%x" % (len(_addresses) + 1)
    return number


def _stable(text):
    """A repr with the memory addresses in it ("<Queue at 0x7f3a...>")
    replaced by numbers in the order they were first seen ("<Queue at
    0x1>"): the same program then records the same bytes every run. An
    address keeps its stand-in for good, so the same text always becomes
    the same: the texts seen last are remembered (the same lock or queue
    shown at every suspension)."""
    if "0x" not in text:
        return text
    done = _stable_seen.get(text)
    if done is None:
        # re.sub with a function would call it for each address; split
        # leaves the addresses at the odd places, looked up (lower case) in C.
        parts = _ADDRESS.split(text)
        parts[1::2] = [_addresses.get(a) or _stand_in(a) for a in map(str.lower, parts[1::2])]
        done = "".join(parts)
        if len(_stable_seen) >= _STABLE_SEEN_LIMIT:
            _stable_seen.clear()
        _stable_seen[text] = done
    return done


def _short_repr(value, limit=REPR_LIMIT):
    """repr() cut to `limit` characters, a cut one ending in "…"; a repr
    that raises is "<unprintable TYPE>" (FORMAT.md, `locals`); addresses
    made stable (_stable)."""
    try:
        kind = type(value)
        if kind is str or kind in _SHORT_CONTAINERS:
            text = _bounded_repr(value, limit + 20)
        else:
            text = repr(value)          # what _bounded_repr would do, without the call
    except Exception:
        return "<unprintable %s>" % type(value).__name__
    if not isinstance(text, str):
        return "<unprintable %s>" % type(value).__name__
    text = _stable(text)
    if len(text) > limit:
        text = text[:limit - 1] + "\u2026"
    return text


_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_own_address = {}       # id(object) -> its address as %#x writes it


def _stable_own(text, value):
    """_stable(text) for a repr of `value`, with its common case made quick:
    the only address in the text is the object's own, id(value) as %#x
    (as object.__repr__ and asyncio's reprs write it: "<Queue at 0x7f3a...
    maxsize=0 tasks=12>", whose text changes at every step). That address
    is exactly what _ADDRESS would find there when no other "0x" is in the
    text and no hex digit follows it (the pattern takes at most 16), so it
    is replaced at once; any other text goes through _stable."""
    if "0x" not in text:
        return text
    address = _own_address.get(id(value))
    if address is None:
        address = "%#x" % id(value)
        if len(_own_address) >= _STABLE_SEEN_LIMIT:
            _own_address.clear()
        _own_address[id(value)] = address
    head, found, tail = text.partition(address)
    if (found and "0x" not in head and "0x" not in tail and 8 <= len(found) <= 18
            and (not tail or len(found) == 18 or tail[0] not in _HEX_DIGITS)):
        return head + (_addresses.get(found) or _stand_in(found)) + tail
    return _stable(text)


_json_seen = {}         # a local's repr text -> its JSON text in `vars` (_local_json)
_JSON_SEEN_LIMIT = 4096
_plain_json = {}        # id(list or tuple) -> (_plain_seen's items and "...", the JSON of its text)
_PLAIN_BUDGET = REPR_LIMIT + 20


def _local_json(value):
    """_esc(_short_repr(value)): a local's value as the JSON string `vars`
    holds, for _locals_of. The repr is always called (what it shows may
    have changed); the same text always gives the same JSON text (an
    address keeps its stand-in for good: _stable), so the texts seen last
    are remembered with their JSON (the same lock at every suspension); a
    text not seen is made stable the quick way where it can be
    (_stable_own). A list or tuple of plain items that _bounded_repr knows
    unchanged (_plain_seen) gives its JSON at once, checked the same way."""
    kind = type(value)
    if kind is list or kind is tuple:
        seen = _plain_json.get(id(value))
        if seen is not None:
            items, more, done = seen
            n, k = len(value), len(items)
            if n >= k and (n > k) == more and all(map(operator.is_, value[:k], items)):
                return done
    try:
        if kind is str or kind in _SHORT_CONTAINERS:
            text = _bounded_repr(value, _PLAIN_BUDGET)
        else:
            text = repr(value)          # what _bounded_repr would do, without the call
    except Exception:
        return _esc("<unprintable %s>" % kind.__name__)
    done = _json_seen.get(text)
    if done is None:
        if not isinstance(text, str):
            return _esc("<unprintable %s>" % kind.__name__)
        stable = _stable_own(text, value)
        if len(stable) > REPR_LIMIT:
            stable = stable[:REPR_LIMIT - 1] + "\u2026"
        done = _esc(stable)
        if len(_json_seen) >= _JSON_SEEN_LIMIT:
            _json_seen.clear()
        _json_seen[text] = done
    if kind is list or kind is tuple:
        plain = _plain_seen.get((id(value), _PLAIN_BUDGET))
        if plain is not None and plain[2] is text:
            if len(_plain_json) >= _PLAIN_SEEN_LIMIT:
                _plain_json.clear()
            _plain_json[id(value)] = (plain[0], plain[1], done)
    return done


# --------------------------------------------------------------------------
# Names of callables

# Callbacks whose name in CPython differs from the one the C runtime (and
# so the trace format) uses for the same thing.
_RENAMED = {"_wait._on_completion": "_on_completion"}


def _qualname(fn):
    name = (getattr(fn, "__qualname__", None) or getattr(fn, "co_qualname", None)
            or getattr(fn, "__name__", None))
    return name.replace("<locals>.", "") if isinstance(name, str) else type(fn).__name__


def _callable_name(fn):
    """A short name for a coroutine or a job's function: its qualified name,
    bound methods included, without "<locals>." ("gather._done_callback")."""
    if fn is None:
        return None
    fn = getattr(fn, "func", fn)                    # functools.partial
    return _qualname(fn)


def _in_asyncio_fn(fn):
    code = getattr(fn, "__code__", None)
    return code is not None and _is_asyncio_file(code.co_filename)


# A plain function's name in the trace (_cb_name) follows from its
# __qualname__ alone when that is not empty: timer_new's fn by that text.
_FUNCTION_TYPE = types.FunctionType
_timer_fn_json = {}


def _cb_name(fn):
    """A callback's name as the trace shows it: "report", "Timeout._on_timeout",
    "partial(report, 'first')" for a partial of the program's (asyncio's own
    partials, such as wait_for's _release_waiter, by their function), and a
    future's own methods by their bare name ("set_result")."""
    if isinstance(fn, functools.partial):
        if _in_asyncio_fn(fn.func):
            return _cb_name(fn.func)
        parts = [_cb_name(fn.func)] + [_short_repr(a) for a in fn.args]
        parts += ["%s=%s" % (k, _short_repr(v)) for k, v in fn.keywords.items()]
        return "partial(%s)" % ", ".join(parts)
    owner = getattr(fn, "__self__", None)
    if owner is not None and futures.isfuture(owner) and not isinstance(owner, type):
        return getattr(fn, "__name__", None) or _qualname(fn)
    name = _qualname(fn)
    return _RENAMED.get(name, name)


# --------------------------------------------------------------------------
# Ids

class _IdMap:
    """Ids for objects that carry no id of their own (futures, timers).

    Keyed by object identity; an entry is dropped when its object dies, so a
    later object at the same address gets a fresh id -- an id is never reused.
    Objects that cannot be weakly referenced are kept alive instead.
    """

    def __init__(self):
        self._ids = {}          # id(obj) -> a _KeyRef to it (a _Pin if it has no weak references)
        self._on_death = self._forget   # one bound method for every entry

    def get(self, obj):
        ref = self._ids.get(id(obj))
        return ref.number if ref is not None and ref() is obj else None

    def put(self, obj, number):
        key = id(obj)
        try:
            # One object per entry (a closure would make four more for the
            # collector to trace: a function, its cell, its defaults, its
            # closure tuple, and a tuple with the number one more); a weak
            # reference to an object knows its id's key and its number.
            ref = _KeyRef(obj, self._on_death)
        except TypeError:
            ref = _Pin(obj)
        ref.key = key
        ref.number = number
        self._ids[key] = ref

    def _forget(self, ref):
        key = ref.key
        if self._ids.get(key) is ref:
            del self._ids[key]


class _KeyRef(weakref.ref):
    """A weak reference that knows the id of its object (_IdMap's key) and
    the number _IdMap gave it."""

    __slots__ = ("key", "number")


class _Pin:
    """_KeyRef for an object that cannot be weakly referenced: it holds the
    object (alive, so that its id stands for nothing else) and is called
    as a weak reference is, for it."""

    __slots__ = ("obj", "key", "number")

    def __init__(self, obj):
        self.obj = obj

    def __call__(self):
        return self.obj


# --------------------------------------------------------------------------
# Code: the program's and the library's

# Code objects are looked up by id: a code object's hash is computed anew
# each time from its name, bytecode and constants (hundreds of nanoseconds,
# at every frame of every event). Each one looked up is kept alive in
# _codes_known, so that no id can stand for another code object later.
_code_kinds = {}        # id(code object) -> one of the _K_ values
_codes_known = []       # the code objects _code_kinds has seen
_passed_over = set()    # ids of those whose frames a stack walk passes over (_K_LIBRARY, _K_PROGRAM)
_K_LIBRARY = 0          # the standard library (asyncio included) or the recorder
_K_PROGRAM = 1          # the program's code, not a coroutine
_K_COROUTINE = 2        # a coroutine function of the program's
_K_AGEN = 3             # an async generator of the program's
_K_STEP = 4             # Task.__step: where a task's stack begins

_file_library = {}
_file_asyncio = {}      # an absolute co_filename -> whether it is asyncio's


def _is_asyncio_file(filename):
    inside = _file_asyncio.get(filename)
    if inside is None:
        inside = os.path.abspath(filename).startswith(_ASYNCIO_DIR)
        if filename.startswith(os.sep):     # a relative one depends on the directory
            _file_asyncio[filename] = inside
    return inside


def _is_library_file(filename):
    """Whether a file is the standard library's or the recorder's: not the
    program's own code (whose frames are the ones shown). A file under the
    program's directory is the program's even inside a Python installation."""
    inside = _file_library.get(filename)
    if inside is None:
        path = os.path.abspath(filename)
        if filename.startswith("<") or path == _HERE:
            inside = True
        elif _program_dir[0] and path.startswith(_program_dir[0]):
            inside = False
        else:
            inside = path.startswith(_STDLIB_DIRS) and "site-packages" not in path
        _file_library[filename] = inside
    return inside


def _code_kind(code):
    kind = _code_kinds.get(id(code))
    if kind is None:
        if code is _STEP_CODE:
            kind = _K_STEP
        elif _is_library_file(code.co_filename):
            kind = _K_LIBRARY
        elif code.co_flags & CO_COROUTINE:
            kind = _K_COROUTINE
        elif code.co_flags & CO_ASYNC_GENERATOR:
            kind = _K_AGEN
        else:
            kind = _K_PROGRAM
        _codes_known.append(code)
        _code_kinds[id(code)] = kind
        if kind == _K_LIBRARY or kind == _K_PROGRAM:
            _passed_over.add(id(code))
    return kind


_program_dir = [None]       # the recorded program's directory, with a trailing separator


def _frame_of(obj):
    return (getattr(obj, "cr_frame", None) or getattr(obj, "gi_frame", None)
            or getattr(obj, "ag_frame", None))


def _await_chain(coro):
    """The coroutine/generator objects a suspended task is inside, outermost
    first (a coroutine awaiting a coroutine awaiting ... ; futures end it)."""
    chain = []
    obj = coro
    while obj is not None and len(chain) < 200:
        frame = _frame_of(obj)
        if frame is None:
            break
        chain.append(obj)
        obj = (getattr(obj, "cr_await", None) or getattr(obj, "gi_yieldfrom", None)
               or getattr(obj, "ag_await", None))
    return chain


def _program_frame(frame):
    """The innermost frame of the program's own code at or above `frame`."""
    while frame is not None:
        if _code_kind(frame.f_code) in (_K_PROGRAM, _K_COROUTINE, _K_AGEN):
            return frame
        frame = frame.f_back
    return None


class _Mark:
    """What a frame carries (as its f_trace, unused while nothing traces)
    so that the recorder knows it again without keeping it alive: a frame
    that has returned is never confused with a new one at its address."""

    __slots__ = ("fn", "__weakref__")

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, frame, event, arg):     # a debugger that finds it: no line events
        return None


def _frame_key(frame, tracing):
    """The key the recorder knows `frame` by: its _Mark (made on first
    sight), or the frame itself while a debugger or profiler traces (f_trace
    is theirs then)."""
    if tracing:
        return frame
    mark = frame.f_trace
    if mark.__class__ is not _Mark:
        mark = _Mark(_qualname(frame.f_code))
        frame.f_trace = mark
    return mark


def _key_fn(key):
    return key.fn if key.__class__ is _Mark else _qualname(key.f_code)


def _frame_args(frame):
    """A coroutine's arguments as the call that made it would print them:
    "('a', 3)" (keyword-only ones as name=value)."""
    code = frame.f_code
    values = _frame_locals(frame)
    n = code.co_argcount + code.co_kwonlyargcount
    names = code.co_varnames
    parts = []
    for i, name in enumerate(names[:code.co_argcount]):
        if name in values:
            parts.append(_short_repr(values[name]))
    if code.co_flags & 0x04:                        # *args
        extra = values.get(names[n])
        if isinstance(extra, tuple):
            parts.extend(_short_repr(v) for v in extra)
        n += 1
    for name in names[code.co_argcount:code.co_argcount + code.co_kwonlyargcount]:
        if name in values:
            parts.append("%s=%s" % (name, _short_repr(values[name])))
    if code.co_flags & 0x08:                        # **kwargs
        extra = values.get(names[n])
        if isinstance(extra, dict):
            parts.extend("%s=%s" % (k, _short_repr(v)) for k, v in extra.items())
    return "(%s)" % ", ".join(parts)


def _frame_locals(frame):
    """A copy of a frame's local variables. Reading them fills the frame's
    own f_locals dict, which would keep old values alive (and their
    finalizers waiting); that dict is emptied again when nobody else (a
    locals() of the program's) holds it."""
    try:
        values = frame.f_locals
    except Exception:
        return {}
    copy = dict(values)
    if sys.getrefcount(values) <= 3 and sys.gettrace() is None and type(values) is dict:
        values.clear()
    return copy


_BIG_INT = 10 ** 70          # ints shorter than this are shown by repr at once
_NEG_BIG_INT = -_BIG_INT
_PLAIN_REPR = {bool: True, type(None): True, float: True}      # repr short, ASCII, no address


_fn_json = {}           # id(code object) -> (it, '{"fn":"name","line":')
_var_json = {}          # a local's name -> '"name":'
_getrefcount = sys.getrefcount


def _var_key(name):
    key = _var_json[name] = _esc(name) + ":"
    return key


def _locals_of_py(frame, line=None):
    """FORMAT.md's `locals` entry for one frame, as JSON text (formatted
    here: it is written at every suspension; `line` is its f_lineno when the
    caller has read it already). Reading a frame's locals fills its own
    f_locals dict, which would keep old values alive (and their finalizers
    waiting); that dict is emptied again when nobody else (a locals() of the
    program's) holds it."""
    code = frame.f_code
    entry = _fn_json.get(id(code))
    if entry is None or entry[0] is not code:
        entry = _fn_json[id(code)] = (code, '{"fn":%s,"line":' % _esc(_qualname(code)))
    try:
        values = frame.f_locals
    except Exception:
        values = {}
    keys = _var_json
    shown = []
    add = shown.append
    for name, value in (values.items() if len(values) <= LOCALS_LIMIT
                        else itertools.islice(values.items(), LOCALS_LIMIT)):
        kind = value.__class__
        if kind is int and _NEG_BIG_INT < value < _BIG_INT or kind in _PLAIN_REPR:
            # repr is short, plain ASCII and without an address.
            add(f'{keys.get(name) or _var_key(name)}"{value!r}"')
        else:
            add((keys.get(name) or _var_key(name)) + _local_json(value))
    more = len(values) - LOCALS_LIMIT
    if _getrefcount(values) <= 3 and values.__class__ is dict and _gettrace() is None:
        values.clear()
    if more > 0:
        return '%s%d,"vars":{%s},"more":%d}' % (entry[1], (frame.f_lineno if line is None else line) or 1,
                                               ",".join(shown), more)
    return f'{entry[1]}{(frame.f_lineno if line is None else line) or 1},"vars":{{{",".join(shown)}}}}}'


def _var_text(key, value, kind):
    """One local's entry in `vars` as _locals_of_py writes it, `kind` being
    value.__class__: for the speedups' rare case of an object whose
    __class__ is not its type."""
    if kind is int and _NEG_BIG_INT < value < _BIG_INT or kind in _PLAIN_REPR:
        return f'{key}"{value!r}"'
    return key + _local_json(value)


def _load_speedups():
    """The speedups (runtime/recorder/speedups.c): _locals_of, emit_body's
    catch-up, emit_body itself and Task._rec_suspended in C, the same text
    faster. Where: $COROSCOPE_SPEEDUPS (a directory; "0" for none), else
    BUILD/pyext when a checkout's coroscope runs the recorder (its compiled
    code is cached in BUILD/pycache: _coroscope_cache, set by RECORDER_BOOT),
    else beside the recorder (installed). Missing, or built for another
    interpreter: None, and the recorder runs in pure Python. The module is
    loaded from its file, not imported: sys.path and sys.modules stay as
    the program would find them without the recorder."""
    import importlib.machinery
    import importlib.util
    import resource
    where = os.environ.get("COROSCOPE_SPEEDUPS")
    if where == "0":
        return None
    # Under a memory limit (ulimit -v, -d) memory may run out anywhere: the
    # recorder's guarantee then (the trace ends in exactly one `end`) is
    # the pure Python's, tested (tests/scripts/recorder.py, out_of_memory).
    # The C paths do not keep it yet -- a recording can hang or lose its
    # `end` when an allocation fails inside them -- so they are not used.
    for limit in (resource.RLIMIT_AS, resource.RLIMIT_DATA):
        if resource.getrlimit(limit)[0] != resource.RLIM_INFINITY:
            return None
    if not where:
        cache = globals().get("_coroscope_cache")
        where = (os.path.join(os.path.dirname(cache), "pyext") if cache
                 else os.path.dirname(_HERE))
    name = "_coroscope_speedups"
    path = os.path.join(where, name + importlib.machinery.EXTENSION_SUFFIXES[0])
    named = bool(os.environ.get("COROSCOPE_SPEEDUPS"))
    if not os.path.isfile(path):
        if named:
            _say_pure("COROSCOPE_SPEEDUPS=%s has no %s" % (where, os.path.basename(path)))
        return None
    try:
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if sys.modules.get(name) is module:
            del sys.modules[name]       # (a single-phase extension puts itself there)
        module.setup(globals())
        for needed in ("locals_of", "catch_up", "walk_agrees", "method", "setup_suspended", "suspended"):
            getattr(module, needed)     # (an older build lacks some: AttributeError)
    except (ImportError, OSError, KeyError, TypeError, ValueError, AttributeError) as exc:
        # Built for another interpreter, damaged, or of another recorder's
        # version: the recording goes on in pure Python, the same trace.
        sys.modules.pop(name, None)
        _say_pure("%s cannot be used (%s: %s)" % (path, type(exc).__name__, exc))
        return None
    return module


def _say_pure(why):
    """One line on stderr: the speedups that should have been used are not."""
    print("%s: %s; recording in pure Python (the same trace, more slowly)" % (PROG, why),
          file=sys.stderr)


_speedups = _load_speedups()
_locals_of = _speedups.locals_of if _speedups is not None else _locals_of_py
# Recorder.emit_body's catch-up walks the interpreter's own frames: only on
# the very version it was built for, once the walk is seen to agree.
_catch_up = (_speedups.catch_up if _speedups is not None and _speedups.FRAME_WALK
             and _speedups.BUILT_FOR == sys.hexversion and _speedups.walk_agrees(_getframe())
             else None)


# --------------------------------------------------------------------------
# The program's files: names in `src`, text in `source` events

class Sources:
    """How `src` names files, and which of them the trace has embedded.

    A file under the recorded program's directory is named by its path
    relative to it ("pkg/util.py"), any other by its base name -- made
    unique by its parent directories if two files share one. Each file's
    text goes into the trace (a `source` event) before the first event that
    names it, once; a file over SOURCE_LIMIT bytes, or one that cannot be
    read, is not embedded.
    """

    def __init__(self, program):
        self.program = program
        self.root = os.path.dirname(os.path.abspath(program)) + os.sep
        self.names = {}         # co_filename -> FILE
        self.taken = {}         # FILE -> absolute path
        self.embedded = set()   # FILEs whose source event is written (or never will be)
        self.pending = []       # (FILE, text) to write before the next event

    def name(self, filename):
        name = self.names.get(filename)
        if name is None:
            path = os.path.abspath(filename)
            if path.startswith(self.root):
                name = path[len(self.root):].replace(os.sep, "/")
            else:
                parts = path.split(os.sep)
                name = parts[-1]
                k = 2
                while self.taken.get(name, path) != path and k <= len(parts):
                    name = "/".join(parts[-k:])
                    k += 1
            self.taken[name] = path
            self.names[filename] = name
            if name not in self.embedded:
                self.embedded.add(name)
                text = self._read(path)
                if text is not None:
                    self.pending.append((name, text))
        return name

    @staticmethod
    def _read(path):
        try:
            if os.path.getsize(path) > SOURCE_LIMIT:
                return None
            with tokenize.open(path) as f:      # the encoding Python reads it with
                return f.read()
        except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
            return None


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
            if self.owned and self.fd >= 0:
                fd, self.fd = self.fd, -1
                os.close(fd)


# --------------------------------------------------------------------------
# The trace writer

class Recorder:
    """Writes one trace: numbering, ids, the header, one event per line.

    `out` is a TraceFile, or None to run the virtual loop without writing.
    Events are written only while `active`; write errors are remembered (the
    program must not see them) and reported by the caller at the end.
    """

    def __init__(self, out, scenario, program=None, max_events=0, with_locals=True,
                 version=FORMAT_VERSION):
        self.out = out
        self.version = version      # 4: seq left out (it always follows), t where it repeats
        self.t_written = None       # the t of the last event written (version 4), None before the first
        self.scenario = scenario
        self.max_events = max_events    # 0: no limit
        self.seq_limit = max_events or _INF     # the last seq that may be written
        self.with_locals = with_locals
        self.sources = Sources(program) if program else None
        self.seq = 0
        self.last_id = 0
        self.loop = None
        self.loop_thread = None
        self.active = False
        self.finished = False
        self.halting = False        # _halt is ending the recording and the program
        self.write_error = None
        self.memory_error = False   # the recorder itself ran out of memory
        self.owed_end = None        # the reason of an `end` that could not be written
        self.step_task = None       # the task whose coroutine is running, in the loop's thread
        self.current_cb = None      # the name of the plain callback the loop is running
        self.via_override = None    # who cancels during asyncio.run's shutdown
        self.pending_new = None     # a task_new held back until its name is final
        self.deferred = []          # warnings from finalizers, written at the next event
        self.ids = _IdMap()
        self.reported_done = set()  # ids of futures whose fut_done was written
        self.resolving = []         # futures inside set_result/set_exception/cancel
        self.scheduling = []        # futures whose done-callbacks are being scheduled
        self.labels = {}            # future id -> the label its fut_new gave
        self.reserved = {}          # id(coroutine) -> the id its task will get (`of`)
        self.pending = []           # bodies of events emitted but not written yet (_write_pending)
        self.batch_limit = PENDING_LIMIT    # 1 once memory is short (memory_short)
        self.ended = False          # `end` is written: nothing follows it
        self.emit_time = 0.0        # seconds spent writing events (not the program's)
        self.cpu_read = (0.0, -_INF)    # (thread CPU time, wall time) last read (_cpu_start)
        self.failed = weakref.WeakSet()     # futures resolved with an exception
        self.wait_fors = []         # wait_for() calls not armed yet (_WaitFor)
        self.wait_orders = {}       # id(wait()'s frame) -> (its coroutine, the futures in order)
        self.as_completed_of = {}   # id(as_completed()'s queue) -> (it, the ids it waits for)
        self.suspensions = {}       # id(code object) -> (it, {f_lasti: (line, src JSON)}): suspended_at
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
        not see it is announced with a fut_new when it is first mentioned."""
        own = getattr(obj, "_rec_id", None)
        if own is not None and getattr(obj, "_rec", None) is self:
            return own
        ref = self.ids._ids.get(id(obj))        # self.ids.get(obj), inline
        if ref is not None and ref() is obj:
            return ref.number
        return self.fut_new(obj, "future", None)

    def obj_id(self, obj):
        """The id of a TaskGroup, timeout, queue or lock: made at its first event."""
        number = self.ids.get(obj)
        if number is None:
            number = self.new_id()
            self.ids.put(obj, number)
        return number

    def fut_new(self, fut, kind, label, of=None):
        self.last_id += 1           # self.new_id(), inline
        number = self.last_id
        self.ids.put(fut, number)
        if label is not None:
            self.labels[number] = label
        task = self.step_task
        by = "null" if task is None or _get_ident() != self.loop_thread else task._rec_id
        body = (f'"ev":"fut_new","fut":{number},"kind":{_esc(kind)},'
                f'"label":{"null" if label is None else _esc(label)},"by":{by}')
        if of is not None:
            body += ',"of":' + _encode(of)
        self.emit_body(body)
        return number

    # -- where things happen

    def src(self, frame, line=None):
        """"FILE:LINE" of a frame, its file embedded (Sources); `line` is
        its f_lineno when the caller has read it already."""
        if frame is None:
            return None
        code = frame.f_code
        name = self.sources.name(code.co_filename) if self.sources else os.path.basename(code.co_filename)
        return "%s:%d" % (name, (frame.f_lineno if line is None else line) or code.co_firstlineno or 1)

    def suspended_at(self, frame):
        """(line, src as JSON text) of a frame where a task suspended,
        remembered by its code and instruction: a frame's f_lineno is found
        by scanning its code's line table from the start (microseconds in a
        long function), and a task suspends at the same few places again
        and again. (The line follows from the instruction alone: f_lineno
        differs only inside a trace function's call, which moves it.)"""
        code = frame.f_code
        known = self.suspensions.get(id(code))
        if known is None or known[0] is not code:      # (known[0] keeps the id meaning it)
            known = self.suspensions[id(code)] = (code, {})
        lasti = frame.f_lasti
        found = known[1].get(lasti)
        if found is None:
            line = frame.f_lineno
            found = known[1][lasti] = (line, _esc(self.src(frame, line)))
        return found

    def fallback_src(self):
        """The program's first line: where a step whose stack shows none of
        the program's code is said to be (src is required there)."""
        return "%s:1" % self.sources.name(self.sources.program) if self.sources else "?:1"

    def caller_src(self, frame):
        """src of the innermost frame of the program's code at or above `frame`."""
        return self.src(_program_frame(frame))

    # -- writing

    def now(self):
        return self.loop._now if self.loop is not None else 0.0

    def _write_line(self, obj):
        if self.out is None or self.write_error is not None:
            return
        data = (_encode(obj) + "\n").encode("ascii")
        try:
            self.out.write(data)
        except (OSError, ValueError) as exc:
            self.write_error = exc

    def _write_event(self, seq, fields):
        """Write event number `seq` from a dict of its fields after `seq`
        and `t` (the rare ones: source, end), at the clock's time."""
        now = self.now()
        if self.version < 4:
            self._write_line(dict({"seq": seq, "t": now}, **fields))
        elif now == self.t_written and now - now == 0:
            self._write_line(fields)
        else:
            self._write_line(dict({"t": now}, **fields))
            self.t_written = now

    def header(self):
        self._write_line({"format": FORMAT_NAME, "version": self.version,
                          "scenario": self.scenario, "clock": "virtual",
                          "semantics": "cpython-3.11", "producer": PRODUCER})

    def emit(self, ev, fields, raw=None):
        """Write event `ev`; `fields` is a list of (name, value) pairs in
        FORMAT.md's order. Before it: a task_new held back, warnings from
        finalizers, and -- when a task is running -- what changed in its
        stack since its last event (Recorder.sync)."""
        if not self.active:
            return
        try:
            body = _body(ev, fields, raw)
        except MemoryError:
            self._out_of_memory()
            return
        self.emit_body(body)

    def _emit_body_py(self, body, catch_up=True, depth=2):
        """emit() of an event its writer formatted itself (as _body does:
        '"ev":"NAME",...'), for the most frequent ones. `catch_up` False
        writes it without what emit() writes first (for those very events).
        The stack is looked at from `depth` frames up: the frames below it
        must be the recorder's (its caller always is; _sync_event's caller
        is too). (emit_body: this, or the same in C, speedups.c's
        emit_body, where the C catch-up is.)"""
        if not self.active:
            return
        if catch_up and _catch_up is not None:
            _catch_up(self, depth)          # what follows, in C (runtime/recorder/speedups.c)
        elif catch_up:
            if self.pending_new is not None:
                self._flush_new()
            if self.deferred:
                self._flush_deferred()
            task = self.step_task
            if task is not None and _get_ident() == self.loop_thread:
                # sync's common case, here: past the recorder's and asyncio's
                # frames, the program's frame that made the event is the
                # innermost coroutine frame seen last (then so is the rest of
                # the stack: nothing to write), and no watcher waits.
                probe = start = _getframe(depth)
                passed = _passed_over
                while probe is not None and id(probe.f_code) in passed:
                    probe = probe.f_back
                old = task._rec_frames
                if (probe is None or task._rec_watch or _gettrace() is not None
                        or probe.f_trace is not (old[-1] if old else task._rec_top)):
                    self.sync(task, start)
        pending = self.pending
        if self.seq + len(pending) >= self.seq_limit or self.sources is not None and self.sources.pending:
            self._emit_locked(body)
            return
        # Collected, to be written with others (_write_pending), without the
        # lock: list.append is atomic, and _write_pending removes only the
        # events it wrote. One append, whole or not at all, so that an event
        # cut short by MemoryError leaves no gap and no duplicate. (After an
        # `end` written meanwhile by another thread, an event appended here
        # is never written, as none may follow `end`.)
        try:
            pending.append(body)
            if len(pending) >= self.batch_limit:
                self._write_pending()
        except MemoryError:
            self._out_of_memory()

    emit_body = _emit_body_py

    def _emit_locked(self, body):
        """emit_body's rare cases, under the lock: a file's source to embed
        first, or the event limit reached (checked again here: another
        thread's _write_pending may have been half-way)."""
        lock = self.lock
        lock.acquire()
        try:
            if not self.active:
                return              # another thread ended the recording meanwhile
            pending = self.pending
            if self.sources is not None and self.sources.pending:
                self._write_pending()
                self._flush_sources()
            if self.seq + len(pending) >= self.seq_limit:
                if not self.halting:
                    _halt(self, "max_events")
                return
            pending.append(body)
            if len(pending) >= self.batch_limit:
                self._write_pending()
        except MemoryError:
            self._out_of_memory()
        finally:
            lock.release()

    def _write_pending(self):
        """Write the events emit_body collected: numbered on from the last
        seq written, at the clock's time -- they are written before the
        clock moves (VirtualClockLoop._poll, _hold_loop), so that is the
        time they happened at. One clock reading and one append to the
        file's buffer for them all, timed as the recorder's own writing
        (emit_time, _computed). When memory runs out they go one by one; a
        MemoryError then goes to the caller, the events not written yet
        staying pending, none lost or written twice. A signal that arrives
        meanwhile waits for it (busy, _on_signal)."""
        pending = self.pending
        if not pending or self.ended:
            return
        lock = self.lock
        lock.acquire()
        try:
            self.busy = _get_ident()
            t0 = _perf()
            try:
                # The events to write: those appended so far (others may
                # be appended meanwhile, after them), no more than the
                # event limit leaves room for.
                count = len(pending)
                if count > self.seq_limit - self.seq:
                    count = max(0, int(self.seq_limit - self.seq))
                out = self.out
                if out is None or self.write_error is not None:
                    self._written(pending, count, self.seq + count, _repeat(None, count))
                else:
                    now = self.loop._now if self.loop is not None else 0.0
                    t = _float_repr(now) if now - now == 0 else "null"
                    if self.version >= 4 and now == self.t_written and t != "null":
                        t = None        # the same t as the line before: left out
                    try:
                        self._write_batch(out, pending, count, t, now)
                    except MemoryError:
                        # The batch needs room for its text twice over: with
                        # memory short, the file's buffer is emptied and the
                        # lines go one by one, as little as one event needs.
                        self.flush_file()
                        self._write_one_by_one(out, pending, count, t, now)
                    if len(out.buf) >= TraceFile.CHUNK:
                        self.flush_file()
            finally:
                self.busy = None
                self.emit_time += _perf() - t0
        finally:
            lock.release()
        if self.signal is not None and _get_ident() == _MAIN_THREAD:
            _halt(self, "interrupted", self.signal)

    def _emit(self, ev, fields, raw=None):
        """emit() without what it writes first."""
        try:
            body = _body(ev, fields, raw)
        except MemoryError:
            self._out_of_memory()
            return
        self.emit_body(body, False)

    def _flush_sources(self):
        pending, self.sources.pending = self.sources.pending, []
        for name, text in pending:
            if self.max_events and self.seq >= self.max_events:
                return
            seq = self.seq + 1
            self._write_event(seq, {"ev": "source", "file": name, "text": text})
            self.seq = seq

    def _out_of_memory(self):
        """The recorder could not write an event for want of memory: end the
        trace there (reason error) and stop the program (see _halt)."""
        self.memory_error = True
        self.memory_short()
        if _cli[0] is not None and _cli[0][0] is self:
            _halt(self, "error")
        self.end("error")

    def memory_short(self):
        """Memory has run out: the reserve is given back, and from now on
        each event is written as it comes (as little memory as one event
        needs), so that the trace can still end with `end`."""
        _RESERVE.clear()
        self.batch_limit = 1

    def _flush_new(self):
        task = self.pending_new
        try:
            fields = [("task", task._rec_id), ("name", task.get_name()),
                      ("parent", task._rec_parent), ("coro", task._rec_coro), ("h", task._rec_h)]
            if task._rec_src is not None:
                fields.append(("src", task._rec_src))
        except MemoryError:
            self._out_of_memory()
        self.pending_new = None
        self._emit("task_new", fields)

    def _flush_deferred(self):
        deferred, self.deferred = self.deferred, []
        for ev, fields in deferred:
            self._emit(ev, fields)

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
                if self.pending_new is not None:
                    self._flush_new()
                if self.deferred:
                    self._flush_deferred()
                self.active = False     # first: nothing may follow, whatever happens
                try:
                    self._write_pending()
                    self.busy = _get_ident()
                    seq = self.seq + 1
                    self._write_event(seq, {"ev": "end", "reason": reason})
                    self.seq = seq
                    self.ended = True   # what another thread appended meanwhile is never written
                except MemoryError:
                    self.memory_error = True    # tried again at the end (owed_end)
                    self.owed_end = reason
                finally:
                    self.busy = None
            self.finished = True

    def _write_batch(self, out, pending, count, t, now):
        """The first `count` pending events as lines at time text `t` (None:
        left out, version 4) -- the clock's `now` --, appended to the file's
        buffer at once, or nothing (MemoryError)."""
        seq = self.seq
        after = seq + count
        dropper = _repeat(None, count)      # made before anything is written (_written)
        if self.version >= 4:
            # '{' + body + '}\n' each, seq left out (it follows), t given
            # on the first line only (all are at `now`), and only if the
            # line before had another.
            lines = "}\n{".join(pending[:count])
            out.buf += ("{%s}\n" % lines if t is None else '{"t":%s,%s}\n' % (t, lines)).encode("ascii")
            self.t_written = now
            self._written(pending, count, after, dropper)
            return
        # '{"seq":N,"t":T,' + body + '}\n' for each, in C loops: "N" joined
        # to the body by ',"t":T,', the lines by '}\n{"seq":'. (zip stops at
        # the numbers' end: events appended meanwhile are not taken.)
        joint = (',"t":' + t + ',').join
        data = '{"seq":' + '}\n{"seq":'.join(map(joint, zip(map(str, range(seq + 1, after + 1)), pending))) + '}\n'
        out.buf += data.encode("ascii")     # TraceFile.write, inline: whole or not at all
        self._written(pending, count, after, dropper)

    def _written(self, pending, count, after, dropper):
        """The first `count` pending events are written: counted, and
        dropped from the list without allocating -- deleting a slice of it
        at once may need memory (then one at a time: deleting one item does
        not, nor does iterating `dropper`, an itertools.repeat(None, count)
        made beforehand)."""
        self.seq = after
        try:
            del pending[:count]
        except MemoryError:
            for _ in dropper:
                del pending[0]

    def _write_one_by_one(self, out, pending, count, t, now):
        """The first `count` pending events' lines one at a time, each
        counted and dropped once it is in the buffer (without allocating),
        so that a MemoryError leaves no gap and no duplicate."""
        for _ in _repeat(None, count):
            seq = self.seq + 1
            if self.version < 4:
                out.buf += ('{"seq":%d,"t":%s,%s}\n' % (seq, t, pending[0])).encode("ascii")
            elif t is None:
                out.buf += ("{%s}\n" % pending[0]).encode("ascii")
            else:
                out.buf += ('{"t":%s,%s}\n' % (t, pending[0])).encode("ascii")
                self.t_written = now
                t = None
            self.seq = seq
            del pending[0]

    def flush_file(self):
        """The file's buffer to the file; a write error is remembered."""
        try:
            self.out.flush()
        except (OSError, ValueError) as exc:
            self.write_error = exc

    def write_pending(self):
        """_write_pending, where a MemoryError must not reach the program:
        the trace ends there (reason error), as at any event."""
        try:
            self._write_pending()
        except MemoryError:
            self._out_of_memory()

    def flush(self):
        self.write_pending()
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
        if not fut.cancelled() and getattr(fut, "_exception", None) is None and getattr(fut, "_result", None) is None:
            # The common case (a sleep's, a lock's future), formatted here:
            # what _outcome and emit would make of it.
            if self.active:
                try:
                    body = (f'"ev":"fut_done","fut":{fut_id},"outcome":"result","value":null,'
                            f'"by":{"null" if by is None else by},"via":{_scalar(via)}')
                except MemoryError:
                    self._out_of_memory()
                    return fut_id
                self.emit_body(body)
            return fut_id
        self.emit("fut_done", [("fut", fut_id)] + _outcome(fut) + [("by", by), ("via", via)])
        return fut_id

    # -- context

    def step_task_id(self):
        """The running task's id, or null (in a callback, or in another thread)."""
        task = self.step_task
        if task is None or _get_ident() != self.loop_thread:
            return None
        return task._rec_id

    def by_via(self):
        """(by, via): the running task's id, or null and the running callback."""
        task = self.step_task_id()
        if task is not None:
            return task, None
        if self.via_override is not None:
            return None, self.via_override
        return None, self.current_cb

    # -- a task's stack: frames and watchers

    def sync(self, task, frame=None, frames=None):
        """Bring the trace up to date with task's stack before its next
        event: watchers whose coroutine has finished write their event
        (group exit, timeout exit ...), then the program's coroutine frames
        that have returned get frame_exit (innermost first) and new ones
        frame_enter (outermost first). The stack is walked from `frame` up to
        the task's step, or read from its await chain (when it is
        suspended: `frames`, the program's coroutine frames below the task's
        own), or is empty (frames == [], when it has finished)."""
        if task._rec_watch:
            self._check_watchers(task)
        tracing = _gettrace() is not None
        if frames is None:
            # The frames above a running frame cannot change: when the
            # innermost of the program's coroutine frames is the one seen
            # last, so is the rest of the stack.
            kinds, old, top = _code_kinds, task._rec_frames, task._rec_top
            probe = frame
            passed = _passed_over
            while probe is not None and id(probe.f_code) in passed:
                probe = probe.f_back        # the recorder's, asyncio's: the common case, quickly
            while probe is not None:
                code = probe.f_code
                kind = kinds.get(id(code))
                if kind is None:
                    kind = _code_kind(code)
                if kind != _K_LIBRARY and kind != _K_PROGRAM:    # (most frames here are)
                    if kind == _K_COROUTINE:
                        key = probe if tracing else probe.f_trace     # _frame_key, inline
                        if key.__class__ is not _Mark and not tracing:
                            key = _frame_key(probe, False)
                        if (key is top and not old) or (old and key is old[-1]):
                            return
                    elif kind == _K_STEP and not old:
                        return
                    break
                probe = probe.f_back
            frames = []
            while frame is not None:
                kind = _code_kind(frame.f_code)
                if kind == _K_COROUTINE:
                    key = _frame_key(frame, tracing)
                    if key is top:
                        break
                    frames.append((key, frame))
                elif kind == _K_STEP:
                    break
                elif kind == _K_AGEN:
                    if _frame_key(frame, tracing) is top:
                        break
                    frames = []         # what an async generator awaits is not in await chains
                frame = frame.f_back
            frames.reverse()
        else:
            frames = [(_frame_key(f, tracing), f) for f in frames]
        old = task._rec_frames
        n = 0
        limit = min(len(old), len(frames))
        while n < limit and old[n] is frames[n][0]:
            n += 1
        if n == len(old) and n == len(frames):
            return
        task_id = task._rec_id
        for key in reversed(old[n:]):
            self._emit("frame_exit", [("task", task_id), ("fn", _key_fn(key))])
        for key, f in frames[n:]:
            fields = [("task", task_id), ("fn", _key_fn(key)), ("args", _frame_args(f))]
            caller = _program_frame(f.f_back)
            if caller is not None:
                fields.append(("src", self.src(caller)))
            self._emit("frame_enter", fields)
        task._rec_frames = [key for key, _ in frames]

    def _check_watchers(self, task):
        watch = task._rec_watch
        keep = []
        for entry in watch:
            coro, done = entry
            if coro.cr_frame is None:
                event = done()
                if event is not None:
                    self._emit(*event)
            else:
                keep.append(entry)
        task._rec_watch = keep

    def watch(self, coro, done):
        """Call done() -- which returns an (ev, fields) to write, or None --
        once coroutine `coro`, made by the running task, has finished: at
        that task's next event."""
        task = self.step_task
        if task is None or _get_ident() != self.loop_thread or not hasattr(coro, "cr_frame"):
            return False
        task._rec_watch.append((coro, done))
        return True


if _catch_up is not None:
    Recorder.emit_body = _speedups.method(Recorder)     # _emit_body_py in C, a method of the class

_DISABLED = Recorder(None, "")      # stands in when nothing is being recorded


def _recorder_here():
    """The recording in progress, if the running loop is the one it records
    and this is its thread; else None."""
    rec = _active[0]
    if rec is None or not rec.active or _get_ident() != rec.loop_thread:
        return None
    return rec


# --------------------------------------------------------------------------
# What a future is for

_PASS_THROUGH = {                   # asyncio coroutines that wait through an inner one
    "wait",                                         # -> _wait
    "wait_for",                                     # -> _cancel_and_wait
    "as_completed.<locals>._wait_for_one",          # -> Queue.get
    "_ContextManagerMixin.__aenter__",              # -> Lock/Semaphore.acquire
    "Condition.wait_for",                           # -> Condition.wait
    "open_connection",                              # -> create_connection -> sock_connect
    "start_server",                                 # -> create_server
}

_STREAM_METHODS = {"readline", "readuntil", "read", "readexactly"}


def _fd_of(sock):
    try:
        return sock.fileno()
    except Exception:
        return -1


def _kind_and_label(calls):
    """What a future is for, from the asyncio calls (frames, outermost first)
    that were running when it was made or that wait on it: FORMAT.md's
    fut_new kind and label, as the C runtime writes them -- ("sleep",
    "sleep(2)"), ("wait", "wait(3, ALL_COMPLETED)"), ("wait_for",
    "wait_for(2)"), ("queue", "queue.get()"), ("lock", "lock.acquire()"),
    ("taskgroup", "taskgroup.__aexit__()"), ("io", "readline(fd 9)") ...
    -- or ("future", None)."""
    calls = list(calls)
    for frame in calls:                 # a socket: the innermost call that names one
        code = frame.f_code
        name = code.co_qualname
        if name.startswith("StreamReader.") and code.co_name in _STREAM_METHODS:
            transport = frame.f_locals.get("self")._transport
            sock = transport.get_extra_info("socket") if transport is not None else None
            return "io", "%s(fd %d)" % (code.co_name, _fd_of(sock))
        if name == "FlowControlMixin._drain_helper":
            transport = getattr(frame.f_locals.get("self"), "_transport", None)
            sock = transport.get_extra_info("socket") if transport is not None else None
            return "io", "drain(fd %d)" % _fd_of(sock)
    for frame in reversed(calls):
        code = frame.f_code
        if code.co_name.startswith("sock_") and code.co_qualname.partition(".")[0].endswith("EventLoop"):
            return "io", "%s(fd %d)" % (code.co_name[5:], _fd_of(frame.f_locals.get("sock")))
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


_BOUNDARY_CODES = {id(_STEP.__code__), id(_WAKEUP.__code__), id(_HANDLE_RUN.__code__)}    # (kept alive)


def _asyncio_calls(frame):
    """The asyncio calls on the stack at `frame` (outermost first), up to the
    task step or callback that runs them."""
    calls = []
    known = _file_asyncio
    while frame is not None:
        code = frame.f_code
        if id(code) in _BOUNDARY_CODES:
            break
        inside = known.get(code.co_filename)        # _is_asyncio_file's answer, if it has one
        if not (_is_asyncio_file(code.co_filename) if inside is None else inside):
            break
        calls.append(frame)
        frame = frame.f_back
    calls.reverse()
    return calls


_WAITS_FOR_CALLS = {"_wait", "wait_for", "shield", "as_completed.<locals>._wait_for_one"}


def _waits_for(rec, calls):
    """FORMAT.md's `of` for a future made inside `calls`: the ids of what it
    waits for on the task's behalf -- wait()'s futures in the order given,
    wait_for()'s and shield()'s inner one, as_completed()'s futures -- or
    None. An inner coroutine that has no task yet gets the id its task will
    have (Recorder.reserved)."""
    for i, frame in enumerate(calls):
        name = frame.f_code.co_qualname
        if name not in _WAITS_FOR_CALLS:
            continue                    # (its locals are not read: a dict made for nothing)
        local = frame.f_locals.get
        if name == "_wait":
            order = None
            if i > 0 and calls[i - 1].f_code.co_qualname == "wait":
                order = rec.wait_orders.pop(id(calls[i - 1]), None)
            fs = local("fs") or ()
            if order is not None and order[0]() is not None and set(order[1]) == set(fs):
                return [rec.id_of(f) for f in order[1]]
            return sorted(rec.id_of(f) for f in fs)
        if name == "wait_for":
            inner = local("fut")
            if futures.isfuture(inner):
                return [rec.id_of(inner)]
            if coroutines.iscoroutine(inner):
                entry = rec.reserved.get(id(inner))
                if entry is None or entry[0]() is not inner:
                    entry = (weakref.ref(inner), rec.new_id())
                    rec.reserved[id(inner)] = entry
                return [entry[1]]
            return None
        if name == "shield":
            inner = local("inner")
            return [rec.id_of(inner)] if futures.isfuture(inner) else None
        if name == "as_completed.<locals>._wait_for_one":
            entry = rec.as_completed_of.get(id(local("done")))
            return list(entry[1]) if entry is not None and entry[0]() is local("done") else None
    return None


def _label(waiter, calls):
    """A short label for what a task waits on: a task's name, "gather(3)", or
    what _kind_and_label says of the asyncio calls (frames) the task is in."""
    if isinstance(waiter, (_PY_TASK, _ORIGINAL_TASK)):
        return waiter.get_name()
    if isinstance(waiter, _GATHERING_FUTURE):
        return "gather(%d)" % len(getattr(waiter, "_children", ()))
    return _kind_and_label(calls)[1] or "future"


def _suspension_label(waiter, frames):
    """_label of what a suspended task waits on, from the frames of its await
    chain (outermost first): the asyncio calls among them."""
    return _label(waiter, [f for f in frames if _is_asyncio_file(f.f_code.co_filename)])


_CORO_TYPE = types.CoroutineType


def _suspended_stack(coro):
    """The frames a suspended coroutine is inside, outermost first, each
    with its _code_kind: its await chain (a coroutine awaiting a coroutine
    awaiting ... ; a future ends it)."""
    stack = []
    obj = coro
    kinds = _code_kinds
    for _ in range(200):
        kind = obj.__class__
        if kind is _CORO_TYPE:                  # the common case, without getattr
            frame = obj.cr_frame
            following = obj.cr_await
        elif kind is Future:
            break                               # a future (the other common case): the chain's end
        else:
            frame = (getattr(obj, "cr_frame", None) or getattr(obj, "gi_frame", None)
                     or getattr(obj, "ag_frame", None))
            if frame is None:
                break                           # a future: the chain's end
            following = (getattr(obj, "cr_await", None) or getattr(obj, "gi_yieldfrom", None)
                         or getattr(obj, "ag_await", None))
        if frame is None:
            break
        code = frame.f_code
        kind = kinds.get(id(code))
        stack.append((frame, kind if kind is not None else _code_kind(code)))
        if following is None:
            break
        obj = following
    return stack


def _src_frame(chain):
    """The innermost suspended frame in the program's own code (asyncio's
    internals, such as sleep(), are skipped); else the innermost one."""
    for obj in reversed(chain):
        frame = _frame_of(obj)
        if _code_kind(frame.f_code) != _K_LIBRARY:
            return frame
    return _frame_of(chain[-1]) if chain else None


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


def _repr_exc(exc):
    try:
        return repr(exc)
    except Exception:
        return "<unprintable %s>" % type(exc).__name__


# --------------------------------------------------------------------------
# The recorded Task

_agen_closers = {}      # id(agen.aclose() object) -> (it, agen): _asyncgen_finalizer_hook's


class Task(_PY_TASK):
    """asyncio's pure-Python Task, writing events as it goes.

    Each override calls the original exactly once and adds no scheduling; the
    events come from observing the task's state before and after. Named Task,
    as CPython's, so that type(task).__name__ and reprs read the same.
    """

    def __init__(self, coro, *, loop=None, name=None, context=None):
        owner = loop if loop is not None else events._get_running_loop()
        rec = getattr(owner, "_rec", None) or _DISABLED
        self._rec = rec
        if rec.active and owner is rec.loop:
            try:
                self._rec_init(rec, coro)
            except MemoryError:
                rec._out_of_memory()
        else:
            self._rec_id = rec.new_id()
            self._rec_h = None
        try:
            super().__init__(coro, loop=loop, name=name, context=context)
        except BaseException:
            # (MemoryError, say, once its first step was scheduled: the task
            # runs all the same, so the trace must know it.)
            if self.__dict__.get("_loop") is rec.loop and self.__dict__.get("_rec_h") is not None:
                rec.task_new(self)
            raise
        if self._loop is not rec.loop:      # a task of some other loop: not ours
            self._rec = _DISABLED
            return
        rec.task_new(self)

    _rec_last_frame = None              # defaults for a task made while nothing records
    _rec_agen = _rec_src = _rec_parent = _rec_coro = _rec_top = _rec_cpu = None
    _rec_warned = _rec_in_step = False
    _rec_frames = _rec_watch = ()

    def _rec_init(self, rec, coro):
        # The id comes before the first step's handle gets one -- unless a
        # fut_new's `of` reserved it already (wait_for of a coroutine).
        entry = rec.reserved.pop(id(coro), None)
        self._rec_id = entry[1] if entry is not None and entry[0]() is coro else rec.new_id()
        self._rec_h = None              # id of the handle that will run the next step
        parent = rec.step_task if _get_ident() == rec.loop_thread else None
        self._rec_parent = parent._rec_id if parent is not None else None
        agen = None
        if type(coro).__name__ == "async_generator_athrow":
            entry = _agen_closers.pop(id(coro), None)
            if entry is not None and entry[0] is coro:
                agen = entry[1]
        self._rec_agen = agen           # the async generator an aclose() task finalizes
        if agen is not None:
            self._rec_coro = _callable_name(agen) + ".aclose"
        else:
            self._rec_coro = _callable_name(coro) if coro is not None else None
        caller = _getframe(2)
        self._rec_src = rec.caller_src(caller)
        if parent is not None:
            rec.sync(parent, caller)    # frames entered before this task was made
        top = _frame_of(agen if agen is not None else coro)
        self._rec_top = _frame_key(top, sys.gettrace() is not None) if top is not None else None
        self._rec_frames = []           # keys of the program's coroutine frames it is inside
        self._rec_watch = []            # (coroutine, done) watched until it finishes
        self._rec_in_step = False
        self._rec_cpu = None            # CPU time when its step began
        self._rec_warned = False

    def _Task__step(self, exc=None):
        rec = self._rec
        if not rec.active:
            return _STEP(self, exc)
        try:
            task_id = self._rec_id
            h = self._rec_h
            rec.emit_body(f'"ev":"step_begin","task":{task_id},"h":{"null" if h is None else h}')
            self._rec_h = None
            delivered = exc
            if self._must_cancel and not isinstance(exc, exceptions.CancelledError):
                delivered = (exceptions.CancelledError() if self._cancel_message is None
                             else exceptions.CancelledError(self._cancel_message))
            if delivered is not None:
                rec.emit("throw", [("task", task_id), ("exc", type(delivered).__name__),
                                   ("msg", _exc_msg(delivered))])
            elif getattr(self._fut_waiter, "_rec_sem", None) is not None:
                _acquired_on_wake(rec, self)
            # The coroutine's frame, held through the step: once it has
            # returned, the line it returned from (step_end's src).
            coro = self._coro
            self._rec_last_frame = (None if self._rec_agen is not None else
                                    coro.cr_frame if coro.__class__ is _CORO_TYPE else _frame_of(coro))
            self._rec_in_step = True
            rec.step_task = self
            self._rec_cpu = _cpu_start(rec)
        except MemoryError:
            rec._out_of_memory()
        try:
            result = _STEP(self, exc)
        except MemoryError:
            rec._out_of_memory()
            raise
        finally:
            self._rec_in_step = False
            self._rec_last_frame = None
            rec.step_task = None
        if not self.done():
            # Done tasks were reported from _Future__schedule_callbacks.
            try:
                _rec_suspended(self, rec)
            except MemoryError:
                rec._out_of_memory()
        return result

    def _rec_suspended_py(self, rec):
        """step_end (await or yield) of a step that suspended the task
        (_rec_suspended: this, or the same in C, speedups.c's suspended)."""
        if not rec.active:
            return
        task_id = self._rec_id
        waiter = self._fut_waiter
        stack = _suspended_stack(self._rec_agen if self._rec_agen is not None else self._coro)
        # One pass over the stack (no list comprehension: each is a call):
        # the program's coroutine frames below the task's own (sync's),
        # those whose locals are shown, and where it suspended -- the
        # innermost frame that is not the library's, else the innermost.
        frames = []
        shown = []
        where = None
        below = False
        for frame, kind in stack:
            if kind != _K_LIBRARY:
                where = frame
                if kind == _K_COROUTINE:
                    shown.append(frame)
                    if below:
                        frames.append(frame)
                elif kind == _K_AGEN:
                    shown.append(frame)
            below = True
        if where is None and stack:
            where = stack[-1][0]
        rec.step_task = self
        try:
            if frames or self._rec_frames or self._rec_watch:     # else nothing to bring up to date
                rec.sync(self, frames=frames)
            _computed(rec, self)
        finally:
            rec.step_task = None
        if where is not None:
            line, src = rec.suspended_at(where)     # locals give the line too
        else:
            src = _esc(self._rec_src or rec.fallback_src())
        if waiter is not None:
            fut_id = rec.id_of(waiter)
            label = rec.labels.get(fut_id)
            if label is None:
                label = _suspension_label(waiter, [f for f, _ in stack])
            body = (f'"ev":"step_end","task":{task_id},"reason":"await","fut":{fut_id},'
                    f'"on":{_scalar(label)},"src":{src}')
        else:
            h = self._rec_h
            body = f'"ev":"step_end","task":{task_id},"reason":"yield","h":{"null" if h is None else h},"src":{src}'
        if rec.with_locals:
            texts = []
            for frame in shown:
                texts.append(_locals_of(frame, line if frame is where else None))
            body += ',"locals":[' + ",".join(texts) + "]"
        rec.emit_body(body)

    def _Future__schedule_callbacks(self):
        # Task.__step finishing the task: the coroutine is gone, the state is
        # final, and the waiters are about to be woken. sys.exc_info() is the
        # exception __step is handling: StopIteration for a return.
        rec = self._rec
        if rec.active and self._rec_in_step:
            try:
                self._rec_finished(rec)
            except MemoryError:
                rec._out_of_memory()
        rec.scheduling.append(self)
        try:
            _SCHEDULE_CALLBACKS(self)
        finally:
            rec.scheduling.pop()

    def _rec_finished(self, rec):
        self._rec_in_step = False
        handled = sys.exc_info()[1]
        task_id = self._rec_id
        rec.sync(self, frames=[])
        _computed(rec, self)
        if isinstance(handled, StopIteration):
            end = [("task", task_id), ("reason", "return")]
            where = _last_line(self)
        elif isinstance(handled, exceptions.CancelledError):
            end = [("task", task_id), ("reason", "cancelled"), ("msg", _exc_msg(handled))]
            where = None
        else:
            end = [("task", task_id), ("reason", "raise"),
                   ("exc", type(handled).__name__ if handled is not None else None),
                   ("msg", _exc_msg(handled) if handled is not None else None)]
            where = _raise_line(handled)
        if where is not None:
            end.append(("src", rec.src(where)))
        rec.emit("step_end", end)
        rec.emit("task_done", [("task", task_id)] + _outcome(self))

    # Task.__wakeup itself (its code, its globals: no frame of ours between
    # the handle and the step), under the name of the C Task's wake-up
    # callback, as future reprs show it: cb=[Task.task_wakeup()].
    _Task__wakeup = types.FunctionType(_WAKEUP.__code__, _WAKEUP.__globals__, "task_wakeup",
                                       _WAKEUP.__defaults__, _WAKEUP.__closure__)
    _Task__wakeup.__qualname__ = "Task.task_wakeup"

    _Task__step.__qualname__ = "Task.__step"

    def add_done_callback(self, fn, *, context=None):
        _cb_add(self, fn)
        rec = self._rec
        rec.scheduling.append(self)
        try:
            return super().add_done_callback(fn, context=context)
        finally:
            rec.scheduling.pop()

    add_done_callback.__qualname__ = "Future.add_done_callback"

    def cancel(self, msg=None):
        rec = self._rec
        if rec.active:
            try:
                by, via = rec.by_via()
                done = self.done()
                rec.emit("cancel", [("target", self._rec_id), ("by", by), ("via", via),
                                    ("msg", _cancel_msg(msg)), ("ok", not done)])
                waiter = self._fut_waiter
                if (not done and waiter is not None and not isinstance(waiter, Task)
                        and type(waiter).cancel is _C_FUTURE.cancel):
                    # Task.cancel() passes the request on to the plain future it
                    # waits on; Future.cancel() succeeds iff that future is pending.
                    rec.emit("cancel", [("target", rec.id_of(waiter)), ("by", by), ("via", via),
                                        ("msg", _cancel_msg(msg)), ("ok", not waiter.done())])
            except MemoryError:
                rec._out_of_memory()
        return super().cancel(msg)

    def uncancel(self):
        count = super().uncancel()
        if self._rec.active:
            self._rec.emit("uncancel", [("task", self._rec_id), ("count", count)])
        return count

    def __del__(self):
        rec = self._rec
        if (rec.active and self._state == futures._FINISHED and self._log_traceback
                and not self._rec_warned):
            _never_retrieved(rec, self)
        _PY_TASK_DEL(self)


def _last_line(task):
    """The line a finished task's coroutine returned from, if its frame can
    still be read."""
    return task._rec_last_frame


def _raise_line(exc):
    """The innermost frame of the program's code that an exception passed
    through: where it was raised, as the program sees it."""
    tb = getattr(exc, "__traceback__", None)
    where = None
    while tb is not None:
        if _code_kind(tb.tb_frame.f_code) != _K_LIBRARY:
            where = (tb.tb_frame, tb.tb_lineno)
        tb = tb.tb_next
    return _Line(*where) if where is not None else None


class _Line:
    """A frame's code at a given line (what Recorder.src reads of a frame)."""

    __slots__ = ("f_code", "f_lineno")

    def __init__(self, frame, line):
        self.f_code = frame.f_code
        self.f_lineno = line


def _never_retrieved(rec, task):
    """warn never_retrieved for a task whose exception nobody retrieved:
    written at the next event (a finalizer may run in the middle of one)."""
    task._rec_warned = True
    exc = task._exception
    rec.deferred.append(("warn", [
        ("kind", "never_retrieved"),
        ("msg", "Task exception was never retrieved: task '%s' raised %s"
                % (task.get_name(), _repr_exc(exc))),
        ("task", task._rec_id)]))


def _warn_unawaited(coro):
    # warnings._warn_unawaited_coroutine, which CPython calls as it frees a
    # coroutine that never ran: warn never_awaited, as the C runtime writes it
    # ("coroutine 'NAME' was never awaited", and where it was made when asyncio's
    # debug mode tracks coroutine origins), at the next event -- whatever the
    # warning filters then do with Python's own warning. That warning is given
    # here, not by calling the original, whose stacklevel=2 would then name this
    # function as the place: the same message (the coroutine's name, then where
    # it was made, most recent call last), the same category, level and source.
    rec = _recorder_here()
    origin = coro.cr_origin
    if rec is not None:
        msg = "coroutine '%s' was never awaited" % coro.__qualname__
        if origin:
            filename, lineno = origin[0][0], origin[0][1]
            name = rec.sources.name(filename) if rec.sources else os.path.basename(filename)
            msg += " (created at %s:%d)" % (name, lineno)
        rec.deferred.append(("warn", [("kind", "never_awaited"), ("msg", msg), ("task", None)]))
    text = "coroutine '%s' was never awaited\n" % coro.__qualname__
    if origin is not None:
        # Without the recorder's frames and the pure-Python Task's (CPython's
        # C Task adds none), as in tracebacks (_hidden).
        made = [(filename, lineno, funcname, linecache.getline(filename, lineno))
                for filename, lineno, funcname in reversed(origin)
                if filename != __file__ and (filename, funcname) not in _MACHINERY_ORIGINS]
        text += "Coroutine created at (most recent call last)\n" + "".join(traceback.format_list(made))
    warnings.warn(text.rstrip("\n"), category=RuntimeWarning, stacklevel=2, source=coro)


def _cpu_start(rec):
    """(thread CPU time, rec.emit_time, wall time) as a step or a callback
    begins, for _computed and _run_watched. Reading the thread's CPU clock
    is a system call, ten times the cost of a short step's bookkeeping: a
    reading at most CPU_READ_PERIOD old is used instead, plus the wall time
    since (which the CPU time cannot have outrun), so that what a step is
    found to have computed is never more than it did, and less by at most
    that period."""
    now = _perf()
    read = rec.cpu_read
    if now - read[1] > CPU_READ_PERIOD:
        read = rec.cpu_read = (_thread_time(), _perf())
        now = read[1]
    return (read[0] + (now - read[1]), rec.emit_time, now)


def _computed(rec, task):
    """`block` for a step that computed for BLOCK_CPU seconds of CPU time or
    more (what the recorder spent writing events does not count): the loop
    was held that long, so the virtual clock moves on by it."""
    start = task._rec_cpu
    if start is None:
        return
    task._rec_cpu = None
    writing = rec.emit_time - start[1]
    if _perf() - start[2] - writing < BLOCK_CPU:
        return                  # CPU time is never more than the time that passed
    cpu = _thread_time() - start[0] - writing
    if cpu >= BLOCK_CPU:
        _hold_loop(rec, rec.loop, task._rec_id, round(cpu, 6), "computation")

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
# Handles

def _handle_description(handle):
    """What a slow_callback warning calls a handle, as the C runtime does."""
    callback = handle._callback
    task = getattr(callback, "__self__", None)
    if isinstance(task, Task):
        coro = task._rec_coro or "?"
        return "<Task name='%s' coro=<%s()>>" % (task.get_name(), coro)
    return "<Handle %s()>" % _cb_name(callback)


class _RecHandle(events.Handle):
    """events.Handle, as the loop makes it for call_soon, telling the recorder
    when it runs (cb_run for a plain callback; a step reports itself) and
    when it is cancelled (handle_cancel). `_rec_h` is its id while it waits
    in the ready queue, None for a task's step or once it has run."""

    __slots__ = ("_rec_h",)

    def _run(self):
        rec = self._loop._recorder
        if rec is None or not rec.active:
            return events.Handle._run(self)
        number = self._rec_h
        if number is None:              # a task's step (it reports itself): the common case
            loop = self._loop
            t0 = loop._now
            events.Handle._run(self)
            if loop._now - t0 >= SLOW_CALLBACK and rec.active:
                _slow(rec, self, loop._now - t0)
            return
        self._rec_h = None
        name = _cb_name(self._callback)
        rec.emit_body(f'"ev":"cb_run","h":{number},"fn":{_scalar(name)}')
        _run_watched(rec, self, name)

    def cancel(self):
        number = self._rec_h
        if number is not None and not self._cancelled:
            self._rec_h = None
            rec = self._loop._recorder
            if rec is not None and rec.active:
                rec.emit("handle_cancel", [("h", number)])
        super().cancel()


_TIMER_SCHEDULED = events.TimerHandle.__dict__["_scheduled"]     # the slot


class _RecTimerHandle(events.TimerHandle):
    """events.TimerHandle, as the loop makes it for call_at: timer_fire when
    _run_once moves it to the ready queue, cb_run (with the timer's id) when
    it runs; a wait_for deadline's timer also writes the timeout's `fire`
    (`_rec_wf`: (waiter id, when, owner task id))."""

    __slots__ = ("_rec_h", "_rec_wf")

    def __init__(self, when, callback, args, loop, context=None):
        self._rec_h = self._rec_wf = None
        _TIMER_SCHEDULED.__set__(self, False)      # before TimerHandle's own init sets it
        super().__init__(when, callback, args, loop, context)

    def _scheduled(self, value):
        # _run_once pops the due timers off its heap one by one, each marked
        # unscheduled as it goes to the ready queue: timer_fire, in that
        # order. (Cancelled ones it drops are marked too, but never run.)
        if not value and _TIMER_SCHEDULED.__get__(self) and not self._cancelled:
            number = self._rec_h
            rec = self._loop._recorder
            if number is not None and rec is not None and rec.active:
                rec.emit_body(f'"ev":"timer_fire","timer":{number}')
        _TIMER_SCHEDULED.__set__(self, value)

    # Read, the slot's own getter answers (no frame of ours: asyncio reads it
    # at every cancel); written, the watcher above.
    _scheduled = property(_TIMER_SCHEDULED.__get__, _scheduled)

    def _run(self):
        rec = self._loop._recorder
        number = self._rec_h
        if rec is None or not rec.active or number is None:
            return events.Handle._run(self)
        name = _cb_name(self._callback)
        rec.emit_body(f'"ev":"cb_run","h":{number},"fn":{_scalar(name)}')
        wf = self._rec_wf
        if wf is not None:
            rec.emit("timeout", [("obj", wf[0]), ("op", "fire"), ("when", wf[1]), ("task", wf[2])])
        _run_watched(rec, self, name)


def _run_watched(rec, handle, name):
    """Run a plain callback's handle as Handle._run does, noting which
    callback runs (the `via` of what it does), and afterwards: one that
    computed too long holds the loop (the clock moves on), and one that held
    the loop for SLOW_CALLBACK seconds or more gets the warning asyncio's
    debug mode logs."""
    loop = handle._loop
    saved = rec.current_cb
    rec.current_cb = name
    t0 = loop._now
    cpu = _cpu_start(rec)
    try:
        events.Handle._run(handle)      # looked up now: a test may watch it
    finally:
        rec.current_cb = saved
    if not rec.active:
        return
    if _perf() - cpu[2] - (rec.emit_time - cpu[1]) >= BLOCK_CPU:
        spent = _thread_time() - cpu[0] - (rec.emit_time - cpu[1])
        if spent >= BLOCK_CPU:
            _hold_loop(rec, loop, None, round(spent, 6), "computation")
    held = loop._now - t0
    if held >= SLOW_CALLBACK:
        _slow(rec, handle, held)


def _slow(rec, handle, held):
    """The warning asyncio's debug mode logs for a handle that held the loop."""
    task = getattr(handle._callback, "__self__", None)
    rec.emit("warn", [("kind", "slow_callback"),
                      ("msg", "Executing %s took %.3f seconds" % (_handle_description(handle), held)),
                      ("task", task._rec_id if isinstance(task, Task) else None)])


for _cls, _name in ((_RecHandle, "Handle"), (_RecTimerHandle, "TimerHandle")):
    _cls.__name__ = _cls.__qualname__ = _name       # reprs as CPython's


def _hold_loop(rec, loop, task_id, seconds, label):
    """The loop is held for `seconds` by the running step or callback: a
    `block` event, and the virtual clock moves on by as much. (A `block` is
    a task's: in a plain callback only the clock moves, and the callback's
    slow_callback warning says why -- FORMAT.md, "Producers".)"""
    _check_time(loop, loop._now + seconds)
    if rec.active and task_id is not None:
        rec.emit("block", [("task", task_id), ("dur", float(seconds)), ("label", label)])
    rec.write_pending()         # at the time they happened, before the clock moves
    loop._now = loop._now + seconds


# --------------------------------------------------------------------------
# The virtual-clock loop

class VirtualSelector(selectors.DefaultSelector):
    """The loop's selector: its select() is one poll phase under the
    virtual clock (see VirtualClockLoop._poll)."""

    loop = None

    def select(self, timeout=None):
        return self.loop._poll(timeout, super().select)


_IO_LABELS = {"_accept_connection": "accept", "_read_ready": "read", "_write_ready": "write",
              "_sock_connect_cb": "connect", "_sock_recv": "recv", "_sock_recv_into": "recv",
              "_sock_sendall": "send", "_sock_accept": "accept", "_sock_write_done": "write"}


def _io_label(callback):
    name = getattr(callback, "__name__", None) or _cb_name(callback)
    return _IO_LABELS.get(name, name.lstrip("_"))


class VirtualClockLoop(asyncio.SelectorEventLoop):
    """asyncio's selector event loop on a virtual clock, with hooks that record
    handles, timers, I/O and executor jobs. The hooks return exactly what
    CPython returns and schedule nothing of their own. (Named as the loop
    asyncio.new_event_loop() makes, so that its repr reads the same.)"""

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

    def _poll(self, timeout, real_select):
        """select(timeout), virtually: poll the real selector without waiting;
        if nothing is ready, move the clock by `timeout` (or less, to the next
        executor job's completion) instead of sleeping; then hand over the
        finished jobs and note the timers _run_once is about to move."""
        rec = self._rec
        try:
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
                        # A thread that has just finished may have handed
                        # the loop a callback on its way out (as
                        # shutdown_default_executor's does): look again now
                        # that no thread is left to do so.
                        ready = real_select(0)
                        if not ready and not self._ready:
                            raise DeadlockError(_report_deadlock(self, rec))
                    else:
                        ready = real_select(None)
                elif timeout > 0:
                    before = self._now
                    _check_time(self, before + timeout)
                    rec.write_pending()         # at the time they happened
                    self._now = self._now + timeout
                    if rec.active:
                        rec.emit("idle", [("from", before), ("until", self._now)])
            if ready and rec.active:
                self._note_ready(rec, ready)
            self._deliver_jobs()
        except MemoryError:
            rec._out_of_memory()
            raise
        return ready

    def _note_ready(self, rec, ready):
        """io ready for every descriptor the poller reported (not the loop's
        own self-pipe)."""
        own = self._ssock.fileno() if self._ssock is not None else -1
        for key, mask in ready:
            if key.fd == own:
                continue
            reader, writer = key.data
            if mask & selectors.EVENT_READ and reader is not None:
                rec.emit("io", [("fd", key.fd), ("op", "ready"), ("task", None),
                                ("label", "accept" if _io_label(reader._callback) == "accept" else "read")])
            if mask & selectors.EVENT_WRITE and writer is not None:
                rec.emit("io", [("fd", key.fd), ("op", "ready"), ("task", None), ("label", "write")])

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

    # -- blocking calls

    def _block(self, seconds):
        """time.sleep(seconds) in the loop's thread: the loop is held while
        the clock moves on by `seconds`."""
        if not seconds > 0:
            return
        rec = self._rec
        _hold_loop(rec, self, rec.step_task_id(), float(seconds), "time.sleep(%r)" % (seconds,))

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
        fut = Future(loop=self, _rec_kind=_SILENT)
        job = _Job(number, pool, func, args, fut, self)
        if rec.active:
            rec.fut_new(fut, "executor", "run_in_executor(%s)" % job.fn)

        def _call_check_cancel(destination):
            # futures._chain_future's: a cancelled future cancels the job if
            # it has not started.
            if destination.cancelled() and job.worker < 0:
                job.cancelled = True

        _call_check_cancel.__qualname__ = "_call_check_cancel"
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

    def _call_soon(self, callback, args, context):
        # BaseEventLoop._call_soon, with a handle that reports itself.
        handle = _RecHandle(callback, args, self, context)
        handle._rec_h = None
        if handle._source_traceback:
            del handle._source_traceback[-1]
        rec = self._recorder
        if rec is None:
            rec = self._rec             # claimed now
        if rec.active:
            try:
                self._note_call_soon(rec, handle, callback, args)
            except MemoryError:
                rec._out_of_memory()
        self._ready.append(handle)
        return handle

    def _note_call_soon(self, rec, handle, callback, args):
        if rec.resolving and args and args[0] is rec.resolving[-1]:
            rec.report_done(args[0])        # before the first callback it schedules
        task = getattr(callback, "__self__", None)
        if isinstance(task, Task) and task._rec is rec:
            func = callback.__func__
            if func is Task._Task__step:
                task._rec_h = rec.new_id()
            elif func is Task._Task__wakeup:
                task._rec_h = rec.new_id()
                if args:
                    fut = args[0]
                    if isinstance(fut, Task):
                        fut_id = fut._rec_id
                    else:
                        fut_id = rec.report_done(fut)   # a future made elsewhere
                    rec.emit_body(f'"ev":"wake","task":{task._rec_id},"fut":{fut_id},"h":{task._rec_h}')
            return
        number = rec.new_id()
        handle._rec_h = number
        fut = None
        if args and rec.scheduling and args[0] is rec.scheduling[-1]:
            fut = rec.id_of(args[0])
        elif args and rec.resolving and args[0] is rec.resolving[-1]:
            fut = rec.id_of(args[0])
        rec.emit("call_soon", [("h", number), ("fn", _cb_name(callback)), ("fut", fut)])

    def call_at(self, when, callback, *args, context=None):
        # BaseEventLoop.call_at, with a timer that reports itself.
        if when is None:
            raise TypeError("when cannot be None")
        self._check_closed()
        if self._debug:
            self._check_thread()
            self._check_callback(callback, "call_at")
        timer = _RecTimerHandle(when, callback, args, self, context)
        if timer._source_traceback:
            del timer._source_traceback[-1]
        heapq.heappush(self._scheduled, timer)
        _TIMER_SCHEDULED.__set__(timer, True)     # timer._scheduled = True, past its watcher
        rec = self._recorder
        if rec is None:
            rec = self._rec             # claimed now
        if rec.active:
            try:
                rec.last_id += 1        # rec.new_id(), inline
                number = timer._rec_h = rec.last_id
                at = float(when)        # _scalar(_num(when)), inline
                name = callback.__qualname__ if callback.__class__ is _FUNCTION_TYPE else None
                fn = _timer_fn_json.get(name) if name else None
                if fn is None:
                    fn = _scalar(_cb_name(callback))
                    if name:
                        _timer_fn_json[name] = fn
                rec.emit_body(f'"ev":"timer_new","timer":{number},"when":{_float_repr(at) if at - at == 0 else "null"},'
                              f'"fn":{fn}')
                if callback is tasks._release_waiter:
                    _armed_wait_for(rec, timer, args)
            except MemoryError:
                rec._out_of_memory()
        return timer

    def create_future(self):
        return Future(loop=self, _rec_kind=_getframe(1))

    def _timer_handle_cancelled(self, handle):
        # TimerHandle.cancel() calls this once, the first time, whether the
        # timer still waits in the heap or has already fired (sleep() cancels
        # its timer on the way out either way).
        rec = self._recorder
        if rec is not None and rec.active:
            number = getattr(handle, "_rec_h", None)
            if number is not None:
                rec.emit_body(f'"ev":"timer_cancel","timer":{number}')
        super()._timer_handle_cancelled(handle)

    # -- I/O

    def _add_reader(self, fd, callback, *args):
        self._note_io(fd, callback)
        return super()._add_reader(fd, callback, *args)

    def _add_writer(self, fd, callback, *args):
        self._note_io(fd, callback)
        return super()._add_writer(fd, callback, *args)

    def _note_io(self, fd, callback):
        """io wait: interest in a descriptor registered (not the self-pipe's)."""
        rec = self._recorder
        if rec is None or not rec.active or (self._ssock is not None and fd == self._ssock.fileno()):
            return
        rec.emit("io", [("fd", fd if isinstance(fd, int) else _fd_of(fd)), ("op", "wait"),
                        ("task", rec.step_task_id()), ("label", _io_label(callback))])

    def _accept_connection2(self, protocol_factory, conn, *args, **kwargs):
        rec = self._recorder
        if rec is not None and rec.active:
            rec.emit("io", [("fd", _fd_of(conn)), ("op", "accept"), ("task", rec.step_task_id()),
                            ("label", "accept")])
        return super()._accept_connection2(protocol_factory, conn, *args, **kwargs)

    def _stop_serving(self, sock):
        rec = self._recorder
        if rec is not None and rec.active:
            rec.emit("io", [("fd", _fd_of(sock)), ("op", "close"), ("task", rec.step_task_id()),
                            ("label", "server")])
        return super()._stop_serving(sock)

    # -- async generators

    def _asyncgen_finalizer_hook(self, agen):
        # BaseEventLoop._asyncgen_finalizer_hook, remembering which generator
        # the aclose() it schedules finalizes (a task steps through it).
        self._asyncgens.discard(agen)
        if not self.is_closed():
            closer = agen.aclose()
            _agen_closers[id(closer)] = (closer, agen)
            self.call_soon_threadsafe(self.create_task, closer)

    def close(self):
        # A loop the program drives itself (run_forever, run_until_complete)
        # ends its recording when it is closed.
        if self._recorder is not None:
            _finish_recording(self._recorder, "complete")
        super().close()


VirtualClockLoop.__name__ = VirtualClockLoop.__qualname__ = asyncio.SelectorEventLoop.__name__


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
    rec = getattr(getattr(fut, "_loop", None), "_recorder", None)   # a VirtualClockLoop's
    return rec if rec is not None else _DISABLED


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
        try:
            rec.report_done(fut)
        except MemoryError:
            rec._out_of_memory()
    return result


def _note_cancel(fut, msg, ok):
    rec = _recorder_of(fut)
    if rec.active:
        by, via = rec.by_via()
        rec.emit("cancel", [("target", rec.id_of(fut)), ("by", by), ("via", via),
                            ("msg", _cancel_msg(msg)), ("ok", ok)])


def _is_wakeup(fn):
    return getattr(fn, "__func__", None) is Task._Task__wakeup


def _cb_add(fut, fn):
    """cb_add for a plain done-callback (a task's wake-up is not one)."""
    rec = _recorder_of(fut)
    if rec.active and not _is_wakeup(fn):
        try:
            if _qualname(fn) == "as_completed._on_completion":
                _as_completed_inputs(rec, _getframe(2))
            rec.emit("cb_add", [("fut", rec.id_of(fut)), ("fn", _cb_name(fn))])
        except MemoryError:
            rec._out_of_memory()


def _as_completed_inputs(rec, frame):
    """as_completed() registers _on_completion on each future it waits for:
    remember them, in the order given, for the `of` of the futures its
    _wait_for_one() awaits."""
    if frame is None or frame.f_code.co_name != "as_completed":
        return
    local = frame.f_locals
    done, todo, given = local.get("done"), local.get("todo"), local.get("fs")
    if done is None or todo is None or id(done) in rec.as_completed_of:
        return
    order = []
    if isinstance(given, (list, tuple)):
        by_coro = {id(getattr(t, "_coro", None)): t for t in todo}
        for item in given:
            fut = item if futures.isfuture(item) else by_coro.get(id(item))
            if fut is not None and fut in todo and fut not in order:
                order.append(fut)
    if len(order) != len(todo):
        order = sorted(todo, key=rec.id_of)
    rec.as_completed_of[id(done)] = (weakref.ref(done), [rec.id_of(f) for f in order])


class _FutureType(type):
    """Future's type: `isinstance(x, asyncio.Future)` is true of every asyncio
    future -- tasks included -- as it is in CPython, although this Future
    (which asyncio.Future names while a program is recorded) is only the C
    Future's subclass."""

    def __instancecheck__(cls, obj):
        if cls is Future:
            return isinstance(obj, (_C_FUTURE, futures._PyFuture))
        return type.__instancecheck__(cls, obj)

    def __subclasscheck__(cls, sub):
        if cls is Future:
            return issubclass(sub, (_C_FUTURE, futures._PyFuture))
        return type.__subclasscheck__(cls, sub)


_SILENT = object()      # a Future whose fut_new its maker writes itself


class _RecordedFuture:
    """What the recorded futures add to asyncio's C Future: fut_done when
    they are resolved or cancelled, cb_add for their callbacks, and the
    never-retrieved warning."""

    __slots__ = ()
    # What Recorder.id_of and _acquired_on_wake look for (a future has no
    # id of its own, and is a semaphore's waiter when _announce says so):
    # found at once, where a missing attribute would raise and be caught.
    _rec_id = _rec_sem = None

    def set_result(self, result):
        return _resolve(self, super().set_result, result)

    def set_exception(self, exception):
        result = _resolve(self, super().set_exception, exception)
        rec = _recorder_of(self)
        if rec.active:
            rec.failed.add(self)
        return result

    def add_done_callback(self, fn, *, context=None):
        _cb_add(self, fn)
        rec = _recorder_of(self)
        rec.scheduling.append(self)
        try:
            return super().add_done_callback(fn, context=context)
        finally:
            rec.scheduling.pop()

    def __del__(self):
        if (self._log_traceback and self._exception is not None
                and not getattr(self, "__dict__", {}).get("_rec_warned")):
            rec = _recorder_of(self)
            if rec.active:
                rec.deferred.append(("warn", [
                    ("kind", "never_retrieved"),
                    ("msg", "Future exception was never retrieved: %s" % _repr_exc(self._exception)),
                    ("task", None)]))
        super().__del__()


for _name in ("set_result", "set_exception", "add_done_callback", "__del__"):
    # Named as the C Future's methods they stand for (a handle's repr shows them).
    getattr(_RecordedFuture, _name).__qualname__ = "Future." + _name


class Future(_RecordedFuture, _C_FUTURE, metaclass=_FutureType):
    """The future loop.create_future() (and asyncio.Future()) makes while
    recording: asyncio's C Future, telling the recorder when it is made,
    resolved or cancelled. (Named Future so that its repr reads as CPython's.)"""

    def __init__(self, *, loop=None, _rec_kind=None):
        super().__init__(loop=loop)
        if _rec_kind is _SILENT:
            return
        rec = getattr(self._loop, "_recorder", None)    # _recorder_of, inline
        if rec is not None and rec.active:
            try:
                _announce(rec, self, _getframe(1) if _rec_kind is None else _rec_kind)
            except MemoryError:
                rec._out_of_memory()

    def cancel(self, msg=None):
        _note_cancel(self, msg, not self.done())
        return _resolve(self, super().cancel, msg=msg)


# Task._rec_suspended_py, or the same in C (runtime/recorder/speedups.c's
# suspended, which needs Future and _computed: here, once they are defined).
_rec_suspended = Task._rec_suspended_py
if _speedups is not None:
    try:
        _speedups.setup_suspended(globals())
        _rec_suspended = _speedups.suspended
    except (KeyError, TypeError, ValueError) as _exc:      # (a build of another recorder's)
        _say_pure("%s: suspended cannot be used (%s: %s)" % (_speedups.__file__, type(_exc).__name__, _exc))


def _announce(rec, fut, frame):
    """fut_new for a future made at `frame`: its kind and label from the
    asyncio calls there, `of` for the ones that wait for others, and for a
    semaphore's waiter the semaphore (see _acquired_on_wake)."""
    calls = _asyncio_calls(frame)
    kind, label = _kind_and_label(calls)
    if kind == "semaphore" and calls:
        fut._rec_sem = calls[-1].f_locals.get("self")
    rec.fut_new(fut, kind, label, _waits_for(rec, calls))


class _GatheringFuture(_RecordedFuture, _GATHERING_FUTURE):
    """gather()'s future while recording (tasks._GatheringFuture names it)."""

    def __init__(self, children, *, loop):
        super().__init__(children, loop=loop)
        rec = _recorder_of(self)
        if rec.active:
            try:
                rec.fut_new(self, "gather", "gather(%d)" % len(children),
                            [rec.id_of(c) for c in children])
            except MemoryError:
                rec._out_of_memory()

    def cancel(self, msg=None):
        # It cancels its unfinished children; cancel() is true if any was.
        _note_cancel(self, msg, not self.done() and any(not c.done() for c in self._children))
        return _resolve(self, super().cancel, msg=msg)


_GatheringFuture.__name__ = _GatheringFuture.__qualname__ = "_GatheringFuture"


# --------------------------------------------------------------------------
# The rest of asyncio: TaskGroup, timeouts, wait_for, queues, locks, streams
#
# Installed while a program is recorded (_Patches). A wrapper of a coroutine
# method is a plain function that writes its event and returns the original
# coroutine -- no frame of the recorder's ever stands between the program and
# asyncio, so tracebacks read as CPython's. What happens when such a
# coroutine finishes is written by a watcher (Recorder.watch), at the next
# event of its task.

_ORIGINAL = {}          # (class or module, name) -> what the patch replaced


def _orig(owner, name):
    return _ORIGINAL[(owner, name)]


def _sync_event(rec, obj, kind, op, count, task=None):
    # `kind` and `op` are the literals the callers pass: no escaping needed.
    # The callers are the recorder's watchers (emit_body's depth 3).
    ref = rec.ids._ids.get(id(obj))                   # rec.ids.get(obj), inline
    obj_id = ref.number if ref is not None and ref() is obj else rec.obj_id(obj)
    if task is None:
        task = rec.step_task
        task = None if task is None or _get_ident() != rec.loop_thread else task._rec_id
    if count.__class__ is int:
        rec.emit_body(f'"ev":"sync","obj":{obj_id},"kind":"{kind}","op":"{op}",'
                      f'"task":{"null" if task is None else task},"count":{count}', True, 3)
    else:
        rec.emit("sync", [("obj", obj_id), ("kind", kind), ("op", op), ("task", task), ("count", count)])


# -- TaskGroup (taskgroups.py)

def _tg_aenter(self):
    coro = _orig(taskgroups.TaskGroup, "__aenter__")(self)
    rec = _recorder_here()
    if rec is not None and not self._entered and rec.step_task is not None:
        rec.emit("group", [("obj", rec.obj_id(self)), ("op", "new"), ("task", rec.step_task._rec_id)])
    return coro


def _tg_create_task(self, coro, *, name=None, context=None):
    task = _orig(taskgroups.TaskGroup, "create_task")(self, coro, name=name, context=context)
    rec = _recorder_here()
    if rec is not None and isinstance(task, Task):
        rec.emit("group", [("obj", rec.obj_id(self)), ("op", "add"), ("task", task._rec_id)])
    return task


def _tg_abort(self):
    rec = _recorder_here()
    if rec is not None:
        rec.emit("group", [("obj", rec.obj_id(self)), ("op", "abort"), ("task", rec.step_task_id())])
    return _orig(taskgroups.TaskGroup, "_abort")(self)


def _tg_aexit(self, et, exc, tb):
    coro = _orig(taskgroups.TaskGroup, "__aexit__")(self, et, exc, tb)
    rec = _recorder_here()
    if rec is not None and rec.step_task is not None:
        group, owner = rec.obj_id(self), rec.step_task._rec_id
        rec.watch(coro, lambda: ("group", [("obj", group), ("op", "exit"), ("task", owner)]))
    return coro


# -- timeout() and timeout_at() (timeouts.py)

def _to_reschedule(self, when):
    rec = _recorder_here()
    first = rec is not None and rec.ids.get(self) is None
    _orig(timeouts.Timeout, "reschedule")(self, when)
    if rec is not None and self._task is not None:
        rec.emit("timeout", [("obj", rec.obj_id(self)), ("op", "arm" if first else "reschedule"),
                             ("when", _num(when)), ("task", getattr(self._task, "_rec_id", None))])


def _to_on_timeout(self):
    rec = _recorder_here()
    if rec is not None:
        rec.emit("timeout", [("obj", rec.obj_id(self)), ("op", "fire"), ("when", _num(self._when)),
                             ("task", getattr(self._task, "_rec_id", None))])
    return _orig(timeouts.Timeout, "_on_timeout")(self)


def _to_aexit(self, exc_type, exc_val, exc_tb):
    coro = _orig(timeouts.Timeout, "__aexit__")(self, exc_type, exc_val, exc_tb)
    rec = _recorder_here()
    if rec is not None and rec.ids.get(self) is not None:
        obj, owner = rec.obj_id(self), getattr(self._task, "_rec_id", None)
        rec.watch(coro, lambda: ("timeout", [("obj", obj), ("op", "exit"), ("when", _num(self._when)),
                                             ("task", owner)]))
    return coro


# -- wait_for, _cancel_and_wait, wait (tasks.py)

class _WaitFor:
    """A wait_for() call with a deadline: its waiter's id and deadline once
    armed (see _armed_wait_for), for the `exit` its watcher writes."""

    __slots__ = ("coro", "waiter", "when", "owner")

    def __init__(self, coro, owner):
        self.coro = coro
        self.owner = owner
        self.waiter = self.when = None

    def exited(self):
        if self.waiter is None:
            return None
        return "timeout", [("obj", self.waiter), ("op", "exit"), ("when", self.when),
                           ("task", self.owner)]


def _wait_for(fut, timeout):
    coro = _orig(tasks, "wait_for")(fut, timeout)
    rec = _recorder_here()
    if rec is not None and rec.step_task is not None and timeout is not None:
        try:
            positive = timeout > 0
        except TypeError:
            positive = False        # wait_for raises it, as CPython's
        if positive:
            call = _WaitFor(coro, rec.step_task._rec_id)
            rec.wait_fors.append(call)
            rec.watch(coro, call.exited)
    return coro


def _armed_wait_for(rec, timer, args):
    """call_at from wait_for(): the deadline's timer is armed (timeout arm)."""
    frame = _getframe(2)
    while frame is not None and frame.f_code is not _WAIT_FOR_CODE:
        frame = frame.f_back
    if frame is None or not args:
        return
    for call in rec.wait_fors:
        if call.coro.cr_frame is frame:
            rec.wait_fors.remove(call)
            call.waiter = rec.id_of(args[0])
            call.when = _num(timer._when)
            timer._rec_wf = (call.waiter, call.when, call.owner)
            rec.emit("timeout", [("obj", call.waiter), ("op", "arm"), ("when", call.when),
                                 ("task", call.owner)])
            return


def _cancel_and_wait(fut, loop):
    rec = _recorder_here()
    if rec is not None:
        caller = _getframe(1)
        if caller.f_code is _WAIT_FOR_CODE:
            try:
                expired = caller.f_locals.get("timeout") <= 0
            except TypeError:
                expired = False
            if expired:             # wait_for(..., timeout <= 0): no waiter, only `fire`
                rec.emit("timeout", [("obj", rec.id_of(fut)), ("op", "fire"), ("when", loop.time()),
                                     ("task", rec.step_task_id())])
    return _orig(tasks, "_cancel_and_wait")(fut, loop=loop)


def _wait(fs, *, timeout=None, return_when=tasks.ALL_COMPLETED):
    coro = _orig(tasks, "wait")(fs, timeout=timeout, return_when=return_when)
    rec = _recorder_here()
    if rec is not None and isinstance(fs, (list, tuple)):
        # wait() turns fs into a set: keep the order given for `of`.
        rec.wait_orders[id(coro.cr_frame)] = (weakref.ref(coro), list(fs))
    return coro


# -- Queue (queues.py)

def _q_put_nowait(self, item):
    rec = _active[0]                    # _recorder_here(), inline
    if rec is not None and rec.active and _get_ident() == rec.loop_thread and not self.full():
        _sync_event(rec, self, "queue", "put", self.qsize() + 1)
    return _Q_PUT_NOWAIT(self, item)


def _q_get_nowait(self):
    rec = _active[0]                    # _recorder_here(), inline
    if rec is not None and rec.active and _get_ident() == rec.loop_thread and not self.empty():
        _sync_event(rec, self, "queue", "get", self.qsize() - 1)
    return _Q_GET_NOWAIT(self)


def _q_task_done(self):
    rec = _recorder_here()
    if rec is not None and self._unfinished_tasks > 0:
        _sync_event(rec, self, "queue", "task_done", self.qsize())
    return _orig(queues.Queue, "task_done")(self)


def _q_join(self):
    rec = _recorder_here()
    if rec is not None:
        _sync_event(rec, self, "queue", "join", self.qsize())
    return _orig(queues.Queue, "join")(self)


# -- Lock, Event, Semaphore, Condition (locks.py)

_condition_of = weakref.WeakKeyDictionary()     # a Condition's lock -> the Condition


def _instance_attr(name):
    """The getter of a watched attribute: the value stays in the instance's
    own __dict__ (the setter writes it there), and an unset one raises
    AttributeError as a plain attribute would."""
    def get(self):
        try:
            return self.__dict__[name]
        except KeyError:
            raise AttributeError(name) from None
    return get


def _lock_set(self, value):
    # Lock._locked, watched: an acquire or a release takes effect here.
    before = self.__dict__.get("_locked")
    self.__dict__["_locked"] = value
    if before is None or bool(before) == bool(value):
        return
    rec = _active[0]                    # _recorder_here(), inline
    if rec is not None and rec.active and _get_ident() == rec.loop_thread:
        # (A WeakKeyDictionary's get makes a weak reference: not while there is no Condition.)
        cond = _condition_of.get(self) if _condition_of.data else None
        if cond is not None and cond in _barrier_conds:
            return                      # a Barrier's own Condition: the barrier's events tell it
        _sync_event(rec, cond if cond is not None else self, "condition" if cond is not None else "lock",
                    "acquire" if value else "release", 1 if value else 0)


_QUEUES_FILE = queues.__file__


def _internal_event(frame):
    """An Event of asyncio's own (a Queue's `_finished`): not the program's."""
    return frame.f_code.co_filename == _QUEUES_FILE


def _ev_set(self):
    rec = _recorder_here()
    if rec is not None and not _internal_event(_getframe(1)):
        _sync_event(rec, self, "event", "set", 1)
    return _EV_SET(self)


def _ev_clear(self):
    # (Queue.put_nowait clears its _finished at every put: quickly past it.)
    rec = _active[0]                    # _recorder_here(), inline
    if (rec is not None and rec.active and _get_ident() == rec.loop_thread
            and _getframe(1).f_code.co_filename != _QUEUES_FILE):      # _internal_event, inline
        _sync_event(rec, self, "event", "clear", 0)
    return _EV_CLEAR(self)


def _ev_wait(self):
    rec = _recorder_here()
    if rec is not None and not _internal_event(_getframe(1)):
        _sync_event(rec, self, "event", "wait", 1 if self._value else 0)
    return _orig(locks.Event, "wait")(self)


def _sem_acquire(self):
    rec = _recorder_here()
    if rec is not None and not self.locked():      # it will not wait: the unit is taken now
        _sync_event(rec, self, "semaphore", "acquire", self._value - 1)
    return _orig(locks.Semaphore, "acquire")(self)


def _sem_release(self):
    rec = _recorder_here()
    bound = getattr(self, "_bound_value", None)
    if rec is not None and (bound is None or self._value < bound):
        # A unit handed straight to a waiter leaves the value as it was.
        waiting = any(not w.done() for w in (self._waiters or ()))
        _sync_event(rec, self, "semaphore", "release", self._value + (0 if waiting else 1))
    return _orig(locks.Semaphore, "release")(self)


def _acquired_on_wake(rec, task):
    """A task woken in Semaphore.acquire() by the unit a release() handed
    it: the acquire takes effect as its step begins."""
    waiter = task._fut_waiter
    sem = getattr(waiter, "_rec_sem", None)
    if sem is not None and waiter.done() and not waiter.cancelled() and not task._must_cancel:
        _sync_event(rec, sem, "semaphore", "acquire", sem._value, task._rec_id)


def _cond_init(self, lock=None):
    _orig(locks.Condition, "__init__")(self, lock)
    _condition_of[self._lock] = self


def _cond_wait(self):
    rec = _recorder_here()
    if rec is not None and self.locked() and self not in _barrier_conds:
        _sync_event(rec, self, "condition", "wait", len(self._waiters) + 1)
    return _orig(locks.Condition, "wait")(self)


def _cond_notify(self, n=1):
    rec = _recorder_here()
    if rec is not None and self in _barrier_conds:
        _barrier_notify(rec)
    elif rec is not None and self.locked():
        woken = 0
        for waiter in self._waiters:
            if woken >= n:
                break
            if not waiter.done():
                woken += 1
        _sync_event(rec, self, "condition", "notify", woken)
    return _orig(locks.Condition, "notify")(self, n)


# -- Barrier (locks.py): built on a Condition, whose own operations are kept
# quiet; the barrier's are written instead, as the C runtime writes them
# (FORMAT.md, sync kind barrier): `wait` as a task is counted in (Barrier.wait's
# `self._count += 1`), `pass` as the last one in opens it (Barrier._release),
# `reset` and `abort` as they take effect. Those three each end by notifying
# the condition, which is where they are seen.

_barrier_conds = weakref.WeakSet()      # the Conditions inside Barriers


def _barrier_init(self, parties):
    _orig(locks.Barrier, "__init__")(self, parties)
    _barrier_conds.add(self._cond)


def _barrier_count_set(self, value):
    # Barrier._count, watched: a task counted in is a `wait`.
    before = self.__dict__.get("_count")
    self.__dict__["_count"] = value
    if before is not None and value > before:
        rec = _recorder_here()
        if rec is not None:
            _sync_event(rec, self, "barrier", "wait", value)


def _barrier_notify(rec):
    """A Barrier's condition notified (through notify_all): by _release, reset
    or abort -- each the barrier's event -- or by _exit, which is not."""
    frame = _getframe(2)
    if frame is not None and frame.f_code is _NOTIFY_ALL_CODE:
        frame = frame.f_back
    code = frame.f_code if frame is not None else None
    if code is None or code.co_filename != locks.__file__:
        return
    barrier = frame.f_locals.get("self")
    op = code.co_name
    if op == "_release":
        _sync_event(rec, barrier, "barrier", "pass", barrier._parties)
    elif op in ("reset", "abort"):
        _sync_event(rec, barrier, "barrier", op, barrier._count)


_NOTIFY_ALL_CODE = locks.Condition.notify_all.__code__


# -- streams (selector_events.py)

def _transport_close(self):
    rec = _recorder_here()
    if rec is not None and not self._closing:
        rec.emit("io", [("fd", self._sock_fd), ("op", "close"), ("task", rec.step_task_id()),
                        ("label", "stream")])
    return _orig(selector_events._SelectorTransport, "close")(self)


def _reader_wait(self, func_name):
    rec = _recorder_here()
    if rec is not None:
        transport = self._transport
        sock = transport.get_extra_info("socket") if transport is not None else None
        frame = _getframe(1)
        label = func_name
        while frame is not None and frame.f_code.co_qualname.startswith("StreamReader."):
            label = frame.f_code.co_name        # the outermost: readline, not readuntil
            frame = frame.f_back
        rec.emit("io", [("fd", _fd_of(sock)), ("op", "wait"), ("task", rec.step_task_id()),
                        ("label", label)])
    return _orig(streams.StreamReader, "_wait_for_data")(self, func_name)


_WAIT_FOR_CODE = tasks.wait_for.__code__

# The frames the pure-Python Task and Future add to tracebacks, where
# CPython's C Task and Future add none: Task.__step, Task.__wakeup,
# Future.result and Future.__await__ -- and the recorder's own.
_MACHINERY = {_STEP_CODE, _WAKEUP.__code__, futures._PyFuture.result.__code__,
              futures._PyFuture.__await__.__code__}


_MACHINERY_ORIGINS = {(code.co_filename, code.co_name) for code in _MACHINERY}


def _hidden(frame):
    code = frame.f_code
    return code in _MACHINERY or code.co_filename == __file__


def _walk_tb_with_full_positions(tb):
    # traceback._walk_tb_with_full_positions, which format_exc(), print_exc()
    # and logging read tracebacks with, without the frames above.
    for frame, positions in _orig(traceback, "_walk_tb_with_full_positions")(tb):
        if not _hidden(frame):
            yield frame, positions


def _walk_tb(tb):
    # traceback.walk_tb, likewise.
    for frame, line in _orig(traceback, "walk_tb")(tb):
        if not _hidden(frame):
            yield frame, line


_PATCHES = [
    (taskgroups.TaskGroup, "__aenter__", _tg_aenter),
    (taskgroups.TaskGroup, "__aexit__", _tg_aexit),
    (taskgroups.TaskGroup, "create_task", _tg_create_task),
    (taskgroups.TaskGroup, "_abort", _tg_abort),
    (timeouts.Timeout, "reschedule", _to_reschedule),
    (timeouts.Timeout, "_on_timeout", _to_on_timeout),
    (timeouts.Timeout, "__aexit__", _to_aexit),
    (tasks, "wait_for", _wait_for),
    (asyncio, "wait_for", _wait_for),
    (tasks, "_cancel_and_wait", _cancel_and_wait),
    (tasks, "wait", _wait),
    (asyncio, "wait", _wait),
    (queues.Queue, "put_nowait", _q_put_nowait),
    (queues.Queue, "get_nowait", _q_get_nowait),
    (queues.Queue, "task_done", _q_task_done),
    (queues.Queue, "join", _q_join),
    (locks.Lock, "_locked", property(_instance_attr("_locked"), _lock_set)),
    (locks.Event, "set", _ev_set),
    (locks.Event, "clear", _ev_clear),
    (locks.Event, "wait", _ev_wait),
    (locks.Semaphore, "acquire", _sem_acquire),
    (locks.Semaphore, "release", _sem_release),
    (locks.Condition, "__init__", _cond_init),
    (locks.Condition, "wait", _cond_wait),
    (locks.Condition, "notify", _cond_notify),
    (locks.Barrier, "__init__", _barrier_init),
    (locks.Barrier, "_count", property(_instance_attr("_count"), _barrier_count_set)),
    (selector_events._SelectorTransport, "close", _transport_close),
    (streams.StreamReader, "_wait_for_data", _reader_wait),
    (traceback, "_walk_tb_with_full_positions", _walk_tb_with_full_positions),
    (traceback, "walk_tb", _walk_tb),
    (warnings, "_warn_unawaited_coroutine", _warn_unawaited),
]

for _owner, _name, _new in _PATCHES:
    _ORIGINAL[(_owner, _name)] = _owner.__dict__.get(_name, getattr(_owner, _name, None))
    if callable(_new) and not isinstance(_new, property):
        _old = _ORIGINAL[(_owner, _name)]
        _new.__name__ = getattr(_old, "__name__", _name)
        _new.__qualname__ = getattr(_old, "__qualname__", _name)
        _new.__doc__ = getattr(_old, "__doc__", None)
# The originals called at nearly every step of a program that uses a queue, without _orig's lookup.
_Q_PUT_NOWAIT = _orig(queues.Queue, "put_nowait")
_Q_GET_NOWAIT = _orig(queues.Queue, "get_nowait")
_EV_SET = _orig(locks.Event, "set")
_EV_CLEAR = _orig(locks.Event, "clear")


class _Patches:
    """Everything the recorder swaps into asyncio while the program runs,
    and puts back afterwards: its own run(), Task, Future, _GatheringFuture,
    time.sleep, the event loop policy, and the wrappers above."""

    def __init__(self):
        self.saved = []

    def set(self, owner, name, value):
        had = name in owner.__dict__ if isinstance(owner, type) else hasattr(owner, name)
        self.saved.append((owner, name, had, owner.__dict__.get(name) if isinstance(owner, type)
                           else getattr(owner, name, None)))
        setattr(owner, name, value)

    def install(self):
        self.set(asyncio, "run", run)
        self.set(asyncio.runners, "run", run)
        self.set(asyncio, "Task", Task)
        self.set(tasks, "Task", Task)
        self.set(asyncio, "Future", Future)
        self.set(futures, "Future", Future)
        self.set(tasks, "_GatheringFuture", _GatheringFuture)
        self.set(time, "sleep", _virtual_sleep)
        for owner, name, new in _PATCHES:
            self.set(owner, name, new)
        self.policy = events.get_event_loop_policy()
        events.set_event_loop_policy(VirtualClockPolicy())

    def restore(self):
        for owner, name, had, value in reversed(self.saved):
            if owner is traceback and _cli[0] is not None:
                continue        # the program's objects are finalized (and logged) at exit
            if had:
                setattr(owner, name, value)
            else:
                delattr(owner, name)
        self.saved = []
        events.set_event_loop_policy(self.policy)


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
    rec.loop_thread = _get_ident()
    if rec.out is not None:
        rec.active = True
        _active[0] = rec
    return rec


def _finish_recording(rec, reason):
    """Write what asyncio would warn about (exceptions never retrieved,
    tasks still pending), then `end` (after the last unfinished printed
    line), and stop recording."""
    if not rec.active:
        return
    if _capture[0] is not None:
        _capture[0].finish_line()
    _closing_warnings(rec)
    rec.end(reason)
    rec.flush()
    if _active[0] is rec:
        _active[0] = None


def _closing_warnings(rec):
    """never_retrieved for the finished tasks and futures whose exception
    nobody retrieved (those already collected were reported by their
    finalizer), and pending_at_close for the tasks still pending, in
    creation order -- as the C runtime writes them before `end`."""
    loop = rec.loop
    if loop is None:
        return
    everything = sorted((t for t in list(tasks._all_tasks)
                         if isinstance(t, Task) and t._rec is rec), key=_creation_order)
    for task in everything:
        if task.done():
            if task._log_traceback and not task._rec_warned and not task.cancelled():
                _never_retrieved(rec, task)
        else:
            rec.deferred.append(("warn", [
                ("kind", "pending_at_close"),
                ("msg", "Task was destroyed but it is pending! task: <Task pending name='%s' coro=<%s()>>"
                        % (task.get_name(), task._rec_coro)),
                ("task", task._rec_id)]))
    for fut in list(rec.failed):
        if fut._log_traceback and fut._exception is not None and not fut.__dict__.get("_rec_warned"):
            rec.deferred.append(("warn", [
                ("kind", "never_retrieved"),
                ("msg", "Future exception was never retrieved: %s" % _repr_exc(fut._exception)),
                ("task", None)]))
            fut._rec_warned = True      # reported: not again when it is collected
    rec.failed.clear()


class VirtualClockPolicy(asyncio.DefaultEventLoopPolicy):
    """The event loop policy while a program is recorded: every loop asyncio
    makes (asyncio.new_event_loop(), asyncio.Runner, get_event_loop()) is a
    virtual-clock one. (Named as CPython's.)"""

    def __init__(self):
        super().__init__()
        self._loop_factory = new_event_loop


VirtualClockPolicy.__name__ = VirtualClockPolicy.__qualname__ = asyncio.DefaultEventLoopPolicy.__name__


def _creation_order(task):
    number = getattr(task, "_rec_id", None)
    return (0, number) if number is not None else (1, 0)


def _waiting_description(rec, task):
    waiter = getattr(task, "_fut_waiter", None)
    chain = _await_chain(task.get_coro())
    where = _src_frame(chain)
    where = "%s:%d" % (os.path.basename(where.f_code.co_filename), where.f_lineno) if where else None
    what = (_label(waiter, [_frame_of(o) for o in chain if _is_asyncio_file(_frame_of(o).f_code.co_filename)])
            if waiter is not None else "nothing")
    return "%s waits on %s%s" % (task.get_name(), what, " at " + where if where else "")


def _report_deadlock(loop, rec):
    """Write the deadlock warn and end; return a one-line description."""
    waiting = sorted(tasks.all_tasks(loop), key=_creation_order)
    names = "; ".join(_waiting_description(rec, t) for t in waiting) or "no tasks"
    msg = "deadlock: nothing can wake the loop (no timers, no ready handles, no files); %s" % names
    if rec.active:
        rec.emit("warn", [("kind", "deadlock"), ("msg", msg), ("task", None)])
        rec.end("deadlock")
        rec.flush()
        if _active[0] is rec:
            _active[0] = None
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
    patched = tasks.Task is not Task
    if patched:
        saved_task = (asyncio.Task, tasks.Task)
        asyncio.Task = tasks.Task = Task
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


_virtual_sleep.__name__ = _virtual_sleep.__qualname__ = "sleep"
_virtual_sleep.__doc__ = time.sleep.__doc__


# --------------------------------------------------------------------------
# The program's output

class PrintCapture(io.TextIOBase):
    """Stands in for sys.stdout: passes the text on to `echo` at once and,
    while a recording runs, turns each completed line into a `print` event
    attributed to the task running when the line was completed, with the
    line of the program that printed it."""

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

    def fileno(self):
        return self._echo.fileno()

    def write(self, text):
        if not isinstance(text, str):
            raise TypeError("write() argument must be str, not %s" % type(text).__name__)
        self._echo.write(text)
        rec = _current_recorder()
        if not rec.active:
            return len(text)
        try:
            lines = text.split("\n")
            if len(lines) > 1:
                task = rec.step_task_id()
                src = rec.caller_src(_getframe(1))
                for line in lines[:-1]:
                    self._partial.append(line)
                    # Taken before it is written: a signal halting the
                    # recording meanwhile must not record the line again.
                    text, self._partial = "".join(self._partial), []
                    fields = [("task", task), ("text", text)]
                    if src is not None:
                        fields.append(("src", src))
                    rec.emit("print", fields)
            if lines[-1]:
                self._partial.append(lines[-1])
        except MemoryError:
            rec._out_of_memory()
        return len(text)

    def finish_line(self):
        """Record a last line that was printed without its newline."""
        rec = _current_recorder()
        if self._partial and rec.active:
            rec.emit("print", [("task", rec.step_task_id()), ("text", "".join(self._partial))])
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
    parser.add_argument("--no-locals", action="store_true",
                        help="leave out the local variables recorded at each suspension")
    parser.add_argument("--trace-version", metavar="3|4", default=str(FORMAT_VERSION),
                        help="the trace format: 4 (the default) leaves out seq, which always "
                             "follows, and t where it repeats; 3 spells every line out in full "
                             "(traces/FORMAT.md)")
    args = parser.parse_args(argv)
    if args.size is not None:
        try:
            if int(args.size) < 0:
                raise ValueError
        except ValueError:
            parser.error("--size: expected a non-negative integer, got %r" % args.size)
    if args.trace_version not in ("3", "4"):
        parser.error("--trace-version: expected 3 or 4, got %r" % args.trace_version)
    args.trace_version = int(args.trace_version)
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


def _without_recorder(tb):
    """A traceback without the recorder's frames (and runpy's on top): the
    program's exception as plain CPython would show it."""
    skip = {_HERE, os.path.abspath(runpy.__file__)}
    kept = []
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not (filename.startswith("<frozen runpy") or os.path.abspath(filename) in skip):
            kept.append(tb)
        tb = tb.tb_next
    rebuilt = None
    for entry in reversed(kept):
        rebuilt = types.TracebackType(rebuilt, entry.tb_frame, entry.tb_lasti, entry.tb_lineno)
    return rebuilt


def _print_program_exception(exc):
    """The program's traceback, as CPython prints it (see _without_recorder),
    chained exceptions and exception groups included."""
    seen = set()

    def clean(e):
        if e is None or id(e) in seen:
            return
        seen.add(id(e))
        e.__traceback__ = _without_recorder(e.__traceback__)
        clean(e.__cause__)
        clean(e.__context__)
        for inner in getattr(e, "exceptions", ()) if isinstance(e, BaseExceptionGroup) else ():
            clean(inner)

    clean(exc)
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)


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

    _program_dir[0] = os.path.dirname(os.path.abspath(program)) + os.sep
    rec = Recorder(out, scenario, program, max_events=args.max_events,
                   with_locals=not args.no_locals, version=args.trace_version)
    rec.sources.name(program)           # the program's own source: the first event
    _max_time[0] = args.max_time
    _cli[0] = (rec, out, out_name)
    rec.header()
    _pending_recorder[0] = rec
    echo = sys.stderr if to_stdout else sys.stdout
    capture = PrintCapture(echo)
    _capture[0] = capture
    # While the program runs: asyncio.run is ours, every new loop is a
    # virtual-clock one, tasks and futures are recorded ones, time.sleep
    # knows the virtual clock, and the rest of asyncio is watched.
    patches = _Patches()
    patches.install()
    saved_stdout, saved_argv, saved_path = sys.stdout, sys.argv, list(sys.path)
    sys.stdout = capture
    sys.argv = [program] + program_args
    sys.path.insert(0, os.path.dirname(os.path.abspath(program)))
    saved_signals = _install_signal_handlers()

    status = 0
    deadlock = None
    try:
        runpy.run_path(os.path.abspath(program), run_name="__main__")   # __file__ absolute, as python3 makes it
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
            # Out of memory: the trace is ended first, with what is left
            # (or, should memory still be short, after the rest: owed_end).
            rec.memory_short()
            try:
                _finish_recording(rec, "error")
            except MemoryError:
                rec.owed_end = rec.owed_end or "error"
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
        patches.restore()
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
