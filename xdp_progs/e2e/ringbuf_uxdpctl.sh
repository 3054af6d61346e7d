#!/bin/sh
# ringbuf_uxdpctl.sh UXDP UXDPCTL OBJECT PCAP MAP - a program's ringbuf
# records reach the control plane through `uxdpctl ringbuf read`: run the
# object over the capture in a named instance, then read the map from
# outside.  There must be records, each printed once: a second read finds
# none, since reading consumes them.
set -u
uxdp=$1 uxdpctl=$2 object=$3 pcap=$4 map=$5
inst=rbctl$$
trap '"$uxdpctl" instance delete "$inst" >/dev/null 2>&1' EXIT INT TERM
"$uxdp" --object "$object" --instance "$inst" --pcap "$pcap" >/dev/null || exit 1
n=$("$uxdpctl" --instance "$inst" ringbuf read "$map" | grep -c .)
again=$("$uxdpctl" --instance "$inst" ringbuf read "$map" | grep -c .)
echo "uxdpctl ringbuf read $map: $n records, then $again"
[ "$n" -gt 0 ] && [ "$again" -eq 0 ]
