/*
 * priority: the root queues `lows` low-tier tasks while the other workers are
 * already busy running them, then `highs` high-tier tasks.  Every task takes
 * a start rank (its order of starting among all tasks).  Printed: the mean
 * start rank of the highs, how many lows had started when the highs were
 * spawned, and their difference (the goal: within 150).
 *
 *   priority <lows> <highs> <task_us>    checksum: tasks run
 * (OpenMP: the runner sets OMP_MAX_TASK_PRIORITY, else priority is ignored.)
 */
#include "harness.h"
#include <stdatomic.h>

static atomic_long started;  /* start ranks handed out */
static atomic_long high_sum; /* sum of the highs' start ranks */
static double task_ns;

static void low_task(void) {
  atomic_fetch_add(&started, 1);
  bench_spin_ns(task_ns);
}

static void high_task(void) {
  atomic_fetch_add(&high_sum, atomic_fetch_add(&started, 1));
  bench_spin_ns(task_ns);
}

static long run(long lows, long highs) {
  for (long i = 0; i < lows; i++) {
#pragma ws task priority(0)
    low_task();
  }
  long before = atomic_load(&started);
  for (long i = 0; i < highs; i++) {
#pragma ws task priority(2)
    high_task();
  }
#pragma ws taskwait
  return before;
}

static void warmup(void) {
  long x = 0;
#pragma ws task shared(x)
  x = 1;
#pragma ws taskwait
  (void)x;
}

int main(int argc, char **argv) {
  long lows = bench_arg(argc, argv, 1, 10000);
  long highs = bench_arg(argc, argv, 2, 100);
  task_ns = 1e3 * (double)bench_arg(argc, argv, 3, 20);
  long before = 0;
  bench_clock c;
  BENCH_ROOT(warmup());
  bench_start(&c);
  BENCH_ROOT(before = run(lows, highs));
  bench_stop(&c);
  double mean = (double)atomic_load(&high_sum) / (double)highs;
  bench_result(&c, (uint64_t)atomic_load(&started));
  printf(" tasks=%ld high_rank=%.1f lows_before=%ld rank_gap=%.1f",
         lows + highs, mean, before, mean - (double)before);
  bench_end_line();
  return 0;
}
