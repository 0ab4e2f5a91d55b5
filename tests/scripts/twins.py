#!/usr/bin/env python3
"""twins.py -- a built-in scenario's trace shows its Python twin.

For every scenario in `$COROSCOPE list`:

  * the trace's first event is a `source` event carrying NAME.py, byte for
    byte as runtime/scenarios/NAME.py;
  * every `src` names a line of NAME.py, and that line says what the event
    is: a suspension (step_end await / yield) is on a line with `await`,
    `async with`, `async for` or `yield`; a print on a line that calls
    print(); a frame_enter on a line that awaits; a `return` step on a line
    with `return`; and each such event keeps its C location in `csrc`;
  * `record --c-lines` gives the C locations and embeds nothing;
  * runtime/scenarios/twin_lines.tsv is what tools/twin_lines.py makes now.

Prints PASS/FAIL lines; exits 1 if any case failed.
"""

import os
import re
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import tracejson  # noqa: E402  (the one reader of version 4's abbreviations)
CLI = os.environ.get("COROSCOPE") or os.path.join(ROOT, "build", "coroscope")
SCENARIOS = os.path.join(ROOT, "runtime", "scenarios")

SUSPEND = re.compile(r"\bawait\b|\basync\s+(with|for)\b|\byield\b")
WANT = {
    "suspend": (SUSPEND, "await, async with, async for or yield"),
    "print": (re.compile(r"\bprint\("), "print("),
    "frame_enter": (re.compile(r"\bawait\b"), "await"),
    "return": (re.compile(r"\breturn\b"), "return"),
}

failures = 0


def report(ok, name, why=""):
    global failures
    if ok:
        print("PASS %s" % name)
    else:
        failures += 1
        print("FAIL %s: %s" % (name, why))


def kind_of(ev):
    if ev["ev"] == "step_end":
        return "suspend" if ev.get("reason") in ("await", "yield") else ev.get("reason")
    return ev["ev"]


def check_scenario(name, tmp):
    path = os.path.join(tmp, name + ".jsonl")
    proc = subprocess.run([CLI, "record", name, "-o", path], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    if not os.path.exists(path):
        return report(False, "twin %s" % name, "record failed: %s" % proc.stderr.strip())
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    events = tracejson.expand(lines)[1]
    with open(os.path.join(SCENARIOS, name + ".py"), encoding="utf-8") as f:
        twin = f.read()
    first = events[0] if events else {}
    if first.get("ev") != "source" or first.get("file") != name + ".py" or first.get("text") != twin:
        return report(False, "twin %s" % name,
                      "the first event is not the source of %s.py: %s" % (name, lines[1][:120]))
    twin_lines = twin.splitlines()
    problems, counted = [], 0
    for ev in events:
        src = ev.get("src")
        if src is None:
            continue
        counted += 1
        file, _, line = src.rpartition(":")
        if file != name + ".py" or not line.isdigit() or not 1 <= int(line) <= len(twin_lines):
            problems.append("seq %d (%s): src %r is not a line of %s.py" % (ev["seq"], ev["ev"], src, name))
            continue
        if not ev.get("csrc", "").startswith("runtime/scenarios/"):
            problems.append("seq %d (%s): no csrc beside src %s" % (ev["seq"], ev["ev"], src))
        want = WANT.get(kind_of(ev))
        text = twin_lines[int(line) - 1]
        if want and not want[0].search(text):
            problems.append("seq %d (%s) at %s: line %r has no %s"
                            % (ev["seq"], kind_of(ev), src, text.strip(), want[1]))
    suspends = sum(1 for ev in events if kind_of(ev) == "suspend")
    with_src = sum(1 for ev in events if kind_of(ev) == "suspend" and ev.get("src"))
    if suspends != with_src:
        problems.append("%d of %d suspensions have no src" % (suspends - with_src, suspends))
    report(not problems, "twin %s (%d events with src)" % (name, counted), "; ".join(problems[:4]))


def check_c_lines(tmp):
    path = os.path.join(tmp, "c.jsonl")
    subprocess.run([CLI, "record", "gather", "--c-lines", "-o", path], capture_output=True, cwd=ROOT)
    events = tracejson.load(path)[1]
    srcs = [ev["src"] for ev in events if ev.get("src")]
    ok = (srcs and all(s.startswith("runtime/scenarios/") for s in srcs)
          and not any(ev["ev"] == "source" or "csrc" in ev for ev in events))
    report(ok, "record_c_lines_names_the_c_and_embeds_nothing", "srcs: %s" % srcs[:3])


def main():
    names = [line.split()[0] for line in
             subprocess.run([CLI, "list"], capture_output=True, text=True, check=True).stdout.splitlines()
             if line.split()]
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            if os.path.exists(os.path.join(SCENARIOS, name + ".py")):
                check_scenario(name, tmp)
        check_c_lines(tmp)
    proc = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "twin_lines.py"), "check", CLI],
                          capture_output=True, text=True, cwd=ROOT)
    out = (proc.stdout + proc.stderr).strip()
    report(proc.returncode == 0, "twin_lines_table_is_current", out)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
