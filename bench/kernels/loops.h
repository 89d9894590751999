/* stencil and dot: the data and checksums of the two parallel-for kernels,
 * shared by every variant. */
#ifndef BENCH_LOOPS_H
#define BENCH_LOOPS_H

#include "harness.h"
#include <string.h>

/* The grid's first contents: any values; the border never changes. */
static inline void stencil_fill(double *g, long n) {
  for (long i = 0; i < n * n; i++)
    g[i] = (double)((i * 7919) % 1000) / 1000.0;
}

/* One row of a Jacobi sweep: out = 0.2 * (centre + four neighbours).  Every
 * variant computes each cell with this expression, so every variant's grid
 * is the serial one bit for bit. */
static inline void stencil_row(double *out, const double *in, long n, long r) {
  const double *up = in + (r - 1) * n, *mid = in + r * n,
               *down = in + (r + 1) * n;
  double *o = out + r * n;
  for (long c = 1; c < n - 1; c++)
    o[c] = 0.2 * (mid[c] + mid[c - 1] + mid[c + 1] + up[c] + down[c]);
}

static inline uint64_t grid_checksum(const double *g, long n) {
  uint64_t s = 0;
  for (long i = 0; i < n * n; i++) {
    uint64_t bits;
    memcpy(&bits, &g[i], sizeof bits);
    s = bench_mix(s ^ bits);
  }
  return s;
}

/* Small integers, so that every product and every partial sum is exact in a
 * double (|sum| < 2^53 for n up to 10^14): any summation order, OpenMP's
 * and TBB's included, gives the serial sum exactly. */
static inline void dot_fill(double *x, double *y, long n) {
  for (long i = 0; i < n; i++) {
    x[i] = (double)(i % 7);
    y[i] = (double)(i % 11 - 5);
  }
}

#endif
