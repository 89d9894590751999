// idle with oneTBB task_group (see kernels/idle.c).
#include "tbb_harness.h"
#include <atomic>

static std::atomic<long> ran;

int main(int argc, char **argv) {
  long rounds = bench_arg(argc, argv, 1, 50);
  double serial_ns = 1e3 * (double)bench_arg(argc, argv, 2, 9000);
  long tasks = bench_arg(argc, argv, 3, 16);
  double task_ns = serial_ns / 9.0 / (double)tasks;
  bench_clock c;
  tbb_pool pool;
  pool.run([] {});
  bench_start(&c);
  pool.run([&] {
    for (long r = 0; r < rounds; r++) {
      bench_spin_ns(serial_ns);
      tbb::task_group g;
      for (long i = 0; i < tasks; i++)
        g.run([=] {
          bench_spin_ns(task_ns);
          ran++;
        });
      g.wait();
    }
  });
  bench_stop(&c);
  bench_result(&c, (uint64_t)ran.load());
  printf(" tasks=%ld", rounds * tasks);
  bench_end_line();
  return 0;
}
