/*
 * dot: the dot product of two vectors of n doubles, `reps` times, one
 * `parallel for` with a `+` reduction each (memory-bound).
 *
 *   dot <n> <reps>    checksum: the sum of the products (exact, see loops.h)
 */
#include "loops.h"

/* Not inlined, for the reason given in stencil.c. */
__attribute__((noinline)) static double dot(const double *x, const double *y,
                                            long n) {
  double s = 0.0;
#pragma ws parallel for reduction(+ : s)
  for (long i = 0; i < n; i++)
    s += x[i] * y[i];
  return s;
}

int main(int argc, char **argv) {
  long n = bench_arg(argc, argv, 1, 100000000);
  long reps = bench_arg(argc, argv, 2, 4);
  double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
  if (n < 1 || reps < 1 || !x || !y)
    return 2;
  dot_fill(x, y, n);
  double s = dot(x, y, n); /* warm-up: starts the pool */
  bench_clock c;
  bench_start(&c);
  s = dot_repeat(x, y, n, reps, s, dot);
  bench_stop(&c);
  return dot_finish(&c, s, x, y);
}
