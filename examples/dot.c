/* dot: the dot product of two vectors of 10^8 doubles with
 * `parallel for reduction(+: ...)`.
 *   wscc -O2 dot.c -o dot && ./dot [n]
 * The parallel sum is associated differently from a left-to-right loop (but
 * the same at any worker count, for a fixed grain): it is checked against a
 * serial computation within a relative 1e-9. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double dot(const double *x, const double *y, long n) {
  double sum = 0.0;
#pragma ws parallel for reduction(+ : sum) grainsize(1 << 16)
  for (long i = 0; i < n; i++)
    sum += x[i] * y[i];
  return sum;
}

static double dot_serial(const double *x, const double *y, long n) {
  double sum = 0.0;
  for (long i = 0; i < n; i++)
    sum += x[i] * y[i];
  return sum;
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 100000000L;
  double *x = malloc((size_t)n * sizeof *x);
  double *y = malloc((size_t)n * sizeof *y);
  if (n <= 0 || !x || !y) {
    fprintf(stderr, "dot: cannot allocate %ld doubles\n", n);
    return 2;
  }
#pragma ws parallel for grainsize(1 << 16)
  for (long i = 0; i < n; i++) {
    x[i] = 1.0 / (double)(i % 1000 + 1);
    y[i] = (double)(i % 7) + 1.0;
  }
  double t0 = now();
  double got = dot(x, y, n);
  double t1 = now();
  double want = dot_serial(x, y, n);
  double diff = got > want ? got - want : want - got;
  int ok = diff <= 1e-9 * (want > 0 ? want : -want);
  printf("dot(%ld) = %.17g, serial %.17g [%s]\n", n, got, want,
         ok ? "ok" : "WRONG");
  printf("kernel: %.1f ms\n", 1e3 * (t1 - t0));
  free(x);
  free(y);
  return ok ? 0 : 1;
}
