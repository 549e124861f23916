# gemm_step.gp - GFLOP/s of the GEMMs of one training step (gemm*.csv rows with
# shape step-total, group step-b<batch>): clusters per batch x threads, bars
# per (isa,kernel) and BLAS (blas_gflops). Input: plot.sh's st.csv
# (label,<series>,<series>_min,<series>_max,...).
# Variables: file, series (quoted word list of the bar names), title, machine.
load gpdir.'common.gp'
set title title."\n".machine
set ylabel 'GFLOP/s (total flops / total time of the step GEMMs)'
set xlabel 'batch size / threads'
set yrange [0:*]
set grid noxtics nomxtics
set style fill solid 0.85 border lc 'black'
set style histogram clustered gap 2
set style data histograms
set key top left
set xtics rotate by -20 left
stats file u 0 nooutput
set xrange [-0.6:STATS_records-0.4]
ns = words(series)
plot for [i=1:ns] file u (column(3*i-1)):xtic(1) lc rgb kcol(word(series,i)) t word(series,i)
