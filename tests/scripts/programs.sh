#!/bin/sh
# programs.sh -- Python programs through the front door: `coroscope record
# PROGRAM.py`, and show / summary / validate / export / view given a .py,
# the checks on python3, and an installed coroscope finding its recorder.
#
# Prints "PASS name" or "FAIL name: why" per case; exits 1 when any failed.
set -u
C=${COROSCOPE:-build/coroscope}
P=tests/data/programs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
. "$(dirname "$0")/../lib.sh"   # run, has
pass() { echo "PASS $1"; }

c=record_a_program_writes_a_trace_that_validates_and_carries_the_program
run $c 0 "$C" record $P/overlap.py -o "$tmp/o.jsonl" -- one two &&
    has $c out "args ['one', 'two']" && has $c out "['b', 'c']" &&
    has $c err "recorded $P/overlap.py:" &&
    run $c 0 "$C" validate "$tmp/o.jsonl" && has $c out "ok (" &&
    python3 - "$tmp/o.jsonl" "$P/overlap.py" <<'PY' && pass $c || { echo "FAIL $c: source event"; failed=1; }
import os, sys
sys.path.insert(0, os.path.join(os.environ.get("ROOT", "."), "tools"))
import tracejson
header, events = tracejson.load(sys.argv[1])
if header["version"] >= 3:          # a recorder that embeds the program
    first = events[0]
    assert first["ev"] == "source" and first["file"] == "overlap.py", first
    assert first["text"] == open(sys.argv[2]).read()
PY

c=record_to_stdout_sends_the_programs_output_to_stderr
run $c 0 "$C" record $P/overlap.py && has $c out '"format":"coroscope-trace"' &&
    has $c err "['b', 'c']" && pass $c

c=show_summary_and_validate_take_a_program
run $c 0 "$C" show --no-color --width 100 $P/overlap.py && has $c out "overlap · $P/overlap.py" &&
    has $c out "Task-1 main" && has $c err "['b', 'c']" &&
    run $c 0 "$C" summary $P/overlap.py && has $c out "overlap ($P/overlap.py)" &&
    run $c 0 "$C" validate $P/overlap.py && has $c out "$P/overlap.py: ok" &&
    run $c 0 "$C" export --format chrome $P/overlap.py -o "$tmp/o.json" &&
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/o.json" && pass $c

c=temporary_traces_are_removed_afterwards
# A directory of its own: other suites running at once write to /tmp too.
mkdir "$tmp/own-tmp"
TMPDIR="$tmp/own-tmp" "$C" show $P/overlap.py >/dev/null 2>&1
left=$(ls -A "$tmp/own-tmp" | wc -l)
[ "$left" -eq 0 ] && pass $c || { echo "FAIL $c: $left files left: $(ls -A "$tmp/own-tmp")"; failed=1; }

c=a_program_that_raises_still_gives_a_trace_and_exit_1
run $c 1 "$C" record $P/fails.py -o "$tmp/f.jsonl" && has $c err "ValueError: boom" &&
    run $c 0 "$C" validate "$tmp/f.jsonl" && pass $c

c=a_syntax_error_is_reported_with_its_line
run $c 1 "$C" record $P/broken.py -o "$tmp/b.jsonl" && has $c err "broken.py:3" && pass $c

c=a_missing_program_is_a_clear_error
run $c 2 "$C" record $P/nowhere.py && has $c err "cannot read program $P/nowhere.py" && pass $c

c=scenario_options_are_refused_for_a_program
run $c 2 "$C" record $P/overlap.py --size 3 && has $c err "--size is for built-in scenarios" &&
    run $c 2 "$C" record gather -- x && has $c err "not a scenario" && pass $c

c=a_missing_python3_gives_the_install_command
COROSCOPE_PYTHON=no-such-python3 run $c 1 "$C" record $P/overlap.py -o "$tmp/x.jsonl" &&
    has $c err "not installed" && has $c err "sudo apt-get install -y python3" && pass $c

c=a_python_older_than_3_11_is_refused_with_the_install_command
cat >"$tmp/oldpy" <<'SH'
#!/bin/sh
# stands in for a python3 older than 3.11: fails the version check
exit 10
SH
chmod +x "$tmp/oldpy"
COROSCOPE_PYTHON="$tmp/oldpy" run $c 1 "$C" record $P/overlap.py -o "$tmp/x.jsonl" &&
    has $c err "older than Python 3.11" && has $c err "apt-get install -y python3.11" && pass $c

c=view_screenshots_a_program
run $c 0 "$C" view --screenshot "$tmp/v.png" --size 1024x640 $P/overlap.py && [ -s "$tmp/v.png" ] &&
    pass $c || { [ "$failed" = 1 ] || { echo "FAIL $c: no picture"; failed=1; }; }

c=an_installed_coroscope_finds_its_recorder
if make -s install DESTDIR="$tmp/root" PREFIX=/usr >"$tmp/install.log" 2>&1; then
    run $c 0 "$tmp/root/usr/bin/coroscope" record $P/overlap.py -o "$tmp/i.jsonl" &&
        has $c err "recorded" && [ -d "$tmp/root/usr/share/coroscope/lessons" ] && pass $c
else
    echo "FAIL $c: make install failed: $(tail -3 "$tmp/install.log")"; failed=1
fi

exit $failed
