#!/bin/sh
# record.sh -- recordings survive what happens to them: SIGINT and SIGTERM
# mid-run, the --max-events / --max-time limits, memory running out under
# `ulimit -v`, and a full disk. Every trace left behind validates and ends
# with one `end` event saying why; every failure is a non-zero exit with a
# message. Also: every command's output write is checked (`list > /dev/full`,
# `view --screenshot` to /dev/full or past `ulimit -f`: an error with the
# errno, and no partial file left behind).
#
# Prints "PASS name", "FAIL name: why" or "SKIP name: why" per case; exits 1
# when any case failed.
set -u
C=${COROSCOPE:-build/coroscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
. "$(dirname "$0")/../lib.sh"   # run, has

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }

# ends CASE FILE REASON: the trace validates and its last line is `end` with REASON.
ends() {
    if ! "$C" validate -q "$2" >"$tmp/v" 2>&1; then
        fail "$1" "the trace does not validate: $(head -c 300 "$tmp/v")"
        return 1
    fi
    if ! tail -1 "$2" | grep -q "\"ev\":\"end\",\"reason\":\"$3\"}"; then
        fail "$1" "the last line is not an end with reason $3: $(tail -1 "$2" | head -c 200)"
        return 1
    fi
    return 0
}

# interrupt CASE SIGNAL WANT_RC ARGS...: start `record ARGS`, send SIGNAL a second
# into the run (both scenarios used take longer) -- or, with WAIT_LINES=N, once
# $tmp/int.jsonl holds more than N lines (at most 20 s: a busy machine may take
# more than a second to get there) -- and check the exit status it died with.
interrupt() {
    c=$1 sig=$2 want=$3
    shift 3
    "$C" record "$@" >"$tmp/out" 2>"$tmp/err" &
    pid=$!
    sleep 1
    tries=0
    while [ -n "${WAIT_LINES:-}" ] && [ "$tries" -lt 80 ] &&
        [ "$(cat "$tmp/int.jsonl" 2>/dev/null | wc -l)" -le "$WAIT_LINES" ]; do
        sleep 0.25
        tries=$((tries + 1))
    done
    kill "-$sig" "$pid"
    wait "$pid" 2>/dev/null
    rc=$?
    if [ "$rc" != "$want" ]; then
        fail "$c" "exit $rc after SIG$sig, expected $want (killed by the signal); stderr: $(head -c 300 "$tmp/err")"
        return 1
    fi
    return 0
}

# ---- signals ----------------------------------------------------------------

c=sigint_mid_run_closes_the_trace_as_interrupted
rm -f "$tmp/int.jsonl"
interrupt $c INT 130 gather --clock real -o "$tmp/int.jsonl" && ends $c "$tmp/int.jsonl" interrupted &&
    has $c err "interrupted (SIGINT)" && pass $c

c=sigterm_mid_run_flushes_everything_recorded
rm -f "$tmp/int.jsonl"
WAIT_LINES=1000
interrupt $c TERM 143 swarm --size 2000000 --max-events 0 -o "$tmp/int.jsonl" &&
    ends $c "$tmp/int.jsonl" interrupted &&
    has $c err "interrupted (SIGTERM)" &&
    {
        # Every event the recording counted is in the file (the `source`
        # event, the program's text, is not counted), whatever was still
        # buffered when the signal came.
        n=$(wc -l <"$tmp/int.jsonl")
        said=$(sed -n 's/.*interrupted (SIGTERM); \([0-9]*\) events written.*/\1/p' "$tmp/err")
        evs=$(grep -c '"ev":' "$tmp/int.jsonl")
        if [ "$n" -le 1000 ]; then fail $c "only $n lines: what was recorded before the signal was lost"
        elif [ "$evs" != "$((said + 1))" ]; then fail $c "$evs events in the file, $said said written (+ source)"
        else pass $c; fi
    }
WAIT_LINES=

c=sigint_with_the_trace_on_stdout
"$C" record swarm --size 2000000 --max-events 0 >"$tmp/int.jsonl" 2>"$tmp/err" &
pid=$!
sleep 1
kill -INT $pid
wait $pid 2>/dev/null
rc=$?
if [ "$rc" = 130 ]; then ends $c "$tmp/int.jsonl" interrupted && pass $c
else fail $c "exit $rc, expected 130"; fi

# ---- limits -----------------------------------------------------------------

c=max_events_ends_the_trace_with_max_events
run $c 1 "$C" record swarm --size 1000 --max-events 500 -o "$tmp/me.jsonl" && ends $c "$tmp/me.jsonl" max_events &&
    has $c err "stopped after 500 events" && has $c err "--max-events" &&
    {
        # Events are the lines with an "ev" (version 4's "str" lines are none);
        # the program's text is no event.
        n=$(grep '"ev":"' "$tmp/me.jsonl" | grep -vc '"ev":"source"')
        if [ "$n" = 501 ]; then pass $c; else fail $c "$n events, expected 500 and the end"; fi
    }

c=max_time_ends_the_trace_at_the_limit
run $c 1 "$C" record wait --max-time 1.5 -o "$tmp/mt.jsonl" && ends $c "$tmp/mt.jsonl" max_time &&
    has $c err "stopped at 1.5 s of loop time" &&
    {
        t=$(python3 -c 'import sys; sys.path.insert(0, "tools"); import tracejson
print(tracejson.load(sys.argv[1])[1][-1]["t"])' "$tmp/mt.jsonl")
        if [ "$t" = 1.5 ]; then pass $c; else fail $c "the end is at t ${t:-?}, not 1.5"; fi
    }

c=limits_of_zero_lift_them
run $c 0 "$C" record gather --max-events 0 --max-time 0 --trace-version 3 -o "$tmp/z.jsonl" &&
    ends $c "$tmp/z.jsonl" complete &&
    if cmp -s "$tmp/z.jsonl" traces/golden/gather.jsonl; then pass $c; else fail $c "not the golden trace"; fi

c=limit_options_reject_what_is_not_a_number
run $c 2 "$C" record gather --max-events -3 && has $c err "--max-events takes a whole number" &&
    run $c 2 "$C" record gather --max-time soon && has $c err "--max-time takes a number of seconds" && pass $c

# ---- memory -------------------------------------------------------------------

c=out_of_memory_is_a_memory_error_and_a_valid_trace
case " ${SAN:-} $(basename "$(dirname "$C")") " in
*asan*) echo "SKIP $c: AddressSanitizer reserves terabytes of address space, so ulimit -v cannot apply" ;;
*)
    # The smallest address space the recorder starts in, plus room for a few
    # thousand tasks: swarm then runs out of memory for its task stacks.
    lim=20000
    while [ $lim -lt 400000 ] && ! (ulimit -v $lim; "$C" record gather -o "$tmp/x.jsonl" >/dev/null 2>&1); do
        lim=$((lim + 10000))
    done
    lim=$((lim + 60000))
    (ulimit -v $lim; "$C" record swarm --size 200000 -o "$tmp/mem.jsonl" >"$tmp/out" 2>"$tmp/err")
    rc=$?
    if [ "$rc" != 1 ]; then fail $c "exit $rc under ulimit -v $lim, expected 1; $(head -c 300 "$tmp/err")"
    else has $c err "MemoryError" && ends $c "$tmp/mem.jsonl" error && pass $c; fi
    ;;
esac

# ---- full disks ---------------------------------------------------------------

c=a_trace_to_a_full_disk_is_an_error
run $c 1 "$C" record gather -o /dev/full && has $c err "No space left on device" && pass $c

c=list_to_a_full_disk_is_an_error
run $c 1 sh -c "\"$C\" list >/dev/full" && has $c err "cannot write the output: No space left on device" && pass $c

c=export_to_a_full_disk_is_an_error
run $c 1 "$C" export tests/data/gather.jsonl -o /dev/full && has $c err "No space left on device" && pass $c

c=a_screenshot_to_dev_full_is_an_error
run $c 1 env SDL_VIDEODRIVER=offscreen "$C" view --screenshot /dev/full --size 640x400 tests/data/gather.jsonl &&
    has $c err "cannot write /dev/full: No space left on device" && pass $c

c=a_screenshot_past_the_file_size_limit_leaves_no_partial_file
(trap '' XFSZ; ulimit -f 8; env SDL_VIDEODRIVER=offscreen "$C" view --screenshot "$tmp/cut.png" --size 1280x800 \
    tests/data/gather.jsonl >"$tmp/out" 2>"$tmp/err")
rc=$?
if [ "$rc" != 1 ]; then fail $c "exit $rc, expected 1"
elif [ -e "$tmp/cut.png" ]; then fail $c "a partial PNG was left behind"
else has $c err "File too large (the partial file was removed)" && pass $c; fi

c=svg_pictures_and_exports_check_their_writes_too
(trap '' XFSZ; ulimit -f 2; env SDL_VIDEODRIVER=offscreen "$C" view --screenshot "$tmp/cut.svg" --size 1280x800 \
    tests/data/gather.jsonl >"$tmp/out" 2>"$tmp/err")
rc=$?
if [ "$rc" != 1 ]; then fail $c "exit $rc, expected 1"
elif [ -e "$tmp/cut.svg" ]; then fail $c "a partial SVG was left behind"
else has $c err "File too large (the partial file was removed)" &&
    run $c 1 "$C" export --format svg tests/data/gather.jsonl -o /dev/full && has $c err "No space left on device" &&
    pass $c; fi

exit $failed
