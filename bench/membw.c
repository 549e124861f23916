/* membw.c - this machine's memory bandwidth: the ceiling of the GEMMs whose
 * operands come from DRAM (dW3 and bwd-W3 at batch 60000) or, with a buffer
 * that fits a core's L2, from L2 (batch 1's fwd-W1 and dW1). Passes over one
 * buffer, per thread count, as
 *   read    sum of every float (4 independent vector sums, in order)
 *   write   plain stores (each line read for ownership first)
 *   stream  non-temporal stores (no read; then a fence)
 * each timed ROUNDS times in turns (a timing repeats passes for >= 2 ms), the
 * median in GB/s (bytes the kernel asks for, not the read-for-ownership
 * traffic). Threads take contiguous equal slices of the buffer (SIZE is the
 * whole buffer: 2 threads at L2 size need twice one core's) and are pinned one
 * per core, as in mlpbench (sys/pin.h). The passes are one template
 * (membw_tmpl.h) with 128-, 256- or 512-bit vectors: the widest this CPU has,
 * or MLPB_ISA (avx512, avx2, scalar: SSE2; results/membw.txt predates the
 * choice: SSE2, as MLPB_ISA=scalar runs now). SIZE: MiB, KiB with a K suffix, or
 * ROWSxCOLS[:LD] floats, rows LD floats apart as the network lays out W; up
 * to 1 TiB. Below a few KiB a pass's closing reduction weighs on the read rate.
 *   build/membw [SIZE [ROUNDS [THREADS,...]]]     (defaults 512 11 1,2)
 *   build/membw 784x256:272 11 1                  (batch 1's W1 and dW1: 784 rows of 1 KiB)
 * Not a test: a measurement. */
#include "kernels/kernels.h"
#include "membw_tmpl.h"
#include "sys/pin.h"
#include "sys/sysinfo.h"
#include "sys/timer.h"

#include <emmintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

MEMBW_PASS(membw_pass_sse2, __m128, 4, _mm_setzero_ps, _mm_load_ps, _mm_add_ps, _mm_store_ps, _mm_stream_ps,
           _mm_set1_ps, _mm_sfence)

typedef void (*pass_fn)(int kind, float *x, size_t rows, size_t cols, size_t ld, long reps, float *sink);

typedef struct shape {
    size_t rows, cols, ld; /* floats; a plain buffer: rows of 64 floats, ld = cols */
    int plain;             /* SIZE named bytes (MiB, KiB), not rows */
} shape;

/* reps passes of kind w (0 read, 1 write, 2 stream) over shape b at x, on nt
 * threads, each a contiguous slice of rows; the seconds */
static double pass(pass_fn f, int w, float *x, shape b, int nt, long reps, float *sink) {
    const double t0 = mlpb_now();
    #pragma omp parallel num_threads(nt)
    {
        const int t = omp_get_thread_num();
        const size_t r0 = b.rows * (size_t)t / (size_t)nt, r1 = b.rows * (size_t)(t + 1) / (size_t)nt;
        if (b.ld == b.cols) /* dense: the slice is one row */
            f(w, x + r0 * b.ld, 1, (r1 - r0) * b.cols, b.ld, reps, sink + t * 16);
        else
            f(w, x + r0 * b.ld, r1 - r0, b.cols, b.ld, reps, sink + t * 16);
    }
    return mlpb_now() - t0;
}

#define MAX_BYTES ((size_t)1 << 40) /* 1 TiB: past it a size is a typo (and products could overflow) */

/* SIZE: MiB ("512", "2M"), KiB ("803K"), or ROWSxCOLS[:LD] floats ("784x256:272",
 * COLS a multiple of 64, LD of 16, LD >= COLS), at most MAX_BYTES allocated;
 * 0 if not a size */
static int parse_size(const char *s, shape *b) {
    char *end;
    const long v = strtol(s, &end, 10);
    if (end == s || v < 1 || (size_t)v > MAX_BYTES) return 0;
    if (*end == 'x') {
        const char *c = end + 1;
        const long cols = strtol(c, &end, 10);
        long ld = cols;
        if (end == c || cols < 64 || cols % 64) return 0;
        if (*end == ':') {
            c = end + 1;
            ld = strtol(c, &end, 10);
            if (end == c || ld < cols || ld % 16) return 0;
        }
        if (*end || (size_t)ld > MAX_BYTES / sizeof(float) / (size_t)v) return 0;
        *b = (shape){ (size_t)v, (size_t)cols, (size_t)ld, 0 };
        return 1;
    }
    size_t bytes;
    if (!strcmp(end, "") || !strcmp(end, "M")) bytes = (size_t)v << 20;
    else if (!strcmp(end, "K")) bytes = (size_t)v << 10;
    else return 0;
    if (bytes > MAX_BYTES) return 0;
    *b = (shape){ bytes / (64 * sizeof(float)), 64, 64, 1 };
    return b->rows > 0;
}

int main(int argc, char **argv) {
    const char *size_arg = argc > 1 ? argv[1] : "512";
    shape b;
    const int sized = parse_size(size_arg, &b);
    const int rounds = argc > 2 ? atoi(argv[2]) : 11;
    const char *ts = argc > 3 ? argv[3] : "1,2";
    if (!sized) {
        fprintf(stderr, "membw: SIZE '%s': not MiB (512), KiB with K (803K), or ROWSxCOLS[:LD] floats with COLS "
                        "a multiple of 64 and LD of 16 (784x256:272), up to 1 TiB; usage: membw [SIZE [ROUNDS "
                        "[THREADS,...]]]\n", size_arg);
        return 2;
    }
    if (rounds < 1) {
        fprintf(stderr, "membw: ROUNDS '%s': not a count >= 1\n", argv[2]);
        return 2;
    }
    int nts[64], ntc = 0; /* every thread count checked before anything is allocated or timed */
    for (const char *p = ts;;) {
        char *e;
        const long nt = strtol(p, &e, 10);
        if (e == p || (*e && *e != ',') || nt < 1 || nt > 64 || ntc == 64) {
            fprintf(stderr, "membw: THREADS '%s': not a comma list of up to 64 counts in 1..64\n", ts);
            return 2;
        }
        if (b.rows < (size_t)nt) {
            fprintf(stderr, "membw: buffer %s too small for %ld threads (a row, or 256 bytes, each at least)\n",
                    size_arg, nt);
            return 2;
        }
        nts[ntc++] = (int)nt;
        if (!*e) break;
        p = e + 1;
    }
    /* the widest vectors this CPU has, or MLPB_ISA's: the first entry it names that the CPU has */
    static const struct { const char *isa, *vec; pass_fn f; } passes[] = {
        { "avx512", "avx512", membw_pass_avx512 }, { "avx2", "avx2", membw_pass_avx2 },
        { "scalar", "sse2", membw_pass_sse2 } };
    const char *want = getenv("MLPB_ISA");
    if (!want || !*want) want = "auto";
    int pi = -1, named = !strcmp(want, "auto");
    for (int i = 0; i < 3 && pi < 0; i++) {
        named |= !strcmp(want, passes[i].isa);
        if ((!strcmp(want, "auto") || !strcmp(want, passes[i].isa)) && mlpb_isa_available(passes[i].isa)) pi = i;
    }
    if (pi < 0) {
        fprintf(stderr, named ? "membw: MLPB_ISA=%s: this CPU does not have it\n"
                              : "membw: MLPB_ISA=%s: not one of auto, avx512, avx2, scalar\n", want);
        return 2;
    }
    const pass_fn f = passes[pi].f;
    const char *isa = passes[pi].vec;
    const size_t n = b.rows * b.cols; /* floats a pass reads or writes */
    const size_t span = b.rows * b.ld * sizeof(float); /* bytes allocated: the rows with their strides */
    float *x = mlpb_alloc64(span);
    float *sink = calloc(64 * 16, sizeof(float));
    double *t[3] = { malloc(sizeof(double) * (size_t)rounds), malloc(sizeof(double) * (size_t)rounds),
                     malloc(sizeof(double) * (size_t)rounds) };
    if (!x || !sink || !t[0] || !t[1] || !t[2]) {
        fprintf(stderr, "membw: out of memory for a %s buffer\n", size_arg);
        free(x); free(sink); free(t[0]); free(t[1]); free(t[2]);
        return 1;
    }
    memset(x, 0, span); /* the pages exist before any timing */
    mlpb_sysinfo si;
    mlpb_sysinfo_read(&si);
    static const char *const kind[3] = { "read", "write", "stream" };
    const size_t nb = n * sizeof(float);
    if (b.plain && nb % (1u << 20) == 0)
        printf("buffer %zu MiB", nb >> 20);
    else if (b.plain)
        printf("buffer %zu bytes (%zu KiB)", nb, nb / 1024);
    else
        printf("buffer %zu x %zu floats (%zu bytes), rows %zu bytes apart", b.rows, b.cols, nb,
               b.ld * sizeof(float));
    printf(", %s vectors, %d rounds, median GB/s (10^9 bytes the kernel reads or writes); caches L1d %ld KiB, "
           "L2 %ld KiB, L3 %ld KiB (%s)\n", isa, rounds, si.l1d / 1024, si.l2 / 1024, si.l3 / 1024, si.cache_src);
    for (int ti = 0; ti < ntc; ti++) {
        const int nt = nts[ti];
        char binding[160];
        mlpb_pin_threads(nt, binding, sizeof binding);
        long reps = 1; /* passes per timing: >= 2 ms (a parallel region costs microseconds) */
        while (pass(f, 0, x, b, nt, reps, sink) < 2e-3 && reps < (1L << 24)) reps *= 2;
        for (int q = 0; q < rounds; q++)
            for (int i = 0; i < 3; i++) {
                const int w = q % 2 ? 2 - i : i; /* every other round in reverse order */
                t[w][q] = pass(f, w, x, b, nt, reps, sink);
            }
        printf("threads %d (%s, %ld passes a timing):", nt, binding, reps);
        for (int w = 0; w < 3; w++) {
            qsort(t[w], (size_t)rounds, sizeof(double), mlpb_cmp_double);
            printf("  %s %.1f", kind[w], (double)n * sizeof(float) * (double)reps / t[w][rounds / 2] * 1e-9);
        }
        printf("\n");
    }
    free(x); free(sink); free(t[0]); free(t[1]); free(t[2]);
    return 0;
}
