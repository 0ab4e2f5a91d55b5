#!/bin/sh
# install.sh -- `make install` gives a library people can build against: the
# README's C example, taken from README.md, compiles and links with
# `cc prog.c $(pkg-config --cflags --libs coroscope)` against a DESTDIR install
# (shared library, found through its soname), links statically against
# libcoroscope.a, runs, and prints what the README says; every installed
# header compiles on its own.
set -u
build=${BUILD:-build}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
prefix=/usr/local
rc=0
pass() { echo "PASS install $1"; }
fail() { echo "FAIL install $1"; rc=1; }

if ! make --no-print-directory install BUILD="$build" DESTDIR="$dest" PREFIX="$prefix" >"$tmp/make.log" 2>&1; then
    fail "make install: $(tail -3 "$tmp/make.log" | tr '\n' ' ')"
    exit 1
fi
lib=$dest$prefix/lib
for f in libcoroscope.a libcoroscope.so libcoroscope.so.0 pkgconfig/coroscope.pc ../include/coroscope/coroscope.h; do
    [ -e "$lib/$f" ] && pass "installs lib/$f" || fail "installs lib/$f: missing"
done
soname=$(objdump -p "$lib/libcoroscope.so" 2>/dev/null | awk '/SONAME/ {print $2}')
[ "$soname" = libcoroscope.so.0 ] && pass "the shared library's soname is libcoroscope.so.0" ||
    fail "the shared library's soname: '$soname'"

# The example in README.md's "Write against the runtime".
awk '/^### Write against the runtime/ {on = 1} on && /^```c$/ {code = 1; next} code && /^```$/ {exit} code' \
    README.md >"$tmp/prog.c"
[ -s "$tmp/prog.c" ] && pass "README.md has a C example" || { fail "no C example in README.md"; exit 1; }
expect=$(sed -n 's|.*co_print.*/\* \(.*\) \*/.*|\1|p' "$tmp/prog.c")

export PKG_CONFIG_PATH="$lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
flags=$(pkg-config --cflags --libs coroscope 2>"$tmp/pc.err") || { fail "pkg-config: $(cat "$tmp/pc.err")"; exit 1; }
pass "pkg-config --cflags --libs coroscope: $flags"
if cc -std=c11 -Wall -Wextra -o "$tmp/prog" "$tmp/prog.c" $flags 2>"$tmp/cc.log"; then
    pass "the README example builds against the shared library"
    out=$(LD_LIBRARY_PATH="$lib" "$tmp/prog" 2>&1)
    [ "$out" = "$expect" ] && pass "it runs and prints $expect" || fail "it printed '$out', the README says $expect"
    ldd "$tmp/prog" 2>/dev/null | grep -q 'libcoroscope.so.0 =>' && pass "it loads libcoroscope.so.0" ||
        fail "it does not load libcoroscope.so.0"
else
    fail "the README example does not build: $(head -5 "$tmp/cc.log" | tr '\n' ' ')"
fi
static_libs=$(pkg-config --static --libs-only-l coroscope | sed 's/-lcoroscope//')
if cc -std=c11 -o "$tmp/prog-static" "$tmp/prog.c" $(pkg-config --cflags coroscope) "$lib/libcoroscope.a" \
        $static_libs 2>"$tmp/cc.log"; then
    out=$("$tmp/prog-static" 2>&1)
    [ "$out" = "$expect" ] && pass "it links statically with libcoroscope.a too" ||
        fail "the static build printed '$out'"
else
    fail "the static build fails: $(head -5 "$tmp/cc.log" | tr '\n' ' ')"
fi
for h in "$dest$prefix"/include/coroscope/*.h; do
    printf '#include "%s"\n' "$(basename "$h")" >"$tmp/h.c"
    cc -std=c11 -Wall -Wextra $(pkg-config --cflags coroscope) -c "$tmp/h.c" -o "$tmp/h.o" 2>"$tmp/h.log" ||
        fail "header $(basename "$h") does not compile on its own: $(head -3 "$tmp/h.log" | tr '\n' ' ')"
done
[ $rc -eq 0 ] && pass "every installed header compiles on its own"

# The installed recorder finds its speedups beside it, and records with them.
recdir=$dest$prefix/share/coroscope/recorder
if ls "$build"/pyext/_coroscope_speedups*.so >/dev/null 2>&1; then
    ls "$recdir"/_coroscope_speedups*.so >/dev/null 2>&1 && pass "installs the recorder's speedups" ||
        fail "the recorder's speedups are not installed in $recdir"
    used=$(cd "$tmp" && env -u COROSCOPE_SPEEDUPS ${COROSCOPE_PYTHON:-python3} -c \
        "import sys; sys.argv = ['x']; sys.path.insert(0, '$recdir'); import coroscope_record as r; print(r._speedups is not None, r._catch_up is not None)" 2>&1)
    [ "$used" = "True True" ] && pass "the installed recorder loads them" || fail "the installed recorder's speedups: $used"
fi
printf 'import asyncio\nasync def main():\n    await asyncio.sleep(1)\nasyncio.run(main())\n' >"$tmp/p.py"
if env -u COROSCOPE_SPEEDUPS "$dest$prefix/bin/coroscope" record "$tmp/p.py" -o "$tmp/p.jsonl" >"$tmp/rec.log" 2>&1 &&
        grep -q '"ev":"end"' "$tmp/p.jsonl"; then
    pass "the installed coroscope records a Python program"
else
    fail "the installed coroscope record: $(tail -3 "$tmp/rec.log" | tr '\n' ' ')"
fi
exit $rc
