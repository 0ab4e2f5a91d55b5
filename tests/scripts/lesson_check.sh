#!/bin/sh
# lesson_check.sh -- the curriculum in lessons/ stays correct: `coroscope lesson
# check` on every lesson (it records every program and variant, evaluates every
# query, requires exactly one right option per choice, records each task's
# solution and checks its goal) must say "ok" and nothing else -- a warning,
# such as a wrong option without feedback, fails too. Each lesson's `order:`
# must match its file name's number, and ids must be unique.
#
# Prints "PASS lesson_check FILE" or "FAIL lesson_check FILE: the problems" per
# lesson; exits 1 when any failed or when fewer than 18 lessons are found.
set -u
C=${COROSCOPE:-build/coroscope}
L=lessons
want=18
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
# Progress of `lesson run` is never touched by `lesson check`, but keep any
# state the tool might write out of the user's home.
XDG_STATE_HOME="$tmp/state"
export XDG_STATE_HOME

n=0
for f in "$L"/[0-9][0-9]-*.md; do
    [ -f "$f" ] || continue
    n=$((n + 1))
    "$C" lesson check "$f" >"$tmp/out" 2>&1
    rc=$?
    problems=""
    if [ "$rc" != 0 ]; then
        problems="exit $rc: $(tr '\n' ' ' <"$tmp/out" | head -c 600)"
    elif [ "$(wc -l <"$tmp/out")" != 1 ] || ! grep -q "^$f: ok (" "$tmp/out"; then
        problems="not a clean ok: $(tr '\n' ' ' <"$tmp/out" | head -c 600)"
    fi
    base=$(basename "$f")
    num=$(echo "$base" | sed 's/^\([0-9][0-9]\).*/\1/' | sed 's/^0//')
    order=$(sed -n '2,/^---$/s/^order: *\([0-9]*\).*/\1/p' "$f" | head -1)
    if [ "$order" != "$num" ]; then
        problems="${problems:+$problems; }order is '${order}', the file name says $num"
    fi
    id=$(sed -n '2,/^---$/s/^id: *\([A-Za-z0-9_-]*\).*/\1/p' "$f" | head -1)
    if [ -z "$id" ]; then
        problems="${problems:+$problems; }no id in the front matter"
    elif grep -qx "$id" "$tmp/ids" 2>/dev/null; then
        problems="${problems:+$problems; }id '$id' is used by another lesson too"
    fi
    echo "$id" >>"$tmp/ids"
    if [ -n "$problems" ]; then
        echo "FAIL lesson_check $f: $problems"
        failed=1
    else
        echo "PASS lesson_check $f"
    fi
done

if [ "$n" -lt "$want" ]; then
    echo "FAIL lesson_check $L: $n lessons found, the curriculum has $want"
    failed=1
fi
exit $failed
