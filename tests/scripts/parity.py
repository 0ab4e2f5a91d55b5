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
floats, bit for bit. A trace whose header says "clock":"real" (a scenario with
real sockets) has no reproducible schedule at all -- when data arrives is up
to the kernel, and CPython runs internal tasks (address lookup, accepting) that
take Task-N numbers -- so there the outcomes are compared instead: the printed
lines, in order. swarm is checked once more at --size 50.

Prints "PASS parity NAME (K events)" or "FAIL parity NAME: ..." with context
from both sides; exits 1 if any scenario failed (or none was found).
"""

import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile

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


def normalize(path):
    """The trace at `path`: its clock ("virtual" or "real") and its list of
    (t, task name, what) items. Raises ValueError with a line number when the
    trace cannot be read."""
    clock = None
    names = {}
    items = []
    try:
        with open(path, encoding="utf-8") as f:
            lines = f.read().split("\n")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError("cannot read %s: %s" % (path, exc))
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        raise ValueError("empty trace")
    for number, line in enumerate(lines, 1):
        try:
            obj = json.loads(line)
        except ValueError as exc:
            raise ValueError("line %d is not JSON: %s" % (number, exc))
        if not isinstance(obj, dict):
            raise ValueError("line %d is not a JSON object" % number)
        if number == 1:
            if obj.get("format") != "coroscope-trace":
                raise ValueError("line 1 is not a coroscope-trace header")
            clock = obj.get("clock")
            continue
        ev = obj.get("ev")
        if ev == "task_new":
            names[obj.get("task")] = obj.get("name")
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
            raise ValueError("line %d: event without a numeric t" % number)
        task = obj.get("task")
        if task is None:
            name = "-"
        else:
            name = names.get(task)
            if name is None:
                name = "?task%s" % task      # never announced by task_new
        items.append((t, name, what))
    return clock, items


def same(a, b, times=True):
    """Items equal, times bit for bit (3 and 3.0 are the same double) unless
    `times` is false."""
    return (not times or a[0].hex() == b[0].hex()) and a[1:] == b[1:]


def first_difference(c_items, py_items, times=True):
    for i, (a, b) in enumerate(zip(c_items, py_items)):
        if not same(a, b, times):
            return i
    if len(c_items) != len(py_items):
        return min(len(c_items), len(py_items))
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
            sides.append(normalize(path))
        except ValueError as exc:
            return False, ["FAIL parity %s: %s trace unreadable: %s" % (label, side, exc)]
    (c_clock, c_items), (py_clock, py_items) = sides
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
    i = first_difference(c_items, py_items, times=not real)
    if i is None:
        return True, note + ["PASS parity %s (%d events)" % (label, len(c_items))]
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
