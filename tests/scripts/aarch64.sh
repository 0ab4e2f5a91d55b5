#!/bin/sh
# aarch64.sh -- the AArch64 context switch, checked under qemu-user: every
# virtual-clock scenario built for AArch64 records the same bytes as on this
# machine. `make test` installs the cross compiler and qemu (tools/deps.sh:
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
#include "scenarios/scenarios.h"
int main(int argc, char **argv)
{
    const co_scenario *sc = argc == 3 ? co_scenario_find(argv[1]) : NULL;
    char err[512];
    if (!sc)
        return 2;
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
done
exit $rc
