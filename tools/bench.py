#!/usr/bin/env python3
"""bench.py -- `make bench`: every measure, side by side, in one run.

    tools/bench.py [--rounds N] [--only SUBSTRING] [--json FILE] [--build DIR]
    tools/bench.py compare OLD.json NEW.json          (`make bench-compare`)

HOW TO ADD A MEASURE: append a Measure(...) to MEASURES below. A measure is
one row of the table; it names, for each *side* (coroscope first, then its
peers: "cpython", "uvloop", or any other, e.g. "asm"), a command and the
key of the figure that command prints. Every command prints its figures as
"key value" lines on stdout (tests/bench/bench_rt.c and asyncio_bench.py
show how); one command may feed several measures -- a command string is
run once per round, however many sides or measures read it. In commands,
{build} is the build directory, {py} CPython (python3 on PATH, the fidelity
reference), {uvpy} a Python with uvloop importable, {tmp} a scratch
directory removed at the end. A command exiting with status 3 means "this
side cannot be had here" (uvloop not installed): the side is skipped with a
note, not failed. Any other failure fails the run (after the table).

    Measure("pingpong_off", "queue ping-pong, recording off", "passes/s", HIGHER,
            {"coroscope": side("{build}/bench_rt pingpong 1000000", "passes_per_s"),
             "cpython": side("{py} tests/bench/asyncio_bench.py pingpong 200000", "passes_per_s")},
            goals=[("cpython", ">=", 40)])

Goals: ("cpython", ">=", 40) is "coroscope / cpython >= 40"; ("abs", "<=",
4608) compares coroscope's own median. A row whose goal is not met is
marked "MISSED" (the run still succeeds: benchmarks are not tests).

How it runs: ROUNDS rounds (default 3; a measure may ask for fewer with
rounds=); in every round every command runs once, measures in registry order,
the sides' order rotating from round to round, so that the machine's noise
spreads over all sides alike. Each figure is the median over its rounds, shown
with its min-max. Ratios are coroscope's median over the peer's. The figures go
to build/bench.json (all samples too), which `compare` reads.
"""
import argparse
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HIGHER, LOWER = "higher", "lower"   # which way is better


def side(cmd, key):
    """One side of a measure: the command to run and the key it prints."""
    return {"cmd": cmd, "key": key}


class Measure:
    def __init__(self, id, title, unit, better, sides, goals=(), rounds=None, series=None, size=None):
        self.id = id                # key in bench.json
        self.title = title          # the table's row label
        self.unit = unit            # unit of every side's figure
        self.better = better        # HIGHER or LOWER
        self.sides = sides          # {"coroscope": side(...), peer: side(...), ...}; coroscope first
        self.goals = list(goals)    # [(peer or "abs", ">=" or "<=", number)]
        self.rounds = rounds        # None: all rounds; else at most this many
        self.series = series        # growth measures: the series (operation) they belong to
        self.size = size            # ... and their N


RT = "{build}/bench_rt"
PY = "{py} tests/bench/asyncio_bench.py"
UV = "{uvpy} tests/bench/asyncio_bench.py --uvloop"


def peers(workload, key, c_args=None):
    """The three usual sides of a workload: coroscope, CPython, uvloop."""
    return {"coroscope": side(f"{RT} {c_args or workload}", key),
            "cpython": side(f"{PY} {workload}", key),
            "uvloop": side(f"{UV} {workload}", key)}


MEASURES = [
    Measure("pingpong_off", "queue ping-pong, recording off", "passes/s", HIGHER,
            peers("pingpong 200000", "passes_per_s", "pingpong 2000000"),
            goals=[("cpython", ">=", 40), ("uvloop", ">=", 20)]),
    Measure("pingpong_on", "queue ping-pong, recording on (virtual clock, to a file)", "passes/s", HIGHER,
            {"coroscope": side(f"{RT} pingpong 1000000 {{tmp}}/pingpong.jsonl virtual", "passes_per_s"),
             "cpython": side(f"{PY} pingpong 200000", "passes_per_s")},
            goals=[("cpython", ">=", 10)]),
    Measure("switch", "cost per scheduled switch vs the bare asm switch", "ns", LOWER,
            {"coroscope": side(f"{RT} switch 2000000", "sched_switch_ns"),
             "asm": side(f"{RT} switch 2000000", "asm_switch_ns")},
            goals=[("asm", "<=", 3)]),
    Measure("sleep0", "100k tasks x 10 sleep(0)", "steps/s", HIGHER,
            peers("sleep0 100000 10", "steps_per_s"),
            goals=[("cpython", ">=", 5), ("uvloop", ">=", 1)]),
    Measure("mem_100k", "memory per suspended task (100k)", "B/task", LOWER,
            peers("memory 100000", "bytes_per_task"), goals=[("abs", "<=", 4608)]),
    Measure("mem_1m", "memory per suspended task (1M)", "B/task", LOWER,
            peers("memory 1000000", "bytes_per_task"), goals=[("abs", "<=", 4608)], rounds=2),
    Measure("rss_1m", "1M suspended tasks, peak RSS", "B", LOWER,
            peers("memory 1000000", "peak_rss"), goals=[("abs", "<=", 5e9)], rounds=2),
    # Copy stack mode (CO_STACK_COPY): the same workloads, the tasks taking
    # turns on one shared stack. Memory's goal is the (CPython's
    # figure, 0.95 KiB); the time figures show what the copies cost, no goal.
    Measure("mem_100k_copy", "memory per suspended task (100k), copy stack mode", "B/task", LOWER,
            peers("memory 100000", "bytes_per_task", "memory 100000 copy"), goals=[("cpython", "<=", 1)]),
    Measure("mem_1m_copy", "memory per suspended task (1M), copy stack mode", "B/task", LOWER,
            peers("memory 1000000", "bytes_per_task", "memory 1000000 copy"), goals=[("cpython", "<=", 1)],
            rounds=2),
    Measure("rss_1m_copy", "1M suspended tasks, peak RSS, copy stack mode", "B", LOWER,
            peers("memory 1000000", "peak_rss", "memory 1000000 copy"), rounds=2),
    Measure("sleep0_copy", "100k tasks x 10 sleep(0), copy stack mode", "steps/s", HIGHER,
            peers("sleep0 100000 10", "steps_per_s", "sleep0 100000 10 copy")),
    Measure("pingpong_off_copy", "queue ping-pong, recording off, copy stack mode", "passes/s", HIGHER,
            peers("pingpong 200000", "passes_per_s", "pingpong 2000000 copy")),
]

# The trace: the writer alone, loading (view --bench vs json.loads per line;
# whichever side runs first makes the trace in the scratch directory), and
# the CPython recorder against the plain run (tests/bench/trace_bench.py).
TB = "{py} tests/bench/trace_bench.py"
MEASURES += [
    Measure("writer", "trace writer alone (ping-pong events, to a file)", "events/s", HIGHER,
            {"coroscope": side("{build}/bench_writer 8000000 {tmp}/writer.jsonl", "events_per_s")},
            goals=[("abs", ">=", 10e6)]),
    Measure("writer_bytes", "trace writer, bytes per ping-pong event (format version 4)", "B/event", LOWER,
            {"coroscope": side("{build}/bench_writer 8000000 {tmp}/writer.jsonl", "bytes_per_event")}),
    Measure("load", "trace load (view --bench, ~1M events)", "MB/s", HIGHER,
            {"coroscope": side(f"{TB} load {{build}}/coroscope {{tmp}}", "mb_per_s"),
             "cpython": side(f"{TB} json_lines {{build}}/coroscope {{tmp}}", "mb_per_s")},
            goals=[("cpython", ">=", 4)], rounds=3),
    Measure("load_mem", "trace load, peak resident per event", "B/event", LOWER,
            {"coroscope": side(f"{TB} load {{build}}/coroscope {{tmp}}", "bytes_per_event")},
            goals=[("abs", "<=", 80)], rounds=3),
    Measure("frame_p95", "viewer frame time p95 on that trace", "ms", LOWER,
            {"coroscope": side(f"{TB} load {{build}}/coroscope {{tmp}}", "frame_p95_ms")},
            goals=[("abs", "<=", 8)], rounds=3),
    # Load time and memory to 5M events: the same trace at 1M, 2.4M and 4.9M
    # events (swarm workers x 48.5). The load times make a growth series (ns
    # per event, flat = linear); bytes per event are flat when memory is.
    *[Measure(f"load_{_label}", f"trace load, swarm {_n} ({_label} events)", "s", LOWER,
              {"coroscope": side(f"{TB} load_size {{build}}/coroscope {{tmp}} {_n}", "load_s")},
              rounds=_rounds, series="trace load (per event)", size=_events)
      for _n, _label, _events, _rounds in [(20000, "1M", 970_037, 3), (50000, "2.4M", 2_425_037, 2),
                                           (100000, "4.9M", 4_850_037, 1)]],
    *[Measure(f"load_mem_{_label}", f"trace load, peak resident per event ({_label} events)", "B/event", LOWER,
              {"coroscope": side(f"{TB} load_size {{build}}/coroscope {{tmp}} {_n}", "bytes_per_event")},
              rounds=_rounds)
      for _n, _label, _rounds in [(50000, "2.4M", 2), (100000, "4.9M", 1)]],
    Measure("recorder", "CPython recorder, 2,000-task program, vs the plain run", "s", LOWER,
            {"coroscope": side(f"{TB} record {{build}}/coroscope", "seconds"),
             "cpython": side(f"{TB} plain", "seconds")},
            goals=[("cpython", "<=", 4)], rounds=3),
]

# The growth benchmark: each operation over 10k, 100k and 1M tasks. The 1M
# runs dominate the suite's time, so they run once, against CPython only
# (the goal's reference; uvloop is measured at 10k and 100k).
GROWTH_OPS = ["gather", "wait", "as_completed", "taskgroup", "cancel_gather", "all_tasks", "queue", "lock"]
GROWTH_SIZES = [(10_000, "10k", None), (100_000, "100k", None), (1_000_000, "1M", 1)]
for _op in GROWTH_OPS:
    for _n, _label, _rounds in GROWTH_SIZES:
        _sides = peers(f"growth {_op} {_n}", "seconds")
        if _n >= 1_000_000:
            del _sides["uvloop"]
        MEASURES.append(Measure(f"growth_{_op}_{_label}", f"{_op}, {_label} tasks", "s", LOWER,
                                _sides, goals=[("cpython", "<=", 1)], rounds=_rounds, series=_op, size=_n))


# --- running ------------------------------------------------------------------

def find_uvloop_python():
    """An interpreter that imports uvloop: python3 itself, else Debian's."""
    for py in [shutil.which("python3"), "/usr/bin/python3"]:
        if py and subprocess.run([py, "-c", "import uvloop"], capture_output=True).returncode == 0:
            return py
    return None


def run_command(cmd, timeout):
    """Run one command; returns ({key: value}, None), (None, "skipped: ...") or (None, "failed: ...")."""
    t0 = time.monotonic()
    try:
        p = subprocess.run(shlex.split(cmd), capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, f"failed: timed out after {timeout} s"
    except OSError as e:
        return None, f"failed: {e}"
    if p.returncode == 3:
        return None, "skipped: " + (p.stderr.strip().splitlines() or ["not available"])[-1]
    if p.returncode != 0:
        return None, f"failed (exit {p.returncode}): " + " / ".join(p.stderr.strip().splitlines()[-3:])
    figures = {}
    for line in p.stdout.splitlines():
        parts = line.split()
        if len(parts) == 2:
            try:
                figures[parts[0]] = float(parts[1])
            except ValueError:
                pass
    figures["_wall"] = time.monotonic() - t0
    return figures, None


def summarize(samples):
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "samples": samples}


def goal_met(m, g, res):
    who, op, target = g
    c = res["sides"].get("coroscope")
    if not c:
        return None
    if who == "abs":
        x = c["median"]
    else:
        p = res["sides"].get(who)
        if not p or not p["median"]:
            return None
        x = c["median"] / p["median"]
    return x >= target if op == ">=" else x <= target


def run_all(args):
    measures = [m for m in MEASURES if not args.only or any(s in m.id for s in args.only.split(","))]
    tmp = tempfile.mkdtemp(prefix="coroscope-bench.")
    uvpy = find_uvloop_python()
    subst = {"build": args.build, "py": shutil.which("python3") or "python3",
             "uvpy": uvpy or "python3", "tmp": tmp}
    notes = []
    if not uvpy:
        notes.append("uvloop: not importable by python3 or /usr/bin/python3 (Debian python3-uvloop); skipped")
    elif uvpy != subst["py"]:
        notes.append(f"uvloop runs on {uvpy} (the Python Debian's python3-uvloop is built for)")
    samples = {}     # (measure id, side) -> [values]
    walls = {}       # (measure id, side) -> [seconds the command took, start to exit]
    problems = {}    # (measure id, side) -> note
    t_start = time.monotonic()
    try:
        for r in range(args.rounds):
            cache = {}
            print(f"bench: round {r + 1}/{args.rounds} ({time.monotonic() - t_start:.0f} s so far)",
                  file=sys.stderr, flush=True)
            for m in measures:
                if m.rounds is not None and r >= m.rounds:
                    continue
                if args.verbose:
                    print(f"bench:   {m.id} ({time.monotonic() - t_start:.0f} s)", file=sys.stderr, flush=True)
                names = list(m.sides)
                k = r % len(names)
                for name in names[k:] + names[:k]:
                    cmd = m.sides[name]["cmd"].format(**subst)
                    if name == "uvloop" and not uvpy:
                        problems[(m.id, name)] = "skipped: uvloop not installed"
                        continue
                    if cmd not in cache:
                        cache[cmd] = run_command(cmd, args.timeout)
                    figures, problem = cache[cmd]
                    key = m.sides[name]["key"]
                    if problem or key not in figures:
                        problems[(m.id, name)] = problem or f"failed: printed no '{key}'"
                        continue
                    samples.setdefault((m.id, name), []).append(figures[key])
                    walls.setdefault((m.id, name), []).append(round(figures["_wall"], 3))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    results = {}
    for m in measures:
        res = {"title": m.title, "unit": m.unit, "better": m.better, "sides": {}, "ratios": {},
               "goals": [], "notes": {}}
        if m.series:
            res["series"], res["size"] = m.series, m.size
        for name in m.sides:
            if (m.id, name) in samples:
                res["sides"][name] = summarize(samples[(m.id, name)])
                res["sides"][name]["wall"] = walls[(m.id, name)]
            if (m.id, name) in problems:
                res["notes"][name] = problems[(m.id, name)]
        c = res["sides"].get("coroscope")
        for name, s in res["sides"].items():
            if name != "coroscope" and c and s["median"]:
                res["ratios"][name] = c["median"] / s["median"]
        for g in m.goals:
            res["goals"].append({"vs": g[0], "op": g[1], "target": g[2], "met": goal_met(m, g, res)})
        results[m.id] = res
    return {"meta": meta(args, subst, time.monotonic() - t_start, notes), "measures": results}


def meta(args, subst, seconds, notes):
    def version(py):
        p = subprocess.run([py, "-c", "import sys; print(sys.version.split()[0])"], capture_output=True, text=True)
        return p.stdout.strip()
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    return {"date": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "host": platform.node(), "cpus": os.cpu_count(),
            "git": rev, "rounds": args.rounds, "seconds": round(seconds, 1), "cpython": version(subst["py"]),
            "uvloop_python": subst["uvpy"], "notes": notes}


# --- printing -------------------------------------------------------------------

def fmt(x, unit):
    if unit == "B" or unit == "B/task":
        for div, suf in ((1e9, " GB"), (1e6, " MB"), (1e3, " kB")):
            if unit == "B" and abs(x) >= div:
                return f"{x / div:.2f}{suf}"
        return f"{x:,.0f} B"
    if unit.endswith("/s"):
        for div, suf in ((1e6, "M"), (1e3, "k")):
            if abs(x) >= div:
                return f"{x / div:.3g}{suf}"
        return f"{x:.3g}"
    if unit == "s":
        return f"{x:.3g} s" if x >= 0.01 else f"{x * 1e3:.3g} ms"
    return f"{x:.3g} {unit}"


def cell(s, unit):
    if not s:
        return "-"
    if s["min"] == s["max"]:
        return fmt(s["median"], unit)
    return f"{fmt(s['median'], unit)} [{fmt(s['min'], unit)}-{fmt(s['max'], unit)}]"


def print_table(data, out=sys.stdout):
    ms = data["measures"]
    peers_seen = []
    for r in ms.values():
        for name in r["sides"]:
            if name != "coroscope" and name not in peers_seen:
                peers_seen.append(name)
    rows = []
    for mid, r in ms.items():
        ratios = ", ".join(f"{r['ratios'][p]:.3g}x {p}" for p in r["ratios"])
        goals = []
        for g in r["goals"]:
            mark = {True: "ok", False: "MISSED", None: "?"}[g["met"]]
            what = "" if g["vs"] == "abs" else f"x {g['vs']}"
            target = fmt(g["target"], r["unit"]) if g["vs"] == "abs" else f"{g['target']:g}"
            goals.append(f"{g['op']} {target}{what} {mark}")
        rows.append([r["title"], cell(r["sides"].get("coroscope"), r["unit"])]
                    + [cell(r["sides"].get(p), r["unit"]) for p in peers_seen] + [ratios, "; ".join(goals)])
    head = ["measure", "coroscope"] + peers_seen + ["ratio (coroscope / peer)", "goal"]
    widths = [max(len(x[i]) for x in rows + [head]) for i in range(len(head))]
    line = lambda cols: "  ".join(c.ljust(w) for c, w in zip(cols, widths)).rstrip()
    m = data["meta"]
    print(f"coroscope bench: {m['rounds']} rounds, median [min-max], {m['seconds']} s; "
          f"CPython {m['cpython']}, git {m['git']}", file=out)
    print(line(head), file=out)
    print(line(["-" * w for w in widths]), file=out)
    for row in rows:
        print(line(row), file=out)
    print_growth(ms, out)
    for n in m["notes"]:
        print(f"note: {n}", file=out)
    for mid, r in ms.items():
        for name, note in r["notes"].items():
            print(f"note: {mid} / {name}: {note}", file=out)


def print_growth(ms, out):
    """Each growth series as time per task at each size: flat is linear."""
    series = {}
    for r in ms.values():
        if "series" in r:
            series.setdefault(r["series"], []).append(r)
    if not series:
        return
    print("\ngrowth: time per task (median), and the largest size's per-task time over the smallest's "
          "(1.0 = linear)", file=out)
    for name, rs in series.items():
        rs.sort(key=lambda r: r["size"])
        parts = []
        for side_name in ("coroscope", "cpython", "uvloop"):
            per = [(r["size"], r["sides"][side_name]["median"] / r["size"]) for r in rs if side_name in r["sides"]]
            if not per:
                continue
            cells = " ".join(f"{p * 1e9:.0f}" for _, p in per)
            parts.append(f"{side_name} {cells} ns ({per[-1][1] / per[0][1]:.2f})")
        print(f"  {name:14} " + "; ".join(parts), file=out)


# --- comparing two runs --------------------------------------------------------------

def compare(old_path, new_path):
    with open(old_path) as f:
        old = json.load(f)["measures"]
    with open(new_path) as f:
        new = json.load(f)["measures"]
    rows = [["measure", "side", "old", "new", "change", ""]]
    for mid, r in new.items():
        o = old.get(mid)
        for name, s in r["sides"].items():
            os_ = o["sides"].get(name) if o else None
            if not os_:
                rows.append([mid, name, "-", fmt(s["median"], r["unit"]), "new", ""])
                continue
            change = (s["median"] / os_["median"] - 1) * 100 if os_["median"] else 0
            better = change > 0 if r["better"] == HIGHER else change < 0
            # Outside the old run's min-max range: likely more than noise.
            outside = s["median"] > os_["max"] or s["median"] < os_["min"]
            flag = ("better" if better else "worse") if outside else ""
            rows.append([mid, name, fmt(os_["median"], r["unit"]), fmt(s["median"], r["unit"]),
                         f"{change:+.1f}%", flag])
    for mid in old:
        if mid not in new:
            rows.append([mid, "", "", "-", "gone", ""])
    widths = [max(len(x[i]) for x in rows) for i in range(len(rows[0]))]
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths)).rstrip())
    print("(a change is flagged better/worse when the new median lies outside the old run's min-max)")


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "compare":
        if len(sys.argv) != 4:
            sys.exit("usage: tools/bench.py compare OLD.json NEW.json")
        for p in sys.argv[2:]:
            if not os.path.exists(p):
                sys.exit(f"bench compare: {p}: no such file (make one with `make bench`)")
        compare(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description="coroscope's benchmark suite (see the top of this file)")
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", 3)))
    ap.add_argument("--only", default=os.environ.get("ONLY", ""),
                    help="comma-separated substrings of measure ids to run (default: all)")
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--json", default=None, help="where the figures go (default BUILD/bench.json)")
    ap.add_argument("--timeout", type=float, default=300, help="seconds one command may take")
    ap.add_argument("--list", action="store_true", help="list the measures and their commands, run nothing")
    ap.add_argument("--verbose", action="store_true", help="say which measure runs, with the time so far")
    args = ap.parse_args()
    if args.list:
        for m in MEASURES:
            print(f"{m.id}: {m.title} [{m.unit}, {m.better} is better]")
            for name, s in m.sides.items():
                print(f"    {name}: {s['cmd']}  -> {s['key']}")
        return
    if args.rounds < 1:
        sys.exit("bench: --rounds must be at least 1")
    data = run_all(args)
    path = args.json or os.path.join(args.build, "bench.json")
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w") as f:
        json.dump(data, f, indent=1)
    print_table(data)
    print(f"figures: {path}")
    failed = [f"{mid} / {n}" for mid, r in data["measures"].items() for n, note in r["notes"].items()
              if note.startswith("failed")]
    if failed:
        print("bench: failed: " + ", ".join(failed), file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
