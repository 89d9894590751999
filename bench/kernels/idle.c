/*
 * idle: a program that is 90% serial.  Each round the root thread works
 * alone for `serial_us`, then runs `tasks` tasks that together take a ninth
 * of that.  What counts is the CPU the idle workers burn: CPU-seconds / wall
 * seconds of the whole run (1.0 would be a perfect sleeper; the parallel
 * phases add about 0.05 at 2 workers).
 *
 *   idle <rounds> <serial_us> <tasks>    checksum: tasks run
 */
#include "harness.h"
#include <stdatomic.h>

static atomic_long ran;

static void small_task(double ns) {
  bench_spin_ns(ns);
  atomic_fetch_add(&ran, 1);
}

static void run(long rounds, double serial_ns, long tasks) {
  double task_ns = serial_ns / 9.0 / (double)tasks;
  for (long r = 0; r < rounds; r++) {
    bench_spin_ns(serial_ns);
    for (long i = 0; i < tasks; i++) {
#pragma ws task
      small_task(task_ns);
    }
#pragma ws taskwait
  }
}

static void warmup(void) {
  long x = 0;
#pragma ws task shared(x)
  x = 1;
#pragma ws taskwait
  (void)x;
}

int main(int argc, char **argv) {
  long rounds = bench_arg(argc, argv, 1, 50);
  double serial_ns = 1e3 * (double)bench_arg(argc, argv, 2, 9000);
  long tasks = bench_arg(argc, argv, 3, 16);
  bench_clock c;
  BENCH_ROOT(warmup());
  bench_start(&c);
  BENCH_ROOT(run(rounds, serial_ns, tasks));
  bench_stop(&c);
  bench_result(&c, (uint64_t)atomic_load(&ran));
  printf(" tasks=%ld", rounds * tasks);
  bench_end_line();
  return 0;
}
