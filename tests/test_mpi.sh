#!/usr/bin/env bash
# test_mpi.sh MPIEXEC MLPBENCH - data-parallel training over 2 ranks on a small
# synthetic network: the run completes with the weights identical on every rank
# (checked at every point by a CRC32 agreement; a mismatch stops the run), the
# loss curve matches a single process with the same global batch within 1e-5
# relative, a batch smaller than the rank count is refused, a failure stops the
# job with the failing rank's message (no hang), and a checkpoint written by
# 2 ranks resumes on 1 to the same place as an uninterrupted run.
set -u
mpiexec=$1 bin=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
mpi=("$mpiexec" --oversubscribe -np 2)
[ "$(id -u)" -eq 0 ] && mpi=("$mpiexec" --allow-run-as-root --oversubscribe -np 2)
S=(--data synthetic --samples 4000 --features 32 --hidden 32,16 --threads 1 --epochs 3)

# relative difference of the loss columns (train_loss, test_loss) of two curves, row by row
close() {
  paste -d, "$1" "$2" | awk -F, -v tol=1e-5 'NR > 1 {
      for (c = 6; c <= 7; c++) { a = $c; b = $(c + 13); d = a - b; if (d < 0) d = -d
        if (d > tol * (a < 0 ? -a : a) + 1e-12) { print "row " NR ": " a " vs " b; bad = 1 } }
      if ($2 != $15 || $3 != $16) { print "row " NR ": steps/samples differ"; bad = 1 } }
    END { exit bad }'
}

for b in full 64 7; do
  "$bin" train "${S[@]}" --batch $b --log "$tmp/np1_$b.csv" >/dev/null 2>"$tmp/err1" || fail "np 1 batch $b: $(cat "$tmp/err1")"
  timeout 120 "${mpi[@]}" "$bin" train "${S[@]}" --batch $b --log "$tmp/np2_$b.csv" >"$tmp/out2" 2>"$tmp/err2" \
    || fail "np 2 batch $b failed: $(tail -3 "$tmp/err2")"
  grep -q "2 MPI ranks" "$tmp/err2" || fail "np 2 batch $b: no rank line: $(head -3 "$tmp/err2")"
  grep -q "differ across ranks" "$tmp/err2" && fail "np 2 batch $b: weights differ across ranks"
  [ "$(grep -c '^ *[0-9]' "$tmp/out2")" -eq 3 ] || fail "np 2 batch $b: want 3 epoch lines from rank 0 only: $(cat "$tmp/out2")"
  if close "$tmp/np1_$b.csv" "$tmp/np2_$b.csv" >"$tmp/diff"; then echo "ok   batch $b: 2 ranks match 1 process"
  else fail "batch $b: 2 ranks vs 1 process: $(head -3 "$tmp/diff")"; fi
done

# refusals and failures stop the whole job with a message
timeout 60 "${mpi[@]}" "$bin" train "${S[@]}" --batch 1 >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "batch 1 on 2 ranks: exit $rc"
grep -q -- "--batch 1 is smaller than the 2 MPI ranks" "$tmp/err" || fail "batch < ranks message: $(cat "$tmp/err")"
timeout 60 "${mpi[@]}" "$bin" train --data-dir "$tmp/nowhere" >/dev/null 2>"$tmp/err"; rc=$?
[ $rc -ne 0 ] && [ $rc -ne 124 ] || fail "missing data on 2 ranks: exit $rc (124 = hung)"
grep -q "mlpbench\[rank [01]\]: no such directory: $tmp/nowhere" "$tmp/err" || fail "failure message: $(cat "$tmp/err")"
echo "ok   refusals and failures stop the job"

# a checkpoint from 2 ranks resumes on 1
timeout 120 "${mpi[@]}" "$bin" train "${S[@]}" --batch 64 --epochs 2 --save "$tmp/two.ckpt" >/dev/null 2>"$tmp/err" \
  || fail "np 2 --save: $(tail -2 "$tmp/err")"
"$bin" train "${S[@]}" --batch 64 --epochs 3 --resume "$tmp/two.ckpt" --log "$tmp/resumed.csv" >/dev/null 2>"$tmp/err" \
  || fail "resume on 1 rank: $(cat "$tmp/err")"
tail -1 "$tmp/np1_64.csv" >"$tmp/a"; tail -1 "$tmp/resumed.csv" >"$tmp/b"
{ head -1 "$tmp/np1_64.csv"; cat "$tmp/a"; } >"$tmp/a.csv"; { head -1 "$tmp/np1_64.csv"; cat "$tmp/b"; } >"$tmp/b.csv"
close "$tmp/a.csv" "$tmp/b.csv" >"$tmp/diff" && echo "ok   2-rank checkpoint resumed on 1 rank" \
  || fail "2 ranks then 1: $(cat "$tmp/diff")"

# a sweep over 2 ranks: rank 0 writes the folder, meta.json records the ranks
timeout 120 "${mpi[@]}" "$bin" sweep --data synthetic --samples 2000 --features 16 --hidden 8 --batch full,32 \
  --threads 1 --epochs 2 --points 2 --out "$tmp/sw" >/dev/null 2>"$tmp/err" || fail "sweep on 2 ranks: $(tail -3 "$tmp/err")"
[ "$(wc -l <"$tmp/sw/runs.csv")" -eq 3 ] || fail "sweep on 2 ranks: runs.csv has $(wc -l <"$tmp/sw/runs.csv") lines"
grep -q '"ranks": 2' "$tmp/sw/meta.json" || fail "meta.json does not record 2 ranks"
awk -F, 'NR > 1 && $NF != 2 { exit 1 }' "$tmp/sw/runs.csv" || fail "runs.csv ranks column"
echo "ok   sweep on 2 ranks"

echo "mpi: $fails failed"
[ $fails -eq 0 ]
