#!/bin/sh
# aarch64.sh -- the AArch64 context switch, checked under qemu-user: every
# virtual-clock scenario built for AArch64 records the same bytes as on this
# machine, in the default stack mode and in copy mode, with and without
# poison (tests/scripts/stack_copy.sh says why). `make test` installs the cross compiler and qemu (tools/deps.sh:
# gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, qemu-user); where they still
# are missing it says SKIP with the reason, and tests/run.sh counts the skip.
set -u
cs=${COROSCOPE:-build/coroscope}
if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || ! command -v qemu-aarch64 >/dev/null 2>&1; then
    echo "SKIP aarch64: no aarch64-linux-gnu-gcc / qemu-aarch64 here"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A recorder with only the runtime and the scenarios in it: the same bytes as
# `coroscope record` (same header, same tracer), without the CLI and the model.
cat >"$tmp/main.c" <<'C'
#include <stdio.h>
#include <string.h>
#include "scenarios/scenarios.h"
#include "scenarios/twins.h"
#include "trace_writer.h"

/* What co_scenario_record_file does, on a copy-mode loop. */
static int record_copy(const co_scenario *sc, const char *path, bool poison, char *err, size_t errlen)
{
    co_trace_header hdr = {sc->name, "virtual", "coroscope-runtime 0.1", 0};
    co_trace_writer *w = co_trace_writer_open(path, &hdr, err, errlen);
    if (!w)
        return 1;
    co_twin_tracer tt;
    co_loop_config cfg = {.stack_mode = CO_STACK_COPY, .stack_poison = poison,
                          .tracer = co_twin_tracer_wrap(&tt, sc->name, co_trace_writer_tracer(w))};
    co_loop *L = co_loop_new(&cfg);
    if (!L) {
        snprintf(err, errlen, "no copy-mode loop");
        return 1;
    }
    co_scenario_run(sc, L, NULL);
    co_loop_destroy(L);
    return co_trace_writer_close(w, err, errlen) != CO_OK;
}

int main(int argc, char **argv)
{
    const co_scenario *sc = argc >= 3 ? co_scenario_find(argv[1]) : NULL;
    char err[512];
    if (!sc)
        return 2;
    if (argc == 4 && !strncmp(argv[3], "copy", 4)) {
        if (record_copy(sc, argv[2], argv[3][4] != 0, err, sizeof err)) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        return 0;
    }
    if (co_scenario_record_file(sc, argv[2], "coroscope-runtime 0.1", err, sizeof err) != CO_OK) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    return 0;
}
C
sh tools/embed_twins.sh "$tmp/twins.c" || { echo "FAIL aarch64 build: tools/embed_twins.sh failed"; exit 1; }
if ! aarch64-linux-gnu-gcc -std=c11 -D_GNU_SOURCE -O2 -static -Iruntime -Iruntime/scenarios -o "$tmp/rec" \
        "$tmp/main.c" "$tmp/twins.c" runtime/scenarios/*.c runtime/*.c runtime/arch/*.S -lm -lpthread \
        2>"$tmp/cc.log"; then
    echo "FAIL aarch64 build: $(grep -m3 error "$tmp/cc.log")"
    exit 1
fi
rc=0
for name in $("$cs" list | awk '{print $1}'); do
    "$cs" record "$name" -o "$tmp/x.jsonl" >/dev/null 2>&1 || continue
    head -1 "$tmp/x.jsonl" | grep -q '"clock":"real"' && continue
    if qemu-aarch64 "$tmp/rec" "$name" "$tmp/a.jsonl" >/dev/null 2>&1 &&
       cmp -s "$tmp/a.jsonl" "$tmp/x.jsonl"; then
        echo "PASS aarch64 $name"
    else
        echo "FAIL aarch64 $name: the AArch64 build recorded a different trace"; rc=1
    fi
    for mode in copy-poison copy; do
        if qemu-aarch64 "$tmp/rec" "$name" "$tmp/c.jsonl" $mode >/dev/null 2>&1 &&
           cmp -s "$tmp/c.jsonl" "$tmp/x.jsonl"; then
            echo "PASS aarch64 $mode $name"
        else
            echo "FAIL aarch64 $mode $name: the AArch64 build in copy stack mode recorded a different trace"; rc=1
        fi
    done
done
exit $rc
