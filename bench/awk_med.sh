# awk_med.sh - sourced by the bench scripts: MED, an awk function for their
# programs (awk -F, "$MED"'...'): med(v, m) is the median of v[1..m], which it
# sorts in place (numerically), and sets lo and hi to the smallest and largest.
# shellcheck disable=SC2034
MED='function med(v, m,   i, j, t) { for (i = 2; i <= m; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    lo = v[1]; hi = v[m]; return m % 2 ? v[(m + 1) / 2] : (v[m / 2] + v[m / 2 + 1]) / 2 }'
