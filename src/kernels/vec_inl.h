/* vec_inl.h - scalar element functions shared by the frame and vec.c, so
 * fused and unfused paths compute the same bits. */
#ifndef MLPB_VEC_INL_H
#define MLPB_VEC_INL_H

#include <math.h>

static inline float mlpb_sigmoidf(float z) { return 1.0f / (1.0f + expf(-z)); } /* (2)(4) */

#endif
