/* priority written by hand against include/ws.h (see kernels/priority.c). */
#include "harness.h"
#include <stdatomic.h>
#include <ws.h>

static atomic_long started;
static atomic_long high_sum;
static double task_ns;

static void low_task(void *p) {
  (void)p;
  atomic_fetch_add(&started, 1);
  bench_spin_ns(task_ns);
}

static void high_task(void *p) {
  (void)p;
  atomic_fetch_add(&high_sum, atomic_fetch_add(&started, 1));
  bench_spin_ns(task_ns);
}

int main(int argc, char **argv) {
  long lows = bench_arg(argc, argv, 1, 10000);
  long highs = bench_arg(argc, argv, 2, 100);
  task_ns = 1e3 * (double)bench_arg(argc, argv, 3, 20);
  bench_clock c;
  ws_init(bench_workers());
  bench_start(&c);
  ws_frame f = WS_FRAME_INIT;
  for (long i = 0; i < lows; i++)
    ws_spawn(&f, low_task, NULL, 0, WS_TIER_LOW, NULL);
  long before = atomic_load(&started);
  for (long i = 0; i < highs; i++)
    ws_spawn(&f, high_task, NULL, 0, WS_TIER_HIGH, NULL);
  ws_wait(&f);
  bench_stop(&c);
  double mean = (double)atomic_load(&high_sum) / (double)highs;
  bench_result(&c, (uint64_t)atomic_load(&started));
  printf(" tasks=%ld high_rank=%.1f lows_before=%ld rank_gap=%.1f",
         lows + highs, mean, before, mean - (double)before);
  bench_end_line();
  ws_shutdown();
  return 0;
}
