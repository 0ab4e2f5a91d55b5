#!/bin/sh
# bounded.sh -- no input makes coroscope use memory or time without bound:
# an endless line (`show /dev/zero`) stops at the line limit with the line
# named; `show` and `summary` on a trace with many tasks print a page with
# "N more lanes" / "N more tasks", not a row per task (--json keeps every task
# unless --max-rows is given); the viewer's memory on a 10 MB task name and a 10 MB
# print text stays near the size of the trace (it once spent 57 bytes per byte).
#
# Prints "PASS name" or "FAIL name: why" per case; exits 1 when any failed.
set -u
C=${COROSCOPE:-build/coroscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
. "$(dirname "$0")/../lib.sh"   # run, has

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }

c=show_of_an_endless_line_stops_at_the_limit
run $c 1 "$C" show /dev/zero && has $c err "/dev/zero:1:16777217: line 1 is longer than 16 MiB" &&
    has $c err "--max-line" && pass $c

c=the_line_limit_is_an_option_and_an_environment_variable
run $c 1 "$C" summary --max-line 100 tests/data/gather.jsonl && has $c err "gather.jsonl:1:101: line 1 is longer than 100 bytes" &&
    run $c 1 env COROSCOPE_MAX_LINE=100 "$C" validate tests/data/gather.jsonl && has $c out "line 1 is longer than 100 bytes" && pass $c

c=a_long_line_after_the_header_keeps_what_came_before
{ head -3 tests/data/gather.jsonl; head -c 3000 /dev/zero | tr '\0' x; echo; } >"$tmp/long.jsonl"
run $c 0 "$C" show --max-line 2K --no-color "$tmp/long.jsonl" && has $c err "long.jsonl:4:2049: warning: the line is longer than 2 KiB" &&
    has $c out "Task-1 main" && pass $c

# A trace of 3000 tasks, recorded.
"$C" record swarm --size 1500 -o "$tmp/many.jsonl" >/dev/null 2>&1
tasks=$("$C" summary --json "$tmp/many.jsonl" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["tasks"]))')

c=show_caps_its_rows_and_says_how_many_more
run $c 0 "$C" show --no-color "$tmp/many.jsonl" && has $c out "$((tasks - 200)) more lanes (--all shows every row)" &&
    {
        n=$(wc -l <"$tmp/out")
        if [ "$n" -lt 230 ]; then pass $c; else fail $c "$n lines for $tasks tasks"; fi
    }

c=show_all_and_max_rows_lift_or_set_the_cap
run $c 0 "$C" show --no-color --all "$tmp/many.jsonl" &&
    {
        n=$(grep -c 'worker' "$tmp/out")
        if [ "$n" -ge $((tasks - 1)) ]; then :; else fail $c "--all showed $n of $tasks lanes"; fi
    } && if grep -q "more lane" "$tmp/out"; then fail $c "--all still cut lanes"; false; fi &&
    run $c 0 "$C" show --no-color --max-rows 5 "$tmp/many.jsonl" && has $c out "$((tasks - 5)) more lanes" &&
    run $c 2 "$C" show --max-rows lots "$tmp/many.jsonl" && has $c err "--max-rows takes a whole number" && pass $c

c=summary_caps_its_task_rows_too
run $c 0 "$C" summary "$tmp/many.jsonl" && has $c out "$((tasks - 200)) more tasks (--max-rows N or --all shows more)" &&
    {
        n=$(wc -l <"$tmp/out")
        if [ "$n" -lt 230 ]; then :; else fail $c "$n lines for $tasks tasks"; false; fi
    } &&
    run $c 0 "$C" summary --all "$tmp/many.jsonl" && if grep -q "more task" "$tmp/out"; then
        fail $c "--all still cut rows"; false; fi &&
    run $c 0 "$C" summary --json --max-rows 7 "$tmp/many.jsonl" &&
    [ "$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["tasks"]), d["tasks_left_out"])' "$tmp/out")" = "7 $((tasks - 7))" ] &&
    run $c 2 "$C" summary --max-rows -1 "$tmp/many.jsonl" && has $c err "--max-rows takes a whole number" && pass $c

c=viewer_memory_on_a_10_mb_name_and_print_text_stays_bounded
python3 - "$tmp/big.jsonl" <<'PY'
import json, sys
rows = [{"format": "coroscope-trace", "version": 2, "scenario": "big", "clock": "virtual",
         "semantics": "cpython-3.11", "producer": "bounded.sh"}]
events = [
    {"ev": "task_new", "task": 1, "name": "N" * (10 << 20), "parent": None, "coro": "main", "h": 2},
    {"ev": "step_begin", "task": 1, "h": 2},
    {"ev": "print", "task": 1, "text": "p " * (5 << 20)},
    {"ev": "step_end", "task": 1, "reason": "return"},
    {"ev": "task_done", "task": 1, "outcome": "result", "value": None},
    {"ev": "end", "reason": "complete"},
]
for i, e in enumerate(events):
    rows.append({"seq": i + 1, "t": 0, **e})
open(sys.argv[1], "w").write("".join(json.dumps(r) + "\n" for r in rows))
PY
# The trace itself is 20 MB; the model keeps its strings and a line at a time.
# Peak RSS of the screenshot run, from the kernel's accounting of children.
kib=$(python3 - "$C" "$tmp/big.jsonl" "$tmp/big.png" <<'PY'
import os, resource, subprocess, sys
env = dict(os.environ, SDL_VIDEODRIVER="offscreen")
r = subprocess.run([sys.argv[1], "view", "--screenshot", sys.argv[3], "--size", "1280x800", sys.argv[2]],
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss if r.returncode == 0 else
      "exit %d: %s" % (r.returncode, r.stderr[:300]))
PY
)
case $kib in
'' | *[!0-9]*) fail $c "the screenshot failed: $kib" ;;
*)  # AddressSanitizer's shadow memory and quarantine double the figure.
    case $C in *asan*) max=307200 ;; *) max=153600 ;; esac
    if [ "$kib" -lt $max ]; then pass $c
    else fail $c "peak RSS $((kib / 1024)) MiB for a 20 MB trace (at most $((max / 1024)))"; fi ;;
esac

exit $failed
