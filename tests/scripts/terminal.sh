#!/bin/sh
# terminal.sh -- what the CLI tells a person at a terminal. `coroscope show`
# in a real terminal: tmux gives it a
# pseudo-terminal of a known size, and the timeline must use that width (not
# $COLUMNS, which shells do not export), so no lane wraps in 80 columns and a
# wider terminal gets a wider chart. Without a terminal, --width or 100
# columns; a --width it cannot honour is refused with a message. And the
# figures the CLI prints agree with each other (record's event count is
# validate's).
#
# Prints "PASS name" or "FAIL name: why" per case; exits 1 when any failed.
set -u
C=${COROSCOPE:-build/coroscope}
D=tests/data
tmp=$(mktemp -d)
failed=0
sock="coroscope-show-$$"

cleanup() {
    tmux -L "$sock" kill-server 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT

. "$(dirname "$0")/../lib.sh"   # run, has

fail() { echo "FAIL $1: $2"; failed=1; }
pass() { echo "PASS $1"; }

# The longest line of a file, in characters (mawk's length() counts bytes).
longest() {
    python3 -c 'import sys; print(max([len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")
        if not l.startswith("== exit")] or [0]))' "$1"
}
# The length in characters of the first line of a file holding TEXT.
width_of() {
    python3 -c 'import sys; print(next((len(l.rstrip("\n")) for l in open(sys.argv[1], encoding="utf-8")
        if sys.argv[2] in l), 0))' "$1" "$2"
}

# in_terminal COLS ROWS OUT CMD...: run CMD in a tmux pane of COLS x ROWS with
# COLUMNS unset, wait for it to finish, and write the screen to OUT.
in_terminal() {
    cols=$1 rows=$2 out=$3
    shift 3
    tmux -L "$sock" kill-server 2>/dev/null
    tmux -L "$sock" -f /dev/null new-session -d -x "$cols" -y "$rows" \
        "env -u COLUMNS $* ; echo \"== exit \$?\"; sleep 30" || return 1
    for _ in $(seq 1 50); do
        tmux -L "$sock" capture-pane -p -J -t 0 >"$out" 2>/dev/null
        grep -q '^== exit' "$out" && break
        sleep 0.1
    done
    tmux -L "$sock" capture-pane -p -t 0 >"$out.raw" 2>/dev/null
    tmux -L "$sock" kill-server 2>/dev/null
    grep -q '^== exit 0' "$out"
}

if ! command -v tmux >/dev/null 2>&1; then
    echo "SKIP show in a terminal: tmux is not installed"
    exit 0
fi

c=show_fits_an_80_column_terminal_without_wrapping
if in_terminal 80 30 "$tmp/80.txt" "$C" show --no-color "$D/gather.jsonl"; then
    # -J joins wrapped lines back, so a lane that wrapped is longer than 80.
    m=$(longest "$tmp/80.txt")
    if [ "$m" -gt 80 ]; then
        fail $c "a line wrapped: the longest joined line is $m columns: $(head -c 600 "$tmp/80.txt")"
    elif ! grep -q "Task-2 job.*'a'" "$tmp/80.txt"; then
        fail $c "Task-2's lane and its outcome are not on one line: $(head -c 600 "$tmp/80.txt")"
    else
        pass $c
    fi
else
    fail $c "show failed in the terminal: $(head -c 400 "$tmp/80.txt")"
fi

c=a_wider_terminal_gets_a_wider_chart
if in_terminal 140 30 "$tmp/140.txt" "$C" show --no-color "$D/gather.jsonl"; then
    w80=$(width_of "$tmp/80.txt" Task-1)
    w140=$(width_of "$tmp/140.txt" Task-1)
    if [ "${w140:-0}" -le 120 ] || [ "${w140:-0}" -gt 140 ] || [ "${w140:-0}" -le "${w80:-0}" ]; then
        fail $c "Task-1's lane is ${w140:-?} columns in a 140-column terminal (${w80:-?} in 80)"
    else
        pass $c
    fi
else
    fail $c "show failed in the terminal"
fi

c=an_explicit_width_wins_over_the_terminal
if in_terminal 140 30 "$tmp/w.txt" "$C" show --no-color --width 90 "$D/gather.jsonl"; then
    m=$(longest "$tmp/w.txt")
    [ "$m" -le 90 ] && [ "$m" -ge 80 ] && pass $c || fail $c "the widest line is $m columns, asked for 90"
else
    fail $c "show failed in the terminal"
fi

c=without_a_terminal_show_uses_100_columns
run $c 0 env -u COLUMNS "$C" show --no-color "$D/gather.jsonl" && {
    m=$(longest "$tmp/out")
    [ "$m" -le 100 ] && [ "$m" -ge 90 ] && pass $c || fail $c "the widest line is $m columns"
}

c=without_a_terminal_an_exported_columns_is_used
run $c 0 env COLUMNS=70 "$C" show --no-color "$D/gather.jsonl" && {
    m=$(longest "$tmp/out")
    [ "$m" -le 70 ] && [ "$m" -ge 60 ] && pass $c || fail $c "the widest line is $m columns"
}

c=record_counts_the_events_that_validate_counts
if run $c 0 "$C" record gather -o "$tmp/g.jsonl"; then
    rec=$(sed -n 's/.*: \([0-9]*\) events.*/\1/p' "$tmp/err")
    run $c 0 "$C" validate "$tmp/g.jsonl" && {
        val=$(sed -n 's/.*ok (\([0-9]*\) events).*/\1/p' "$tmp/out")
        [ -n "$rec" ] && [ "$rec" = "$val" ] && pass $c || fail $c "record says ${rec:-?} events, validate ${val:-?}"
    }
fi

for w in 30 0 abc 20000; do
    c=a_width_of_${w}_is_refused_with_a_message
    run $c 2 "$C" show --width "$w" "$D/gather.jsonl" && has $c err "--width '$w'" && has $c err "40 to 10000" &&
        pass $c
done

exit $failed
