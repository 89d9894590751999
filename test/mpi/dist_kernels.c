/*
 * dist_kernels.c -- the libws-mpi tests' program: the distributed kernels of
 * dist_kernels.h (a UTS-like tree count, fib with a cut-off and nqueens,
 * written with the libws-mpi C API, what `#pragma ws task distributed`
 * emits), plus utsd.  Rank 0 prints one line per kernel,
 * "<kernel> <result> expected <serial result> ok|WRONG", and returns 1 on a
 * wrong result.  run_mpi.sh runs it under mpirun at 1, 2 and 4 ranks.
 *
 *   dist_kernels uts|utsd|fib|nqueens|status|quiet [size]
 *
 * utsd is uts with two results per task (count and deepest level, printed
 * as count * 100 + deepest).  quiet: a small tree, `size` tenths of a
 * second of serial code on rank 0, the tree again; it also prints how many
 * times the communication thread ran during the serial code.
 *
 * WS_TEST_DIE=R: the first task that rank R runs kills its process with
 * SIGKILL (the dead-rank test); WS_TEST_EXIT=R: it calls exit(0).  Built with
 * -DWS_TEST_EXTRA_TASK, the task table has one more entry (the
 * mismatched-executables test).
 */
#include <dirent.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <ws_mpi.h>

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

/* The kernels (dist_kernels.h, shared with bench/mpi/dist.c), smaller
 * pieces than the bench's: tree nodes above depth 5 of the sizes used here
 * (11) are tasks, fib(n > 22) too, and fib's second child is a high-tier
 * task (tiers travel between ranks). */
#define DIST_TASK_ENTER() maybe_die()
#define DIST_UTS_LEAF 6
#define DIST_FIB_CUT 22
#define DIST_FIB_TIER2 WS_TIER_HIGH
#include "dist_kernels.h"

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
  if (n.depth >= n.max_depth - DIST_UTS_LEAF)
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

#ifdef WS_TEST_EXTRA_TASK
static void extra_task(void *captures, void *result) {
  (void)captures;
  (void)result;
}
WS_MPI_TASK(extra_def, extra_task)
#endif

/* The context switches (voluntary and not) of this process's
 * communication thread, the one named "ws-mpi-comm", from
 * /proc/self/task/TID/status: how many times it ran.  -1 if there is no
 * such thread. */
static long comm_switches(void) {
  DIR *d = opendir("/proc/self/task");
  if (!d)
    return -1;
  long n = -1;
  struct dirent *e;
  char path[300], line[256];
  while (n < 0 && (e = readdir(d))) {
    if (e->d_name[0] == '.')
      continue;
    snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
    FILE *f = fopen(path, "r");
    int ours =
        f && fgets(line, sizeof line, f) && !strcmp(line, "ws-mpi-comm\n");
    if (f)
      fclose(f);
    snprintf(path, sizeof path, "/proc/self/task/%s/status", e->d_name);
    if (!ours || !(f = fopen(path, "r")))
      continue;
    long v;
    n = 0;
    while (fgets(line, sizeof line, f))
      if (sscanf(line, "voluntary_ctxt_switches: %ld", &v) == 1 ||
          sscanf(line, "nonvoluntary_ctxt_switches: %ld", &v) == 1)
        n += v;
    fclose(f);
  }
  closedir(d);
  return n;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

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
  if (!strcmp(k, "status")) {
    /* A job that does distributed work, then returns `size` from main:
     * every rank must end with it (run_mpi.sh status). */
    node root = {0x5eedull, 0, 10};
    uint64_t r = uts(root);
    printf("status %d after a tree of %llu nodes\n", size,
           (unsigned long long)r);
    return r == uts_serial(root) ? size : 1;
  }
  if (!strcmp(k, "quiet")) {
    /* Distributed work, then `size` tenths of a second of serial code on
     * rank 0, then the work again; how many times the communication thread
     * was switched in during the serial code (run_mpi.sh quiet). */
    node root = {0x5eedull, 0, 9};
    uint64_t r = uts(root);
    /* Let the thread settle first: it may not have reached its sleep yet
     * (a one-rank job has one core for both threads, and this one was
     * busy).  Settled: no switch in 50 ms. */
    long before = comm_switches();
    for (int i = 0; i < 40; i++) {
      struct timespec pause = {0, 50000000};
      nanosleep(&pause, NULL);
      long again = comm_switches();
      if (again == before)
        break;
      before = again;
    }
    double end = now_s() + (size > 0 ? size : 6) / 10.0;
    uint64_t x = 1;
    while (now_s() < end)
      for (int i = 0; i < 1000; i++)
        x = mix(x);
    long after = comm_switches();
    printf("comm thread switches %ld during the serial code (%llx)\n",
           before < 0 || after < 0 ? -1 : after - before,
           (unsigned long long)x);
    r += uts(root);
    return report("quiet", r, 2 * uts_serial(root));
  }
  fprintf(stderr, "usage: %s uts|utsd|fib|nqueens|status|quiet [size]\n",
          argv[0]);
  return 2;
}

int main(int argc, char **argv) { return ws_mpi_main(argc, argv, real_main); }
