#!/usr/bin/env python3
"""producers.py -- the two producers of traces speak the same vocabulary.

Run from the repository root:

    COROSCOPE=build/coroscope python3 tests/scripts/producers.py [NAME...]

For every built-in scenario that has a CPython twin (runtime/scenarios/NAME.py),
record it twice -- with the C runtime (`$COROSCOPE record NAME`) and its twin
with the CPython recorder (runtime/recorder/coroscope_record.py) -- check that
both traces pass `$COROSCOPE validate`, and compare what a reader derives from
them:

  kinds      the set of event kinds
  frames     coroutine calls awaited inline, per task (frame_enter), with
             their arguments (an object's <repr> counts as <object>, which
             is how the C runtime writes what it cannot show)
  groups     each TaskGroup's brackets: new, add, abort, exit, with their tasks
  timeouts   each deadline's arm / reschedule / fire / exit, with its time
  sync       queue and lock operations by kind, op and count, and the waits
             on them (step_end on a future of that kind)
  jobs       executor jobs per worker
  blocks     blocking stalls: task, duration, label
  io         socket readiness: op and label
  warnings   warn events by kind
  findings   what `$COROSCOPE lint --json` finds (the viewer's findings)
  of         who waits for whom: each fut_new's `of` (gather, wait,
             as_completed, wait_for, shield), as the future's kind and the
             names of the tasks (or kinds of the futures) it names, in order

Each is a multiset, so that the order of things CPython keeps in a set (wait's
and as_completed's callbacks) does not matter; tasks are named by their names.
Prints "PASS producers NAME" or "FAIL producers NAME" followed by what one
producer has and the other lacks. A difference that must remain is listed in
KNOWN below with its reason (and in traces/FORMAT.md, "Producers"); it is
printed as a note and does not fail. Exits 1 if any scenario failed.
"""

import collections
import glob
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import tracejson  # noqa: E402  (the one reader of version 4's abbreviations)
SCENARIOS = os.path.join(ROOT, "runtime", "scenarios")
RECORDER = os.path.join(ROOT, "runtime", "recorder", "coroscope_record.py")
TIMEOUT = 300

# (scenario or "*", aspect, item or "*") -> why the producers differ there.
KNOWN = {
    ("echo_server", "kinds", "*"):
        "real sockets: the C runtime records on the real clock with a stream layer of its own, "
        "CPython on the virtual clock through transports (which add internal tasks, callbacks "
        "and I/O registrations); only the printed output is comparable (tests/scripts/parity.py)",
    ("echo_server", "frames", "*"): "the same: CPython's internal tasks take Task-N numbers",
    ("echo_server", "sync", "*"): "the same",
    ("echo_server", "io", "*"): "the same: transports register and poll other descriptors",
    ("echo_server", "findings", "*"): "the same",
    ("echo_server", "warnings", "*"): "the same",
    ("echo_server", "of", "*"): "the same: the internal tasks are gathered under other names",
    ("coroutines", "of", "queue of Task-4, Task-5"):
        "as_completed() given coroutine objects makes their tasks in the order of a set of "
        "them (by address): in CPython which job is Task-4 and which Task-5 changes with "
        "the memory layout (the C runtime keeps the order given)",
    ("coroutines", "of", "queue of Task-5, Task-4"): "the same",
}


def run(cmd):
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT, cwd=ROOT)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, "", str(exc)
    return proc.returncode, proc.stdout, proc.stderr


def load(path):
    return tracejson.load(path)


def derive(events):
    """The aspects of a trace (see the module's docstring), as Counters."""
    names, kinds_of, first = {}, {}, {}
    out = {a: collections.Counter() for a in ("kinds", "frames", "groups", "timeouts", "sync", "jobs",
                                              "blocks", "io", "warnings", "of")}
    ofs = []
    groups = collections.defaultdict(list)
    deadlines = collections.defaultdict(list)

    def name(task):
        return "-" if task is None else names.get(task, "?")

    for e in events:
        ev = e["ev"]
        out["kinds"][ev] = 1
        if ev == "task_new":
            names[e["task"]] = e["name"]
        elif ev == "fut_new":
            kinds_of[e["fut"]] = e["kind"]
            if e.get("of") is not None:
                ofs.append((e["kind"], e["of"]))
        elif ev == "frame_enter":
            # An argument the C runtime cannot show it writes as <object>:
            # the recorder's repr of such an object counts as that.
            args = re.sub(r"<[^<>]*>", "<object>", e["args"])
            out["frames"]["%s %s%s" % (name(e["task"]), e["fn"], args)] += 1
        elif ev == "group":
            groups[e["obj"]].append("%s %s" % (e["op"], name(e["task"])))
        elif ev == "timeout":
            first.setdefault(e["obj"], len(first))
            deadlines[e["obj"]].append("%s %r" % (e["op"], e["when"]))
        elif ev == "sync":
            out["sync"]["%s %s %s" % (e["kind"], e["op"], e["count"])] += 1
        elif ev == "step_end" and e["reason"] == "await":
            kind = kinds_of.get(e["fut"])
            if kind in ("lock", "queue", "event", "semaphore", "condition"):
                out["sync"]["wait on %s" % kind] += 1
        elif ev == "job":
            out["jobs"]["worker-%s %s %s" % (e["worker"], e["fn"], e["op"])] += 1
        elif ev == "block":
            out["blocks"]["%s %r %s" % (name(e["task"]), e["dur"], e["label"])] += 1
        elif ev == "io":
            out["io"]["%s %s" % (e["op"], e["label"])] = 1
        elif ev == "warn":
            out["warnings"][e["kind"]] += 1
    # After the loop: wait_for names the task a coroutine will become before
    # its task_new.
    for kind, of in ofs:
        out["of"]["%s of %s" % (kind, ", ".join(
            names[i] if i in names else "<%s>" % kinds_of.get(i, "?") for i in of))] += 1
    for seq in groups.values():
        out["groups"][" / ".join(seq)] += 1
    for obj in sorted(deadlines, key=first.get):
        out["timeouts"][" / ".join(deadlines[obj])] += 1
    return out


def findings(cli, path):
    status, stdout, _ = run([cli, "lint", "--json", path])
    if status not in (0, 1):
        return None
    found = collections.Counter()
    for line in stdout.splitlines():
        f = json.loads(line)
        found["%s: %s at %r: %s" % (f["kind"], f["task"], f["t"], f["title"])] += 1
    return found


def known(scenario, aspect, item):
    for key in ((scenario, aspect, item), (scenario, aspect, "*"), ("*", aspect, item), ("*", aspect, "*")):
        if key in KNOWN:
            return KNOWN[key]
    return None


def compare(cli, name, tmp):
    """(passed, lines to print) for one scenario."""
    c_path, py_path = os.path.join(tmp, "c.jsonl"), os.path.join(tmp, "py.jsonl")
    status, _, err = run([cli, "record", name, "-o", c_path])
    if status != 0:
        return False, ["FAIL producers %s: the C recording failed (%s)" % (name, err.strip()[-300:])]
    status, _, err = run([sys.executable, RECORDER, os.path.join(SCENARIOS, name + ".py"),
                          "--scenario", name, "-o", py_path])
    if status != 0:
        return False, ["FAIL producers %s: the CPython recording failed (%s)" % (name, err.strip()[-300:])]
    keep(name, py_path)
    lines = []
    ok = True
    for side, path in (("C", c_path), ("CPython", py_path)):
        status, out, err = run([cli, "validate", "-q", path])
        if status != 0:
            ok = False
            lines.append("  the %s trace does not validate: %s" % (side, (out + err).strip()[-400:]))
    c, py = derive(load(c_path)[1]), derive(load(py_path)[1])
    c["findings"], py["findings"] = findings(cli, c_path), findings(cli, py_path)
    notes = []
    for aspect in c:
        a, b = c[aspect], py[aspect]
        if a is None or b is None:
            ok = False
            lines.append("  %s: lint failed" % aspect)
            continue
        for item, side, other in ((a - b, "C", "the recorder"), (b - a, "the recorder", "C")):
            for thing in sorted(item):
                why = known(name, aspect, thing)
                text = "  %s: %s has, %s lacks: %s%s" % (
                    aspect, side, other, thing, "" if item[thing] == 1 else " (x%d)" % item[thing])
                if why is not None:
                    notes.append(text)
                    notes.append("    (known: %s)" % why)
                else:
                    ok = False
                    lines.append(text)
    verdict = "PASS producers %s" % name if ok else "FAIL producers %s" % name
    summary = " (%d events and %d; %d finding%s)" % (
        sum(1 for _ in load(c_path)[1]), sum(1 for _ in load(py_path)[1]),
        sum(c["findings"].values()) if c["findings"] else 0,
        "" if c["findings"] and sum(c["findings"].values()) == 1 else "s")
    return ok, [verdict + summary] + lines + ["note: %s" % n.strip() if not n.startswith("    ") else "      " + n.strip()
                                             for n in notes]


def keep(name, path):
    """The recorder's trace goes to $COROSCOPE_TEST_TRACES (when set), which
    the suite validates at the end (tests/scripts/validate_traces.sh)."""
    dest = os.environ.get("COROSCOPE_TEST_TRACES")
    if dest and os.path.isdir(dest):
        shutil.copyfile(path, os.path.join(dest, "producers_py-%s.jsonl" % name))


def main():
    cli = os.environ.get("COROSCOPE") or "build/coroscope"
    if os.sep in cli:
        cli = os.path.abspath(cli)
    twins = {os.path.splitext(os.path.basename(p))[0] for p in glob.glob(os.path.join(SCENARIOS, "*.py"))}
    status, out, err = run([cli, "list"])
    if status != 0:
        print("FAIL producers: %s list failed (%s)" % (cli, err.strip()[-300:]))
        return 1
    names = [line.split()[0] for line in out.splitlines() if line.split() and line.split()[0] in twins]
    if sys.argv[1:]:
        names = [n for n in names if n in sys.argv[1:]]
    if not names:
        print("FAIL producers: no built-in scenario with a twin in %s" % os.path.relpath(SCENARIOS, ROOT))
        return 1
    failed = 0
    with tempfile.TemporaryDirectory(prefix="coroscope-producers-") as tmp:
        for name in names:
            ok, lines = compare(cli, name, tmp)
            print("\n".join(lines), flush=True)
            failed += not ok
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
