#!/bin/sh
# lesson_view.sh -- the viewer's lesson mode: headless frames of a lesson at a
# chosen block (`lesson run --screenshot F --layout-dump F --block ID`) whose
# draw commands prove that nothing of the outcome is shown before an answer,
# that an answer gets its feedback and a reveal pauses at its key event; and a
# real window under Xvfb, taken with the keyboard (choose, answer, next), that
# prints the score when closed.
#
# Prints "PASS name" or "FAIL name: why" per case; exits 1 when any failed.
set -u
C=${COROSCOPE:-build/coroscope}
L=tests/data/lessons
tmp=$(mktemp -d)
xvfb_pid=
cleanup() {
    [ -n "$xvfb_pid" ] && kill "$xvfb_pid" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
failed=0
export XDG_STATE_HOME="$tmp/state"
. "$(dirname "$0")/../lib.sh"   # run, has
pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; failed=1; }
lacks() {
    if grep -qF -- "$3" "$tmp/$2"; then echo "FAIL $1: $2 holds '$3'"; failed=1; return 1; fi
    return 0
}
# texts CASE DUMP: the text of every text command of a layout dump, to $tmp/texts
texts() { sed -n 's/^text .* text=//p' "$tmp/$2" >"$tmp/texts"; }

shot() {   # shot NAME LESSON BLOCK [ANSWERS]: a frame and its dump
    "$C" lesson run "$2" --screenshot "$tmp/$1.png" --layout-dump "$tmp/$1.txt" --size 1280x800 --block "$3" \
        ${4:+--answers "$4"} >"$tmp/$1.out" 2>"$tmp/$1.err"
}

c=an_unanswered_question_shows_the_code_and_nothing_of_the_run
if shot q0 $L/e2e.md total && [ -s "$tmp/q0.png" ]; then
    texts $c q0.txt
    has $c texts "How long does the program take?" && has $c texts 'print(await job("a", 3))' &&
        has $c texts "6 s" && lacks $c texts "makespan" && lacks $c texts "Right" &&
        lacks $c texts "None" && lacks $c q0.txt " span " && lacks $c q0.txt " header " &&
        has $c texts "Nothing of the run is shown before you answer" && pass $c
else
    fail $c "no frame: $(head -c 300 "$tmp/q0.err")"
fi

c=a_question_asked_at_a_moment_shows_the_run_cut_there
if shot p0 $L/pause.md next-one; then
    texts $c p0.txt
    has $c texts "paused at 0 s" && lacks $c texts "makespan" && lacks $c texts "no end event" &&
        lacks $c texts "'b'" && lacks $c p0.txt " done " && has $c texts "Task-4" && pass $c
else
    fail $c "no frame: $(head -c 300 "$tmp/p0.err")"
fi

c=the_side_panels_wait_for_the_answer
# The loop panel lists the ready queue head first: before the answer it would
# name the task that runs next.
if "$C" lesson run $L/pause.md --screenshot "$tmp/n0.png" --layout-dump "$tmp/n0.txt" --size 1800x900 \
       --block next-one >/dev/null 2>&1 &&
   "$C" lesson run $L/pause.md --screenshot "$tmp/n1.png" --layout-dump "$tmp/n1.txt" --size 1800x900 \
       --block next-one --answers 1 >/dev/null 2>&1; then
    texts $c n0.txt
    lacks $c n0.txt " panel " && lacks $c texts "Ready queue" && texts $c n1.txt && has $c texts "Ready queue" && pass $c
else
    fail $c "no frame"
fi

c=an_answer_gets_its_feedback_and_still_no_outcome
if shot q1 $L/e2e.md total 1; then
    texts $c q1.txt
    has $c texts "Not quite: you said 3 s; the answer is 6 s." && has $c texts 'Misconception "awaits overlap"' &&
        lacks $c q1.txt " span " && has $c texts "The run comes next" && pass $c
else
    fail $c "no frame: $(head -c 300 "$tmp/q1.err")"
fi

c=a_reveal_shows_the_whole_run_paused_at_its_key_event
if shot r0 $L/e2e.md watch "2,2 3 1"; then
    texts $c r0.txt
    has $c texts "makespan 6 s" && has $c texts "Paused at the key moment: Task-1 prints: b" &&
        has $c texts "score 2/4" && grep -q "^rect .* playhead" "$tmp/r0.txt" && pass $c ||
        { [ "$failed" = 1 ] || fail $c "no playhead"; }
else
    fail $c "no frame: $(head -c 300 "$tmp/r0.err")"
fi

c=hide_future_shows_nothing_of_the_outcome
if "$C" record sequential -o "$tmp/seq.jsonl" >/dev/null 2>&1 &&
    "$C" view "$tmp/seq.jsonl" --hide-future --at 2 --screenshot "$tmp/hf.png" --layout-dump "$tmp/hf.txt" \
        --size 1280x800 >/dev/null 2>"$tmp/hf.err"; then
    texts $c hf.txt
    has $c texts "at 2 s so far: the rest is hidden" && lacks $c texts "makespan" && lacks $c texts "6 s in all" &&
        lacks $c texts "the timer due at 3 s fires" && has $c texts "The findings speak of the whole run" &&
        pass $c
else
    fail $c "no frame: $(head -c 300 "$tmp/hf.err")"
fi

c=presenter_mode_asks_the_class_and_hides_the_answer_box
if "$C" lesson run $L/e2e.md --present --screenshot "$tmp/pr.png" --layout-dump "$tmp/pr.txt" --size 1600x1000 \
    --block total >"$tmp/pr.out" 2>"$tmp/pr.err"; then
    texts $c pr.txt
    has $c texts "Predict first, all of you: R shows the answer." && has $c texts "R reveal" &&
        lacks $c texts "Enter answer" && lacks $c texts "makespan" && pass $c
else
    fail $c "no frame: $(head -c 300 "$tmp/pr.err")"
fi

c=a_block_taller_than_the_panel_says_there_is_more
if shot roomy $L/e2e.md total && "$C" lesson run $L/e2e.md --screenshot "$tmp/sm.png" --layout-dump "$tmp/sm.txt" \
    --size 1100x700 --scale 1.5 --block total >/dev/null 2>&1; then
    texts $c sm.txt
    has $c texts "more below: scroll the panel" && texts $c roomy.txt && lacks $c texts "more below" &&
        has $c texts "Nothing of the run is shown before you answer" && pass $c
else
    fail $c "no frame"
fi

c=inline_markdown_marks_are_not_drawn
# Lesson 4's question and feedback quote code in backticks.
if "$C" lesson run lessons/04-gather.md --screenshot "$tmp/md.png" --layout-dump "$tmp/md.txt" --size 1400x900 \
    --block result-list --answers 1 >/dev/null 2>&1; then
    grep '^text .* lesson \(text\|feedback\|option\) ' "$tmp/md.txt" | sed 's/^text .* text=//' >"$tmp/mdt"
    if [ -s "$tmp/mdt" ] && ! grep -q '`' "$tmp/mdt"; then pass $c; else fail $c "backticks drawn: $(grep '`' "$tmp/mdt" | head -2)"; fi
else
    fail $c "no frame"
fi

c=a_task_shows_the_program_it_starts_from
if shot task $L/e2e.md overlap; then
    texts $c task.txt
    has $c texts "The program you start from (turns):" && has $c texts 'print(await job("b", 1))' &&
        has $c texts "Your copy, to edit in any editor:" && pass $c
else
    fail $c "no frame: $(head -c 300 "$tmp/task.err")"
fi

c=an_unknown_block_is_a_clear_error
run $c 2 "$C" lesson run $L/e2e.md --screenshot "$tmp/x.png" --block nowhere && has $c err "no block 'nowhere'" && pass $c

c=the_lesson_menu_lists_every_lesson_with_its_progress
XDG_STATE_HOME="$tmp/menu-state" "$C" lesson run $L/e2e.md --terminal --answers "2,2 3 1,4,$L/together.py" \
    </dev/null >/dev/null 2>&1
if XDG_STATE_HOME="$tmp/menu-state" "$C" lesson menu --dir $L --screenshot "$tmp/m.png" --layout-dump "$tmp/m.txt" \
    --size 1280x2400 >"$tmp/m.out" 2>"$tmp/m.err" && [ -s "$tmp/m.png" ]; then
    texts $c m.txt
    want=$(($("$C" lesson list --dir $L | wc -l) - 1))
    got=$(grep -c '^text .* lesson \(item\|selected\) .* text=[0-9]*$' "$tmp/m.txt")
    [ "$got" = "$want" ] || fail $c "$got numbered cards for $want lessons"
    [ "$got" = "$want" ] && has $c texts "Taking turns (test lesson)" && has $c texts "best 4/4" &&
        has $c texts "1 done" && has $c texts "Waiting in turn, waiting together" &&
        grep -q '^rect .* lesson selected .* ref=0$' "$tmp/m.txt" && pass $c
else
    fail $c "no frame: $(head -c 300 "$tmp/m.err")"
fi

c=the_lesson_window_is_taken_with_the_keyboard
if command -v Xvfb >/dev/null 2>&1 && command -v xdotool >/dev/null 2>&1; then
    n=140
    while [ -e "/tmp/.X$n-lock" ] && [ $n -lt 170 ]; do n=$((n + 1)); done
    Xvfb ":$n" -screen 0 1280x800x24 >/dev/null 2>&1 &
    xvfb_pid=$!
    sleep 1
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        DISPLAY=":$n" "$C" lesson run $L/e2e.md >"$tmp/win.out" 2>"$tmp/win.err" &
    pid=$!
    win=
    for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        win=$(DISPLAY=":$n" xdotool search --name "coroscope lesson" 2>/dev/null | head -1)
        [ -n "$win" ] && break
        sleep 0.5
    done
    if [ -z "$win" ]; then
        kill "$pid" 2>/dev/null
        fail $c "no window appeared; stderr: $(head -c 300 "$tmp/win.err")"
    else
        # prose -> N; question: 2, Enter (right); Enter (on); order: type 2 3 1, Enter; then Q
        for k in n 2 Return Return 2 space 3 space 1 Return Return q; do
            DISPLAY=":$n" xdotool key --window "$win" "$k"
            sleep 0.3
        done
        for _ in 1 2 3 4 5 6 7 8 9 10; do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.3
        done
        if kill -0 "$pid" 2>/dev/null; then
            kill "$pid"
            fail $c "the lesson window did not close on Q"
        else
            wait "$pid"
            rc=$?
            if [ $rc = 0 ] && grep -q "score: 2/4" "$tmp/win.out"; then
                pass $c
            else
                fail $c "exit $rc; out: $(head -c 300 "$tmp/win.out"); err: $(head -c 300 "$tmp/win.err")"
            fi
        fi
    fi

    # The menu: Enter opens the highlighted lesson, Q closes it and the menu
    # comes back, Q again leaves.
    c=the_lesson_menu_window_opens_a_lesson_and_comes_back
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0" \
        DISPLAY=":$n" "$C" lesson --dir $L >"$tmp/menu.out" 2>"$tmp/menu.err" &
    pid=$!
    find_win() {   # find_win REGEX: the window whose name matches, waiting up to 10 s
        for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
            w=$(DISPLAY=":$n" xdotool search --onlyvisible --name "$1" 2>/dev/null | head -1)
            [ -n "$w" ] && { echo "$w"; return 0; }
            sleep 0.5
        done
        return 1
    }
    step=menu
    if win=$(find_win '^coroscope lessons$'); then
        DISPLAY=":$n" xdotool key --window "$win" Down Up Return
        step=lesson
        if win=$(find_win '^coroscope lesson .* Waiting in turn'); then
            sleep 0.5
            DISPLAY=":$n" xdotool key --window "$win" q
            step="menu again"
            # Q to the menu once it is back (sent again while windows come and go).
            for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
                kill -0 "$pid" 2>/dev/null || break
                if win=$(find_win '^coroscope lessons$'); then
                    step=exit   # the menu came back
                    DISPLAY=":$n" xdotool key --window "$win" q 2>/dev/null
                fi
                sleep 0.5
            done
        fi
    fi
    for _ in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.3
    done
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        fail $c "stuck at the $step step; err: $(head -c 300 "$tmp/menu.err")"
    else
        wait "$pid"
        rc=$?
        if [ $rc = 0 ] && [ "$step" = exit ] && grep -q "^score: 0/" "$tmp/menu.out"; then
            pass $c
        else
            fail $c "exit $rc at the $step step; out: $(head -c 300 "$tmp/menu.out"); err: $(head -c 300 "$tmp/menu.err")"
        fi
    fi
    kill "$xvfb_pid" 2>/dev/null
    xvfb_pid=
else
    fail $c "Xvfb or xdotool is not installed (tools/deps.sh installs them)"
fi

exit $failed
