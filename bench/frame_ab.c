/* frame_ab.c - one feature of the GEMM frame, A/B in one process: the frame
 * as it is, and a copy without the feature (another micro-kernel table entry,
 * or a context switch), timed in turns on the same operands (the order
 * reversed every other round), R rounds of >= 5 ms each, after checking that
 * both give the same bits.
 *   edge   the edge kernel (without: me = 0, a block's last rows go through
 *          the full kernel on a partial tile)
 *   arows  A's rows read in place (without: every A panel packed)
 *   pf     the narrow op(A) = T path's prefetch of the next K block (TN only;
 *          never against always: the frame itself asks only when A is big)
 *   stream the narrow row blocks' streaming stores of C (NN or NT with
 *          K <= 16; never against always: the frame streams only big C).
 *          Each call is timed alone, after reading twice L3's size
 *          elsewhere (clean lines: a dirty C is written back there, not
 *          in the next timed call), as in a training step, where a step's
 *          other work passes between two calls: with only this GEMM
 *          running, the plain stores' C stays in L3 from call to call,
 *          since the streamed C in the other turn does not evict it
 *   dotq   the narrow op(A) = N path for n <= 12 (pack_q, then k-quad dot
 *          products, mlpb_gemm) against the one it replaced in 820bd56:
 *          op(B) transposed (pack_t), then the small-M dot kernel
 *          (smallm_bt) on blocks of 3 rows (6 on AVX-512), called here
 *          directly (NN, 1 thread). Their sums run in different orders:
 *          checked against each other within 2 (k+2) eps sum |a| |b|, not
 *          bit for bit
 *   walk   the row splits' walk: even threads from their last tile (row
 *          block, on the narrow path) back, odd ones forward (without:
 *          every thread forward), 2+ threads; name split rows for the
 *          packed frame (auto takes it where the frame would)
 *   irouter one thread's packed-frame tiles IR outer, JR inner (row bands;
 *          without: JR outer, IR inner), whatever sysinfo.c's rule picks
 *          for this CPU and kernel; 1 thread; packed shapes only (on the
 *          narrow and small-M paths both sides run the same code)
 *   aonce  the packed frame's A packed once per K block and kept through
 *          the JC blocks (N past NC), always (mlpb_ctx_set_aonce(1), also
 *          where the frame would read A's rows in place instead: NN with
 *          at most 16 column panels a block), against packed once per JC
 *          block (never); any threads, any split (SHARED on 2+ threads has
 *          no such path: both sides the same)
 * Prints both medians and the median over rounds of time(without) /
 * time(with) (> 1: the feature saves time) with its quartiles. Shapes use the
 * network's padded weight rows: NN is a forward GEMM, (b, k) x W (k, n); NT a
 * delta GEMM, (b, k) x W^T with W (n, k); TN a weight gradient,
 * (b, k)^T x (b, n) into dW (k, n). The list gives the batch b. SPLIT (default
 * auto) is forced on both: on 2+ threads auto may split the two differently
 * (it looks at whether A is read in place), so name one to see the feature
 * alone. Threads are pinned one per core, as in mlpbench (sys/pin.h). The
 * micro-kernel is MLPB_ISA's (default auto: the best this CPU has).
 *   build/frame_ab FEATURE [THREADS [ROUNDS [B,B,... [N K [NN|NT|TN [SPLIT]]]]]]
 *   build/frame_ab edge 1 61 32,64,128 256 784      (fwd-W1 at batch 32, 64, 128)
 *   build/frame_ab arows 1 61 32,64,128 128 256     (fwd-W2)
 *   build/frame_ab pf 1 21 1024,60000 10 128 TN     (dW3)
 *   build/frame_ab stream 1 21 1024,60000 128 10 NT (bwd-W3)
 *   build/frame_ab dotq 1 41 32,64,128,1024,60000 10 128 (fwd-W3)
 *   build/frame_ab walk 2 41 32,64,128,1024 128 256 TN rows (dW2)
 *   MLPB_ISA=avx2 build/frame_ab irouter 1 41 64,128 256 784 TN (dW1)
 *   build/frame_ab aonce 1 21 1024,2048 2048 2048    (m = 1024 and 2048, n = k = 2048)
 * Not a test: a measurement, for this machine's noise to be averaged out by
 * taking turns. */
#include "kernels/kernels.h"
#include "kernels/vec_inl.h"
#include "nn/mlp.h"
#include "sys/pin.h"
#include "sys/sysinfo.h"
#include "sys/timer.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* fwd-W3's path before 820bd56: Bt (n, k) = op(B)^T, then C in blocks of 3
 * rows (AVX2; 6 on AVX-512: its DOT_ROWS) through the small-M dot kernel */
static void old_dot(const mlpb_vec_isa *vx, int m, int n, int k, const float *A, ptrdiff_t lda, const float *B,
                    ptrdiff_t ldb, float *C, ptrdiff_t ldc, float *Bt) {
    const int rb = strcmp(vx->isa, "avx512") ? 3 : 6;
    vx->pack_t(k, n, k, B, ldb, Bt); /* Bt[j k + p] = B[p ldb + j] */
    for (int i0 = 0; i0 < m; i0 += rb)
        vx->smallm_bt(m - i0 < rb ? m - i0 : rb, n, k, 1.0f, A + (size_t)i0 * lda, lda, Bt, k, 0.0f,
                      C + (size_t)i0 * ldc, ldc);
}

int main(int argc, char **argv) {
    const char *feat = argc > 1 ? argv[1] : "";
    const int threads = argc > 2 ? atoi(argv[2]) : 1, rounds = argc > 3 ? atoi(argv[3]) : 61;
    const char *ms = argc > 4 ? argv[4] : "32,64,128";
    const int n = argc > 6 ? atoi(argv[5]) : 256, k = argc > 6 ? atoi(argv[6]) : 784;
    const char *op = argc > 7 ? argv[7] : "NN", *sp = argc > 8 ? argv[8] : "auto";
    int split = -1;
    for (int i = 0; mlpb_split_names[i]; i++)
        if (!strcmp(sp, mlpb_split_names[i])) split = i;
    const int edge = !strcmp(feat, "edge"), arows = !strcmp(feat, "arows"), pf = !strcmp(feat, "pf"),
              stream = !strcmp(feat, "stream"), dotq = !strcmp(feat, "dotq"), walk = !strcmp(feat, "walk"),
              irouter = !strcmp(feat, "irouter"), aonce = !strcmp(feat, "aonce");
    const int tn = !strcmp(op, "TN");
    const mlpb_op ta = tn ? MLPB_T : MLPB_N, tb = !strcmp(op, "NT") ? MLPB_T : MLPB_N;
    const char *isa = getenv("MLPB_ISA") && *getenv("MLPB_ISA") ? getenv("MLPB_ISA") : "auto";
    const mlpb_ukr *u = mlpb_ukr_find(isa);
    if ((!edge && !arows && !pf && !stream && !dotq && !walk && !irouter && !aonce) || threads < 1 || rounds < 1 || n < 1 || k < 1 ||
        (irouter && threads != 1) ||
        (walk && (threads < 2 || (split != MLPB_SPLIT_ROWS && split != MLPB_SPLIT_AUTO))) ||
        (strcmp(op, "NN") && strcmp(op, "NT") && !tn) || (pf != tn && !walk && !irouter && !aonce) || (stream && k > 16) || split < 0 ||
        (dotq && (threads != 1 || strcmp(op, "NN") || n > 12 || k <= 16))) {
        fprintf(stderr, "usage: frame_ab edge|arows|pf|stream|dotq|walk|irouter|aonce [THREADS [ROUNDS [B,B,... [N K [NN|NT|TN [auto|shared|rows|cols]]]]]]"
                        " (edge, arows: NN or NT; pf: TN; stream: NN or NT, K <= 16; dotq: 1 thread, NN, N <= 12, K > 16;"
                        " walk: 2+ threads, split rows or auto; irouter: 1 thread)\n");
        return 2;
    }
    if (!u) {
        fprintf(stderr, "frame_ab: MLPB_ISA=%s: no such micro-kernel on this CPU\n", isa);
        return 2;
    }
    if ((edge && u->me == 0) || (arows && !u->fn_lda)) {
        fprintf(stderr, "frame_ab: the micro-kernel %s has no %s\n", u->name, edge ? "edge kernel" : "A-in-place entry");
        return 2;
    }
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    mlpb_ukr without = *u; /* the same entry without the feature */
    if (edge) {
        without.me = 0;
        without.fn_e = NULL;
        without.fn_e_ldb = NULL;
        without.fn_e_lda = NULL;
    } else if (arows) {
        without.fn_lda = NULL;
        without.fn_e_lda = NULL;
    }
    mlpb_kcfg cfg = { MLPB_KERNEL_SIMD, u, 0, 0, 0, threads, 0, 0 };
    mlpb_blocking_from_caches(&si, u, &cfg);
    mlpb_kcfg cfg0 = cfg;
    cfg0.ukr = &without;
    if (irouter) {
        cfg.ir_outer = 1;
        cfg0.ir_outer = 0;
    }
    mlpb_ctx *ctx[2] = { mlpb_ctx_new(&cfg0), mlpb_ctx_new(&cfg) };
    for (int v = 0; v < 2; v++)
        if (ctx[v]) mlpb_ctx_set_split(ctx[v], (mlpb_split)split);
    if (pf && ctx[0] && ctx[1]) { /* never vs always, whatever the frame's size rule would pick */
        mlpb_ctx_set_prefetch(ctx[0], -1);
        mlpb_ctx_set_prefetch(ctx[1], 1);
    }
    if (walk && ctx[0]) mlpb_ctx_set_walk(ctx[0], -1);
    if (aonce && ctx[0] && ctx[1]) { /* never vs always, whatever the frame's rule would pick */
        mlpb_ctx_set_aonce(ctx[0], -1);
        mlpb_ctx_set_aonce(ctx[1], 1);
    }
    if (stream && ctx[0] && ctx[1]) {
        mlpb_ctx_set_stream(ctx[0], -1);
        mlpb_ctx_set_stream(ctx[1], 1);
    }
    /* per shape (batch b): A (b, k), B as W (NN, NT) or (b, n) (TN), C (b, n) or dW (k, n) */
    const ptrdiff_t ldb = tn ? n : tb == MLPB_N ? mlpb_mlp_ldw(n) : mlpb_mlp_ldw(k), ldc = tn ? mlpb_mlp_ldw(n) : n;
    const int mmax = tn || stream || dotq ? 60000 : 4096;
    const size_t brows = tn ? (size_t)mmax : tb == MLPB_N ? (size_t)k : (size_t)n;
    const size_t crows = tn ? (size_t)k : (size_t)mmax;
    /* 64-byte aligned, as the network's buffers are (mlp.c; mlpbench gemm likewise) */
    float *A = mlpb_alloc64(sizeof(float) * (size_t)mmax * (size_t)k);
    float *B = mlpb_alloc64(sizeof(float) * brows * (size_t)ldb);
    float *C[2] = { mlpb_alloc64(sizeof(float) * crows * (size_t)ldc), mlpb_alloc64(sizeof(float) * crows * (size_t)ldc) };
    double *t[2] = { malloc(sizeof(double) * (size_t)rounds), malloc(sizeof(double) * (size_t)rounds) };
    double *r = malloc(sizeof(double) * (size_t)rounds);
    const mlpb_vec_isa *vx = ctx[1] ? mlpb_ctx_vec(ctx[1]) : NULL;
    float *Bt = dotq ? mlpb_alloc64(sizeof(float) * (size_t)n * (size_t)k) : NULL;
    if (dotq && (!vx || !Bt)) {
        fprintf(stderr, "frame_ab: dotq needs a SIMD micro-kernel (%s has none) and memory\n", u->name);
        return 1;
    }
    if (!ctx[0] || !ctx[1] || !A || !B || !C[0] || !C[1] || !t[0] || !t[1] || !r) {
        fprintf(stderr, "frame_ab: out of memory\n");
        return 1;
    }
    for (size_t i = 0; i < (size_t)mmax * (size_t)k; i++) A[i] = (float)(i % 101) / 101.0f - 0.5f;
    for (size_t i = 0; i < brows * (size_t)ldb; i++) B[i] = (float)(i % 37) / 37.0f - 0.5f;
    const size_t nwipe = stream ? 2 * (size_t)(si.l3 > 0 ? si.l3 : 32L << 20) : 0;
    unsigned char *wipe = nwipe ? malloc(nwipe) : NULL;
    if (nwipe && !wipe) {
        fprintf(stderr, "frame_ab: out of memory\n");
        return 1;
    }
    if (wipe) memset(wipe, 1, nwipe);
    volatile unsigned wiped = 0; /* the sweeps' sum: observable, so they stay */
    char binding[160];
    mlpb_pin_threads(threads, binding, sizeof binding); /* as mlpbench does: one thread per core */
    printf("%s: micro-kernel %s, edge kernel %d rows, MC/KC/NC %d/%d/%d, %d thread(s) (%s), %d rounds, %s, split %s\n",
           feat, u->name, u->me, cfg.mc, cfg.kc, cfg.nc, threads, binding, rounds, op, sp);
    char *list = strdup(ms);
    for (char *tok = strtok(list, ","); tok; tok = strtok(NULL, ",")) {
        const int b = atoi(tok);
        if (b < 1 || b > mmax) { fprintf(stderr, "frame_ab: batch %s out of 1..%d\n", tok, mmax); return 2; }
        /* the GEMM's own m, n, k: TN is (k, b)^T-shaped, the batch its k */
        const int m = tn ? k : b, kk = tn ? b : k;
        const ptrdiff_t lda = k; /* (b, k) rows, dense */
#define RUN(v) (dotq && (v) == 0 ? old_dot(vx, m, n, kk, A, lda, B, ldb, C[0], ldc, Bt) \
                                   : mlpb_gemm(ctx[v], ta, tb, m, n, kk, 1.0f, A, lda, B, ldb, 0.0f, C[v], ldc, NULL))
        for (int v = 0; v < 2; v++) RUN(v);
        /* A, B in [-0.5, 0.5]: sum |a| |b| <= k / 4 */
        const double tol = 2.0 * (kk + 2) * FLT_EPSILON * kk / 4.0;
        for (int i = 0; i < m; i++) /* the same bits, but for dotq: within tol */
            for (int j = 0; j < n; j++) {
                const float c0 = C[0][(size_t)i * ldc + j], c1 = C[1][(size_t)i * ldc + j];
                if (dotq ? !(fabs((double)c0 - (double)c1) <= tol) : memcmp(&c0, &c1, sizeof c0) != 0) {
                    fprintf(stderr, "frame_ab: m=%d n=%d k=%d: with and without %s differ at (%d, %d)\n", m, n, kk,
                            feat, i, j);
                    return 1;
                }
            }
        double t0 = mlpb_now();
        RUN(0);
        const int it = stream ? 1 : (int)(0.005 / (mlpb_now() - t0 + 1e-9)) + 1;
        for (int q = 0; q < rounds; q++)
            for (int w = 0; w < 2; w++) {
                const int v = q % 2 ? 1 - w : w;
                if (wipe) { /* C out of the caches, clean lines in its place */
                    unsigned sum = 0;
                    for (size_t i = 0; i < nwipe; i += 64) sum += wipe[i];
                    wiped += sum;
                }
                t0 = mlpb_now();
                for (int i = 0; i < it; i++) RUN(v);
                t[v][q] = (mlpb_now() - t0) / it;
            }
        for (int q = 0; q < rounds; q++) r[q] = t[0][q] / t[1][q];
        qsort(t[0], (size_t)rounds, sizeof(double), mlpb_cmp_double);
        qsort(t[1], (size_t)rounds, sizeof(double), mlpb_cmp_double);
        qsort(r, (size_t)rounds, sizeof(double), mlpb_cmp_double);
        const double gf = 2.0 * m * n * kk * 1e-9;
        printf("m=%d n=%d k=%d: without %.1f GFLOP/s, with %.1f GFLOP/s (medians); without/with %.3f [%.3f %.3f]\n", m,
               n, kk, gf / t[0][rounds / 2], gf / t[1][rounds / 2], r[rounds / 2], r[rounds / 4], r[3 * rounds / 4]);
    }
#undef RUN
    free(Bt); free(wipe); free(list); free(A); free(B); free(C[0]); free(C[1]); free(t[0]); free(t[1]); free(r);
    mlpb_ctx_free(ctx[0]);
    mlpb_ctx_free(ctx[1]);
    return 0;
}
