#!/usr/bin/env bash
# ukr_repeat.sh [--shapes] OUTDIR [N [ROUNDS [KC [MC [NJ]]]]] - build/ukr_ceiling
# (--shapes: build/ukr_shapes, which takes ROUNDS and KC only) run N times
# (default 3), each a new process: OUTDIR/run<i>.csv and .err, OUTDIR/meta.txt
# (date, CPU, the caches and the commit the binary reports, the command),
# then OUTDIR/ceiling.csv (--shapes: shapes.csv): per row of the tool's CSV
# (kernel and case; ISA, kernel and shape) the median (min, max) over the
# runs of GFLOP/s, of % of each run's own peak probe and (--shapes) of each
# run's ratio to the loop of the table's shape, measured in the same rounds.
# Separate processes, because the `ir` cases move from one process to the
# next (where its buffers land in the caches) more than within one: the runs'
# spread is the error bar. ROUNDS, KC, MC and NJ go to the tool (0: its defaults), which judges
# them on the first run, before a folder's earlier runs are removed (a
# refusal exits 2 and leaves them; a folder made for it is removed again). A
# run that fails stops the series (its exit status, its stderr) and leaves no
# summary. With N = 0 only the summary is recomputed from the runs OUTDIR
# holds, each checked to be a whole CSV of the tool with the first one's rows.
# UKR_CEILING (UKR_SHAPES) names another binary.
#   bench/ukr_repeat.sh results/kernels/xeon_ukr/nj64 7 11 0 0 64
#   bench/ukr_repeat.sh --shapes results/kernels/xeon_ukr/shapes 7 7
# Not a test: a measurement.
set -euo pipefail
cd "$(dirname "$0")/.."
usage="usage: ukr_repeat.sh [--shapes] OUTDIR [N [ROUNDS [KC [MC [NJ]]]]] (--shapes: ROUNDS and KC only)"
tool=ukr_ceiling sum=ceiling.csv header="ukr,isa,mr,nr,kc,mc,nj,case,gflops,peak_gflops,pct_peak"
cmdline="$*" # as given, for meta.txt
if [ "${1:-}" = --shapes ]; then
  shift
  tool=ukr_shapes sum=shapes.csv header="isa,kernel,shape,mr,nr,kc,regs,gflops,peak_gflops,pct_peak,vs_table_loop"
fi
[ $# -ge 1 ] && [ $# -le 6 ] || { echo "$usage" >&2; exit 2; }
out=$1 n=${2:-3}
[[ $n =~ ^[0-9]+$ ]] || { echo "ukr_repeat.sh: N '$n': a run count; $usage" >&2; exit 2; }
args=("${@:3}")
names="ROUNDS, KC, MC or NJ"
[ "$tool" = ukr_ceiling ] || names="ROUNDS or KC"
[ "$n" -gt 0 ] || [ ${#args[@]} -eq 0 ] ||
  { echo "ukr_repeat.sh: N = 0 recomputes $sum only: no $names; $usage" >&2; exit 2; }
[ "$tool" = ukr_ceiling ] || [ ${#args[@]} -le 2 ] ||
  { echo "ukr_repeat.sh: --shapes takes ROUNDS and KC only (got ${#args[@]} arguments after N); $usage" >&2; exit 2; }
if [ "$n" -gt 0 ]; then
  if [ "$tool" = ukr_shapes ]; then ukr=${UKR_SHAPES:-build/ukr_shapes}; else ukr=${UKR_CEILING:-build/ukr_ceiling}; fi
  [ -x "$ukr" ] || { echo "ukr_repeat.sh: $ukr not built (cmake --build build)" >&2; exit 1; }
  made=0
  [ -d "$out" ] || made=1
  mkdir -p "$out"
  start=$(date -u +%FT%TZ) load=$(cut -d' ' -f1-3 /proc/loadavg)
  # the first run before anything is removed: the tool judges the arguments
  rc=0
  "$ukr" "${args[@]}" >"$out/.run1.csv" 2>"$out/.run1.err" || rc=$?
  if [ "$rc" -ne 0 ]; then
    cat "$out/.run1.err" >&2
    rm -f "$out/.run1.csv" "$out/.run1.err"
    [ "$made" -eq 0 ] || rmdir "$out" 2>/dev/null || true
    exit "$rc"
  fi
  rm -f "$out"/run[0-9]*.csv "$out"/run[0-9]*.err "$out/$sum"
  mv "$out/.run1.csv" "$out/run1.csv"
  mv "$out/.run1.err" "$out/run1.err"
  # the binary's own account: "TOOL: built from C[ with uncommitted changes D]; caches ..."
  built=$(sed -n "s/^$tool: built from \([^;]*\); caches \(.*\)\$/\1|\2/p" "$out/run1.err" | head -n 1)
  {
    echo "date      $start"
    echo "cpu       $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) cores"
    echo "caches    ${built#*|}"
    echo "commit    ${built%%|*} (as the binary reports it)"
    echo "command   bench/ukr_repeat.sh $cmdline (binary $ukr)"
    echo "load      $load (at start)"
  } >"$out/meta.txt"
  for i in $(seq 2 "$n"); do
    rc=0
    "$ukr" "${args[@]}" >"$out/run$i.csv" 2>"$out/run$i.err" || rc=$?
    if [ "$rc" -ne 0 ]; then
      echo "ukr_repeat.sh: run $i of $n failed (exit $rc): $(tail -n 1 "$out/run$i.err")" >&2
      exit "$rc"
    fi
  done
  echo "finished  $(date -u +%FT%TZ), load $(cut -d' ' -f1-3 /proc/loadavg)" >>"$out/meta.txt"
fi
set -- "$out"/run[0-9]*.csv
[ -f "$1" ] || { echo "ukr_repeat.sh: no $out/run*.csv" >&2; exit 1; }
rows=$(($(wc -l <"$1") - 1))
for f in "$@"; do
  [ "$(head -n 1 "$f")" = "$header" ] || { echo "ukr_repeat.sh: $f: not a $tool CSV" >&2; exit 1; }
  r=$(($(wc -l <"$f") - 1))
  [ "$r" -ge 1 ] && [ "$r" -eq "$rows" ] ||
    { echo "ukr_repeat.sh: $f: $r rows, where $1 has $rows" >&2; exit 1; }
done
. bench/awk_med.sh
# by the header's names: the key is every column but gflops, peak_gflops,
# pct_peak and vs_table_loop (ukr_shapes: the in-round ratio), which are
# summarised (peak_gflops dropped: pct_peak is each run's own)
awk -F, "$MED"'
  FNR == 1 {
    if (!nc) for (i = 1; i <= NF; i++) {
      col[i] = $i
      if ($i == "gflops" || $i == "pct_peak" || $i == "vs_table_loop") val[++nv] = i
      else if ($i != "peak_gflops") { keyc[++nkc] = i; head = head (nkc > 1 ? "," : "") $i }
    }
    nc = NF
    next
  }
  {
    key = $keyc[1]
    for (q = 2; q <= nkc; q++) key = key "," $keyc[q]
    if (!(key in n)) order[++nk] = key
    n[key]++
    for (q = 1; q <= nv; q++) x[key, q, n[key]] = $val[q]
  }
  END {
    printf "%s,runs", head
    for (q = 1; q <= nv; q++) printf ",%s,%s_min,%s_max", col[val[q]], col[val[q]], col[val[q]]
    printf "\n"
    for (o = 1; o <= nk; o++) {
      key = order[o]; m = n[key]
      printf "%s,%d", key, m
      for (q = 1; q <= nv; q++) {
        for (i = 1; i <= m; i++) a[i] = x[key, q, i]
        fmt = col[val[q]] == "vs_table_loop" ? ",%.3f,%.3f,%.3f" : ",%.1f,%.1f,%.1f"
        md = med(a, m)
        printf fmt, md, lo, hi
      }
      printf "\n"
    }
  }' "$@" >"$out/$sum.tmp" || { rm -f "$out/$sum.tmp"; exit 1; }
mv "$out/$sum.tmp" "$out/$sum"
echo "ukr_repeat.sh: $out/$sum ($# runs)" >&2
