#!/usr/bin/env python3
"""format4.py -- trace format version 4 read end to end (traces/FORMAT.md,
"Version 4").

Every golden trace (version 3) is rewritten as version 4 with every
abbreviation used (tools/tracejson.py's `abbreviate`: all listed strings
interned, `seq` and `t` left out wherever they follow): `validate` finds it
clean, and `show`, `show --list`, `summary --json` and `export` print exactly
what they print for the version-3 file. tracejson's `expand` gives back the
version-3 events. Every built-in scenario recorded by the C writer in
version 4 (the default) and with --trace-version 3 gives the same events and
the same output of those commands. Then broken version-4 files get
`validate`'s FILE:LINE:COL messages.

Prints "PASS name" or "FAIL name: why" per case; exits 1 when any failed.
"""

import glob
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import tracejson  # noqa: E402

CLI = os.path.join(ROOT, os.environ.get("COROSCOPE") or os.path.join("build", "coroscope"))
COMMANDS = (["show", "--no-color", "--width", "120"], ["show", "--list"], ["summary", "--json"], ["export"])
failed = False


def report(ok, name, why=""):
    global failed
    print("PASS %s" % name if ok else "FAIL %s: %s" % (name, why))
    failed |= not ok


def run(args, cwd):
    proc = subprocess.run([CLI] + args, capture_output=True, cwd=cwd, timeout=120)
    return proc.returncode, proc.stdout, proc.stderr


def write(path, lines):
    with open(path, "w", encoding="utf-8") as f:
        f.write("".join(line + "\n" for line in lines))


def same_outputs(name, d3, d4):
    """'' when every command prints the same for d3/name and d4/name (each run
    in its own directory, so the path they show is the same), else why not."""
    for cmd in COMMANDS:
        a, b = run(cmd + [name], d3), run(cmd + [name], d4)
        if a != b:
            return "%s differs: %r vs %r" % (" ".join(cmd), a[1][:200] + a[2][:200], b[1][:200] + b[2][:200])
    return ""


def golden_traces_read_the_same_as_version_4(tmp):
    d3, d4 = os.path.join(tmp, "v3"), os.path.join(tmp, "v4")
    os.makedirs(d3)
    os.makedirs(d4)
    paths = sorted(glob.glob(os.path.join(ROOT, "traces", "golden", "*.jsonl")))
    report(len(paths) > 10, "golden_traces_exist", "%d found" % len(paths))
    smaller = 0
    for path in paths:
        name = os.path.basename(path)
        header, events = tracejson.load(path)
        lines = tracejson.abbreviate(header, events)
        with open(path, encoding="utf-8") as f:
            write(os.path.join(d3, name), f.read().splitlines())
        write(os.path.join(d4, name), lines)
        rc, out, _ = run(["validate", name], d4)
        why = "" if rc == 0 else "validate: %s" % out.decode()[:300]
        why = why or same_outputs(name, d3, d4)
        if not why and tracejson.expand(lines) != (dict(header, version=4), events):
            why = "tracejson.expand does not give the version-3 events back"
        report(not why, "version_4_of_golden_%s_reads_the_same" % name[:-6], why)
        smaller += os.path.getsize(os.path.join(d4, name)) < os.path.getsize(path)
    report(smaller == len(paths), "version_4_files_are_smaller", "%d of %d" % (smaller, len(paths)))


def scenarios_record_the_same_in_both_versions(tmp):
    """`record NAME` (version 4) and `record NAME --trace-version 3` of every
    built-in scenario on the virtual clock: the same events, the same output
    of every command, and version 4 validates and is smaller."""
    d3, d4 = os.path.join(tmp, "r3"), os.path.join(tmp, "r4")
    os.makedirs(d3)
    os.makedirs(d4)
    rc, out, _ = run(["list"], tmp)
    names = [line.split()[0] for line in out.decode().splitlines() if line.strip()]
    report(rc == 0 and len(names) > 10, "scenarios_listed", "%d" % len(names))
    for name in names:
        f = name + ".jsonl"
        r3 = run(["record", name, "--trace-version", "3", "-o", f], d3)
        r4 = run(["record", name, "-o", f], d4)
        if r3[0] != r4[0] or r3[1] != r4[1]:
            report(False, "record_%s_both_versions" % name, "exit %d vs %d" % (r3[0], r4[0]))
            continue
        h3, e3 = tracejson.load(os.path.join(d3, f))
        if h3.get("clock") != "virtual":
            continue   # real sockets, real time: two recordings differ anyway
        with open(os.path.join(d4, f), encoding="utf-8") as fh:
            lines4 = fh.read().splitlines()
        h4, e4 = tracejson.expand(lines4)
        why = ""
        if h3.get("version") != 3 or h4.get("version") != 4 or dict(h4, version=3) != h3:
            why = "headers %r / %r" % (h3, h4)
        elif e3 != e4:
            diff = next(i for i in range(min(len(e3), len(e4)) + 1) if i >= min(len(e3), len(e4)) or e3[i] != e4[i])
            why = "event %d differs: %r vs %r" % (diff, e3[diff:diff + 1], e4[diff:diff + 1])
        elif not any(line.startswith('{"str":') for line in lines4):
            why = "no string table in version 4"
        elif os.path.getsize(os.path.join(d4, f)) >= os.path.getsize(os.path.join(d3, f)):
            why = "version 4 is not smaller"
        else:
            rc, out, _ = run(["validate", f], d4)
            why = "" if rc == 0 else "validate: %s" % out.decode()[:300]
        why = why or same_outputs(f, d3, d4)
        report(not why, "record_%s_both_versions_the_same" % name, why)


HEADER = json.dumps({"format": "coroscope-trace", "version": 4, "scenario": "x", "clock": "virtual",
                     "semantics": "cpython-3.11", "producer": "t"}, separators=(",", ":"))
TASK = '{"ev":"task_new","task":1,"name":"Task-1","parent":null,"coro":1,"h":2}'
MAIN = '{"str":1,"s":"main"}'
END = '{"ev":"end","reason":"complete"}'

BROKEN = [
    ("a_number_naming_no_string", [HEADER, MAIN, TASK.replace('"coro":1', '"coro":2'), END],
     ':3:57: "coro" names string 2, but no "str" line before it defines that number'),
    ("a_str_line_out_of_order", [HEADER, MAIN, '{"str":3,"s":"x"}', TASK, END],
     ":3:2: string 3 is out of order: the next string number is 2"),
    ("a_string_defined_twice", [HEADER, MAIN, '{"str":1,"s":"x"}', TASK, END],
     ":3:2: string 1 is defined twice (first on line 2)"),
    ("a_str_line_with_another_member", [HEADER, '{"str":1,"s":"main","t":0}', TASK, END],
     ':2:21: "str" line: unexpected member "t"'),
    ("a_str_line_whose_s_is_no_string", [HEADER, '{"str":1,"s":null}', TASK, END],
     ':2:10: "str" line: "s" must be a string'),
    ("a_str_line_in_a_version_3_trace", [HEADER.replace('"version":4', '"version":3'), MAIN, END],
     ':2:2: a string table line ("str") in a version 3 trace'),
]


def broken_files_are_reported_with_line_and_column(tmp):
    for name, lines, want in BROKEN:
        path = os.path.join(tmp, name + ".jsonl")
        write(path, lines)
        rc, out, _ = run(["validate", path], tmp)
        out = out.decode()
        ok = rc == 1 and (path + want) in out
        report(ok, "validate_reports_" + name, "exit %d, want %r in %r" % (rc, path + want, out))
        # show keeps what came before the bad line and says where it stopped.
        rc, out, err = run(["show", "--list", path], tmp)
        where = want.split(" ", 1)[0]          # ":LINE:COL:"
        ok = (rc == 0 and (path + where + " warning: ").encode() in err
              and b"the lines after it are ignored" in err and b"complete" not in out)
        report(ok, "show_keeps_what_came_before_" + name, "exit %d: %r" % (rc, (out + err)[:300]))


with tempfile.TemporaryDirectory() as tmp:
    golden_traces_read_the_same_as_version_4(tmp)
    scenarios_record_the_same_in_both_versions(tmp)
    broken_files_are_reported_with_line_and_column(tmp)
sys.exit(1 if failed else 0)
