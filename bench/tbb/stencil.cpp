// stencil with oneTBB parallel_for over the rows (see kernels/stencil.c).
#include "../kernels/loops.h"
#include "tbb_harness.h"
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_for.h>

// Not inlined, as in kernels/stencil.c.
__attribute__((noinline)) static void sweep(double *out, const double *in,
                                            long n) {
  tbb::parallel_for(tbb::blocked_range<long>(1, n - 1),
                    [=](const tbb::blocked_range<long> &r) {
                      for (long i = r.begin(); i < r.end(); i++)
                        stencil_row(out, in, n, i);
                    });
}

int main(int argc, char **argv) {
  long n = bench_arg(argc, argv, 1, 4096);
  long sweeps = bench_arg(argc, argv, 2, 10);
  size_t bytes = (size_t)(n * n) * sizeof(double);
  double *a = (double *)malloc(bytes), *b = (double *)malloc(bytes);
  if (n < 3 || sweeps < 1 || !a || !b)
    return 2;
  stencil_fill(a, n);
  memcpy(b, a, bytes);
  tbb_pool pool;
  pool.run([&] { sweep(b, a, n); });
  memcpy(b, a, bytes);
  bench_clock c;
  bench_start(&c);
  pool.run([&] { stencil_sweeps(&a, &b, n, sweeps, sweep); });
  bench_stop(&c);
  return stencil_finish(&c, a, b, n);
}
