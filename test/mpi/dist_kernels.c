/*
 * dist_kernels.c -- distributed tasks written with the libws-mpi C API
 * (what `#pragma ws task distributed` will emit): a UTS-like tree count, fib
 * with a cut-off and nqueens.  Rank 0 prints one line per kernel,
 * "<kernel> <result> expected <serial result> ok|WRONG", and returns 1 on a
 * wrong result.  run_mpi.sh runs it under mpirun at 1, 2 and 4 ranks.
 *
 *   dist_kernels uts|utsd|fib|nqueens [size]
 *
 * utsd is uts with two results per task (count and deepest level, printed
 * as count * 100 + deepest).
 *
 * WS_TEST_DIE=R: the first task that rank R runs kills its process with
 * SIGKILL (the dead-rank test); WS_TEST_EXIT=R: it calls exit(0).  Built with
 * -DWS_TEST_EXTRA_TASK, the task table has one more entry (the
 * mismatched-executables test).
 */
#include "dist_serial.h"
#include "ws_mpi.h"

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Read on every rank, in every task: a global set by main would be rank
 * 0's alone. */
static void maybe_die(void) {
  const char *v = getenv("WS_TEST_DIE");
  if (v && atoi(v) == ws_mpi_rank())
    raise(SIGKILL);
  v = getenv("WS_TEST_EXIT");
  if (v && atoi(v) == ws_mpi_rank())
    exit(0);
}

#define UTS_CUT 5 /* nodes above this depth are distributed tasks */

static uint64_t uts(node n);
static void uts_task(void *captures, void *result) {
  node n;
  memcpy(&n, captures, sizeof n);
  maybe_die();
  uint64_t c = uts(n);
  memcpy(result, &c, sizeof c);
}
WS_MPI_TASK(uts_def, uts_task)

static uint64_t uts(node n) {
  if (n.depth >= UTS_CUT)
    return uts_serial(n);
  uint64_t count = 1, sub[8];
  int k = children(&n);
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < k; i++) {
    node c = child(&n, i);
    ws_mpi_spawn(&f, &uts_def, &c, sizeof c, WS_TIER_NORMAL, &sub[i],
                 sizeof sub[i]);
  }
  ws_wait(&f);
  for (int i = 0; i < k; i++)
    count += sub[i];
  return count;
}

/* The same tree, with two results per task (`shared(count) shared(deepest)`:
 * ws_mpi_spawn_results with two pieces): the size and the deepest level. */
typedef struct tally {
  uint64_t count;
  int deepest;
} tally;

static tally utsd_serial(node n) {
  tally t = {1, n.depth};
  int k = children(&n);
  for (int i = 0; i < k; i++) {
    tally c = utsd_serial(child(&n, i));
    t.count += c.count;
    if (c.deepest > t.deepest)
      t.deepest = c.deepest;
  }
  return t;
}

static tally utsd(node n);
static void utsd_task(void *captures, void *result) {
  node n;
  memcpy(&n, captures, sizeof n);
  maybe_die();
  tally t = utsd(n);
  /* The pieces one after the other: count (8 bytes), then deepest. */
  memcpy(result, &t.count, sizeof t.count);
  memcpy((char *)result + sizeof t.count, &t.deepest, sizeof t.deepest);
}
WS_MPI_TASK(utsd_def, utsd_task)

static tally utsd(node n) {
  if (n.depth >= UTS_CUT)
    return utsd_serial(n);
  uint64_t count[8];
  int deepest[8];
  int k = children(&n);
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < k; i++) {
    node c = child(&n, i);
    ws_mpi_result res[2] = {{&count[i], sizeof count[i]},
                            {&deepest[i], sizeof deepest[i]}};
    ws_mpi_spawn_results(&f, &utsd_def, &c, sizeof c, WS_TIER_NORMAL, res, 2);
  }
  ws_wait(&f);
  tally t = {1, n.depth};
  for (int i = 0; i < k; i++) {
    t.count += count[i];
    if (deepest[i] > t.deepest)
      t.deepest = deepest[i];
  }
  return t;
}

/* ---- fib with a cut-off ---- */

#define FIB_CUT 22

static long fib(int n);
static void fib_task(void *captures, void *result) {
  int n;
  memcpy(&n, captures, sizeof n);
  maybe_die();
  long r = fib(n);
  memcpy(result, &r, sizeof r);
}
WS_MPI_TASK(fib_def, fib_task)

static long fib(int n) {
  if (n <= FIB_CUT)
    return fib_serial(n);
  long x, y;
  ws_frame f = WS_FRAME_INIT;
  int a = n - 1, b = n - 2;
  ws_mpi_spawn(&f, &fib_def, &a, sizeof a, WS_TIER_NORMAL, &x, sizeof x);
  ws_mpi_spawn(&f, &fib_def, &b, sizeof b, WS_TIER_HIGH, &y, sizeof y);
  ws_wait(&f);
  return x + y;
}

/* ---- nqueens: the board travels by value (a fixed-size array) ---- */

#define NQ_CUT 3 /* rows placed by distributed tasks */

static long nq(board b);
static void nq_task(void *captures, void *result) {
  board b;
  memcpy(&b, captures, sizeof b);
  maybe_die();
  long r = nq(b);
  memcpy(result, &r, sizeof r);
}
WS_MPI_TASK(nq_def, nq_task)

static long nq(board b) {
  if (b.row >= NQ_CUT || b.row == b.n)
    return nq_serial(b);
  long sub[NQ_MAX] = {0};
  ws_frame f = WS_FRAME_INIT;
  for (int c = 0; c < b.n; c++)
    if (safe(&b, c)) {
      board nb = b;
      nb.col[nb.row++] = (signed char)c;
      ws_mpi_spawn(&f, &nq_def, &nb, sizeof nb, WS_TIER_NORMAL, &sub[c],
                   sizeof sub[c]);
    }
  ws_wait(&f);
  long count = 0;
  for (int c = 0; c < b.n; c++)
    count += sub[c];
  return count;
}

#ifdef WS_TEST_EXTRA_TASK
static void extra_task(void *captures, void *result) {
  (void)captures;
  (void)result;
}
WS_MPI_TASK(extra_def, extra_task)
#endif

static int report(const char *kernel, unsigned long long got,
                  unsigned long long want) {
  printf("%s %llu expected %llu %s\n", kernel, got, want,
         got == want ? "ok" : "WRONG");
  return got == want ? 0 : 1;
}

static int real_main(int argc, char **argv) {
  const char *k = argc > 1 ? argv[1] : "uts";
  int size = argc > 2 ? atoi(argv[2]) : 0;
  if (!strcmp(k, "uts")) {
    node root = {0x5eedull, 0, size > 0 ? size : 9};
    uint64_t r = uts(root);
    return report("uts", r, uts_serial(root));
  }
  if (!strcmp(k, "utsd")) {
    node root = {0x5eedull, 0, size > 0 ? size : 9};
    tally got = utsd(root), want = utsd_serial(root);
    return report("utsd", got.count * 100 + (unsigned)got.deepest,
                  want.count * 100 + (unsigned)want.deepest);
  }
  if (!strcmp(k, "fib")) {
    int n = size > 0 ? size : 30;
    return report("fib", (unsigned long long)fib(n),
                  (unsigned long long)fib_serial(n));
  }
  if (!strcmp(k, "nqueens")) {
    board b = {size > 0 && size <= NQ_MAX ? size : 10, 0, {0}};
    return report("nqueens", (unsigned long long)nq(b),
                  (unsigned long long)nq_serial(b));
  }
  fprintf(stderr, "usage: %s uts|utsd|fib|nqueens [size]\n", argv[0]);
  return 2;
}

int main(int argc, char **argv) { return ws_mpi_main(argc, argv, real_main); }
