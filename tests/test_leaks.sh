#!/usr/bin/env bash
# test_leaks.sh MLPBENCH OUTDIR - the leak check (CTest leak_short_training,
# sanitizer builds only): a short training run with a checkpoint, its resume,
# eval of the checkpoint, and a tiny sweep from a sweep file and its resume,
# each under LeakSanitizer (detect_leaks=1, set by CTest). A leak makes the
# process exit non-zero with a LeakSanitizer report; the test then fails.
set -u
bin=$1 out=$2
rm -rf "$out"; mkdir -p "$out"
fails=0
run() {
  local name=$1; shift
  if ! "$bin" "$@" >"$out/$name.out" 2>"$out/$name.err" || grep -q "Sanitizer" "$out/$name.err"; then
    echo "FAIL: mlpbench $* (exit or sanitizer report):" >&2
    if grep -q "Sanitizer" "$out/$name.err"; then grep -A30 "Sanitizer" "$out/$name.err" | head -60 >&2
    else tail -5 "$out/$name.err" >&2; fi
    fails=$((fails + 1))
  else
    echo "ok   $name: no leak"
  fi
}
data=(--data synthetic --samples 500 --features 8)
run train train "${data[@]}" --hidden 4 --epochs 2 --threads 2 --save "$out/ck" --log "$out/curve.csv"
run resume train "${data[@]}" --hidden 4 --epochs 3 --threads 2 --save "$out/ck" --resume "$out/ck" --log "$out/curve.csv"
run eval eval "${data[@]}" --load "$out/ck" --threads 2 --out "$out/confusion.csv"
printf 'batch = full, 32\nlr = 0.5, 1   # a grid\nhidden = 4\nepochs = 1\nthreads = 1,2\n' >"$out/tiny.sweep"
run sweep sweep "${data[@]}" --classes 4 --file "$out/tiny.sweep" --out "$out/sweep"
run sweep_resume sweep "${data[@]}" --classes 4 --file "$out/tiny.sweep" --out "$out/sweep"
[ "$fails" -eq 0 ] || { echo "$fails leak check(s) failed" >&2; exit 1; }
