/*
 * UTS-style unbalanced tree search: one task per child (load balance under
 * irregularity).  tasks = nodes - 1.
 *
 *   uts <root_fanout> <max_depth> <seed>    checksum: the node count
 */
#include "uts.h"
#include "harness.h"

static int root_fanout, max_depth;

static long uts(uint64_t state, int depth) {
  int m = uts_num_children(state, depth, root_fanout, max_depth);
  long local[UTS_MAXCH];
  long *res = m <= UTS_MAXCH ? local : malloc((size_t)m * sizeof(long));
  for (int i = 0; i < m; i++) {
#pragma ws task firstprivate(i)
    res[i] = uts(uts_child(state, i), depth + 1);
  }
#pragma ws taskwait
  long s = 1;
  for (int i = 0; i < m; i++)
    s += res[i];
  if (res != local)
    free(res);
  return s;
}

static void warmup(void) {
  long x = 0;
#pragma ws task shared(x)
  x = 1;
#pragma ws taskwait
  (void)x;
}

int main(int argc, char **argv) {
  root_fanout = (int)bench_arg(argc, argv, 1, 500);
  max_depth = (int)bench_arg(argc, argv, 2, 12);
  uint64_t seed = (uint64_t)bench_arg(argc, argv, 3, 19);
  long r = 0;
  bench_clock c;
  BENCH_ROOT(warmup());
  bench_start(&c);
  BENCH_ROOT(r = uts(bench_mix(seed), 0));
  bench_stop(&c);
  bench_result(&c, (uint64_t)r);
  printf(" tasks=%ld", r - 1);
  bench_end_line();
  return 0;
}
