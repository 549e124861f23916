/* membw_avx512.c - membw's passes with 512-bit loads and stores (compiled with
 * -mavx512f alone, CMakeLists.txt; called only after mlpb_isa_available("avx512")). */
#include <immintrin.h>

#include "membw_tmpl.h"

MEMBW_PASS(membw_pass_avx512, __m512, 16, _mm512_setzero_ps, _mm512_load_ps, _mm512_add_ps, _mm512_store_ps,
           _mm512_stream_ps, _mm512_set1_ps, _mm_sfence)
