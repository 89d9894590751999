/*
 * dist_kernels.h -- the distributed kernels, one home for the libws-mpi
 * tests (test/mpi/dist_kernels.c) and the distributed bench
 * (bench/mpi/dist.c): a UTS-like tree count, fib with a cut-off and
 * nqueens, written with the libws-mpi C API (what `#pragma ws task
 * distributed` emits).  The serial parts and references are in
 * dist_serial.h.
 *
 * Before including it, a file may define:
 *   DIST_PLAIN        no libws-mpi: a distributed task is an ordinary
 *                     ws_spawn of the same task function (what the clause is
 *                     without `wscc --mpi`; the bench's no-MPI build)
 *   DIST_TASK_ENTER() run first in every distributed task (the tests' fault
 *                     hooks); default nothing
 *   DIST_UTS_LEAF     tree nodes more than this many levels above the depth
 *                     limit are distributed tasks (default 5)
 *   DIST_FIB_CUT      fib(n) for n <= this is a serial call (default 24)
 *   DIST_FIB_TIER2    the tier of fib's second child (default
 *                     WS_TIER_NORMAL; the tests use WS_TIER_HIGH, so that
 *                     tiers travel between ranks)
 *   DIST_NQ_CUT       rows placed by distributed tasks (default 3)
 *   DIST_MIX_ROUNDS   work per tree node (dist_serial.h)
 */
#ifndef WS_TEST_DIST_KERNELS_H
#define WS_TEST_DIST_KERNELS_H

#include "dist_serial.h"

#include <ws.h>

#include <stdint.h>
#include <string.h>

#ifndef DIST_TASK_ENTER
#define DIST_TASK_ENTER() ((void)0)
#endif
#ifndef DIST_UTS_LEAF
#define DIST_UTS_LEAF 5
#endif
#ifndef DIST_FIB_CUT
#define DIST_FIB_CUT 24
#endif
#ifndef DIST_FIB_TIER2
#define DIST_FIB_TIER2 WS_TIER_NORMAL
#endif
#ifndef DIST_NQ_CUT
#define DIST_NQ_CUT 3
#endif

#ifdef DIST_PLAIN
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
static inline int dist_ranks(void) { return 1; }
#else
#include <ws_mpi.h>
#define DTASK(name, fn) WS_MPI_TASK(name, fn)
typedef ws_mpi_task dtask_def;
static void dspawn(ws_frame *f, const dtask_def *def, const void *caps,
                   size_t size, int tier, void *result, size_t rsize) {
  ws_mpi_spawn(f, def, caps, size, tier, result, rsize);
}
static inline int dist_ranks(void) { return ws_mpi_size(); }
#endif

/* The task function `name##_task` of a distributed task whose captures are
 * one T and whose result is fn's R, and its table entry `name##_def`. */
#define DIST_TASK(name, T, R, fn)                                              \
  static R fn(T);                                                              \
  static void name##_task(void *captures, void *result) {                      \
    T arg;                                                                     \
    memcpy(&arg, captures, sizeof arg);                                        \
    DIST_TASK_ENTER();                                                         \
    R r = fn(arg);                                                             \
    memcpy(result, &r, sizeof r);                                              \
  }                                                                            \
  DTASK(name##_def, name##_task)

/* ---- The tree: a node's children are distributed tasks, except within
 * DIST_UTS_LEAF levels of the depth limit, where a task counts its subtree
 * serially (about a thousand nodes at 5 levels, irregular).  Bigger leaves
 * leave one rank alone at the end with the last big subtree while the
 * others wait. ---- */

DIST_TASK(uts, node, uint64_t, uts)

static uint64_t uts(node n) {
  if (n.depth >= n.max_depth - DIST_UTS_LEAF)
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

DIST_TASK(fib, int, long, fib)

static long fib(int n) {
  if (n <= DIST_FIB_CUT)
    return fib_serial(n);
  long x, y;
  int a = n - 1, b = n - 2;
  ws_frame f = WS_FRAME_INIT;
  dspawn(&f, &fib_def, &a, sizeof a, WS_TIER_NORMAL, &x, sizeof x);
  dspawn(&f, &fib_def, &b, sizeof b, DIST_FIB_TIER2, &y, sizeof y);
  ws_wait(&f);
  return x + y;
}

/* ---- nqueens: the board travels by value (a fixed-size array) ---- */

DIST_TASK(nq, board, long, nq)

static long nq(board b) {
  if (b.row >= DIST_NQ_CUT || b.row == b.n)
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

#endif /* WS_TEST_DIST_KERNELS_H */
