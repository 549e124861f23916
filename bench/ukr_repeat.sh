#!/usr/bin/env bash
# ukr_repeat.sh OUTDIR [N [ROUNDS [KC [MC [NJ]]]]] - build/ukr_ceiling run N times
# (default 3), each a new process: OUTDIR/run<i>.csv and .err, OUTDIR/meta.txt
# (date, CPU, caches, the binary's commit, the command), then
# OUTDIR/ceiling.csv: per kernel and case the median (min, max) over the runs
# of GFLOP/s and of % of each run's own peak probe. Separate processes,
# because the `ir` cases move from one process to the next (where its buffers
# land in the caches) more than within one: the runs' spread is the error
# bar. ROUNDS, KC, MC and NJ go to ukr_ceiling (0: its defaults). With N = 0
# only ceiling.csv is recomputed from the runs OUTDIR holds. UKR_CEILING names
# another binary (default build/ukr_ceiling).
#   bench/ukr_repeat.sh results/kernels/xeon_ukr/nj64 5 11 0 0 64
# Not a test: a measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
[ $# -ge 1 ] && [ $# -le 6 ] || { echo "usage: ukr_repeat.sh OUTDIR [N [ROUNDS [KC [MC [NJ]]]]]" >&2; exit 2; }
out=$1 n=${2:-3}
[[ $n =~ ^[0-9]+$ ]] || { echo "ukr_repeat.sh: N '$n': a run count" >&2; exit 2; }
args=("${@:3}")
if [ "$n" -gt 0 ]; then
  ukr=${UKR_CEILING:-build/ukr_ceiling}
  [ -x "$ukr" ] || { echo "ukr_repeat.sh: $ukr not built (cmake --build build)" >&2; exit 1; }
  mkdir -p "$out"
  # the first run before anything is removed: ukr_ceiling judges the arguments (exit 2)
  meta=$(
    echo "date      $(date -u +%FT%TZ)"
    echo "cpu       $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
    echo "caches    $(build/mlpbench info 2>/dev/null | sed -n 's/^caches *//p')"
    echo "commit    $(git rev-parse HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- src bench 2>/dev/null || echo ' (src or bench modified)')"
    echo "command   bench/ukr_repeat.sh $* (binary $ukr)"
    echo "load      $(cut -d' ' -f1-3 /proc/loadavg) (at start)"
  )
  rc=0
  "$ukr" "${args[@]}" >"$out/.run1.csv" 2>"$out/.run1.err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    cat "$out/.run1.err" >&2
    rm -f "$out/.run1.csv" "$out/.run1.err"
    rmdir "$out" 2>/dev/null || true # made here and left empty
    exit "$rc"
  fi
  rm -f "$out"/run[0-9]*.csv "$out"/run[0-9]*.err
  mv "$out/.run1.csv" "$out/run1.csv"
  mv "$out/.run1.err" "$out/run1.err"
  echo "$meta" >"$out/meta.txt"
  for i in $(seq 2 "$n"); do
    "$ukr" "${args[@]}" >"$out/run$i.csv" 2>"$out/run$i.err"
  done
  echo "finished  $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/meta.txt"
fi
set -- "$out"/run[0-9]*.csv
[ -f "$1" ] || { echo "ukr_repeat.sh: no $out/run*.csv" >&2; exit 1; }
. bench/awk_med.sh
awk -F, "$MED"'
  FNR == 1 { if ($0 != "ukr,isa,mr,nr,kc,mc,nj,case,gflops,peak_gflops,pct_peak") { print "ukr_repeat.sh: " FILENAME ": not a ukr_ceiling CSV" > "/dev/stderr"; bad = 1; exit 1 } next }
  {
    key = $1 "," $2 "," $3 "," $4 "," $5 "," $6 "," $7 "," $8
    if (!(key in n)) order[++nk] = key
    n[key]++; g[key, n[key]] = $9; p[key, n[key]] = $11
  }
  END {
    if (bad) exit 1
    print "ukr,isa,mr,nr,kc,mc,nj,case,runs,gflops,gflops_min,gflops_max,pct_peak,pct_peak_min,pct_peak_max"
    for (q = 1; q <= nk; q++) {
      key = order[q]; m = n[key]
      for (i = 1; i <= m; i++) { a[i] = g[key, i]; b[i] = p[key, i] }
      mg = med(a, m); glo = lo; ghi = hi
      mp = med(b, m)
      printf "%s,%d,%.1f,%.1f,%.1f,%.1f,%.1f,%.1f\n", key, m, mg, glo, ghi, mp, lo, hi
    }
  }' "$@" >"$out/ceiling.csv.tmp"
mv "$out/ceiling.csv.tmp" "$out/ceiling.csv"
echo "ukr_repeat.sh: $out/ceiling.csv ($# runs)" >&2
