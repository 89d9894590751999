/* stencil: Jacobi sweeps of a five-point stencil over a 4096 x 4096 grid,
 * one `parallel for` over the rows per sweep.
 *   wscc -O2 stencil.c -o stencil && ./stencil [n] [sweeps]
 * Every cell is computed by the same expression in both versions, so the
 * parallel result must equal the serial one exactly. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void init(double *g, long n) {
  for (long i = 0; i < n * n; i++)
    g[i] = (double)((i * 7919) % 1000) / 1000.0;
}

/* out = 0.2 * (center + four neighbours) inside; the border is fixed. */
static void sweep(double *out, const double *in, long n) {
#pragma ws parallel for grainsize(16)
  for (long r = 1; r < n - 1; r++) {
    const double *up = in + (r - 1) * n, *mid = in + r * n,
                 *down = in + (r + 1) * n;
    double *o = out + r * n;
    for (long c = 1; c < n - 1; c++)
      o[c] = 0.2 * (mid[c] + mid[c - 1] + mid[c + 1] + up[c] + down[c]);
  }
}

static void sweep_serial(double *out, const double *in, long n) {
  for (long r = 1; r < n - 1; r++) {
    const double *up = in + (r - 1) * n, *mid = in + r * n,
                 *down = in + (r + 1) * n;
    double *o = out + r * n;
    for (long c = 1; c < n - 1; c++)
      o[c] = 0.2 * (mid[c] + mid[c - 1] + mid[c + 1] + up[c] + down[c]);
  }
}

int main(int argc, char **argv) {
  long n = argc > 1 ? atol(argv[1]) : 4096;
  int sweeps = argc > 2 ? atoi(argv[2]) : 10;
  size_t bytes = (size_t)(n * n) * sizeof(double);
  double *a = malloc(bytes), *b = malloc(bytes);
  double *ra = malloc(bytes), *rb = malloc(bytes);
  if (n < 3 || sweeps < 1 || !a || !b || !ra || !rb) {
    fprintf(stderr, "stencil: bad size or out of memory\n");
    return 2;
  }
  init(a, n);
  memcpy(b, a, bytes);
  memcpy(ra, a, bytes);
  memcpy(rb, a, bytes);

  double t0 = now();
  for (int s = 0; s < sweeps; s++) {
    sweep(b, a, n);
    double *t = a;
    a = b;
    b = t;
  }
  double t1 = now();
  for (int s = 0; s < sweeps; s++) {
    sweep_serial(rb, ra, n);
    double *t = ra;
    ra = rb;
    rb = t;
  }
  int ok = memcmp(a, ra, bytes) == 0;
  printf("stencil %ldx%ld, %d sweeps: center %.17g [%s]\n", n, n, sweeps,
         a[(n / 2) * n + n / 2], ok ? "ok" : "WRONG");
  printf("kernel: %.1f ms\n", 1e3 * (t1 - t0));
  free(a);
  free(b);
  free(ra);
  free(rb);
  return ok ? 0 : 1;
}
