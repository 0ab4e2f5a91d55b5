#!/bin/sh
# run.sh BUILD -- run every test and print one closing "N passed, M failed,
# K skipped" line; every skip is listed above it with its reason, so a skip
# is never mistaken for a pass.
#
# Two kinds of test live here:
#   BUILD/tests/*          Criterion binaries built from tests/unit/*.c
#   tests/scripts/*.sh|py  end-to-end checks (CLI, parity with CPython, golden
#                          traces); each prints "PASS name", "FAIL name: why" or
#                          "SKIP name: why" per case and exits non-zero when
#                          any case failed.
# Set TESTS=pattern to run only the tests whose file name contains pattern.
set -u
build=${1:-build}
export COROSCOPE="$build/coroscope" BUILD="$build"
# The recorder run directly (python3 coroscope_record.py) uses the speedups
# too, as `coroscope record` does; tests/scripts/speedups.py compares it with
# the pure Python (COROSCOPE_SPEEDUPS=0).
[ -d "$build/pyext" ] && COROSCOPE_SPEEDUPS=$(cd "$build/pyext" && pwd) && export COROSCOPE_SPEEDUPS
passed=0
failed=0
skipped=0
log=$(mktemp)
skips=$(mktemp)
# Every trace the tests write is collected here and validated at the end
# (tests/scripts/validate_traces.sh).
COROSCOPE_TEST_TRACES=$(mktemp -d)
export COROSCOPE_TEST_TRACES
trap 'rm -f "$log" "$skips"; rm -rf "$COROSCOPE_TEST_TRACES"' EXIT

for bin in "$build"/tests/*; do
    [ -x "$bin" ] || continue
    case "$bin" in *"${TESTS:-}"*) ;; *) continue ;; esac
    echo "== $(basename "$bin")"
    "$bin" --jobs 2 --verbose >"$log" 2>&1
    rc=$?
    grep '^\[SKIP\]' "$log" | sed "s/^\[SKIP\] /SKIP $(basename "$bin") /" | tee -a "$skips"
    skipped=$((skipped + $(grep -c '^\[SKIP\]' "$log")))
    grep -E 'FAIL|CRASH|Assertion|Warning|Synthesis' "$log" | grep -v 'Synthesis' | head -40
    line=$(grep 'Synthesis' "$log" | tail -1)
    p=$(echo "$line" | sed -n 's/.*Passing: \([0-9]*\).*/\1/p')
    f=$(echo "$line" | sed -n 's/.*Failing: \([0-9]*\).*/\1/p')
    c=$(echo "$line" | sed -n 's/.*Crashing: \([0-9]*\).*/\1/p')
    if [ -z "$p" ]; then
        echo "FAIL $(basename "$bin"): no result (exit $rc)"; tail -20 "$log"; failed=$((failed + 1)); continue
    fi
    echo "   $p passed, $((f + c)) failed"
    passed=$((passed + p)); failed=$((failed + f + c))
    [ "$rc" -ne 0 ] && [ $((f + c)) -eq 0 ] && { echo "FAIL $(basename "$bin"): exit $rc"; failed=$((failed + 1)); }
done

run_script() {
    t=$1
    echo "== $(basename "$t")"
    case "$t" in
        *.py) python3 "$t" >"$log" 2>&1 ;;
        *) sh "$t" >"$log" 2>&1 ;;
    esac
    rc=$?
    p=$(grep -c '^PASS' "$log")
    f=$(grep -c '^FAIL' "$log")
    k=$(grep -c '^SKIP' "$log")
    grep '^SKIP' "$log" >>"$skips"
    grep -v '^PASS' "$log" | head -60
    echo "   $p passed, $f failed$([ "$k" -gt 0 ] && echo ", $k skipped")"
    passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + k))
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $(basename "$t"): exit $rc with no failing case"; failed=$((failed + 1))
    fi
}

for t in tests/scripts/*.sh tests/scripts/*.py; do
    [ -f "$t" ] || continue
    case "$t" in *"${TESTS:-}"*) ;; *) continue ;; esac
    case "$t" in */validate_traces.sh) continue ;; esac
    run_script "$t"
done
# Last: every trace the tests above wrote must pass the validator.
case "tests/scripts/validate_traces.sh" in *"${TESTS:-}"*) run_script tests/scripts/validate_traces.sh ;; esac

if [ "$skipped" -gt 0 ]; then
    echo "skipped:"
    sed 's/^/  /' "$skips"
fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
