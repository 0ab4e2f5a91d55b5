#!/bin/sh
# run.sh -- build every fuzz target with libFuzzer (clang) and run each one
# for a bounded time.
#
#   tests/fuzz/run.sh              every target, FUZZ_SECONDS (default 60) each
#   tests/fuzz/run.sh fuzz_load    only the targets named
#   make fuzz SECONDS=N            the same, N seconds per target
#
# Targets: fuzz_load (the loader), fuzz_show (show and summary), fuzz_export,
# fuzz_view (the viewer's model and layout, no display), fuzz_args (the
# command lines), fuzz_lesson (lesson files and the query language). Inputs
# go up to 1 MiB (FUZZ_MAX_LEN); libFuzzer starts
# small and grows them, so short inputs are explored too.
#
# Environment:
#   FUZZ_SECONDS   seconds per target (default 60)
#   FUZZ_JOBS      parallel fuzzing processes per target (default 1)
#   FUZZ_BUILD     where binaries, the working corpus and crashes go
#                  (default /tmp/coroscope-fuzz)
#   CC_FUZZ        the compiler (default clang)
#
# Targets start from tests/fuzz/corpus (the seeds are read, never written);
# what they discover goes to $FUZZ_BUILD/corpus-TARGET and survives between
# runs. A crash or broken invariant leaves a reproducer in
# $FUZZ_BUILD/crashes/; copy it into tests/fuzz/corpus/ once fixed, so that
# tests/scripts/fuzz_replay.sh keeps checking it. Exits 1 if any target
# found something.
set -u
case ${FUZZ_BUILD:-/} in /*) ;; *) FUZZ_BUILD="$(pwd)/$FUZZ_BUILD" ;; esac
cd "$(dirname "$0")/../.." || exit 2
repo=$(pwd)
seconds=${FUZZ_SECONDS:-60}
jobs=${FUZZ_JOBS:-1}
out=${FUZZ_BUILD:-/tmp/coroscope-fuzz}
cc=${CC_FUZZ:-clang}
all="fuzz_load fuzz_show fuzz_export fuzz_view fuzz_args fuzz_lesson"
max_len=${FUZZ_MAX_LEN:-1048576}
targets=${*:-$all}

if ! command -v "$cc" >/dev/null 2>&1; then
    echo "run.sh: $cc not found (apt-get install -y clang libclang-rt-14-dev)"
    exit 2
fi
mkdir -p "$out/crashes" || exit 2

flags="-std=c11 -D_GNU_SOURCE -g -O1 -fno-omit-frame-pointer
       -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
       -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
       -Iruntime -Iruntime/model -Iruntime/lesson -Iruntime/cli -Iviz/model -Iviz/layout -Iviz/input -Itests/fuzz
       $(pkg-config --cflags libcjson)"
libs="$(pkg-config --libs libcjson) -lm"
model="runtime/model/*.c runtime/alloc.c tests/fuzz/fuzz_common.c"
cli="runtime/cli/args.c runtime/cli/cmd_show.c runtime/cli/show_groups.c runtime/cli/cmd_summary.c runtime/cli/cmd_validate.c
     runtime/cli/cmd_export.c runtime/cli/pyprog.c runtime/cli/show_code.c runtime/cli/show_list.c tests/fuzz/cli_stub.c
     $(ls viz/model/*.c | grep -v lesson_)"

found=0
for t in $targets; do
    case $t in
        fuzz_load) srcs="$model" ;;
        fuzz_show|fuzz_export) srcs="$model $cli" ;;
        fuzz_args) srcs="$model $cli runtime/cli/cmd_lint.c" ;;
        fuzz_view) srcs="$model $(ls viz/model/*.c | grep -v lesson_) $(ls viz/layout/*.c | grep -v layout_lesson) viz/input/input_apply.c" ;;
        fuzz_lesson) srcs="$model runtime/lesson/*.c" ;;
        *) echo "run.sh: unknown target $t (known: $all)"; exit 2 ;;
    esac
    echo "== $t: building"
    # shellcheck disable=SC2086
    if ! $cc $flags -o "$out/$t" "tests/fuzz/$t.c" $srcs $libs; then
        echo "FAIL $t: does not build"
        found=1
        continue
    fi
    mkdir -p "$out/corpus-$t"
    echo "== $t: fuzzing for ${seconds}s"
    log="$out/$t.log"
    par=""
    [ "$jobs" -gt 1 ] && par="-jobs=$jobs -workers=$jobs"   # logs in $out/fuzz-N.log
    started=$(date +%s)
    # shellcheck disable=SC2086
    (cd "$out" && ASAN_OPTIONS=detect_leaks=1:allocator_may_return_null=1 \
        UBSAN_OPTIONS=print_stacktrace=1 \
        "$out/$t" -max_total_time="$seconds" $par \
        -dict="$repo/tests/fuzz/trace.dict" -max_len="$max_len" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$out/crashes/$t-" \
        "$out/corpus-$t" "$repo/tests/fuzz/corpus") >"$log" 2>&1
    rc=$?
    if [ "$jobs" -gt 1 ]; then   # libFuzzer copied each worker's log into $log already
        for w in "$out"/fuzz-*.log; do
            [ -f "$w" ] || continue
            grep -E '^#[0-9]+' "$w" | tail -1
            rm -f "$w"
        done
    else   # the last status line has the run's executions, coverage and corpus size
        grep -E '^#[0-9]+' "$log" | tail -1
    fi
    finds=$(ls "$out/crashes" 2>/dev/null | grep -c "^$t-")
    took=$(($(date +%s) - started))   # less than asked when a finding stopped it
    awk -v t="$t" -v s="$took" -v f="$finds" '/^stat::number_of_executed_units/ { n += $NF } /^stat::new_units_added/ { u += $NF }
             END { printf "%s: %d executions in %d s, %d new inputs, %d findings\n", t, n, s, u, f }' "$log" |
        tee -a "$out/summary.txt"
    if [ "$rc" -ne 0 ] || grep -qE 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer)|runtime error:|invariant broken' "$log"; then
        echo "FAIL $t: see $log"
        grep -E 'ERROR:|runtime error:|invariant broken|SUMMARY|Test unit written' "$log" | head -10
        found=1
    else
        echo "PASS $t"
    fi
done
exit $found
