#!/bin/sh
# deps.sh -- make sure the Debian packages coroscope builds and tests with are here.
#
# Usage: tools/deps.sh build|test|bench
# Checks each need with pkg-config (libraries) or command -v (tools); installs
# what is missing with apt-get when it can (root, apt-get present), otherwise
# prints the exact command to run and fails.
set -u
what=${1:-build}

missing=""
need_pc() { pkg-config --exists "$1" 2>/dev/null || missing="$missing $2"; }
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing="$missing $2"; }

need_cmd cc gcc
need_cmd make make
need_cmd pkg-config pkg-config
if command -v pkg-config >/dev/null 2>&1; then
    need_pc libcjson libcjson-dev
    need_pc sdl2 libsdl2-dev
    need_pc SDL2_ttf libsdl2-ttf-dev
    need_pc SDL2_image libsdl2-image-dev
    need_pc fontconfig libfontconfig-dev
    [ "$what" = test ] && need_pc criterion libcriterion-dev
else
    missing="$missing libcjson-dev libsdl2-dev libsdl2-ttf-dev libsdl2-image-dev libfontconfig-dev"
    [ "$what" = test ] && missing="$missing libcriterion-dev"
fi
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || missing="$missing fonts-dejavu-core"
need_deb() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $1"; }
# The CPython recorder's speedups (runtime/recorder/speedups.c) build against
# the headers of the python3 that records; Debian's come with python3-dev.
py=${COROSCOPE_PYTHON:-python3}
if [ "$(command -v "$py" 2>/dev/null)" = /usr/bin/python3 ] && command -v dpkg-query >/dev/null 2>&1 &&
    ! "$py" -c 'import os, sysconfig, sys; sys.exit(not os.path.exists(os.path.join(sysconfig.get_paths()["include"], "Python.h")))' 2>/dev/null; then
    missing="$missing python3-dev"
fi
if [ "$what" = test ]; then
    need_cmd python3 python3
    # The viewer's tests probe screenshot pixels (ImageMagick) and drive a real
    # window under a virtual X server (Xvfb, xdotool); `show` runs in tmux.
    if command -v dpkg-query >/dev/null 2>&1; then
        need_deb imagemagick
        need_deb xvfb
        need_deb xdotool
        need_deb tmux   # `coroscope show` in a real terminal of a known size
    fi
    # The second architecture's context switch is checked under qemu-user with
    # a static AArch64 build (tests/scripts/aarch64.sh), on x86-64 hosts.
    if [ "$(uname -m)" != aarch64 ]; then
        need_cmd aarch64-linux-gnu-gcc gcc-aarch64-linux-gnu
        [ -e /usr/aarch64-linux-gnu/lib/libc.a ] || missing="$missing libc6-dev-arm64-cross"
        need_cmd qemu-aarch64 qemu-user
    fi
fi

# `make bench` runs the workloads on uvloop too, as a second peer.
if [ "$what" = bench ]; then
    need_cmd python3 python3
    command -v dpkg-query >/dev/null 2>&1 && need_deb python3-uvloop
fi

[ -z "$missing" ] && exit 0

echo "coroscope: missing Debian packages:$missing"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "coroscope: installing them with apt-get (this happens once)"
    export DEBIAN_FRONTEND=noninteractive
    apt-get -o DPkg::Lock::Timeout=600 update -qq &&
        apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends $missing >/dev/null && {
        echo "coroscope: installed:$missing"; exit 0; }
    echo "coroscope: apt-get failed; run it yourself:" >&2
else
    echo "coroscope: cannot install here; run:" >&2
fi
echo "    sudo apt-get install -y$missing" >&2
exit 1
