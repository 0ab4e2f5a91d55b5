#!/bin/sh
# lessons.sh -- the lesson runner end to end: `coroscope lesson check`, the
# terminal runner driven with scripted answers (right and wrong, and the end of
# input as no answer), nothing of the outcome before an answer, progress kept
# per user, `lesson list` / `lesson new`, and the runner in a real 80-column
# terminal under tmux.
#
# Prints "PASS name" or "FAIL name: why" per case; exits 1 when any failed.
set -u
C=${COROSCOPE:-build/coroscope}
L=tests/data/lessons
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; tmux kill-session -t "cs-lesson-$$" 2>/dev/null' EXIT
failed=0
. "$(dirname "$0")/../lib.sh"   # run, has
pass() { echo "PASS $1"; }
lacks() {
    if grep -qF -- "$3" "$tmp/$2"; then echo "FAIL $1: $2 holds '$3'"; failed=1; return 1; fi
    return 0
}
export XDG_STATE_HOME="$tmp/state"

c=lesson_check_passes_a_good_lesson
run $c 0 "$C" lesson check $L/e2e.md && has $c out "e2e.md: ok (8 blocks, 4 graded questions, 2 programs)" && pass $c

c=right_answers_score_full_marks
run $c 0 "$C" lesson run $L/e2e.md --terminal --width 80 --answers "2,2 3 1,4,$L/together.py" </dev/null &&
    has $c out "✓ Right: 6 s." && has $c out "✓ Right: 2,3,1 (a, b, c)." && has $c out "✓ Right: 4 s." &&
    has $c out "✓ The goal holds" && has $c out "score: 4/4" && pass $c

c=wrong_answers_get_the_feedback_of_their_misconception
run $c 0 "$C" lesson run $L/e2e.md --terminal --width 80 --answers "1,1 2 3,3,$L/still_slow.py" </dev/null &&
    has $c out "✗ Not quite: you said 3 s; the answer is 6 s." &&
    has $c out 'Misconception "awaits overlap"' && has $c out "the answer is 2,3,1 (a, b, c)." &&
    has $c out "That would be the longest wait" && has $c out "✗ Not yet:" && has $c out "score: 0/4" && pass $c

c=end_of_input_counts_as_no_answer
run $c 0 "$C" lesson run $L/e2e.md --terminal --width 80 --answers 2 </dev/null &&
    has $c out "✗ No answer. The answer is 2,3,1 (a, b, c)." && has $c out "score: 1/4" && pass $c

c=nothing_of_the_outcome_shows_before_the_first_answer
sed -n '1,/^your answer> /p' "$tmp/out" >"$tmp/before"
lacks $c before "makespan" && lacks $c before "printed:" && lacks $c before "✓" &&
    lacks $c before "Task-1 main" && lacks $c before "time (s)" && has $c before "print(await job(\"a\", 3))" && pass $c

c=the_reveal_pauses_at_the_key_event_then_shows_all
"$C" lesson run $L/e2e.md --terminal --width 80 --answers "2,2 3 1,4,$L/together.py" </dev/null >"$tmp/rev" 2>&1
sed -n '/Up to the key moment/,/And the whole run/p' "$tmp/rev" >"$tmp/paused"
has $c paused "paused at 4 s" && lacks $c paused "makespan" && has $c rev "makespan 6 s" &&
    has $c rev "The key moment in turns: event #30 at 4 s, Task-1 prints: b." && has $c paused "turns so far" &&
    lacks $c rev "/cut-turns.jsonl" && pass $c

c=progress_is_kept_per_user
run $c 0 "$C" lesson list --dir $L && has $c out "test-taking-turns" && has $c out "done 4/4" &&
    [ -f "$tmp/state/coroscope/progress.json" ] && pass $c

c=lesson_run_finds_a_lesson_by_id
run $c 0 "$C" lesson run test-taking-turns --dir $L --terminal --answers "2,2 3 1,4,$L/together.py" </dev/null &&
    has $c out "score: 4/4" && pass $c

c=the_terminal_menu_opens_a_lesson_and_comes_back
printf 'no-such\ntest-taking-turns\n\n' >"$tmp/picks"
run $c 0 "$C" lesson menu --terminal --dir $L --answers "2,2 3 1,4,$L/together.py" <"$tmp/picks" &&
    has $c out "No lesson 'no-such': give a number from 1 to" && has $c out "score: 4/4" &&
    [ "$(grep -c 'Which lesson?' "$tmp/out")" = 3 ] &&
    [ "$(sed -n '/score: 4\/4/,$p' "$tmp/out" | grep -c 'done 4/4 .*Taking turns (test lesson)')" = 1 ] && pass $c

c=no_command_and_no_terminal_to_ask_in_gives_the_list
run $c 0 env -u DISPLAY -u WAYLAND_DISPLAY "$C" lesson --dir $L </dev/null && has $c out "test-taking-turns" &&
    has $c out "progress" && pass $c

c=lesson_new_writes_a_template_that_checks
run $c 0 "$C" lesson new my-first --dir "$tmp" && [ -f "$tmp/my-first.md" ] && [ -f "$tmp/my-first.py" ] &&
    run $c 0 "$C" lesson check "$tmp/my-first.md" && has $c out "ok (" &&
    run $c 1 "$C" lesson new my-first --dir "$tmp" && has $c err "exists already" && pass $c

c=lesson_check_reports_problems_at_file_line_col
cp $L/turns.py $L/together.py "$tmp/"
sed -e '18s/^:answer: makespan$/:answer: makespam/' $L/e2e.md >"$tmp/bad.md"
printf ':::{predict} late\n:colour: red\n:answer: prints\nOrder?\n- a\n- b\n:::\n' >>"$tmp/bad.md"
run $c 1 "$C" lesson check "$tmp/bad.md" && has $c out "bad.md:18:10: :answer: unknown name 'makespam'" &&
    has $c out "bad.md:72:2: a predict block has no option 'colour'" && pass $c
sed -e 's/^- 6 s$/- 7 s/' $L/e2e.md >"$tmp/bad2.md"
c=lesson_check_finds_a_choice_with_no_right_option
run $c 1 "$C" lesson check "$tmp/bad2.md" && has $c out "0 options equal the answer (makespan = 6 s)" && pass $c

c=a_missing_lesson_is_a_clear_error
run $c 1 "$C" lesson run no-such-lesson --dir $L --terminal && has $c err "no lesson 'no-such-lesson'" && pass $c

c=the_terminal_runner_in_an_80_column_tmux
if command -v tmux >/dev/null 2>&1; then
    s="cs-lesson-$$"
    tmux new-session -d -s "$s" -x 80 -y 200 \
        "XDG_STATE_HOME=$tmp/state $C lesson run $L/e2e.md --terminal 2>&1 | tee $tmp/tmux.out; sleep 30"
    ok=0
    for step in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
        sleep 0.5
        if grep -q "your answer>" "$tmp/tmux.out" 2>/dev/null; then ok=1; break; fi
    done
    if [ $ok = 1 ]; then
        tmux send-keys -t "$s" 2 Enter
        sleep 0.5
        tmux send-keys -t "$s" "2 3 1" Enter
        sleep 1.5
        tmux send-keys -t "$s" 4 Enter
        sleep 1.5
        tmux send-keys -t "$s" Enter
        for step in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
            sleep 0.5
            grep -q "score:" "$tmp/tmux.out" && break
        done
    fi
    tmux capture-pane -p -t "$s" -S -200 >"$tmp/pane" 2>/dev/null
    if grep -q "score: 3/4" "$tmp/tmux.out" &&
        python3 -c 'import sys; w=[l for l in open(sys.argv[1], encoding="utf-8").read().splitlines() if len(l) > 80]; sys.exit(1 if w else 0)' "$tmp/tmux.out"; then
        pass $c
    else
        echo "FAIL $c: $(tail -5 "$tmp/tmux.out" 2>/dev/null)"; failed=1
    fi
    tmux kill-session -t "$s" 2>/dev/null
else
    echo "FAIL $c: tmux is not installed (tools/deps.sh installs it)"; failed=1
fi

exit $failed
