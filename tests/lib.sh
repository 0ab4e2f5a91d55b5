# lib.sh -- helpers shared by the end-to-end scripts in tests/scripts/.
#
# Source it after setting $tmp (a scratch directory) and failed=0. Each helper
# prints "FAIL case: why" and sets failed=1 when its check does not hold.

# run CASE WANT_RC CMD...: run CMD with stdout in $tmp/out and stderr in
# $tmp/err; on an exit status other than WANT_RC, report CASE and return 1.
run() {
    case_name=$1 want=$2
    shift 2
    "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    if [ "$rc" != "$want" ]; then
        echo "FAIL $case_name: exit $rc, expected $want; stderr: $(head -c 300 "$tmp/err")"
        failed=1
        return 1
    fi
    return 0
}

# has CASE FILE TEXT: $tmp/FILE (out, err, or any other name) holds TEXT, a
# fixed string; else report CASE and return 1.
has() {
    if ! grep -qF -- "$3" "$tmp/$2"; then
        echo "FAIL $1: $2 lacks '$3'; it was: $(head -c 400 "$tmp/$2")"
        failed=1
        return 1
    fi
    return 0
}
