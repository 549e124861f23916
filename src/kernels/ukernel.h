/* ukernel.h - declarations of the per-ISA micro-kernel descriptors. Each
 * lives in its own file compiled with its own flags; ukernel.c builds the
 * run-time table from the ones this build has. */
#ifndef MLPB_UKERNEL_H
#define MLPB_UKERNEL_H

#include "kernels/kernels.h"

extern const mlpb_ukr mlpb_ukr_scalar;
#ifdef MLPB_HAVE_AVX2
extern const mlpb_ukr mlpb_ukr_avx2;
#endif
#ifdef MLPB_HAVE_AVX512
extern const mlpb_ukr mlpb_ukr_avx512;
#endif

#endif
