// fib(n) with oneTBB task_group (see kernels/fib.c).
#include "tbb_harness.h"

static long fib(int n) {
  if (n < 2)
    return n;
  long x, y;
  tbb::task_group g;
  g.run([&] { x = fib(n - 1); });
  g.run([&] { y = fib(n - 2); });
  g.wait();
  return x + y;
}

int main(int argc, char **argv) {
  int n = (int)bench_arg(argc, argv, 1, 30);
  long r = 0;
  bench_clock c;
  tbb_pool pool;
  pool.run([] {});
  bench_start(&c);
  pool.run([&] { r = fib(n); });
  bench_stop(&c);
  bench_result(&c, (uint64_t)r);
  uint64_t a = 0, b = 1;
  for (int i = 0; i < n + 1; i++) {
    uint64_t t = a + b;
    a = b;
    b = t;
  }
  printf(" tasks=%" PRIu64, 2 * (a - 1));
  bench_end_line();
  return 0;
}
