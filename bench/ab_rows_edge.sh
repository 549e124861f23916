#!/usr/bin/env bash
# ab_rows_edge.sh OUTDIR N OLD NEW [KxMxN ...] - two builds of rows_edge (a
# change to how the packed frame's threads split C's rows, say) in turns: N
# rounds, each running `OLD K M N 7 0` and `NEW K M N 7 0` for every shape
# (default 32x784x256 64x784x256 128x784x256 32x256x128: dW1 at batch 32-128,
# dW2 at 32), NEW first every other round, into OUTDIR/old<i>.txt and
# OUTDIR/new<i>.txt, then OUTDIR/ab.csv: per shape and build, the medians
# over the rounds of the 2-thread call ("2 threads split rows (both halves)")
# and of each half's 1-thread call alone, and of split_over_alone = the
# 2-thread call / the slower half alone, in each round (1: the split costs
# nothing over the halves one core each; measured in one process, so it
# cancels most of the VM's swings between windows, which raw microseconds do
# not); new_over_old = old's median split_over_alone / new's (> 1: NEW
# splits better). N = 0 only recomputes ab.csv from every shape in the
# folder's files (OLD, NEW and the shapes unused; `rounds` says how many
# rounds each build has of a shape). meta.txt names the commit checked out in
# each binary's work tree when the run began: build the binary from it.
#   git worktree add /tmp/old <commit>; (build rows_edge there)
#   bench/ab_rows_edge.sh results/frame_ab/rows_outer 5 /tmp/old/build/rows_edge build/rows_edge
set -euo pipefail
[ $# -ge 4 ] || { echo "usage: ab_rows_edge.sh OUTDIR N OLD NEW [KxMxN ...]" >&2; exit 2; }
out=$1 n=$2 old=$3 new=$4
shift 4
[[ $n =~ ^[0-9]+$ ]] || { echo "ab_rows_edge.sh: N '$n' is not a count of rounds" >&2; exit 2; }
[ $# -gt 0 ] || set -- 32x784x256 64x784x256 128x784x256 32x256x128
for s in "$@"; do
  [[ $s =~ ^[1-9][0-9]*x[1-9][0-9]*x[1-9][0-9]*$ ]] || { echo "ab_rows_edge.sh: shape '$s' is not KxMxN" >&2; exit 2; }
done
shapes=("$@")
mkdir -p "$out"
# the run's setup: when, where, and the commit of each binary's source tree
# (the git work tree above its build directory; "+dirty": uncommitted changes)
src_of() {
  local d c
  d=$(cd "$(dirname "$1")/.." 2>/dev/null && pwd) || { echo "unknown (no directory above $1)"; return; }
  c=$(git -C "$d" rev-parse --short HEAD 2>/dev/null) || { echo "unknown (not in a git work tree: $d)"; return; }
  git -C "$d" diff --quiet HEAD -- 2>/dev/null || c="$c+dirty"
  echo "$c ($d)"
}
if [ "$n" -gt 0 ]; then
  for b in "$old" "$new"; do [ -x "$b" ] || { echo "ab_rows_edge.sh: $b is not an executable" >&2; exit 1; }; done
  rm -f "$out"/old[0-9]*.txt "$out"/new[0-9]*.txt
  {
    echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "command: ab_rows_edge.sh $out $n $old $new ${shapes[*]}"
    echo "cpu: $(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null), $(nproc) online"
    echo "load: $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null)"
    echo "old: $(src_of "$old")"
    echo "new: $(src_of "$new")"
  } >"$out/meta.txt"
fi
ab_run() {
  local s k m n
  for s in "${shapes[@]}"; do
    IFS=x read -r k m n <<<"$s"
    echo "\$ $(basename "$1") $k $m $n 7 0" >>"$out/$2.txt"
    "$1" "$k" "$m" "$n" 7 0 >>"$out/$2.txt" 2>&1 || { echo "ab_rows_edge.sh: $1 $k $m $n failed (see $out/$2.txt)" >&2; exit 1; }
  done
}
. "$(dirname "$0")/ab_turns.sh"
ab_turns ab_rows_edge.sh "$n" "$old" "$new"
ab_outputs ab_rows_edge.sh "$out" .txt
awk -F, "$MED"'
  function incomplete() { if (open) { print "ab_rows_edge.sh: " f ": no times for " s > "/dev/stderr"; bad = 1; exit 1 } }
  FNR == 1 { incomplete(); v = FILENAME ~ /\/new[0-9]+\.txt$/ ? "new" : "old"; f = FILENAME }
  /^\$ / { incomplete(); split($0, w, " "); s = w[3] "x" w[4] "x" w[5]; if (!(s in seen)) { seen[s]; order[++ns] = s }; t = a = b = ""; open = 1; next }
  /^2 threads split rows \(both halves; NOT SPLIT/ { print "ab_rows_edge.sh: " f ": " s " did not split" > "/dev/stderr"; bad = 1; exit 1 }
  /^2 threads split rows \(both halves\),/ { t = $2 }
  /^first half alone/ { a = $2 }
  /^second half alone/ { b = $3 }
  open && t != "" && a != "" && b != "" {
    if (!(t + 0 > 0 && a + 0 > 0 && b + 0 > 0)) { print "ab_rows_edge.sh: " f ": a time of 0 for " s > "/dev/stderr"; bad = 1; exit 1 }
    m = ++cnt[s, v]; T[s, v, m] = t; A[s, v, m] = a; B[s, v, m] = b; R[s, v, m] = t / (a > b ? a : b); open = 0 }
  function col(X, s, v,   x, m) { m = cnt[s, v]; delete w; for (x = 1; x <= m; x++) w[x] = X[s, v, x]; return med(w, m) }
  END {
    if (!bad) incomplete()
    if (bad) exit 1
    print "KxMxN,build,rounds,two_threads_us,first_alone_us,second_alone_us,split_over_alone,split_over_alone_min,split_over_alone_max,new_over_old"
    for (i = 1; i <= ns; i++) { s = order[i]
      if (!cnt[s, "old"] || !cnt[s, "new"]) continue
      for (j = 1; j <= 2; j++) { v = j == 1 ? "old" : "new"
        r[v] = col(R, s, v); rl = lo; rh = hi
        printf "%s,%s,%d,%.2f,%.2f,%.2f,%.3f,%.3f,%.3f,%s\n", s, v, cnt[s, v], col(T, s, v), col(A, s, v), col(B, s, v), r[v], rl, rh,
          v == "new" ? sprintf("%.3f", r["old"] / r["new"]) : "" } } }
' "${AB_FILES[@]}" >"$out/ab.csv"
echo "ab_rows_edge.sh: $out/ab.csv" >&2
