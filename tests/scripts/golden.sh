#!/bin/sh
# golden.sh -- every built-in scenario re-records byte-identical to its golden
# trace, and recording the same scenario twice gives the same bytes.
set -u
cs=${COROSCOPE:-build/coroscope}
sh tools/golden.sh check "$cs"
rc=$?
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for name in gather round_robin cancel_cleanup; do
    "$cs" record "$name" -o "$tmp/a.jsonl" >/dev/null 2>&1
    "$cs" record "$name" -o "$tmp/b.jsonl" >/dev/null 2>&1
    if cmp -s "$tmp/a.jsonl" "$tmp/b.jsonl" && [ -s "$tmp/a.jsonl" ]; then
        echo "PASS twice_identical $name"
    else
        echo "FAIL twice_identical $name: two recordings differ"; rc=1
    fi
done
# The golden traces join the ones the suite validates at the end.
if [ -n "${COROSCOPE_TEST_TRACES:-}" ] && [ -d "$COROSCOPE_TEST_TRACES" ]; then
    for f in traces/golden/*.jsonl; do
        cp "$f" "$COROSCOPE_TEST_TRACES/golden-$(basename "$f")"
    done
fi
exit $rc
