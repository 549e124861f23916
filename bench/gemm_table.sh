#!/usr/bin/env bash
# gemm_table.sh DIR [ISA [KERNEL]] - the README's kernel table from a
# gemm_repeat.sh folder's ratios.csv (medians over all its tries): per square
# size and per training step's total, on 1 and 2 threads, GFLOP/s (% of each
# try's own probe) with the range over the tries, the ratio to the BLAS
# measured in turns in the same process, and 2 threads over 1 likewise.
# ISA (default avx512) and KERNEL (default simd) pick the rows; the rows'
# split must be auto. Markdown on stdout (nothing on an error); each set's
# table.md is `bench/gemm_table.sh DIR [ISA] > DIR/table.md`.
#   bench/gemm_table.sh results/kernels/zen5_skx_s21
#   bench/gemm_table.sh results/kernels/zen5_avx2_s21 avx2
set -euo pipefail
[ $# -ge 1 ] && [ $# -le 3 ] || { echo "usage: gemm_table.sh DIR [ISA [KERNEL]]" >&2; exit 2; }
f=$1/ratios.csv
[ -f "$f" ] || { echo "gemm_table.sh: no $f (run bench/gemm_repeat.sh $1 0 first)" >&2; exit 1; }
awk -F, -v isa="${2:-avx512}" -v kern="${3:-simd}" '
  NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i
            n = split("group shape isa kernel threads split ratio_vs_blas vs_1thread gflops gflops_min gflops_max pct_peak", want, " ")
            for (i = 1; i <= n; i++) if (!(want[i] in c)) { print "gemm_table.sh: " FILENAME ": no column " want[i] > "/dev/stderr"; bad = 1; exit 1 }
            next }
  $c["isa"] != isa || $c["kernel"] != kern || $c["split"] != "auto" { next }
  $c["group"] == "square" || $c["shape"] == "step-total" {
    name = $c["group"] == "square" ? "square " substr($c["shape"], 3) : "training step, batch " substr($c["group"], 7)
    if (!(name in seen)) { seen[name]; order[++nr] = name }
    t = $c["threads"]
    if (t != 1 && t != 2) next
    cell[name, t] = sprintf("%.1f (%.0f%%), %.0f-%.0f", $c["gflops"], $c["pct_peak"], $c["gflops_min"], $c["gflops_max"])
    blas[name, t] = $c["ratio_vs_blas"] == "" ? "-" : sprintf("%.2fx", $c["ratio_vs_blas"])
    if (t == 2) two[name] = $c["vs_1thread"] == "" ? "-" : sprintf("%.2fx", $c["vs_1thread"]) }
  END {
    if (bad) exit 1
    if (!nr) { print "gemm_table.sh: no " isa " " kern " rows (split auto) in " FILENAME > "/dev/stderr"; exit 1 }
    for (i = 1; i <= nr; i++)
      if (!((order[i], 1) in cell) || !((order[i], 2) in cell)) { print "gemm_table.sh: " order[i] ": not on 1 and 2 threads" > "/dev/stderr"; exit 1 }
    print "| shape | 1 thread GFLOP/s (% peak), range | vs OpenBLAS | 2 threads GFLOP/s (% peak), range | vs OpenBLAS | 2 / 1 thread, same process |"
    print "|---|---|---|---|---|---|"
    for (i = 1; i <= nr; i++) { s = order[i]
      printf "| %s | %s | %s | %s | %s | %s |\n", s, cell[s, 1], blas[s, 1], cell[s, 2], blas[s, 2], two[s] } }
' "$f"
