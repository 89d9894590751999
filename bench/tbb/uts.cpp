// UTS-style tree with oneTBB task_group (see kernels/uts.c).
#include "../kernels/uts.h"
#include "tbb_harness.h"

static int root_fanout, max_depth;

static long uts(uint64_t state, int depth) {
  int m = uts_num_children(state, depth, root_fanout, max_depth);
  long local[UTS_MAXCH];
  long *res = m <= UTS_MAXCH ? local : (long *)malloc((size_t)m * sizeof(long));
  tbb::task_group g;
  for (int i = 0; i < m; i++)
    g.run([=] { res[i] = uts(uts_child(state, i), depth + 1); });
  g.wait();
  long s = 1;
  for (int i = 0; i < m; i++)
    s += res[i];
  if (res != local)
    free(res);
  return s;
}

int main(int argc, char **argv) {
  root_fanout = (int)bench_arg(argc, argv, 1, 500);
  max_depth = (int)bench_arg(argc, argv, 2, 12);
  uint64_t seed = (uint64_t)bench_arg(argc, argv, 3, 19);
  long r = 0;
  bench_clock c;
  tbb_pool pool;
  pool.run([] {});
  bench_start(&c);
  pool.run([&] { r = uts(bench_mix(seed), 0); });
  bench_stop(&c);
  bench_result(&c, (uint64_t)r);
  printf(" tasks=%ld", r - 1);
  bench_end_line();
  return 0;
}
