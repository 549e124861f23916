/* membw_tmpl.h - the bandwidth passes of membw.c, one template for every ISA
 * (membw.c: SSE2; membw_avx2.c, membw_avx512.c: their own compile flags).
 * MEMBW_PASS(NAME, VEC, W, ZERO, LOAD, ADD, STORE, STREAM, SET1, FENCE)
 * defines
 *   void NAME(int kind, float *x, size_t rows, size_t cols, size_t ld, long reps, float *sink)
 * doing reps passes over the rows x cols floats at x, rows ld floats apart
 * (cols a multiple of 4 W and ld of 16, x 64-byte aligned), W floats a vector,
 * row after row:
 *   kind 0  read: four independent vector sums, in order; the sum added to *sink
 *   kind 1  write: plain stores of one value
 *   kind 2  stream: non-temporal stores, then FENCE
 * Each pass ends with a compiler barrier, so passes are not merged or dropped.
 * Not here: timing, threads, the choice of ISA (membw.c). */
#ifndef MLPB_MEMBW_TMPL_H
#define MLPB_MEMBW_TMPL_H

#include <stddef.h>

#define MEMBW_PASS(NAME, VEC, W, ZERO, LOAD, ADD, STORE, STREAM, SET1, FENCE)             \
    void NAME(int kind, float *x, size_t rows, size_t cols, size_t ld, long reps, float *sink) { \
        for (long r = 0; r < reps; r++) {                                                   \
            if (kind == 0) {                                                                \
                VEC s0 = ZERO(), s1 = s0, s2 = s0, s3 = s0;                                 \
                for (size_t q = 0; q < rows; q++) {                                         \
                    const float *p = x + q * ld;                                            \
                    for (size_t i = 0; i < cols; i += 4 * (W)) {                            \
                        s0 = ADD(s0, LOAD(p + i));                                          \
                        s1 = ADD(s1, LOAD(p + i + (W)));                                    \
                        s2 = ADD(s2, LOAD(p + i + 2 * (W)));                                \
                        s3 = ADD(s3, LOAD(p + i + 3 * (W)));                                \
                    }                                                                       \
                }                                                                           \
                _Alignas(64) float o[W];                                                    \
                STORE(o, ADD(ADD(s0, s1), ADD(s2, s3)));                                    \
                for (int j = 0; j < (W); j++) *sink += o[j];                                \
            } else {                                                                        \
                const VEC v = SET1((float)kind);                                            \
                for (size_t q = 0; q < rows; q++) {                                         \
                    float *p = x + q * ld;                                                  \
                    if (kind == 1)                                                          \
                        for (size_t i = 0; i < cols; i += (W)) STORE(p + i, v);             \
                    else                                                                    \
                        for (size_t i = 0; i < cols; i += (W)) STREAM(p + i, v);            \
                }                                                                           \
            }                                                                               \
            __asm__ volatile("" : : "r"(x) : "memory");                                     \
        }                                                                                   \
        if (kind == 2) FENCE();                                                             \
    }

/* the instances (membw.c picks one at run time) */
void membw_pass_sse2(int kind, float *x, size_t rows, size_t cols, size_t ld, long reps, float *sink);
void membw_pass_avx2(int kind, float *x, size_t rows, size_t cols, size_t ld, long reps, float *sink);
void membw_pass_avx512(int kind, float *x, size_t rows, size_t cols, size_t ld, long reps, float *sink);

#endif
