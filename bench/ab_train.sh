#!/usr/bin/env bash
# ab_train.sh OUTDIR N OLD NEW [sweep flags] - two builds of mlpbench trained in
# turns: N rounds, each running `OLD sweep` and `NEW sweep` with the same flags
# (NEW first every other round) into OUTDIR/old<i>/ and OUTDIR/new<i>/ (each a
# sweep folder: runs.csv, meta.json), then OUTDIR/ab.csv: per setting (batch,
# threads, hidden widths, ISA, kernel, rate, seed: one run of each sweep),
# the median (min, max) over the rounds of each binary's samples/s, new / old
# of the two medians (> 1: NEW faster), and each binary's median
# microseconds per step in every phase (t_data .. t_update).
# Throughput here is compared across processes, minutes apart: on a shared VM
# trust ratios that hold in every round, not one. A run with N > 0 first
# removes OUTDIR's old*/new* folders; N = 0 only recomputes ab.csv.
#   git worktree add /tmp/old <commit>; (build it there: its metadata then
#   names that commit)
#   bench/ab_train.sh results/train-fused-zen5 3 /tmp/old/build/mlpbench build/mlpbench \
#       --batch 1,32,64,128 --threads 1,2 --epochs 1 --max-samples 30000 --points 1 --lr 0.05
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: ab_train.sh OUTDIR N OLD NEW [sweep flags]" >&2; exit 2; }
out=$1 n=$2 old=$3 new=$4
shift 4
mkdir -p "$out"
[ "$n" -gt 0 ] && rm -rf "$out"/old[0-9]* "$out"/new[0-9]*
ab_run() {
  "$1" sweep "${flags[@]}" --out "$out/$2" >/dev/null 2>"$out/$2.err" \
    || { echo "ab_train.sh: $1 sweep failed (see $out/$2.err)" >&2; exit 1; }
}
flags=("$@")
. "$(dirname "$0")/ab_turns.sh"
ab_turns ab_train.sh "$n" "$old" "$new"
ab_outputs ab_train.sh "$out" /runs.csv
awk -F, "$MED"'
  FNR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; v = FILENAME ~ /\/new[0-9]+\/runs\.csv$/ ? "new" : "old"; next }
  {
    k = $c["batch"] "," $c["threads"] "," $c["hidden"] "," $c["isa"] "," $c["kernel"] "," $c["lr"] "," $c["seed"]
    if (!(k in seen)) { seen[k] = 1; key[++nk] = k }
    steps = $c["steps"] > 0 ? $c["steps"] : 1
    r = ++cnt[v, k]
    sps[v, k, r] = $c["samples_per_s"]
    for (p = 1; p <= 6; p++) ph[v, k, p, r] = $c[phn[p]] / steps * 1e6
  }
  BEGIN { split("t_data t_forward t_loss t_backward t_comm t_update", phn, " ") }
  END {
    printf "batch,threads,hidden,isa,kernel,lr,seed,rounds,old_sps,old_min,old_max,new_sps,new_min,new_max,new_over_old"
    for (p = 1; p <= 6; p++) printf ",old_us_%s", substr(phn[p], 3)
    for (p = 1; p <= 6; p++) printf ",new_us_%s", substr(phn[p], 3)
    printf "\n"
    for (q = 1; q <= nk; q++) {
      k = key[q]; m = cnt["old", k] < cnt["new", k] ? cnt["old", k] : cnt["new", k]
      if (m < 1) continue
      for (r = 1; r <= m; r++) { a[r] = sps["old", k, r]; b[r] = sps["new", k, r] }
      mo = med(a, m); olo = lo; ohi = hi; mn = med(b, m)
      printf "%s,%d,%.0f,%.0f,%.0f,%.0f,%.0f,%.0f,%.3f", k, m, mo, olo, ohi, mn, lo, hi, (mo > 0 ? mn / mo : 0)
      for (s = 1; s <= 2; s++)
        for (p = 1; p <= 6; p++) {
          for (r = 1; r <= m; r++) a[r] = ph[s == 1 ? "old" : "new", k, p, r]
          printf ",%.2f", med(a, m)
        }
      printf "\n"
    }
  }' "${AB_FILES[@]}" >"$out/ab.csv"
echo "ab_train.sh: wrote $out/ab.csv" >&2
