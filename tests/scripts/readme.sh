#!/bin/sh
# readme.sh -- every command README.md shows works, in order, in a fresh
# directory, as a reader would type it: each line of each ```sh block runs
# there (with build/ and the repository's runtime/ and tests/ beside it, as in
# a checkout) and must exit 0. `make ...` lines are the build and the test
# suite this script is part of, so they are not run again here; a display is
# not needed (the viewer falls back to the terminal, as the README says).
#
# Prints "PASS name" or "FAIL name: why" per command; exits 1 when any failed.
set -u
root=$(pwd)
B=${BUILD:-build}
tmp=$(mktemp -d)
failed=0
trap 'rm -rf "$tmp"' EXIT

fresh="$tmp/fresh"
mkdir -p "$fresh"
case "$B" in /*) ln -s "$B" "$fresh/build" ;; *) ln -s "$root/$B" "$fresh/build" ;; esac
ln -s "$root/runtime" "$fresh/runtime"
ln -s "$root/tests" "$fresh/tests"

# The commands: lines of ```sh blocks, without their trailing comments.
awk '/^```sh$/ { on = 1; next } /^```/ { on = 0 } on' README.md >"$tmp/commands"
n=0
while IFS= read -r line; do
    cmd=$(printf '%s\n' "$line" | sed 's/[[:space:]]#.*$//; s/[[:space:]]*$//')
    [ -z "$cmd" ] && continue
    n=$((n + 1))
    name=$(printf 'readme_%02d_%s' "$n" "$(printf '%s' "$cmd" | tr -c 'A-Za-z0-9' '_' | cut -c1-60)")
    case "$cmd" in
        make\ *) echo "PASS $name (the build and the test suite themselves: not run again here)"; continue ;;
    esac
    if (cd "$fresh" && env -u DISPLAY -u WAYLAND_DISPLAY timeout 300 sh -c "$cmd" \
        </dev/null >"$tmp/out" 2>"$tmp/err"); then
        echo "PASS $name"
    else
        echo "FAIL $name: '$cmd' exited $?: $(tail -c 300 "$tmp/err")"
        failed=1
    fi
done <"$tmp/commands"
[ "$n" -ge 10 ] || { echo "FAIL readme: only $n commands found in README.md"; failed=1; }
exit $failed
