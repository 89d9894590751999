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
/* The tree, fib and nqueens with their serial references, shared with the
 * tests; 64 rounds of work per node (~0.15 us, about UTS's SHA-1 step). */
#define DIST_MIX_ROUNDS 64
#include "../../test/mpi/dist_serial.h"

#include <ws.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef BENCH_PLAIN
/* No libws-mpi: a distributed task is an ordinary task whose captures are
 * {task function, result address} followed by the user's bytes. */
typedef void (*dtask_fn)(void *captures, void *result);
typedef struct dtask_def {
  dtask_fn fn;
} dtask_def;
#define DTASK(name, fn) static const dtask_def name = {fn};
typedef struct plain_head {
  dtask_fn fn;
  void *result;
} plain_head;
static void run_plain(void *captures) {
  plain_head h;
  memcpy(&h, captures, sizeof h);
  h.fn((char *)captures + sizeof h, h.result);
}
static void dspawn(ws_frame *f, const dtask_def *def, const void *caps,
                   size_t size, int tier, void *result, size_t rsize) {
  (void)rsize;
  unsigned char buf[sizeof(plain_head) + 64];
  plain_head h = {def->fn, result};
  memcpy(buf, &h, sizeof h);
  memcpy(buf + sizeof h, caps, size);
  ws_spawn(f, run_plain, buf, sizeof h + size, tier, NULL);
}
static int bench_ranks(void) { return 1; }
#else
#include <ws_mpi.h>
#define DTASK(name, fn) WS_MPI_TASK(name, fn)
typedef ws_mpi_task dtask_def;
static void dspawn(ws_frame *f, const dtask_def *def, const void *caps,
                   size_t size, int tier, void *result, size_t rsize) {
  ws_mpi_spawn(f, def, caps, size, tier, result, rsize);
}
static int bench_ranks(void) { return ws_mpi_size(); }
#endif

/* Nodes more than UTS_LEAF levels above the depth limit are distributed
 * tasks (2895 for the bench's tree of depth 13); a task at that level
 * counts its subtree serially (about a thousand nodes, ~0.15 ms, but
 * irregular).  Bigger leaves leave one rank alone at the end with the last
 * big subtree while the others wait. */
#define UTS_LEAF 5

static uint64_t uts(node n);
static void uts_task(void *captures, void *result) {
  node n;
  memcpy(&n, captures, sizeof n);
  uint64_t c = uts(n);
  memcpy(result, &c, sizeof c);
}
DTASK(uts_def, uts_task)

static uint64_t uts(node n) {
  if (n.depth >= n.max_depth - UTS_LEAF)
    return uts_serial(n);
  uint64_t count = 1, sub[8];
  int k = children(&n);
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < k; i++) {
    node c = child(&n, i);
    dspawn(&f, &uts_def, &c, sizeof c, WS_TIER_NORMAL, &sub[i], sizeof sub[i]);
  }
  ws_wait(&f);
  for (int i = 0; i < k; i++)
    count += sub[i];
  return count;
}

/* ---- fib with a cut-off ---- */

#define FIB_CUT 24 /* fib(n <= 24) is a serial call, ~0.1 ms */

static long fib(int n);
static void fib_task(void *captures, void *result) {
  int n;
  memcpy(&n, captures, sizeof n);
  long r = fib(n);
  memcpy(result, &r, sizeof r);
}
DTASK(fib_def, fib_task)

static long fib(int n) {
  if (n <= FIB_CUT)
    return fib_serial(n);
  long x, y;
  int a = n - 1, b = n - 2;
  ws_frame f = WS_FRAME_INIT;
  dspawn(&f, &fib_def, &a, sizeof a, WS_TIER_NORMAL, &x, sizeof x);
  dspawn(&f, &fib_def, &b, sizeof b, WS_TIER_NORMAL, &y, sizeof y);
  ws_wait(&f);
  return x + y;
}

/* ---- nqueens: the board travels by value ---- */

#define NQ_CUT 3 /* the first 3 rows are placed by distributed tasks */

static long nq(board b);
static void nq_task(void *captures, void *result) {
  board b;
  memcpy(&b, captures, sizeof b);
  long r = nq(b);
  memcpy(result, &r, sizeof r);
}
DTASK(nq_def, nq_task)

static long nq(board b) {
  if (b.row >= NQ_CUT || b.row == b.n)
    return nq_serial(b);
  long sub[NQ_MAX] = {0};
  ws_frame f = WS_FRAME_INIT;
  for (int c = 0; c < b.n; c++)
    if (safe(&b, c)) {
      board nb = b;
      nb.col[nb.row++] = (signed char)c;
      dspawn(&f, &nq_def, &nb, sizeof nb, WS_TIER_NORMAL, &sub[c],
             sizeof sub[c]);
    }
  ws_wait(&f);
  long count = 0;
  for (int c = 0; c < b.n; c++)
    count += sub[c];
  return count;
}

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
         bench_ranks(), c.wall, c.cpu, got);
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
