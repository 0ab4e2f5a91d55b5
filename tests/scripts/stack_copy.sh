#!/bin/sh
# stack_copy.sh -- copy mode (co_loop_config.stack_mode = CO_STACK_COPY) does
# not change the schedule: every built-in scenario, recorded with its tasks
# taking turns on shared stacks, gives the bytes of its golden trace (made in
# the default mode). Each is recorded twice: with copy-poison, where a task's
# bytes leave the shared stack as soon as it suspends and the stack's copy is
# overwritten, so that a pointer into a suspended task's frames, kept anywhere
# in the runtime or in a scenario, reads garbage and the recording fails or
# differs; and with plain copy, where they leave only when another task needs
# that stack. The real-clock scenarios have no golden trace; they must run as
# they do in the default mode (the same exit status, the same printed lines).
set -u
cs=${COROSCOPE:-build/coroscope}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "$cs" record gather --stack copy -o "$tmp/probe.jsonl" >/dev/null 2>"$tmp/err"; then
    if grep -q "not available\|needs the assembly" "$tmp/err"; then
        echo "SKIP stack_copy: $(cat "$tmp/err")"
        exit 0
    fi
    echo "FAIL stack_copy probe: $(cat "$tmp/err")"; exit 1
fi
rc=0
for mode in copy-poison copy; do
for name in $("$cs" list | awk '{print $1}'); do
    golden=traces/golden/$name.jsonl
    "$cs" record "$name" --trace-version 3 --stack $mode -o "$tmp/$name.jsonl" >"$tmp/out" 2>"$tmp/err"
    st=$?
    if [ -f "$golden" ]; then
        if cmp -s "$tmp/$name.jsonl" "$golden"; then
            echo "PASS stack_copy $mode $name"
        else
            echo "FAIL stack_copy $mode $name: copy mode's trace differs from $golden (exit $st); first difference:"
            diff "$golden" "$tmp/$name.jsonl" | head -6
            head -3 "$tmp/err"
            rc=1
        fi
    else
        "$cs" record "$name" --trace-version 3 -o "$tmp/own.jsonl" >"$tmp/own_out" 2>/dev/null
        own=$?
        if [ "$st" -eq "$own" ] && cmp -s "$tmp/out" "$tmp/own_out"; then
            echo "PASS stack_copy $mode $name (real clock: same exit status $st and output)"
        else
            echo "FAIL stack_copy $mode $name: exit $st in copy mode, $own in the default mode, or the printed lines differ"
            head -3 "$tmp/err"
            rc=1
        fi
    fi
done
done
# A mode the flag does not know is a usage error that says what it takes.
"$cs" record gather --stack shared >/dev/null 2>"$tmp/err"
if [ $? -eq 2 ] && grep -q "own', 'copy' or 'copy-poison'" "$tmp/err"; then
    echo "PASS stack_copy bad_mode"
else
    echo "FAIL stack_copy bad_mode: $(cat "$tmp/err")"; rc=1
fi
exit $rc
