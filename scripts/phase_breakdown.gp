# phase_breakdown.gp - stacked bars per (method,batch) of the training time per
# sample spent in each phase (runs.csv t_data, t_forward, t_loss, t_backward,
# t_comm (MPI allreduce; 0 in one process), t_update divided by samples_seen,
# median over seeds): left in microseconds, right as a share of the total.
# Input: plot.sh's phases.csv (group,label,data,forward,loss,backward,comm,update,total). Variables: file, title, machine.
load gpdir.'common.gp'
set multiplot layout 1,2 title title."\n".machine font ',13'
set style data histograms
set style histogram rowstacked gap 1
set style fill solid 0.85 border lc 'black'
set boxwidth 0.7
set grid noxtics nomxtics
set xtics rotate by -30 left
set key top left
set yrange [0:*]
ph = 'data forward loss backward comm update'
pc = '#8c564b #1f77b4 #9467bd #d62728 #ff7f0e #2ca02c'
# in one process the weight gradients run fused into the update; MPI ranks compute them in backward
array tl[6] = ['data', 'forward (1)-(5)', 'loss (6)-(8)', 'backward: deltas (+ dW with MPI)', \
               'comm (MPI)', 'update (18) (+ dW in one process)']
set ylabel 'training time per sample (microseconds)'
plot for [i=1:6] file u (column(word(ph,i))):xtic(strcol('label')) lc rgb word(pc,i) t tl[i]
set ylabel 'share of training time (%)'
set yrange [0:100]
set key off
plot for [i=1:6] file u (100*column(word(ph,i))/column('total')):xtic(strcol('label')) lc rgb word(pc,i) t word(ph,i)
unset multiplot
