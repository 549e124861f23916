/* test_ukernels.c - every micro-kernel in mlpb_ukr_table() driven through the
 * GEMM frame (mlpb_gemm, kernel SIMD) against ref_gemm (+ ref_epilogue):
 * all four orientations, every remainder of m mod MR and n mod NR, K-block
 * edges, k = 0 and 1, padded leading dimensions, pointers off by one float,
 * alpha 1 or not with beta 0 (over NaN) or not, the fused epilogues, m <= MR
 * (the small-M path), the narrow paths (n or k small: the output layer's
 * shapes), and 1 thread vs 2
 * (every way of sharing a packed GEMM: auto, shared, rows, cols) and 3, and
 * with the narrow paths' prefetch and streaming stores forced on, and called
 * inside a team (mlpb_team_run: 2 threads sharing, 3), with one thread's
 * tiles IR outer, and with A packed once per K block (1 thread, 3 and 5
 * threads split rows, 2 split cols), bit for bit.
 * Blockings: a tiny one (MC = 2 MR, KC = 17, NC = 3 NR) so every block edge is
 * hit, and the cache-derived one used in production. Kernels whose ISA this
 * CPU lacks are skipped with a note on stderr. Also sysinfo.c's blocking
 * rule (MC/KC/NC, IR outer) on fixed caches, for both vendors. `test_ukernels ISA...` tests
 * the micro-kernels of the ISAs named only, and fails if the CPU lacks one
 * (scripts/avx512_emu.sh). Not here: the vec kernels and the network
 * (test_kernels.c, test_nn.c).
 *
 * Tolerance, per element, in double: the forward error bound of the two float
 * computations being compared,
 *   |c - c_ref| <= 4 (k + 2) eps (|alpha| sum_p |a_ip b_pj| + |beta c0_ij|) + tiny,
 * (k + 2: the k-term dot product plus the alpha and beta roundings), and for
 * an epilogue the bias joins the sum and 4 eps |c_ref| covers its roundings
 * (sigmoid and h (1 - h) are 1/4-Lipschitz, so the input error only shrinks). */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "kernels/kernels.h"
#include "kernels/ref.h"
#include "sys/rng.h"
#include "sys/sysinfo.h"

#define TINY 1e-30

/* the multi-threaded contexts every case is compared with, bit for bit */
#define NCTXN 16
static const char *const ctxn_name[NCTXN] = { "2 threads", "2 threads split shared", "2 threads split rows",
                                              "2 threads split cols", "3 threads, prefetch and streaming always",
                                              "1 thread, prefetch and streaming always",
                                              "2 threads split shared, in a team", "3 threads in a team",
                                              "3 threads split rows, every thread walking forward",
                                              "1 thread, IR outer", "1 thread, IR outer, NC of one column panel",
                                              "1 thread, A packed once per K block, NC of two column panels",
                                              "1 thread, IR outer, A packed once per K block, NC of two column panels",
                                              "3 threads split rows, A packed once per K block, NC of two column panels",
                                              "2 threads split cols, A packed once per K block, NC of two column panels",
                                              "5 threads split rows, A packed once per K block, NC of three column panels" };
static const int ctxn_threads[NCTXN] = { 2, 2, 2, 2, 3, 1, 2, 3, 3, 1, 1, 1, 1, 3, 2, 5 };
static const mlpb_split ctxn_split[NCTXN] = { MLPB_SPLIT_AUTO, MLPB_SPLIT_SHARED, MLPB_SPLIT_ROWS, MLPB_SPLIT_COLS,
                                              MLPB_SPLIT_AUTO, MLPB_SPLIT_AUTO, MLPB_SPLIT_SHARED, MLPB_SPLIT_AUTO,
                                              MLPB_SPLIT_ROWS, MLPB_SPLIT_AUTO, MLPB_SPLIT_AUTO, MLPB_SPLIT_AUTO,
                                              MLPB_SPLIT_AUTO, MLPB_SPLIT_ROWS, MLPB_SPLIT_COLS, MLPB_SPLIT_ROWS };
/* the tiles' order on 1 thread (mlpb_kcfg.ir_outer; the reference context,
 * ctx1, has it off): 1 IR outer, JR inner */
static const int ctxn_ir_outer[NCTXN] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 0, 0, 0 };
/* > 0: NC of that many column panels (NR each), l3_floats kept at the
 * setup's 4 KC NC, as sysinfo.c does when it takes NC from L2: no result may
 * follow NC (the narrow paths' room and thresholds keep the setup's); 0 the
 * setup's NC. Two panels: JC blocks of 2 and 1 panels (n = 3 NR, a ROWS
 * run's rows then differ between them: gemm.c's rows_run_panels); three,
 * with 5 threads: sweep_few_tiles' one-panel GEMM, where a thread has no
 * tile in the first JC block (3 panels) and one in the second (2) */
static const int ctxn_ncpan[NCTXN] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 2, 2, 2, 3 };
/* A packed once per K block and kept through the JC blocks
 * (mlpb_ctx_set_aonce): 1 always (the frame's rule, 0, reads A's rows in
 * place instead at NN with few column panels, as these have) */
static const int ctxn_aonce[NCTXN] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1 };
/* the GEMM called inside mlpb_team_run: parts posted to the waiting threads,
 * SHARED's barrier the team's spin barrier */
static const int ctxn_team[NCTXN] = { 0, 0, 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0 };
/* the narrow paths' prefetch (mlpb_ctx_set_prefetch: op(A) = T's next K
 * block, the dot path's next row block): they ask only for big A, so these
 * force it where the sizes here would not */
static const int ctxn_prefetch[NCTXN] = { 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
/* likewise the narrow row blocks' streaming stores of C (mlpb_ctx_set_stream:
 * only for big C with beta == 0; forced, the row-block cases with beta == 0
 * whose scratch tile fits: sweep_narrow's last loop has every epilogue and
 * width for them) */
static const int ctxn_stream[NCTXN] = { 0, 0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
/* the row splits' walk (mlpb_ctx_set_walk): -1 every thread forward, 0 the
 * frame's (even threads back); the same bits either way */
static const int ctxn_walk[NCTXN] = { 0, 0, 0, 0, 0, 0, 0, 0, -1, 0, 0, 0, 0, 0, 0, 0 };

typedef struct setup {
    const mlpb_ukr *u;
    const char *blocking;  /* "tiny" or "caches" */
    mlpb_ctx *ctx1;        /* 1 thread */
    mlpb_ctx *ctxn[NCTXN]; /* ctxn_name[]: more threads, same blocking */
    int kc;
    long cases, bad_threads, bad_outside, bad_values; /* failing cases, by check */
} setup;

#define MAX_REPORTS 8 /* failing cases described on stderr, per setup */

static mlpb_rng rng;

static float urand(void) { return (float)(2.0 * mlpb_rng_uniform(&rng) - 1.0); }

/* a (rows x ld) float matrix placed `off` floats past a 64-byte boundary,
 * every element (padding included) set: uniform in [-1,1], or NaN */
typedef struct mat { float *buf, *p; size_t n; } mat;

static mat mat_new(int rows, ptrdiff_t ld, int off, int nan_fill) {
    mat m;
    m.n = (size_t)(rows > 0 ? rows : 1) * (size_t)ld + (size_t)off + 1;
    m.buf = aligned_alloc(64, (m.n * sizeof(float) + 63) / 64 * 64);
    if (!m.buf) { fprintf(stderr, "out of memory\n"); exit(2); }
    for (size_t i = 0; i < m.n; i++) m.buf[i] = nan_fill ? NAN : urand();
    m.p = m.buf + off;
    return m;
}

static mat mat_copy(const mat *s) {
    mat m = *s;
    m.buf = aligned_alloc(64, (m.n * sizeof(float) + 63) / 64 * 64);
    if (!m.buf) { fprintf(stderr, "out of memory\n"); exit(2); }
    memcpy(m.buf, s->buf, m.n * sizeof(float));
    m.p = m.buf + (s->p - s->buf);
    return m;
}

static float opget(mlpb_op t, const float *X, ptrdiff_t ld, int i, int p) {
    return t == MLPB_N ? X[(size_t)i * ld + p] : X[(size_t)p * ld + i];
}

static const char *opname(mlpb_op ta, mlpb_op tb) {
    static const char *names[4] = { "NN", "NT", "TN", "TT" };
    return names[ta * 2 + tb];
}

typedef struct {
    mlpb_ctx *ctx; mlpb_op ta, tb; int m, n, k; float alpha, beta;
    const float *A; ptrdiff_t lda; const float *B; ptrdiff_t ldb; float *C; ptrdiff_t ldc; const mlpb_epi *epi;
} gemm_call;

static void gemm_in_team(void *p) {
    const gemm_call *g = p;
    mlpb_gemm(g->ctx, g->ta, g->tb, g->m, g->n, g->k, g->alpha, g->A, g->lda, g->B, g->ldb, g->beta, g->C, g->ldc,
              g->epi);
}

/* One GEMM case: C has ldc = n + pad, A and B likewise padded, every base
 * pointer `off` floats past alignment. nan_c fills C with NaN (use beta 0). */
static void run_case(setup *s, mlpb_op ta, mlpb_op tb, int m, int n, int k, float alpha, float beta,
                     int pad, int off, int nan_c, mlpb_epi_kind ek) {
    const int ra = ta == MLPB_N ? m : k, ca = ta == MLPB_N ? k : m;
    const int rb = tb == MLPB_N ? k : n, cb = tb == MLPB_N ? n : k;
    const ptrdiff_t lda = ca + pad + (ca + pad == 0), ldb = cb + pad + (cb + pad == 0), ldc = n + pad;
    mat A = mat_new(ra, lda, off, 0), B = mat_new(rb, ldb, off, 0), C0 = mat_new(m, ldc, off, nan_c);
    mat bias = mat_new(1, n, off, 0), H = mat_new(m, ldc, off, 0);
    for (size_t i = 0; i < H.n; i++) H.buf[i] = 0.5f * (H.buf[i] + 1.0f); /* h in [0,1] */
    mlpb_epi epi = { ek, bias.p, H.p, ldc };
    mat C1 = mat_copy(&C0), C2 = mat_copy(&C0), Cr = mat_copy(&C0);

    mlpb_gemm(s->ctx1, ta, tb, m, n, k, alpha, A.p, lda, B.p, ldb, beta, C1.p, ldc, &epi);
    ref_gemm(ta, tb, m, n, k, alpha, A.p, lda, B.p, ldb, beta, Cr.p, ldc);
    ref_epilogue(m, n, &epi, Cr.p, ldc);
    s->cases++;

    char what[160];
    snprintf(what, sizeof what, "%s %s %s m=%d n=%d k=%d alpha=%g beta=%g pad=%d off=%d%s epi=%d",
             s->u->name, s->blocking, opname(ta, tb), m, n, k, alpha, beta, pad, off,
             nan_c ? " C=NaN" : "", (int)ek);

    const long reported = s->bad_threads + s->bad_outside + s->bad_values;
    /* 1 thread vs more: the whole buffer, padding included, bit for bit */
    int differ = 0;
    for (int x = 0; x < NCTXN; x++) {
        memcpy(C2.buf, C0.buf, C0.n * sizeof(float));
        gemm_call g = { s->ctxn[x], ta, tb, m, n, k, alpha, beta, A.p, lda, B.p, ldb, C2.p, ldc, &epi };
        if (ctxn_team[x]) mlpb_team_run(s->ctxn[x], gemm_in_team, &g);
        else gemm_in_team(&g);
        if (memcmp(C1.buf, C2.buf, C1.n * sizeof(float))) {
            if (reported + differ < MAX_REPORTS) fprintf(stderr, "  %s: 1 thread and %s differ\n", what, ctxn_name[x]);
            differ++;
        }
    }
    s->bad_threads += differ > 0;

    long bad = 0, outside = 0;
    for (size_t e = 0; e < C1.n; e++) { /* nothing outside the m x n window is written */
        ptrdiff_t q = (ptrdiff_t)e - off;
        int inside = q >= 0 && q / ldc < m && q % ldc < n;
        if (!inside && memcmp(&C1.buf[e], &C0.buf[e], sizeof(float))) outside++;
    }
    if (outside) {
        if (reported < MAX_REPORTS) fprintf(stderr, "  %s: %ld elements outside C(m,n) written\n", what, outside);
        s->bad_outside++;
    }

    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
            double mag = 0.0;
            for (int p = 0; p < k; p++)
                mag += fabs((double)opget(ta, A.p, lda, i, p) * (double)opget(tb, B.p, ldb, p, j));
            double sum = fabs((double)alpha) * mag;
            if (beta != 0.0f) sum += fabs((double)beta * C0.p[(size_t)i * ldc + j]);
            double c = C1.p[(size_t)i * ldc + j], cr = Cr.p[(size_t)i * ldc + j], tol;
            if (ek == MLPB_EPI_NONE) {
                tol = 4.0 * (k + 2) * FLT_EPSILON * sum + TINY;
            } else {
                if (ek != MLPB_EPI_DSIGMOID) sum += fabs((double)bias.p[j]);
                tol = 4.0 * (k + 2) * FLT_EPSILON * sum + 4.0 * FLT_EPSILON * fabs(cr) + TINY;
            }
            if (!(fabs(c - cr) <= tol)) { /* also catches NaN */
                if (bad < 3 && reported < MAX_REPORTS)
                    fprintf(stderr, "  %s: C(%d,%d) = %.9g, reference %.9g, |diff| %.3g > tol %.3g\n",
                            what, i, j, c, cr, fabs(c - cr), tol);
                bad++;
            }
        }
    if (bad) {
        if (reported < MAX_REPORTS)
            fprintf(stderr, "  %s: %ld of %d elements outside the error bound\n", what, bad, m * n);
        s->bad_values++;
    }

    free(A.buf); free(B.buf); free(C0.buf); free(bias.buf); free(H.buf);
    free(C1.buf); free(C2.buf); free(Cr.buf);
}

static const mlpb_op OPS[4][2] = { { MLPB_N, MLPB_N }, { MLPB_T, MLPB_N }, { MLPB_N, MLPB_T }, { MLPB_T, MLPB_T } };

/* Every m mod MR and n mod NR, in every orientation, K spanning blocks. */
static void sweep_edges(setup *s) {
    const int MR = s->u->mr, NR = s->u->nr;
    for (int o = 0; o < 4; o++)
        for (int r = 0; r < MR; r++)
            for (int q = 0; q < NR; q++) {
                const int nan_c = (r + q) & 1;
                run_case(s, OPS[o][0], OPS[o][1], 2 * MR + r, 3 * NR + q, 2 * 17 + 3,
                         nan_c ? 1.0f : 0.7f, nan_c ? 0.0f : -1.3f, (r & 1) ? 3 : 0, q & 1, nan_c,
                         MLPB_EPI_NONE);
            }
}

/* Fewer tiles than threads: op(A) = op(B) = T (the small-M path leaves TT to
 * the packed frame) with one row panel and 5 NR columns; at NC = 3 NR, 5
 * threads split rows, thread 2 has no tile in the first JC block and one in
 * the second, so it packs A per JC block (gemm.c, rows_run_panels) */
static void sweep_few_tiles(setup *s) {
    const int MR = s->u->mr, NR = s->u->nr;
    const int ms[2] = { 1, MR };
    for (int i = 0; i < 2; i++)
        run_case(s, MLPB_T, MLPB_T, ms[i], 5 * NR, 2 * 17 + 3, 0.7f, i ? -1.3f : 0.0f, 0, 0, !i, MLPB_EPI_NONE);
}

/* The cut of a block's rows into panels (MR rows, ME-row edge panels, one
 * partial panel through a tile buffer) changes no bit: rows 0 .. m-1 of a GEMM
 * equal the same rows of the GEMM of MR more rows (another cut), C and the
 * operands otherwise the same, for beta 0 (C NaN) and beta -1.3, op(B) = N
 * read in place or packed, whole and partial column panels. Counted in
 * bad_values (a cut that changes a result is a wrong result). */
static void cut_case(setup *s, mlpb_op ta, mlpb_op tb, int m, int n, int k, float beta) {
    const int M = m + s->u->mr, pad = 3;
    const int ra = ta == MLPB_N ? M : k, ca = ta == MLPB_N ? k : M;
    const int rb = tb == MLPB_N ? k : n, cb = tb == MLPB_N ? n : k;
    const ptrdiff_t lda = ca + pad, ldb = cb + pad, ldc = n + pad;
    mat A = mat_new(ra, lda, 1, 0), B = mat_new(rb, ldb, 1, 0), C0 = mat_new(M, ldc, 1, beta == 0.0f);
    mat C1 = mat_copy(&C0), C2 = mat_copy(&C0);
    mlpb_gemm(s->ctx1, ta, tb, m, n, k, 0.7f, A.p, lda, B.p, ldb, beta, C1.p, ldc, NULL);
    mlpb_gemm(s->ctx1, ta, tb, M, n, k, 0.7f, A.p, lda, B.p, ldb, beta, C2.p, ldc, NULL);
    s->cases++;
    if (memcmp(C1.p, C2.p, ((size_t)(m - 1) * (size_t)ldc + (size_t)n) * sizeof(float))) {
        if (s->bad_threads + s->bad_outside + s->bad_values < MAX_REPORTS)
            fprintf(stderr, "  %s %s %s m=%d n=%d k=%d beta=%g: rows 0..%d differ from the same rows of m=%d\n",
                    s->u->name, s->blocking, opname(ta, tb), m, n, k, beta, m - 1, M);
        s->bad_values++;
    }
    free(A.buf); free(B.buf); free(C0.buf); free(C1.buf); free(C2.buf);
}

static void sweep_cuts(setup *s) {
    const int MR = s->u->mr, ME = s->u->me > 0 ? s->u->me : 1, NR = s->u->nr;
    /* one and two edge panels, with and without whole panels; partial panels
     * of one row and of MR - 1 rows */
    const int ms[6] = { MR + ME, 2 * ME, 2 * MR + 2 * ME, 2 * MR + 1, 2 * MR + ME + MR - 1, 3 * MR + ME };
    for (int o = 0; o < 4; o++)
        for (int mi = 0; mi < 6; mi++)
            for (int w = 0; w < 2; w++)
                cut_case(s, OPS[o][0], OPS[o][1], ms[mi], 3 * NR + 5 * w, 2 * 17 + 3, (mi + w) & 1 ? -1.3f : 0.0f);
}

/* K edges of this blocking, k = 0 and 1, both layouts, and alpha 1 or not
 * with beta 0 (over NaN) or not: the micro-kernel's four store forms, each
 * in a first K block (later ones run with beta 1). */
static void sweep_k(setup *s) {
    const int MR = s->u->mr, NR = s->u->nr, kc = s->kc;
    const int ks[6] = { 0, 1, kc - 1, kc, kc + 1, 2 * kc + 3 };
    for (int o = 0; o < 4; o++)
        for (int ki = 0; ki < 6; ki++)
            for (int ab = 0; ab < 4; ab++) {
                const int b0 = !(ab & 2);
                for (int lay = 0; lay < 2; lay++)
                    run_case(s, OPS[o][0], OPS[o][1], 2 * MR + (ki + 1) % MR,
                             3 * NR + 2 * ki + 1, ks[ki], ab & 1 ? 1.0f : 0.7f, b0 ? 0.0f : -1.3f,
                             lay ? 3 : 0, lay, b0, MLPB_EPI_NONE);
            }
}

/* The fused epilogues in the orientations the network uses. */
static void sweep_epilogues(setup *s) {
    const int MR = s->u->mr, NR = s->u->nr;
    const mlpb_epi_kind kinds[3] = { MLPB_EPI_BIAS, MLPB_EPI_BIAS_SIGMOID, MLPB_EPI_DSIGMOID };
    for (int e = 0; e < 3; e++)
        for (int o = 0; o < 3; o++)
            for (int ab = 0; ab < 2; ab++)
                run_case(s, OPS[o][0], OPS[o][1], 2 * MR + 1 + o, 3 * NR + 5 + e, 2 * 17 + 3,
                         ab ? 1.0f : 0.7f, ab ? 0.0f : -1.3f, ab ? 0 : 3, ab ? 0 : 1, ab, kinds[e]);
}

/* m <= MR: kernel SIMD's small-M path (no packing, B streamed, threads split
 * the columns, or NN the two halves of K from k = 128; TT falls back to the
 * packed frame): every m up to MR, n below, at and past a vector and past
 * the threads' column units (300: op(B) = N's one-chain columns in a whole
 * 16-vector tile at m = 1 and a narrower one, cut by 2 and 3 threads, then
 * 44 in partial-sum sets), k = 0, 1, odd and long, K whole (up to 127) and
 * in halves (128, 129, 300: split over 2 and 3 threads, or over N where the
 * scratch does not fit or the split is forced to cols), and the k <= 16
 * of op(B) = T's transposing kernel (tails of 2, 1, 5 and none past 8 k
 * steps, 2, 3 and 5 alone), every epilogue, beta = 0 over NaN; an odd count
 * of k values, so that each k meets both betas. Under the tiny blocking (the
 * scalar kernel has no small-M path) up to k = 130: there the K split's
 * partial sums fit its scratch (2 MR x 17 floats) only where m and n are small. */
static void sweep_smallm(setup *s) {
    const int MR = s->u->mr, NR = s->u->nr;
    const int ns[4] = { 1, 7, NR + 1, 300 };
    const int ks[13] = { 0, 1, 2, 5, 9, 10, 13, 16, 17, 300, 3, 128, 129 };
    const mlpb_epi_kind kinds[4] = { MLPB_EPI_NONE, MLPB_EPI_BIAS, MLPB_EPI_BIAS_SIGMOID, MLPB_EPI_DSIGMOID };
    int c = 0;
    for (int o = 0; o < 4; o++)
        for (int m = 1; m <= MR; m++)
            for (int ni = 0; ni < 4; ni++)
                for (int ki = 0; ki < 13; ki++, c++) {
                    if (s->kc < 64 && ks[ki] > 130) continue; /* tiny blocking: the fallback needs no long k */
                    const int nan_c = c & 1;
                    run_case(s, OPS[o][0], OPS[o][1], m, ns[ni], ks[ki], nan_c ? 1.0f : 0.7f,
                             nan_c ? 0.0f : -1.3f, c % 3 == 0 ? 3 : 0, (c >> 1) & 1, nan_c, kinds[(c >> 2) % 4]);
                }
}

/* Kernel SIMD's narrow paths (gemm.c: n <= 12 or k <= 16, m past the small-M
 * path) and the shapes just past them: n at 1, odd, a vector, 10 (the output
 * layer), 12 and 13, 7 (C^T tiles of 4 + 3 columns over two vectors of
 * rows), 9 and 11 (6 + 3, 6 + 5: a one-column store group after a whole
 * one); k small at 1, 2, 9, 16 and 17, with n narrow too (the output
 * layer's dW at batch <= 16) or not; m at MR + 1, 19 and 27 (a masked last
 * vector of rows: 16 + 3 and 16 + 11 on either ISA) and 128, and 170 with
 * small k (row blocks counted from each half of the rows); k long enough
 * for the K blocks of this blocking; op(B) too big for the transpose buffer (the packed frame
 * takes over); every orientation, every epilogue, beta = 0 over NaN. Then the op(A) = N
 * dot path (dotq) at every n up to 12 and every k mod 8. */
static void sweep_narrow(setup *s) {
    const int MR = s->u->mr;
    const int ms[4] = { MR + 1, 19, 27, 128 };
    const int ns[9] = { 1, 3, 7, 8, 9, 10, 11, 12, 13 };
    const int ks[4] = { 17, 40, 300, 2 * s->kc + 5 };
    const mlpb_epi_kind kinds[4] = { MLPB_EPI_NONE, MLPB_EPI_BIAS, MLPB_EPI_BIAS_SIGMOID, MLPB_EPI_DSIGMOID };
    int c = 0;
    for (int o = 0; o < 4; o++)
        for (int mi = 0; mi < 4; mi++)
            for (int ni = 0; ni < 9; ni++, c++) { /* narrow n */
                const int nan_c = c & 1, k = ks[(c >> 1) % 4];
                run_case(s, OPS[o][0], OPS[o][1], ms[mi], ns[ni], k, nan_c ? 1.0f : 0.7f, nan_c ? 0.0f : -1.3f,
                         c % 3 == 0 ? 3 : 0, (c >> 2) & 1, nan_c, kinds[c % 4]);
            }
    const int sk[5] = { 1, 2, 9, 16, 17 };
    const int sn[6] = { 1, 10, 12, 13, 40, 203 };
    for (int o = 0; o < 4; o++)
        for (int ki = 0; ki < 5; ki++)
            for (int ni = 0; ni < 6; ni++, c++) { /* narrow k (and both narrow, n <= 12) */
                const int nan_c = c & 1;
                run_case(s, OPS[o][0], OPS[o][1], ms[(c >> 1) % 2 ? 1 : 0] + (ni >= 4) * 18, sn[ni], sk[ki],
                         nan_c ? 1.0f : 0.7f, nan_c ? 0.0f : -1.3f, c % 3 == 0 ? 3 : 0, (c >> 2) & 1, nan_c,
                         kinds[c % 4]);
            }
    for (int o = 0; o < 4; o++) /* beta == 0 on every epilogue and width: the streaming stores' cases */
        for (int e = 0; e < 4; e++)
            for (int ni = 0; ni < 6; ni++, c++)
                run_case(s, OPS[o][0], OPS[o][1], ms[c % 2] + (ni >= 4) * 18, sn[ni], sk[(ni + e) % 5], 0.7f, 0.0f,
                         c % 3 == 0 ? 3 : 0, (c >> 2) & 1, 1, kinds[e]);
    for (int tb = 0; tb < 2; tb++) /* op(A) = N, n <= 12: every column-pair count, odd n, every k mod 8 */
        for (int n = 1; n <= 12; n++)
            for (int ki = 0; ki < 8; ki++, c++) { /* beta 0 (over NaN) and not with every k mod 8 (n odd / even) */
                const int b0 = (n + ki / 4 + tb) % 2;
                run_case(s, MLPB_N, tb ? MLPB_T : MLPB_N, ms[c % 4], n, 17 + ki + 8 * (c % 2), c % 2 ? 1.0f : 0.7f,
                         b0 ? 0.0f : -1.3f, c % 3 == 0 ? 3 : 0, (c >> 2) & 1, b0 && c % 2, kinds[(c >> 1) % 4]);
            }
    /* small k on 170 rows: the row blocks count from each half (0-87, 88-169),
     * the first half's last block 4 rows on either ISA's RB (12, 6) where
     * blocks counted from 0 would give it a whole one (other partial-sum sets) */
    for (int o = 0; o < 2; o++)
        for (int ki = 1; ki < 4; ki++)
            for (int ni = 1; ni < 5; ni += 3, c++)
                run_case(s, OPS[o][0], OPS[o][1], 170, sn[ni], sk[ki], 0.7f, c % 2 ? 0.0f : -1.3f, 0,
                         c & 1, 0, kinds[c % 4]);
    /* every small k rank1 and smallk take (1 .. 9), no epilogue, on runs of
     * several row blocks (3 MR + 5 and 170 rows), op(A) = N and T: a thread's
     * whole run in one call (narrow_rows_part) */
    for (int o = 0; o < 2; o++)
        for (int k = 1; k <= 9; k++)
            for (int mi = 0; mi < 2; mi++, c++) { /* width by k; beta 0 (over NaN) or not by k and rows */
                const int b0 = (c + (c >> 1)) % 2;
                run_case(s, OPS[o][0], OPS[o][1], mi ? 170 : 3 * MR + 5, sn[3 + (c >> 1) % 2], k, c % 3 ? 0.7f : 1.0f,
                         b0 ? 0.0f : -1.3f, c % 4 == 0 ? 3 : 0, (c >> 2) & 1, b0, MLPB_EPI_NONE);
            }
    for (int o = 0; o < 4; o++) { /* op(B) past the 64 Ki-float transpose buffer */
        run_case(s, OPS[o][0], OPS[o][1], MR + 1, 10, 7000, 1.0f, 0.0f, 0, 1, 1, MLPB_EPI_BIAS);
        run_case(s, OPS[o][0], OPS[o][1], MR + 1, 5000, 16, 0.7f, -1.3f, 3, 0, 0, MLPB_EPI_NONE);
    }
}

/* The big GEMMs of a 784-256 layer at batch 64, production blocking. */
static void sweep_network(setup *s) {
    run_case(s, MLPB_N, MLPB_N, 64, 256, 784, 1.0f, 0.0f, 0, 0, 1, MLPB_EPI_BIAS_SIGMOID); /* forward */
    run_case(s, MLPB_T, MLPB_N, 784, 256, 64, 1.0f, 0.0f, 0, 0, 1, MLPB_EPI_NONE);         /* dW */
    run_case(s, MLPB_N, MLPB_T, 64, 784, 256, 1.0f, 0.0f, 0, 0, 1, MLPB_EPI_NONE);         /* dX */
}

static mlpb_ctx *make_ctx(const mlpb_ukr *u, int mc, int kc, int nc, int threads, int ir_outer, long l3_floats) {
    mlpb_kcfg cfg = { MLPB_KERNEL_SIMD, u, mc, kc, nc, threads, ir_outer, l3_floats };
    mlpb_ctx *c = mlpb_ctx_new(&cfg);
    if (!c) { fprintf(stderr, "mlpb_ctx_new failed for %s\n", u->name); exit(2); }
    mlpb_ctx_set_par_min_flops(c, -1); /* split every GEMM, however small, over the threads */
    return c;
}

/* no names: every ISA; else whether isa is among them */
static int isa_wanted(const char *isa, int argc, char **argv) {
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], isa)) return 1;
    return argc < 2;
}

static long clamp_round(long x, long lo, long hi, long to) { return (x < lo ? lo : x > hi ? hi : x) / to * to; }

/* sysinfo.c's blocking rule on fixed caches (L1d 48 KiB, L2 2 MiB, L3 32 MiB
 * over 2 cores), for both vendors whatever this CPU is (mlpb_blocking_rule):
 * KC from L1d (the scalar kernel: both panels in half of it), MC from L2;
 * on Intel's CPUs NC from L2 for every kernel and IR outer on 1 thread for
 * the AVX-512 kernel only, elsewhere NC from L3 and JR outer; the narrow
 * paths' 4 KC NC from the L3 rule either way. */
static void check_vendor_rule(const mlpb_ukr *const *tab, int nt) {
    const mlpb_sysinfo fake = { "fake", 2, 48L << 10, 2L << 20, 32L << 20, "test" };
    const long f = (long)sizeof(float);
    for (int intel = 0; intel <= 1; intel++)
        for (int t = 0; t < nt; t++) {
            const mlpb_ukr *u = tab[t];
            mlpb_kcfg c = { MLPB_KERNEL_SIMD, u, 0, 0, 0, 1, 0, 0 };
            mlpb_blocking_rule(&fake, u, intel, &c);
            const int scalar = !strcmp(u->isa, "scalar");
            const long kc = clamp_round(scalar ? (48L << 10) / 2 / ((u->mr + u->nr) * f) : (48L << 10) * 3 / 4 / (u->nr * f),
                                        32, 1024, 8);
            const long mc = clamp_round((2L << 20) / 2 / (kc * f), u->mr, 4096, u->mr);
            const long nc3 = clamp_round((16L << 20) / 2 / (2 * kc * f), u->nr, 4096, u->nr);
            const long nc2 = clamp_round((2L << 20) / 2 / (kc * f), u->nr, 4096, u->nr);
            const char *v = intel ? "Intel" : "another vendor";
            CHECK(c.kc == kc && c.mc == mc, "%s, %s: MC/KC %d/%d, want %ld/%ld", u->name, v, c.mc, c.kc, mc, kc);
            CHECK(c.ir_outer == (intel && !strcmp(u->isa, "avx512")), "%s, %s: ir_outer %d", u->name, v, c.ir_outer);
            CHECK(c.nc == (intel ? nc2 : nc3), "%s, %s: NC %d, want %ld", u->name, v, c.nc, intel ? nc2 : nc3);
            CHECK(c.l3_floats == 4L * kc * nc3, "%s, %s: l3_floats %ld, want %ld", u->name, v, c.l3_floats,
                  4L * kc * nc3);
        }
}

int main(int argc, char **argv) {
    mlpb_rng_seed(&rng, 20240601u);
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    int nt, tested = 0;
    const mlpb_ukr *const *tab = mlpb_ukr_table(&nt);
    for (int i = 1; i < argc; i++) {
        int known = 0;
        for (int t = 0; t < nt; t++) known |= !strcmp(tab[t]->isa, argv[i]);
        if (!known) return fprintf(stderr, "test_ukernels: no micro-kernel of ISA '%s' in this build\n", argv[i]), 1;
        if (!mlpb_isa_available(argv[i])) return fprintf(stderr, "test_ukernels: this CPU lacks %s\n", argv[i]), 1;
    }
    for (int t = 0; t < nt; t++) {
        const mlpb_ukr *u = tab[t];
        if (!isa_wanted(u->isa, argc, argv)) continue;
        if (!mlpb_isa_available(u->isa)) {
            fprintf(stderr, "SKIP %s: CPU lacks %s\n", u->name, u->isa);
            continue;
        }
        CHECK(u->mr >= 1 && u->mr <= MLPB_UKR_MAX_MR && u->nr >= 1 && u->nr <= MLPB_UKR_MAX_NR,
              "%s: tile %dx%d out of bounds", u->name, u->mr, u->nr);
        tested++;
        for (int b = 0; b < 2; b++) {
            mlpb_kcfg cfg = { MLPB_KERNEL_SIMD, u, 2 * u->mr, 17, 3 * u->nr, 1, 0, 0 };
            if (b == 1) mlpb_blocking_from_caches(&si, u, &cfg);
            setup s = { u, b ? "caches" : "tiny", make_ctx(u, cfg.mc, cfg.kc, cfg.nc, 1, 0, 0), { NULL }, cfg.kc, 0, 0, 0, 0 };
            for (int x = 0; x < NCTXN; x++) {
                s.ctxn[x] = ctxn_ncpan[x] ? make_ctx(u, cfg.mc, cfg.kc, ctxn_ncpan[x] * u->nr, ctxn_threads[x],
                                                     ctxn_ir_outer[x], 4L * cfg.kc * cfg.nc)
                                          : make_ctx(u, cfg.mc, cfg.kc, cfg.nc, ctxn_threads[x], ctxn_ir_outer[x], 0);
                mlpb_ctx_set_split(s.ctxn[x], ctxn_split[x]);
                mlpb_ctx_set_prefetch(s.ctxn[x], ctxn_prefetch[x]);
                mlpb_ctx_set_stream(s.ctxn[x], ctxn_stream[x]);
                mlpb_ctx_set_walk(s.ctxn[x], ctxn_walk[x]);
                mlpb_ctx_set_aonce(s.ctxn[x], ctxn_aonce[x]);
            }
            sweep_edges(&s);
            sweep_cuts(&s);
            sweep_few_tiles(&s);
            sweep_k(&s);
            sweep_epilogues(&s);
            if (b == 1 || strcmp(u->isa, "scalar")) sweep_smallm(&s); /* tiny: where the K split's sums do not fit */
            sweep_narrow(&s);
            if (b == 1) sweep_network(&s);
            const char *id = u->name, *bl = s.blocking;
            CHECK(s.bad_values == 0, "%s %s: %ld of %ld cases outside the error bound", id, bl, s.bad_values, s.cases);
            CHECK(s.bad_threads == 0, "%s %s: %ld of %ld cases differ between 1 thread and more", id, bl,
                  s.bad_threads, s.cases);
            CHECK(s.bad_outside == 0, "%s %s: %ld of %ld cases wrote outside C(m,n)", id, bl, s.bad_outside, s.cases);
            printf("%-14s %-6s MC/KC/NC %4d/%4d/%4d: %5ld cases, %s\n", id, bl, cfg.mc, cfg.kc, cfg.nc,
                   s.cases, s.bad_values + s.bad_threads + s.bad_outside ? "FAILED" : "ok");
            fflush(stdout);
            mlpb_ctx_free(s.ctx1);
            for (int x = 0; x < NCTXN; x++) mlpb_ctx_free(s.ctxn[x]);
        }
    }
    CHECK(tested >= 1, "no micro-kernel was tested");
    check_vendor_rule(tab, nt);
    return check_summary("test_ukernels");
}
