/* rng.c - non-inline parts of the generator (see rng.h). */
#include "sys/rng.h"

#include <math.h>

double mlpb_rng_normal(mlpb_rng *r) {
    double u1 = mlpb_rng_uniform(r), u2 = mlpb_rng_uniform(r);
    if (u1 < 1e-300) u1 = 1e-300;
    return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}
