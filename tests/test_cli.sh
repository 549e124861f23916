#!/usr/bin/env bash
# test_cli.sh MLPBENCH - the command line as a user meets it: every bad input
# exits non-zero with one clear line on stderr and leaves no CSV behind; help
# documents every flag with its default; a good run writes the documented CSV.
set -u
bin=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 checks=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }

# refuse NAME PATTERN ARGS...: non-zero exit, exactly one stderr line matching PATTERN, no CSV
refuse() {
  local name=$1 pat=$2; shift 2
  checks=$((checks + 1))
  rm -f "$tmp/log.csv"
  "$bin" train --log "$tmp/log.csv" "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$? lines
  lines=$(wc -l <"$tmp/err")
  if [ $rc -eq 0 ]; then fail "$name: exit 0"; return; fi
  if [ "$lines" -ne 1 ]; then fail "$name: $lines lines on stderr:"; cat "$tmp/err" >&2; fi
  grep -qE -- "$pat" "$tmp/err" || fail "$name: stderr does not match /$pat/: $(cat "$tmp/err")"
  [ -e "$tmp/log.csv" ] && fail "$name: left a CSV behind"
  [ -s "$tmp/out" ] && fail "$name: wrote to stdout: $(head -c 200 "$tmp/out")"
  echo "ok   $name: rc=$rc: $(cat "$tmp/err")"
}

refuse "unknown flag"       "unknown flag '--bogus'"        --bogus 3
refuse "batch 0"            "--batch: 0 is out of range"     --batch 0
refuse "lr -1"              "--lr: -1 is out of range"       --lr -1
refuse "lr junk"            "--lr: '0.1x' is not"            --lr 0.1x
refuse "hidden 0"           "--hidden: '0' in '0'"           --hidden 0
refuse "hidden abc"         "--hidden: 'abc'"                --hidden abc
refuse "hidden 256,,128"    "--hidden: '256,,128'"           --hidden 256,,128
refuse "epochs overflow"    "--epochs: '99999999999999999999' is not a whole number" --epochs 99999999999999999999
refuse "threads 0"          "--threads: 0 is out of range"   --threads 0
refuse "reduction"          "--reduction: expected mean or sum" --reduction avg
refuse "kernel"             "--kernel: expected ref, blocked or simd" --kernel fast
refuse "isa"                "--isa: expected"                --isa sse9
refuse "missing value"      "--epochs needs a value"         --epochs

# the gemm benchmark's own list flags: the same one line, nothing on stdout (its CSV)
refuse_gemm() {
  local name=$1 pat=$2; shift 2
  checks=$((checks + 1))
  "$bin" gemm --quick "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  if [ $rc -eq 0 ]; then fail "gemm $name: exit 0"; return; fi
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || { fail "gemm $name: not one line on stderr:"; cat "$tmp/err" >&2; }
  grep -qE -- "$pat" "$tmp/err" || fail "gemm $name: stderr does not match /$pat/: $(cat "$tmp/err")"
  [ -s "$tmp/out" ] && fail "gemm $name: wrote to stdout: $(head -c 200 "$tmp/out")"
  echo "ok   gemm $name: rc=$rc: $(cat "$tmp/err")"
}
refuse_gemm "split word"    "--split: expected auto, shared, rows or cols, not 'foo'" --split foo
refuse_gemm "split list"    "--split: 'auto,,rows' is not a list"                    --split auto,,rows
refuse_gemm "kernel word"   "--kernel: expected ref, blocked or simd"                --kernel ref,fast
refuse "stray argument"     "unexpected argument 'extra'"    extra
refuse "missing idx dir"    "$tmp/nope"                      --data "idx:$tmp/nope"
refuse "missing data-dir"   "$tmp/nope2.*dataset-fashion-mnist|$tmp/nope2" --data-dir "$tmp/nope2"
refuse "data source"        "--data: expected"               --data mnist
refuse "limit too large"    "--limit 50000: the training set has only 10000 rows" --data synthetic --limit 50000
refuse "classes 1"          "--classes: 1 is out of range"   --data synthetic --classes 1

checks=$((checks + 1))
"$bin" train --help >"$tmp/help" 2>&1 || fail "train --help exits non-zero"
for f in data data-dir features classes samples limit hidden batch epochs lr reduction threads seed kernel isa log; do
  grep -qE -- "--$f .*\(default: " "$tmp/help" || fail "train --help does not document --$f with its default"
done
"$bin" --help | grep -q "train" || fail "mlpbench --help does not list train"
"$bin" nonsense 2>"$tmp/err" && fail "unknown command exits 0"
grep -q "unknown command 'nonsense'" "$tmp/err" || fail "unknown command message: $(cat "$tmp/err")"

# a good run: CSV header, one row per epoch, stdout table, diagnostics on stderr only
checks=$((checks + 1))
if "$bin" train --data synthetic --samples 2000 --features 20 --hidden 16,8 --epochs 3 --batch 32 --threads 2 \
     --log "$tmp/sub/dir/curve.csv" >"$tmp/out" 2>"$tmp/err"; then
  head -1 "$tmp/sub/dir/curve.csv" | grep -q '^epoch,step,samples_seen,wall_s,eval_s,train_loss,test_loss,test_acc,' \
    || fail "CSV header: $(head -1 "$tmp/sub/dir/curve.csv")"
  [ "$(wc -l <"$tmp/sub/dir/curve.csv")" -eq 4 ] || fail "CSV has $(wc -l <"$tmp/sub/dir/curve.csv") lines, want 4"
  awk -F, 'NR==4 { exit !($1 == 3 && $2 == 189 && $3 == 6000) }' "$tmp/sub/dir/curve.csv" \
    || fail "last row epoch/step/samples_seen: $(tail -1 "$tmp/sub/dir/curve.csv")"
  [ "$(wc -l <"$tmp/out")" -eq 4 ] || fail "stdout has $(wc -l <"$tmp/out") lines, want header + 3"
  grep -q "kernel simd, isa" "$tmp/err" || fail "stderr lacks the kernel/isa line"
else
  fail "good synthetic run failed: $(cat "$tmp/err")"
fi

# more threads than cores (hwloc's count, read off a 1-thread run: nproc follows OMP_NUM_THREADS
# and the affinity mask): the binding line says the cores are oversubscribed; 1 thread never is
checks=$((checks + 1))
"$bin" train --data synthetic --samples 1000 --features 8 --hidden 8 --epochs 1 --threads 1 \
  >/dev/null 2>"$tmp/err" || fail "run on 1 thread failed: $(cat "$tmp/err")"
cores=$(sed -n 's/.*binding hwloc: 1 thread, thread i on core i mod \([0-9]*\).*/\1/p' "$tmp/err")
if [ -n "$cores" ]; then
  grep -q "oversubscribed" "$tmp/err" && fail "1 thread called oversubscribed: $(cat "$tmp/err")"
  over=$((cores + 1))
  "$bin" train --data synthetic --samples 1000 --features 8 --hidden 8 --epochs 1 --threads "$over" \
    >/dev/null 2>"$tmp/err" || fail "run on $over threads failed: $(cat "$tmp/err")"
  grep -q "binding hwloc: $over threads.*(oversubscribed" "$tmp/err" || fail "$over threads not called oversubscribed: $(cat "$tmp/err")"
else
  echo "skip oversubscription: no hwloc binding in this build or environment"
fi

# divergence: stops with epoch, step and rate named; the rows before it stay valid
checks=$((checks + 1))
"$bin" train --data synthetic --samples 2000 --features 20 --hidden 16 --epochs 50 --batch 1000 --lr 1e37 \
  --reduction sum --log "$tmp/div.csv" >/dev/null 2>"$tmp/err"
rc=$?
if [ $rc -eq 0 ]; then fail "divergent run exited 0"; else
  grep -qE "loss became (NaN|infinite) at epoch [0-9]+, step [0-9]+ \(learning rate 1e\+37\).*--reduction sum" "$tmp/err" \
    || fail "divergence message: $(cat "$tmp/err")"
  head -1 "$tmp/div.csv" | grep -q '^epoch,' || fail "divergent run's CSV lost its header"
  awk -F, 'NR > 1 && NF != 13 { exit 1 }' "$tmp/div.csv" || fail "divergent run's CSV has a torn row"
  echo "ok   divergence: $(tail -1 "$tmp/err")"
fi

# checkpoints: refusals name the file and what does not match; Ctrl-C saves; resume finishes the run
checks=$((checks + 1))
S=(--data synthetic --samples 3000 --features 20 --hidden 16,8 --batch 32 --threads 2)
"$bin" train "${S[@]}" --epochs 3 --save "$tmp/a.ckpt" >/dev/null 2>&1 || fail "train --save failed"
refuse "resume other widths" "--resume $tmp/a.ckpt: the checkpoint's network is 20-16-8-10, this run's is 20-16-10" \
  "${S[@]}" --hidden 16 --epochs 5 --resume "$tmp/a.ckpt"
refuse "resume other lr"     "--lr is 0.5, this run's 0.1"         "${S[@]}" --lr 0.1 --epochs 5 --resume "$tmp/a.ckpt"
refuse "resume done"         "already has 3 epochs"                 "${S[@]}" --epochs 3 --resume "$tmp/a.ckpt"
head -c 150 "$tmp/a.ckpt" >"$tmp/trunc.ckpt"
refuse "resume truncated"    "$tmp/trunc.ckpt: checksum mismatch"   "${S[@]}" --epochs 5 --resume "$tmp/trunc.ckpt"
printf 'NOTACKPT0000000000000000' >"$tmp/magic.ckpt"
refuse "resume bad magic"    "$tmp/magic.ckpt: not an mlpbench checkpoint" "${S[@]}" --epochs 5 --resume "$tmp/magic.ckpt"
refuse "resume missing"      "--resume $tmp/nope.ckpt: cannot open" --epochs 1 --resume "$tmp/nope.ckpt"
refuse "max-memory"          "needs [0-9.]+ [KMG]iB, more than the [0-9.]+ [KMG]iB of --max-memory" --data synthetic --max-memory 100K
refuse "max-memory junk"     "--max-memory: '12Q' is not a size"    --data synthetic --max-memory 12Q
"$bin" eval --load "$tmp/a.ckpt" --data synthetic --samples 3000 --features 20 --out "$tmp/conf.csv" >"$tmp/eval" 2>&1 \
  || fail "eval failed: $(cat "$tmp/eval")"
grep -q "^accuracy " "$tmp/eval" && grep -q "confusion matrix" "$tmp/eval" || fail "eval output: $(cat "$tmp/eval")"
[ "$(wc -l <"$tmp/conf.csv")" -eq 11 ] && head -1 "$tmp/conf.csv" | grep -q '^true_class,pred_0,' || fail "confusion CSV"
awk -F, 'NR > 1 { for (i = 2; i <= NF; i++) s += $i } END { exit !(s == 750) }' "$tmp/conf.csv" \
  || fail "confusion matrix does not count the 750 test rows"
# Ctrl-C: a checkpoint at the interruption; the resumed run ends where an uninterrupted one does
L=(--data synthetic --samples 20000 --features 64 --hidden 128,64 --batch 8 --threads 1 --epochs 4)
"$bin" train "${L[@]}" --save "$tmp/full.ckpt" >/dev/null 2>&1
"$bin" train "${L[@]}" --save "$tmp/int.ckpt" >/dev/null 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 100); do [ -s "$tmp/int.ckpt" ] && break; sleep 0.05; done
kill -INT $pid; wait $pid; rc=$?
if [ $rc -eq 130 ]; then
  grep -q "interrupted at epoch .*continue with --resume $tmp/int.ckpt" "$tmp/err" || fail "interrupt message: $(cat "$tmp/err")"
  "$bin" train "${L[@]}" --save "$tmp/int.ckpt" --resume "$tmp/int.ckpt" >/dev/null 2>&1 || fail "resume after Ctrl-C failed"
  e1=$("$bin" eval --load "$tmp/full.ckpt" --data synthetic --samples 20000 --features 64 2>&1 | sed 1d)
  e2=$("$bin" eval --load "$tmp/int.ckpt" --data synthetic --samples 20000 --features 64 2>&1 | sed 1d)
  [ -n "$e1" ] && [ "$e1" = "$e2" ] || fail "interrupted + resumed run ends elsewhere: '$e1' vs '$e2'"
  echo "ok   Ctrl-C then --resume ends where the uninterrupted run does"
else
  fail "interrupted train exited $rc (want 130): $(cat "$tmp/err")"
fi

# info: the machine as the harness sees it, every line it promises
checks=$((checks + 1))
if "$bin" info >"$tmp/info" 2>"$tmp/info.err"; then
  before=$fails
  for k in "^cpu " "^cores " "^caches " "^huge pages +transparent, mode (always|madvise|never|unknown)" "^auto picks " "^peak GFLOP/s +scalar"; do
    grep -Eq "$k" "$tmp/info" || fail "info: no line /$k/: $(head -c 300 "$tmp/info")"
  done
  [ $fails -eq $before ] && echo "ok   info"
else
  fail "info exited non-zero: $(cat "$tmp/info.err")"
fi

# MLPB_PAR_MIN: a bad value refused by name before any output (gemm and sweep open files
# before their kernel contexts); -1 marked on the parallel line (2+ cores)
MLPB_PAR_MIN=abc refuse "MLPB_PAR_MIN not a number" "MLPB_PAR_MIN" --data synthetic --samples 500 --epochs 1
checks=$((checks + 1))
MLPB_PAR_MIN=1x "$bin" gemm --quick --out "$tmp/pm.csv" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] && grep -q MLPB_PAR_MIN "$tmp/err" && [ ! -e "$tmp/pm.csv" ] &&
   [ ! -s "$tmp/out" ]; then
  echo "ok   MLPB_PAR_MIN=1x gemm: rc 2, one line, no CSV"
else
  fail "MLPB_PAR_MIN=1x gemm: rc $rc, $(cat "$tmp/err"), csv $(ls "$tmp"/pm.csv 2>&1)"
fi
checks=$((checks + 1))
if MLPB_PAR_MIN=-1 "$bin" info >"$tmp/info" 2>"$tmp/info.err"; then
  if grep -Eq "^cores +1$" "$tmp/info" || grep -Eq "^parallel .*fewer flops than 0M \(packed\).*\[set: MLPB_PAR_MIN" "$tmp/info"; then
    echo "ok   MLPB_PAR_MIN=-1: every GEMM splits, marked"
  else
    fail "MLPB_PAR_MIN=-1: $(grep '^parallel' "$tmp/info")"
  fi
else
  fail "MLPB_PAR_MIN=-1 info exited non-zero: $(cat "$tmp/info.err")"
fi

echo "cli: $checks groups, $fails failed"
[ $fails -eq 0 ]
