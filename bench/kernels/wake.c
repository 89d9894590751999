/*
 * wake: spawn-to-start latency into a parked pool.  The root lets the pool
 * idle for `idle_ms` (> 20 ms, enough for idle workers to park), spawns one
 * task and, instead of waiting for it (which would let the root run it
 * itself), spins until another worker has started it.  Needs >= 2 workers.
 *
 *   wake <samples> <idle_ms>    prints p50/p99 in microseconds
 */
#include "wake.h"
#include "harness.h"

static void run(long *lat, long n, double idle_ms) {
  for (long k = 0; k < n; k++) {
    long t0 = wake_before_spawn(idle_ms);
#pragma ws task
    wake_task_body();
    lat[k] = wake_await(t0);
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
  long n = bench_arg(argc, argv, 1, 100);
  double idle_ms = (double)bench_arg(argc, argv, 2, 25);
  if (n < 1 || n > WAKE_MAX)
    return 2;
  long lat[WAKE_MAX];
  bench_clock c;
  BENCH_ROOT(warmup());
  bench_start(&c);
  BENCH_ROOT(run(lat, n, idle_ms));
  bench_stop(&c);
  wake_report(&c, lat, n);
  return 0;
}
