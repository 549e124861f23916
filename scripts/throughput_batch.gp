# throughput_batch.gp - training samples/s against rows per step (batch_rows,
# log x; the full batch is the training-set size), one line per thread count,
# error bars sps_min..sps_max, all from summary.csv via plot.sh's sps.csv
# (threads,batch_rows,batch,sps_median,sps_min,sps_max).
# Variables: file, threads (word list), fullrows, title, machine.
load gpdir.'common.gp'
set title title."\n".machine
set xlabel (fullrows ne '' ? sprintf('batch size (rows per step, log scale; full = %s rows)', fullrows) : 'batch size (rows per step, log scale)')
set ylabel 'training samples/s (log scale)'
set logscale xy
set format y '%.0s%c'
@ylog125
stats file u (column('batch_rows')):(column('sps_min')) nooutput
x0 = STATS_min_x; x1 = STATS_max_x; y0 = STATS_min_y
stats file u (column('sps_max')) nooutput
set xrange [x0 / 1.4:x1 * 1.4]
set yrange [y0 / 1.5:STATS_max * 1.5]
set key top left
nt = words(threads)
plot file u (column('batch_rows')):(NaN):xtic(strcol('batch')) notitle, \
     for [i=1:nt] file u (column('threads') == word(threads,i)+0 ? column('batch_rows') : NaN):(column('sps_median')):(column('sps_min')):(column('sps_max')) \
       w yerrorlines pt (word(tpt,i)+0) ps 1.4 lw 2 lc rgb word(tcol,i) t word(threads,i).(word(threads,i) eq '1' ? ' thread' : ' threads')
