# time_to_accuracy.gp - time to reach the target accuracy per (method,batch)
# from summary.csv: tta_median with tta_min..tta_max error bars, one series
# per thread count (slight x offset); groups that never reached it are marked.
# Input: plot.sh's tta.csv (x,pos,threads,label,tta_median,tta_min,tta_max,
# runs,reached,note). Variables: file, threads (word list), title, machine.
load gpdir.'common.gp'
set title title."\n".machine
set ylabel 'time to target accuracy (s, log scale)'
set xlabel 'setting (method, batch size)'
set logscale y
set format y '%g'
@ylog125
set grid noxtics nomxtics
set key top left
stats file u (column('tta_min')):(column('tta_max')) nooutput
lo = STATS_min_x; hi = STATS_max_y; ybot = lo / 2.5
stats file u (column('reached') == 0 ? 1 : 0) nooutput
nr = STATS_max
stats file u (column('pos')) nooutput
set xrange [0.5:STATS_max+0.5]
set yrange [(nr > 0 ? ybot / 1.5 : lo / 1.5):hi * 2]
nt = words(threads)
plot file u (column('pos')):(NaN):xtic(strcol('label')) notitle, \
     for [i=1:nt] file u (column('threads') == word(threads,i)+0 ? column('x') : NaN):(column('tta_median')):(column('tta_min')):(column('tta_max')) \
       w yerrorbars pt (word(tpt,i)+0) ps 1.6 lw 1.8 lc rgb word(tcol,i) t word(threads,i).(word(threads,i) eq '1' ? ' thread' : ' threads'), \
     for [i=1:nt] file u (column('threads') == word(threads,i)+0 && column('reached') < column('runs') ? column('x') : NaN):(column('reached') > 0 ? 1.35*column('tta_max') : ybot*1.3**(i-1)):(strcol('note')) \
       w labels tc rgb word(tcol,i) notitle
