/*
 * nqueens(n), BOTS style: every candidate column of every row is a task that
 * copies the board (small tasks carrying data).
 *
 *   nqueens <n>    checksum: the number of solutions
 */
#include "nqueens.h"
#include "harness.h"
#include <string.h>

static long nqueens(int n, int j, const char *a) {
  if (j == n)
    return 1;
  long count[NQ_MAX];
  long *res = count; /* each task writes its own slot */
  for (int i = 0; i < n; i++) {
#pragma ws task firstprivate(i)
    {
      char b[NQ_MAX];
      memcpy(b, a, (size_t)j);
      b[j] = (char)i;
      res[i] = nq_ok(j + 1, b) ? nqueens(n, j + 1, b) : 0;
    }
  }
#pragma ws taskwait
  long s = 0;
  for (int i = 0; i < n; i++)
    s += count[i];
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
  int n = (int)bench_arg(argc, argv, 1, 12);
  if (n < 1 || n > NQ_MAX)
    return 2;
  char board[NQ_MAX] = {0};
  long r = 0;
  bench_clock c;
  BENCH_ROOT(warmup());
  bench_start(&c);
  BENCH_ROOT(r = nqueens(n, 0, board));
  bench_stop(&c);
  bench_result(&c, (uint64_t)r);
  if (bench_want_count())
    printf(" tasks=%" PRIu64, nq_count_tasks(n, 0, board));
  bench_end_line();
  return 0;
}
