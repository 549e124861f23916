#!/usr/bin/env bash
# test.sh - the README's second command (and CI's): install what is missing,
# build, and run the whole CTest suite. Tests run one at a time: each uses
# every core, and two OpenMP pools on two cores distort each other.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh build
cd build
ctest --output-on-failure
