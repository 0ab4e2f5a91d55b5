#!/bin/sh
# viewer.sh -- end-to-end checks of `coroscope view`, with no display needed:
# offscreen screenshots probed pixel by pixel where the layout says things are,
# the terminal fallback without a display, clear failures on bad files, the
# benchmark, and (when Xvfb and xdotool are installed) a real window that opens,
# takes keys and quits.
#
# `view --screenshot F.png --layout-dump F.txt` writes the frame and its draw
# commands ("rect X Y W H #rrggbb TAG SUB run=R ref=N [ghost]"); a probe picks a command
# from the dump and reads the PNG pixel at its centre with ImageMagick.
#
# Runs $COROSCOPE (default build/coroscope) from the repository root and prints
# "PASS name" or "FAIL name: why" per case ("SKIP name: why" when a tool is
# missing); exits 1 when any case failed.
set -u
C=${COROSCOPE:-build/coroscope}
D=tests/data
tmp=$(mktemp -d)
failed=0
xvfb_pid=

cleanup() {
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

if [ ! -x "$C" ]; then
    echo "FAIL viewer: $C is not built"
    exit 1
fi

. "$(dirname "$0")/../lib.sh"   # run, has

fail() {
    echo "FAIL $1: $2"
    failed=1
    return 1
}

pass() { echo "PASS $1"; }

have_magick=1
command -v convert >/dev/null 2>&1 || have_magick=0

# pixel PNG X Y: the pixel's colour as rrggbb (lower case).
pixel() {
    convert "$1" -format "%[hex:p{$2,$3}]" info: 2>/dev/null | cut -c1-6 | tr 'A-F' 'a-f'
}

# probe CASE PNG DUMP PATTERN [FRACTION]: the first dump line matching PATTERN
# (an extended regex) must be a rect whose colour shows in the PNG at FRACTION
# of its width (default 0.5) and half its height.
probe() {
    line=$(grep -E -m1 -- "$4" "$3")
    if [ -z "$line" ]; then
        fail "$1" "no draw command matches '$4'"
        return 1
    fi
    set -- "$1" "$2" "$line" "${5:-0.5}"
    x=$(echo "$3" | awk -v f="$4" '{printf "%d", $2 + $4 * f}')
    y=$(echo "$3" | awk '{printf "%d", $3 + $5 / 2}')
    want=$(echo "$3" | awk '{print substr($6, 2)}')
    got=$(pixel "$2" "$x" "$y")
    if [ "$got" != "$want" ]; then
        fail "$1" "pixel ($x,$y) is #$got, the layout drew #$want there: $3"
        return 1
    fi
    return 0
}

# ---- screenshots ---------------------------------------------------------------

c=headline_screenshot_is_written_at_the_asked_size
if run $c 0 "$C" view --scenario sequential gather wait as_completed --size 1600x1000 \
    --screenshot "$tmp/head.png" --layout-dump "$tmp/head.txt"; then
    if [ ! -s "$tmp/head.png" ]; then
        fail $c "no PNG written"
    elif [ $have_magick = 1 ] && [ "$(convert "$tmp/head.png" -format '%w %h' info:)" != "1600 1000" ]; then
        fail $c "size is $(convert "$tmp/head.png" -format '%w %h' info:)"
    else
        pass $c
    fi
fi

if [ $have_magick = 0 ]; then
    echo "SKIP pixel probes: ImageMagick's convert is not installed"
else
    c=a_waiting_span_has_the_waiting_colour_where_the_layout_put_it
    probe $c "$tmp/head.png" "$tmp/head.txt" '^rect .* span waiting run=1 ' 0.8 && pass $c

    c=a_running_step_has_the_running_colour_where_the_layout_put_it
    probe $c "$tmp/head.png" "$tmp/head.txt" '^rect .* (span|merged) running run=1 ' && pass $c

    c=the_loop_lane_shows_an_idle_wait
    probe $c "$tmp/head.png" "$tmp/head.txt" '^rect .* loopseg idle run=0 ' 0.6 && pass $c

    c=the_sequential_frames_are_drawn_in_their_sub_row
    probe $c "$tmp/head.png" "$tmp/head.txt" '^rect .* frame - run=0 ' 0.7 && pass $c

    c=the_playhead_line_is_drawn
    probe $c "$tmp/head.png" "$tmp/head.txt" '^rect .* #d4380d playhead ' && pass $c

    c=each_trace_has_a_title_row_with_its_figures
    if has $c head.txt "text=makespan 6 s" && has $c head.txt "2.00× faster than sequential"; then
        pass $c
    fi

    c=the_step_view_spreads_a_zero_time_step_over_many_pixels
    if run $c 0 "$C" view --scenario gather --steps --size 1280x800 --screenshot "$tmp/step.png" \
        --layout-dump "$tmp/step.txt"; then
        w=$(grep -E -m1 '^rect .* span running run=0 ' "$tmp/step.txt" | awk '{printf "%d", $4}')
        if [ -z "$w" ] || [ "$w" -lt 8 ]; then
            fail $c "running span is ${w:-not} drawn ${w:+px wide}"
        else
            probe $c "$tmp/step.png" "$tmp/step.txt" '^rect .* span running run=0 ' && pass $c
        fi
    fi

    c=at_a_time_the_future_is_dimmed
    if run $c 0 "$C" view --scenario gather --at 1.5 --size 1280x800 --screenshot "$tmp/at.png" \
        --layout-dump "$tmp/at.txt"; then
        probe $c "$tmp/at.png" "$tmp/at.txt" '^rect .* span waiting run=0 ref=[0-9]+ ghost' 0.7 && pass $c
    fi
fi

# ---- the rest of asyncio: task groups, timeouts, I/O waits ---------------------------

c=a_task_group_gets_a_bracket_a_band_and_a_label
if run $c 0 "$C" view traces/golden/taskgroup_fail.jsonl --size 1600x900 --screenshot "$tmp/tg.png" \
    --layout-dump "$tmp/tg.txt"; then
    if has $c tg.txt " group bracket run=0 " && has $c tg.txt " group band run=0 " &&
        has $c tg.txt " group aborting run=0 " && has $c tg.txt "text=TaskGroup" && has $c tg.txt "text=aborted" &&
        has $c tg.txt " marker group_abort "; then
        if [ $have_magick = 1 ]; then
            probe $c "$tmp/tg.png" "$tmp/tg.txt" '^rect .* #c85a00 group bracket run=0 ' && pass $c
        else
            pass $c
        fi
    fi
fi

c=a_fired_timeout_gets_its_marker_and_deadline_tick
if run $c 0 "$C" view traces/golden/wait_for_timeout.jsonl --size 1600x900 --screenshot "$tmp/to.png" \
    --layout-dump "$tmp/to.txt"; then
    if has $c to.txt " marker timeout_fire run=0 " && has $c to.txt " deadline fired run=0 " &&
        has $c to.txt "text=timeout fired"; then
        if [ $have_magick = 1 ]; then
            probe $c "$tmp/to.png" "$tmp/to.txt" '^rect .* deadline fired run=0 ' && pass $c
        else
            pass $c
        fi
    fi
fi

c=an_io_wait_has_its_own_colour
if run $c 0 "$C" view "$D/io_wait.jsonl" --size 1600x900 --screenshot "$tmp/io.png" --layout-dump "$tmp/io.txt"; then
    if has $c io.txt "#93d9ce span waiting run=0 " && has $c io.txt "text=waiting on I/O" &&
        has $c io.txt " marker io_ready run=0 "; then
        if [ $have_magick = 1 ]; then
            probe $c "$tmp/io.png" "$tmp/io.txt" '^rect .* #93d9ce span waiting run=0 ' 0.7 && pass $c
        else
            pass $c
        fi
    fi
fi

c=a_job_waiting_for_a_free_worker_is_drawn_on_the_queue_lane
if run $c 0 "$C" view "$D/executor_queue.jsonl" --size 1280x800 --screenshot "$tmp/eq.png" \
    --layout-dump "$tmp/eq.txt"; then
    if has $c eq.txt " job_queue - run=0 " && has $c eq.txt "text=fetch() waits · 2 busy" &&
        has $c eq.txt "text=queued for a worker"; then
        if [ $have_magick = 1 ]; then
            probe $c "$tmp/eq.png" "$tmp/eq.txt" '^rect .* #f5dabe job_queue - run=0 ' 0.3 && pass $c
        else
            pass $c
        fi
    fi
fi

c=the_executor_job_scenario_shows_its_third_job_queued
run $c 0 "$C" view --scenario executor_job --size 1280x800 --screenshot "$tmp/ej.png" --layout-dump "$tmp/ej.txt" &&
    has $c ej.txt "text=blocking_io() waits · 2 busy" && pass $c

c=the_echo_servers_sub_millisecond_io_waits_show_when_fitted
# A real-clock recording: on a loaded machine one long stall can squeeze every
# wait into a few pixels at zoom-to-fit, so a recording gets three tries.
n=0
recorded=0
for try in 1 2 3; do
    "$C" record echo_server -o "$tmp/echo.jsonl" >/dev/null 2>&1 || continue
    recorded=1
    run $c 0 "$C" view "$tmp/echo.jsonl" --size 1600x900 --screenshot "$tmp/echo.png" \
        --layout-dump "$tmp/echo.txt" || break
    n=$(grep -E '^rect .* #93d9ce span waiting run=0 ' "$tmp/echo.txt" | awk '$4 >= 8' | wc -l)
    [ "$n" -ge 4 ] && break
done
if [ $recorded = 0 ]; then
    echo "SKIP $c: echo_server could not be recorded here (no loopback sockets?)"
elif [ "$n" -ge 4 ]; then
    pass $c
else
    fail $c "$n I/O waits at least 8 pixels wide at zoom-to-fit, expected 4 or more (3 recordings)"
fi

c=a_truncated_trace_shows_a_warning_with_its_line_number
if run $c 0 "$C" view "$D/truncated.jsonl" --screenshot "$tmp/cut.png" --layout-dump "$tmp/cut.txt"; then
    if grep -q '^text .* warning .*line [0-9]' "$tmp/cut.txt"; then
        pass $c
    else
        fail $c "no warning text with a line number in the frame"
    fi
fi

c=the_help_overlay_can_be_pictured
run $c 0 "$C" view "$D/gather.jsonl" --help-overlay --screenshot "$tmp/help.png" --layout-dump "$tmp/help.txt" &&
    has $c help.txt "play / pause" && pass $c

c=a_big_ui_scale_still_renders
run $c 0 "$C" view "$D/gather.jsonl" --scale 2 --size 1280x800 --screenshot "$tmp/big.png" && pass $c

# ---- the code beside the timeline ------------------------------------------------------

c=the_source_panel_shows_the_program_and_marks_the_waiting_tasks
if run $c 0 "$C" view traces/golden/gather.jsonl --size 1600x1000 --at 1 --screenshot "$tmp/code.png" \
    --layout-dump "$tmp/code.txt"; then
    if has $c code.txt "text=Code — gather.py" && has $c code.txt "text=async" &&
        has $c code.txt " code task run=0 "; then
        if [ $have_magick = 1 ]; then
            probe $c "$tmp/code.png" "$tmp/code.txt" '^rect .* code task run=0 ' && pass $c
        else
            pass $c
        fi
    fi
fi

c=a_trace_without_source_has_no_source_panel
run $c 0 "$C" view "$D/gather.jsonl" --size 1600x1000 --screenshot "$tmp/nocode.png" --layout-dump "$tmp/nocode.txt" &&
    if grep -q " code " "$tmp/nocode.txt"; then fail $c "a source panel for a version-1 trace"; else pass $c; fi

# ---- pictures for slides: SVG ------------------------------------------------------

# xml_check CASE FILE CODE: FILE parses as XML and the Python expression CODE
# (with `root`, the parsed <svg>, and `texts`, every <text>'s content) holds.
xml_check() {
    if python3 - "$2" "$3" >"$tmp/xml.err" 2>&1 <<'PY'
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
ns = "{http://www.w3.org/2000/svg}"
texts = [t.text or "" for t in root.iter(ns + "text")]
rects = [r.attrib for r in root.iter(ns + "rect")]
if not eval("(" + sys.argv[2] + ")"):
    sys.exit("does not hold: " + sys.argv[2] + "; texts: " + repr(texts[:40]))
PY
    then
        return 0
    fi
    fail "$1" "$(tail -c 400 "$tmp/xml.err")"
    return 1
}

c=a_screenshot_to_svg_is_the_frame_as_vector_shapes_and_text
if run $c 0 "$C" view --scenario sequential gather --size 1280x800 --screenshot "$tmp/frame.svg"; then
    xml_check $c "$tmp/frame.svg" 'root.get("width") == "1280" and root.get("height") == "800" and
any("makespan 6 s" in t for t in texts) and any("2.00× faster" in t for t in texts) and
any(r.get("fill") == "#5fa710" for r in rects) and any("The loop at the playhead" in t for t in texts)' && pass $c
fi

c=export_svg_draws_the_timeline_alone_as_tall_as_its_lanes
if run $c 0 "$C" export --format svg "$D/gather.jsonl" -o "$tmp/g.svg" &&
    "$C" record swarm --size 40 -o "$tmp/s40.jsonl" >/dev/null 2>&1 &&
    run $c 0 "$C" export --format svg "$tmp/s40.jsonl" -o "$tmp/s40.svg"; then
    xml_check $c "$tmp/g.svg" 'all(any(t.startswith(n) for t in texts) for n in ("Task-1", "Task-2", "Task-3", "Task-4"))
and not any("The loop at the playhead" in t or "step:" in t or "filter" in t for t in texts)
and any(t == "running" for t in texts)' &&
        h1=$(sed -n 's/.*<svg[^>]* height="\([0-9]*\)".*/\1/p' "$tmp/g.svg") &&
        h2=$(sed -n 's/.*<svg[^>]* height="\([0-9]*\)".*/\1/p' "$tmp/s40.svg") &&
        if [ "${h2:-0}" -gt $((${h1:-0} + 1000)) ]; then pass $c; else fail $c "41 lanes: ${h2:-?} px, 4 lanes: ${h1:-?} px"; fi
fi

c=an_svg_keeps_hostile_text_harmless
printf '%s\n' '{"format":"coroscope-trace","version":2,"scenario":"x","clock":"virtual","semantics":"cpython-3.11","producer":"test"}' \
    '{"seq":1,"t":0.0,"ev":"task_new","task":1,"name":"evil\u001b[31m<b>&\"\u0007","parent":null,"coro":"main","h":2}' \
    '{"seq":2,"t":0.0,"ev":"step_begin","task":1,"h":2}' \
    '{"seq":3,"t":0.0,"ev":"step_end","task":1,"reason":"return"}' \
    '{"seq":4,"t":0.0,"ev":"task_done","task":1,"outcome":"result","value":"</svg>"}' \
    '{"seq":5,"t":0.0,"ev":"end","reason":"complete"}' >"$tmp/evil.jsonl"
if run $c 0 "$C" export --format svg "$tmp/evil.jsonl" -o "$tmp/evil.svg"; then
    if LC_ALL=C grep -q "$(printf '\033')" "$tmp/evil.svg"; then
        fail $c "an escape character reached the SVG"
    else
        xml_check $c "$tmp/evil.svg" 'any("evil" in t and "<b>&" in t for t in texts)' && pass $c
    fi
fi

c=export_refuses_an_unknown_format
run $c 2 "$C" export --format pdf "$D/gather.jsonl" && has $c err "known: chrome, svg" && pass $c

# ---- failures and fallbacks -------------------------------------------------------

c=an_unreadable_file_fails_clearly
run $c 1 "$C" view --screenshot "$tmp/x.png" "$tmp/no-such-file.jsonl" && has $c err "no-such-file.jsonl" && pass $c

c=a_file_that_is_not_a_trace_fails_clearly
run $c 1 "$C" view --screenshot "$tmp/x.png" "$D/not_a_trace.jsonl" && has $c err "not a coroscope trace" && pass $c

c=an_unknown_scenario_fails_clearly
run $c 1 "$C" view --scenario no_such_thing --screenshot "$tmp/x.png" && has $c err "unknown scenario" && pass $c

c=an_unknown_option_is_a_usage_error
run $c 2 "$C" view --frobnicate "$D/gather.jsonl" && pass $c

c=help_explains_the_keys_and_flags
run $c 0 "$C" view --help && has $c out "--screenshot" && has $c out "--scenario" && pass $c

c=without_a_display_the_terminal_comparison_is_printed
run $c 0 env -u DISPLAY -u WAYLAND_DISPLAY "$C" view --scenario sequential gather &&
    has $c err "no display" && has $c out "sequential" && has $c out "gather" && pass $c

c=with_a_display_that_does_not_answer_the_terminal_comparison_is_printed
n=150
while [ -e "/tmp/.X$n-lock" ] || [ -e "/tmp/.X11-unix/X$n" ]; do n=$((n + 1)); done
run $c 0 env -u WAYLAND_DISPLAY DISPLAY=":$n" ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
    timeout 60 "$C" view --scenario gather &&
    has $c err "no display" && has $c out "gather" && pass $c

# ---- the benchmark -----------------------------------------------------------------

c=the_benchmark_reports_load_memory_and_frame_times
if "$C" record swarm --size 300 -o "$tmp/swarm.jsonl" >/dev/null 2>&1; then
    run $c 0 "$C" view --bench "$tmp/swarm.jsonl" && has $c out "load" && has $c out "peak memory" &&
        has $c out "p95" && pass $c
else
    fail $c "could not record the swarm scenario"
fi

c=a_big_trace_opens_with_its_overview_and_minimap
if run $c 0 "$C" view --size 1280x800 --screenshot "$tmp/swarm.png" --layout-dump "$tmp/swarm.txt" "$tmp/swarm.jsonl"; then
    if has $c swarm.txt "text=peak 301" && has $c swarm.txt "text=all lanes" &&
        grep -q '^frame .* overview window ' "$tmp/swarm.txt" && grep -q '^frame .* minimap window ' "$tmp/swarm.txt"; then
        if [ $have_magick = 1 ]; then
            probe $c "$tmp/swarm.png" "$tmp/swarm.txt" '^rect .* overview waiting ' &&
                has $c swarm.txt "minimap cell run=0 ref=2" && pass $c
        else
            pass $c
        fi
    else
        fail $c "the dump lacks the overview's caption or a window mark"
    fi
fi

# ---- a real window -------------------------------------------------------------------

c=a_window_opens_takes_keys_and_quits
if command -v Xvfb >/dev/null 2>&1 && command -v xdotool >/dev/null 2>&1; then
    n=90
    while [ -e "/tmp/.X$n-lock" ] && [ $n -lt 120 ]; do n=$((n + 1)); done
    Xvfb ":$n" -screen 0 1280x800x24 >/dev/null 2>&1 &
    xvfb_pid=$!
    sleep 1
    # Under `make asan`, leak checking stays off for a real window: X11, D-Bus and
    # the GL driver SDL loads keep memory they never free (not coroscope's).
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        DISPLAY=":$n" "$C" view --scenario gather >"$tmp/win.out" 2>"$tmp/win.err" &
    view_pid=$!
    win=
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        win=$(DISPLAY=":$n" xdotool search --name coroscope 2>/dev/null | head -1)
        [ -n "$win" ] && break
        sleep 0.5
    done
    if [ -z "$win" ]; then
        kill "$view_pid" 2>/dev/null
        fail $c "no window appeared; stderr: $(head -c 300 "$tmp/win.err")"
    else
        DISPLAY=":$n" xdotool key --window "$win" Home Right Right t space space h Escape q
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$view_pid" 2>/dev/null || break
            sleep 0.3
        done
        if kill -0 "$view_pid" 2>/dev/null; then
            kill "$view_pid"
            fail $c "the viewer did not quit on Q"
        else
            wait "$view_pid"
            rc=$?
            [ $rc = 0 ] && pass $c || fail $c "exit $rc; stderr: $(head -c 300 "$tmp/win.err")"
        fi
    fi
    kill "$xvfb_pid" 2>/dev/null
    xvfb_pid=
else
    echo "SKIP $c: Xvfb or xdotool is not installed"
fi

exit $failed
