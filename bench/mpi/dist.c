/*
 * dist.c -- issue 15's goals as one program (bench/mpi.sh runs it): a
 * UTS-like tree, fib with a cut-off and nqueens as distributed tasks, and an
 * "idle" kernel (a little distributed work, then serial code on rank 0
 * while the other ranks have nothing to do).
 *
 *   dist uts|fib|nqueens|idle [size] [--check]
 *
 * Built twice from this one source (bench/mpi.sh):
 *   dist        libws-mpi: every distributed task may run on any rank
 *   dist.plain  -DBENCH_PLAIN, libws alone: the same program built without
 *               MPI, where a distributed task is an ordinary task (what
 *               `#pragma ws task distributed` is without `wscc --mpi`)
 * The kernels are written with the libws-mpi C API (what the clause emits),
 * behind dspawn(), which is ws_mpi_spawn or, plain, a ws_spawn of the same
 * task function with the result address in the captures.
 *
 * Rank 0 prints one line:
 *   RESULT kernel=K ranks=N time=S cpu=S result=R [expected=R ok|WRONG]
 * time: wall seconds of the kernel (after a warm-up spawn, MPI started);
 * cpu: rank 0's process CPU in that time (its workers and comm thread).
 * --check also runs the kernel serially and compares (exit 1 if wrong).
 * idle prints "SERIAL begin" / "SERIAL end" (flushed) around its serial
 * phase so that bench/mpi.sh can sample the other ranks' CPU in between.
 */
#include "../harness.h"
/* The tree, fib and nqueens (test/mpi/dist_kernels.h, shared with the
 * tests); 64 rounds of work per tree node (~0.15 us, about UTS's SHA-1
 * step); fib(n <= 24) is a serial call (~0.1 ms); the first 3 rows of
 * nqueens are distributed tasks; tree nodes 5 levels above the depth limit
 * count their subtree serially (2895 tasks for the bench's tree of depth
 * 13). */
#define DIST_MIX_ROUNDS 64 /* as serial.c */
#define DIST_SERIAL_EXTERN /* in serial.c, linked first */
#ifdef BENCH_PLAIN
#define DIST_PLAIN
#endif
#include "../../test/mpi/dist_kernels.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- idle: a small tree, then `size` tenths of a second of serial code on
 * rank 0 (the other ranks have nothing to do: what they burn then is the
 * cost of waiting), then the small tree again ---- */

static volatile uint64_t g_sink;
static uint64_t serial_phase(double seconds) {
  uint64_t x = 1;
  double end = bench_now() + seconds;
  while (bench_now() < end)
    for (int i = 0; i < 1000; i++)
      x = mix(x);
  return x;
}

static void noop(void *captures) { (void)captures; }

int real_main(int argc, char **argv) {
  const char *k = argc > 1 ? argv[1] : "uts";
  long size = argc > 2 && argv[2][0] != '-' ? strtol(argv[2], NULL, 10) : 0;
  int check = argc > 1 && !strcmp(argv[argc - 1], "--check");
  /* Warm-up: the pool is started before the clock. */
  ws_frame w = WS_FRAME_INIT;
  ws_spawn(&w, noop, NULL, 0, WS_TIER_NORMAL, NULL);
  ws_wait(&w);

  unsigned long long got = 0, want = 0;
  bench_clock c;
  if (!strcmp(k, "uts") || !strcmp(k, "idle")) {
    int idle = !strcmp(k, "idle");
    node root = {0x5eedull, 0, idle ? 9 : size > 0 ? (int)size : 12};
    bench_start(&c);
    got = uts(root);
    if (idle) {
      printf("SERIAL begin\n");
      fflush(stdout);
      g_sink = serial_phase((double)(size > 0 ? size : 30) / 10);
      printf("SERIAL end\n");
      fflush(stdout);
      got += uts(root); /* the tree again after the phase */
    }
    bench_stop(&c);
    if (check)
      want = uts_serial(root) * (idle ? 2 : 1);
  } else if (!strcmp(k, "fib")) {
    int n = size > 0 ? (int)size : 38;
    bench_start(&c);
    got = (unsigned long long)fib(n);
    bench_stop(&c);
    if (check)
      want = (unsigned long long)fib_serial(n);
  } else if (!strcmp(k, "nqueens")) {
    board b = {size > 0 && size <= NQ_MAX ? (int)size : 13, 0, {0}};
    bench_start(&c);
    got = (unsigned long long)nq(b);
    bench_stop(&c);
    if (check)
      want = (unsigned long long)nq_serial(b);
  } else {
    fprintf(stderr, "usage: %s uts|fib|nqueens|idle [size] [--check]\n",
            argv[0]);
    return 2;
  }
  printf("RESULT kernel=%s ranks=%d time=%.6f cpu=%.6f result=%llu", k,
         dist_ranks(), c.wall, c.cpu, got);
  if (check)
    printf(" expected=%llu %s", want, got == want ? "ok" : "WRONG");
  printf("\n");
  return check && got != want;
}

int main(int argc, char **argv) {
#ifdef BENCH_PLAIN
  return real_main(argc, argv);
#else
  return ws_mpi_main(argc, argv, real_main);
#endif
}
