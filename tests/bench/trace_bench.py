"""The trace half of `make bench` (tools/bench.py runs it): loading a big
trace and the CPython recorder's overhead, each side printing "key value".

    trace_bench.py load COROSCOPE DIR       `coroscope view --bench` on a swarm
                                            trace of ~1M events: mb_per_s,
                                            bytes_per_event (VmHWM / events),
                                            frame_p95_ms
    trace_bench.py json_lines COROSCOPE DIR the same file read with Python's
                                            json.loads line by line: mb_per_s
    trace_bench.py load_size COROSCOPE DIR N
                                            the same on a swarm trace of N workers
                                            (about 48.5 N events; 50000 and 100000
                                            make 2.4M and 4.9M): load_s,
                                            bytes_per_event, events -- load time
                                            and memory linear to 5M events
    trace_bench.py record COROSCOPE         `coroscope record tasks2000.py`
                                            (2,000 tasks): seconds
    trace_bench.py plain                    python3 tasks2000.py: seconds

Both sides run the same interpreter, this script's own (the recorder's
through COROSCOPE_PYTHON): a python3 on PATH that is a wrapper, such as a
pyenv shim, would otherwise add its start-up to the recorder's side twice
(coroscope checks the interpreter's version, then runs the recorder).

The trace is made once per run in DIR (the bench's scratch directory).
"""
import json
import os
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PROGRAM = os.path.join(HERE, "tasks2000.py")
SWARM = "20000"     # swarm workers: about 970k events, 93 MB


def big_trace(coroscope, directory, size=SWARM):
    name = "swarm-big.jsonl" if size == SWARM else "swarm-%s.jsonl" % size
    path = os.path.join(directory, name)
    if not os.path.exists(path):
        subprocess.run([coroscope, "record", "swarm", "--size", size, "--max-events", "0", "-o", path + ".part"],
                       check=True, capture_output=True)
        os.rename(path + ".part", path)
    return path


def view_bench(coroscope, path):
    """`coroscope view --bench PATH`: load seconds, bytes per event, frame p95, events."""
    out = subprocess.run([coroscope, "view", "--bench", path], check=True, capture_output=True,
                         text=True, env=dict(os.environ, SDL_VIDEODRIVER="dummy")).stdout
    secs = float(re.search(r"load\s+([0-9.]+) s", out).group(1))
    per_event = float(re.search(r"([0-9.]+) bytes per event", out).group(1))
    p95 = float(re.search(r"p95 ([0-9.]+) ms", out).group(1))
    events = int(re.search(r"\(([0-9]+) events", out).group(1))
    return secs, per_event, p95, events


def load(coroscope, directory):
    path = big_trace(coroscope, directory)
    secs, per_event, p95, _ = view_bench(coroscope, path)
    print("mb_per_s %.2f" % (os.path.getsize(path) / secs / 1e6))
    print("bytes_per_event %.1f" % per_event)
    print("frame_p95_ms %.2f" % p95)


def load_size(coroscope, directory, size):
    path = big_trace(coroscope, directory, size)
    secs, per_event, _, events = view_bench(coroscope, path)
    print("load_s %.3f" % secs)
    print("bytes_per_event %.1f" % per_event)
    print("events %d" % events)


def json_lines(coroscope, directory):
    path = big_trace(coroscope, directory)
    loads = json.loads
    size = 0
    t0 = time.perf_counter()
    with open(path, "rb") as f:
        for line in f:
            loads(line)
            size += len(line)
    print("mb_per_s %.2f" % (size / (time.perf_counter() - t0) / 1e6))


def timed(cmd, env=None):
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    print("seconds %.4f" % (time.perf_counter() - t0))


def main(argv):
    what = argv[1] if len(argv) > 1 else ""
    if what == "load" and len(argv) == 4:
        load(argv[2], argv[3])
    elif what == "load_size" and len(argv) == 5:
        load_size(argv[2], argv[3], argv[4])
    elif what == "json_lines" and len(argv) == 4:
        json_lines(argv[2], argv[3])
    elif what == "record" and len(argv) == 3:
        out = os.path.join(os.environ.get("TMPDIR", "/tmp"), "coroscope-bench-rec-%d.jsonl" % os.getpid())
        try:
            timed([argv[2], "record", PROGRAM, "-o", out],
                  env=dict(os.environ, COROSCOPE_PYTHON=sys.executable))
        finally:
            if os.path.exists(out):
                os.unlink(out)
    elif what == "plain" and len(argv) == 2:
        timed([sys.executable, PROGRAM])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main(sys.argv)
