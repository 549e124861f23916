/* membw_avx2.c - membw's passes with 256-bit loads and stores (compiled with
 * -mavx2 alone, CMakeLists.txt; called only after mlpb_isa_available("avx2")). */
#include <immintrin.h>

#include "membw_tmpl.h"

MEMBW_PASS(membw_pass_avx2, __m256, 8, _mm256_setzero_ps, _mm256_load_ps, _mm256_add_ps, _mm256_store_ps,
           _mm256_stream_ps, _mm256_set1_ps, _mm_sfence)
