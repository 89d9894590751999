// dot with oneTBB parallel_reduce (see kernels/dot.c; the sums are exact,
// so TBB's non-deterministic combining order still gives the serial sum).
#include "../kernels/loops.h"
#include "tbb_harness.h"
#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/parallel_reduce.h>

// Not inlined, as in kernels/dot.c.
__attribute__((noinline)) static double dot(const double *x, const double *y,
                                            long n) {
  return tbb::parallel_reduce(
      tbb::blocked_range<long>(0, n), 0.0,
      [=](const tbb::blocked_range<long> &r, double s) {
        for (long i = r.begin(); i < r.end(); i++)
          s += x[i] * y[i];
        return s;
      },
      [](double a, double b) { return a + b; });
}

int main(int argc, char **argv) {
  long n = bench_arg(argc, argv, 1, 100000000);
  long reps = bench_arg(argc, argv, 2, 4);
  double *x = (double *)malloc((size_t)n * sizeof *x);
  double *y = (double *)malloc((size_t)n * sizeof *y);
  if (n < 1 || reps < 1 || !x || !y)
    return 2;
  dot_fill(x, y, n);
  tbb_pool pool;
  double s = 0;
  pool.run([&] { s = dot(x, y, n); });
  bench_clock c;
  bench_start(&c);
  pool.run([&] { s = dot_repeat(x, y, n, reps, s, dot); });
  bench_stop(&c);
  return dot_finish(&c, s, x, y);
}
