#!/usr/bin/env bash
# test_sweep.sh MLPBENCH OUTDIR - the sweep driver on a tiny synthetic sweep:
# the files, rows and columns it promises; resume skips finished runs; Ctrl-C
# leaves parseable files and the next run completes the rest; bad sweep
# specifications are refused before any run. Leaves the tiny sweep's folder in
# OUTDIR/tiny for the plot test.
set -u
bin=$1 out=$2
rm -rf "$out"; mkdir -p "$out"
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ncols=39
tiny=(--data synthetic --samples 600 --features 16 --classes 4 --hidden 8 --epochs 2 --points 4 --threads 1,2)

# 1. a tiny sweep: full batch, SGD, mini-batch at 1 and 2 threads
"$bin" sweep "${tiny[@]}" --batch full,1,32 --out "$out/tiny" 2>"$out/err1" || fail "tiny sweep failed: $(tail -3 "$out/err1")"
d=$out/tiny
for f in meta.json runs.csv summary.csv; do [ -s "$d/$f" ] || fail "missing $f"; done
[ "$(wc -l <"$d/runs.csv")" -eq 7 ] || fail "runs.csv has $(wc -l <"$d/runs.csv") lines, want 1 + 6"
awk -F, -v n=$ncols '{ if (NF != n) { print "line " NR ": " NF " fields"; bad = 1 } } END { exit bad }' "$d/runs.csv" \
  || fail "runs.csv rows do not all have $ncols fields"
[ "$(ls "$d/curves" | grep -c '\.csv$')" -eq 6 ] || fail "want 6 curves, have: $(ls "$d/curves")"
ls "$d" "$d/curves" | grep -q '\.tmp$' && fail "temporary files left behind"
for m in gd sgd minibatch; do grep -q "^[^,]*,$m," "$d/runs.csv" || fail "no $m run in runs.csv"; done
for k in '"machine"' '"git_commit"' '"compiler"' '"peak_gflops"' '"crc32"' '"start_time"' '"flush_to_zero": true' '"OMP_PLACES"'; do
  grep -q "$k" "$d/meta.json" || fail "meta.json lacks $k"
done
grep -q '"end_time": "20' "$d/meta.json" || fail "meta.json has no end_time after a complete sweep"
# the commit recorded at build time: a full hash (or "unknown" outside git), and the dirty flag
grep -Eq '"git_commit": "([0-9a-f]{40}|unknown)"' "$d/meta.json" || fail "meta.json: git_commit $(grep git_commit "$d/meta.json")"
grep -Eq '"git_dirty": (true|false)' "$d/meta.json" || fail "meta.json has no git_dirty"
grep -q '"huge_page_kib": ' "$d/meta.json" || fail "meta.json: the dataset lacks huge_page_kib"
# curves: header, 2 epochs x 4 points (full batch: one point per step = 2)
for c in "$d"/curves/*.csv; do
  head -1 "$c" | grep -q '^epoch,step,samples_seen,wall_s,eval_s,train_loss,test_loss,test_acc,val_loss,val_acc,samples_per_s$' \
    || fail "$c: header $(head -1 "$c")"
  want=9; case $c in *bfull-*) want=3 ;; esac
  [ "$(wc -l <"$c")" -eq $want ] || fail "$c: $(wc -l <"$c") lines, want $want"
done
# same seed, 1 vs 2 threads: identical learning (the sweep inherits determinism)
for b in full 1 32; do
  a1=$(awk -F, -v b=$b '$3 == b && $5 == 1 { print $19 "," $20 "," $21 }' "$d/runs.csv")
  a2=$(awk -F, -v b=$b '$3 == b && $5 == 2 { print $19 "," $20 "," $21 }' "$d/runs.csv")
  [ -n "$a1" ] && [ "$a1" = "$a2" ] || fail "batch $b: 1 and 2 threads learned differently: '$a1' vs '$a2'"
done
# summary: one row per (method, batch, threads)
[ "$(wc -l <"$d/summary.csv")" -eq 7 ] || fail "summary.csv has $(wc -l <"$d/summary.csv") lines, want 7"
echo "ok   tiny sweep"

# 2. resume: the same sweep again runs nothing; a wider one runs only what is new
cp "$d/runs.csv" "$out/runs.before"
"$bin" sweep "${tiny[@]}" --batch full,1,32 --out "$d" 2>"$out/err2" || fail "re-run failed"
grep -q "6 finished before, 0 to run" "$out/err2" || fail "re-run did not skip: $(head -1 "$out/err2")"
cmp -s "$d/runs.csv" "$out/runs.before" || fail "re-run changed runs.csv"
"$bin" sweep "${tiny[@]}" --batch full,1,32,64 --out "$d" 2>"$out/err3" || fail "wider re-run failed"
grep -q "6 finished before, 2 to run" "$out/err3" || fail "wider re-run: $(head -1 "$out/err3")"
[ "$(wc -l <"$d/runs.csv")" -eq 9 ] || fail "after the wider re-run runs.csv has $(wc -l <"$d/runs.csv") lines, want 9"
echo "ok   resume"

# 3. Ctrl-C: finished runs stay, files parse, the same command completes the rest
# (runs of ~0.5 s or more each here: a sweep of 0.4 s in all finished between two polls and
# the signal found nothing left to interrupt)
long=(--data synthetic --samples 4000 --features 64 --classes 4 --hidden 256 --epochs 30 --batch 1,2,3,4 --threads 1 --out "$out/int")
"$bin" sweep "${long[@]}" 2>"$out/err4" &
pid=$!
for _ in $(seq 1 3000); do
  [ -f "$out/int/runs.csv" ] && [ "$(wc -l <"$out/int/runs.csv")" -ge 2 ] && break
  sleep 0.02
done
kill -INT $pid
wait $pid
rc=$?
if [ $rc -ne 130 ]; then fail "interrupted sweep exited $rc, want 130 (did it finish before the signal?)"; fi
grep -q "interrupted: .* run the same command again to resume" "$out/err4" || fail "no resume hint: $(tail -2 "$out/err4")"
n=$(($(wc -l <"$out/int/runs.csv") - 1))
[ $n -ge 1 ] && [ $n -lt 4 ] || fail "interrupted sweep kept $n runs"
awk -F, -v n=$ncols 'NF != n { bad = 1 } END { exit bad }' "$out/int/runs.csv" || fail "interrupted runs.csv is torn"
[ "$(ls "$out/int/curves" | grep -c '\.csv$')" -eq $n ] || fail "curves do not match the $n finished runs: $(ls "$out/int/curves")"
ls "$out/int/curves" | grep -q '\.tmp$' && fail "the interrupted run left a temporary curve"
"$bin" sweep "${long[@]}" 2>"$out/err5" || fail "resume after interrupt failed"
grep -q "$n finished before, $((4 - n)) to run" "$out/err5" || fail "resume after interrupt: $(head -1 "$out/err5")"
[ "$(wc -l <"$out/int/runs.csv")" -eq 5 ] || fail "after resume runs.csv has $(wc -l <"$out/int/runs.csv") lines"
echo "ok   interrupt and resume ($n of 4 runs kept)"

# 4. bad specifications: refused before any run, nothing written
refuse() {
  local name=$1 pat=$2; shift 2
  rm -rf "$out/bad"
  "$bin" sweep --data synthetic --samples 600 --features 16 --out "$out/bad" "$@" >/dev/null 2>"$out/err"
  local rc=$?
  [ $rc -eq 2 ] || fail "$name: exit $rc, want 2"
  [ "$(wc -l <"$out/err")" -eq 1 ] || fail "$name: $(wc -l <"$out/err") stderr lines"
  grep -qE -- "$pat" "$out/err" || fail "$name: message '$(cat "$out/err")' does not match /$pat/"
  [ -e "$out/bad/runs.csv" ] && fail "$name: a run started"
  echo "ok   refused $name: $(cat "$out/err")"
}
refuse "empty list"          "--batch: empty list"                   --batch ""
refuse "empty item"          "--threads: empty item in '1,,2'"       --threads 1,,2
refuse "full with samples"   "--batch full with --max-samples 100"   --batch full,32 --max-samples 100
refuse "batch > rows"        "--batch 5000: the training set has only 600 rows" --batch 5000
refuse "no budget"           "no budget"                             --epochs 0
refuse "grid without val"    "needs a validation split"              --lr 0.1,1 --val-frac 0
refuse "unknown kernel"      "--kernel: expected ref, blocked or simd" --kernel ref,fast
printf 'batch = 32\n# a comment\nbogus = 1\n' >"$out/bad.sweep"
refuse "unknown key in file" "bad.sweep:3: unknown key 'bogus'"     --file "$out/bad.sweep"
printf 'batch = 32\nbatch = 64\n' >"$out/bad2.sweep"
refuse "repeated key"        "bad2.sweep:2: key 'batch' given twice" --file "$out/bad2.sweep"
rm -rf "$out/bad"
"$bin" sweep --data synthetic --samples 600 --features 16 >/dev/null 2>"$out/err"; rc=$?
[ $rc -eq 2 ] && grep -q -- "--out DIR is required" "$out/err" || fail "missing --out: rc $rc: $(cat "$out/err")"

# 5. a sweep file with the command line overriding it
printf '# tiny\nbatch = 16\nthreads = 1\nhidden = 4\nepochs = 1\npoints = 2\n' >"$out/ok.sweep"
"$bin" sweep --data synthetic --samples 600 --features 16 --file "$out/ok.sweep" --hidden 6 --out "$out/file" 2>"$out/err" \
  || fail "sweep from file failed: $(tail -2 "$out/err")"
awk -F, 'NR == 2 { exit !($3 == 16 && $5 == 1 && $6 == "6") }' "$out/file/runs.csv" \
  || fail "sweep file values not applied or not overridden: $(sed -n 2p "$out/file/runs.csv")"
echo "ok   sweep file"

echo "sweep: $fails failed"
[ $fails -eq 0 ]
