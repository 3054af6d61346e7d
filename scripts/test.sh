#!/usr/bin/env bash
# Install what uxdp needs, build it, and run every test through ctest.
# Then build again with ASan+UBSan and run the compiler's, the runtime's unit
# and the differential tests under them.
# Needs root for apt-get and for the kernel (BPF_PROG_TEST_RUN, veth, netns).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "${UXDP_SKIP_INSTALL:-0}" = 1 ] || bash scripts/install-deps.sh
bash scripts/build.sh
ctest --test-dir build --output-on-failure -j2 --timeout 900
if [ "${UXDP_SKIP_SANITIZE:-0}" != 1 ]; then
  BUILD_DIR=build-asan BUILD_TYPE=Debug bash scripts/build.sh -DUXDP_SANITIZE=ON
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir build-asan --output-on-failure -j2 --timeout 900 \
      -R '^(unit\.|conformance\.O[03]$|lit$|malformed\.|compile\.objects|uxdp-as\.|diff\.[a-z_]*\.O3$)'
fi
