#!/usr/bin/env bash
# Build the Debian packages uxdp and uxdp-dev (cpack -G DEB) in build-deb/
# (or $BUILD_DIR): a tree configured for /usr, so that the library and the
# helper bitcode go to lib/<multiarch>/, as Debian puts them.  Extra args go
# to cmake.  Prints the packages' paths.  docs/install.md says what is in them.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD_DIR=${BUILD_DIR:-build-deb}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_INSTALL_PREFIX=/usr "$@" \
	>/dev/null
cmake --build "$BUILD_DIR" -j"$(nproc)"
(cd "$BUILD_DIR" && cpack -G DEB >/dev/null)
ls "$PWD/$BUILD_DIR"/uxdp_*.deb "$PWD/$BUILD_DIR"/uxdp-dev_*.deb
