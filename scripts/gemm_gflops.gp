# gemm_gflops.gp - GEMM GFLOP/s against square size n (log2 x) from gemm*.csv
# square rows: one line per (isa,kernel,threads) (colour = kernel, point and
# dash = thread count), BLAS (blas_gflops) grey per thread count, measured FMA
# peak (meta.json peak_gflops) as horizontal lines. Inputs: plot.sh's sq.csv
# (series,threads,n,gflops,kernel_idx,thread_idx) and blas.csv (threads,n,blas_gflops).
# Variables: file, blas ('' = none), series labels kernels tix (thread index) threads peakth
# peakval (word lists), title, machine.
load gpdir.'common.gp'
set title title."\n".machine
set xlabel 'matrix size n (m = n = k, log2 scale)'
set ylabel 'GFLOP/s'
set logscale x 2
set format x '%g'
set key outside right top
ns = words(series); nt = words(threads); np = words(peakth)
do for [i=1:np] {
  set arrow from graph 0, first word(peakval,i)+0 to graph 1, first word(peakval,i)+0 nohead lw 1.5 dt 3 lc 'black' front
  set label sprintf('peak, %s thread%s: %.0f', word(peakth,i), word(peakth,i) eq '1' ? '' : 's', word(peakval,i)+0) \
      at graph 0.02, first word(peakval,i)+0 offset 0,0.6 front
}
stats file u (column('gflops')) nooutput
top = STATS_max
nb = blas ne '' ? nt : 0
if (nb) { stats blas u (column('blas_gflops')) nooutput; top = STATS_max > top ? STATS_max : top }
do for [i=1:np] { top = word(peakval,i)+0 > top ? word(peakval,i)+0 : top }
set yrange [0:1.1*top]
plot for [i=1:ns] file u (column('series') == word(series,i)+0 ? column('n') : NaN):(column('gflops')) \
       w lp lw 2 ps 1.2 lc rgb kcol(word(kernels,i)) pt (word(tpt,word(tix,i)+0)+0) dt int(word(tix,i)) t word(labels,i), \
     for [j=1:nb] blas u (column('threads') == word(threads,j)+0 ? column('n') : NaN):(column('blas_gflops')) \
       w l lw 2 dt j lc rgb '#777777' t sprintf('BLAS, %s thread%s', word(threads,j), word(threads,j) eq '1' ? '' : 's')
