# accuracy_time.gp - test accuracy against training seconds per (method,batch):
# median over seeds with min-max band (curve_<g>.csv columns wall_s, test_acc,
# test_acc_min/max), the target accuracy as a horizontal line and one point per
# run at (time_to_target_s, target_acc) from runs.csv (plot.sh's points file).
# Variables: files labels colours, points ('' = none), target ('' = none), title, machine.
load gpdir.'common.gp'
set title title."\n".machine
set xlabel 'training time (s, evaluation excluded, log scale)'
set ylabel 'test accuracy (%, median and min-max band over seeds)'
set logscale x
set autoscale xfix
set format x '%g'
@xlog125
set key outside right top Left reverse
if (target ne '') {
  set arrow from graph 0, first 100*target to graph 1, first 100*target nohead lw 1.5 dt 3 lc 'black' front
  set label sprintf('target %.4g%%', 100*target) at graph 0.01, first 100*target offset 0,0.7 front
}
n = words(files)
plot for [i=1:n] word(files,i) u (column('wall_s')):(100*column('test_acc_min')):(100*column('test_acc_max')) \
       w filledcurves lc word(colours,i)+0 fs transparent solid 0.18 noborder notitle, \
     for [i=1:n] word(files,i) u (column('wall_s')):(100*column('test_acc')) w l lw 2.2 lc word(colours,i)+0 t word(labels,i), \
     for [k=1:(points ne '' ? 1 : 0)] points u (column('time_to_target_s')):(100*column('target_acc')):(column('group')) \
       w p pt 7 ps 1.6 lc variable notitle, \
     for [k=1:(points ne '' ? 1 : 0)] NaN w p pt 7 ps 1.6 lc 'black' t 'time to target, per run'
