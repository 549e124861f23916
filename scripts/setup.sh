#!/usr/bin/env bash
# setup.sh [BUILD_DIR] - install the Debian packages mlpbench needs that are
# missing (through sudo when not root), then configure and build (Release).
# Idempotent: a second run installs nothing and rebuilds only what changed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}

pkgs="cmake make gcc pkg-config libhwloc-dev hwloc zlib1g-dev gnuplot-nox dataset-fashion-mnist libopenblas-dev libopenmpi-dev openmpi-bin"
# scripts/test.sh: the libFuzzer build (clang 14 is Debian 12's; its sanitizer runtimes and OpenMP)
pkgs="$pkgs clang libclang-rt-14-dev libomp-14-dev"
scripts/need_pkgs.sh setup $pkgs

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >&2
cmake --build "$build" -j"$(nproc)" >&2
