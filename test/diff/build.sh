#!/bin/sh
# Developer helper: build and verifier-check one program by hand.
# usage: build.sh NAME   (test/diff/NAME.bpf.c -> /tmp/NAME.bpf.o)
set -e
n=$1
clang-19 -O2 -g -target bpf -mcpu=v3 -I/usr/include/x86_64-linux-gnu -c "$(dirname "$0")/$n.bpf.c" -o /tmp/$n.bpf.o
rm -rf /sys/fs/bpf/uxdp_diff_$n
bpftool prog loadall /tmp/$n.bpf.o /sys/fs/bpf/uxdp_diff_$n type xdp > /tmp/$n.log 2>&1 || { grep -v "^[0-9]*: (" /tmp/$n.log | tail -8; exit 1; }
rm -rf /sys/fs/bpf/uxdp_diff_$n
echo "$n: verifier ok"
