#!/bin/sh
# aarch64.sh -- the AArch64 context switch, checked under qemu-user: every
# virtual-clock scenario built for AArch64 records the same bytes as on this
# machine. Runs only where the cross compiler and qemu are installed
# (apt-get install gcc-aarch64-linux-gnu qemu-user); otherwise says SKIP.
set -u
cs=${COROSCOPE:-build/coroscope}
if ! command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || ! command -v qemu-aarch64 >/dev/null 2>&1; then
    echo "SKIP aarch64: no aarch64-linux-gnu-gcc / qemu-aarch64 here"
    exit 0
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/main.c" <<'C'
#include <stdarg.h>
#include <stdio.h>
#include "cli/cli.h"
int cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "%s: ", cmd);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    return 2;
}
int main(int argc, char **argv) { return cli_record(argc - 1, argv + 1); }
C
if ! aarch64-linux-gnu-gcc -std=c11 -D_GNU_SOURCE -O2 -static -Iruntime -o "$tmp/rec" "$tmp/main.c" \
        runtime/cli/cmd_record.c runtime/scenarios/*.c runtime/*.c runtime/arch/*.S -lm -lpthread \
        2>"$tmp/cc.log"; then
    echo "FAIL aarch64 build: $(grep -m3 error "$tmp/cc.log")"
    exit 1
fi
rc=0
for name in $("$cs" list | awk '{print $1}'); do
    "$cs" record "$name" -o "$tmp/x.jsonl" >/dev/null 2>&1 || continue
    head -1 "$tmp/x.jsonl" | grep -q '"clock":"real"' && continue
    if qemu-aarch64 "$tmp/rec" record "$name" -o "$tmp/a.jsonl" >/dev/null 2>&1 &&
       cmp -s "$tmp/a.jsonl" "$tmp/x.jsonl"; then
        echo "PASS aarch64 $name"
    else
        echo "FAIL aarch64 $name: the AArch64 build recorded a different trace"; rc=1
    fi
done
exit $rc
