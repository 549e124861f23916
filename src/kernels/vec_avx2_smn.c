/* vec_avx2_smn.c - the other half of vec_avx2.c: the template's part 1
 * (vec_inl.h, MLPB_VEC_PART), smallm_bn alone, as its own object so the two
 * halves compile side by side. Same ISA flags as vec_avx2.c (CMakeLists.txt). */
#define MLPB_VEC_PART 1
#include "kernels/vec_avx2.c"
