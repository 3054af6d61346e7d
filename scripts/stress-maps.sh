#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
#
# stress-maps.sh [SECONDS] - the map runtime's long stress runs (issue 10):
# a control-plane writer deletes and re-inserts keys at full speed while two
# workers look them up (runtime/maps/tests/test_stress.c), for SECONDS
# (default 60) each, on a hash map and on an LRU map:
#   - threads, the writer a thread, built with ThreadSanitizer;
#   - processes, the writer a forked process, built with AddressSanitizer.
# Each build is the map library's sources and the test, compiled here with
# clang-19 into a temporary directory (nothing else is rebuilt).  Exit 0 when
# all four runs report no torn, reused or lost value and no sanitizer report.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
tmp=$(mktemp -d /tmp/uxdp-stress.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cc=${CC:-clang-19}
# The sources of library LIB as DIR/CMakeLists.txt lists them, one per line
# between "add_library(LIB STATIC" and ")": the map library's and
# uxdp_base's, which it links (a list kept here fell behind when perfring.c
# came).  Anything else in that block is an error, not a file left out.
lib_sources() { # DIR LIB
	local block
	block=$(awk -v lib="$2" '$0 ~ "^add_library\\(" lib " STATIC" { on = 1; sub("^add_library\\(" lib " STATIC", "") }
		on { sub(/#.*/, ""); n = split($0, w, /[[:space:]]+/)
			for (i = 1; i <= n; i++) { if (w[i] == ")") { on = 0; break }
				if (w[i] ~ /\)$/) { sub(/\)$/, "", w[i]); on = 0 }
				if (w[i] != "") print w[i]; if (!on) break } }' "$1/CMakeLists.txt")
	[ -n "$block" ] || { echo "stress-maps.sh: no add_library($2 STATIC ...) in $1/CMakeLists.txt" >&2; return 1; }
	for f in $block; do
		[[ $f == *.c ]] || { echo "stress-maps.sh: $1/CMakeLists.txt: '$f' in $2's sources" >&2; return 1; }
		echo "$1/$f"
	done
}
maps=$(lib_sources "$src"/runtime/maps uxdp_maps) && base=$(lib_sources "$src"/runtime/core uxdp_base) || exit 1
mapfile -t sources <<<"$maps"$'\n'"$base"
sources+=("$src"/runtime/maps/tests/test_stress.c)
flags=(-std=gnu17 -O1 -g -fno-omit-frame-pointer -I"$src"/runtime/include -I"$src"/include
	-I"$src"/runtime/maps -I"$src"/runtime/maps/tests)
status=0
for mode in threads:thread processes:address,undefined; do
	kind=${mode%%:*} san=${mode#*:}
	"$cc" "${flags[@]}" -fsanitize="$san" "${sources[@]}" -o "$tmp/stress_$kind" -lpthread -lrt
	for map in hash lru; do
		echo "== $kind, $map map, -fsanitize=$san, $seconds s"
		if ! TSAN_OPTIONS=halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
			UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
			"$tmp/stress_$kind" "$seconds" "$kind" "$map"; then
			echo "stress-maps: $kind, $map FAILED"
			status=1
		fi
	done
done
exit $status
