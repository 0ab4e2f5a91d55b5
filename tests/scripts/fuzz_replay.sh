#!/bin/sh
# fuzz_replay.sh -- the fuzz targets (tests/fuzz) as regression tests: each
# is built with cc as a plain program (tests/fuzz/replay.c instead of
# libFuzzer) and run over every file in tests/fuzz/corpus, which holds the
# seed traces and every crash reproducer the fuzzer found.
#
# Built with the Makefile's C flags and warnings, plus AddressSanitizer and
# UBSan -- with float-cast-overflow, which gcc leaves out of "undefined" and
# clang's fuzz build has -- so a reproducer fails here as it did under the
# fuzzer (FUZZ_SAN="" builds without them). Binaries go to $BUILD/fuzz (BUILD as
# tests/run.sh sets it, default build). Prints "PASS target (N inputs)" or
# "FAIL target: why" per target; exits 1 when any failed.
set -u
cd "$(dirname "$0")/../.." || exit 1
out=${BUILD:-build}/fuzz
cc=${CC:-cc}
san=${FUZZ_SAN--fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=undefined,float-cast-overflow -fno-omit-frame-pointer}
werror=""
[ "${CI:-}" = true ] && werror=-Werror
mkdir -p "$out" || { echo "FAIL fuzz_replay: cannot create $out"; exit 1; }

flags="-std=c11 -D_GNU_SOURCE -O1 -g $san -Wall -Wextra -Wshadow -Wstrict-prototypes
       -Wmissing-prototypes $werror -Iruntime -Iruntime/model -Iruntime/lesson -Iruntime/cli -Iviz/model -Iviz/layout -Iviz/input -Itests/fuzz
       $(pkg-config --cflags libcjson)"
libs="$(pkg-config --libs libcjson) -lm"
model="runtime/model/*.c runtime/alloc.c tests/fuzz/fuzz_common.c tests/fuzz/replay.c"
cli="runtime/cli/args.c runtime/cli/cmd_show.c runtime/cli/show_groups.c runtime/cli/cmd_summary.c runtime/cli/cmd_validate.c
     runtime/cli/cmd_export.c runtime/cli/pyprog.c runtime/cli/show_code.c runtime/cli/show_list.c tests/fuzz/cli_stub.c
     $(ls viz/model/*.c | grep -v lesson_)"
inputs=$(find tests/fuzz/corpus -type f | wc -l)

failed=0
for t in fuzz_load fuzz_show fuzz_export fuzz_view fuzz_args fuzz_lesson; do
    case $t in
        fuzz_load) srcs="$model" ;;
        fuzz_view) srcs="$model $(ls viz/model/*.c | grep -v lesson_) $(ls viz/layout/*.c | grep -v layout_lesson) viz/input/input_apply.c" ;;
        fuzz_lesson) srcs="$model runtime/lesson/*.c" ;;
        fuzz_args) srcs="$model $cli runtime/cli/cmd_lint.c" ;;
        *) srcs="$model $cli" ;;
    esac
    # shellcheck disable=SC2086
    if ! $cc $flags -o "$out/$t" "tests/fuzz/$t.c" $srcs $libs >"$out/$t.build.log" 2>&1; then
        echo "FAIL $t: does not build: $(grep -m1 -E 'error' "$out/$t.build.log")"
        failed=1
        continue
    fi
    ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
        "$out/$t" -v tests/fuzz/corpus >"$out/$t.log" 2>&1
    rc=$?
    if [ "$rc" -ne 0 ] || grep -qE 'runtime error:|ERROR: (AddressSanitizer|LeakSanitizer)' "$out/$t.log"; then
        input=$(grep '^replay: ' "$out/$t.log" | tail -1 | sed 's/^replay: //')
        why=$(grep -m1 -E 'invariant broken|runtime error:|ERROR: ' "$out/$t.log")
        echo "FAIL $t: exit $rc on $input: $why"
        tail -30 "$out/$t.log"
        failed=1
    else
        echo "PASS $t ($inputs inputs)"
    fi
done
exit $failed
