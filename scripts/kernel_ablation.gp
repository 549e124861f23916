# kernel_ablation.gp - clustered bars: one cluster per thread count, one bar
# per kernel (ref / blocked / simd, colour by kernel), with min-max error bars
# when err=1. Input: plot.sh's abl.csv (label,<kernel>,<kernel>_min,<kernel>_max,...)
# built from summary.csv sps_* or from gemm*.csv gflops.
# Variables: file, series (quoted word list of the bar names), err, ylab, title, machine.
load gpdir.'common.gp'
set title title."\n".machine
set ylabel ylab
set xlabel 'threads'
set yrange [0:*]
set grid noxtics nomxtics
set style fill solid 0.85 border lc 'black'
set boxwidth 0.9
if (err) { set style histogram errorbars gap 2 lw 1.5 } else { set style histogram clustered gap 2 }
set style data histograms
set key top left
stats file u 0 nooutput
set xrange [-0.6:STATS_records-0.4]
nk = words(series)
if (err) {
  plot for [i=1:nk] file u (column(3*i-1)):(column(3*i)):(column(3*i+1)):xtic(1) lc rgb kcol(word(series,i)) t word(series,i)
} else {
  plot for [i=1:nk] file u (column(3*i-1)):xtic(1) lc rgb kcol(word(series,i)) t word(series,i)
}
