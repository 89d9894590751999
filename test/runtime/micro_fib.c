/*
 * micro_fib.c -- not a test: the cost of one spawn+join.  Prints ns per task
 * for fib(n) on libws against a plain recursive fib, at the worker counts
 * given.   micro_fib [n] [workers...]
 */
#include "ws.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

__attribute__((noinline)) static long fib_serial(int n) {
  return n < 2 ? n : fib_serial(n - 1) + fib_serial(n - 2);
}

typedef struct {
  int n;
  long *out;
} fib_args;

static void fib_task(void *p);

static long fib(int n) {
  if (n < 2)
    return n;
  long x, y;
  ws_frame f = WS_FRAME_INIT;
  fib_args a = {n - 1, &x};
  ws_spawn(&f, fib_task, &a, sizeof a, WS_TIER_NORMAL, NULL);
  y = fib(n - 2);
  ws_wait(&f);
  return x + y;
}

static void fib_task(void *p) {
  fib_args *a = p;
  *a->out = fib(a->n);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 30;
  double t0 = now();
  long r0 = fib_serial(n);
  double ts = now() - t0;
  /* tasks spawned by fib(n): fib(n+1) - 1 */
  double tasks = (double)fib_serial(n + 1) - 1;
  printf("serial fib(%d)=%ld  %.3f s  %.2f ns/call-pair\n", n, r0, ts,
         ts * 1e9 / tasks);
  double t1 = 0;
  for (int i = 2; i < argc || i == 2; i++) {
    int workers = argc > i ? atoi(argv[i]) : 1;
    ws_init(workers);
    fib(20); /* warm up */
    double best = 1e9;
    long r = 0;
    for (int rep = 0; rep < 3; rep++) {
      double s = now();
      r = fib(n);
      double e = now() - s;
      if (e < best)
        best = e;
    }
    if (workers == 1)
      t1 = best;
    printf("ws %d workers: fib(%d)=%ld %.3f s  %.2f ns/task  (%.2fx serial)",
           workers, n, r, best, best * 1e9 / tasks, best / ts);
    if (t1 > 0 && workers > 1)
      printf("  speedup T1/T%d = %.2f", workers, t1 / best);
    printf("\n");
    ws_shutdown();
  }
  return 0;
}
