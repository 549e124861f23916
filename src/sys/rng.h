/* rng.h - the project's one random generator: xoshiro256** seeded through
 * splitmix64. Explicit state (no globals), so every stream is reproducible
 * and can be saved in a checkpoint. */
#ifndef MLPB_RNG_H
#define MLPB_RNG_H

#include <stdint.h>

typedef struct mlpb_rng { uint64_t s[4]; } mlpb_rng;

static inline uint64_t mlpb_splitmix64(uint64_t *x) {
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline void mlpb_rng_seed(mlpb_rng *r, uint64_t seed) {
    for (int i = 0; i < 4; i++) r->s[i] = mlpb_splitmix64(&seed);
}

static inline uint64_t mlpb_rng_next(mlpb_rng *r) {
    uint64_t *s = r->s;
    uint64_t x = s[1] * 5, result = ((x << 7) | (x >> 57)) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = (s[3] << 45) | (s[3] >> 19);
    return result;
}

/* uniform in [0,1) with 53 random bits */
static inline double mlpb_rng_uniform(mlpb_rng *r) {
    return (double)(mlpb_rng_next(r) >> 11) * 0x1.0p-53;
}

/* uniform integer in [0, n), n > 0, without modulo bias (Lemire) */
static inline uint64_t mlpb_rng_below(mlpb_rng *r, uint64_t n) {
    uint64_t x = mlpb_rng_next(r);
    unsigned __int128 m = (unsigned __int128)x * n;
    uint64_t l = (uint64_t)m;
    if (l < n) {
        uint64_t t = -n % n;
        while (l < t) { x = mlpb_rng_next(r); m = (unsigned __int128)x * n; l = (uint64_t)m; }
    }
    return (uint64_t)(m >> 64);
}

/* standard normal (Box-Muller, one value per call) */
double mlpb_rng_normal(mlpb_rng *r);

#endif
