# loss_curves.gp - train loss (dashed) and test loss (solid) against xcol for
# each (method,batch): median over seeds, shaded min-max band of test loss.
# Input per group: plot.sh's curve_<g>.csv (columns <q>, <q>_min, <q>_max for
# q = epoch samples_seen wall_s train_loss test_loss; median/min/max by point
# index of curves/<run_id>.csv). Variables: files labels colours (word lists),
# xcol, xlab, logx, xfmt (tic format on log x), yr (loss range '[lo:hi]'),
# title, machine, gpdir.
load gpdir.'common.gp'
set title title."\n".machine
set xlabel xlab
set ylabel 'cross-entropy loss (log scale)'
set logscale y
set autoscale xfix
eval 'set yrange '.yr
set format y '%g'
@ylog125
set ytics add (0.3, 3)
if (logx) { set logscale x; set format x xfmt; @xlog125 }
set key outside right top Left reverse
n = words(files)
plot for [i=1:n] word(files,i) u (column(xcol)):(column('test_loss_min')):(column('test_loss_max')) \
       w filledcurves lc word(colours,i)+0 fs transparent solid 0.18 noborder notitle, \
     for [i=1:n] word(files,i) u (column(xcol)):(column('test_loss')) w l lw 2.2 lc word(colours,i)+0 t word(labels,i), \
     for [i=1:n] word(files,i) u (column(xcol)):(column('train_loss')) w l lw 1.5 dt 2 lc word(colours,i)+0 notitle, \
     NaN w l lw 2 lc 'black' t 'test loss: median, min-max band', \
     NaN w l lw 1.5 dt 2 lc 'black' t 'train loss: median'
