/* flat: the work of one tiny task (a few hash rounds, ~20 ns), shared by
 * every variant.  Each task writes its own slot of `out`. */
#ifndef BENCH_FLAT_H
#define BENCH_FLAT_H

#include "harness.h"

#define FLAT_ROUNDS 6

static inline void flat_work(uint32_t *out, long i) {
  uint64_t h = (uint64_t)i;
  for (int r = 0; r < FLAT_ROUNDS; r++)
    h = bench_mix(h);
  out[i] = (uint32_t)h;
}

static inline uint64_t flat_checksum(const uint32_t *out, long n) {
  uint64_t s = 0;
  for (long i = 0; i < n; i++)
    s = s * 31 + out[i];
  return s;
}

#endif
