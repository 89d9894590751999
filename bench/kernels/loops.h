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

typedef void (*stencil_sweep_fn)(double *out, const double *in, long n);

/* The timed part of the stencil: `sweeps` sweeps from *a into *b, the grids
 * swapped after each, so that *a holds the result. */
static inline void stencil_sweeps(double **a, double **b, long n, long sweeps,
                                  stencil_sweep_fn sweep) {
  for (long s = 0; s < sweeps; s++) {
    sweep(*b, *a, n);
    double *t = *a;
    *a = *b;
    *b = t;
  }
}

/* The end of a stencil program: the RESULT line, the grids freed. */
static inline int stencil_finish(const bench_clock *c, double *a, double *b,
                                 long n) {
  bench_result(c, grid_checksum(a, n));
  bench_end_line();
  free(a);
  free(b);
  return 0;
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

typedef double (*dot_fn)(const double *x, const double *y, long n);

/* The timed part of dot: `reps` products, each checked against the warm-up's
 * `s`; returns s, or -1 if any differed (the sums are exact: a difference is
 * a wrong result). */
static inline double dot_repeat(const double *x, const double *y, long n,
                                long reps, double s, dot_fn dot) {
  for (long r = 0; r < reps; r++) {
    bench_clobber(x); /* else the pure call is computed once */
    bench_clobber(y);
    if (dot(x, y, n) != s)
      s = -1.0;
  }
  return s;
}

/* The end of a dot program: the RESULT line, the vectors freed. */
static inline int dot_finish(const bench_clock *c, double s, double *x,
                             double *y) {
  bench_result(c, (uint64_t)(int64_t)s);
  bench_end_line();
  free(x);
  free(y);
  return 0;
}

#endif
