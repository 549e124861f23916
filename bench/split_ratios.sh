#!/usr/bin/env bash
# split_ratios.sh OUTDIR [A [B]] - from the tries of a `gemm --split` run
# (bench/gemm_repeat.sh OUTDIR N ... --split B,A), per shape and thread count:
# gflops(split A) / gflops(split B) in every try (> 1: A faster), then the
# median, min and max over the tries. Both were timed in turns in the same
# process, so every try's ratio counts, kept by gemm_repeat.sh's probe rule or
# not; the 1-thread rows (the same code whatever the split) and GEMMs that do
# not pack (the narrow output-layer paths) show what the order of turns alone
# gives. Default A = auto, B = shared. CSV on stdout.
#   bench/split_ratios.sh results/split
set -euo pipefail
out=$1 a=${2:-auto} b=${3:-shared}
set -- "$out"/try*.csv
[ -f "$1" ] || { echo "split_ratios.sh: no $out/try*.csv" >&2; exit 1; }
. "$(dirname "$0")/awk_med.sh"
awk -F, -v A="$a" -v B="$b" "$MED"'
  FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; f++; next }
  !("split" in c) { print "split_ratios.sh: " FILENAME " has no split column" > "/dev/stderr"; bad = 1; exit 1 }
  $c["split"] == A || $c["split"] == B {
    k = $c["group"] "," $c["shape"] "," $c["op"] "," $c["m"] "," $c["n"] "," $c["k"] "," $c["isa"] "," $c["kernel"] "," $c["threads"]
    if (!(k in seen)) { seen[k]; order[++nk] = k }
    g[k, f, $c["split"]] = $c["gflops"] }
  END { if (bad) exit 1
    print "group,shape,op,m,n,k,isa,kernel,threads,tries,ratio_median,ratio_min,ratio_max"
    for (i = 1; i <= nk; i++) { k = order[i]; m = 0
      for (t = 1; t <= f; t++) if ((k, t, A) in g && (k, t, B) in g && g[k, t, B] > 0) v[++m] = g[k, t, A] / g[k, t, B]
      if (!m) continue
      printf "%s,%d,%.3f,%.3f,%.3f\n", k, m, med(v, m), lo, hi } }
' "$@"
