#!/bin/sh
# bench.sh -- `make bench`: coroscope's runtime against CPython asyncio, side by
# side in one run, reported as throughputs and ratios. Benchmarks are not tests:
# the machine is shared and noisy, so each figure is the best of three runs.
set -eu
build=${BUILD:-build}
passes=${PASSES:-1000000}
py_passes=${PY_PASSES:-200000}
trace=$(mktemp /tmp/coroscope-bench.XXXXXX.jsonl)
trap 'rm -f "$trace"' EXIT

best() {  # best "passes seconds" rate of three runs of the command
    r=0
    for _ in 1 2 3; do
        out=$("$@") || { echo "bench: '$*' failed" >&2; exit 1; }
        r=$(echo "$out" | awk -v r="$r" '{ x = $1 / $2; print (x > r ? x : r) }')
    done
    echo "$r"
}

echo "coroscope bench: token ping-pong between two tasks over two queues"
echo "  ($passes passes on coroscope, $py_passes on CPython $(python3 -c 'import sys; print(sys.version.split()[0])'); best of 3)"
cpy=$(best python3 tests/bench/pingpong.py "$py_passes")
off=$(best "$build/pingpong" "$passes")
onv=$(best "$build/pingpong" "$passes" "$trace" virtual)
events=$(($(wc -l <"$trace") - 1))
bytes=$(wc -c <"$trace")
onr=$(best "$build/pingpong" "$passes" "$trace" real)
awk -v c="$cpy" -v off="$off" -v onv="$onv" -v onr="$onr" -v ev="$events" -v by="$bytes" -v n="$passes" 'BEGIN {
    printf "  %-40s %12.0f passes/s\n", "CPython asyncio", c
    printf "  %-40s %12.0f passes/s   %6.1fx CPython\n", "coroscope, recording off", off, off / c
    printf "  %-40s %12.0f passes/s   %6.1fx CPython\n", "coroscope, recording on, virtual clock", onv, onv / c
    printf "  %-40s %12.0f passes/s   %6.1fx CPython\n", "coroscope, recording on, real clock", onr, onr / c
    printf "  trace: %d events, %.1f per pass, %.0f bytes per event\n", ev, ev / n, by / ev
}'
