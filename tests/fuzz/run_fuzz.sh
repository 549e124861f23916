#!/bin/sh
# run_fuzz.sh FUZZER SEED_DIR WORK_DIR SECONDS - one bounded libFuzzer run
# (the fuzz_<target> CTest tests). The fuzzer starts from a fresh copy of the
# seed corpus in WORK_DIR/corpus, so new inputs never land in the repository;
# a crash, leak or UBSan report is written to WORK_DIR/ and fails the test.
set -eu
fuzzer=$1 seeds=$2 work=$3 secs=$4
rm -rf "$work"
mkdir -p "$work/corpus"
cp "$seeds"/* "$work/corpus/"
exec "$fuzzer" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
  -print_final_stats=1 -artifact_prefix="$work/" "$work/corpus"
