/* nqueens helpers shared by every variant (BOTS-style: one task per
 * candidate column, each with its own copy of the board). */
#ifndef BENCH_NQUEENS_H
#define BENCH_NQUEENS_H

#include <stdint.h>

#define NQ_MAX 20

/* Can the queen in row j-1 (column a[j-1]) stay with rows 0..j-2? */
static inline int nq_ok(int j, const char *a) {
  for (int i = 0; i < j - 1; i++) {
    int p = a[i], q = a[j - 1];
    if (p == q || p - q == (j - 1) - i || q - p == (j - 1) - i)
      return 0;
  }
  return 1;
}

/* Tasks the parallel form spawns: n per call that is not at full depth. */
static inline uint64_t nq_count_tasks(int n, int j, char *a) {
  if (j == n)
    return 0;
  uint64_t t = 0;
  for (int i = 0; i < n; i++) {
    t++;
    a[j] = (char)i;
    if (nq_ok(j + 1, a))
      t += nq_count_tasks(n, j + 1, a);
  }
  return t;
}

#endif
