#!/usr/bin/env python3
"""twin_lines.py -- which line of its Python twin each C scenario line mirrors.

A built-in scenario is C code (runtime/scenarios/*.c) with a Python twin
(runtime/scenarios/NAME.py) that schedules exactly the same way -- the parity
test proves it event for event. What a student reads is the twin, so a C
scenario's trace names the twin's lines in its `src` fields and keeps the C
location in `csrc` (traces/FORMAT.md). The table that maps one to the other,
runtime/scenarios/twin_lines.tsv, is made here from the two producers
themselves rather than typed in:

    python3 tools/twin_lines.py regenerate [COROSCOPE]
    python3 tools/twin_lines.py check [COROSCOPE]      # the table is up to date

For every scenario, the C scenario is recorded on the runtime and its twin with
the CPython recorder; then, task by task (tasks have the same names on both
sides), the k-th event with a `src` of each kind (a suspension -- step_end
await or yield --, a print, a frame_enter) on the C side is paired with the
k-th of the same kind on the Python side. Each pair says "this C line is that
Python line". A C line that pairs with two different Python lines within one
scenario is an error: the table could not say which to show.

`make traces` regenerates the table together with the golden traces; the
golden test checks it is current.
"""

import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SCENARIOS = os.path.join(ROOT, "runtime", "scenarios")
RECORDER = os.path.join(ROOT, "runtime", "recorder", "coroscope_record.py")
TABLE = os.path.join(SCENARIOS, "twin_lines.tsv")
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tracejson  # noqa: E402  (the one reader of version 4's abbreviations)
HEADER = """\
# twin_lines.tsv -- which line of its Python twin (NAME.py) each C scenario
# line mirrors, by scenario: SCENARIO<TAB>C-FILE:LINE<TAB>TWIN-LINE.
# Made by tools/twin_lines.py from recordings of both producers (do not edit;
# `make traces` regenerates it). The runtime's `record` uses it to point a
# built-in scenario's `src` fields at the twin and keep the C in `csrc`.
"""


def kind_of(ev):
    if ev["ev"] == "step_end" and ev.get("reason") in ("await", "yield"):
        return "suspend"
    if ev["ev"] in ("print", "frame_enter"):
        return ev["ev"]
    return None


def streams(path):
    """{(task name, kind): [src, ...]} for the events with a src."""
    names, out = {}, {}
    for ev in tracejson.load(path)[1]:
        if ev["ev"] == "task_new":
            names[ev["task"]] = ev["name"]
        kind = kind_of(ev)
        if kind is None:
            continue
        src = ev.get("src")
        if not src:
            continue
        task = names.get(ev.get("task"), "-")
        out.setdefault((task, kind), []).append(src)
    return out


def record(cli, name, tmp):
    c_path = os.path.join(tmp, name + ".c.jsonl")
    py_path = os.path.join(tmp, name + ".py.jsonl")
    for cmd in ([cli, "record", name, "--c-lines", "-o", c_path],
                [sys.executable, RECORDER, os.path.join(SCENARIOS, name + ".py"),
                 "--scenario", name, "-o", py_path]):
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=300)
        if not os.path.exists(cmd[cmd.index("-o") + 1]):
            raise SystemExit("twin_lines: %s failed: %s" % (" ".join(cmd), proc.stderr.strip()))
    return c_path, py_path


def table_for(cli, name, tmp, problems):
    c_path, py_path = record(cli, name, tmp)
    c, py = streams(c_path), streams(py_path)
    pairs = {}
    for key, c_srcs in c.items():
        py_srcs = py.get(key, [])
        for c_src, py_src in zip(c_srcs, py_srcs):
            if not c_src.startswith("runtime/scenarios/"):
                continue                  # a location inside the runtime itself
            py_file, _, py_line = py_src.rpartition(":")
            if py_file != name + ".py":
                continue                  # a frame outside the twin (asyncio's own)
            seen = pairs.get(c_src)
            if seen is not None and seen != py_line:
                problems.append("%s: %s pairs with lines %s and %s of %s.py"
                                % (name, c_src, seen, py_line, name))
            pairs[c_src] = py_line
    return pairs


def c_line_key(item):
    path, _, line = item[0].rpartition(":")
    return (path, int(line))


def build(cli):
    names = [line.split()[0] for line in
             subprocess.run([cli, "list"], capture_output=True, text=True, check=True).stdout.splitlines()
             if line.split()]
    problems, rows = [], []
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            if not os.path.exists(os.path.join(SCENARIOS, name + ".py")):
                continue
            pairs = table_for(cli, name, tmp, problems)
            for c_src, py_line in sorted(pairs.items(), key=c_line_key):
                rows.append("%s\t%s\t%s\n" % (name, c_src, py_line))
    if problems:
        raise SystemExit("twin_lines: ambiguous lines:\n  " + "\n  ".join(problems))
    return HEADER + "".join(rows)


def main(argv):
    if len(argv) < 2 or argv[1] not in ("regenerate", "check"):
        sys.stderr.write("usage: twin_lines.py regenerate|check [COROSCOPE]\n")
        return 2
    cli = argv[2] if len(argv) > 2 else os.path.join(ROOT, "build", "coroscope")
    text = build(cli)
    if argv[1] == "regenerate":
        with open(TABLE, "w", encoding="utf-8") as f:
            f.write(text)
        print("wrote %s (%d lines)" % (os.path.relpath(TABLE, ROOT), text.count("\n")))
        return 0
    try:
        with open(TABLE, encoding="utf-8") as f:
            current = f.read()
    except OSError:
        current = ""
    if current == text:
        print("PASS twin_lines (%d lines)" % text.count("\n"))
        return 0
    print("FAIL twin_lines: %s is out of date (run make traces and review the diff)"
          % os.path.relpath(TABLE, ROOT))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
