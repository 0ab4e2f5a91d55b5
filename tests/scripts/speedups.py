#!/usr/bin/env python3
"""speedups.py -- the recorder's speedups (runtime/recorder/speedups.c) write
exactly what its pure Python writes.

Two checks:
* locals: the C locals_of against the Python _locals_of_py on frames holding
  every kind of value the recorder treats apart (plain numbers, big ints,
  strings, containers, reprs with addresses, reprs that raise or lie), each
  call made twice from the same cache state: the same text, the same caches
  after, the same exception.
* traces: every scenario twin, lesson program and the bench program recorded
  with the speedups and without (COROSCOPE_SPEEDUPS=0), hash seed fixed: the
  same bytes, or the same lines where only their order follows addresses.
  A program where CPython decides in set order (TaskGroup abort, wait(),
  as_completed(), real sockets) and whose lines differ cannot be compared,
  and says so.

Run from anywhere: python3 tests/scripts/speedups.py [WORD...]
Prints "PASS name", "FAIL name: why" or "SKIP name: why"; exits 1 on a failure.
"""

import asyncio
import collections
import copy
import glob
import os
import re
import subprocess
import sys
import tempfile
import threading
import types

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
RECORDER = os.path.join(ROOT, "runtime", "recorder", "coroscope_record.py")
BUILD = os.path.join(ROOT, os.environ.get("BUILD") or "build")
PYEXT = os.path.join(BUILD, "pyext")
TMP = tempfile.mkdtemp(prefix="coroscope-speedups-test-")
failures = 0


def report(ok, name, why=""):
    global failures
    if ok:
        print("PASS", name)
    else:
        failures += 1
        print("FAIL %s: %s" % (name, why))


# --------------------------------------------------------------------------
# locals_of against _locals_of_py

os.environ["COROSCOPE_SPEEDUPS"] = PYEXT
sys.path.insert(0, os.path.dirname(RECORDER))
import coroscope_record as rec  # noqa: E402

CACHES = ["_fn_json", "_var_json", "_json_seen", "_plain_json", "_plain_seen", "_addresses",
          "_stable_seen"]


def snapshot():
    return {name: dict(getattr(rec, name)) for name in CACHES}


def restore(state):
    for name in CACHES:
        cache = getattr(rec, name)
        cache.clear()
        cache.update(state[name])


def outcome(fn, frame, line):
    try:
        return ("text", fn(frame, line))
    except BaseException as exc:        # KeyboardInterrupt from a repr included
        return ("raises", type(exc).__name__, str(exc))


class Plain:
    pass


class Raises:
    def __repr__(self):
        raise ValueError("no repr")


class Interrupts:
    def __repr__(self):
        raise KeyboardInterrupt("stop")


class NotStr:
    def __repr__(self):
        return 42


class Text(str):
    pass


class Sly:
    def __repr__(self):
        return Text("<sly at %#x>" % id(self))


class LiesInt:
    @property
    def __class__(self):
        return int

    def __repr__(self):
        return "LiesInt()"

    def __lt__(self, other):
        return True

    def __gt__(self, other):
        return True


class LiesList:
    __class__ = list

    def __repr__(self):
        return "[lies]"


class Meta(type):
    def __eq__(cls, other):
        return other is float or type.__eq__(cls, other)

    def __hash__(cls):
        return hash(float)


class Floaty(metaclass=Meta):
    def __repr__(self):
        return "Floaty()"


class Two:
    def __init__(self, other):
        self.other = other

    def __repr__(self):
        return "<Two at %#x with %#x>" % (id(self), id(self.other))


class AddressLast:
    def __repr__(self):
        return "<at %#x>" % id(self)


class HexAfter:
    def __repr__(self):
        return "<at %#xab>" % id(self)


class Long:
    def __repr__(self):
        return "<Long at %#x %s>" % (id(self), "x" * 120)


class Grows:
    """A repr that gives its frame a new local: the dict changes size."""

    def __init__(self, frame):
        self.frame = frame

    def __repr__(self):
        self.frame.f_locals["added"] = 1
        return "Grows()"


def frame_with(source_locals):
    """A suspended coroutine frame whose local variables are exactly
    `source_locals` (names in order), made by compiling a coroutine."""
    names = list(source_locals)
    code = "async def f(%s):\n    await asyncio.sleep(0)\n" % ", ".join(names) if names else \
        "async def f():\n    await asyncio.sleep(0)\n"
    ns = {"asyncio": asyncio}
    exec(code, ns)
    coro = ns["f"](**source_locals)
    coro.send(None)
    return coro


def check_frame(name, values, line=None, keep_locals=False, rounds=3):
    coro = frame_with(values)
    frame = coro.cr_frame
    held = frame.f_locals if keep_locals else None
    ok, why = True, ""
    for round_ in range(rounds):
        before = snapshot()
        py = outcome(rec._locals_of_py, frame, line)
        after_py = snapshot()
        cleared_py = len(frame.f_locals) if keep_locals else None
        restore(before)
        c = outcome(rec._speedups.locals_of, frame, line)
        after_c = snapshot()
        cleared_c = len(frame.f_locals) if keep_locals else None
        if py != c:
            ok, why = False, "round %d: python %r, C %r" % (round_, py, c)
            break
        if after_py != after_c:
            differ = [k for k in CACHES if after_py[k] != after_c[k]]
            ok, why = False, "round %d: caches differ after: %s" % (round_, differ)
            break
        if cleared_py != cleared_c:
            ok, why = False, "f_locals held: python left %r, C %r" % (cleared_py, cleared_c)
            break
    coro.close()
    del held
    report(ok, "locals " + name, why)


def locals_cases():
    q = asyncio.Queue()
    lock = asyncio.Lock()
    event = asyncio.Event()
    grows_list = [1, 2, 3]
    p = Plain()
    check_frame("plain numbers", {"a": 1, "b": -5, "c": True, "d": None, "e": 2.5, "f": float("nan"),
                                  "g": float("-inf"), "h": -0.0, "i": 2 ** 63, "j": -2 ** 64})
    check_frame("ints near 10**70", {"a": 10 ** 70 - 1, "b": 10 ** 70, "c": -10 ** 70 + 1,
                                     "d": -10 ** 70, "e": 10 ** 200})
    check_frame("strings", {"a": "", "b": "plain", "c": "it's", "d": 'say "hi"', "e": "both ' and \"",
                            "f": "x" * 200, "g": "caf\u00e9 \u2603 \U0001f600", "h": "\ud800",
                            "i": "tab\tnew\nline\x00\x7f", "j": "0x7fffdeadbeef"})
    check_frame("containers", {"a": [], "b": (), "c": set(), "d": {}, "e": frozenset(),
                               "f": [1, 2, 3], "g": (1,), "h": {1, 2}, "i": {"k": [1, "v"]},
                               "j": frozenset({3}), "k": [[1, [2, [3]]], ("x", "y")],
                               "l": list(range(1000)), "m": tuple(range(50)), "n": ["s" * 100]})
    check_frame("asyncio objects", {"q": q, "lock": lock, "event": event})
    q.put_nowait(1)
    check_frame("asyncio objects, changed", {"q": q, "lock": lock, "event": event})
    check_frame("other objects", {"p": p, "fn": check_frame, "t": Two(p), "last": AddressLast(),
                                  "hex": HexAfter(), "long": Long(), "bytes": b"\x00\xff",
                                  "cls": Plain, "mod": os})
    check_frame("reprs that fail", {"a": Raises(), "b": NotStr(), "c": 1})
    check_frame("repr interrupted", {"a": 1, "b": Interrupts(), "c": 2})
    check_frame("str subclass repr", {"a": Sly()})
    check_frame("lying __class__", {"a": LiesInt(), "b": LiesList()})
    check_frame("metaclass equal to float", {"a": Floaty()})
    check_frame("more than 16 locals", {"v%02d" % i: i for i in range(20)})
    check_frame("exactly 16 locals", {"v%02d" % i: [i] for i in range(16)})
    check_frame("no locals", {})
    check_frame("line given", {"a": 1}, line=7)
    check_frame("line 0", {"a": 1}, line=0)
    check_frame("f_locals held elsewhere", {"a": [1], "b": 2}, keep_locals=True)
    check_frame("names needing escapes", {"caf\u00e9": 1, "\u03c0": [2]})
    # A list that grows between suspensions, and one changed in place: the
    # caches of plain items (_plain_seen, _plain_json) in play.
    coro = frame_with({"items": grows_list})
    ok, why = True, ""
    for step in range(40):
        if step % 7 == 3:
            grows_list[0] = step
        else:
            grows_list.append(step)
        before = snapshot()
        py = outcome(rec._locals_of_py, coro.cr_frame, None)
        after_py = snapshot()
        restore(before)
        c = outcome(rec._speedups.locals_of, coro.cr_frame, None)
        if py != c or snapshot() != after_py:
            ok, why = False, "step %d: python %r, C %r" % (step, py, c)
            break
    coro.close()
    report(ok, "locals of a list that grows and changes")


def refcount_case():
    """Many calls leave every value's reference count (None's too) as it was."""
    q = asyncio.Queue()
    values = {"a": 1, "b": None, "c": "text", "d": [1, 2], "e": q, "f": Raises(), "g": LiesInt(),
              "h": 10 ** 80, "i": (3,), "j": Two(q)}
    coro = frame_with(values)
    frame = coro.cr_frame
    watched = list(values.values()) + [None, True, frame, frame.f_code]
    rec._speedups.locals_of(frame, None)           # caches filled once
    before = [sys.getrefcount(v) for v in watched]
    for _ in range(2000):
        rec._speedups.locals_of(frame, None)
        rec._speedups.locals_of(frame, 5)
    after = [sys.getrefcount(v) for v in watched]
    coro.close()
    report(before == after, "locals_of leaks no reference",
           "counts before %r, after %r" % (before, after))


class FakeTask:
    """What emit_body's catch-up reads of a task."""

    def __init__(self, frames=(), watch=(), top=None):
        self._rec_frames, self._rec_watch, self._rec_top = list(frames), list(watch), top


class FakeRecorder:
    """What emit_body reads and calls of a Recorder, each call noted."""

    def __init__(self, task, pending_new=None, deferred=(), thread=None):
        self.active = True
        self.step_task = task
        self.pending_new = pending_new
        self.deferred = list(deferred)
        self.loop_thread = threading.get_ident() if thread is None else thread
        self.pending, self.seq, self.seq_limit, self.sources, self.batch_limit = [], 0, 10 ** 9, None, 10 ** 9
        self.calls = []

    def _flush_new(self):
        self.calls.append("flush_new")
        self.pending_new = None

    def _flush_deferred(self):
        self.calls.append("flush_deferred")
        self.deferred = []

    def sync(self, task, frame):
        self.calls.append(("sync", task is self.step_task, frame.f_code.co_name))


def emit_from(fake, depth, levels, emit):
    """emit(fake, ...) -- an emit_body -- from `levels` calls down:
    inner_N ... inner_1 call it."""
    if levels:
        return emit_from(fake, depth, levels - 1, emit)
    emit(fake, '"ev":"x"', True, depth)


def catch_up_case():
    """emit_body's catch-up in C (catch_up) against the Python: the same calls
    to _flush_new, _flush_deferred and sync (with the same frame), in the
    same cases, and the same error for a stack too short."""
    if rec._catch_up is None:
        print("SKIP catch_up: the frame walk is not used on this interpreter")
        return
    mark = rec._Mark(None)
    other = rec._Mark(None)

    async def program(fake_of, depth, levels, emit):
        frame = sys._getframe()
        frame.f_trace = mark            # what the recorder puts on a frame it has seen
        emit_from(fake_of(frame), depth, levels, emit)
    # The Python emit_body with the Python catch-up, with the C one, and the
    # C emit_body (as a method of FakeRecorder: no frame of its own).
    ways = [(None, rec.Recorder._emit_body_py), (rec._catch_up, rec.Recorder._emit_body_py),
            (rec._catch_up, rec._speedups.method(FakeRecorder))]
    helper_codes = {id(emit_from.__code__)}
    cases = [
        ("no task", lambda f: FakeRecorder(None), 2, 0),
        ("held-back task_new and warnings", lambda f: FakeRecorder(None, pending_new=1, deferred=[1]), 2, 0),
        ("another thread's loop", lambda f: FakeRecorder(FakeTask(top=mark), thread=-1), 2, 0),
        ("frame seen last (top)", lambda f: FakeRecorder(FakeTask(top=mark)), 2, 3),
        ("frame seen last (frames)", lambda f: FakeRecorder(FakeTask(frames=[other, mark])), 2, 3),
        ("another frame seen last", lambda f: FakeRecorder(FakeTask(frames=[mark, other])), 2, 3),
        ("a watcher waits", lambda f: FakeRecorder(FakeTask(top=mark, watch=[1])), 2, 3),
        ("probe on a helper frame", lambda f: FakeRecorder(FakeTask(top=mark)), 1, 0),
        ("stack too short", lambda f: FakeRecorder(FakeTask(top=mark)), 500, 0),
    ]
    for name, fake_of, depth, levels in cases:
        seen = []
        for walk, emit in ways:
            saved = rec._catch_up
            rec._catch_up = walk
            rec._passed_over.update(helper_codes)
            fakes = []
            try:
                coro = program(lambda f: fakes.append(fake_of(f)) or fakes[-1], depth, levels, emit)
                try:
                    coro.send(None)
                except StopIteration:
                    pass
                result = ("ok",)
            except Exception as exc:
                result = ("raises", type(exc).__name__, str(exc))
            finally:
                rec._catch_up = saved
                rec._passed_over.difference_update(helper_codes)
            fake = fakes[0] if fakes else None
            seen.append((result, fake.calls if fake else None, fake.pending if fake else None))
        report(seen[0] == seen[1] == seen[2], "catch_up: " + name,
               "python %r, C catch_up %r, C emit_body %r" % tuple(seen))
    # No reference leaks across many calls.
    fake = FakeRecorder(FakeTask(top=None))        # (this frame has no f_trace: no sync)
    watched = [None, True, mark, fake, fake.step_task, fake.step_task._rec_frames]
    before = [sys.getrefcount(v) for v in watched]
    for _ in range(2000):
        fake.pending_new = 1            # a task_new held back: _flush_new is called (and returns None)
        rec._catch_up(fake, 1)
    after = [sys.getrefcount(v) for v in watched]
    report(before == after and fake.calls == ["flush_new"] * 2000, "catch_up leaks no reference",
           "counts before %r, after %r, calls %r" % (before, after, fake.calls[:3]))


def growing_case():
    """A repr that gives its own frame a new local while the locals are read:
    the dict changes size under the loop (RuntimeError, both ways)."""
    async def f(a, g, z):
        await asyncio.sleep(0)
    results = []
    for fn in (rec._locals_of_py, rec._speedups.locals_of):
        for last in (False, True):
            grow = Grows(None)
            coro = f(1, 2, grow) if last else f(1, grow, 2)
            coro.send(None)
            grow.frame = coro.cr_frame
            results.append(outcome(fn, coro.cr_frame, None))
            coro.close()
    report(results[:2] == results[2:], "locals of a frame whose repr adds a local",
           "python %r, C %r" % (results[:2], results[2:]))


# --------------------------------------------------------------------------
# suspended against Task._rec_suspended_py

PROGRAM = """
import asyncio, types

async def leaf(n):
    x = n * 2
    await asyncio.sleep(0)

async def middle(n):
    y = [n, n]
    await leaf(n)

async def top(n):
    z = "s"
    await middle(n)

async def on_future(fut):
    await fut

@types.coroutine
def gen_based():
    yield

async def via_gen():
    await gen_based()

async def agen():
    await asyncio.sleep(0)
    yield 1
"""


class SuspendedTask:
    """What suspended reads of a Task, set as each case needs."""

    def __init__(self, coro, waiter=None, agen=None, h=None, src=None, frames=(), watch=()):
        self._rec_id = 7
        self._fut_waiter = waiter
        self._rec_agen = agen
        self._coro = coro
        self._rec_h = h
        self._rec_src = src
        self._rec_frames = list(frames)
        self._rec_watch = list(watch)
        self._rec_cpu = None


class Capture(rec.Recorder):
    """A recorder that keeps what it is asked to write and to sync."""

    def __init__(self, fail_sync=False, with_locals=True, active=True):
        super().__init__(None, "t", with_locals=with_locals)
        self.active = active
        self.log = []
        self.fail_sync = fail_sync

    def emit_body(self, body, catch_up=True, depth=2):
        self.log.append(("body", body, self.step_task))

    def sync(self, task, frame=None, frames=None):
        self.log.append(("sync", [f.f_code.co_name for f in frames], self.step_task is task))
        if self.fail_sync:
            raise ValueError("sync failed")


class Shadowed(Capture):
    """Its class has an `active` of its own: read by getattr, not __dict__."""

    active = property(lambda self: self.__dict__["on"], lambda self, v: self.__dict__.update(on=v))


class Lies:
    """Says it is a coroutine, and has no cr_frame."""

    __class__ = types.CoroutineType


class Frames:
    """A generator-like object: gi_frame and gi_yieldfrom of its own."""

    def __init__(self, frame, following):
        self.gi_frame = frame
        self.gi_yieldfrom = following


class Falsy:
    def __bool__(self):
        return False


class Raising:
    @property
    def cr_frame(self):
        raise ValueError("no frame")


def suspended_cases():
    ns = {}
    exec(compile(PROGRAM, "/coroscope-speedups-test/prog.py", "exec"), ns)
    loop = asyncio.new_event_loop()
    fut = loop.create_future()
    own_future = rec.Future(loop=loop)
    coros = []

    def started(coro):
        coro.send(None)
        coros.append(coro)
        return coro

    leaf, chain = started(ns["leaf"](1)), started(ns["top"](2))
    gen = started(ns["via_gen"]())
    waits = started(ns["on_future"](fut))
    agen = ns["agen"]()
    athrow = agen.asend(None)
    athrow.send(None)
    closed = ns["leaf"](3)
    closed.close()
    weird = started(ns["leaf"](4))

    def labelled(label):
        def setup(r):
            r.labels[r.id_of(fut)] = label
        return setup

    cases = [
        ("sleep(0), yield", lambda: SuspendedTask(leaf, h=12), {}),
        ("sleep(0), yield without a handle", lambda: SuspendedTask(leaf), {}),
        ("a chain of three, sync", lambda: SuspendedTask(chain, h=3), {}),
        ("a chain of three, sync fails", lambda: SuspendedTask(chain, h=3), {"fail_sync": True}),
        ("a generator-based coroutine", lambda: SuspendedTask(gen), {}),
        ("a future awaited, no label", lambda: SuspendedTask(waits, waiter=fut), {}),
        ("a future awaited, labelled", lambda: SuspendedTask(waits, waiter=fut), {"setup": labelled("sleep(1)")}),
        ("a future awaited, label not a str", lambda: SuspendedTask(waits, waiter=fut),
         {"setup": labelled(5)}),
        ("the recorder's Future as the coroutine", lambda: SuspendedTask(own_future, waiter=own_future), {}),
        ("an async generator's aclose", lambda: SuspendedTask(leaf, agen=agen), {}),
        ("a finished coroutine, src known", lambda: SuspendedTask(closed, src="prog.py:9"), {}),
        ("a finished coroutine, src unknown", lambda: SuspendedTask(closed), {}),
        ("frames seen before", lambda: SuspendedTask(leaf, frames=[object()]), {}),
        ("a watcher waiting", lambda: SuspendedTask(leaf, watch=[object()]), {}),
        ("without locals", lambda: SuspendedTask(chain), {"with_locals": False}),
        ("not active", lambda: SuspendedTask(chain), {"active": False}),
        ("a recorder class with an `active` of its own", lambda: SuspendedTask(chain), {"kind": Shadowed}),
        ("a liar about its class", lambda: SuspendedTask(Lies()), {}),
        ("a generator-like object, falsy yieldfrom",
         lambda: SuspendedTask(Frames(weird.cr_frame, Falsy())), {}),
        ("a generator-like object leading on", lambda: SuspendedTask(Frames(weird.cr_frame, chain)), {}),
        ("a cr_frame that raises", lambda: SuspendedTask(Raising()), {}),
        ("an object without frames", lambda: SuspendedTask(object()), {}),
    ]
    for name, make, options in cases:
        options = dict(options)
        kind = options.pop("kind", Capture)
        setup = options.pop("setup", None)
        results = []
        before = snapshot()
        for fn in (rec.Task._rec_suspended_py, rec._speedups.suspended):
            restore(before)
            task = make()
            recorder = kind(**options)
            if setup is not None:
                setup(recorder)
            for round_ in range(2):         # the second one from suspended_at's cache
                try:
                    fn(task, recorder)
                    out = ("ok",)
                except BaseException as exc:
                    out = ("raises", type(exc).__name__, str(exc))
                results.append((round_, out, list(recorder.log), recorder.step_task, dict(recorder.labels),
                                recorder.last_id))
                recorder.log.clear()
            results.append(snapshot())
        half = len(results) // 2
        report(results[:half] == results[half:], "suspended " + name,
               "python %r, C %r" % (results[:half], results[half:]))
    # No reference leaks across many suspensions (a future awaited, labelled).
    recorder = Capture()
    labelled("sleep(1)")(recorder)
    task = SuspendedTask(waits, waiter=fut)
    watched = [None, True, fut, waits, waits.cr_frame, task, recorder, recorder.labels]
    rec._speedups.suspended(task, recorder)
    recorder.log.clear()
    before = [sys.getrefcount(v) for v in watched]
    for _ in range(2000):
        rec._speedups.suspended(task, recorder)
        recorder.log.clear()
    after = [sys.getrefcount(v) for v in watched]
    report(before == after, "suspended leaks no reference", "counts before %r, after %r" % (before, after))
    athrow.close()
    for coro in coros:
        coro.close()
    loop.close()


# --------------------------------------------------------------------------
# emit_body against Recorder._emit_body_py

class Writes(rec.Recorder):
    """A recorder that logs what emit_body hands on instead of writing."""

    def __init__(self, fail=None, **state):
        super().__init__(None, "t")
        self.active = True
        self.log = []
        self.fail = fail
        for name, value in state.items():
            setattr(self, name, value)

    def _note(self, what, *args):
        self.log.append((what,) + args)
        if self.fail == what:
            raise MemoryError if what != "_flush_new" else ValueError("flush failed")

    def _flush_new(self):
        self.pending_new = None
        self._note("_flush_new")

    def _flush_deferred(self):
        self.deferred = []
        self._note("_flush_deferred")

    def _emit_locked(self, body):
        self._note("_emit_locked", body)

    def _write_pending(self):
        self._note("_write_pending", list(self.pending))
        self.pending.clear()

    def _out_of_memory(self):
        self.log.append(("_out_of_memory",))


class Pending:
    pending = ["source"]


class NoRoom(list):
    def append(self, item):
        raise MemoryError


def emit_body_cases():
    c_emit = rec.Recorder.emit_body
    if c_emit is rec.Recorder._emit_body_py:
        print("SKIP emit_body: the C one is not installed (no frame walk for this interpreter)")
        return
    cases = [
        ("appended", {}, ("body",)),
        ("not active", {"active": False}, ("body",)),
        ("a task_new and warnings first", {"pending_new": object(), "deferred": [1]}, ("body",)),
        ("without the catch-up", {"pending_new": object(), "deferred": [1]}, ("body", False)),
        ("catch_up falsy, depth given", {"pending_new": object()}, ("body", 0, 3)),
        ("by keyword", {"deferred": [1]}, ("body",), {"catch_up": True, "depth": 2}),
        ("at the event limit", {"seq": 9, "seq_limit": 10, "pending": ["a"]}, ("body",)),
        ("below the event limit", {"seq": 8, "seq_limit": 10, "pending": ["a"]}, ("body",)),
        ("a float event limit", {"seq": 8, "seq_limit": 9.5, "pending": ["a"]}, ("body",)),
        ("a huge seq", {"seq": 2 ** 80, "seq_limit": 2 ** 81}, ("body",)),
        ("a source to embed", {"sources": Pending()}, ("body",)),
        ("a full batch", {"batch_limit": 2, "pending": ["a"]}, ("body",)),
        ("a batch of one, memory short", {"batch_limit": 1}, ("body",)),
        ("writing runs out of memory", {"batch_limit": 1, "fail": "_write_pending"}, ("body",)),
        ("the lock runs out of memory", {"seq_limit": 0, "fail": "_emit_locked"}, ("body",)),
        ("a flush that raises", {"pending_new": object(), "fail": "_flush_new"}, ("body",)),
        ("pending not a list", {"pending": collections.deque(["a"])}, ("body",)),
        ("appending runs out of memory", {"pending": NoRoom()}, ("body",)),
    ]
    for case in cases:
        name, state, args = case[:3]
        kwargs = case[3] if len(case) > 3 else {}
        results = []
        for fn in (rec.Recorder._emit_body_py, c_emit):
            r = Writes(**copy.deepcopy(state))      # (a list of its own each time)
            try:
                out = ("ok", fn(r, *args, **kwargs))
            except BaseException as exc:
                out = ("raises", type(exc).__name__, str(exc))
            results.append((out, r.log, list(r.pending), r.pending_new is None, list(r.deferred)))
        report(results[0] == results[1], "emit_body " + name, "python %r, C %r" % tuple(results))
    r = Writes(batch_limit=3)
    body = '"ev":"x"'
    watched = [None, True, body, r, r.pending]
    before = [sys.getrefcount(v) for v in watched]
    for _ in range(2000):
        c_emit(r, body)
        r.log.clear()
    r.pending.clear()
    after = [sys.getrefcount(v) for v in watched]
    report(before == after, "emit_body leaks no reference", "counts before %r, after %r" % (before, after))
    errors = []
    for call in (lambda: c_emit(Writes()), lambda: c_emit(Writes(), "b", True, 2, 1),
                 lambda: c_emit(Writes(), "b", nothing=1), lambda: c_emit(Writes(), "b", body="b"),
                 lambda: c_emit(Writes(), "b", True, "two")):
        try:
            call()
            errors.append(None)
        except TypeError as exc:
            errors.append("TypeError")
    report(errors == ["TypeError"] * 5, "emit_body's wrong arguments", "%r" % errors)


# --------------------------------------------------------------------------
# Whole traces, with and without

def _setarch_works():
    try:
        return subprocess.run(["setarch", "-R", "true"], capture_output=True).returncode == 0
    except OSError:
        return False


FIXED_ADDRESSES = ["setarch", "-R"] if _setarch_works() else []


def record(program, speedups, out):
    """Record `program`, hash seed 0 and (where setarch can) the same
    addresses every run; its exit status, output and trace bytes."""
    env = dict(os.environ, PYTHONHASHSEED="0", COROSCOPE_SPEEDUPS=speedups)
    args = FIXED_ADDRESSES + [sys.executable, RECORDER, program, "-o", out]
    if os.path.basename(program) == "tasks2000.py":
        args += ["--", "200", "3"]
    proc = subprocess.run(args, cwd=os.path.dirname(program), env=env, capture_output=True,
                          timeout=120)
    with open(out, "rb") as f:
        return proc.returncode, proc.stdout, f.read()


# Where CPython iterates a set of tasks or futures, its order follows their
# addresses (traces/FORMAT.md, `order`), which the speedups' fewer
# allocations move: a TaskGroup's abort, wait(), as_completed(), and the
# kernel's timing of real sockets. A pure-Python trace that shows one of them
# is of a program whose events may come otherwise with the speedups.
ADDRESS_ORDER = re.compile(rb'"op":"abort"|"kind":"wait"|as_completed|"ev":"io"')


def trace_cases(words):
    """The same trace with the speedups and without, or -- where they differ
    only in the order of lines -- the same lines. Where the lines differ too,
    a program whose pure-Python trace shows a decision taken in set order
    (ADDRESS_ORDER) cannot be compared: skipped, with what it does."""
    programs = sorted(glob.glob(os.path.join(ROOT, "runtime", "scenarios", "*.py")))
    programs += sorted(glob.glob(os.path.join(ROOT, "lessons", "*.py")))
    programs += [os.path.join(ROOT, "tests", "bench", "tasks2000.py")]
    for program in programs:
        name = "trace " + os.path.relpath(program, ROOT)
        if words and not any(w in name for w in words):
            continue
        c_path, py_path = os.path.join(TMP, "c.jsonl"), os.path.join(TMP, "py.jsonl")
        c = record(program, PYEXT, c_path)
        py = record(program, "0", py_path)
        if c == py:
            report(True, name)
            continue
        if c[:2] == py[:2] and sorted(c[2].splitlines()) == sorted(py[2].splitlines()):
            report(True, name + " (the same lines; their order follows addresses)")
            continue
        found = ADDRESS_ORDER.search(py[2])
        if found:
            print("SKIP %s: its order follows object addresses or real I/O here (%s), so the two "
                  "traces cannot be compared" % (name, found.group(0).decode()))
            continue
        report(False, name, "the trace with the speedups differs from the pure Python's "
               "(diff %s %s)" % (c_path, py_path))
        return


def loading_cases():
    """A speedups directory named but empty, or holding a file that is no
    extension: a line on stderr, and the same trace in pure Python."""
    prog = os.path.join(ROOT, "lessons", "04-gather.py")
    bad = os.path.join(TMP, "bad")
    os.makedirs(bad, exist_ok=True)
    import importlib.machinery
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    expected = record(prog, "0", os.path.join(TMP, "pure.jsonl"))
    for name, where, prepare in [
            ("an empty directory", os.path.join(TMP, "empty"), lambda d: os.makedirs(d, exist_ok=True)),
            ("a file that is no extension", bad,
             lambda d: open(os.path.join(d, "_coroscope_speedups" + suffix), "w").write("not ELF"))]:
        prepare(where)
        env = dict(os.environ, PYTHONHASHSEED="0", COROSCOPE_SPEEDUPS=where)
        out = os.path.join(TMP, "load.jsonl")
        proc = subprocess.run(FIXED_ADDRESSES + [sys.executable, RECORDER, prog, "-o", out], env=env,
                              cwd=os.path.dirname(prog), capture_output=True, timeout=60)
        with open(out, "rb") as f:
            got = (proc.returncode, proc.stdout, f.read())
        said = proc.stderr.decode(errors="replace")
        report(got == expected and "recording in pure Python" in said and said.count("\n") == 1,
               "speedups from " + name + ": said once, the same trace",
               "status %d, stderr %r" % (proc.returncode, said[-300:]))


def main(words):
    if rec._speedups is None:
        print("SKIP speedups: not built in %s (the recorder runs in pure Python; Python's headers "
              "are needed to build them)" % PYEXT)
        return 0
    if not words or any(w in "locals" for w in words):
        locals_cases()
        growing_case()
        refcount_case()
        catch_up_case()
    if not words or any(w in "loading" for w in words):
        loading_cases()
    if not words or any(w in "suspended" for w in words):
        suspended_cases()
    if not words or any(w in "emit_body" for w in words):
        emit_body_cases()
    trace_cases(words)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
