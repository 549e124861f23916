# speedup_threads.gp - left: speedup of samples/s (summary.csv sps_median) over
# t0 threads for the same method/batch/hidden/isa/kernel; right: parallel
# efficiency = speedup / (threads/t0). One line per (method,batch).
# Input: plot.sh's speedup.csv (group,label,threads,speedup,efficiency).
# Variables: file, groups labels (word lists), t0, title, machine.
load gpdir.'common.gp'
n = words(groups)
set multiplot layout 1,2 title title."\n".machine font ',13'
set xlabel 'threads'
stats file u (column('threads')) nooutput
if (STATS_max <= 16) { set xtics 1 }
set key top left
set ylabel sprintf('speedup over %d thread%s (x)', t0, t0 == 1 ? '' : 's')
plot for [i=1:n] file u (column('group') == word(groups,i)+0 ? column('threads') : NaN):(column('speedup')) \
       w lp lc word(groups,i)+0 pt 7 ps 1.2 t word(labels,i), \
     x/t0 w l dt 2 lc 'black' t 'ideal'
set ylabel 'parallel efficiency (%)'
set yrange [0:110]
set key bottom left
plot for [i=1:n] file u (column('group') == word(groups,i)+0 ? column('threads') : NaN):(100*column('efficiency')) \
       w lp lc word(groups,i)+0 pt 7 ps 1.2 t word(labels,i), \
     100 w l dt 2 lc 'black' t 'ideal'
unset multiplot
