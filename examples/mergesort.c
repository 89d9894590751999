/* mergesort: sort with the two halves as parallel tasks.
 *   wscc -O2 mergesort.c -o mergesort && ./mergesort 2000000
 * Checks itself against qsort. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CUTOFF 4096

static int cmp_int(const void *a, const void *b) {
  int x = *(const int *)a, y = *(const int *)b;
  return (x > y) - (x < y);
}

static void merge(const int *a, size_t na, const int *b, size_t nb, int *out) {
  size_t i = 0, j = 0, k = 0;
  while (i < na && j < nb)
    out[k++] = a[i] <= b[j] ? a[i++] : b[j++];
  while (i < na)
    out[k++] = a[i++];
  while (j < nb)
    out[k++] = b[j++];
}

/* Sorts data[0..n) using tmp[0..n) as scratch. */
static void sort(int *data, int *tmp, size_t n) {
  if (n <= CUTOFF) {
    qsort(data, n, sizeof *data, cmp_int);
    return;
  }
  size_t half = n / 2;
#pragma ws task
  sort(data, tmp, half);
#pragma ws task
  sort(data + half, tmp + half, n - half);
#pragma ws taskwait
  merge(data, half, data + half, n - half, tmp);
  memcpy(data, tmp, n * sizeof *data);
}

int main(int argc, char **argv) {
  size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 2000000;
  int *data = malloc(n * sizeof *data), *tmp = malloc(n * sizeof *tmp),
      *check = malloc(n * sizeof *check);
  if (!data || !tmp || !check)
    return 2;
  unsigned seed = 12345;
  for (size_t i = 0; i < n; i++) {
    seed = seed * 1103515245u + 12345u;
    data[i] = check[i] = (int)(seed >> 8);
  }
  sort(data, tmp, n);
  qsort(check, n, sizeof *check, cmp_int);
  int ok = memcmp(data, check, n * sizeof *data) == 0;
  printf("mergesort(%zu) [%s]\n", n, ok ? "ok" : "WRONG");
  free(data);
  free(tmp);
  free(check);
  return ok ? 0 : 1;
}
