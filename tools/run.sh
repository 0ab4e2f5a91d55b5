#!/bin/sh
# run.sh -- `make run`: the headline comparison. The same three jobs (a=3 s,
# b=1 s, c=2 s) run four ways -- sequential awaits, gather, wait, as_completed --
# recorded and opened side by side in the viewer; without a display, drawn
# stacked on one time axis in the terminal instead.
set -eu
cs=${1:-build/coroscope}
out=build/run
mkdir -p "$out"
files=""
for name in sequential gather wait as_completed; do
    "$cs" record "$name" -o "$out/$name.jsonl" >/dev/null 2>&1 || {
        echo "make run: recording $name failed:" >&2
        "$cs" record "$name" -o "$out/$name.jsonl" >/dev/null
        exit 1
    }
    files="$files $out/$name.jsonl"
done
echo "recorded the headline comparison into $out/ (coroscope record NAME -o FILE)"
# shellcheck disable=SC2086
exec "$cs" view $files
