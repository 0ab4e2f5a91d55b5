#!/usr/bin/env python3
"""parity.py -- the C runtime must schedule every built-in scenario exactly as
CPython 3.11's asyncio schedules its twin.

Run from the repository root:

    COROSCOPE=build/coroscope python3 tests/scripts/parity.py

For each scenario NAME listed by `$COROSCOPE list` (first word of each line;
when the CLI is missing or `list` fails, the stems of runtime/scenarios/*.py)
that has a twin runtime/scenarios/NAME.py:

  * C:       $COROSCOPE record NAME -o TMP/c.jsonl
  * CPython: python3 runtime/recorder/coroscope_record.py runtime/scenarios/NAME.py
                 --scenario NAME -o TMP/py.jsonl

Both traces are reduced to the sequence of (t, task name, what), where what is
"step" for step_begin, "done:<outcome>" for task_done and "print:<text>" for
print (task name "-" when the task is null), and compared exactly -- times as
floats, bit for bit -- except where CPython's order depends on object
addresses. The C runtime marks the decisions CPython makes while iterating a
set (TaskGroup cancelling its children, wait() returning sets, asyncio.run
cancelling what is left, as_completed wrapping coroutines) with
"order":"set" (traces/FORMAT.md). From such an event to the end of its
instant, the items of both traces are compared as unordered groups (the same
items, any order); tasks created in set order have numbers that follow
addresses, so their Task-N names are compared as "Task-?". A trace whose header says "clock":"real" (a scenario with
real sockets) has no reproducible schedule at all -- when data arrives is up
to the kernel, and CPython runs internal tasks (address lookup, accepting) that
take Task-N numbers -- so there the outcomes are compared instead: the printed
lines, in order. swarm is checked once more at --size 50.

Prints "PASS parity NAME (K events)" or "FAIL parity NAME: ..." with context
from both sides; exits 1 if any scenario failed (or none was found).
"""

import glob
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "tools"))
import tracejson  # noqa: E402  (the one reader of version 4's abbreviations)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIOS = os.path.join(ROOT, "runtime", "scenarios")
RECORDER = os.path.join(ROOT, "runtime", "recorder", "coroscope_record.py")
TIMEOUT = 300           # seconds for one recording
CONTEXT = 3             # items shown before and after the first difference
SIZED = {"swarm": [50]} # scenarios also checked with --size N

C_SIDE = "C"
PY_SIDE = "CPython"


def twin_stems():
    return sorted(os.path.splitext(os.path.basename(p))[0]
                  for p in glob.glob(os.path.join(SCENARIOS, "*.py")))


def scenario_names(cli):
    """Names from `$COROSCOPE list` that have a twin, and a note on where the
    list came from."""
    stems = set(twin_stems())
    try:
        proc = subprocess.run([cli, "list"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return sorted(stems), "cannot run %s list (%s); using the twins' names" % (cli, exc)
    if proc.returncode != 0:
        return sorted(stems), "%s list failed (exit %d); using the twins' names" % (cli, proc.returncode)
    names = []
    for line in proc.stdout.splitlines():
        words = line.split()
        if words and words[0] not in names:
            names.append(words[0])
    return [n for n in names if n in stems], None


def run(cmd):
    """(exit status, stderr) of a command; status None if it could not run."""
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
    except OSError as exc:
        return None, "cannot run %s: %s" % (cmd[0], exc.strerror or exc)
    except subprocess.TimeoutExpired:
        return None, "%s timed out after %d s" % (" ".join(cmd), TIMEOUT)
    return proc.returncode, proc.stderr


def normalize(path, set_tasks=None):
    """The trace at `path`: its clock ("virtual" or "real"), its list of
    (t, task name, what) items, the positions in that list where set-order
    groups begin (an event with "order":"set" came before the item), and the
    ordinals of the task_new events that had "order":"set". Tasks whose
    task_new ordinal is in `set_tasks` (this trace's own when None) and which
    are named Task-N are named "Task-?". Raises ValueError with a line number
    when the trace cannot be read."""
    clock = None
    names = {}
    items = []
    marks = []
    own_set_tasks = set()
    n_new = 0
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError("cannot read %s: %s" % (path, exc))
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise ValueError("empty trace")
    try:
        header, events = tracejson.expand(lines)   # version 4 read as version 3
    except tracejson.TraceError as exc:
        raise ValueError("line %s" % exc)
    if header.get("format") != "coroscope-trace":
        raise ValueError("line 1 is not a coroscope-trace header")
    clock = header.get("clock")
    for number, obj in enumerate(events, 1):
        ev = obj.get("ev")
        if obj.get("order") == "set":
            if not marks or marks[-1] != len(items):
                marks.append(len(items))
        if ev == "task_new":
            name = obj.get("name")
            if obj.get("order") == "set":
                own_set_tasks.add(n_new)
            if n_new in (own_set_tasks if set_tasks is None else set_tasks) and \
                    isinstance(name, str) and name.startswith("Task-"):
                name = "Task-?"
            names[obj.get("task")] = name
            n_new += 1
            continue
        if ev == "step_begin":
            what = "step"
        elif ev == "task_done":
            what = "done:%s" % obj.get("outcome")
        elif ev == "print":
            what = "print:%s" % obj.get("text")
        else:
            continue
        try:
            t = float(obj["t"])
        except (KeyError, TypeError, ValueError):
            raise ValueError("event %d: without a numeric t" % number)
        task = obj.get("task")
        if task is None:
            name = "-"
        else:
            name = names.get(task)
            if name is None:
                name = "?task%s" % task      # never announced by task_new
        items.append((t, name, what))
    return clock, items, marks, own_set_tasks


def same(a, b, times=True):
    """Items equal, times bit for bit (3 and 3.0 are the same double) unless
    `times` is false."""
    return (not times or a[0].hex() == b[0].hex()) and a[1:] == b[1:]


def unordered_ranges(items, marks):
    """[start, end) ranges of items compared as unordered groups: from each
    set-order mark to the end of the instant its next item is at."""
    ranges = []
    for start in marks:
        if start >= len(items) or (ranges and start < ranges[-1][1]):
            continue
        end = start
        while end < len(items) and items[end][0].hex() == items[start][0].hex():
            end += 1
        ranges.append((start, end))
    return ranges


def first_difference(c_items, py_items, times=True, ranges=()):
    """The index of the first item that differs, or None. Inside a range the
    two sides must hold the same items in any order."""
    groups = {start: end for start, end in ranges}
    i = 0
    n = min(len(c_items), len(py_items))
    while i < n:
        end = groups.get(i)
        if end is not None and end <= len(py_items):
            key = lambda item: (item[0].hex(), item[1], item[2])
            if sorted(c_items[i:end], key=key) != sorted(py_items[i:end], key=key):
                return i
            i = end
            continue
        if not same(c_items[i], py_items[i], times):
            return i
        i += 1
    if len(c_items) != len(py_items):
        return n
    return None


def show(item):
    if item is None:
        return "(end of trace)"
    t, name, what = item
    return "t=%r %s %s" % (t, name, what)


def context(c_items, py_items, i):
    lines = ["    item  %-44s  %s" % ("%s (%s)" % (C_SIDE, "coroscope record"),
                                       "%s (coroscope_record.py)" % PY_SIDE)]
    for j in range(max(0, i - CONTEXT), i + CONTEXT + 1):
        a = c_items[j] if j < len(c_items) else None
        b = py_items[j] if j < len(py_items) else None
        if a is None and b is None:
            break
        mark = ">>" if j == i else "  "
        lines.append("  %s%4d  %-44s  %s" % (mark, j, show(a), show(b)))
    return lines


def indent(text, limit=15):
    lines = [l for l in text.strip().splitlines() if l.strip()]
    if len(lines) > limit:
        lines = lines[:limit] + ["... (%d more lines)" % (len(lines) - limit)]
    return ["    " + l for l in lines] or ["    (no output)"]


def keep_traces(label, c_path, py_path):
    """Both recordings go to $COROSCOPE_TEST_TRACES (when set), which the
    suite validates at the end (tests/scripts/validate_traces.sh)."""
    dest = os.environ.get("COROSCOPE_TEST_TRACES")
    if not dest or not os.path.isdir(dest):
        return
    for prefix, path in (("parity_c", c_path), ("parity_py", py_path)):
        shutil.copyfile(path, os.path.join(dest, "%s-%s.jsonl" % (prefix, label)))


def check(cli, name, tmp, size=None):
    """Compare one scenario; return (passed, lines to print)."""
    label = name if size is None else "%s[size=%d]" % (name, size)
    c_path = os.path.join(tmp, "c.jsonl")
    py_path = os.path.join(tmp, "py.jsonl")
    for path in (c_path, py_path):
        if os.path.exists(path):
            os.remove(path)
    extra = [] if size is None else ["--size", str(size)]

    status, err = run([cli, "record", name] + extra + ["-o", c_path])
    if status != 0:
        why = err.strip().splitlines()[0] if status is None else "exit %d" % status
        return False, ["FAIL parity %s: %s recording failed (%s)" % (label, C_SIDE, why)] + \
            ([] if status is None else ["  %s stderr:" % C_SIDE] + indent(err))
    status, err = run([sys.executable, RECORDER, os.path.join(SCENARIOS, name + ".py"),
                       "--scenario", name] + extra + ["-o", py_path])
    if status != 0:
        why = err.strip().splitlines()[0] if status is None else "exit %d" % status
        return False, ["FAIL parity %s: %s recording failed (%s)" % (label, PY_SIDE, why)] + \
            ([] if status is None else ["  %s stderr:" % PY_SIDE] + indent(err))

    keep_traces(label, c_path, py_path)
    sides = []
    for side, path in ((C_SIDE, c_path), (PY_SIDE, py_path)):
        try:
            sides.append(normalize(path, None if side == C_SIDE else sides[0][3]))
        except ValueError as exc:
            return False, ["FAIL parity %s: %s trace unreadable: %s" % (label, side, exc)]
    (c_clock, c_items, c_marks, _), (py_clock, py_items, _, _) = sides
    ranges = unordered_ranges(c_items, c_marks)
    real = [side for side, clock in ((C_SIDE, c_clock), (PY_SIDE, py_clock)) if clock == "real"]
    note = []
    if real:
        note = ["note: %s: %s recorded on the real clock; comparing printed output only"
                % (label, " and ".join(real))]
        c_out = [what for _, _, what in c_items if what.startswith("print:")]
        py_out = [what for _, _, what in py_items if what.startswith("print:")]
        if c_out == py_out and c_out:
            return True, note + ["PASS parity %s (same %d printed lines)" % (label, len(c_out))]
        return False, note + ["FAIL parity %s: the printed output differs" % label] + \
            ["  %s: %s" % (C_SIDE, c_out), "  %s: %s" % (PY_SIDE, py_out)]
    i = first_difference(c_items, py_items, times=not real, ranges=ranges)
    if i is None:
        grouped = sum(end - start for start, end in ranges)
        unordered = " of which %d in %d set-order group%s" % (grouped, len(ranges), "s" * (len(ranges) != 1)) \
            if ranges else ""
        return True, note + ["PASS parity %s (%d events%s)" % (label, len(c_items), unordered)]
    return False, note + ["FAIL parity %s: first difference at item %d (%s has %d items, %s has %d)"
                          % (label, i, C_SIDE, len(c_items), PY_SIDE, len(py_items))] + \
        context(c_items, py_items, i)


def main():
    cli = os.environ.get("COROSCOPE") or "build/coroscope"
    if os.sep in cli:
        cli = os.path.abspath(cli)      # the recordings run from the repository root
    names, note = scenario_names(cli)
    if note:
        print("note: " + note)
    if not names:
        print("FAIL parity: no scenarios to compare (none listed by %s list has a twin in %s)"
              % (cli, os.path.relpath(SCENARIOS, ROOT)))
        return 1
    failed = 0
    with tempfile.TemporaryDirectory(prefix="coroscope-parity-") as tmp:
        for name in names:
            for size in [None] + SIZED.get(name, []):
                ok, lines = check(cli, name, tmp, size)
                print("\n".join(lines), flush=True)
                failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
