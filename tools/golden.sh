#!/bin/sh
# golden.sh -- the golden traces of the built-in scenarios (traces/golden/).
#
#   golden.sh regenerate COROSCOPE   re-record every scenario into traces/golden
#   golden.sh check COROSCOPE        re-record and compare byte for byte
#
# Under the virtual clock a recording is deterministic: the same scenario gives
# the same bytes on every run and every machine, so any difference is a change
# in the runtime's schedule (or in the trace format) and must be looked at.
set -u
mode=${1:?usage: golden.sh regenerate|check COROSCOPE}
cs=${2:-build/coroscope}
dir=traces/golden
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
for name in $("$cs" list | awk '{print $1}'); do
    # Version 3: every line spelled out, so that a change reads as a diff.
    if ! "$cs" record "$name" --trace-version 3 -o "$tmp/$name.jsonl" >/dev/null 2>"$tmp/err"; then
        echo "FAIL golden $name: record failed: $(cat "$tmp/err")"; fail=1; continue
    fi
    if head -1 "$tmp/$name.jsonl" | grep -q '"clock":"real"'; then
        continue   # real sockets, real time: not deterministic, checked by its own tests
    fi
    case $mode in
    regenerate)
        cp "$tmp/$name.jsonl" "$dir/$name.jsonl"
        echo "wrote $dir/$name.jsonl ($(wc -l <"$dir/$name.jsonl") lines)" ;;
    check)
        if [ ! -f "$dir/$name.jsonl" ]; then
            echo "FAIL golden $name: no $dir/$name.jsonl (run make traces)"; fail=1
        elif cmp -s "$tmp/$name.jsonl" "$dir/$name.jsonl"; then
            echo "PASS golden $name"
        else
            echo "FAIL golden $name: the trace differs from $dir/$name.jsonl; first difference:"
            diff "$dir/$name.jsonl" "$tmp/$name.jsonl" | head -6
            echo "  (if the change is intended, run 'make traces' and review the diff)"
            fail=1
        fi ;;
    esac
done
exit $fail
