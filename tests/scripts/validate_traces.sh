#!/bin/sh
# validate_traces.sh -- every trace the test suite wrote passes the validator.
#
# tests/run.sh points COROSCOPE_TEST_TRACES at an empty directory before the
# suite and runs this script last. Into that directory the unit tests dump
# every trace their tracers saw (tests/unit/trace_dump.h), the parity test
# copies both sides of every comparison (the C runtime's and the CPython
# recorder's), and the golden test copies the golden traces. Each must pass
# `coroscope validate`: one PASS or FAIL line per producer and kind of test.
set -u
cs=${COROSCOPE:-build/coroscope}
case "$cs" in /*) ;; *) cs=$(pwd)/$cs ;; esac
dir=${COROSCOPE_TEST_TRACES:-}
if [ -z "$dir" ] || [ ! -d "$dir" ]; then
    echo "SKIP validate_traces: COROSCOPE_TEST_TRACES names no directory (run through tests/run.sh)"
    exit 0
fi
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
total=0
# Group the files by where they came from: the part of the name before the
# first '-' (test_tasks, parity_c, parity_py, golden ...).
for group in $(ls "$dir" | grep '\.jsonl$' | sed 's/-.*//' | sort -u); do
    n=$(ls "$dir" | grep "^$group-.*\.jsonl\$" | wc -l)
    total=$((total + n))
    if (cd "$dir" && ls | grep "^$group-.*\.jsonl\$" | xargs "$cs" validate -q) >"$out" 2>&1; then
        echo "PASS validate_traces $group ($n traces)"
    else
        echo "FAIL validate_traces $group: $(grep -c ':' "$out") problems in $n traces; the first:"
        head -8 "$out"
        rc=1
    fi
done
if [ "$total" -eq 0 ]; then
    echo "FAIL validate_traces: no trace was written to $dir"
    rc=1
fi
exit $rc
