#!/usr/bin/env python3
"""recorder.py -- tests of the CPython recorder (runtime/recorder/coroscope_record.py)
and of the parity harness (tests/scripts/parity.py).

Run from anywhere: python3 tests/scripts/recorder.py [WORD...]
(with words, only the cases whose names contain one of them).
Prints "PASS name" or "FAIL name: why" per case; exits 1 if any case failed.
"""

import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCENARIOS = os.path.join(ROOT, "runtime", "scenarios")
RECORDER = os.path.join(ROOT, "runtime", "recorder", "coroscope_record.py")
PARITY = os.path.join(ROOT, "tests", "scripts", "parity.py")
TMP = tempfile.mkdtemp(prefix="coroscope-recorder-test-")
CLI = os.path.join(ROOT, os.environ.get("COROSCOPE") or os.path.join("build", "coroscope"))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import tracejson  # noqa: E402  (the one reader of version 4's abbreviations)

CASES = []


def case(fn):
    CASES.append(fn)
    return fn


class Recording:
    """One run of the recorder: exit status, output streams, the trace."""

    def __init__(self, status, stdout, stderr, lines):
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
        self.lines = lines                      # the trace's lines as text
        self.header = None
        self.events = []
        if lines:
            self.header, self.events = tracejson.expand(lines)

    def of(self, ev):
        return [e for e in self.events if e["ev"] == ev]

    def task_ids(self):
        return {e["name"]: e["task"] for e in self.of("task_new")}

    def done(self, name):
        task = self.task_ids()[name]
        found = [e for e in self.of("task_done") if e["task"] == task]
        check(len(found) == 1, "expected one task_done for %s, got %d" % (name, len(found)))
        return found[0]

    def prints(self):
        return [e["text"] for e in self.of("print")]


def program(name, source):
    path = os.path.join(TMP, name)
    with open(path, "w") as f:
        f.write(textwrap.dedent(source))
    return path


def record(prog, *args, out=None, env=None, limit_as=None):
    """Record `prog` (a scenario name or a path) into a fresh file. Every
    trace written is checked with `coroscope validate` (see validated);
    `limit_as` caps the recorder's address space (ulimit -v, in bytes)."""
    if os.sep not in prog:
        prog = os.path.join(SCENARIOS, prog + ".py")
    if out is None:
        out = os.path.join(TMP, "trace-%d.jsonl" % len(os.listdir(TMP)))
    if os.path.exists(out):
        os.remove(out)
    args = list(args)
    cut = args.index("--") if "--" in args else len(args)     # the program's own arguments last
    cmd = [sys.executable, RECORDER, prog] + args[:cut] + ["-o", out] + args[cut:]
    preexec = None
    if limit_as is not None:
        def preexec():
            resource.setrlimit(resource.RLIMIT_AS, (limit_as, limit_as))
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, **(env or {})), preexec_fn=preexec)
    lines = None
    if out != "-" and os.path.exists(out):
        with open(out, encoding="utf-8") as f:
            lines = f.read().splitlines()
        validated(out)
    return Recording(proc.returncode, proc.stdout, proc.stderr, lines)


def validated(path):
    """`coroscope validate` must find nothing wrong with a trace the recorder
    wrote (skipped only when there is no CLI to ask)."""
    if not os.access(CLI, os.X_OK):
        return
    proc = subprocess.run([CLI, "validate", "-q", path], capture_output=True, text=True,
                          timeout=120)
    if proc.returncode != 0:
        raise AssertionError("coroscope validate %s: %s" % (
            os.path.basename(path), (proc.stdout + proc.stderr).strip()[-800:]))


def check(cond, why):
    if not cond:
        raise AssertionError(why)


def check_eq(got, want, what):
    if got != want:
        raise AssertionError("%s: got %r, want %r" % (what, got, want))


# --------------------------------------------------------------------------
# The trace's shape

@case
def gather_header_names_the_format_and_producer():
    r = record("gather")
    check_eq(r.status, 0, "exit status")
    check(r.header is not None, "no trace written")
    check_eq(list(r.header), ["format", "version", "scenario", "clock", "semantics", "producer"],
             "header fields")
    check_eq(r.header["format"], "coroscope-trace", "format")
    check_eq(r.header["version"], 4, "version")
    check_eq(r.header["scenario"], "gather", "scenario")
    check_eq(r.header["clock"], "virtual", "clock")
    check_eq(r.header["semantics"], "cpython-3.11", "semantics")
    check(r.header["producer"].startswith("coroscope-record (CPython 3.11."),
          "producer %r" % r.header["producer"])


@case
def every_line_is_compact_json_with_consecutive_seq_and_an_end():
    r = record("gather")
    for number, line in enumerate(r.lines, 1):
        obj = json.loads(line)
        check(isinstance(obj, dict), "line %d is not an object" % number)
        check_eq(line, json.dumps(obj, separators=(",", ":")), "line %d is not compact" % number)
    check_eq([e["seq"] for e in r.events], list(range(1, len(r.events) + 1)), "seq numbers")
    for e in r.events:
        check_eq(list(e)[:3], ["seq", "t", "ev"], "first fields of event %d" % e["seq"])
        check(isinstance(e["t"], float), "t of event %d is %r, not a float" % (e["seq"], e["t"]))
    check_eq(r.events[-1]["ev"], "end", "last event")
    check_eq(r.events[-1]["reason"], "complete", "end reason")


@case
def version_4_leaves_out_seq_and_repeated_t_and_reads_as_version_3():
    four = record("gather")
    three = record("gather", "--trace-version", "3")
    check_eq(json.loads(three.lines[0])["version"], 3, "--trace-version 3's header")
    for number, line in enumerate(three.lines[1:], 2):
        check_eq(list(json.loads(line))[:3], ["seq", "t", "ev"], "version 3, line %d" % number)
    raw = [json.loads(line) for line in four.lines[1:]]
    check(not any("seq" in e for e in raw), "version 4 leaves out every seq (none skips a number)")
    check_eq(list(raw[0])[:2], ["t", "ev"], "the first event's fields")
    for before, line, e in zip(four.events, raw[1:], four.events[1:]):
        check_eq("t" in line, e["t"] != before["t"],
                 "t given exactly where it changes (%r after t %r)" % (line, before["t"]))
    check_eq(four.events, three.events, "both versions read as the same events")
    check(sum(map(len, four.lines)) < 0.9 * sum(map(len, three.lines)), "version 4 is shorter")
    bad = record("gather", "--trace-version", "5")
    check_eq(bad.status, 2, "exit status for --trace-version 5")
    check("--trace-version: expected 3 or 4" in bad.stderr, "the error says what: %r" % bad.stderr)


@case
def event_fields_come_in_format_md_order():
    # FORMAT.md's fields in its order; the version-3 ones (src, locals, of)
    # last, where the event has them.
    order = {
        "source": ["file", "text"],
        "task_new": ["task", "name", "parent", "coro", "h"],
        "step_begin": ["task", "h"],
        "throw": ["task", "exc", "msg"],
        "wake": ["task", "fut", "h"],
        "timer_new": ["timer", "when", "fn"],
        "timer_fire": ["timer"], "timer_cancel": ["timer"],
        "cancel": ["target", "by", "via", "msg", "ok"],
        "idle": ["from", "until"], "end": ["reason"],
        "print": ["task", "text"], "warn": ["kind", "msg", "task"],
        "fut_new": ["fut", "kind", "label", "by"],
        "block": ["task", "dur", "label"],
        "cb_add": ["fut", "fn"], "call_soon": ["h", "fn", "fut"], "cb_run": ["h", "fn"],
        "handle_cancel": ["h"],
        "frame_enter": ["task", "fn", "args"], "frame_exit": ["task", "fn"],
        "uncancel": ["task", "count"],
        "sync": ["obj", "kind", "op", "task", "count"],
        "io": ["fd", "op", "task", "label"],
        "timeout": ["obj", "op", "when", "task"],
        "group": ["obj", "op", "task"],
    }
    optional = {"task_new": ["src"], "print": ["src"], "frame_enter": ["src"], "fut_new": ["of"]}
    seen = set()
    for name in ("gather", "cancel_cleanup", "gather_exceptions", "cancel_swallow", "blocking_call",
                 "executor_job", "sequential", "taskgroup_fail", "timeout_block", "wait_for_timeout",
                 "pipeline", "condition_notify", "semaphore_downloads", "event_release", "run_forever",
                 "echo_server", "future_callbacks"):
        for e in record(name).events:
            fields = list(e)[3:]
            ev = e["ev"]
            seen.add(ev)
            extra = optional.get(ev, [])
            if ev == "step_end":
                want = {"await": ["task", "reason", "fut", "on", "src"],
                        "yield": ["task", "reason", "h", "src"],
                        "return": ["task", "reason"],
                        "raise": ["task", "reason", "exc", "msg"],
                        "cancelled": ["task", "reason", "msg"]}[e["reason"]]
                extra = ["locals"] if e["reason"] in ("await", "yield") else ["src"]
            elif ev == "task_done":
                want = {"result": ["task", "outcome", "value"],
                        "exception": ["task", "outcome", "exc", "msg"],
                        "cancelled": ["task", "outcome", "msg"]}[e["outcome"]]
            elif ev == "fut_done":
                want = ["fut", "outcome"] + {"result": ["value"], "exception": ["exc", "msg"],
                                             "cancelled": ["msg"]}[e["outcome"]] + ["by", "via"]
            elif ev == "job":
                want = ["obj", "op", "worker", "fn", "fut"] + (["outcome"] if e["op"] == "done" else [])
            else:
                check(ev in order, "unexpected event kind %r in %s" % (ev, name))
                want = order[ev]
            check(fields[:len(want)] == want and fields[len(want):] == extra[:len(fields) - len(want)],
                  "fields of %s event %d in %s: %r, want %r (then %r)" % (ev, e["seq"], name, fields,
                                                                           want, extra))
    for ev in order:
        if ev != "handle_cancel":
            check(ev in seen, "no %s event in the sample scenarios" % ev)


@case
def every_twin_records_a_trace_the_cli_validates():
    cli = os.environ.get("COROSCOPE") or os.path.join(ROOT, "build", "coroscope")
    if not os.access(cli, os.X_OK):
        return "no %s to validate with" % cli
    twins = sorted(f[:-3] for f in os.listdir(SCENARIOS) if f.endswith(".py"))
    paths = []
    for name in twins:
        r = record(name, out=os.path.join(TMP, "validate-%s.jsonl" % name))
        check(r.lines, "%s: no trace (exit %d: %s)" % (name, r.status, r.stderr[-300:]))
        paths.append(os.path.join(TMP, "validate-%s.jsonl" % name))
    proc = subprocess.run([cli, "validate", "-q"] + paths, capture_output=True, text=True, timeout=120)
    check_eq(proc.returncode, 0, "coroscope validate exit status (%s)" % (proc.stdout + proc.stderr)[-600:])


@case
def gather_main_is_task_1_done_at_3_with_children_a_b_c():
    r = record("gather")
    ids = r.task_ids()
    check_eq(sorted(ids), ["Task-1", "Task-2", "Task-3", "Task-4"], "task names")
    main = r.done("Task-1")
    check_eq(main["t"], 3.0, "Task-1 done at")
    check_eq(main["outcome"], "result", "Task-1 outcome")
    check("value" in main and main["value"] is None, "Task-1 value %r" % main.get("value"))
    new = {e["name"]: e for e in r.of("task_new")}
    check_eq(new["Task-1"]["parent"], None, "Task-1 parent")
    check_eq(new["Task-1"]["coro"], "main", "Task-1 coro")
    for name, value, t in (("Task-2", "a", 3.0), ("Task-3", "b", 1.0), ("Task-4", "c", 2.0)):
        check_eq(new[name]["parent"], ids["Task-1"], "%s parent" % name)
        check_eq(new[name]["coro"], "job", "%s coro" % name)
        done = r.done(name)
        check_eq((done["outcome"], done.get("value"), done["t"]), ("result", value, t),
                 "%s outcome, value, time" % name)
    check_eq(r.prints(), ["['a', 'b', 'c']"], "printed")


@case
def gather_main_waits_on_gather_and_children_on_sleeps():
    r = record("gather")
    ids = r.task_ids()
    ends = [e for e in r.of("step_end") if e["reason"] == "await"]
    main_waits = [e for e in ends if e["task"] == ids["Task-1"]]
    check_eq([(e["on"], e["src"]) for e in main_waits], [("gather(3)", "gather.py:11")],
             "Task-1 waits on")
    on = sorted(e["on"] for e in ends if e["task"] != ids["Task-1"])
    check_eq(on, ["sleep(1)", "sleep(2)", "sleep(3)"], "children wait on")
    check(all(e["src"] == "gather.py:6" for e in ends if e["task"] != ids["Task-1"]),
          "children's src should be gather.py:6")


@case
def handles_link_task_new_wake_and_step_begin():
    r = record("gather")
    expected = {}       # task -> the handle its next step_begin must name
    for e in r.events:
        if e["ev"] in ("task_new", "wake"):
            expected[e["task"]] = e["h"]
        elif e["ev"] == "step_end" and e["reason"] == "yield":
            expected[e["task"]] = e["h"]
        elif e["ev"] == "step_begin":
            check_eq(e["h"], expected.pop(e["task"], "missing"),
                     "handle of step_begin seq %d" % e["seq"])
    ids = [e[k] for e in r.events for k in ("task", "h", "fut", "timer")
           if k in e and e["ev"] in ("task_new", "timer_new")]
    check_eq(len(ids), len(set(ids)), "ids of new tasks, handles and timers are unique")


@case
def sequential_ends_at_6():
    r = record("sequential")
    check_eq(r.status, 0, "exit status")
    check_eq(r.events[-1]["ev"], "end", "last event")
    check_eq(r.events[-1]["t"], 6.0, "end time")
    check_eq(r.done("Task-1")["t"], 6.0, "Task-1 done at")
    check_eq(sorted(r.task_ids()), ["Task-1"], "tasks (plain awaits make no tasks)")
    check_eq([(e["t"], e["text"]) for e in r.of("print")], [(3.0, "a"), (4.0, "b"), (6.0, "c")],
             "prints")


@case
def as_completed_prints_b_c_a():
    r = record("as_completed")
    check_eq([(e["t"], e["text"]) for e in r.of("print")], [(1.0, "b"), (2.0, "c"), (3.0, "a")],
             "prints")
    check_eq(sorted(r.task_ids()), ["Task-1", "a", "b", "c"], "task names")
    check(r.stdout.split() == ["b", "c", "a"], "echoed output %r" % r.stdout)


@case
def recording_twice_gives_identical_bytes():
    for name, args in (("gather", []), ("cancel_cleanup", []), ("swarm", ["--size", "30"])):
        one = record(name, *args, out=os.path.join(TMP, "twice-1.jsonl"))
        two = record(name, *args, out=os.path.join(TMP, "twice-2.jsonl"))
        check(one.lines and one.lines == two.lines, "%s: the two recordings differ" % name)


# --------------------------------------------------------------------------
# Fidelity to CPython

@case
def task_names_are_cpythons():
    # asyncio.create_task(name=...) uses up a Task-N number in 3.11 (it makes an
    # unnamed task, then renames it); loop.create_task(name=...) does not.
    prog = program("names.py", """\
        import asyncio

        async def nop():
            await asyncio.sleep(0)

        async def main():
            loop = asyncio.get_running_loop()
            a = asyncio.create_task(nop(), name="a")
            b = asyncio.create_task(nop())
            c = loop.create_task(nop(), name="c")
            d = loop.create_task(nop())
            g = asyncio.gather(nop(), nop())
            e = asyncio.ensure_future(nop())
            print(*[t.get_name() for t in (a, b, c, d, e)])
            print(isinstance(a, asyncio.Task), asyncio.current_task().get_name())
            await g

        asyncio.run(main())
    """)
    real = subprocess.run([sys.executable, prog], capture_output=True, text=True, timeout=60)
    check_eq(real.stdout, "a Task-3 c Task-4 Task-7\nTrue Task-1\n", "plain CPython output")
    r = record(prog)
    check_eq(r.status, 0, "exit status")
    check_eq(r.stdout, real.stdout, "output under the recorder")
    check_eq([e["name"] for e in r.of("task_new")],
             ["Task-1", "a", "Task-3", "c", "Task-4", "Task-5", "Task-6", "Task-7"],
             "task_new names")


SCHEDULE_PROBE = """\
import asyncio, os, runpy, sys, time
sys.dont_write_bytecode = True          # no __pycache__ left in runtime/recorder
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import coroscope_record as rec
from asyncio import events, tasks

ran = []
handle_run = events.Handle._run

def describe(callback):
    owner = getattr(callback, "__self__", None)
    if isinstance(owner, (tasks._PyTask, tasks._CTask)):
        return "step " + owner.get_name()
    return getattr(callback, "__qualname__", type(callback).__name__)

def logged_run(self):
    if not self._cancelled:
        ran.append("%r %s" % (self._loop.time(), describe(self._callback)))
    return handle_run(self)

events.Handle._run = logged_run
out = sys.stdout
sys.stdout = open(os.devnull, "w")
if sys.argv[3] == "stock":
    # CPython's own asyncio.run, Runner, C Task and C Future, on the same
    # virtual clock (loops, time.sleep and executors), with nothing recorded.
    asyncio.set_event_loop_policy(rec.VirtualClockPolicy())
    rec.VirtualClockLoop.create_future = asyncio.BaseEventLoop.create_future
    time.sleep = rec._virtual_sleep
    runpy.run_path(sys.argv[2], run_name="__main__")
else:
    rec.main([sys.argv[2], "-o", os.devnull])
sys.stdout = out
print("\\n".join(ran))
"""


@case
def recording_changes_no_scheduling():
    # Every handle the loop runs, in order, with its time: CPython's stock
    # Runner and C Task versus the recorder's run() and recorded Task.
    probe = program("probe.py", SCHEDULE_PROBE)
    # set_order.py depends on set iteration order (object addresses) by design
    # (parity.py compares those instants as unordered groups), and so does
    # coroutines.py (as_completed wraps its coroutines in the order of a set,
    # so which task is Task-4 varies); threadsafe.py on when another thread
    # gets to run.
    twins = sorted(f for f in os.listdir(SCENARIOS) if f.endswith(".py")
                   and f not in ("set_order.py", "coroutines.py", "threadsafe.py"))
    check(twins, "no twins in runtime/scenarios")
    for twin in twins:
        runs = {}
        for mode in ("stock", "recorded"):
            proc = subprocess.run([sys.executable, probe, RECORDER, os.path.join(SCENARIOS, twin),
                                   mode], capture_output=True, text=True, timeout=120)
            check_eq(proc.returncode, 0, "%s probe of %s (stderr %s)" % (mode, twin, proc.stderr[-300:]))
            runs[mode] = proc.stdout.splitlines()
        check(len(runs["stock"]) > 3, "%s: too few handles logged" % twin)
        if runs["stock"] != runs["recorded"]:
            i = next((k for k, (a, b) in enumerate(zip(runs["stock"], runs["recorded"])) if a != b),
                     min(len(runs["stock"]), len(runs["recorded"])))
            raise AssertionError("%s: handle %d differs: stock %r, recorded %r" % (
                twin, i, runs["stock"][i:i + 1], runs["recorded"][i:i + 1]))


@case
def virtual_clock_does_pythons_float_arithmetic():
    prog = program("floats.py", """\
        import asyncio

        async def main():
            loop = asyncio.get_running_loop()
            await asyncio.sleep(0.1)
            await asyncio.sleep(0.2)
            print(repr(loop.time()))
            await asyncio.sleep(0)
            print(repr(loop.time()))

        asyncio.run(main())
    """)
    r = record(prog)
    # when = 0.1 + 0.2; select's timeout = when - 0.1; now = 0.1 + timeout.
    when = 0.1 + 0.2
    now = 0.1 + (when - 0.1)
    check_eq(r.prints(), [repr(now), repr(now)], "printed loop times")
    check_eq([(e["from"], e["until"]) for e in r.of("idle")], [(0.0, 0.1), (0.1, now)], "idle spans")
    check_eq([e["when"] for e in r.of("timer_new")], [0.1, when], "timer times")
    yields = [e for e in r.of("step_end") if e["reason"] == "yield"]
    check_eq([e["src"] for e in yields], ["floats.py:8"], "sleep(0) is a bare yield at")


@case
def timers_within_the_clock_resolution_fire_together():
    # B's timer is due at 0.1 + 0.2 = 0.30000000000000004, A's at 0.3: with
    # CPython's 1e-09 clock resolution both fire in the iteration at t=0.3.
    prog = program("resolution.py", """\
        import asyncio

        async def sleeper(delays):
            for delay in delays:
                await asyncio.sleep(delay)
            print(asyncio.current_task().get_name(), repr(asyncio.get_running_loop().time()))

        async def main():
            await asyncio.gather(sleeper([0.3]), sleeper([0.1, 0.2]))

        asyncio.run(main())
    """)
    r = record(prog)
    check_eq([(e["t"], e["text"]) for e in r.of("print")],
             [(0.3, "Task-2 0.3"), (0.3, "Task-3 0.3")], "prints")
    check_eq([(e["from"], e["until"]) for e in r.of("idle")], [(0.0, 0.1), (0.1, 0.3)], "idle spans")
    check_eq(len(r.of("timer_fire")), 3, "timer_fire events")


@case
def time_sleep_in_a_coroutine_holds_the_loop_on_the_virtual_clock():
    r = record("blocking_call")
    check_eq(r.status, 0, "exit status")
    blocks = r.of("block")
    check_eq([(b["t"], b["task"], b["dur"], b["label"]) for b in blocks],
             [(0.0, r.task_ids()["Task-1"], 2.0, "time.sleep(2)")], "block events")
    check_eq([(e["t"], e["text"]) for e in r.of("print")],
             [(0.0, "tick 0 at 0.0"), (0.0, "main blocks the loop for 2 s"), (2.0, "main unblocks"),
              (2.0, "tick 1 at 2.0"), (2.5, "tick 2 at 2.5"), (3.0, "tick 3 at 3.0")], "prints")
    fired = [e for e in r.of("timer_fire") if e["t"] == 2.0]
    check_eq(len(fired), 1, "the overdue timer fires at 2.0 without an idle jump")


@case
def executor_jobs_take_their_sleep_time_on_virtual_workers():
    r = record("executor_job")
    check_eq(r.status, 0, "exit status")
    jobs = [(e["t"], e["obj"], e["op"], e["worker"], e["fn"], e.get("outcome")) for e in r.of("job")]
    a, b, c = sorted({j[1] for j in jobs})
    check_eq(jobs, [(0.0, a, "submit", -1, "blocking_io", None), (0.0, a, "start", 0, "blocking_io", None),
                    (0.0, b, "submit", -1, "blocking_io", None), (0.0, b, "start", 1, "blocking_io", None),
                    (0.0, c, "submit", -1, "blocking_io", None),
                    (2.0, a, "done", 0, "blocking_io", "result"), (2.0, c, "start", 0, "blocking_io", None),
                    (2.0, b, "done", 1, "blocking_io", "result"), (4.0, c, "done", 0, "blocking_io", "result")],
             "job events")
    check_eq([(e["t"], e["text"]) for e in r.of("print")][-1], (4.0, "[10, 20, 30]"), "the last print")
    check_eq(r.events[-1]["t"], 4.0, "end time")


@case
def a_quick_job_is_handed_over_at_the_next_poll_every_time():
    # A job with no time.sleep takes no virtual time: it completes in the
    # poll phase after it started, however its real thread was scheduled.
    prog = program("quickjob.py", """\
        import asyncio

        def quick(n):
            return n

        async def spinner():
            for i in range(5):
                print("spin", i)
                await asyncio.sleep(0)

        async def main():
            loop = asyncio.get_running_loop()
            spin = asyncio.create_task(spinner())
            job = loop.run_in_executor(None, quick, 7)
            job.add_done_callback(lambda f: print("job result", f.result()))
            await spin
            print(await job)

        asyncio.run(main())
    """)
    first = record(prog, out=os.path.join(TMP, "quick-1.jsonl"))
    check_eq(first.prints(), ["spin 0", "spin 1", "job result 7", "spin 2", "spin 3", "spin 4", "7"],
             "prints")
    for n in range(2, 6):
        again = record(prog, out=os.path.join(TMP, "quick-%d.jsonl" % n))
        check(again.lines == first.lines, "recording %d differs from the first" % n)


@case
def a_loop_driven_by_hand_is_recorded_until_it_closes():
    r = record("run_forever")
    check_eq(r.status, 0, "exit status")
    check_eq([(e["t"], e["task"], e["text"]) for e in r.of("print")],
             [(0.0, None, "tick 0 at 0.0"), (1.0, None, "tick 1 at 1.0"), (2.0, None, "tick 2 at 2.0"),
              (3.0, None, "tick 3 at 3.0"), (3.0, None, "loop stopped")], "prints")
    check_eq((r.events[-1]["ev"], r.events[-1]["reason"], r.events[-1]["t"]), ("end", "complete", 3.0),
             "last event")
    check_eq(r.of("task_new"), [], "tasks")


@case
def size_option_sets_coroscope_size():
    r = record("swarm", "--size", "5")
    check_eq(r.status, 0, "exit status")
    check_eq(r.prints(), ["5 workers done"], "prints")
    check_eq(len(r.of("task_new")), 6, "tasks (main and 5 workers)")


@case
def cancellation_is_thrown_at_the_await_and_finally_runs():
    r = record("cancel_cleanup")
    ids = r.task_ids()
    worker = ids["worker"]
    cancels = r.of("cancel")
    check_eq([(c["target"], c["by"], c["msg"], c["ok"]) for c in cancels[:1]],
             [(worker, ids["Task-1"], "stop now", True)], "the first cancel event")
    throws = [e for e in r.of("throw") if e["task"] == worker]
    check_eq([(e["t"], e["exc"], e["msg"]) for e in throws], [(1.0, "CancelledError", "stop now")],
             "throws into worker")
    done = r.done("worker")
    check_eq((done["t"], done["outcome"], done["msg"]), (2.0, "cancelled", "stop now"), "worker done")
    check_eq(r.prints(), ["worker starts", "cancelling=1", "worker cleans up", "cleanup done",
                          "worker cancelled: stop now", "cancelled=True"], "prints")
    check(any(e["ev"] == "timer_cancel" for e in r.events), "the cancelled sleep's timer_cancel")


@case
def futures_say_who_resolved_and_who_cancelled_them():
    r = record("future_callbacks")
    ids = r.task_ids()
    done = [e for e in r.of("fut_done") if e.get("value") == 42]
    check_eq([(e["t"], e["by"], e["via"]) for e in done], [(1.0, ids["resolver"], None)],
             "fut_done of the bare future")
    wakes = [e for e in r.of("wake") if e["fut"] == done[0]["fut"]]
    check_eq([w["task"] for w in wakes], [ids["Task-1"]], "who it wakes")
    check(done[0]["seq"] < wakes[0]["seq"], "fut_done comes before the wake it causes")
    sleeps = [e for e in r.of("fut_done") if e["via"] == "_set_result_unless_cancelled"]
    check(sleeps and all(e["by"] is None for e in sleeps), "sleeps are resolved by their timer callback")

    r = record("gather_cancel")
    ids = r.task_ids()
    cancels = [(c["target"], c["by"], c["ok"]) for c in r.of("cancel")]
    gather = [e["fut"] for e in r.of("step_end") if e.get("on") == "gather(2)"][0]
    check_eq(cancels[:2], [(gather, ids["Task-1"], True), (ids["Task-2"], ids["Task-1"], True)],
             "the gather is cancelled, then its unfinished child")
    check((ids["Task-3"], ids["Task-1"], False) in cancels, "the finished child's cancel() is false")


@case
def values_and_exceptions_become_json():
    prog = program("values.py", """\
        import asyncio

        async def give(value):
            return value

        async def fail():
            raise KeyError("k")

        async def main():
            got = await asyncio.gather(give(None), give(True), give(1.5), give(float("nan")),
                                       give((1, [2, "x"])), give({"a": 1}), fail(),
                                       return_exceptions=True)
            return got

        asyncio.run(main())
    """)
    r = record(prog)
    check_eq(r.status, 0, "exit status")
    values = {e["task"]: e for e in r.of("task_done")}
    ids = r.task_ids()
    want = [None, True, 1.5, "nan", [1, [2, "x"]], "{'a': 1}"]
    for n, value in enumerate(want):
        check_eq(values[ids["Task-%d" % (n + 2)]].get("value"), value, "value of Task-%d" % (n + 2))
    failed = values[ids["Task-8"]]
    check_eq((failed["outcome"], failed["exc"], failed["msg"]), ("exception", "KeyError", "'k'"),
             "the failing task")
    check_eq(values[ids["Task-1"]]["value"][6], {"exc": "KeyError", "msg": "'k'"},
             "an exception inside a result list")


@case
def leftover_tasks_are_cancelled_in_creation_order_before_end():
    prog = program("leftover.py", """\
        import asyncio

        async def forever(n):
            try:
                await asyncio.sleep(100)
            finally:
                print("cleanup", n)

        async def main():
            for n in range(4):
                asyncio.create_task(forever(n))
            await asyncio.sleep(0)
            print("main returns")

        asyncio.run(main())
    """)
    r = record(prog)
    check_eq(r.status, 0, "exit status")
    check_eq(r.prints(), ["main returns", "cleanup 0", "cleanup 1", "cleanup 2", "cleanup 3"],
             "prints")
    ids = r.task_ids()
    cancels = [c for c in r.of("cancel") if c["target"] in ids.values()]
    check_eq([c["target"] for c in cancels], [ids["Task-%d" % n] for n in range(2, 6)],
             "cancel order")
    check(all(c["by"] is None and c["via"] == "asyncio.run" for c in cancels), "cancelled by asyncio.run")
    for n in range(2, 6):
        check_eq(r.done("Task-%d" % n)["outcome"], "cancelled", "Task-%d outcome" % n)
    check_eq(r.events[-1]["ev"], "end", "last event")


@case
def main_raising_exits_1_with_the_exception_recorded():
    prog = program("boom.py", """\
        import asyncio

        async def main():
            await asyncio.sleep(1)
            raise ValueError("boom")

        asyncio.run(main())
    """)
    r = record(prog)
    check_eq(r.status, 1, "exit status")
    done = r.done("Task-1")
    check_eq((done["t"], done["outcome"], done["exc"], done["msg"]),
             (1.0, "exception", "ValueError", "boom"), "Task-1 done")
    check_eq(r.events[-1]["ev"], "end", "last event")
    check("ValueError: boom" in r.stderr and 'boom.py", line 5' in r.stderr,
          "stderr should show the program's traceback: %r" % r.stderr[-400:])
    check("runpy" not in r.stderr, "runpy frames in the traceback")


@case
def trace_on_stdout_moves_program_output_to_stderr():
    r = record("as_completed", out="-")
    check_eq(r.status, 0, "exit status")
    lines = r.stdout.splitlines()
    check(lines and json.loads(lines[0])["format"] == "coroscope-trace", "stdout is not a trace")
    texts = [json.loads(l).get("text") for l in lines[1:] if '"ev":"print"' in l]
    check_eq(texts, ["b", "c", "a"], "print events")
    check_eq(r.stderr.split(), ["b", "c", "a"], "program output on stderr")


# --------------------------------------------------------------------------
# Failures

@case
def deadlock_exits_1_with_a_deadlock_warn():
    prog = program("deadlock.py", """\
        import asyncio

        async def waiter(fut):
            try:
                await fut
            finally:
                print("finally ran")

        async def main():
            fut = asyncio.get_running_loop().create_future()
            asyncio.create_task(waiter(fut), name="stuck")
            await asyncio.sleep(1)
            await fut

        asyncio.run(main())
    """)
    r = record(prog)
    check_eq(r.status, 1, "exit status")
    warns = r.of("warn")
    check_eq([w["kind"] for w in warns], ["deadlock"], "warn kinds")
    check("Task-1" in warns[0]["msg"] and "stuck" in warns[0]["msg"],
          "the warn should name the waiting tasks: %r" % warns[0]["msg"])
    check_eq((r.events[-1]["ev"], r.events[-1]["reason"], r.events[-1]["t"]), ("end", "deadlock", 1.0),
             "last event")
    check("deadlock" in r.stderr and "Traceback" not in r.stderr, "stderr %r" % r.stderr)
    check("finally ran" not in r.stdout, "the waiting coroutines ran after the trace ended")


@case
def missing_program_is_a_clear_error():
    missing = os.path.join(TMP, "no-such-program.py")
    out = os.path.join(TMP, "missing.jsonl")
    r = record(missing, out=out)
    check(r.status != 0, "exit status 0")
    check_eq(len(r.stderr.strip().splitlines()), 1, "stderr lines (%r)" % r.stderr)
    check(missing in r.stderr and "Traceback" not in r.stderr, "stderr %r" % r.stderr)
    check(not os.path.exists(out), "a trace was written for a missing program")


@case
def syntax_error_is_a_clear_error_with_file_and_line():
    prog = program("broken.py", """\
        import asyncio

        async def main(:
            pass
    """)
    r = record(prog)
    check(r.status != 0, "exit status 0")
    check_eq(len(r.stderr.strip().splitlines()), 1, "stderr lines (%r)" % r.stderr)
    check("broken.py:3" in r.stderr and "Traceback" not in r.stderr, "stderr %r" % r.stderr)


@case
def unwritable_output_is_a_clear_error():
    r = record("gather", out=os.path.join(TMP, "no-such-dir", "x.jsonl"))
    check_eq(r.status, 1, "exit status")
    check("no-such-dir" in r.stderr and "Traceback" not in r.stderr, "stderr %r" % r.stderr)
    check_eq(r.stdout, "", "the program ran although its trace could not be written")


# --------------------------------------------------------------------------
# The C runtime's vocabulary

def kinds(r, *names):
    """(ev, and the fields that say what happened) of the events named."""
    out = []
    for e in r.events:
        if e["ev"] in names:
            out.append(tuple(v for k, v in e.items() if k not in ("seq", "t", "src", "locals")))
    return out


@case
def inline_coroutine_calls_are_frames():
    r = record("sequential")
    task = r.task_ids()["Task-1"]
    evs = [(e["ev"], e.get("fn"), e.get("args"), e.get("src")) for e in r.events
           if e["ev"] in ("frame_enter", "frame_exit", "fut_new", "print")]
    check_eq(evs[:4], [("frame_enter", "job", "('a', 3)", "sequential.py:11"), ("fut_new", None, None, None),
                       ("frame_exit", "job", None, None), ("print", None, None, "sequential.py:11")],
             "the first call of job")
    check_eq(len(r.of("frame_enter")), 3, "frame_enter events")
    check(all(e["task"] == task for e in r.of("frame_exit")), "frames are Task-1's")
    prog = program("frames.py", """\
        import asyncio

        async def leaf(n, *rest, flag=False):
            await asyncio.sleep(n)
            if flag:
                raise KeyError(n)
            return n

        async def middle(n):
            print("middle", n)              # an event: the frame is seen
            return await leaf(n, 7, flag=n > 1)

        async def quiet():
            return 1                        # nothing to see: never seen

        async def main():
            await middle(1)
            await quiet()
            try:
                await middle(2)
            except KeyError:
                print("caught")
            return await leaf(0)

        asyncio.run(main())
    """)
    r = record(prog)
    evs = [(e["ev"], e.get("fn"), e.get("args")) for e in r.events if e["ev"].startswith("frame_")]
    check_eq(evs, [("frame_enter", "middle", "(1)"), ("frame_enter", "leaf", "(1, 7, flag=False)"),
                   ("frame_exit", "leaf", None), ("frame_exit", "middle", None),
                   ("frame_enter", "middle", "(2)"), ("frame_enter", "leaf", "(2, 7, flag=True)"),
                   ("frame_exit", "leaf", None), ("frame_exit", "middle", None),
                   ("frame_enter", "leaf", "(0, flag=False)"), ("frame_exit", "leaf", None)], "frames (defaults included)")
    last = [e["ev"] for e in r.events if e.get("task") == 1][-3:]
    check_eq(last, ["frame_exit", "step_end", "task_done"], "the last frame closes before step_end")


@case
def callbacks_are_added_scheduled_run_and_cancelled():
    r = record("future_callbacks")
    check_eq(kinds(r, "cb_add"), [("cb_add", 1, "_run_until_complete_cb"), ("cb_add", 3, "report"),
                                 ("cb_add", 3, "late")], "cb_add")
    soon = r.of("call_soon")
    check_eq([(e["fn"], e["fut"]) for e in soon], [("report", 3), ("late", 3), ("_run_until_complete_cb", 1)],
             "call_soon")
    runs = {e["h"]: e["fn"] for e in r.of("cb_run")}
    check(all(runs.get(e["h"]) == e["fn"] for e in soon), "every scheduled callback runs under its handle")
    check_eq([e["task"] for e in r.of("print") if e["text"].startswith(("callback", "late"))], [None, None],
             "callbacks print outside any task")
    r = record("done_callback_args")
    check_eq([e["fn"] for e in r.of("cb_add")][1:], ["partial(report, 'first')", "partial(report, 'second')",
                                                   "partial(report, 'task')"], "partials by their arguments")
    prog = program("cancelhandle.py", """\
        import asyncio

        async def main():
            h = asyncio.get_running_loop().call_soon(print, "never")
            h.cancel()
            h.cancel()
            await asyncio.sleep(0)

        asyncio.run(main())
    """)
    r = record(prog)
    check_eq([e["h"] for e in r.of("handle_cancel")], [r.of("call_soon")[0]["h"]], "handle_cancel, once")
    check_eq(r.stdout, "", "the cancelled callback did not run")


@case
def taskgroups_and_timeouts_are_bracketed():
    r = record("taskgroup_fail")
    ids = r.task_ids()
    groups = [(e["op"], e["task"]) for e in r.of("group")]
    check_eq(groups, [("new", ids["Task-1"]), ("add", ids["Task-2"]), ("add", ids["Task-3"]),
                      ("add", ids["Task-4"]), ("abort", None), ("exit", ids["Task-1"])], "group events")
    check(len({e["obj"] for e in r.of("group")}) == 1, "one group")
    exit_seq = r.of("group")[-1]["seq"]
    caught = [e for e in r.of("print") if e["text"].startswith("caught")][0]
    check(exit_seq < caught["seq"], "exit comes before the ExceptionGroup is caught")
    r = record("timeout_block")
    check_eq([(e["op"], e["when"]) for e in r.of("timeout")],
             [("arm", 2.0), ("reschedule", 3.0), ("fire", 3.0), ("exit", 3.0), ("arm", 8.0), ("exit", 8.0)],
             "timeout() events")
    r = record("wait_for_timeout")
    waiter = [e["fut"] for e in r.of("fut_new") if e["kind"] == "wait_for"][0]
    check_eq([(e["obj"], e["op"], e["when"]) for e in r.of("timeout")],
             [(waiter, "arm", 2.0), (waiter, "fire", 2.0), (waiter, "exit", 2.0)], "wait_for's")
    r = record("wait_for_zero")
    check_eq([(e["obj"], e["op"]) for e in r.of("timeout")], [(r.task_ids()["Task-3"], "fire")],
             "wait_for(..., 0)")


@case
def queues_and_locks_say_when_an_operation_takes_effect():
    r = record("lock_counter")
    ops = [(e["kind"], e["op"], e["count"]) for e in r.of("sync")]
    check_eq(ops, [("lock", "acquire", 1), ("lock", "release", 0)] * 6, "a lock taken and given six times")
    r = record("semaphore_downloads")
    acquires = [e for e in r.of("sync") if e["op"] == "acquire"]
    check_eq(len(acquires), 10, "ten acquires")
    check(all(e["task"] is not None for e in acquires), "each by its task, woken or not")
    check_eq([e["count"] for e in acquires[:3]], [2, 1, 0], "the first three take the free units")
    r = record("pipeline")
    check_eq([(e["op"], e["count"]) for e in r.of("sync")][:5],
             [("put", 1), ("put", 2), ("get", 1), ("put", 2), ("task_done", 2)], "the queue's first operations")
    r = record("event_release")
    check_eq([(e["op"], e["count"]) for e in r.of("sync")],
             [("wait", 0)] * 3 + [("set", 1), ("clear", 0)], "event operations")
    r = record("condition_notify")
    check_eq([e["op"] for e in r.of("sync")][:6], ["acquire", "wait", "release"] * 2,
             "wait gives the condition's lock back")


@case
def a_barrier_is_recorded_as_a_barrier_and_its_condition_stays_quiet():
    r = record("barrier_rounds")
    kinds = {e["kind"] for e in r.of("sync")}
    check_eq(kinds, {"barrier"}, "sync kinds (no condition of the barrier's own)")
    ops = [(e["op"], e["count"]) for e in r.of("sync")]
    one_round = [("wait", 1), ("wait", 2), ("wait", 3), ("pass", 3)]
    check_eq(ops, one_round * 2 + [("wait", 1), ("abort", 1)], "two rounds, then an abort with one waiting")
    prog = program("barrier_reset.py", """
        import asyncio

        async def waiter(b):
            try:
                await b.wait()
            except asyncio.BrokenBarrierError as e:
                print("waiter:", repr(e))

        async def main():
            b = asyncio.Barrier(3)
            await b.reset()                 # nobody waiting
            t = asyncio.create_task(waiter(b))
            await asyncio.sleep(1)
            await b.reset()                 # one waiting: it gets BrokenBarrierError
            await t
            print(b.n_waiting, b.broken)

        asyncio.run(main())
    """)
    r = record(prog)
    check_eq(r.status, 0, "exit status")
    check_eq([(e["kind"], e["op"], e["count"]) for e in r.of("sync")],
             [("barrier", "reset", 0), ("barrier", "wait", 1), ("barrier", "reset", 1)], "reset ops")
    check_eq(r.prints(), ["waiter: BrokenBarrierError('Abort or reset of barrier')", "0 False"], "printed")


@case
def a_coroutine_never_awaited_is_a_warning_and_python_still_says_where():
    source = """
        import asyncio

        async def job(n):
            await asyncio.sleep(n)

        async def main():
            job(1)
            await asyncio.sleep(0.5)
            print("done")

        asyncio.run(main(){debug})
    """
    r = record(program("unawaited.py", source.format(debug="")))
    check_eq(r.status, 0, "exit status")
    check_eq([(e["kind"], e["msg"], e["task"]) for e in r.of("warn")],
             [("never_awaited", "coroutine 'job' was never awaited", None)], "warn events")
    check("unawaited.py:8: RuntimeWarning: coroutine 'job' was never awaited" in r.stderr,
          "Python's warning names the program's line: %r" % r.stderr[-400:])
    r = record(program("unawaited_debug.py", source.format(debug=", debug=True")))
    check_eq([e["msg"] for e in r.of("warn") if e["kind"] == "never_awaited"],
             ["coroutine 'job' was never awaited (created at unawaited_debug.py:8)"], "debug mode: its origin")
    made = r.stderr[r.stderr.find("Coroutine created at"):]
    check('unawaited_debug.py", line 8, in main' in made, "the origin's traceback: %r" % made[-600:])
    check("coroscope_record" not in made and "__step" not in made, "no recorder frames: %r" % made[-600:])


@case
def sockets_wait_become_ready_and_close():
    r = record("echo_server")
    ops = {(e["op"], e["label"]) for e in r.of("io")}
    for want in (("wait", "accept"), ("wait", "connect"), ("ready", "accept"), ("ready", "read"),
                 ("accept", "accept"), ("close", "stream"), ("close", "server"), ("wait", "readline")):
        check(want in ops, "no io %s %s" % want)
    labels = {e["label"] for e in r.of("fut_new") if e["kind"] == "io"}
    check(any(l.startswith("readline(fd ") for l in labels), "readline's future: %r" % labels)


WARNS = """\
    import asyncio, time

    async def fails():
        raise ValueError("lost")

    def busy(seconds):
        end = time.thread_time() + seconds
        while time.thread_time() < end:
            pass

    async def spin():
        busy(0.15)

    async def forever():
        await asyncio.sleep(100)

    async def main():
        asyncio.create_task(fails())
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        await spin()
        fut = asyncio.get_running_loop().create_future()
        fut.set_exception(KeyError("also lost"))
        del fut
        asyncio.create_task(forever(), name="left")
        await asyncio.sleep(0)

    loop = asyncio.new_event_loop()
    loop.run_until_complete(main())
    loop.close()
"""


@case
def warnings_as_asyncio_would_log_them():
    r = record(program("warns.py", WARNS))
    warns = [(e["kind"], e["msg"]) for e in r.of("warn")]
    kinds = [k for k, _ in warns]
    for kind in ("slow_callback", "never_retrieved", "pending_at_close"):
        check(kind in kinds, "no %s warning in %r" % (kind, warns))
    check(("never_retrieved", "Task exception was never retrieved: task 'Task-2' raised ValueError('lost')")
          in warns, "the task's: %r" % warns)
    check(("never_retrieved", "Future exception was never retrieved: KeyError('also lost')") in warns,
          "the future's: %r" % warns)
    check(("pending_at_close", "Task was destroyed but it is pending! task: <Task pending name='left' "
           "coro=<forever()>>") in warns, "pending: %r" % warns)
    blocks = r.of("block")
    check_eq([(b["label"], b["task"]) for b in blocks], [("computation", 1)], "the computing step")
    check(0.15 <= blocks[0]["dur"] < 1, "its duration %r" % blocks[0]["dur"])
    after = r.events[r.events.index(blocks[0]) + 1]
    check_eq(after["t"], blocks[0]["dur"], "the clock moved on by it")
    check_eq(r.events[-1]["ev"], "end", "warnings before the end")


# --------------------------------------------------------------------------
# Format version 3: the code in the trace

@case
def a_trace_carries_the_source_its_src_fields_name():
    os.makedirs(os.path.join(TMP, "pkg"), exist_ok=True)
    with open(os.path.join(TMP, "pkg", "helper.py"), "w") as f:
        f.write("import asyncio\n\nasync def nap():\n    await asyncio.sleep(1)\n")
    with open(os.path.join(TMP, "pkg", "__init__.py"), "w") as f:
        f.write("")
    big = os.path.join(TMP, "bigmod.py")
    with open(big, "w") as f:
        f.write("import asyncio\n\nasync def wait():\n    await asyncio.sleep(1)\n" + "#" * (1 << 20) + "\n")
    prog = program("uses.py", """\
        import asyncio
        from pkg.helper import nap
        import bigmod

        async def main():
            await nap()
            await bigmod.wait()

        asyncio.run(main())
    """)
    r = record(prog)
    sources = r.of("source")
    check_eq(r.events[0]["ev"], "source", "the first event")
    check_eq([e["file"] for e in sources], ["uses.py", "pkg/helper.py"], "embedded files")
    check_eq(sources[0]["text"], open(prog).read(), "the program's text")
    first = {}
    for e in r.events:
        if "src" in e:
            first.setdefault(e["src"].rsplit(":", 1)[0], e["seq"])
    check(first["pkg/helper.py"] > sources[1]["seq"], "a file's source comes before the first src naming it")
    check("bigmod.py" in first, "src names the big module")
    for name, seq in first.items():
        check(name in ("bigmod.py", "uses.py", "pkg/helper.py"), "unexpected src file %r" % name)


@case
def src_says_where_tasks_were_made_and_printed_and_returned():
    prog = program("where.py", """\
        import asyncio

        async def child():
            await asyncio.sleep(0)
            raise KeyError("x")

        async def main():
            t = asyncio.create_task(child())
            print("made")
            try:
                await t
            except KeyError:
                pass
            return 5

        asyncio.run(main())
    """)
    r = record(prog)
    new = {e["name"]: e.get("src") for e in r.of("task_new")}
    check_eq(new, {"Task-1": "where.py:16", "Task-2": "where.py:8"}, "task_new src")
    check_eq([e.get("src") for e in r.of("print")], ["where.py:9"], "print src")
    ends = {(e["task"], e["reason"]): e.get("src") for e in r.of("step_end") if e["reason"] in ("return", "raise")}
    ids = r.task_ids()
    check_eq(ends, {(ids["Task-2"], "raise"): "where.py:5", (ids["Task-1"], "return"): "where.py:14"},
             "step_end return/raise src")


@case
def locals_are_recorded_at_every_suspension():
    prog = program("locals.py", """\
        import asyncio

        class Bad:
            def __repr__(self):
                raise RuntimeError("no")

        async def job(name, delay):
            text = "x" * 200
            bad = Bad()
            many = list(range(1000))
            await asyncio.sleep(delay)

        async def main():
            results = [1, 2]
            await job("a", 3)
            for i in range(20):
                globals()["v%d" % i] = i
            await asyncio.sleep(0)

        asyncio.run(main())
    """)
    r = record(prog)
    first = [e for e in r.of("step_end") if e["reason"] == "await"][0]
    frames = first["locals"]
    check_eq([(f["fn"], f["line"]) for f in frames], [("main", 15), ("job", 11)], "frames, outermost first")
    check_eq(frames[0]["vars"], {"results": "[1, 2]"}, "main's")
    v = frames[1]["vars"]
    check_eq(list(v), ["name", "delay", "text", "bad", "many"], "job's, in definition order")
    check_eq((v["name"], v["delay"], v["bad"]), ("'a'", "3", "<unprintable Bad>"), "short ones")
    check(len(v["text"]) == 80 and v["text"].endswith("\u2026") and v["text"].startswith("'xxx"),
          "a long repr is cut to 80: %r" % v["text"])
    check(v["many"].startswith("[0, 1, 2, ") and len(v["many"]) == 80, "a long list: %r" % v["many"])
    many = program("manylocals.py", "import asyncio\n\nasync def main():\n" +
                   "".join("    v%d = %d\n" % (i, i) for i in range(20)) +
                   "    await asyncio.sleep(0)\n\nasyncio.run(main())\n")
    r = record(many)
    frame = [e for e in r.of("step_end") if e["reason"] == "yield"][0]["locals"][0]
    check_eq((len(frame["vars"]), frame.get("more")), (16, 4), "at most 16 locals, the rest counted")
    r = record(many, "--no-locals")
    check(not any("locals" in e for e in r.events), "--no-locals leaves them out")


@case
def futures_say_what_they_wait_for():
    ofs = {}
    for name in ("gather", "wait", "as_completed", "wait_for_ok", "shield_wait_for"):
        r = record(name)
        ofs[name] = [(e["kind"], e["of"]) for e in r.of("fut_new") if "of" in e]
        ids = r.task_ids()
        if name == "gather":
            check_eq(ofs[name], [("gather", [ids["Task-2"], ids["Task-3"], ids["Task-4"]])], name)
        elif name == "wait":
            check_eq(ofs[name], [("wait", [ids["a"], ids["b"], ids["c"]])], name)
        elif name == "as_completed":
            check(ofs[name] and all(of == [ids["a"], ids["b"], ids["c"]] for _, of in ofs[name]), name)
        elif name == "wait_for_ok":
            waits = [(e["fut"], e["of"]) for e in r.of("fut_new") if e["kind"] == "wait_for"]
            inner = [e["task"] for e in r.of("task_new")][1]
            check_eq(waits[0][1], [inner], "wait_for's inner task (made after its waiter)")
        else:
            check_eq(ofs[name][0], ("shield", [ids["backup"]]), "shield's inner task")


# --------------------------------------------------------------------------
# Transparency: a program cannot tell it is recorded

TRANSPARENT = {
    "reprs.py": """\
        import asyncio

        async def job(name, delay):
            await asyncio.sleep(delay)
            return name

        async def boom():
            await asyncio.sleep(0)
            raise ValueError("boom")

        async def main():
            t = asyncio.create_task(job("a", 0.01))
            print(type(t).__name__, type(t).__qualname__, isinstance(t, asyncio.Task),
                  isinstance(t, asyncio.Future), issubclass(asyncio.Task, asyncio.Future))
            print(repr(t))
            await asyncio.sleep(0)
            print(repr(t))
            await t
            print(repr(t))
            b = asyncio.create_task(boom(), name="bad")
            try:
                await b
            except ValueError as e:
                print("caught", repr(e))
            print(repr(b))
            c = asyncio.create_task(job("c", 1))
            await asyncio.sleep(0)
            c.cancel("stop it")
            print(repr(c))
            try:
                await c
            except asyncio.CancelledError as e:
                print("cancelled:", repr(e), e.args)
            print(repr(c))
            loop = asyncio.get_running_loop()
            f = loop.create_future()
            print(type(f).__name__, repr(f))
            f.add_done_callback(print)
            print(repr(f))
            f.set_result(42)
            print(repr(f))
            g = asyncio.Future()
            print(type(g).__name__, repr(g), isinstance(g, asyncio.Future))
            g.cancel()
            print(repr(g))
            print(type(loop).__name__, repr(loop), type(asyncio.get_event_loop_policy()).__name__)
            print(repr(asyncio.current_task()))
            print(await asyncio.gather(job("x", 0), boom(), return_exceptions=True))
            h = loop.call_soon(print, "soon")
            print(repr(h), type(h).__name__, type(loop.call_later(10, print)).__name__)
            print(f.add_done_callback.__qualname__, f.set_result.__qualname__)
            await asyncio.sleep(0)

        asyncio.run(main())
    """,
    "errors.py": """\
        import asyncio, traceback

        async def fails(n):
            await asyncio.sleep(0)
            raise ValueError(f"bad {n}")

        async def main():
            try:
                async with asyncio.TaskGroup() as tg:
                    tg.create_task(fails(1))
                    tg.create_task(fails(2))
            except* ValueError as eg:
                print("group:", repr(eg), [str(e) for e in eg.exceptions])
                print(traceback.format_exc())
            try:
                await asyncio.wait_for(asyncio.sleep(1), 0.01)
            except TimeoutError:
                print(traceback.format_exc())
            try:
                async with asyncio.timeout(0.01):
                    await asyncio.sleep(1)
            except TimeoutError as e:
                print("timeout", repr(e), repr(e.__cause__))
                print(traceback.format_exc())
            task = asyncio.create_task(fails(3))
            try:
                await task
            except ValueError:
                traceback.print_exc(file=__import__("sys").stdout)
            try:
                await asyncio.gather(fails(4), fails(5))
            except ValueError:
                print(traceback.format_exc())
            t = asyncio.create_task(asyncio.sleep(10))
            await asyncio.sleep(0)
            t.cancel("enough")
            try:
                await t
            except asyncio.CancelledError:
                print(traceback.format_exc())

        asyncio.run(main())
    """,
    "generators.py": """\
        import asyncio, contextvars, math

        var = contextvars.ContextVar("var", default="unset")

        async def ticker(n):
            try:
                for i in range(n):
                    yield i
                    await asyncio.sleep(0)
            finally:
                print("ticker closed")
                await asyncio.sleep(0)
                print("ticker finalised")

        async def reader():
            print("reader sees", var.get())
            var.set("child")
            return var.get()

        def blocking(x):
            return x * 2

        async def main():
            async for i in ticker(5):
                print("got", i)
                if i == 2:
                    break
            await asyncio.sleep(0.01)
            var.set("main")
            print(await asyncio.create_task(reader()), var.get())
            print(await asyncio.to_thread(blocking, 21))
            lock, q, ev, sem = asyncio.Lock(), asyncio.Queue(), asyncio.Event(), asyncio.Semaphore(2)
            async with lock:
                print(repr(lock).split(" object at ")[0], lock.locked(), vars(lock).keys())
            q.put_nowait(1)
            print(q.qsize(), await q.get(), ev.is_set())
            async with sem:
                print("sem", sem.locked(), sem._value)
            t = asyncio.create_task(asyncio.sleep(math.inf))
            await asyncio.sleep(0)
            t.cancel()
            try:
                await t
            except asyncio.CancelledError:
                print("inf sleep cancelled")

        asyncio.run(main())
    """,
}


@case
def programs_print_the_same_under_the_recorder_as_under_python():
    for name, source in sorted(TRANSPARENT.items()):
        prog = program(name, source)
        real = subprocess.run([sys.executable, prog], capture_output=True, text=True, timeout=60)
        check_eq(real.returncode, 0, "%s under python3 (stderr %r)" % (name, real.stderr[-300:]))
        r = record(prog)
        check_eq(r.status, 0, "%s under the recorder (stderr %r)" % (name, r.stderr[-300:]))
        if r.stdout != real.stdout:
            got, want = r.stdout.splitlines(), real.stdout.splitlines()
            i = next((k for k, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            raise AssertionError("%s: line %d differs: recorder %r, python3 %r" % (
                name, i + 1, got[i] if i < len(got) else None, want[i] if i < len(want) else None))


SYS_VIEW = """\
    import asyncio, os, sys

    async def main():
        print(os.path.basename(sys.argv[0]), sys.argv[1:], __name__, os.path.basename(__file__))
        print(sys.path[0] == os.path.dirname(os.path.abspath(__file__)))
        print(sys.dont_write_bytecode, sys.pycache_prefix, sys.flags.dont_write_bytecode)
        print(type(asyncio.current_task()).__name__, asyncio.current_task().get_name())
        await asyncio.sleep(1)

    asyncio.run(main())
"""


@case
def the_cli_runs_the_recorder_as_a_script_from_its_cached_code():
    # `coroscope record PROGRAM.py` runs the recorder through pyprog.c's
    # RECORDER_BOOT: its compiled code kept under BUILD/pycache, while the
    # program sees what python3 would show it and the trace is the same.
    if not os.access(CLI, os.X_OK):
        return "no CLI at %s" % CLI
    prog = program("sysview.py", SYS_VIEW)
    for dont_write in ("1", ""):            # PYTHONDONTWRITEBYTECODE set, and not
        out = os.path.join(TMP, "cli-boot-%s.jsonl" % dont_write)
        env = dict(os.environ, COROSCOPE_PYTHON=sys.executable, PYTHONDONTWRITEBYTECODE=dont_write)
        real = subprocess.run([sys.executable, prog, "one", "two"], capture_output=True, text=True,
                              timeout=60, env=env)
        check_eq(real.returncode, 0, "sysview.py under python3 (stderr %r)" % real.stderr[-300:])
        proc = subprocess.run([CLI, "record", prog, "-o", out, "--", "one", "two"], capture_output=True,
                              text=True, timeout=120, env=env)
        check_eq(proc.returncode, 0, "coroscope record (stderr %r)" % proc.stderr[-300:])
        check_eq(proc.stdout, real.stdout, "what the program printed under the CLI and under python3")
        with open(out, encoding="utf-8") as f:
            lines = f.read().splitlines()
        validated(out)
        direct = record(prog, "--", "one", "two", env=env)
        check(lines == direct.lines, "the CLI's trace and the recorder's own differ")
    cache = os.path.join(os.path.dirname(os.path.abspath(CLI)), "pycache")
    compiled = [f for _, _, files in os.walk(cache) for f in files if f.startswith("coroscope_record.")]
    check(compiled, "no compiled recorder under %s" % cache)


@case
def an_async_generator_left_with_break_is_finalised_in_a_step_with_its_line():
    prog = program("generators.py", TRANSPARENT["generators.py"])
    r = record(prog)                    # record() also validates: no "src": null
    new = [e for e in r.of("task_new") if e["coro"] == "ticker.aclose"]
    check_eq(len(new), 1, "the aclose task of the generator left with break")
    ends = [e for e in r.of("step_end") if e["task"] == new[0]["task"]]
    check_eq([(e["reason"], e.get("src")) for e in ends][0], ("yield", "generators.py:12"),
             "its first step suspends in the generator's finally")


@case
def sleep_forever_is_a_timer_due_never():
    prog = program("generators.py", TRANSPARENT["generators.py"])
    r = record(prog)
    check(any('"when":null' in line and '"timer_new"' in line for line in r.lines),
          "sleep(math.inf)'s timer_new should have \"when\":null")
    check(not any("Infinity" in line or "NaN" in line for line in r.lines), "non-JSON numbers")


@case
def to_thread_never_ends_in_a_false_deadlock():
    # The executor's shutdown thread hands the loop a callback as it exits,
    # which once raced the deadlock check: 3 x 200 loops must all finish.
    prog = program("threads.py", """\
        import asyncio, sys

        def work(n):
            return n + 1

        async def main(n):
            return await asyncio.to_thread(work, n)

        print(sum(asyncio.run(main(n)) for n in range(int(sys.argv[1]))))
    """)
    for attempt in range(3):
        r = record(prog, "--", "200")
        check_eq((r.status, r.stdout), (0, "20100\n"), "run %d (stderr %r)" % (attempt, r.stderr[-300:]))
        check_eq(r.events[-1]["reason"], "complete", "end reason")


# --------------------------------------------------------------------------
# Limits, signals and memory

FOREVER = """\
    import asyncio

    async def tick():
        n = 0
        try:
            while True:
                print("tick", n)
                n += 1
                await asyncio.sleep(1)
        finally:
            print("finally ran")

    async def main():
        await asyncio.create_task(tick())

    asyncio.run(main())
"""


@case
def max_events_stops_a_program_that_never_ends():
    prog = program("forever.py", FOREVER)
    r = record(prog, "--max-events", "40")
    check_eq(r.status, 3, "exit status")
    check_eq(len(r.events), 41, "events: 40 and the end")
    check_eq((r.events[-1]["ev"], r.events[-1]["reason"]), ("end", "max_events"), "last event")
    check("--max-events" in r.stderr and "max_events" in r.stderr, "stderr %r" % r.stderr)
    ticks = r.stdout.splitlines()
    check(ticks and ticks == ["tick %d" % n for n in range(len(ticks))],
          "the output so far is kept: %r" % r.stdout[-200:])
    check_eq(r.prints(), ticks[:len(r.prints())], "print events")
    check("finally ran" not in r.stdout, "the program ran on after the trace ended")


@case
def max_time_stops_a_program_at_its_loop_time():
    prog = program("forever.py", FOREVER)
    r = record(prog, "--max-time", "5.5")
    check_eq(r.status, 3, "exit status")
    check_eq((r.events[-1]["ev"], r.events[-1]["reason"], r.events[-1]["t"]), ("end", "max_time", 5.0),
             "last event")
    check(all(e["t"] <= 5.5 for e in r.events), "an event after the limit")
    check_eq(r.prints(), ["tick %d" % n for n in range(6)], "prints")
    check_eq(r.stdout, "".join("tick %d\n" % n for n in range(6)), "output")
    check("--max-time" in r.stderr and "5.5" in r.stderr, "stderr %r" % r.stderr)


@case
def a_blocking_call_past_max_time_stops_the_program_too():
    prog = program("blockforever.py", """\
        import asyncio, time

        async def main():
            while True:
                time.sleep(1000)
                print("slept")

        asyncio.run(main())
    """)
    r = record(prog, "--max-time", "2500")
    check_eq(r.status, 3, "exit status")
    check_eq(r.prints(), ["slept", "slept"], "prints")
    check_eq((r.events[-1]["reason"], r.events[-1]["t"]), ("max_time", 2000.0), "end")


@case
def the_limits_have_safe_defaults_said_in_help():
    proc = subprocess.run([sys.executable, RECORDER, "--help"], capture_output=True, text=True,
                          timeout=60)
    text = " ".join(proc.stdout.split())
    check_eq(proc.returncode, 0, "exit status")
    for want in ("--max-events N", "default 1000000", "--max-time SECONDS", "default 86400",
                 "3 when a limit stopped the program", "130 / 143"):
        check(want in text, "--help should say %r" % want)
    prog = program("forever.py", FOREVER)
    r = record(prog)                    # sleep(1) forever: the day-long default stops it
    check_eq((r.status, r.events[-1]["reason"], r.events[-1]["t"]), (3, "max_time", 86400.0),
             "status, end reason and time")
    for bad in (["--max-events", "-1"], ["--max-events", "many"], ["--max-time", "inf"],
                ["--max-time", "-2"]):
        r = record(prog, *bad)
        check_eq(r.status, 2, "exit status of %s" % bad)
        check(bad[0] in r.stderr and "Traceback" not in r.stderr, "stderr %r" % r.stderr)


def interrupted_run(prog, signum, wait_for, out):
    """Start recording `prog`, wait until its trace has `wait_for` bytes, send
    `signum`; return (status, stdout, stderr, trace lines)."""
    if os.path.exists(out):
        os.remove(out)
    # SIGINT as a terminal delivers it: a test run in the background
    # (make test from a script) inherits it ignored, which Python keeps.
    proc = subprocess.Popen([sys.executable, RECORDER, prog, "-o", out], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    give_up = time.monotonic() + 60
    while time.monotonic() < give_up and proc.poll() is None:
        if os.path.exists(out) and os.path.getsize(out) >= wait_for:
            break
        time.sleep(0.01)
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=60)
    with open(out, encoding="utf-8") as f:
        lines = f.read().splitlines()
    validated(out)
    return proc.returncode, stdout, stderr, lines


@case
def sigint_and_sigterm_end_the_trace_interrupted():
    prog = program("forever.py", FOREVER)
    out = os.path.join(TMP, "interrupted.jsonl")
    # At different moments: early, and later (the trace is written in 64 KiB pieces).
    for signum, status, name in ((signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")):
        for wait_for in (1, 70000, 300000):
            got, stdout, stderr, lines = interrupted_run(prog, signum, wait_for, out)
            what = "%s after %d bytes" % (name, wait_for)
            check_eq(got, status, "exit status (%s; stderr %r)" % (what, stderr[-300:]))
            events = tracejson.expand(lines)[1]
            check_eq([e["seq"] for e in events], list(range(1, len(events) + 1)), "seq (%s)" % what)
            check_eq((events[-1]["ev"], events[-1]["reason"]), ("end", "interrupted"), "last (%s)" % what)
            check(not any(e["ev"] == "warn" for e in events), "a warn in %s" % what)
            check(name in stderr and "interrupted" in stderr, "stderr %r" % stderr)
            check("finally ran" not in stdout, "the program ran on (%s)" % what)
            ticks = [e["text"] for e in events if e["ev"] == "print"]
            # (A last line cut short by the signal is recorded as it was.)
            check(stdout.startswith("\n".join(ticks)), "output kept (%s)" % what)


@case
def a_signal_while_the_loop_waits_on_a_socket_ends_the_trace():
    prog = program("waitsocket.py", """\
        import asyncio, socket

        async def main():
            a, b = socket.socketpair()
            a.setblocking(False)
            print("waiting for data that never comes", flush=True)
            await asyncio.get_running_loop().sock_recv(a, 10)

        asyncio.run(main())
    """)
    out = os.path.join(TMP, "socketwait.jsonl")
    status, stdout, stderr, lines = interrupted_run(prog, signal.SIGTERM, 10, out)
    time.sleep(0)
    check_eq(status, 143, "exit status (stderr %r)" % stderr[-300:])
    check_eq(json.loads(lines[-1])["reason"], "interrupted", "end reason")


HOG_BIG = """\
    import asyncio

    async def hog():
        blocks = []
        while True:
            blocks.append(bytearray(1 << 20))
            await asyncio.sleep(0)

    async def main():
        await asyncio.gather(hog(), hog())

    asyncio.run(main())
"""

HOG_SMALL = """\
    import asyncio

    async def holder(i, keep):
        keep.append([i] * 1000)
        await asyncio.sleep(1000)

    async def main():
        keep, tasks, i = [], [], 0
        while True:
            for _ in range(100):
                tasks.append(asyncio.create_task(holder(i, keep)))
                i += 1
            await asyncio.sleep(0)

    asyncio.run(main())
"""


@case
def out_of_memory_ends_the_trace_with_error_and_it_validates():
    # Under ulimit -v: memory runs out in the program (large blocks) or
    # anywhere at all, the recorder included (many small objects). Limits
    # above what the interpreter needs to start, in steps.
    base = 60 << 20
    for name, source in (("hogbig.py", HOG_BIG), ("hogsmall.py", HOG_SMALL)):
        prog = program(name, source)
        for extra in range(0, 60 << 20, 7 << 20):
            r = record(prog, limit_as=base + extra)     # record() validates the trace
            what = "%s at %d MiB" % (name, (base + extra) >> 20)
            check_eq(r.status, 1, "exit status (%s; stderr %r)" % (what, r.stderr[-300:]))
            check("MemoryError" in r.stderr, "stderr should say MemoryError (%s)" % what)
            check(r.events, "no events (%s)" % what)
            check_eq((r.events[-1]["ev"], r.events[-1]["reason"]), ("end", "error"),
                     "last event (%s)" % what)
            check_eq(sum(e["ev"] == "end" for e in r.events), 1, "end events (%s)" % what)


# --------------------------------------------------------------------------
# The parity harness, against a stand-in for the C CLI

FAKE_CLI = """\
#!%(python)s
# A stand-in for build/coroscope: `list` and `record`, recording the CPython
# twins with the recorder; FAKE_MODE=swap swaps two step_begin lines of
# swarm, FAKE_MODE=fail makes `record` fail.
import json, os, subprocess, sys
args = sys.argv[1:]
if args[:1] == ["list"]:
    print("gather     three jobs at once")
    print("swarm      many workers")
    print("c_only     a scenario without a twin")
    sys.exit(0)
name, rest = args[1], args[2:]
out = rest[rest.index("-o") + 1]
if os.environ.get("FAKE_MODE") == "fail":
    sys.stderr.write("coroscope: record: scheduler exploded\\n")
    sys.exit(3)
cmd = [sys.executable, %(recorder)r, os.path.join(%(scenarios)r, name + ".py"), "--scenario", name, "-o", out]
if "--size" in rest:
    cmd += ["--size", rest[rest.index("--size") + 1]]
status = subprocess.run(cmd, stdout=subprocess.DEVNULL).returncode
if os.environ.get("FAKE_MODE") == "real":
    # A real-clock recording: other times, the same order.
    with open(out) as f:
        objs = [json.loads(line) for line in f]
    objs[0]["clock"] = "real"
    for n, obj in enumerate(objs[1:], 1):
        obj["t"] = n / 1000
    with open(out, "w") as f:
        f.writelines(json.dumps(o, separators=(",", ":")) + "\\n" for o in objs)
if os.environ.get("FAKE_MODE") == "swap" and name == "swarm":
    with open(out) as f:
        lines = f.read().splitlines()
    steps = [i for i, line in enumerate(lines) if '"ev":"step_begin"' in line]
    a, b = steps[10], steps[11]
    lines[a], lines[b] = lines[b], lines[a]
    with open(out, "w") as f:
        f.write("\\n".join(lines) + "\\n")
sys.exit(status)
"""


def parity(cli, mode=""):
    env = dict(os.environ, COROSCOPE=cli, FAKE_MODE=mode)
    proc = subprocess.run([sys.executable, PARITY], capture_output=True, text=True,
                          timeout=600, env=env, cwd=ROOT)
    verdicts = [l for l in proc.stdout.splitlines() if l.startswith(("PASS", "FAIL"))]
    return proc, verdicts


def fake_cli():
    path = os.path.join(TMP, "fake-coroscope")
    with open(path, "w") as f:
        f.write(FAKE_CLI % {"python": sys.executable, "recorder": RECORDER, "scenarios": SCENARIOS})
    os.chmod(path, 0o755)
    return path


@case
def parity_passes_when_both_sides_agree():
    proc, verdicts = parity(fake_cli())
    check_eq(proc.returncode, 0, "exit status (output %r)" % proc.stdout)
    check_eq([v.split(" (")[0] for v in verdicts],
             ["PASS parity gather", "PASS parity swarm", "PASS parity swarm[size=50]"], "verdicts")
    check(verdicts[0].endswith("(13 events)"), "gather's count: %r" % verdicts[0])


@case
def parity_reports_the_first_difference_with_both_sides():
    proc, verdicts = parity(fake_cli(), "swap")
    check_eq(proc.returncode, 1, "exit status")
    check_eq(verdicts[0].split(" (")[0], "PASS parity gather", "gather verdict")
    check(verdicts[1].startswith("FAIL parity swarm: first difference at item 10"),
          "swarm verdict %r" % verdicts[1])
    out = proc.stdout
    check("C (coroscope record)" in out and "CPython (coroscope_record.py)" in out,
          "context should say which side is which")
    check(">>  10  t=0.0 Task-12 step" in out and "t=0.0 Task-11 step" in out,
          "context around the difference: %r" % out[:600])


@case
def parity_compares_only_the_output_of_real_clock_recordings():
    proc, verdicts = parity(fake_cli(), "real")
    check_eq(proc.returncode, 0, "exit status (output %r)" % proc.stdout[-500:])
    check_eq([v.split(" (")[0] for v in verdicts],
             ["PASS parity gather", "PASS parity swarm", "PASS parity swarm[size=50]"], "verdicts")
    check("comparing printed output only" in proc.stdout, "a note should say only the output was compared")


@case
def parity_fails_when_the_c_recording_fails():
    proc, verdicts = parity(fake_cli(), "fail")
    check_eq(proc.returncode, 1, "exit status")
    check_eq(len(verdicts), 3, "verdicts %r" % verdicts)
    check(all(v.startswith("FAIL parity") and "C recording failed (exit 3)" in v for v in verdicts),
          "verdicts %r" % verdicts)
    check("scheduler exploded" in proc.stdout, "the CLI's stderr should be shown")


@case
def parity_without_a_cli_falls_back_to_the_twins_and_fails():
    proc, verdicts = parity(os.path.join(TMP, "no-such-cli"))
    check_eq(proc.returncode, 1, "exit status")
    twins = [f for f in os.listdir(SCENARIOS) if f.endswith(".py")]
    check_eq(len(verdicts), len(twins) + 1, "one verdict per twin, and swarm[size=50]")
    check(all(v.startswith("FAIL parity") for v in verdicts), "verdicts %r" % verdicts[:3])


@case
def parity_with_no_scenarios_fails():
    empty = os.path.join(TMP, "empty-cli")
    with open(empty, "w") as f:
        f.write("#!/bin/sh\n[ \"$1\" = list ] && echo only_in_c\nexit 0\n")
    os.chmod(empty, 0o755)
    proc, verdicts = parity(empty)
    check_eq(proc.returncode, 1, "exit status")
    check_eq(len(verdicts), 1, "verdicts %r" % verdicts)
    check(verdicts[0].startswith("FAIL parity: no scenarios"), "verdict %r" % verdicts[0])


def main():
    failed = 0
    words = sys.argv[1:]
    for fn in CASES:
        if words and not any(w in fn.__name__ for w in words):
            continue
        try:
            skipped = fn()
        except AssertionError as exc:
            print("FAIL %s: %s" % (fn.__name__, exc), flush=True)
            failed += 1
        except Exception as exc:      # a broken test is a failing test, with its reason
            print("FAIL %s: %s: %s" % (fn.__name__, type(exc).__name__, exc), flush=True)
            failed += 1
        else:
            if skipped:     # not counted by tests/run.sh, which counts PASS and FAIL
                print("SKIP %s: %s" % (fn.__name__, skipped), flush=True)
            else:
                print("PASS %s" % fn.__name__, flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    finally:
        subprocess.run(["rm", "-rf", TMP])
