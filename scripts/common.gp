# common.gp - shared look for every plot (loaded by the others): CSV input
# read by column name, one colour per (method,batch) group as linetypes 1-10
# (group index from plot.sh), colours per thread count and per kernel, grid.
set datafile separator ','
set datafile columnheaders
set datafile missing 'nan'
set linetype 1 lc rgb '#1f77b4' lw 2 pt 7
set linetype 2 lc rgb '#ff7f0e' lw 2 pt 5
set linetype 3 lc rgb '#2ca02c' lw 2 pt 9
set linetype 4 lc rgb '#d62728' lw 2 pt 11
set linetype 5 lc rgb '#9467bd' lw 2 pt 13
set linetype 6 lc rgb '#8c564b' lw 2 pt 7
set linetype 7 lc rgb '#e377c2' lw 2 pt 5
set linetype 8 lc rgb '#7f7f7f' lw 2 pt 9
set linetype 9 lc rgb '#bcbd22' lw 2 pt 11
set linetype 10 lc rgb '#17becf' lw 2 pt 13
set linetype cycle 10
tcol = '#1f77b4 #d62728 #2ca02c #9467bd #ff7f0e #8c564b #e377c2 #17becf'   # by thread-count index
tpt = '7 5 9 11 13 15'
# a series named with a split (gemm --split: 'avx2 simd rows') gets the split's colour
kcol(name) = name[strlen(name)-2:] eq 'ref' ? '#d62728' : strstrt(name, ' shared') ? '#17becf' : \
             strstrt(name, ' rows') ? '#2ca02c' : strstrt(name, ' cols') ? '#8c564b' : \
             strstrt(name, 'blocked') ? '#ff7f0e' : strstrt(name, 'simd') ? '#1f77b4' : \
             name eq 'BLAS' ? '#555555' : '#9467bd'
set grid xtics ytics mxtics mytics lc rgb '#dddddd' lw 1
set border lw 1.2
set key opaque box lc rgb '#bbbbbb' spacing 1.1
set title font ',13'
# @ylog125, @xlog125: on a log axis also label 1-2-5 steps (short ranges get readable tics)
ylog125 = 'do for [e=-6:8] { set ytics add (10**e, 2*10**e, 5*10**e) }'
xlog125 = 'do for [e=-6:8] { set xtics add (10**e, 2*10**e, 5*10**e) }'
