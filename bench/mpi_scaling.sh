#!/usr/bin/env bash
# mpi_scaling.sh [BATCHES] - samples/s of one Fashion-MNIST epoch (784-256-128-10)
# for 1 process x 1 thread, 1 process x 2 threads and 2 MPI ranks x 1 thread,
# at each batch size; the median of 3 runs, with the share of time in the
# allreduce. Output: a CSV on stdout (machine, command and date on stderr).
#   bench/mpi_scaling.sh "32 128 1024 full" > results/mpi/scaling.csv
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/mlpbench
batches=${1:-"32 128 1024 full"}
mpi=(mpiexec --oversubscribe)
[ "$(id -u)" -eq 0 ] && mpi+=(--allow-run-as-root)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "machine: $(hostname), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores; $(date -u +%FT%TZ); git $(git rev-parse --short HEAD)" >&2
echo "batch,config,ranks,threads_per_rank,samples_per_s_median,samples_per_s_min,samples_per_s_max,comm_share"
for b in $batches; do
  for cfg in "1 1" "1 2" "2 1"; do
    set -- $cfg; R=$1 T=$2
    sps=()
    for rep in 1 2 3; do
      out=$tmp/sw$rep
      rm -rf "$out"
      cmd=("$bin" sweep --batch "$b" --threads "$T" --epochs 1 --points 1 --lr 0.5 --out "$out")
      if [ "$R" -gt 1 ]; then "${mpi[@]}" -np "$R" "${cmd[@]}" 2>/dev/null; else "${cmd[@]}" 2>/dev/null; fi
      sps+=("$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i } NR == 2 {
          comm = $(c["t_comm"]); tot = $(c["train_s"]); printf "%s %.4f\n", $(c["samples_per_s"]), (tot > 0 ? comm / tot : 0) }' "$out/runs.csv")")
    done
    printf '%s\n' "${sps[@]}" | sort -n | awk -v b="$b" -v R="$R" -v T="$T" '
      { s[NR] = $1; c[NR] = $2 } END { printf "%s,%dx%d,%d,%d,%s,%s,%s,%s\n", b, R, T, R, T, s[2], s[1], s[3], c[2] }'
  done
done
