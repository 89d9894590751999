/*
 * flat: n tiny tasks spawned in a loop by one thread, then one wait (spawn
 * throughput; tasks/s).
 *
 *   flat <n>    checksum: hash of every task's output
 */
#include "flat.h"
#include "harness.h"

static void flat(uint32_t *out, long n) {
  for (long i = 0; i < n; i++) {
#pragma ws task firstprivate(i)
    flat_work(out, i);
  }
#pragma ws taskwait
}

static void warmup(void) {
  long x = 0;
#pragma ws task shared(x)
  x = 1;
#pragma ws taskwait
  (void)x;
}

int main(int argc, char **argv) {
  long n = bench_arg(argc, argv, 1, 10000000);
  uint32_t *out = calloc((size_t)n, sizeof *out);
  if (!out)
    return 2;
  bench_clock c;
  BENCH_ROOT(warmup());
  bench_start(&c);
  BENCH_ROOT(flat(out, n));
  bench_stop(&c);
  bench_result(&c, flat_checksum(out, n));
  printf(" tasks=%ld", n);
  bench_end_line();
  free(out);
  return 0;
}
