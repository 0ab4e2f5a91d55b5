#!/bin/sh
# lint.sh -- `coroscope lint` (the findings in the terminal, with an exit status
# a CI job can gate on) and `coroscope show --code` (the program the trace
# carries, with where each task suspended and for how long).
#
# Prints "PASS name" or "FAIL name: why" per case; exits 1 when any failed.
set -u
C=${COROSCOPE:-build/coroscope}
D=tests/data
G=traces/golden
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
. "$(dirname "$0")/../lib.sh"   # run, has
pass() { echo "PASS $1"; }
lacks() {
    if grep -qF -- "$3" "$tmp/$2"; then echo "FAIL $1: $2 holds '$3'"; failed=1; return 1; fi
    return 0
}
# no_escapes CASE FILE: no ESC (0x1b) and no C1 CSI (0xc2 0x9b) bytes in $tmp/FILE.
no_escapes() {
    if od -An -tx1 -v "$tmp/$2" | tr -s ' \n' '\n\n' | grep -qx '1b'; then
        echo "FAIL $1: $2 holds a raw ESC byte"; failed=1; return 1
    fi
    if od -An -tx1 -v "$tmp/$2" | tr -d ' \n' | grep -q 'c29b'; then
        echo "FAIL $1: $2 holds a raw C1 CSI"; failed=1; return 1
    fi
    return 0
}

"$C" record sequential -o "$tmp/seq.jsonl" >/dev/null 2>&1

c=lint_reports_sequential_awaits_with_figures_and_explanation_and_exits_1
run $c 1 "$C" lint "$tmp/seq.jsonl" && has $c out "Awaits that could run concurrently" &&
    has $c out "6 s in all; together they would take about 3 s" &&
    has $c out "job('a', 3) 3 s + job('b', 1) 1 s + job('c', 2) 2 s = 6 s" &&
    has $c out "asyncio.gather(...)" && has $c out "1 finding" && pass $c

c=lint_is_quiet_and_exits_0_without_findings
run $c 0 "$C" lint $G/gather.jsonl && [ ! -s "$tmp/out" ] && pass $c ||
    { [ "$failed" = 1 ] || { echo "FAIL $c: printed $(head -c 200 "$tmp/out")"; failed=1; }; }

c=lint_names_the_program_line_of_a_stall
run $c 1 "$C" lint --brief $G/blocking_call.jsonl && has $c out "blocking_call.py:16: Loop stall:" &&
    has $c out "held the loop for 2 s" && has $c out "|" && lacks $c out "The event loop runs one handle" && pass $c

c=lint_json_gives_one_object_per_finding
run $c 1 "$C" lint --json $G/blocking_call.jsonl "$tmp/seq.jsonl" &&
    python3 - "$tmp/out" <<'PY' && pass $c || { echo "FAIL $c: $(head -c 300 "$tmp/out")"; failed=1; }
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
kinds = sorted(r["kind"] for r in rows)
assert kinds == ["loop_stall", "sequential_awaits"], kinds
stall = [r for r in rows if r["kind"] == "loop_stall"][0]
assert stall["src"] == "blocking_call.py:16" and stall["task"] == "Task-1", stall
PY

c=lint_exits_2_on_a_file_that_is_not_a_trace
run $c 2 "$C" lint $D/not_a_trace.jsonl && has $c err "not_a_trace.jsonl" && pass $c

c=lint_output_cannot_drive_the_terminal
run $c 1 "$C" lint $D/escape_names.jsonl && has $c out '\x1b]0;pwned\x07Task-1' &&
    has $c out 'main\x9b2J' && no_escapes $c out && pass $c

c=show_code_puts_each_suspension_beside_its_line
run $c 0 "$C" show --code --width 100 $G/gather.jsonl &&
    has $c out "── gather.py · where each task suspended" && has $c out "   in $G/gather.jsonl" &&
    has $c out "6      await asyncio.sleep(delay)" &&
    has $c out "│ Task-2 0 s → 3 s (3 s)" && has $c out "│ Task-3 0 s → 1 s (1 s)" &&
    has $c out "│ Task-1 0 s → 3 s (3 s)" && pass $c

c=show_code_says_how_a_wait_ended_and_sums_up_many
run $c 0 "$C" show --code --width 160 $G/cancel_cleanup.jsonl && has $c out "(1 s, then CancelledError)" &&
    run $c 0 "$C" show --code --width 120 $G/round_robin.jsonl && has $c out "Task-2 ×3, 0 s each" && pass $c

c=show_code_fits_80_columns
run $c 0 "$C" show --code --width 80 $G/semaphore_downloads.jsonl &&
    python3 - "$tmp/out" <<'PY' && pass $c || { echo "FAIL $c"; failed=1; }
import sys
wide = [l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if len(l) > 80]
assert not wide, wide[:2]
PY

c=show_code_refuses_a_trace_without_source
run $c 1 "$C" show --code $D/gather.jsonl && has $c err "carries no source code" && pass $c

c=show_code_output_cannot_drive_the_terminal
run $c 0 "$C" show --code $D/escape_names.jsonl && no_escapes $c out && pass $c

exit $failed
