// nqueens(n) with oneTBB task_group (see kernels/nqueens.c).
#include "../kernels/nqueens.h"
#include "tbb_harness.h"
#include <cstring>

static long nqueens(int n, int j, const char *a) {
  if (j == n)
    return 1;
  long count[NQ_MAX];
  tbb::task_group g;
  for (int i = 0; i < n; i++) {
    g.run([=, &count] {
      char b[NQ_MAX];
      memcpy(b, a, (size_t)j);
      b[j] = (char)i;
      count[i] = nq_ok(j + 1, b) ? nqueens(n, j + 1, b) : 0;
    });
  }
  g.wait();
  long s = 0;
  for (int i = 0; i < n; i++)
    s += count[i];
  return s;
}

int main(int argc, char **argv) {
  int n = (int)bench_arg(argc, argv, 1, 12);
  if (n < 1 || n > NQ_MAX)
    return 2;
  char board[NQ_MAX] = {0};
  long r = 0;
  bench_clock c;
  tbb_pool pool;
  pool.run([] {});
  bench_start(&c);
  pool.run([&] { r = nqueens(n, 0, board); });
  bench_stop(&c);
  bench_result(&c, (uint64_t)r);
  bench_end_line();
  return 0;
}
