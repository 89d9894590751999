/* mergesort helpers shared by every variant: the sequential leaves (a
 * quicksort below the cut-off, a plain merge) and the input/checksum. */
#ifndef BENCH_MERGESORT_H
#define BENCH_MERGESORT_H

#include "harness.h"
#include <stddef.h>
#include <stdint.h>

#define MS_CUTOFF 2048

static inline void ms_insertion(int *a, size_t n) {
  for (size_t i = 1; i < n; i++) {
    int v = a[i];
    size_t j = i;
    while (j > 0 && a[j - 1] > v) {
      a[j] = a[j - 1];
      j--;
    }
    a[j] = v;
  }
}

/* Sequential quicksort (median of three, insertion below 16). */
static inline void ms_seqsort(int *a, size_t n) {
  while (n > 16) {
    int x = a[0], y = a[n / 2], z = a[n - 1];
    int p =
        x < y ? (y < z ? y : (x < z ? z : x)) : (x < z ? x : (y < z ? z : y));
    size_t i = 0, j = n - 1;
    for (;;) {
      while (a[i] < p)
        i++;
      while (a[j] > p)
        j--;
      if (i >= j)
        break;
      int t = a[i];
      a[i] = a[j];
      a[j] = t;
      i++;
      j--;
    }
    /* Recurse into the smaller part, loop on the larger. */
    if (j + 1 < n - j - 1) {
      ms_seqsort(a, j + 1);
      a += j + 1;
      n -= j + 1;
    } else {
      ms_seqsort(a + j + 1, n - j - 1);
      n = j + 1;
    }
  }
  ms_insertion(a, n);
}

static inline void ms_seqmerge(const int *a, size_t na, const int *b, size_t nb,
                               int *dst) {
  size_t i = 0, j = 0, k = 0;
  while (i < na && j < nb)
    dst[k++] = b[j] < a[i] ? b[j++] : a[i++];
  while (i < na)
    dst[k++] = a[i++];
  while (j < nb)
    dst[k++] = b[j++];
}

/* First index in b[0..nb) whose element is >= v. */
static inline size_t ms_lower_bound(const int *b, size_t nb, int v) {
  size_t lo = 0, hi = nb;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (b[mid] < v)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo;
}

static inline void ms_fill(int *a, size_t n, uint64_t seed) {
  for (size_t i = 0; i < n; i++)
    a[i] = (int)(bench_mix(seed + i) >> 33);
}

/* Order-sensitive checksum; all ones if the array is not sorted. */
static inline uint64_t ms_checksum(const int *a, size_t n) {
  uint64_t h = 0;
  for (size_t i = 0; i < n; i++) {
    if (i > 0 && a[i - 1] > a[i])
      return ~(uint64_t)0;
    h = h * 0x100000001b3ull + (uint64_t)a[i];
  }
  return h;
}

/* How a merge of a[0..na) and b[0..nb) splits in two: the longer run is cut
 * at its middle, the other at the lower bound of that element, so the left
 * halves (a[0..ma), b[0..mb)) and the right halves merge independently.
 * Every variant (and the task count below) splits the same way. */
typedef struct ms_split {
  const int *a, *b; /* a is the longer run */
  size_t na, nb, ma, mb;
} ms_split;

static inline ms_split ms_split_merge(const int *a, size_t na, const int *b,
                                      size_t nb) {
  ms_split s = {a, b, na, nb, 0, 0};
  if (na < nb) {
    s.a = b;
    s.b = a;
    s.na = nb;
    s.nb = na;
  }
  s.ma = s.na / 2;
  s.mb = ms_lower_bound(s.b, s.nb, s.a[s.ma]);
  return s;
}

/* Tasks of the parallel form: sort(n) spawns 2 sorts and 1 merge above the
 * cut-off; merge(n) spawns 2 merges above it (halves by binary search, so
 * the count depends on the data: counted by replaying the splits). */
static inline uint64_t ms_count_merge(const int *a, size_t na, const int *b,
                                      size_t nb) {
  if (na + nb <= MS_CUTOFF)
    return 0;
  ms_split s = ms_split_merge(a, na, b, nb);
  return 2 + ms_count_merge(s.a, s.ma, s.b, s.mb) +
         ms_count_merge(s.a + s.ma, s.na - s.ma, s.b + s.mb, s.nb - s.mb);
}

#endif
