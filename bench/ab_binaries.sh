#!/usr/bin/env bash
# ab_binaries.sh OUTDIR N OLD NEW [gemm flags] - two builds of mlpbench (two
# commits, say) timed in turns: N rounds, each running `OLD gemm` and `NEW gemm`
# with the same flags (NEW first every other round) into OUTDIR/old<i>.csv and
# OUTDIR/new<i>.csv (+ .meta.txt), then OUTDIR/ab.csv: per row (our kernels
# only), the median (min, max) over the rounds of each binary's ratio to
# OpenBLAS, and new / old of the two medians (> 1: NEW faster). Each run's
# ratio was measured in turns with OpenBLAS inside its own process, which
# cancels most of this host's swings between windows; GFLOP/s across
# processes do not. A run with N > 0 first removes OUTDIR's old*/new* files
# (a fresh set); with N = 0 only ab.csv is recomputed (OLD, NEW unused).
#   git worktree add /tmp/old <commit>; (build it); make -C build mlpbench
#   bench/ab_binaries.sh results/kernels/dotq 3 /tmp/old/build/mlpbench build/mlpbench \
#       --kernel simd --threads 1,2 --sizes none --batches 32,64,128,1024,60000
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: ab_binaries.sh OUTDIR N OLD NEW [gemm flags]" >&2; exit 2; }
out=$1 n=$2 old=$3 new=$4
shift 4
mkdir -p "$out"
[ "$n" -gt 0 ] && rm -f "$out"/old[0-9]*.* "$out"/new[0-9]*.*
flags=("$@")
ab_run() { "$1" gemm "${flags[@]}" --out "$out/$2.csv" 2>"$out/$2.err"; }
. "$(dirname "$0")/ab_turns.sh"
ab_turns ab_binaries.sh "$n" "$old" "$new"
ab_outputs ab_binaries.sh "$out" .csv
awk -F, "$MED"'
  FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; v = FILENAME ~ /\/new[0-9]+\.csv$/ ? "new" : "old"; t[v]++; next }
  $c["kernel"] != "blas" && $c["ratio_vs_blas"] != "" {
    k = $c["group"] "," $c["shape"] "," $c["op"] "," $c["m"] "," $c["n"] "," $c["k"] "," $c["isa"] "," $c["kernel"] "," $c["threads"] "," $c["split"]
    if (!(k in seen)) { seen[k]; order[++nk] = k }
    r[k, v, ++cnt[k, v]] = $c["ratio_vs_blas"] }
  function stats(k, v,   m, x) { m = cnt[k, v]; delete w
    for (x = 1; x <= m; x++) w[x] = r[k, v, x]
    md = med(w, m)
    return sprintf("%d,%.3f,%.3f,%.3f", m, md, lo, hi) }
  END {
    print "group,shape,op,m,n,k,isa,kernel,threads,split,old_runs,old_ratio_median,old_min,old_max,new_runs,new_ratio_median,new_min,new_max,new_over_old"
    for (i = 1; i <= nk; i++) { k = order[i]
      if (!cnt[k, "old"] || !cnt[k, "new"]) continue
      so = stats(k, "old"); mo = md; sn = stats(k, "new"); mn = md
      printf "%s,%s,%s,%.3f\n", k, so, sn, (mo > 0 ? mn / mo : 0) } }
' "${AB_FILES[@]}" >"$out/ab.csv"
echo "ab_binaries.sh: $out/ab.csv" >&2
