#!/usr/bin/env bash
# test.sh - the README's second command (and CI's): install what is missing,
# then three stages, each headed on stderr, each stopping the script on a
# failure: (1) the Release build and the whole CTest suite; (2) the same suite
# under AddressSanitizer + UndefinedBehaviorSanitizer with LeakSanitizer on
# (build-asan/, gcc, RelWithDebInfo; leak_short_training is the leak check);
# (3) the libFuzzer targets (build-fuzz/, clang), each fuzzed for
# MLPB_FUZZ_SECONDS (default 30) through CTest, whose summary line closes the
# output. Tests run one at a time: each uses every core, and two OpenMP pools
# on two cores distort each other; the fuzzers, one process on one core each,
# run side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$SECONDS
stage() { echo "=== test.sh [$((SECONDS - start)) s]: $*" >&2; }

stage "1/3 Release build (build/) and the CTest suite"
scripts/setup.sh build
(cd build && ctest --output-on-failure)

stage "2/3 ASan+UBSan build (build-asan/) and the CTest suite under it, LeakSanitizer on"
cmake -S . -B build-asan -DMLPB_SANITIZE=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
cmake --build build-asan -j"$(nproc)" >&2
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ctest --output-on-failure)

stage "3/3 libFuzzer build (build-fuzz/, clang) and the fuzz tests, ${MLPB_FUZZ_SECONDS:-30} s each"
cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DMLPB_FUZZ=ON -DMLPB_FUZZ_SECONDS="${MLPB_FUZZ_SECONDS:-30}" \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo >&2
cmake --build build-fuzz -j"$(nproc)" --target fuzzers >&2
cd build-fuzz
ctest -R '^fuzz_' -j"$(nproc)" --output-on-failure
