#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# stress-maps.sh [SECONDS] - the map runtime's long stress runs (issue 10):
# a control-plane writer deletes and re-inserts keys at full speed while two
# workers look them up (runtime/maps/tests/test_stress.c), for SECONDS
# (default 60) each:
#   - threads, the writer a thread, built with ThreadSanitizer;
#   - processes, the writer a forked process, built with AddressSanitizer.
# Each build is the map library's sources and the test, compiled here with
# clang-19 into a temporary directory (nothing else is rebuilt).  Exit 0 when
# both runs report no torn, reused or lost value and no sanitizer report.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
tmp=$(mktemp -d /tmp/uxdp-stress.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cc=${CC:-clang-19}
# The map library's sources as its CMakeLists.txt lists them (a list kept
# here fell behind when perfring.c came), and uxdp_base's, which it links.
mapfiles=$(sed -n '/^add_library(uxdp_maps STATIC/,/^)/s/^[[:space:]]*\([a-z_]*\.c\)[[:space:]]*$/\1/p' \
	"$src"/runtime/maps/CMakeLists.txt)
[ -n "$mapfiles" ] || { echo "stress-maps.sh: no sources in runtime/maps/CMakeLists.txt" >&2; exit 1; }
sources=()
for f in $mapfiles; do sources+=("$src/runtime/maps/$f"); done
sources+=("$src"/runtime/core/{errmsg,clock}.c "$src"/runtime/maps/tests/test_stress.c)
flags=(-std=gnu17 -O1 -g -fno-omit-frame-pointer -I"$src"/runtime/include -I"$src"/include
	-I"$src"/runtime/maps -I"$src"/runtime/maps/tests)
status=0
for mode in threads:thread processes:address,undefined; do
	kind=${mode%%:*} san=${mode#*:}
	echo "== $kind, -fsanitize=$san, $seconds s"
	"$cc" "${flags[@]}" -fsanitize="$san" "${sources[@]}" -o "$tmp/stress_$kind" -lpthread -lrt
	if ! TSAN_OPTIONS=halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 "$tmp/stress_$kind" "$seconds" "$kind"; then
		echo "stress-maps: $kind FAILED"
		status=1
	fi
done
exit $status
