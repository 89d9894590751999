/*
 * handle_rank: issue 19's second goal -- waiting on one handle among many
 * queued tasks returns as soon as that task is done, not after the others.
 *
 * Main spawns N tasks (default 10 000) into one frame, one of them with
 * `handle(h)`, then waits on the handle alone.  Every task takes a
 * completion rank (1 = finished first) from one counter.  Printed per
 * position of the handled task among the spawns (first = the oldest, which
 * a worker popping its own deque newest first would reach last; a
 * quarter in; last -- which, with more spawns than a deque holds, runs at
 * its spawn: then rank 0):
 *   queued    tasks still to complete when the wait began (spawns beyond
 *             a deque's capacity run at once, so fewer than N are queued)
 *   rank      the handled task's completion rank among those (1 is best;
 *             0: it had finished before the wait began)
 *   at_return of those, how many had completed when ws_handle_wait
 *             returned (the waiter ran or waited for them: ideally rank)
 *   wait_us   time in ws_handle_wait
 * Waiting for the frame instead, at_return would be `queued`.
 *
 *   handle_rank [N] [work]     work: spin iterations per task (default 2000)
 * Built with the plugin (bench/Makefile: $(OUT)/handle_rank); run by
 * bench/issue19.sh at 1 and 2 workers.
 */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <ws.h>

static atomic_long completed;
static long handled_rank;
static volatile unsigned long sink;

static long work(int spins) {
  unsigned long x = (unsigned long)spins;
  for (int i = 0; i < spins; i++)
    x = x * 6364136223846793005ul + 1442695040888963407ul;
  sink = x;
  /* Relaxed: only the count matters, read after the waits. */
  return atomic_fetch_add_explicit(&completed, 1, memory_order_relaxed) + 1;
}

static double now_us(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void round_at(int n, int pos, int spins, const char *where) {
  ws_handle h = WS_HANDLE_INIT;
  atomic_store(&completed, 0);
  handled_rank = 0;
  for (int i = 0; i < n; i++) {
    if (i == pos) {
#pragma ws task handle(h)
      handled_rank = work(spins);
    } else {
#pragma ws task
      work(spins);
    }
  }
  long before = atomic_load(&completed);
  double t0 = now_us();
  ws_handle_wait(&h);
  double t1 = now_us();
  long at_return = atomic_load(&completed) - before;
  long rank = handled_rank - before; /* DONE read by the wait: acquire */
#pragma ws taskwait
  printf("handle_rank workers=%d tasks=%d position=%s queued=%ld rank=%ld "
         "at_return=%ld wait_us=%.0f\n",
         ws_num_workers(), n, where, n - before, rank < 0 ? 0 : rank, at_return,
         t1 - t0);
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 10000;
  int spins = argc > 2 ? atoi(argv[2]) : 2000;
  if (n < 1) {
    fprintf(stderr, "usage: %s [tasks >= 1] [spins]\n", argv[0]);
    return 2;
  }
  round_at(n, 0, spins, "first");
  round_at(n, n / 4, spins, "quarter");
  round_at(n, n - 1, spins, "last");
  return 0;
}
