/* idle written by hand against include/ws.h (see kernels/idle.c). */
#include "harness.h"
#include <stdatomic.h>
#include <ws.h>

static atomic_long ran;

static void small_task(void *p) {
  bench_spin_ns(*(const double *)p);
  atomic_fetch_add(&ran, 1);
}

int main(int argc, char **argv) {
  long rounds = bench_arg(argc, argv, 1, 50);
  double serial_ns = 1e3 * (double)bench_arg(argc, argv, 2, 9000);
  long tasks = bench_arg(argc, argv, 3, 16);
  double task_ns = serial_ns / 9.0 / (double)tasks;
  bench_clock c;
  ws_init(bench_workers());
  bench_start(&c);
  for (long r = 0; r < rounds; r++) {
    bench_spin_ns(serial_ns);
    ws_frame f = WS_FRAME_INIT;
    for (long i = 0; i < tasks; i++)
      ws_spawn(&f, small_task, &task_ns, sizeof task_ns, WS_TIER_NORMAL, NULL);
    ws_wait(&f);
  }
  bench_stop(&c);
  bench_result(&c, (uint64_t)atomic_load(&ran));
  printf(" tasks=%ld", rounds * tasks);
  bench_end_line();
  ws_shutdown();
  return 0;
}
