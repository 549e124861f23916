#!/bin/sh
# plot.sh RESULTS_DIR - draw an mlpbench results folder as PNG + SVG plots in
# RESULTS_DIR/plots/ with gnuplot. awk prepares small aggregated CSVs (median
# and min-max over seeds, per-group tables) in a temporary folder; the
# scripts/*.gp files draw them, reading columns by name. Inputs: meta.json
# (machine, peak_gflops), runs.csv, summary.csv, curves/<run_id>.csv and
# gemm*.csv. Prints every file written on stdout; a plot that cannot be drawn
# says why on stderr. Curve-type plots use selected runs at one context: the
# largest thread count, the first hidden config, the most common isa/kernel.
set -u
me=plot.sh
die() { echo "$me: $*" >&2; exit 1; }
skip() { echo "$me: skipped $1: $2" >&2; }

[ $# -eq 1 ] || die "usage: scripts/plot.sh RESULTS_DIR"
dir=${1%/}
here=$(cd "$(dirname "$0")" && pwd)
[ -d "$dir" ] || die "$dir: no such results folder"
set -- "$dir"/gemm*.csv
[ -f "$1" ] && gemm=$1 || gemm=
[ $# -gt 1 ] && gname="gemm*.csv" || gname=${gemm##*/}
runs=$dir/runs.csv
[ -f "$runs" ] || [ -n "$gemm" ] || die "$dir: no runs.csv (and no gemm*.csv): nothing to plot"
command -v gnuplot >/dev/null 2>&1 || die "gnuplot not found (install gnuplot-nox)"
runplots="loss_vs_epochs, loss_vs_samples, loss_vs_time, accuracy_vs_time, time_to_accuracy, samples_per_s_vs_batch, speedup_threads, phase_breakdown"
[ -f "$runs" ] || { skip "$runplots" "no runs.csv"; runs=; }
[ -f "$dir/summary.csv" ] && summary=$dir/summary.csv || summary=
out=$dir/plots
mkdir -p "$out" || die "cannot create $out"
work=$(mktemp -d) || die "cannot create a temporary folder"
if [ -n "${PLOT_KEEP-}" ]; then echo "$me: keeping $work" >&2; else trap 'rm -rf "$work"' EXIT; fi
trap 'exit 130' INT TERM

thr() { [ "$1" = 1 ] && echo "1 thread" || echo "$1 threads"; }
# q STRING: STRING as a gnuplot single-quoted string
q() { printf "'%s'" "$(printf '%s' "$1" | sed "s/'/''/g")"; }

# machine name and measured peak GFLOP/s ("threads value" lines) from meta.json
machine=$(sed -n 's/.*"machine"[[:space:]]*:[[:space:]]*"\([^"]*\)".*/\1/p' "$dir/meta.json" 2>/dev/null | head -n 1)
# a folder of `mlpbench gemm --out` runs has no meta.json: its first .meta.txt instead
gmeta=$(ls "$dir"/*.meta.txt 2>/dev/null | head -n 1 || true)
[ -n "$machine" ] || [ -z "$gmeta" ] || machine=$(sed -n 's/^\(gemm: \)\{0,1\}cpu  *//p' "$gmeta" | head -n 1)
[ -n "$machine" ] || machine="unknown machine (no meta.json)"
peaks=$(awk '{ s = s $0 " " } END {
  if (!match(s, /"peak_gflops"[ \t]*:[ \t]*\{[^}]*\}/)) exit
  s = substr(s, RSTART, RLENGTH); sub(/^[^{]*\{/, "", s); sub(/\}$/, "", s)
  n = split(s, kv, ",")
  for (i = 1; i <= n; i++) if (split(kv[i], p, ":") == 2) { gsub(/[" \t]/, "", p[1]); gsub(/[ \t]/, "", p[2]); print p[1], p[2] }
}' "$dir/meta.json" 2>/dev/null)
# (the best probe of all the runs there, per thread count, of the ISA of the
# first run's first peak line: the one its rows are compared with)
gisa=$( [ -z "$gmeta" ] || awk '/^(gemm: )?peak GFLOP\/s/ { print $(/^gemm:/ ? 4 : 3); exit }' "$gmeta")
[ -n "$peaks" ] || [ -z "$gmeta" ] || peaks=$(awk -v isa=" ${gisa:-avx2} " '/peak GFLOP\/s/ && index($0, isa) {
  for (i = 1; i < NF; i++) if ($(i + 1) ~ /^threads?$/ && $(i + 2) > best[$i]) best[$i] = $(i + 2) }
  END { for (t in best) print t, best[t] }' "$dir"/*.meta.txt | sort -n)

# terminals: pngcairo if built in, else libgd png; svg for the vector copy
if gnuplot -e 'set terminal' 2>&1 | grep -q pngcairo; then
  pngterm="pngcairo size 1100,700 noenhanced font 'Sans,11'"
else
  pngterm="png size 1100,700 noenhanced"
fi
svgterm="svg size 1100,700 dynamic noenhanced font 'Sans,11' background '#ffffff'"

# render NAME SCRIPT ASSIGNMENTS: run scripts/SCRIPT into plots/NAME.{png,svg}
fails=0
render() {
  for ext in png svg; do
    [ $ext = png ] && term=$pngterm || term=$svgterm
    if gnuplot -e "set terminal $term; set output $(q "$out/$1.$ext"); gpdir=$(q "$here/"); machine=$(q "$machine"); $3" \
        "$here/$2" 2>"$work/gp.err" && [ -s "$out/$1.$ext" ]; then
      echo "$out/$1.$ext"
    else
      echo "$me: gnuplot failed drawing $1.$ext with $2:" >&2; cat "$work/gp.err" >&2
      rm -f "$out/$1.$ext"; fails=$((fails + 1))
    fi
  done
}

# awk library: columns by header name (v), numbers, medians, group labels
# shellcheck disable=SC2016
AWKLIB='
function hdr(  i) { split("", H); for (i = 1; i <= NF; i++) H[$i] = i }
function v(c) { return (c in H) ? $(H[c]) : "" }
function num(s) { return s ~ /^[-+]?([0-9]+[.]?[0-9]*|[.][0-9]+)([eE][-+]?[0-9]+)?$/ }
function sel() { return !("selected" in H) || v("selected") == "1" }
function ctx() { return v("hidden") == HID && v("isa") == ISA && v("kernel") == KERN }
function kname(  s) { s = v("split"); return v("isa") " " v("kernel") (s ~ /^(shared|rows|cols)$/ ? " " s : "") }
function label(m, b) { return m == "gd" ? "full batch (GD)" : m == "sgd" ? "SGD (batch " b ")" : "mini-batch " b }
function med(a, n,  i, j, t) {
  for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
  return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
function readgroups(  l, g) {
  while ((getline l < GROUPS) > 0) { split(l, g, "|"); gidx[g[2] "|" g[3]] = g[1]; glab[g[1]] = g[5]; ng = g[1] } }
{ sub(/\r$/, "") }
FNR == 1 { hdr(); next }
'
# A PROGRAM [VAR=VALUE...] FILE...: awk -F, with the library and the context variables
A() { p=$1; shift; awk -F, -v T="${T-}" -v TH="${threads-}" -v T0="${t0-}" -v HID="${HID-}" -v ISA="${ISA-}" -v KERN="${KERN-}" -v GROUPS="$work/groups" \
  -v WORK="$work" -v DIR="$dir" "$AWKLIB$p" "$@"; }

if [ -n "$runs" ]; then
  # context for curves and breakdown: largest thread count, first hidden config, most common isa/kernel
  ctxline=$(A 'sel() { t = v("threads") + 0; if (t > TM) TM = t; if (hid == "") hid = v("hidden")
      k = v("threads") "|" v("hidden") "|" v("isa") "|" v("kernel"); if (!(k in c)) ord[k] = ++nk; c[k]++ }
    END { for (k in c) { split(k, p, "|"); if (p[1] + 0 != TM || p[2] != hid) continue
        if (best == "" || c[k] > c[best] || (c[k] == c[best] && ord[k] < ord[best])) best = k }
      print best }' "$runs")
  [ -n "$ctxline" ] || { skip "$runplots" "runs.csv has no selected runs"; runs=; }
fi
if [ -n "$runs" ]; then
  IFS='|' read -r T HID ISA KERN <<EOF
$ctxline
EOF
  ctxt="$(thr "$T"), hidden $HID, $ISA/$KERN"
  target=$(A 'sel() && v("threads") == T && ctx() && num(v("target_acc")) { print v("target_acc"); exit }' "$runs")
  # one colour per (method,batch), ordered by rows per step (full batch first): idx|method|batch|rows|label
  A 'sel() { k = v("method") "|" v("batch"); if (!(k in s)) { s[k]; print k "|" v("batch_rows") "|" label(v("method"), v("batch")) } }' \
    "$runs" | sort -t'|' -k3,3nr -k1,1 | awk '{ print NR "|" $0 }' >"$work/groups"

  # curve_<g>.csv: per group, median/min/max over seeds of each curve column, aligned by point index
  A 'BEGIN { readgroups(); nq = split("epoch samples_seen wall_s train_loss test_loss test_acc", Q, " ") }
    sel() && v("threads") == T && ctx() {
      g = gidx[v("method") "|" v("batch")]; f = DIR "/curves/" v("run_id") ".csv"
      if ((getline l < f) <= 0) { if (!miss++) first = f; next }
      sub(/\r$/, "", l); nh = split(l, h, ","); split("", C); for (i = 1; i <= nh; i++) C[h[i]] = i
      r = ++nr[g]; np = 0
      while ((getline l < f) > 0) { sub(/\r$/, "", l); split(l, x, ","); np++
        for (q = 1; q <= nq; q++) val[g, r, np, q] = (Q[q] in C) ? x[C[Q[q]]] : "" }
      close(f); len[g, r] = np; if (np > maxn[g]) maxn[g] = np }
    END { if (miss) print "plot.sh: note: " miss " curve file(s) missing, e.g. " first > "/dev/stderr"
      for (g in nr) { o = WORK "/curve_" g ".csv"; s = ""
        for (q = 1; q <= nq; q++) s = s (q > 1 ? "," : "") Q[q] "," Q[q] "_min," Q[q] "_max"
        print s ",runs" > o
        for (i = 1; i <= maxn[g]; i++) { s = ""; ok = 1
          for (q = 1; q <= nq; q++) { n = 0
            for (r = 1; r <= nr[g]; r++) if (len[g, r] >= i && num(val[g, r, i, q])) a[++n] = val[g, r, i, q] + 0
            if (2 * n < nr[g]) { s = s (q > 1 ? "," : "") ",,"; if (q <= 3) ok = 0; continue }
            m = med(a, n); s = s (q > 1 ? "," : "") m "," a[1] "," a[n]
            if (Q[q] ~ /loss/ && a[1] > 0) { if (lo == "" || a[1] < lo) lo = a[1]; if (a[n] > hi) hi = a[n] } }
          if (ok) print s "," nr[g] > o }
        close(o); print g }
      if (lo != "") printf "[%g:%g]\n", lo / 1.08, hi * 1.08 > (WORK "/lossrange") }' "$runs" | sort -n >"$work/curvegroups"
  lossrange=$(cat "$work/lossrange" 2>/dev/null)
  cfiles='' clabels='' ccols=''
  while IFS='|' read -r g _ _ _ lab; do
    grep -qx "$g" "$work/curvegroups" || continue
    cfiles="$cfiles $(q "$work/curve_$g.csv")"; clabels="$clabels \"$lab\""; ccols="$ccols $g"
  done <"$work/groups"
  cvars="files=$(q "$cfiles"); labels=$(q "$clabels"); colours=$(q "$ccols"); yr=$(q "${lossrange:-[*:*]}")"

  # 1. loss curves against epochs, samples seen and training seconds
  if [ -z "$cfiles" ]; then
    skip "loss_vs_epochs, loss_vs_samples, loss_vs_time, accuracy_vs_time" "no curves/<run_id>.csv for the selected runs"
  else
    render loss_vs_epochs loss_curves.gp "$cvars; xcol='epoch'; xlab='epoch'; logx=0; title=$(q "Loss vs epochs ($ctxt)")"
    render loss_vs_samples loss_curves.gp "$cvars; xcol='samples_seen'; xlab='training samples seen (log scale)'; logx=1; xfmt='%.0s%c'; title=$(q "Loss vs samples seen ($ctxt)")"
    render loss_vs_time loss_curves.gp "$cvars; xcol='wall_s'; xlab='training time (s, evaluation excluded, log scale)'; logx=1; xfmt='%g'; title=$(q "Loss vs training time ($ctxt)")"

    # 2. test accuracy vs seconds, target line, time-to-target points (group,time_to_target_s,target_acc)
    A 'BEGIN { readgroups(); print "group,time_to_target_s,target_acc" }
      sel() && v("threads") == T && ctx() && v("reached") == "1" && num(v("time_to_target_s")) {
        print gidx[v("method") "|" v("batch")] "," v("time_to_target_s") "," v("target_acc") }' "$runs" >"$work/tta_points.csv"
    pts=$work/tta_points.csv; [ "$(wc -l <"$pts")" -gt 1 ] || pts=
    render accuracy_vs_time accuracy_time.gp "$cvars; points=$(q "$pts"); target=$(q "$target"); title=$(q "Test accuracy vs training time ($ctxt)")"
  fi

fi

# distinct values of column $1 in summary.csv rows of the context (numeric sort)
sumvals() { A "ctx() { print v(\"$1\") }" "$summary" | sort -n | uniq; }
if [ -n "$runs" ] && [ -z "$summary" ]; then skip "time_to_accuracy, samples_per_s_vs_batch, speedup_threads" "no summary.csv"; fi
if [ -n "$runs" ] && [ -n "$summary" ]; then
  sctxt="hidden $HID, $ISA/$KERN"
  threads=$(sumvals threads | tr '\n' ' ')
  nthreads=$(echo "$threads" | wc -w)

  # 3. time to target accuracy per group and thread count (x offset per thread count)
  if A 'BEGIN { readgroups(); nt = split(TH, tl, " "); for (i = 1; i <= nt; i++) ti[tl[i]] = i
      print "x,pos,threads,label,tta_median,tta_min,tta_max,runs,reached,note" }
    ctx() { g = gidx[v("method") "|" v("batch")]; if (g == "") next; used[g]
      row[++n] = g; t = v("threads"); off[n] = (ti[t] - (nt + 1) / 2) * 0.12
      rest[n] = t "," glab[g] "," v("tta_median") "," v("tta_min") "," v("tta_max") "," v("runs") "," v("reached") ","
      rest[n] = rest[n] (v("reached") == "0" ? "not reached" : v("reached") + 0 < v("runs") + 0 ? v("reached") "/" v("runs") " reached" : "")
      if (num(v("tta_median"))) anyt = 1 }
    END { for (g = 1; g <= ng; g++) if (g in used) pos[g] = ++np
      for (i = 1; i <= n; i++) print pos[row[i]] + off[i] "," pos[row[i]] "," rest[i]
      if (!anyt) exit 1 }' "$summary" >"$work/tta.csv"; then
    render time_to_accuracy time_to_accuracy.gp "file=$(q "$work/tta.csv"); threads=$(q "$threads"); title=$(q "Time to ${target:+$(awk -v t="$target" 'BEGIN { print 100 * t }')% }test accuracy, median and min-max over seeds ($sctxt)")"
  else
    skip time_to_accuracy "no setting reached the target accuracy (or no target set)"
  fi

  # 4. samples/s vs rows per step, one line per thread count
  A 'ctx() && num(v("batch_rows")) { print v("threads") "," v("batch_rows") "," v("batch") "," v("sps_median") "," v("sps_min") "," v("sps_max") }' \
    "$summary" | sort -t, -k1,1n -k2,2n >"$work/sps.body"
  { echo "threads,batch_rows,batch,sps_median,sps_min,sps_max"; cat "$work/sps.body"; } >"$work/sps.csv"
  fullrows=$(awk -F, '$3 == "full" { print $2; exit }' "$work/sps.body")
  render samples_per_s_vs_batch throughput_batch.gp "file=$(q "$work/sps.csv"); threads=$(q "$threads"); fullrows=$(q "$fullrows"); title=$(q "Training throughput vs batch size, median and min-max over seeds ($sctxt)")"

  # 5. speedup and parallel efficiency vs threads, relative to the smallest thread count
  if [ "$nthreads" -lt 2 ]; then
    skip speedup_threads "only one thread count (${threads% }) in summary.csv"
  else
    t0=${threads%% *}
    A 'BEGIN { readgroups() }
      ctx() && num(v("sps_median")) { g = gidx[v("method") "|" v("batch")]; if (g == "") next
        n++; G[n] = g; TT[n] = v("threads"); S[n] = v("sps_median"); if (v("threads") == T0) base[g] = S[n] }
      END { print "group,label,threads,speedup,efficiency"
        for (g = 1; g <= ng; g++) for (i = 1; i <= n; i++) if (G[i] == g && (g in base))
          print g "," glab[g] "," TT[i] "," S[i] / base[g] "," S[i] / base[g] / (TT[i] / T0) }' "$summary" >"$work/speedup.body"
    { head -n 1 "$work/speedup.body"; tail -n +2 "$work/speedup.body" | sort -t, -k1,1n -k3,3n; } >"$work/speedup.csv"
    sgroups=$(tail -n +2 "$work/speedup.csv" | cut -d, -f1 | uniq | tr '\n' ' ')
    slabels=$(for g in $sgroups; do awk -F'|' -v g="$g" '$1 == g { printf "\"%s\" ", $5 }' "$work/groups"; done)
    render speedup_threads speedup_threads.gp "file=$(q "$work/speedup.csv"); groups=$(q "$sgroups"); labels=$(q "$slabels"); t0=$t0; title=$(q "Speedup and parallel efficiency vs threads, samples/s median over seeds ($sctxt)")"
  fi
fi

# wide SERIES: long lines "row,series,y,ymin,ymax" -> CSV "label,<s>,<s>_min,<s>_max,..."
# with rows in first-seen order and series in the '|'-separated order SERIES
wide() { awk -F, -v S="$1" 'BEGIN { ns = split(S, s, "|"); h = "label"
    for (i = 1; i <= ns; i++) h = h "," s[i] "," s[i] "_min," s[i] "_max"; print h }
  { if (!($1 in seen)) { seen[$1]; r[++nr] = $1 }; y[$1, $2] = $3; lo[$1, $2] = $4; hi[$1, $2] = $5 }
  END { for (i = 1; i <= nr; i++) { l = r[i]
    for (j = 1; j <= ns; j++) l = l "," y[r[i], s[j]] "," lo[r[i], s[j]] "," hi[r[i], s[j]]; print l } }'; }
# series order: kernels ref, blocked, simd (each with its splits), then others (input: one name per line)
korder() { awk '{ k = $0; o = k ~ /ref$/ ? 1 : k ~ /blocked( |$)/ ? 2 : k ~ /simd( |$)/ ? 3 : 4; print o "\t" k }' |
  sort -t"$(printf '\t')" -k1,1n -k2 | cut -f2 | uniq | tr '\n' '|' | sed 's/|$//'; }

# 6. GEMM GFLOP/s vs square size n, one line per (isa,kernel,threads); peak and BLAS lines per thread count
if [ -z "$gemm" ]; then
  skip "gemm_gflops, gemm_step_total" "no gemm*.csv in $dir"
else
  A 'v("group") == "square" && num(v("n")) && num(v("gflops")) {
      print kname() "," v("threads") "," v("n") "," v("gflops") "," v("blas_gflops") "," v("peak_gflops") }' \
    "$dir"/gemm*.csv >"$work/sq.long"
  if [ ! -s "$work/sq.long" ]; then
    skip gemm_gflops "no square rows in gemm*.csv"
  else
    # series table idx|isa kernel|threads, ordered by kernel then threads
    ks=$(cut -d, -f1 "$work/sq.long" | korder)
    gth=$(cut -d, -f2 "$work/sq.long" | sort -n | uniq | tr '\n' ' ')
    awk -F, -v K="$ks" -v TH="$gth" 'BEGIN { nk = split(K, k, "|"); nt = split(TH, t, " ")
        for (i = 1; i <= nk; i++) for (j = 1; j <= nt; j++) { s[k[i] "," t[j]] = ++n; ki[n] = i; tj[n] = j } }
      { key = $1 "," $2; if (key in s) print s[key] "," $2 "," $3 "," $4 "," ki[s[key]] "," tj[s[key]] }' "$work/sq.long" |
      sort -t, -k1,1n -k3,3n >"$work/sq.body"
    { echo "series,threads,n,gflops,kernel_idx,thread_idx"; cat "$work/sq.body"; } >"$work/sq.csv"
    # BLAS (median over duplicate rows is overkill: first row per threads,n) and peaks per thread count
    { echo "threads,n,blas_gflops"; awk -F, '$5 != "" && !(($2, $3) in s) { s[$2, $3]; print $2 "," $3 "," $5 }' "$work/sq.long" | sort -t, -k1,1n -k2,2n; } >"$work/blas.csv"
    blasf=$work/blas.csv; [ "$(wc -l <"$blasf")" -gt 1 ] || blasf=
    [ -n "$peaks" ] || peaks=$(awk -F, '$6 != "" && !($2 in s) { s[$2]; print $2, $6 }' "$work/sq.long")
    sidx='' slab='' skern='' stix=''
    for s in $(cut -d, -f1 "$work/sq.body" | uniq); do
      IFS='|' read -r ti th kn <<EOF
$(awk -F, -v s="$s" -v K="$ks" 'BEGIN { split(K, k, "|") } $1 == s { print $6 "|" $2 "|" k[$5]; exit }' "$work/sq.body")
EOF
      sidx="$sidx $s" stix="$stix $ti" skern="$skern \"$kn\"" slab="$slab \"$kn, $(thr "$th")\""
    done
    pth=$(echo "$peaks" | awk 'NF == 2 { printf "%s ", $1 }') pval=$(echo "$peaks" | awk 'NF == 2 { printf "%s ", $2 }')
    render gemm_gflops gemm_gflops.gp "file=$(q "$work/sq.csv"); blas=$(q "$blasf"); series=$(q "$sidx"); labels=$(q "$slab"); kernels=$(q "$skern"); tix=$(q "$stix"); threads=$(q "$gth"); peakth=$(q "$pth"); peakval=$(q "$pval"); title=$(q "GEMM throughput vs size (square n x n x n), $gname")"
  fi

  # 6b. training-step GEMMs (step-total rows): ours per (isa,kernel) vs BLAS, clusters per batch x threads
  A 'v("group") ~ /^step-b/ && v("shape") == "step-total" && num(v("gflops")) { b = v("group"); sub(/^step-b/, "", b)
      r = (num(b) ? b : 1e12) "," v("threads") ",batch " b " / " (v("threads") == 1 ? "1 thread" : v("threads") " threads")
      print r "," kname() "," v("gflops") "," v("gflops") "," v("gflops")
      if (num(v("blas_gflops"))) print r ",BLAS," v("blas_gflops") "," v("blas_gflops") "," v("blas_gflops") }' \
    "$dir"/gemm*.csv | sort -t, -k1,1n -k2,2n | cut -d, -f3- | awk -F, '!(($1, $2) in s) { s[$1, $2]; print }' >"$work/st.long"
  if [ ! -s "$work/st.long" ]; then
    skip gemm_step_total "no step-total rows in gemm*.csv"
  else
    series=$( (cut -d, -f2 "$work/st.long" | grep -v '^BLAS$' | korder; grep -q ',BLAS,' "$work/st.long" && printf '|BLAS') | tr -d '\n')
    wide "$series" <"$work/st.long" >"$work/st.csv"
    render gemm_step_total gemm_step.gp "file=$(q "$work/st.csv"); series=$(q "\"$(echo "$series" | sed 's/|/" "/g')\""); title=$(q "GEMMs of one training step (sum over forward and backward), $gname")"
  fi
fi

# 7. kernel ablation: samples/s by kernel x threads from summary.csv for the
# (method,batch) with the most kernels, else GFLOP/s from gemm*.csv
abl=
if [ -n "$runs" ] && [ -n "$summary" ]; then
  # every rung counts, whatever its ISA (blocked runs the scalar micro-kernel, ref none)
  key=$(A 'v("hidden") == HID { k = v("method") "|" v("batch")
      if (!((k, v("kernel")) in seen)) { seen[k, v("kernel")]; if (++nk[k] > best) { best = nk[k]; bk = k } } }
    END { if (best > 1) print bk }' "$summary")
  if [ -n "$key" ]; then
    A 'v("hidden") == HID && v("method") "|" v("batch") == K {
        print (v("threads") == 1 ? "1 thread" : v("threads") " threads") "," v("kernel") "," v("sps_median") "," v("sps_min") "," v("sps_max") }' \
      K="$key" "$summary" | sort -t, -k1,1n >"$work/abl.long"
    what="samples/s, $(A 'K == v("method") "|" v("batch") { print label(v("method"), v("batch")); exit }' K="$key" "$summary"), hidden $HID, median and min-max over seeds"
    abl=summary err=1 ylab="training samples/s"
  fi
fi
if [ -z "$abl" ] && [ -n "$gemm" ]; then
  # representative shape: the batch-64 training step if several kernels ran it, else the square n closest to 512
  A '{ if (v("group") == "step-b64" && v("shape") == "step-total") k = "s"
       else if (v("group") == "square" && num(v("n"))) { d = v("n") - 512; d = d < 0 ? -d : d; k = "q" v("n"); dist[k] = d }
       else next
       if (!((k, v("isa"), v("kernel")) in seen)) { seen[k, v("isa"), v("kernel")]; nk[k]++ } }
    END { if (nk["s"] > 1) { print "step-b64|step-total"; exit }
      for (k in nk) if (k != "s" && nk[k] > 1 && (best == "" || dist[k] < dist[best])) best = k
      if (best != "") print "square|" substr(best, 2) }' "$dir"/gemm*.csv >"$work/abl.key"
  if [ -s "$work/abl.key" ]; then
    IFS='|' read -r agroup ashape <"$work/abl.key"
    A 'v("group") == G && (v("shape") == S || v("n") == S) && num(v("gflops")) {
        print v("threads") "," (v("threads") == 1 ? "1 thread" : v("threads") " threads") "," kname() "," v("gflops") "," v("gflops") "," v("gflops") }' \
      G="$agroup" S="$ashape" "$dir"/gemm*.csv | sort -t, -k1,1n | cut -d, -f2- >"$work/abl.long"
    [ "$agroup" = square ] && ashape="square GEMM n=$ashape" || ashape="GEMMs of one training step at batch 64"
    what="GFLOP/s from $gname, $ashape"; abl=gemm err=0 ylab="GFLOP/s"
  fi
fi
if [ -z "$abl" ]; then
  skip kernel_ablation "neither summary.csv nor gemm*.csv has more than one kernel"
else
  series=$(cut -d, -f2 "$work/abl.long" | korder)
  wide "$series" <"$work/abl.long" >"$work/abl.csv"
  render kernel_ablation kernel_ablation.gp "file=$(q "$work/abl.csv"); series=$(q "\"$(echo "$series" | sed 's/|/" "/g')\""); err=$err; ylab=$(q "$ylab"); title=$(q "Kernel ablation: $what")"
fi

# 8. per-phase time per training sample: median over seeds of t_<phase>/samples_seen, per group
if [ -n "$runs" ]; then
  A 'BEGIN { readgroups(); np = split("data forward loss backward comm update", P, " ") }
    sel() && v("threads") == T && ctx() && num(v("samples_seen")) && v("samples_seen") > 0 {
      g = gidx[v("method") "|" v("batch")]; k = ++n[g]
      for (p = 1; p <= np; p++) t[g, k, p] = num(v("t_" P[p])) ? 1e6 * v("t_" P[p]) / v("samples_seen") : (p == 5 ? 0 : "") }
    END { print "group,label,data,forward,loss,backward,comm,update,total"
      for (g = 1; g <= ng; g++) if (g in n) { s = g "," glab[g]; tot = 0; any = 0
        for (p = 1; p <= np; p++) { m = 0; for (k = 1; k <= n[g]; k++) if (t[g, k, p] != "") a[++m] = t[g, k, p]
          if (m) { x = med(a, m); tot += x; any = 1 } else x = ""; s = s "," x }
        if (any) print s "," tot } }' "$runs" >"$work/phases.csv"
  if [ "$(wc -l <"$work/phases.csv")" -le 1 ]; then
    skip phase_breakdown "runs.csv has no t_data..t_update timings"
  else
    render phase_breakdown phase_breakdown.gp "file=$(q "$work/phases.csv"); title=$(q "Time per training sample by phase ($ctxt)")"
  fi
fi

[ "$fails" -eq 0 ] || die "$fails plot file(s) failed"
