/* ukr_shapes_tmpl.h - the loop of a packed-panel micro-kernel, one body for
 * every register shape ukr_shapes.c compares, included by ukr_shapes_<isa>.c
 * (compiled with its ISA's flags) after it names the vector operations:
 *   V VL VZERO() VSET1(x) VLOAD(p) VSTORE(p, v) VFMA(a, b, c)
 * SHAPE_KER(NAME, R, NV): C (R x NV VL, rows ldc apart) = Ap^T Bp over kc
 * steps, Ap packed R floats a step, Bp NV VL floats a step; per step NV loads
 * of B, R broadcasts of A, R NV FMAs into R NV accumulators (beta = 0). The
 * table's kernels (src/kernels/ukernel_tmpl.h) run this loop too, with
 * prefetches of A and C and an alpha/beta epilogue; here the loop alone, so
 * that shapes differ only in R and NV (gcc 12 keeps every shape's
 * accumulators in registers: no stack access in their loops, objdump of
 * ukr_shapes_<isa>.c.o).
 * Not here: timing, checking (ukr_shapes.c). */
#ifndef MLPB_UKR_SHAPES_TMPL_H
#define MLPB_UKR_SHAPES_TMPL_H

#include <stddef.h>

#define SHAPE_UNROLL _Pragma("GCC unroll 64")

/* 1 in the build test_bench_tools.sh runs to see the check fail (every
 * shape drops its last k step: ukr_shapes_mutant, CMakeLists.txt); else 0 */
#ifdef UKR_SHAPES_MUTANT
#define SHAPE_MUTANT 1
#else
#define SHAPE_MUTANT 0
#endif

#define SHAPE_KER(NAME, R, NV)                                                                     \
    static void NAME(int kc, const float *restrict a, const float *restrict b, float *restrict c, \
                     ptrdiff_t ldc) {                                                              \
        V acc[(R) * (NV)];                                                                         \
        SHAPE_UNROLL for (int x = 0; x < (R) * (NV); x++) acc[x] = VZERO();                        \
        for (int p = 0; p < kc - SHAPE_MUTANT; p++) {                                              \
            V bv[NV];                                                                              \
            SHAPE_UNROLL for (int v = 0; v < (NV); v++) bv[v] = VLOAD(b + v * VL);                 \
            SHAPE_UNROLL for (int r = 0; r < (R); r++) {                                           \
                const V ar = VSET1(a[r]); /* one broadcast live at a time */                       \
                SHAPE_UNROLL for (int v = 0; v < (NV); v++) acc[r * (NV) + v] = VFMA(ar, bv[v], acc[r * (NV) + v]); \
            }                                                                                      \
            a += (R);                                                                              \
            b += (NV) * VL;                                                                        \
        }                                                                                          \
        SHAPE_UNROLL for (int r = 0; r < (R); r++)                                                 \
            SHAPE_UNROLL for (int v = 0; v < (NV); v++) VSTORE(c + r * ldc + v * VL, acc[r * (NV) + v]); \
    }

/* one shape of the table: name "RxNR", rows, columns, the kernel */
typedef struct ukr_shape {
    const char *name;
    int r, nr;
    void (*fn)(int kc, const float *a, const float *b, float *c, ptrdiff_t ldc);
} ukr_shape;

#endif /* MLPB_UKR_SHAPES_TMPL_H */
