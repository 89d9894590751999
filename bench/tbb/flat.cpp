// flat with oneTBB task_group: n tasks run from one thread (see
// kernels/flat.c).
#include "../kernels/flat.h"
#include "tbb_harness.h"

int main(int argc, char **argv) {
  long n = bench_arg(argc, argv, 1, 10000000);
  uint32_t *out = (uint32_t *)calloc((size_t)n, sizeof *out);
  if (!out)
    return 2;
  bench_clock c;
  tbb_pool pool;
  pool.run([] {});
  bench_start(&c);
  pool.run([&] {
    tbb::task_group g;
    for (long i = 0; i < n; i++)
      g.run([=] { flat_work(out, i); });
    g.wait();
  });
  bench_stop(&c);
  bench_result(&c, flat_checksum(out, n));
  printf(" tasks=%ld", n);
  bench_end_line();
  free(out);
  return 0;
}
