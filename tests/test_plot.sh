#!/bin/sh
# test_plot.sh [RESULTS_DIR] - the plotting layer end to end. Runs
# scripts/plot.sh on a copy of RESULTS_DIR (default: a small synthetic results
# folder with every input, so all eleven plots must appear) and checks: exit 0;
# every file listed on stdout exists, is non-empty and is a real PNG (magic
# bytes) or SVG; every plot is either written or named on a "skipped" line;
# the plots the folder's files call for exist. Then the refusals: a folder
# without runs.csv and gemm*.csv, and a PATH without gnuplot, each exit
# non-zero with one line on stderr. Exit 77 (skip) when gnuplot is missing.
set -u
here=$(cd "$(dirname "$0")" && pwd)
plot=$here/../scripts/plot.sh
command -v gnuplot >/dev/null 2>&1 || { echo "SKIP: gnuplot not installed"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
ok() { echo "ok   $*"; }

# synthetic folder: gd/minibatch 32/sgd x threads 1,2 x seeds 1,2, curves, summary, gemm
fake() {
  mkdir -p "$1/curves"
  printf '{\n  "machine": "testhost (Test CPU @ 1.00GHz)",\n  "peak_gflops": {"1": 50.0, "2": 100.0}\n}\n' >"$1/meta.json"
  awk -v D="$1" 'BEGIN {
    print "run_id,method,batch,batch_rows,threads,hidden,isa,kernel,reduction,lr,seed,repeat,selected,epochs,steps,samples_seen,train_s,eval_s,final_train_loss,final_test_loss,final_test_acc,final_val_acc,target_acc,reached,time_to_target_s,samples_to_target,epochs_to_target,samples_per_s,gflops,peak_gflops,pct_peak,t_data,t_forward,t_loss,t_backward,t_update,stopped_by" > (D "/runs.csv")
    print "method,batch,batch_rows,threads,hidden,isa,kernel,lr,runs,reached,tta_median,tta_min,tta_max,acc_median,acc_min,acc_max,sps_median,sps_min,sps_max,gflops_median,pct_peak_median" > (D "/summary.csv")
    split("gd minibatch sgd", M, " "); split("full 32 1", B, " "); split("600 32 1", R, " "); split("1 10 10", P, " ")
    for (m = 1; m <= 3; m++) for (t = 1; t <= 2; t++) {
      sps = (m == 3 ? 2000 : 9000) * (t == 2 ? 1.6 : 1); tta = ""
      for (s = 1; s <= 2; s++) {
        id = "r" m t s; f = D "/curves/" id ".csv"; n = 3 * P[m]
        print "epoch,step,samples_seen,wall_s,eval_s,train_loss,test_loss,test_acc,val_loss,val_acc,samples_per_s" > f
        for (i = 1; i <= n; i++) { e = i / P[m]; seen = e * 600; w = seen / sps * (1 + 0.05 * s)
          l = 0.3 + 2 * exp(-(m == 1 ? 0.7 : 2) * e); a = 1 - 0.35 * l
          if (a >= 0.8 && tta == "") tta = w
          printf "%g,%d,%d,%g,0.01,%g,%g,%g,,,%g\n", e, seen / R[m], seen, w, l, l + 0.05, a, sps > f }
        close(f)
        printf "%s,%s,%s,%s,%d,64x32,avx2,simd,mean,0.1,%d,0,1,3,%d,1800,%g,0.1,%g,%g,%g,,0.8,1,%g,,,%g,5,50,10,0.1,0.4,0.05,0.5,0.2,epochs\n",
          id, M[m], B[m], R[m], t, s, 1800 / R[m], w, l, l + 0.05, a, tta, sps >> (D "/runs.csv") }
      printf "%s,%s,%s,%d,64x32,avx2,simd,0.1,2,2,%g,%g,%g,0.88,0.87,0.89,%g,%g,%g,5,10\n",
        M[m], B[m], R[m], t, tta, tta * 0.9, tta * 1.1, sps, sps * 0.95, sps * 1.05 >> (D "/summary.csv") }
    g = D "/gemm.csv"
    print "group,shape,op,m,n,k,isa,kernel,threads,reps,median_s,min_s,gflops,peak_gflops,pct_peak,blas_gflops,ratio_vs_blas" > g
    for (t = 1; t <= 2; t++) for (k = 1; k <= 2; k++) {
      kn = k == 1 ? "ref" : "simd"
      for (n = 64; n <= 512; n *= 2) printf "square,%dx%dx%d,nn,%d,%d,%d,avx2,%s,%d,5,0.01,0.01,%g,%d,50,%g,0.5\n", n, n, n, n, n, n, kn, t, 5 * k * k * t * log(n), 50 * t, 40 * t >> g
      printf "step-b64,step-total,,,,,avx2,%s,%d,5,0.01,0.01,%g,%d,50,%g,0.5\n", kn, t, 8 * k * k * t, 50 * t, 30 * t >> g }
  }'
}

if [ $# -ge 1 ]; then
  [ -d "$1" ] || { echo "FAIL: $1: no such folder" >&2; exit 1; }
  cp -R "$1" "$tmp/res" && rm -rf "$tmp/res/plots"
else
  fake "$tmp/res"
fi
res=$tmp/res

# the run: exit 0, every listed file real, every plot written or skipped
sh "$plot" "$res" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok "plot.sh exit 0 ($(wc -l <"$tmp/out") files)" || { fail "plot.sh exit $rc:"; cat "$tmp/err" >&2; }
while IFS= read -r f; do
  case $f in
    *.png) magic=$(od -An -tx1 -N8 "$f" 2>/dev/null | tr -d ' \n')
           [ "$magic" = 89504e470d0a1a0a ] || fail "$f: not a PNG (magic '$magic')" ;;
    *.svg) grep -q '<svg' "$f" 2>/dev/null || fail "$f: not an SVG" ;;
    *) fail "unexpected output line '$f'" ;;
  esac
  [ -s "$f" ] || fail "$f: missing or empty"
  case $f in "$res/plots/"*) ;; *) fail "$f: not under $res/plots" ;; esac
done <"$tmp/out"
for p in loss_vs_epochs loss_vs_samples loss_vs_time accuracy_vs_time time_to_accuracy samples_per_s_vs_batch \
         speedup_threads gemm_gflops gemm_step_total kernel_ablation phase_breakdown; do
  if grep -qx "$res/plots/$p.png" "$tmp/out"; then
    grep -qx "$res/plots/$p.svg" "$tmp/out" || fail "$p: png without svg"
  elif ! grep -q "skipped.*$p" "$tmp/err"; then
    fail "$p: neither written nor skipped with a reason"
  fi
done
# what the inputs call for must be there
need() { grep -qx "$res/plots/$1.png" "$tmp/out" && ok "$1.png written" || fail "$1.png missing ($2)"; }
[ -f "$res/runs.csv" ] && need phase_breakdown "runs.csv present"
if [ -f "$res/runs.csv" ] && ls "$res"/curves/*.csv >/dev/null 2>&1; then
  for p in loss_vs_epochs loss_vs_samples loss_vs_time accuracy_vs_time; do need $p "runs.csv and curves/ present"; done
fi
[ -f "$res/summary.csv" ] && need samples_per_s_vs_batch "summary.csv present"
ls "$res"/gemm*.csv >/dev/null 2>&1 && grep -q '^square,' "$res"/gemm*.csv && need gemm_gflops "gemm csv with square rows"
if [ $# -eq 0 ]; then   # the synthetic folder has everything
  for p in time_to_accuracy speedup_threads gemm_step_total kernel_ablation; do need $p "synthetic folder"; done
fi
if [ $# -eq 0 ]; then
  grep -q 'testhost (Test CPU' "$res/plots/loss_vs_epochs.svg" && ok "title names the machine" || fail "machine not in the title"
fi
if [ $# -eq 0 ]; then  # a folder of gemm runs only (bench/gemm_repeat.sh): machine and peaks from their .meta.txt
  mkdir "$tmp/gemmonly"
  grep -E '^(group|square),' "$res"/gemm.csv >"$tmp/gemmonly/gemm-median.csv"
  printf 'cpu             Test CPU G, 2 cores\npeak GFLOP/s    avx2    1 thread 40.0  2 threads 80.0  (FMA)\n' >"$tmp/gemmonly/try1.meta.txt"
  printf 'cpu             Test CPU G, 2 cores\npeak GFLOP/s    avx2    1 thread 44.0  2 threads 77.0  (FMA)\n' >"$tmp/gemmonly/try2.meta.txt"
  if sh "$plot" "$tmp/gemmonly" >"$tmp/gout" 2>"$tmp/gerr" && [ -s "$tmp/gemmonly/plots/gemm_gflops.svg" ]; then
    grep -q 'Test CPU G' "$tmp/gemmonly/plots/gemm_gflops.svg" && ok "gemm folder: title names the machine from its .meta.txt" ||
      fail "gemm folder: machine not in the title"
    grep -q 'peak, 1 thread: 44' "$tmp/gemmonly/plots/gemm_gflops.svg" && grep -q 'peak, 2 threads: 80' "$tmp/gemmonly/plots/gemm_gflops.svg" &&
      ok "gemm folder: the best probe per thread count drawn as the peak" || fail "gemm folder: peaks not the best probes"
  else fail "gemm folder: plot.sh failed or wrote no gemm_gflops: $(cat "$tmp/gerr")"; fi
fi

# refuse DIR PATTERN [PATH]: non-zero exit, exactly one stderr line matching PATTERN, nothing on stdout
refuse() {
  if [ -n "${3-}" ]; then PATH=$3 sh "$plot" "$1" >"$tmp/rout" 2>"$tmp/rerr"; else sh "$plot" "$1" >"$tmp/rout" 2>"$tmp/rerr"; fi
  r=$?
  if [ $r -eq 0 ]; then fail "$1: exit 0"
  elif [ "$(wc -l <"$tmp/rerr")" -ne 1 ] || ! grep -q "$2" "$tmp/rerr"; then fail "$1: stderr not one line matching /$2/: $(cat "$tmp/rerr")"
  elif [ -s "$tmp/rout" ]; then fail "$1: wrote to stdout"
  else ok "refused (rc=$r): $(cat "$tmp/rerr")"; fi
}
mkdir "$tmp/empty"
refuse "$tmp/empty" "no runs.csv"
refuse "$tmp/nonexistent" "no such results folder"
# a PATH with every tool but gnuplot
mkdir "$tmp/bin"
IFS=:; for d in $PATH; do [ -d "$d" ] && for f in "$d"/*; do
  case ${f##*/} in gnuplot*) ;; *) [ -e "$tmp/bin/${f##*/}" ] || ln -s "$f" "$tmp/bin/${f##*/}" 2>/dev/null ;; esac
done; done; unset IFS
refuse "$res" "gnuplot not found" "$tmp/bin"

[ $fails -eq 0 ] && echo "all plot checks passed" || echo "$fails plot check(s) failed" >&2
[ $fails -eq 0 ]
