#!/usr/bin/env bash
# Install every Debian 12 package uxdp needs to build, run and test.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  build-essential cmake pkg-config git ca-certificates \
  clang-19 llvm-19-dev llvm-19-tools lld-19 libclang-rt-19-dev \
  libbpf-dev libxdp-dev libelf-dev zlib1g-dev libzstd-dev bpftool xdp-tools \
  libdpdk-dev dpdk-dev libpcap-dev \
  iproute2 iputils-ping tcpdump ethtool netcat-openbsd valgrind gnuplot-nox python3 \
  man-db >/dev/null
