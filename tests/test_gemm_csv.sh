#!/usr/bin/env bash
# test_gemm_csv.sh CSV BLAS - checks what `mlpbench gemm --quick` wrote (test
# bench_gemm_smoke_csv, after bench_gemm_smoke): the documented header, >= 50
# rows of 18 fields with positive finite timings, GFLOP/s and peak, every
# kernel rung and group present, step totals, the BLAS columns filled when
# BLAS is "yes" (built with OpenBLAS) and empty when "no", and the
# FILE.meta.txt sidecar. Exit 1 with one FAIL line per problem.
set -u
csv=$1 blas=$2
meta=${csv%.csv}.meta.txt
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

[ -s "$csv" ] || { echo "FAIL: $csv is missing or empty" >&2; exit 1; }
want='group,shape,op,m,n,k,isa,kernel,threads,reps,median_s,min_s,gflops,peak_gflops,pct_peak,blas_gflops,ratio_vs_blas,split'
[ "$(head -1 "$csv")" = "$want" ] || fail "header: $(head -1 "$csv")"

awk -F, -v blas="$blas" '
  function num(x) { return x ~ /^[0-9.eE+-]+$/ && x + 0 > 0 }
  function bad(why) { if (nbad++ < 10) print "FAIL: row " NR ": " why ": " $0 > "/dev/stderr" }
  NR == 1 { next }
  {
    rows++
    if (NF != 18) { bad(NF " fields"); next }
    if ($8 == "ref" ? $18 != "-" : $18 !~ /^(auto|shared|rows|cols)$/) bad("split \"" $18 "\" for kernel " $8)
    if (!num($11) || !num($12) || $12 + 0 > $11 + 0) bad("median_s/min_s")
    if (!num($13)) bad("gflops not positive")
    if (!num($14)) bad("peak_gflops not positive")
    if ($7 == "" || $8 == "" || !num($9) || !num($10)) bad("isa/kernel/threads/reps")
    if ($2 != "step-total" && (!num($4) || !num($5) || !num($6) || ($3 != "NN" && $3 != "TN" && $3 != "NT"))) bad("shape")
    if (blas == "yes" && (!num($16) || !num($17))) bad("blas columns empty although built with OpenBLAS")
    if (blas == "no" && ($16 != "" || $17 != "")) bad("blas columns filled without a BLAS")
    kernel[$8]++; group[$1]++
    if ($2 == "step-total") totals++
  }
  END {
    if (rows < 50) { print "FAIL: " rows " rows, want >= 50" > "/dev/stderr"; nbad++ }
    if (!kernel["ref"] || !kernel["blocked"] || !kernel["simd"]) { print "FAIL: a kernel rung is missing" > "/dev/stderr"; nbad++ }
    if (!group["square"] || !group["step-b1"] || !group["step-b8"]) { print "FAIL: a group is missing" > "/dev/stderr"; nbad++ }
    if (totals < 6) { print "FAIL: " totals " step-total rows, want >= 6" > "/dev/stderr"; nbad++ }
    printf "gemm smoke CSV: %d rows, %d step totals, blas %s\n", rows, totals + 0, blas
    exit nbad > 0
  }' "$csv" || fails=$((fails + 1))

[ -s "$meta" ] || fail "no sidecar $meta"
grep -Eq "^git commit +([0-9a-f]{40} \(built from it (as committed|with uncommitted changes)|unknown \(not built in a git)" "$meta" \
  || fail "$meta: $(grep 'git commit' "$meta")"
for key in "peak GFLOP/s" "OPENBLAS_CORETYPE=" "OPENBLAS_L2_SIZE=" "git commit" "command "; do
  grep -q "$key" "$meta" 2>/dev/null || fail "$meta lacks '$key'"
done
[ $fails -eq 0 ] && echo "ok: gemm smoke CSV and sidecar"
exit $((fails > 0))
