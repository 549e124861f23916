#!/usr/bin/env bash
# gemm_repeat.sh OUTDIR [N] - run the kernel benchmark N times (default 6) into
# OUTDIR/try<i>.csv (+ .meta.txt), then OUTDIR/gemm-median.csv: per row, the
# median over the kept tries of gflops, pct_peak and blas_gflops (each try is
# itself a median of 7 timed runs). On a shared machine the spread between
# tries is the honest error bar: OUTDIR/gemm-median.csv also keeps the min and
# max. Kept (OUTDIR/kept.txt says which and why) are the tries whose peak for
# the ISA they ran, probed at their start and end, stayed within 5% of the best
# probe of all the tries, on 1 and on 2 threads: the others shared the machine
# with other work. GEMM_REPEAT_TOL (default 5) sets that per cent; 100 keeps
# every try (on a VM whose probes wander more than that in every try). The ISA
# run is $MLPB_ISA's (as for mlpbench: default auto, the best this CPU has):
# MLPB_ISA=avx2 bench/gemm_repeat.sh ... on an AVX-512 CPU.
# OUTDIR/ratios.csv counts every try: per row, the median (min, max) over all
# tries of two ratios each try measured in turns in one process, which a busy
# window skews far less than GFLOP/s: ours / OpenBLAS, ours / ours on 1 thread;
# then GFLOP/s and % of peak over all tries too (where the probe filter keeps
# few tries, or, as on the Zen 5 VM, not the quiet ones).
#   bench/gemm_repeat.sh results/kernels 6
#   bench/gemm_repeat.sh results/kernels/b60000 3 --kernel simd --sizes none --batches 60000
# Flags after N replace the default --kernel/--sizes/--batches (the ISA, the
# threads and --reps 7 stay). With N = 0 only the median is recomputed from
# the tries already in OUTDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1 n=${2:-6}
tol=${GEMM_REPEAT_TOL:-5}
if ! [[ $tol =~ ^[0-9]+([.][0-9]+)?$ ]] ||
   ! awk -v t="$tol" 'BEGIN { exit !(t > 0 && t <= 100) }'; then
  echo "gemm_repeat.sh: GEMM_REPEAT_TOL=$tol: a per cent in (0, 100]" >&2; exit 2
fi
shift $(($# < 2 ? $# : 2))
what=("$@")
[ ${#what[@]} -gt 0 ] || what=(--kernel ref,blocked,simd --sizes 64,128,256,512,1024,2048 --batches 1,32,64,128,1024)
mkdir -p "$out"
for i in $(seq 1 "$n"); do
  build/mlpbench gemm --isa "${MLPB_ISA:-auto}" --threads 1,2 --reps 7 "${what[@]}" --out "$out/try$i.csv" 2>"$out/try$i.err"
done
# start and end probes per try: "try<i> s1 s2 e1 e2" (1 and 2 threads) of the ISA
# of its first peak line: the ISA its rows are compared with (scalar comes last)
for m in "$out"/try*.meta.txt; do
  awk -v t="$(basename "$m" .meta.txt)" '
    /^peak GFLOP\/s/ && isa == "" { isa = $3 }
    /^peak GFLOP\/s/ && $3 == isa { for (i = 1; i <= NF; i++) { if ($i == "thread") s1 = $(i + 1); if ($i == "threads") s2 = $(i + 1) } }
    /^peaks at end/ { for (i = 1; i <= NF; i++) { if ($i == isa && $(i + 1) == "1t") e1 = $(i + 2) + 0; if ($i == isa && $(i + 1) == "2t") e2 = $(i + 2) + 0 } }
    END { print t, s1 + 0, s2 + 0, e1 + 0, e2 + 0 }' "$m"
done | awk -v tol="$tol" '
  { t[NR] = $1; lo1[NR] = $2 < $4 ? $2 : $4; lo2[NR] = $3 < $5 ? $3 : $5
    hi1 = $2 > hi1 ? $2 : hi1; hi1 = $4 > hi1 ? $4 : hi1; hi2 = $3 > hi2 ? $3 : hi2; hi2 = $5 > hi2 ? $5 : hi2
    line[NR] = $0 }
  END { printf "# try start_1t start_2t end_1t end_2t kept (within %g%% of the best probe: %.1f / %.1f)\n", tol, hi1, hi2
    f = 1 - tol / 100
    for (i = 1; i <= NR; i++) print line[i], (lo1[i] >= f * hi1 && lo2[i] >= f * hi2) ? "kept" : "dropped" }' >"$out/kept.txt"
# med(v, m) for both awk programs below
. bench/awk_med.sh
# ratios.csv, from every try
awk -F, "$MED"'
  FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; nt++; next }
  { s = ("split" in c) ? $c["split"] : ""
    k = $c["group"] "," $c["shape"] "," $c["op"] "," $c["m"] "," $c["n"] "," $c["k"] "," $c["isa"] "," $c["kernel"]
    if (!((k, $c["threads"], s) in seen)) { seen[k, $c["threads"], s]; key[++nk] = k; thr[nk] = $c["threads"]; spl[nk] = s }
    g[nt, k, $c["threads"], s] = $c["gflops"]; r[nt, k, $c["threads"], s] = $c["ratio_vs_blas"]
    pp[nt, k, $c["threads"], s] = $c["pct_peak"] }
  function cell(v, m) { return m ? sprintf("%.3f,%.3f,%.3f", med(v, m), lo, hi) : ",," }
  END { print "group,shape,op,m,n,k,isa,kernel,threads,split,tries,ratio_vs_blas,ratio_min,ratio_max,vs_1thread,vs_1thread_min,vs_1thread_max,gflops,gflops_min,gflops_max,pct_peak,pct_peak_min,pct_peak_max"
    for (i = 1; i <= nk; i++) { k = key[i]; t = thr[i]; s = spl[i]; mr = ms = mg = 0; delete vr; delete vs; delete vg; delete vp
      for (x = 1; x <= nt; x++) {
        if ((x, k, t, s) in r && r[x, k, t, s] != "") vr[++mr] = r[x, k, t, s]
        if ((x, k, t, s) in g) { vg[++mg] = g[x, k, t, s]; vp[mg] = pp[x, k, t, s] }
        if (t != 1 && (x, k, t, s) in g && (x, k, 1, s) in g && g[x, k, 1, s] > 0) vs[++ms] = g[x, k, t, s] / g[x, k, 1, s] }
      printf "%s,%s,%s,%d,%s,%s,%s", k, t, s, (mr > ms ? mr : ms), cell(vr, mr), cell(vs, ms), cell(vg, mg)
      printf ",%s\n", cell(vp, mg) } }
' "$out"/try*.csv >"$out/ratios.csv"
kept=()
while read -r t _ _ _ _ k; do [ "$k" = kept ] && kept+=("$out/$t.csv"); done < <(grep -v '^#' "$out/kept.txt")
[ ${#kept[@]} -gt 0 ] || { echo "gemm_repeat.sh: no try kept (see $out/kept.txt); $out/ratios.csv counts them all" >&2; exit 1; }
awk -F, "$MED"'
  FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
  { k = $c["group"] "," $c["shape"] "," $c["op"] "," $c["m"] "," $c["n"] "," $c["k"] "," $c["isa"] "," $c["kernel"] "," $c["threads"]
    s = ("split" in c) ? $c["split"] : ""  # tries written before the split column: ""
    if (!((k, s) in seen)) { seen[k, s]; order[++nk] = k; osp[nk] = s }
    k = k SUBSEP s
    n[k]++; g[k, n[k]] = $c["gflops"]; p[k, n[k]] = $c["pct_peak"]; b[k, n[k]] = $c["blas_gflops"]; pk[k] = $c["peak_gflops"] }
  function col(a, k, m,   i) { delete v; for (i = 1; i <= m; i++) v[i] = a[k, i]; return med(v, m) }
  END { print "group,shape,op,m,n,k,isa,kernel,threads,tries,gflops,gflops_min,gflops_max,peak_gflops,pct_peak,blas_gflops,ratio_vs_blas,split"
    for (i = 1; i <= nk; i++) { k = order[i] SUBSEP osp[i]; m = n[k]
      G = col(g, k, m); glo = lo; ghi = hi; P = col(p, k, m); B = (b[k, 1] == "") ? "" : col(b, k, m)
      printf "%s,%d,%.2f,%.2f,%.2f,%s,%.1f,%s,%s,%s\n", order[i], m, G, glo, ghi, pk[k], P, B, (B == "" || B == 0) ? "" : sprintf("%.2f", G / B), osp[i] } }
' "${kept[@]}" >"$out/gemm-median.csv"
echo "$out/gemm-median.csv (${#kept[@]} of $(grep -vc '^#' "$out/kept.txt") tries kept: $out/kept.txt), $out/ratios.csv (all)"
