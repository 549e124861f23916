#!/usr/bin/env bash
# test_bench_tools.sh MEMBW SRCDIR UKR_CEILING UKR_SHAPES UKR_SHAPES_MUTANT - the measuring tools the README's kernel
# figures come from, on what they must refuse and on committed results:
#   membw          a bad SIZE, ROUNDS, thread count or MLPB_ISA: exit 2, one
#                  stderr line naming it, nothing on stdout; sizes past 1 TiB
#                  (and products that would overflow) refused; a small run
#                  prints its buffer (bytes, rows, stride) and positive rates
#   gemm_repeat.sh N = 0 over results/kernels/zen5_rungs_s20's tries: the 5%
#                  filter keeps 2 of 3, GEMM_REPEAT_TOL=100 all 3 and gives the
#                  committed gemm-median.csv and ratios.csv byte for byte; a bad
#                  GEMM_REPEAT_TOL exits 2
#   b1_bound.sh    N = 0 over results/b1_bound-zen5 gives the committed
#                  bound.csv byte for byte; a missing membw output exits 1 and
#                  is named, not read as a rate of 0
#   gemm_table.sh  the committed table.md of results/kernels/zen5_skx_s21
#                  (the README's table) byte for byte from its ratios.csv, also
#                  with rows of another ISA, kernel and split mixed in; a
#                  folder without ratios.csv, a missing column, a shape not
#                  on 2 threads: exit 1 naming it, nothing on stdout
#   ab_rows_edge.sh N = 0 over results/frame_ab/rows_outer gives the committed
#                  ab.csv byte for byte; a round missing a time (also only
#                  a file's last shape's), with a time of 0, or whose
#                  2-thread call did not split, exits 1 naming the file; a bad
#                  shape or round count exits 2
#   ukr_ceiling    a bad ROUNDS, KC, MC or NJ, or a fifth argument: exit 2,
#                  one stderr line naming it, nothing on stdout; a short run
#                  prints the CSV header, the commit it was built from, and
#                  per kernel this CPU has its l1, ir, ir_c1 and ir_a1 rows
#                  (l1e exactly when it has an edge kernel) with the KC, the
#                  MC rounded down to its MR, the NJ asked for, positive rates
#   ukr_shapes     a bad ROUNDS or KC, or a third argument: exit 2, one stderr
#                  line naming it, nothing on stdout; short runs print the
#                  CSV header, the commit it was built from, and per ISA this
#                  CPU has (the others named as skipped) one row per shape of
#                  its list (12x32 14x32 28x16 8x48 9x48 6x64 4x96 / 6x16 4x24
#                  12x8 2x40) and one of the table's kernel on its shape,
#                  R x NR as named, the registers it needs within the ISA's
#                  file, the KC asked for or by default the largest multiple
#                  of 8 whose panels fit 3/4 of L1d, positive rates, with one
#                  round vs_table_loop the ratio of the row's rate to the
#                  table shape's loop's (1.000 for itself); the mutant build
#                  (every shape drops its last k step) exits 1 naming the
#                  difference, nothing on stdout
#   ukr_repeat.sh --shapes: N = 0 over results/kernels/xeon_ukr/shapes gives
#                  the committed shapes.csv byte for byte; a one-run series
#                  writes shapes.csv (no ceiling.csv) and a meta.txt naming
#                  --shapes; MC or NJ, arguments with N = 0, or ROUNDS 0
#                  exit 2 and leave the folder as it was
#   ukr_repeat.sh  N = 0 over results/kernels/xeon_ukr/nj64 gives the committed
#                  ceiling.csv byte for byte; a bad N, or arguments with N = 0,
#                  exit 2; arguments ukr_ceiling refuses exit 2 and leave a
#                  folder as it was (and no new folder); a run failing midway
#                  is named with its exit status and leaves no ceiling.csv; a
#                  run cut short or without its header is named, exit 1
# Exit 1 with one FAIL line per problem.
set -u
membw=$1 src=$2 ukr=$3 shapes=$4 mutant=$5
fails=0
fail() { echo "FAIL: $*" >&2; fails=$((fails + 1)); }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# refused: exit 2, one stderr line containing WHAT, no stdout
refuse() {
  local what=$1
  shift
  "$@" >"$tmp/out" 2>"$tmp/err"
  local rc=$?
  [ "$rc" -eq 2 ] || fail "$* exited $rc, not 2"
  [ ! -s "$tmp/out" ] || fail "$* wrote to stdout: $(head -c 200 "$tmp/out")"
  [ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "$* wrote $(wc -l <"$tmp/err") stderr lines, not 1"
  grep -qF -- "$what" "$tmp/err" || fail "$* did not name '$what': $(cat "$tmp/err")"
}
refuse "'12Q'" "$membw" 12Q 1 1
refuse "'0K'" "$membw" 0K 1 1
refuse "'784x100'" "$membw" 784x100 1 1
refuse "'784x256:250'" "$membw" 784x256:250 1 1
refuse "'784x256:260'" "$membw" 784x256:260 1 1
refuse "'17592186044417'" "$membw" 17592186044417 1 1
refuse "'72057594037927936x64:256'" "$membw" 72057594037927936x64:256 1 1
refuse "'4611686018427387904x64'" "$membw" 4611686018427387904x64 1 1
refuse "'1000000x64:1099511627776'" "$membw" 1000000x64:1099511627776 1 1
refuse "'4194304x64:1099511627776'" "$membw" 4194304x64:1099511627776 1 1
refuse "ROUNDS '0'" "$membw" 64K 0 1
refuse "ROUNDS 'abc'" "$membw" 64K abc 1
refuse "THREADS '1,x'" "$membw" 64K 1 1,x
refuse "THREADS '65'" "$membw" 64K 1 65
refuse "THREADS '1,'" "$membw" 64K 1 1,
refuse "too small for 2 threads" "$membw" 1x64 1 1,2
refuse "MLPB_ISA=bogus" env MLPB_ISA=bogus "$membw" 64K 1 1

if "$membw" 2x128:144 1 1 >"$tmp/out" 2>"$tmp/err"; then
  grep -q '^buffer 2 x 128 floats (1024 bytes), rows 576 bytes apart' "$tmp/out" ||
    fail "membw 2x128:144: header: $(head -1 "$tmp/out")"
  awk '/^threads 1 / { for (i = 1; i <= NF; i++) if ($i == "read" || $i == "write" || $i == "stream") { n++; if (!($(i + 1) > 0)) bad = 1 } }
       END { exit !(n == 3 && !bad) }' "$tmp/out" || fail "membw 2x128:144: rates: $(tail -1 "$tmp/out")"
else
  fail "membw 2x128:144 1 1 failed: $(cat "$tmp/err")"
fi
"$membw" 1 1 1 >"$tmp/out" 2>"$tmp/err" && grep -q '^buffer 1 MiB,' "$tmp/out" ||
  fail "membw 1 1 1: $(head -1 "$tmp/out") $(cat "$tmp/err")"

# gemm_repeat.sh N = 0 on committed tries
g=$tmp/rungs
mkdir -p "$g"
cp "$src"/results/kernels/zen5_rungs_s20/try*.csv "$src"/results/kernels/zen5_rungs_s20/try*.meta.txt "$g"/
"$src"/bench/gemm_repeat.sh "$g" 0 2>/dev/null || fail "gemm_repeat.sh N=0 (5%) failed"
[ "$(grep -c ' kept$' "$g/kept.txt")" -eq 2 ] || fail "gemm_repeat.sh 5%: kept $(grep -c ' kept$' "$g/kept.txt") of 3, not 2"
GEMM_REPEAT_TOL=100 "$src"/bench/gemm_repeat.sh "$g" 0 2>/dev/null || fail "gemm_repeat.sh N=0 (100%) failed"
[ "$(grep -c ' kept$' "$g/kept.txt")" -eq 3 ] || fail "gemm_repeat.sh 100%: kept $(grep -c ' kept$' "$g/kept.txt") of 3"
for f in gemm-median.csv ratios.csv; do
  cmp -s "$g/$f" "$src/results/kernels/zen5_rungs_s20/$f" || fail "gemm_repeat.sh: $f differs from the committed one"
done
for t in 0 101 abc; do
  GEMM_REPEAT_TOL=$t "$src"/bench/gemm_repeat.sh "$g" 0 >/dev/null 2>"$tmp/err"
  rc=$?
  [ "$rc" -eq 2 ] && grep -q "GEMM_REPEAT_TOL=$t" "$tmp/err" || fail "GEMM_REPEAT_TOL=$t: exit $rc, $(cat "$tmp/err")"
done

# b1_bound.sh N = 0 on the committed rounds
b=$tmp/b1
cp -r "$src"/results/b1_bound-zen5 "$b"
rm -f "$b/bound.csv"
"$src"/bench/b1_bound.sh "$b" 0 2>/dev/null || fail "b1_bound.sh N=0 failed"
cmp -s "$b/bound.csv" "$src/results/b1_bound-zen5/bound.csv" || fail "b1_bound.sh: bound.csv differs from the committed one"
rm "$b/membw_w1_5.txt"
"$src"/bench/b1_bound.sh "$b" 0 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'membw_w1_5.txt' "$tmp/err" || fail "b1_bound.sh without membw_w1_5.txt: exit $rc, $(cat "$tmp/err")"

# gemm_table.sh on a committed set
"$src"/bench/gemm_table.sh "$src"/results/kernels/zen5_skx_s21 >"$tmp/table.md" 2>"$tmp/err" || fail "gemm_table.sh failed: $(cat "$tmp/err")"
cmp -s "$tmp/table.md" "$src"/results/kernels/zen5_skx_s21/table.md || fail "gemm_table.sh: table.md differs from the committed one"
"$src"/bench/gemm_table.sh "$tmp" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q "no $tmp/ratios.csv" "$tmp/err" || fail "gemm_table.sh without ratios.csv: exit $rc, $(cat "$tmp/err")"
t=$tmp/mixed
mkdir -p "$t"
awk -F, -v OFS=, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; print; next }
  { print; $c["gflops"] *= 0.5
    x = $0; $c["isa"] = "avx2"; print; $0 = x; $c["kernel"] = "blocked"; print; $0 = x; $c["split"] = "rows"; print }' \
  "$src"/results/kernels/zen5_skx_s21/ratios.csv >"$t/ratios.csv"
"$src"/bench/gemm_table.sh "$t" >"$tmp/table.md" 2>"$tmp/err" || fail "gemm_table.sh, mixed rows: $(cat "$tmp/err")"
cmp -s "$tmp/table.md" "$src"/results/kernels/zen5_skx_s21/table.md || fail "gemm_table.sh: rows of another ISA, kernel or split changed the table"
sed '1s/,vs_1thread,/,vs_one,/' "$src"/results/kernels/zen5_skx_s21/ratios.csv >"$t/ratios.csv"
"$src"/bench/gemm_table.sh "$t" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q 'no column vs_1thread' "$tmp/err" || fail "gemm_table.sh, a column missing: exit $rc, $(cat "$tmp/err")"
grep -v '^square,sq64,NN,64,64,64,avx512,simd,2,' "$src"/results/kernels/zen5_skx_s21/ratios.csv >"$t/ratios.csv"
"$src"/bench/gemm_table.sh "$t" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q 'square 64: not on 1 and 2 threads' "$tmp/err" || fail "gemm_table.sh, a row missing: exit $rc, $(cat "$tmp/err")"

# ab_rows_edge.sh N = 0 on the committed rounds
r=$tmp/rows
cp -r "$src"/results/frame_ab/rows_outer "$r"
rm -f "$r/ab.csv"
"$src"/bench/ab_rows_edge.sh "$r" 0 old new 2>/dev/null || fail "ab_rows_edge.sh N=0 failed"
cmp -s "$r/ab.csv" "$src/results/frame_ab/rows_outer/ab.csv" || fail "ab_rows_edge.sh: ab.csv differs from the committed one"
cp "$r/new3.txt" "$tmp/new3.txt"
grep -v '^second half alone' "$tmp/new3.txt" >"$r/new3.txt"
"$src"/bench/ab_rows_edge.sh "$r" 0 old new 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'new3.txt: no times' "$tmp/err" || fail "ab_rows_edge.sh, a time missing: exit $rc, $(cat "$tmp/err")"
awk '/^second half alone/ { last = NR } { l[NR] = $0 } END { for (i = 1; i <= NR; i++) if (i != last) print l[i] }' \
  "$tmp/new3.txt" >"$r/new3.txt"
"$src"/bench/ab_rows_edge.sh "$r" 0 old new 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'new3.txt: no times for 32x256x128' "$tmp/err" || fail "ab_rows_edge.sh, the last time missing: exit $rc, $(cat "$tmp/err")"
sed '0,/^first half alone,/s/^first half alone,[0-9.]*/first half alone,0.00/' "$tmp/new3.txt" >"$r/new3.txt"
"$src"/bench/ab_rows_edge.sh "$r" 0 old new 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'new3.txt: a time of 0' "$tmp/err" || fail "ab_rows_edge.sh, a time of 0: exit $rc, $(cat "$tmp/err")"
sed 's/both halves),/both halves; NOT SPLIT),/' "$tmp/new3.txt" >"$r/new3.txt"
"$src"/bench/ab_rows_edge.sh "$r" 0 old new 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'new3.txt: .* did not split' "$tmp/err" || fail "ab_rows_edge.sh, not split: exit $rc, $(cat "$tmp/err")"
"$src"/bench/ab_rows_edge.sh "$r" 0 old new 32x0x7 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "'32x0x7'" "$tmp/err" || fail "ab_rows_edge.sh 32x0x7: exit $rc, $(cat "$tmp/err")"
"$src"/bench/ab_rows_edge.sh "$r" x old new 2>"$tmp/err"
rc=$?
[ "$rc" -eq 2 ] && grep -q "N 'x'" "$tmp/err" || fail "ab_rows_edge.sh N=x: exit $rc, $(cat "$tmp/err")"

# ukr_ceiling: refusals, then one short run
refuse "ROUNDS" "$ukr" 0
refuse "ROUNDS" "$ukr" 1x
refuse "ROUNDS" "$ukr" " 5"
refuse "KC" "$ukr" 1 7
refuse "KC" "$ukr" 1 +64
refuse "MC" "$ukr" 1 0 9000
refuse "NJ" "$ukr" 1 0 0 -1
refuse "NJ" "$ukr" 1 0 0 1025
refuse "at most 4" "$ukr" 1 0 0 1 5
if "$ukr" 1 64 50 2 >"$tmp/ukr.csv" 2>"$tmp/ukr.err"; then
  [ "$(head -1 "$tmp/ukr.csv")" = "ukr,isa,mr,nr,kc,mc,nj,case,gflops,peak_gflops,pct_peak" ] ||
    fail "ukr_ceiling header: $(head -1 "$tmp/ukr.csv")"
  grep -q '^ukr_ceiling: built from [0-9a-f]\{40\}\|^ukr_ceiling: built from unknown' "$tmp/ukr.err" ||
    fail "ukr_ceiling did not say which commit it was built from: $(head -1 "$tmp/ukr.err")"
  # the kernels stderr names, and which have an edge kernel: "ukr_ceiling: NAME MRxNR ... (edge E rows)"
  sed -n 's/^ukr_ceiling: \([^ ]*\) MRxNR .*(edge \([0-9]*\) rows).*/\1 \2/p' "$tmp/ukr.err" >"$tmp/ukr.kernels"
  [ -s "$tmp/ukr.kernels" ] || fail "ukr_ceiling named no kernel on stderr: $(cat "$tmp/ukr.err")"
  # per kernel: l1 (mr rows, nj 1), ir / ir_c1 / ir_a1 (MC 50 down to a multiple of MR: 48 for 12, 6 and 4
  # rows; NJ 2), l1e (the edge kernel's rows) exactly when it has one
  awk -F, 'FNR == NR { edge[$1] = $2; nk++; next }
    FNR > 1 {
      if ($5 != 64) { print "kc " $5 " in " $0; bad = 1 }
      if ($9 + 0 <= 0 || $10 + 0 <= 0 || $11 + 0 <= 0) { print "rate " $0; bad = 1 }
      if ($8 ~ /^ir/ && ($7 != 2 || $6 != 50 - 50 % $3)) { print "block " $0; bad = 1 }
      if ($8 ~ /^l1/ && ($7 != 1 || $6 != $3)) { print "tile " $0; bad = 1 }
      if ($8 == "l1e" && $3 != edge[$1]) { print "edge rows " $0; bad = 1 }
      n[$1 "," $8]++; k[$1] = 1
    }
    END {
      nn = 0
      for (u in k) {
        nn++
        if (!(u in edge)) { print u " not named on stderr"; bad = 1 }
        if (n[u ",l1"] != 1 || n[u ",ir"] != 1 || n[u ",ir_c1"] != 1 || n[u ",ir_a1"] != 1 || n[u ",l1e"] != (edge[u] > 0)) { print "cases of " u; bad = 1 }
      }
      if (nn != nk) { print nn " kernels in the CSV, " nk " on stderr"; bad = 1 }
      exit bad
    }' FS=' ' "$tmp/ukr.kernels" FS=, "$tmp/ukr.csv" >"$tmp/ukr.bad" || fail "ukr_ceiling 1 64 50 2: $(cat "$tmp/ukr.bad")"
else
  fail "ukr_ceiling 1 64 50 2 exited $?: $(cat "$tmp/ukr.err")"
fi

# ukr_shapes: refusals, then a short run with KC 16 and one with KC by default
refuse "ROUNDS" "$shapes" 0
refuse "ROUNDS" "$shapes" 1x
refuse "KC" "$shapes" 1 7
refuse "KC" "$shapes" 1 -8
refuse "at most 2" "$shapes" 1 16 1
for kc in 16 0; do
  if "$shapes" 1 $kc >"$tmp/shp.csv" 2>"$tmp/shp.err"; then
    [ "$(head -1 "$tmp/shp.csv")" = "isa,kernel,shape,mr,nr,kc,regs,gflops,peak_gflops,pct_peak,vs_table_loop" ] ||
      fail "ukr_shapes header: $(head -1 "$tmp/shp.csv")"
    grep -q '^ukr_shapes: built from [0-9a-f]\{40\}\|^ukr_shapes: built from unknown' "$tmp/shp.err" ||
      fail "ukr_shapes did not say which commit it was built from: $(head -1 "$tmp/shp.err")"
    l1d=$(sed -n 's/^ukr_shapes: built from .*caches L1d \([0-9]*\) KiB.*/\1/p' "$tmp/shp.err")
    for isa in avx512 avx2; do
      case $isa in
      avx512) want="12x32 14x32 28x16 8x48 9x48 6x64 4x96" regs=32 vl=16 tab=avx512_12x32,12x32 ;;
      avx2) want="6x16 4x24 12x8 2x40" regs=16 vl=8 tab=avx2_6x16,6x16 ;;
      esac
      if grep -q "^ukr_shapes: $isa: not on this CPU, skipped" "$tmp/shp.err"; then
        ! grep -q "^$isa," "$tmp/shp.csv" || fail "ukr_shapes: $isa skipped but has rows"
        continue
      fi
      got=$(awk -F, -v i=$isa '$1 == i && $2 == "loop" { printf "%s%s", s, $3; s = " " }' "$tmp/shp.csv")
      [ "$got" = "$want" ] || fail "ukr_shapes $kc: $isa loop shapes '$got', not '$want'"
      got=$(awk -F, -v i=$isa '$1 == i && $2 != "loop" { print $2 "," $3 }' "$tmp/shp.csv")
      [ "$got" = "$tab" ] || fail "ukr_shapes $kc: $isa table kernel rows '$got', not '$tab'"
      awk -F, -v i=$isa -v regs=$regs -v vl=$vl -v kc=$kc -v l1d="$l1d" -v tabshape="${tab#*,}" '$1 == i {
          split($3, rn, "x")
          if ($4 != rn[1] || $5 != rn[2]) { print "R x NR " $0; bad = 1 }
          if ($7 != $4 * ($5 / vl) + $5 / vl + 1 || $7 > regs) { print "registers " $0; bad = 1 }
          fit = int(l1d * 1024 * 3 / 4 / (($4 + $5) * 4) / 8) * 8
          if ((kc && $6 != kc) || (!kc && $6 != fit)) { print "kc " $6 " (L1d " l1d " KiB) in " $0; bad = 1 }
          if ($8 + 0 <= 0 || $9 + 0 <= 0 || $10 + 0 <= 0 || $11 + 0 <= 0) { print "rate " $0; bad = 1 }
          if ($2 == "loop" && $3 == tabshape && $11 != "1.000") { print "the table shape loop against itself " $0; bad = 1 }
          if (FNR == NR && $2 == "loop" && $3 == tabshape) base = $8
          # one round: its ratio to the loop of the table shape is the ratio of the two rates (printed
          # to 0.1 GFLOP/s and 0.001: slow builds, e.g. sanitized, print small rates)
          tol = 0.0006 + ($8 / base) * (0.05 / $8 + 0.05 / base)
          if (FNR != NR && base > 0 && (($11 - $8 / base) > tol || ($8 / base - $11) > tol)) {
            print "vs_table_loop " $11 ", the rates give " $8 / base " in " $0; bad = 1
          }
        }
        END { if (!base) { print "no loop of " tabshape; bad = 1 } exit bad }' "$tmp/shp.csv" "$tmp/shp.csv" >"$tmp/shp.bad" ||
        fail "ukr_shapes 1 $kc, $isa: $(cat "$tmp/shp.bad")"
    done
  else
    fail "ukr_shapes 1 $kc exited $?: $(cat "$tmp/shp.err")"
  fi
done

sums() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs md5sum); }  # a folder's files and their checksums

# the mutant build: its check fails before anything is printed
"$mutant" 1 16 >"$tmp/out" 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q 'differs from the plain-C fmaf chain' "$tmp/err" ||
  fail "ukr_shapes_mutant: exit $rc, stdout $(head -c 100 "$tmp/out"), $(tail -1 "$tmp/err")"

# ukr_repeat.sh --shapes: the committed medians recomputed, a one-run series, refusals
r=$tmp/shp_rep
mkdir -p "$r"
cp "$src"/results/kernels/xeon_ukr/shapes/run*.csv "$src"/results/kernels/xeon_ukr/shapes/meta.txt "$r"/
"$src"/bench/ukr_repeat.sh --shapes "$r" 0 2>"$tmp/err" || fail "ukr_repeat.sh --shapes N=0: $(cat "$tmp/err")"
cmp -s "$r/shapes.csv" "$src"/results/kernels/xeon_ukr/shapes/shapes.csv ||
  fail "ukr_repeat.sh --shapes N=0 differs from results/kernels/xeon_ukr/shapes/shapes.csv"
UKR_SHAPES=$shapes "$src"/bench/ukr_repeat.sh --shapes "$tmp/shp_one" 1 1 16 2>"$tmp/err" ||
  fail "ukr_repeat.sh --shapes, one run: $(cat "$tmp/err")"
[ -s "$tmp/shp_one/shapes.csv" ] && [ ! -e "$tmp/shp_one/ceiling.csv" ] &&
  grep -q "^command   bench/ukr_repeat.sh --shapes $tmp/shp_one 1 1 16 " "$tmp/shp_one/meta.txt" &&
  [ "$(head -1 "$tmp/shp_one/shapes.csv")" = "isa,kernel,shape,mr,nr,kc,regs,runs,gflops,gflops_min,gflops_max,pct_peak,pct_peak_min,pct_peak_max,vs_table_loop,vs_table_loop_min,vs_table_loop_max" ] ||
  fail "ukr_repeat.sh --shapes, one run: $(ls "$tmp/shp_one"), $(grep command "$tmp/shp_one/meta.txt"), $(head -1 "$tmp/shp_one/shapes.csv")"
sums "$tmp/shp_one" >"$tmp/before"
refuse "ROUNDS and KC only" "$src"/bench/ukr_repeat.sh --shapes "$tmp/shp_one" 1 1 16 50
refuse "no ROUNDS or KC" "$src"/bench/ukr_repeat.sh --shapes "$tmp/shp_one" 0 1
UKR_SHAPES=$shapes "$src"/bench/ukr_repeat.sh --shapes "$tmp/shp_one" 1 0 >/dev/null 2>&1
rc=$?
sums "$tmp/shp_one" >"$tmp/after"
[ "$rc" -eq 2 ] && cmp -s "$tmp/before" "$tmp/after" ||
  fail "ukr_repeat.sh --shapes refusals: exit $rc, the folder changed: $(diff "$tmp/before" "$tmp/after" | head -3)"

# ukr_repeat.sh: the committed medians recomputed; refusals that touch nothing
r=$tmp/ukr_rep
mkdir -p "$r"
cp "$src"/results/kernels/xeon_ukr/nj64/run*.csv "$src"/results/kernels/xeon_ukr/nj64/meta.txt "$r"/
"$src"/bench/ukr_repeat.sh "$r" 0 2>"$tmp/err" || fail "ukr_repeat.sh N=0: $(cat "$tmp/err")"
cmp -s "$r/ceiling.csv" "$src"/results/kernels/xeon_ukr/nj64/ceiling.csv ||
  fail "ukr_repeat.sh N=0 differs from results/kernels/xeon_ukr/nj64/ceiling.csv"
refuse "N 'x'" "$src"/bench/ukr_repeat.sh "$r" x
refuse "N = 0" "$src"/bench/ukr_repeat.sh "$r" 0 11
sums "$r" >"$tmp/before"
UKR_CEILING=$ukr "$src"/bench/ukr_repeat.sh "$r" 1 0 >/dev/null 2>"$tmp/err"
rc=$?
sums "$r" >"$tmp/after"
[ "$rc" -eq 2 ] && grep -q "ROUNDS" "$tmp/err" && cmp -s "$tmp/before" "$tmp/after" ||
  fail "ukr_repeat.sh ROUNDS=0: exit $rc, the folder changed: $(diff "$tmp/before" "$tmp/after" | head -3), $(cat "$tmp/err")"
UKR_CEILING=$ukr "$src"/bench/ukr_repeat.sh "$tmp/ukr_new" 1 0 >/dev/null 2>&1
rc=$?
[ "$rc" -eq 2 ] && [ ! -e "$tmp/ukr_new" ] || fail "ukr_repeat.sh ROUNDS=0 into a new folder: exit $rc, folder left: $(ls -d "$tmp/ukr_new" 2>&1)"
# a run that fails mid-series: named, exit status kept, no ceiling.csv
printf '#!/bin/sh\n[ -e "%s/second" ] && { echo "ukr_ceiling: broke" >&2; exit 3; }\ntouch "%s/second"\nexec "%s" "$@"\n' \
  "$tmp" "$tmp" "$ukr" >"$tmp/fake_ukr"
chmod +x "$tmp/fake_ukr"
UKR_CEILING=$tmp/fake_ukr "$src"/bench/ukr_repeat.sh "$r" 2 1 64 24 1 >/dev/null 2>"$tmp/err"
rc=$?
[ "$rc" -eq 3 ] && grep -q 'run 2 of 2 failed (exit 3): ukr_ceiling: broke' "$tmp/err" && [ ! -e "$r/ceiling.csv" ] ||
  fail "ukr_repeat.sh, run 2 failing: exit $rc, ceiling.csv $(ls "$r/ceiling.csv" 2>&1), $(cat "$tmp/err")"
# N = 0 over a run cut short, or not a ukr_ceiling CSV: named, exit 1
cp "$src"/results/kernels/xeon_ukr/nj64/run*.csv "$r"/
head -n 5 "$r/run3.csv" >"$r/run3.tmp" && mv "$r/run3.tmp" "$r/run3.csv"
"$src"/bench/ukr_repeat.sh "$r" 0 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'run3.csv: 4 rows' "$tmp/err" || fail "ukr_repeat.sh, a run cut short: exit $rc, $(cat "$tmp/err")"
sed 1d "$src"/results/kernels/xeon_ukr/nj64/run3.csv >"$r/run3.csv"
"$src"/bench/ukr_repeat.sh "$r" 0 2>"$tmp/err"
rc=$?
[ "$rc" -eq 1 ] && grep -q 'run3.csv: not a ukr_ceiling CSV' "$tmp/err" || fail "ukr_repeat.sh, no header: exit $rc, $(cat "$tmp/err")"

[ "$fails" -eq 0 ] && echo "bench tools: all checks passed"
[ "$fails" -eq 0 ]
