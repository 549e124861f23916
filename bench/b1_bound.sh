#!/usr/bin/env bash
# b1_bound.sh OUTDIR [N] - how close batch 1's GEMMs (784-256-128-10, 1 thread)
# run to this core's L2 bandwidth over the same rows. N rounds (default 3), each
#   build/mlpbench gemm --kernel simd --threads 1 --sizes none --batches 1  -> OUTDIR/gemm<i>.csv
#   build/membw 784xN1:LD1 11 1 and build/membw 256xN2:LD2 11 1             -> OUTDIR/membw_w1_<i>.txt, _w2_
# (the weights' rows as the network lays them out, LD from the gemm run's
# metadata; the order reversed every other round). A batch-1 GEMM streams one
# weight-sized operand: fwd-W1, fwd-W2 and bwd-W2 read W (784 x 256 or
# 256 x 128 floats), dW1 and dW2 write dW. Its floor is those bytes at membw's
# read or write rate over the same rows; the output layer's three (W3, 10 wide:
# membw cannot lay 10-float rows) count at their measured time. Per round:
# each GEMM's GB/s and % of that rate, the step's time, its floor, and
# OpenBLAS's time for the step in the same process (blas_gflops); so the ratio
# to OpenBLAS the step has, and the most it could have with every streaming
# GEMM at the rate. OUTDIR/bound.csv: per shape and for the step, the median
# (min, max) over the rounds; then each round's rates and step times (the gemm
# run and the membw runs are separate processes: their states can differ, so
# the floor is an estimate, which a round of ours can beat).
# The ISA is $MLPB_ISA's (default auto) for both tools; compare with OpenBLAS's
# AVX-512 kernels with OPENBLAS_CORETYPE=SkylakeX.
# With N = 0 only bound.csv is recomputed. Not a test: a measurement.
#   OPENBLAS_CORETYPE=SkylakeX MLPB_ISA=avx512 bench/b1_bound.sh results/b1_bound-zen5 11
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] || { echo "usage: b1_bound.sh OUTDIR [N]" >&2; exit 2; }
out=$1 n=${2:-3}
[[ $n =~ ^[0-9]+$ ]] || { echo "b1_bound.sh: N=$n: a round count" >&2; exit 2; }
if [ "$n" -gt 0 ]; then
  for t in build/mlpbench build/membw; do
    [ -x "$t" ] || { echo "b1_bound.sh: $t not built (cmake --build build)" >&2; exit 1; }
  done
fi
mkdir -p "$out"
[ "$n" -gt 0 ] && rm -f "$out"/gemm[0-9]*.* "$out"/membw_w[12]_*.txt
isa=${MLPB_ISA:-auto}
gemm() { build/mlpbench gemm --isa "$isa" --kernel simd --threads 1 --sizes none --batches 1 --reps 7 \
  --out "$out/gemm$1.csv" 2>"$out/gemm$1.err"; }
# the weights' row strides, from a gemm run's metadata: "(256 -> 272, 128 -> 144, ..."
lds() { sed -n 's/.*(256 -> \([0-9]*\), 128 -> \([0-9]*\),.*/\1 \2/p' "$out/gemm$1.meta.txt" | head -n 1; }
mem() { MLPB_ISA=$isa build/membw "$2" 11 1 >"$out/membw_$1.txt"; }
ld1='' ld2=''
for i in $(seq 1 "$n"); do
  # the weights' row strides: the first round's gemm run prints them
  if [ "$i" -eq 1 ]; then
    gemm 1
    read -r ld1 ld2 < <(lds 1) || true
    [ -n "$ld2" ] || { echo "b1_bound.sh: no weight layout in $out/gemm1.meta.txt" >&2; exit 1; }
    mem w1_1 "784x256:$ld1"; mem w2_1 "256x128:$ld2"
  elif [ $((i % 2)) -eq 1 ]; then
    gemm "$i"; mem "w1_$i" "784x256:$ld1"; mem "w2_$i" "256x128:$ld2"
  else
    mem "w2_$i" "256x128:$ld2"; mem "w1_$i" "784x256:$ld1"; gemm "$i"
  fi
  echo "b1_bound.sh: round $i of $n done" >&2
done
set -- "$out"/gemm[0-9]*.csv
[ -f "$1" ] || { echo "b1_bound.sh: no $out/gemm*.csv" >&2; exit 1; }
. bench/awk_med.sh
# membw's 1-thread read and write GB/s from one of its outputs: "READ WRITE"
rw() {
  awk '/^threads 1 / { for (j = 1; j <= NF; j++) { if ($j == "read") r = $(j + 1); if ($j == "write") w = $(j + 1) } }
       END { if (r + 0 <= 0 || w + 0 <= 0) exit 1; print r, w }' "$1" 2>/dev/null ||
    { echo "b1_bound.sh: $1: missing, or no 1-thread read and write rates in it" >&2; return 1; }
}
# each round's rates line, then its gemm CSV (a missing rate stops here, not in awk)
rounds=$(for f in "$@"; do
  i=${f##*/gemm}; i=${i%.csv}
  w1=$(rw "$out/membw_w1_$i.txt") || exit 1
  w2=$(rw "$out/membw_w2_$i.txt") || exit 1
  echo "round $i $w1 $w2"
  cat "$f"
done) || exit 1
printf '%s\n' "$rounds" | awk -F, "$MED"'
  /^round / { split($0, a, " "); r = a[2]; if (r + 0 > nr) nr = r + 0; rd[1] = a[3]; wr[1] = a[4]; rd[2] = a[5]; wr[2] = a[6]; getline; for (j = 1; j <= NF; j++) c[$j] = j; next }
  $c["group"] == "step-b1" && $c["kernel"] == "simd" && $c["threads"] == 1 && $c["shape"] != "step-total" {
    s = $c["shape"]; m = $c["m"]; nn = $c["n"]; k = $c["k"]; t = $c["median_s"]
    fl = 2 * m * nn * k; bt = $c["blas_gflops"] > 0 ? fl / ($c["blas_gflops"] * 1e9) : 0
    if (!(s in seen)) { seen[s]; order[++ns] = s }
    w = (s ~ /W1$/) ? 1 : (s ~ /W2$/) ? 2 : 0
    by = w ? 4 * fl / 2 : 0                  # the weight-sized operand: m n k / 1 floats
    rate = w ? (s ~ /^dW/ ? wr[w] : rd[w]) : 0
    fb = w && rate > 0 ? by / (rate * 1e9) : t  # its floor; W3: as measured
    n_[s]++; gbs[s, n_[s]] = w ? by / t * 1e-9 : ""; pct[s, n_[s]] = w ? 100 * fb / t : ""; rt[s, n_[s]] = rate; byt[s] = by
    T[r] += t; B[r] += bt; F[r] += fb; rounds[r]; R1[r] = rd[1] "," wr[1] "," rd[2] "," wr[2] }
  function col(a, s, m,   i) { delete v; for (i = 1; i <= m; i++) v[i] = a[s, i]; return med(v, m) }
  END {
    print "shape,bytes,rounds,rate_gbs,rate_min,rate_max,ours_gbs,ours_min,ours_max,pct_of_rate,pct_min,pct_max"
    for (i = 1; i <= ns; i++) { s = order[i]; m = n_[s]
      if (byt[s] == 0) { printf "%s,0,%d,,,,,,,,,\n", s, m; continue }
      R = col(rt, s, m); rl = lo; rh = hi; G = col(gbs, s, m); gl = lo; gh = hi; P = col(pct, s, m)
      printf "%s,%d,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n", s, byt[s], m, R, rl, rh, G, gl, gh, P, lo, hi }
    print ""
    print "step,rounds,ours_us,ours_min,ours_max,floor_us,floor_min,floor_max,blas_us,blas_min,blas_max,ratio_vs_blas,ratio_min,ratio_max,max_ratio_vs_blas,max_min,max_max"
    m = 0; for (r in rounds) { m++; a1[m] = T[r] * 1e6; a2[m] = F[r] * 1e6; a3[m] = B[r] * 1e6; a4[m] = B[r] / T[r]; a5[m] = B[r] / F[r] }
    printf "step-b1,%d,%.2f,%.2f,%.2f,", m, med(a1, m), lo, hi; printf "%.2f,%.2f,%.2f,", med(a2, m), lo, hi
    printf "%.2f,%.2f,%.2f,", med(a3, m), lo, hi; printf "%.3f,%.3f,%.3f,", med(a4, m), lo, hi; printf "%.3f,%.3f,%.3f\n", med(a5, m), lo, hi
    print ""
    print "round,w1_read_gbs,w1_write_gbs,w2_read_gbs,w2_write_gbs,ours_us,floor_us,blas_us,ratio_vs_blas,max_ratio_vs_blas"
    for (r = 1; r <= nr; r++) if (r in rounds)
      printf "%d,%s,%.2f,%.2f,%.2f,%.3f,%.3f\n", r, R1[r], T[r] * 1e6, F[r] * 1e6, B[r] * 1e6, B[r] / T[r], B[r] / F[r] }
' >"$out/bound.csv"
echo "$out/bound.csv" >&2
