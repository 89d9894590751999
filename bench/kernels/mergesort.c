/*
 * Mergesort of n ints with a cut-off of 2048 (coarse, memory-bound tasks):
 * the two halves are sorted by two tasks, then merged by a divide-and-conquer
 * merge whose halves are tasks too (split at the middle of the longer run,
 * binary search in the other).
 *
 *   mergesort <n> <seed>    checksum: order-sensitive hash of the result
 */
#include "mergesort.h"
#include "harness.h"
#include <string.h>

/* Merges a[0..na) and b[0..nb) into dst. */
static void pmerge(const int *a, size_t na, const int *b, size_t nb, int *dst) {
  if (na + nb <= MS_CUTOFF) {
    ms_seqmerge(a, na, b, nb, dst);
    return;
  }
  ms_split s = ms_split_merge(a, na, b, nb);
#pragma ws task
  pmerge(s.a, s.ma, s.b, s.mb, dst);
#pragma ws task
  pmerge(s.a + s.ma, s.na - s.ma, s.b + s.mb, s.nb - s.mb, dst + s.ma + s.mb);
#pragma ws taskwait
}

/* Sorts a[0..n) using tmp[0..n) as scratch. */
static void psort(int *a, int *tmp, size_t n) {
  if (n <= MS_CUTOFF) {
    ms_seqsort(a, n);
    return;
  }
  size_t h = n / 2;
#pragma ws task
  psort(a, tmp, h);
#pragma ws task
  psort(a + h, tmp + h, n - h);
#pragma ws taskwait
#pragma ws task
  pmerge(a, h, a + h, n - h, tmp);
#pragma ws taskwait
  memcpy(a, tmp, n * sizeof(int));
}

static uint64_t count_sort_tasks(int *a, int *tmp, size_t n) {
  if (n <= MS_CUTOFF) {
    ms_seqsort(a, n);
    return 0;
  }
  size_t h = n / 2;
  uint64_t t =
      3 + count_sort_tasks(a, tmp, h) + count_sort_tasks(a + h, tmp + h, n - h);
  t += ms_count_merge(a, h, a + h, n - h);
  ms_seqmerge(a, h, a + h, n - h, tmp);
  memcpy(a, tmp, n * sizeof(int));
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
  size_t n = (size_t)bench_arg(argc, argv, 1, 32l << 20);
  uint64_t seed = (uint64_t)bench_arg(argc, argv, 2, 7);
  int *a = malloc(n * sizeof(int)), *tmp = malloc(n * sizeof(int));
  if (!a || !tmp)
    return 2;
  ms_fill(a, n, seed);
  memset(tmp, 0, n * sizeof(int)); /* fault the pages in before timing */
  bench_clock c;
  BENCH_ROOT(warmup());
  bench_start(&c);
  BENCH_ROOT(psort(a, tmp, n));
  bench_stop(&c);
  bench_result(&c, ms_checksum(a, n));
  if (bench_want_count()) {
    ms_fill(a, n, seed);
    printf(" tasks=%" PRIu64, count_sort_tasks(a, tmp, n));
  }
  bench_end_line();
  free(a);
  free(tmp);
  return 0;
}
