#!/bin/sh
# hostile.sh -- trace text never drives a terminal: every command run on a
# trace full of escape sequences (tests/data/hostile.jsonl: OSC title, screen
# clear, the one-byte CSI U+009B, a bidi override, bytes that are not UTF-8,
# in names, values, header fields, event kinds and reasons) writes output that
# is valid UTF-8 without a single control character but newline, C1 control or
# bidi/line-separator character -- checked byte by byte -- and shows the
# dangerous text escaped.
#
# Prints "PASS name" or "FAIL name: why" per case; exits 1 when any failed.
set -u
C=${COROSCOPE:-build/coroscope}
D=tests/data
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
failed=0
. "$(dirname "$0")/../lib.sh"   # run, has

# safe CASE FILE...: each file is UTF-8 and holds no C0 control but newline, no
# DEL, no C1 control, no bidi or line-separator character.
safe() {
    c=$1
    shift
    if ! why=$(python3 - "$@" <<'PY'
import sys
bad = set(range(0x20)) - {0x0A} | {0x7F} | set(range(0x80, 0xA0)) | {0x061C, 0x200E, 0x200F, 0x2028, 0x2029} \
      | set(range(0x202A, 0x202F)) | set(range(0x2066, 0x206A))
for path in sys.argv[1:]:
    data = open(path, 'rb').read()
    try:
        text = data.decode('utf-8')
    except UnicodeDecodeError as e:
        print(f"{path}: not UTF-8 at byte {e.start}: {data[max(0, e.start - 20):e.start + 5]!r}")
        sys.exit(1)
    for i, ch in enumerate(text):
        if ord(ch) in bad:
            print(f"{path}: U+{ord(ch):04X} at character {i}: {text[max(0, i - 20):i + 5]!r}")
            sys.exit(1)
PY
    ); then
        echo "FAIL $c: $why"
        failed=1
        return 1
    fi
    return 0
}

pass() { echo "PASS $1"; }

c=show_prints_trace_text_escaped
run $c 0 "$C" show --no-color $D/hostile.jsonl && safe $c "$tmp/out" "$tmp/err" &&
    has $c out 'hostile\x1b]0;pwned\x07' && has $c out 'main\x1b[2J' && has $c out 'Err\x1b[1m: boom\u009b0m' &&
    has $c out 'warning: never_retrieved\x1b[5m: msg\x07\u009b' && has $c err 'unknown event kind "\x1b[31mbogus"' &&
    pass $c

c=show_in_colour_and_ascii_writes_only_its_own_escapes
run $c 0 "$C" show --color --ascii --events --width 60 $D/hostile.jsonl &&
    python3 - "$tmp/out" <<'PY' && pass $c || { echo "FAIL $c: an escape sequence that is not a colour"; failed=1; }
import re, sys
data = open(sys.argv[1], 'rb').read()
rest = re.sub(rb'\x1b\[[0-9;]*m', b'', data)   # show's own colours: SGR only
sys.exit(0 if not any(b < 0x20 and b != 0x0A or b == 0x7F or b >= 0x80 for b in rest) else 1)
PY

c=summary_prints_trace_text_escaped
run $c 0 "$C" summary $D/hostile.jsonl && safe $c "$tmp/out" "$tmp/err" &&
    has $c out 'hostile\x1b]0;pwned\x07 (' && has $c out 'cpython-3.11\u009b2J semantics' &&
    has $c out 'evil\x1b]0;title\x07\u202e' && has $c out 'main\u009b31m' && pass $c

c=summary_json_stays_json_with_c1_and_bad_bytes_escaped
run $c 0 "$C" summary --json $D/hostile.jsonl && safe $c "$tmp/out" "$tmp/err" &&
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["scenario"] == "hostile\x1b]0;pwned\x07", d["scenario"]; assert d["tasks"][0]["coro"] == "main\x9b31m"' "$tmp/out" &&
    has $c out '\u009b31m' && pass $c

c=validate_echoes_kinds_and_reasons_escaped
run $c 1 "$C" validate $D/hostile.jsonl && safe $c "$tmp/out" "$tmp/err" &&
    has $c out ':11:21: unknown event kind "\x1b[31mbogus"' && has $c out 'end: unknown reason "\x1b]0;over\x07"' &&
    pass $c

c=export_writes_json_safe_for_a_terminal
run $c 0 "$C" export $D/hostile.jsonl && safe $c "$tmp/out" "$tmp/err" &&
    python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out" && has $c out 'bad \ufffd\ufffd bytes' &&
    has $c out 'evil\u001b]0;title\u0007\u202e' && pass $c

c=a_file_name_with_escapes_is_escaped_in_messages
esc=$(printf 'x\033[2Jy')
cp $D/hostile.jsonl "$tmp/$esc.jsonl"
run $c 1 "$C" validate "$tmp/$esc.jsonl" && safe $c "$tmp/out" "$tmp/err" && has $c out 'x\x1b[2Jy.jsonl:11:21:' &&
    run $c 1 "$C" show "$tmp/missing$esc" && safe $c "$tmp/out" "$tmp/err" && has $c err 'missingx\x1b[2Jy' && pass $c

c=usage_errors_escape_the_command_line
run $c 2 "$C" show "--$(printf '\033]0;t\007')" $D/hostile.jsonl && safe $c "$tmp/err" && has $c err "'--\\x1b]0;t\\x07'" &&
    run $c 2 "$C" "$(printf 'cmd\233')" && safe $c "$tmp/err" && has $c err "'cmd\\x9b'" &&
    run $c 2 "$C" record "$(printf 'sc\302\233x')" && safe $c "$tmp/err" && has $c err "'sc\\u009bx'" && pass $c

c=the_viewer_falls_back_to_a_safe_terminal_view
run $c 0 env -u DISPLAY -u WAYLAND_DISPLAY "$C" view $D/hostile.jsonl && safe $c "$tmp/out" "$tmp/err" &&
    has $c out 'main\x1b[2J' && pass $c

c=the_viewer_draws_and_dumps_trace_text_escaped
if run $c 0 env SDL_VIDEODRIVER=offscreen "$C" view --screenshot "$tmp/h.png" --layout-dump "$tmp/h.txt" --size 1280x800 \
        $D/hostile.jsonl; then
    safe $c "$tmp/h.txt" "$tmp/err" && has $c h.txt 'text=main\x1b[2J' && has $c err 'unknown event kind "\x1b[31mbogus"' &&
        pass $c
fi

exit $failed
