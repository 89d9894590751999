/*
 * nqueens(n) in Lace's shape: the comparison with Lace's own
 * benchmarks/queens/queens-lace.c (built from LACE_SRC as the `lace`
 * variant).  It differs from kernels/nqueens.c (BOTS style) in three ways,
 * all Lace's: the PARENT copies the board for each candidate column (on its
 * own stack, alive until the wait), checks the whole board there and spawns
 * only the placements that are safe, and the safety check compares every
 * pair of queens, not just the newest one against the others.  So there are
 * fewer, larger tasks than in nqueens: one per safe partial placement.
 *
 *   lacequeens <n>    checksum: the number of solutions
 */
#include "harness.h"
#include <alloca.h>
#include <string.h>

#define LQ_MAX 20

/* 1 if no two of the queens a[0..j-1] (a[r] = column of row r) attack each
 * other. */
static int lq_safe(int j, const char *a) {
  for (int r = 0; r < j; r++)
    for (int s = r + 1; s < j; s++) {
      int d = s - r;
      if (a[s] == a[r] || a[s] == a[r] - d || a[s] == a[r] + d)
        return 0;
    }
  return 1;
}

static long queens(int n, int j, const char *a) {
  if (j == n)
    return 1;
  long found[LQ_MAX];
  long *slot = found; /* task k writes slot[k] */
  int k = 0;
  for (int i = 0; i < n; i++) {
    /* A fresh board per candidate, in the caller's frame: it must outlive
     * the task that reads it, i.e. last until the taskwait. */
    char *b = alloca((size_t)j + 1);
    memcpy(b, a, (size_t)j);
    b[j] = (char)i;
    if (lq_safe(j + 1, b)) {
#pragma ws task firstprivate(b, k)
      slot[k] = queens(n, j + 1, b);
      k++;
    }
  }
#pragma ws taskwait
  long s = 0;
  for (int t = 0; t < k; t++)
    s += found[t];
  return s;
}

/* Tasks the parallel form spawns: one per safe placement below the root. */
static uint64_t lq_count_tasks(int n, int j, char *a) {
  if (j == n)
    return 0;
  uint64_t t = 0;
  for (int i = 0; i < n; i++) {
    a[j] = (char)i;
    if (lq_safe(j + 1, a))
      t += 1 + lq_count_tasks(n, j + 1, a);
  }
  return t;
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
  if (n < 1 || n > LQ_MAX)
    return 2;
  char board[LQ_MAX] = {0};
  long r = 0;
  bench_clock c;
  BENCH_ROOT(warmup());
  bench_start(&c);
  BENCH_ROOT(r = queens(n, 0, board));
  bench_stop(&c);
  bench_result(&c, (uint64_t)r);
  if (bench_want_count())
    printf(" tasks=%" PRIu64, lq_count_tasks(n, 0, board));
  bench_end_line();
  return 0;
}
