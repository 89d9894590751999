/*
 * loop_api.c -- micro-benchmark of ws_parallel_for called by hand (no
 * plugin): a dot product of two vectors of N doubles (a reduction) and a
 * five-point Jacobi stencil on an R x R grid (no reduction), each as a plain
 * serial loop and through ws_parallel_for, median of 5 runs.
 *
 *   clang-19 -O2 -Iinclude -Ibench bench/loop_api.c -Lbuild/lib -lws \
 *       -Wl,-rpath,$PWD/build/lib -lm -o loop_api
 *   ./loop_api [N=100000000] [R=4096] [workers=2] [sweeps=4]
 *
 * Prints one line per kernel with the serial and parallel medians and their
 * ratio, and checks the results (the stencil exactly; the dot product to a
 * relative 1e-9, since the tree sums in another order than the serial loop).
 * A third, compute-bound loop (sum of sin) is a control: the dot product and
 * the stencil are limited by memory bandwidth, which two cores may share.
 */
#include "harness.h"
#include "ws.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RUNS 5

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *t) {
  qsort(t, RUNS, sizeof *t, cmp_double);
  return t[RUNS / 2];
}

/* ---- dot product ------------------------------------------------------- */

typedef struct dot_args {
  const double *x, *y;
} dot_args;

static void dot_init(void *p) { *(double *)p = 0.0; }
static void dot_combine(void *into, const void *from) {
  *(double *)into += *(const double *)from;
}
static void dot_body(uint64_t lo, uint64_t hi, void *cap, void *part) {
  const dot_args *a = cap;
  double s = 0.0;
  for (uint64_t i = lo; i < hi; i++)
    s += a->x[i] * a->y[i];
  *(double *)part += s;
}

static double dot_serial(const double *x, const double *y, long n) {
  double s = 0.0;
  for (long i = 0; i < n; i++)
    s += x[i] * y[i];
  return s;
}

static double dot_parallel(const double *x, const double *y, long n) {
  dot_args a = {x, y};
  ws_loop l = {.tier = WS_TIER_NORMAL,
               .trips = (uint64_t)n,
               .body = dot_body,
               .captures = &a,
               .red_size = sizeof(double),
               .red_init = dot_init,
               .red_combine = dot_combine};
  double s = 0.0;
  ws_parallel_for(&l, &s);
  return s;
}

/* ---- compute-bound control: sum of sin(i / 1000) --------------------- */

static void sin_body(uint64_t lo, uint64_t hi, void *cap, void *part) {
  (void)cap;
  double s = 0.0;
  for (uint64_t i = lo; i < hi; i++)
    s += sin((double)i * 1e-3);
  *(double *)part += s;
}

static double sin_serial(long n) {
  double s = 0.0;
  for (long i = 0; i < n; i++)
    s += sin((double)i * 1e-3);
  return s;
}

static double sin_parallel(long n) {
  ws_loop l = {.tier = WS_TIER_NORMAL,
               .trips = (uint64_t)n,
               .body = sin_body,
               .red_size = sizeof(double),
               .red_init = dot_init,
               .red_combine = dot_combine};
  double s = 0.0;
  ws_parallel_for(&l, &s);
  return s;
}

/* ---- five-point stencil ------------------------------------------------ */

typedef struct sten_args {
  const double *in;
  double *out;
  long r;
} sten_args;

static void sten_rows(const double *in, double *out, long r, long lo, long hi) {
  for (long i = lo; i < hi; i++)
    for (long j = 1; j < r - 1; j++)
      out[i * r + j] =
          0.2 * (in[i * r + j] + in[(i - 1) * r + j] + in[(i + 1) * r + j] +
                 in[i * r + j - 1] + in[i * r + j + 1]);
}

static void sten_body(uint64_t lo, uint64_t hi, void *cap, void *part) {
  (void)part;
  const sten_args *a = cap;
  sten_rows(a->in, a->out, a->r, (long)lo + 1, (long)hi + 1);
}

static void sten_serial(double *a, double *b, long r, int sweeps) {
  for (int s = 0; s < sweeps; s++) {
    sten_rows(a, b, r, 1, r - 1);
    double *t = a;
    a = b;
    b = t;
  }
}

static void sten_parallel(double *a, double *b, long r, int sweeps) {
  for (int s = 0; s < sweeps; s++) {
    sten_args args = {a, b, r};
    ws_loop l = {.tier = WS_TIER_NORMAL,
                 .trips = (uint64_t)(r - 2),
                 .body = sten_body,
                 .captures = &args};
    ws_parallel_for(&l, NULL);
    double *t = a;
    a = b;
    b = t;
  }
}

/* The bound no runtime can beat: `nthreads` plain threads, each sweeping a
 * fixed block of rows, a barrier between sweeps (no tasks, no stealing).
 * If this is far from 2x, the machine (memory bandwidth), not the
 * scheduler, limits the stencil. */
typedef struct sten_thread {
  double *a, *b;
  long r, lo, hi;
  int sweeps;
  pthread_barrier_t *bar;
} sten_thread;

static void *sten_thread_main(void *p) {
  sten_thread *t = p;
  double *a = t->a, *b = t->b;
  for (int s = 0; s < t->sweeps; s++) {
    sten_rows(a, b, t->r, t->lo, t->hi);
    pthread_barrier_wait(t->bar);
    double *x = a;
    a = b;
    b = x;
  }
  return NULL;
}

static void sten_pthreads(double *a, double *b, long r, int sweeps,
                          int nthreads) {
  enum { MAXT = 64 };
  pthread_t th[MAXT];
  sten_thread args[MAXT];
  pthread_barrier_t bar;
  if (nthreads > MAXT)
    nthreads = MAXT;
  pthread_barrier_init(&bar, NULL, (unsigned)nthreads);
  long rows = r - 2;
  for (int i = 0; i < nthreads; i++) {
    args[i] = (sten_thread){
        a,      b,   r, 1 + rows * i / nthreads, 1 + rows * (i + 1) / nthreads,
        sweeps, &bar};
    if (i)
      pthread_create(&th[i], NULL, sten_thread_main, &args[i]);
  }
  sten_thread_main(&args[0]);
  for (int i = 1; i < nthreads; i++)
    pthread_join(th[i], NULL);
  pthread_barrier_destroy(&bar);
}

static void sten_fill(double *g, long r) {
  for (long i = 0; i < r * r; i++)
    g[i] = (double)((i * 7919) % 1000) / 1000.0;
}

int main(int argc, char **argv) {
  long n = bench_arg(argc, argv, 1, 100000000L);
  long r = bench_arg(argc, argv, 2, 4096);
  int workers = (int)bench_arg(argc, argv, 3, 2);
  int sweeps = (int)bench_arg(argc, argv, 4, 4);
  if (ws_init(workers) != WS_OK) {
    fprintf(stderr, "ws_init(%d) failed\n", workers);
    return 1;
  }

  double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
  double *g1 = malloc((size_t)(r * r) * sizeof *g1);
  double *g2 = malloc((size_t)(r * r) * sizeof *g2);
  double *h1 = malloc((size_t)(r * r) * sizeof *h1);
  double *h2 = malloc((size_t)(r * r) * sizeof *h2);
  if (!x || !y || !g1 || !g2 || !h1 || !h2) {
    fprintf(stderr, "out of memory\n");
    return 1;
  }
  for (long i = 0; i < n; i++) {
    x[i] = 1.0 + (double)(i % 1000) * 1e-3;
    y[i] = 2.0 - (double)(i % 997) * 1e-3;
  }

  double ts[RUNS], tp[RUNS], ds = 0, dp = 0;
  for (int k = 0; k < RUNS; k++) {
    double t0 = bench_now();
    ds = dot_serial(x, y, n);
    double t1 = bench_now();
    dp = dot_parallel(x, y, n);
    double t2 = bench_now();
    ts[k] = t1 - t0;
    tp[k] = t2 - t1;
  }
  double ms = median(ts), mp = median(tp);
  int dot_ok = fabs(ds - dp) <= 1e-9 * fabs(ds);
  printf("dot      n=%ld workers=%d serial %.4f s  ws_parallel_for %.4f s  "
         "speedup %.2fx  %s (rel diff %.1e)\n",
         n, ws_num_workers(), ms, mp, ms / mp, dot_ok ? "ok" : "WRONG",
         fabs(ds - dp) / fabs(ds));

  long ns = n / 5;
  for (int k = 0; k < RUNS; k++) {
    double t0 = bench_now();
    ds = sin_serial(ns);
    double t1 = bench_now();
    dp = sin_parallel(ns);
    double t2 = bench_now();
    ts[k] = t1 - t0;
    tp[k] = t2 - t1;
  }
  ms = median(ts);
  mp = median(tp);
  int sin_ok = fabs(ds - dp) <= 1e-9 * fabs(ds) + 1e-6;
  printf("sin-sum  n=%ld workers=%d serial %.4f s  ws_parallel_for %.4f s  "
         "speedup %.2fx  %s (control: compute-bound)\n",
         ns, ws_num_workers(), ms, mp, ms / mp, sin_ok ? "ok" : "WRONG");

  int sten_ok = 1;
  for (int k = 0; k < RUNS; k++) {
    sten_fill(g1, r);
    memcpy(g2, g1, (size_t)(r * r) * sizeof *g1);
    memcpy(h1, g1, (size_t)(r * r) * sizeof *g1);
    memcpy(h2, g1, (size_t)(r * r) * sizeof *g1);
    double t0 = bench_now();
    sten_serial(g1, g2, r, sweeps);
    double t1 = bench_now();
    sten_parallel(h1, h2, r, sweeps);
    double t2 = bench_now();
    ts[k] = t1 - t0;
    tp[k] = t2 - t1;
    sten_ok &= memcmp(g1, h1, (size_t)(r * r) * sizeof *g1) == 0 &&
               memcmp(g2, h2, (size_t)(r * r) * sizeof *g1) == 0;
  }
  ms = median(ts);
  mp = median(tp);
  printf("stencil  %ldx%ld x%d sweeps workers=%d serial %.4f s  "
         "ws_parallel_for %.4f s  speedup %.2fx  %s\n",
         r, r, sweeps, ws_num_workers(), ms, mp, ms / mp,
         sten_ok ? "ok" : "WRONG");

  /* The same sweeps on `workers` plain threads with static row blocks,
   * paired with a serial run each time (the machine's bound). */
  double tb[RUNS];
  for (int k = 0; k < RUNS; k++) {
    sten_fill(g1, r);
    memcpy(g2, g1, (size_t)(r * r) * sizeof *g1);
    memcpy(h1, g1, (size_t)(r * r) * sizeof *g1);
    memcpy(h2, g1, (size_t)(r * r) * sizeof *g1);
    double t0 = bench_now();
    sten_serial(g1, g2, r, sweeps);
    double t1 = bench_now();
    sten_pthreads(h1, h2, r, sweeps, workers);
    double t2 = bench_now();
    ts[k] = t1 - t0;
    tb[k] = t2 - t1;
    sten_ok &= memcmp(g1, h1, (size_t)(r * r) * sizeof *g1) == 0;
  }
  ms = median(ts);
  double mb = median(tb);
  printf("stencil  %ldx%ld x%d sweeps threads=%d serial %.4f s  "
         "pthreads, static blocks %.4f s  speedup %.2fx  %s (bound: no "
         "scheduler)\n",
         r, r, sweeps, workers, ms, mb, ms / mb, sten_ok ? "ok" : "WRONG");

  free(x);
  free(y);
  free(g1);
  free(g2);
  free(h1);
  free(h2);
  ws_shutdown();
  return dot_ok && sin_ok && sten_ok ? 0 : 1;
}
