// wake with oneTBB task_group (see kernels/wake.c).
#include "../kernels/wake.h"
#include "tbb_harness.h"

int main(int argc, char **argv) {
  long n = bench_arg(argc, argv, 1, 100);
  double idle_ms = (double)bench_arg(argc, argv, 2, 25);
  if (n < 1 || n > WAKE_MAX)
    return 2;
  long lat[WAKE_MAX];
  bench_clock c;
  tbb_pool pool;
  pool.run([] {});
  bench_start(&c);
  pool.run([&] {
    for (long k = 0; k < n; k++) {
      long t0 = wake_before_spawn(idle_ms);
      tbb::task_group g;
      g.run([] { wake_task_body(); });
      lat[k] = wake_await(t0);
      g.wait();
    }
  });
  bench_stop(&c);
  wake_report(&c, lat, n);
  return 0;
}
