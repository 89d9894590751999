// Mergesort with oneTBB task_group (see kernels/mergesort.c).
#include "../kernels/mergesort.h"
#include "tbb_harness.h"
#include <cstring>

static void pmerge(const int *a, size_t na, const int *b, size_t nb, int *dst) {
  if (na + nb <= MS_CUTOFF) {
    ms_seqmerge(a, na, b, nb, dst);
    return;
  }
  ms_split s = ms_split_merge(a, na, b, nb);
  tbb::task_group g;
  g.run([=] { pmerge(s.a, s.ma, s.b, s.mb, dst); });
  g.run([=] {
    pmerge(s.a + s.ma, s.na - s.ma, s.b + s.mb, s.nb - s.mb, dst + s.ma + s.mb);
  });
  g.wait();
}

static void psort(int *a, int *tmp, size_t n) {
  if (n <= MS_CUTOFF) {
    ms_seqsort(a, n);
    return;
  }
  size_t h = n / 2;
  tbb::task_group g;
  g.run([=] { psort(a, tmp, h); });
  g.run([=] { psort(a + h, tmp + h, n - h); });
  g.wait();
  g.run([=] { pmerge(a, h, a + h, n - h, tmp); });
  g.wait();
  memcpy(a, tmp, n * sizeof(int));
}

int main(int argc, char **argv) {
  size_t n = (size_t)bench_arg(argc, argv, 1, 32l << 20);
  uint64_t seed = (uint64_t)bench_arg(argc, argv, 2, 7);
  int *a = (int *)malloc(n * sizeof(int)),
      *tmp = (int *)malloc(n * sizeof(int));
  if (!a || !tmp)
    return 2;
  ms_fill(a, n, seed);
  memset(tmp, 0, n * sizeof(int));
  bench_clock c;
  tbb_pool pool;
  pool.run([] {});
  bench_start(&c);
  pool.run([&] { psort(a, tmp, n); });
  bench_stop(&c);
  bench_result(&c, ms_checksum(a, n));
  bench_end_line();
  free(a);
  free(tmp);
  return 0;
}
