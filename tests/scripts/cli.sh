#!/bin/sh
# cli.sh -- end-to-end checks of `coroscope show | summary | validate | export`
# on the hand-written traces in tests/data.
#
# Runs $COROSCOPE (default build/coroscope) from the repository root and prints
# "PASS name" or "FAIL name: why" per case; exits 1 when any case failed.
set -u
C=${COROSCOPE:-build/coroscope}
D=tests/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0

if [ ! -x "$C" ]; then
    echo "FAIL cli: $C is not built"
    exit 1
fi

. "$(dirname "$0")/../lib.sh"   # run, has

# lacks CASE out|err TEXT: the output does not hold TEXT.
lacks() {
    if grep -qF -- "$3" "$tmp/$2"; then
        echo "FAIL $1: std$2 holds '$3'"
        failed=1
        return 1
    fi
    return 0
}

pass() { echo "PASS $1"; }

# ---- show -------------------------------------------------------------------

c=show_renders_an_axis_and_one_lane_per_task
run $c 0 "$C" show --no-color --width 100 $D/gather.jsonl &&
    has $c out "time (s)" && has $c out "┼" &&
    has $c out "Task-1 main" && has $c out "  Task-2 job" && has $c out "  Task-4 job" &&
    has $c out "makespan 3 s" && has $c out "'a'" && has $c out "legend:" && pass $c

c=show_lanes_fit_the_requested_width
run $c 0 "$C" show --no-color --ascii --width 60 $D/gather.jsonl &&
    if awk 'length($0) > 60 { exit 1 }' "$tmp/out"; then pass $c
    else echo "FAIL $c: a line is wider than 60 columns"; failed=1; fi

c=show_draws_each_state_with_its_own_character
run $c 0 "$C" show --no-color --ascii --width 80 $D/fail.jsonl $D/cancel.jsonl &&
    has $c out "#---" && has $c out "#!" && has $c out "#/" && has $c out "#+" &&
    has $c out "ValueError: boom" && has $c out "warning: never_retrieved" && lacks $c out "█" &&
    pass $c

c=show_stacks_two_traces_on_one_time_scale
run $c 0 "$C" show --no-color --ascii --width 90 $D/sequential.jsonl $D/gather.jsonl &&
    has $c out "sequential - $D/sequential.jsonl" && has $c out "gather - $D/gather.jsonl" &&
    {
        # Both main tasks finish at 3 s: their done marks must line up.
        seq_col=$(grep -m1 '^Task-1 main' "$tmp/out" | awk '{ print index($0, "+") }')
        gat_col=$(grep '^Task-1 main' "$tmp/out" | sed -n 2p | awk '{ print index($0, "+") }')
        job_col=$(grep '^  Task-3 job' "$tmp/out" | awk '{ print index($0, "+") }')
        if [ "$seq_col" -gt 0 ] && [ "$seq_col" = "$gat_col" ] && [ "$job_col" -lt "$gat_col" ]; then
            pass $c
        else
            echo "FAIL $c: done marks at columns $seq_col / $gat_col / $job_col"; failed=1
        fi
    }

c=show_uses_no_colour_when_piped_and_colour_on_request
run $c 0 "$C" show $D/gather.jsonl && lacks $c out "$(printf '\033[')" &&
    run $c 0 "$C" show --color $D/gather.jsonl && has $c out "$(printf '\033[32m')" && pass $c

c=show_switches_to_an_event_axis_when_no_time_passes
run $c 0 "$C" show --no-color --width 80 $D/round_robin.jsonl &&
    has $c out "event #" && has $c out "  ping" && has $c out "·" && pass $c

c=show_draws_a_cut_trace_and_warns_with_the_line
run $c 0 "$C" show --no-color $D/truncated.jsonl &&
    has $c err "$D/truncated.jsonl:31:25: warning: incomplete last line" &&
    has $c out "cut short" && has $c out "(waiting on sleep(3))" && pass $c

# ---- show: the rest of asyncio ---------------------------------------------------

G=traces/golden

# lane_has CASE LANE TEXT: the output's line starting with LANE holds TEXT.
lane_has() {
    if ! grep -F -- "$2" "$tmp/out" | grep -qF -- "$3"; then
        echo "FAIL $1: no line '$2' holding '$3'; lines: $(grep -F -- "$2" "$tmp/out" | head -3)"
        failed=1
        return 1
    fi
    return 0
}

c=show_brackets_the_lanes_of_a_task_group_and_marks_its_abort
run $c 0 "$C" show --no-color --width 100 $G/taskgroup_fail.jsonl &&
    has $c out "┌ Task-1 main" && has $c out "├   Task-2 job" && has $c out "├   Task-3 fail" &&
    has $c out "├   Task-4 worker" && has $c out "└─ TaskGroup #3 of Task-1: 3 tasks joined · 0 → 2 s" &&
    has $c out "aborted at 2 s (a child failed)" && lane_has $c "┌ Task-1 main" "⚠█✓" &&
    has $c out "⚠ TaskGroup aborts" &&
    run $c 0 "$C" show --no-color --ascii --width 100 $G/taskgroup_fail.jsonl &&
    has $c out "+ Task-1 main" && has $c out ">   Task-2 job" && has $c out "+- TaskGroup #3 of Task-1" &&
    lane_has $c "+ Task-1 main" "-A#+" && lacks $c out "┌" && pass $c

c=show_gives_two_task_groups_sharing_lanes_a_bracket_column_each
run $c 0 "$C" show --no-color --width 110 $D/two_taskgroups.jsonl &&
    has $c out "┌┌ Task-1 main" && has $c out "│├   Task-2 job" && has $c out "│└─ TaskGroup #1001 of Task-1" &&
    has $c out "├    Task-4 job" && has $c out "├┌   Task-6 inner" &&
    has $c out "└┼─ TaskGroup #1002 of Task-1: 3 tasks joined" && has $c out " ├     Task-7 job" &&
    has $c out " └─ TaskGroup #1003 of Task-6" &&
    run $c 0 "$C" show --no-color --ascii --width 60 $D/two_taskgroups.jsonl &&
    if awk 'length($0) > 60 { exit 1 }' "$tmp/out"; then pass $c
    else echo "FAIL $c: a line is wider than 60 columns"; failed=1; fi

c=show_marks_a_fired_timeout_on_its_owner_lane
run $c 0 "$C" show --no-color --width 100 $G/wait_for_timeout.jsonl &&
    lane_has $c "Task-1 main" "░⏱█" && has $c out "⏱ timeout fired" &&
    run $c 0 "$C" show --no-color --ascii --width 100 $G/wait_for_timeout.jsonl &&
    lane_has $c "Task-1 main" "-T#" && has $c out "T timeout fired" && pass $c

c=show_fills_an_io_wait_differently_and_marks_the_poller_ready
run $c 0 "$C" show --no-color --width 80 $D/io_wait.jsonl &&
    lane_has $c "Task-1 main" "█≈≈≈" && lane_has $c "Task-1 main" "≈↑█░░" &&
    has $c out "≈ waiting on I/O" && has $c out "↑ I/O ready" &&
    run $c 0 "$C" show --no-color --ascii --width 80 $D/io_wait.jsonl &&
    lane_has $c "Task-1 main" "#~~~" && lane_has $c "Task-1 main" "~^#--" && pass $c

c=show_without_v2_events_has_no_gutter_and_no_extra_legend
run $c 0 "$C" show --no-color --width 100 $D/gather.jsonl &&
    has $c out "Task-1 main" && lacks $c out "TaskGroup" && lacks $c out "I/O" &&
    if grep -q '^Task-1 main' "$tmp/out"; then pass $c
    else echo "FAIL $c: the lane does not start the line"; failed=1; fi

# ---- summary ----------------------------------------------------------------

c=summary_prints_makespan_steps_idle_and_per_task_times
run $c 0 "$C" summary $D/gather.jsonl &&
    has $c out "makespan          3 s" && has $c out "steps             8" &&
    has $c out "idle              3 s" && has $c out "peak concurrency  4 tasks" &&
    has $c out "result 'b'" && pass $c

c=summary_json_is_machine_readable
run $c 0 "$C" summary --json $D/gather.jsonl &&
    if python3 - "$tmp/out" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
assert s["makespan"] == 3 and s["steps"] == 8 and s["peak_concurrency"] == 4, s
waits = {t["name"]: t["waiting"] for t in s["tasks"]}
assert waits == {"Task-1": 3, "Task-2": 3, "Task-3": 1, "Task-4": 2}, waits
EOF
    then pass $c; else echo "FAIL $c: unexpected JSON: $(head -c 300 "$tmp/out")"; failed=1; fi

# ---- validate ---------------------------------------------------------------

c=validate_says_ok_for_a_good_trace
run $c 0 "$C" validate $D/gather.jsonl && has $c out "$D/gather.jsonl: ok (59 events)" && pass $c

c=validate_lists_each_problem_by_line_and_column_and_exits_1
run $c 1 "$C" validate $D/inconsistent.jsonl &&
    has $c out "$D/inconsistent.jsonl:4:36: step_begin of task 1 (Task-1), which is already running" &&
    has $c out "$D/inconsistent.jsonl:5:2: seq 5 follows 3" &&
    has $c out "$D/inconsistent.jsonl:8:35: task_done twice" &&
    has $c out "$D/inconsistent.jsonl:9:10: time goes backwards" &&
    has $c out "$D/inconsistent.jsonl:11:1: no end event" && pass $c

c=validate_reports_a_cut_line_and_an_unknown_event
run $c 1 "$C" validate $D/truncated.jsonl $D/unknown_event.jsonl $D/gather.jsonl &&
    has $c out "$D/truncated.jsonl:31:25: incomplete last line" &&
    has $c out "$D/unknown_event.jsonl:5:18: unknown event kind \"teleport\"" &&
    has $c out "$D/gather.jsonl: ok" && pass $c

c=validate_rejects_a_newer_format_version
run $c 1 "$C" validate $D/version99.jsonl &&
    has $c out "$D/version99.jsonl:1:29: trace format version 99 is newer" && pass $c

# ---- export -----------------------------------------------------------------

c=export_chrome_writes_trace_events_with_flows
run $c 0 "$C" export --format chrome $D/gather.jsonl -o "$tmp/g.json" &&
    if python3 - "$tmp/g.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
ev = d["traceEvents"]
names = {e["args"]["name"] for e in ev if e["ph"] == "M" and e["name"] == "thread_name"}
assert {"event loop", "Task-1 main", "Task-2 job", "Task-3 job", "Task-4 job"} <= names, names
starts = {e["id"]: e for e in ev if e["ph"] == "s"}
ends = {e["id"]: e for e in ev if e["ph"] == "f"}
assert starts and starts.keys() == ends.keys(), "every flow has a start and an end"
assert all(e.get("bp") == "e" for e in ends.values())
kinds = {e["cat"] for e in starts.values()}
assert {"spawn", "wake"} <= kinds, kinds
# Task-3 (tid 5) woke at 1 s from a callback on the loop thread.
assert any(e["cat"] == "wake" and e["tid"] == 5 and e["ts"] == 1e6 for e in ends.values())
steps = [e for e in ev if e["ph"] == "X" and e["cat"] == "running"]
assert len(steps) == 8, len(steps)
waits = [e for e in ev if e["ph"] == "X" and e["cat"] == "waiting" and e["tid"] == 1]
assert waits and waits[0]["dur"] == 3e6 and waits[0]["name"] == "await gather(3)", waits
EOF
    then pass $c; else echo "FAIL $c: see the python error above"; failed=1; fi

c=export_writes_to_stdout_by_default
run $c 0 "$C" export $D/cancel.jsonl &&
    if python3 -c 'import json,sys; d=json.load(sys.stdin); assert any(e["ph"]=="s" and e["cat"]=="cancel" for e in d["traceEvents"])' <"$tmp/out"
    then pass $c; else echo "FAIL $c: stdout is not the expected JSON"; failed=1; fi

c=export_rejects_an_unknown_format_as_a_usage_error
run $c 2 "$C" export --format pdf $D/gather.jsonl && has $c err "unknown format 'pdf'" && pass $c

# ---- every command: help, bad flags, missing files ----------------------------

for cmd in show summary validate export; do
    c=${cmd}_help_exits_0
    run $c 0 "$C" $cmd --help && has $c out "usage: coroscope $cmd" && pass $c

    c=${cmd}_rejects_an_unknown_flag_with_status_2
    run $c 2 "$C" $cmd --bogus $D/gather.jsonl && has $c err "unknown option '--bogus'" && pass $c

    c=${cmd}_without_a_file_is_a_usage_error
    run $c 2 "$C" $cmd && has $c err "no trace file given" && pass $c

    c=${cmd}_of_a_missing_file_fails_naming_it
    if [ $cmd = validate ]; then where=out; else where=err; fi
    run $c 1 "$C" $cmd $D/no_such_trace.jsonl &&
        has $c $where "$D/no_such_trace.jsonl" && has $c $where "No such file" && pass $c

    c=${cmd}_of_a_bad_header_fails_with_line_and_column
    run $c 1 "$C" $cmd $D/not_a_trace.jsonl &&
        has $c $where "$D/not_a_trace.jsonl:1:2: not a coroscope trace" && pass $c
done

c=show_list_numbers_every_event_in_words
run $c 0 "$C" show --list --width 80 traces/golden/sequential.jsonl &&
    has $c out "sequential.jsonl · 47 events" && has $c out "  #4            0  the loop runs a step of Task-1" &&
    has $c out "  #9          3 s  nothing is ready: the loop waits from 0 s to 3 s for a timer" &&
    [ "$(grep -c '^  #' "$tmp/out")" = 47 ] &&
    [ "$(awk 'length > 80' "$tmp/out" | wc -l)" = 0 ] &&
    run $c 0 "$C" show --list --max-rows 5 traces/golden/sequential.jsonl && has $c out "... 42 more events" && pass $c

exit $failed
