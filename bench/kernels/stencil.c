/*
 * stencil: Jacobi sweeps of a five-point stencil over an n x n grid, one
 * `parallel for` over the rows per sweep (memory-bound, perfectly regular).
 *
 *   stencil <n> <sweeps>    checksum: hash of the final grid's bits
 */
#include "loops.h"

/* Not inlined, in every variant: a kernel is a function of its program.
 * Inlined into main, the serial build alone would learn from malloc that
 * `out` and `in` never alias and drop the vectoriser's overlap check and
 * half the loads; a loop body outlined by ws or by OpenMP can never know
 * that, so the comparison would measure the inlining, not the runtime. */
__attribute__((noinline)) static void sweep(double *out, const double *in,
                                            long n) {
#pragma ws parallel for
  for (long r = 1; r < n - 1; r++)
    stencil_row(out, in, n, r);
}

int main(int argc, char **argv) {
  long n = bench_arg(argc, argv, 1, 4096);
  long sweeps = bench_arg(argc, argv, 2, 10);
  size_t bytes = (size_t)(n * n) * sizeof(double);
  double *a = malloc(bytes), *b = malloc(bytes);
  if (n < 3 || sweeps < 1 || !a || !b)
    return 2;
  stencil_fill(a, n);
  memcpy(b, a, bytes);
  sweep(b, a, n); /* warm-up: starts the pool, faults every page in */
  memcpy(b, a, bytes);
  bench_clock c;
  bench_start(&c);
  stencil_sweeps(&a, &b, n, sweeps, sweep);
  bench_stop(&c);
  return stencil_finish(&c, a, b, n);
}
