/*
 * fib(n) in Lace's shape: the issue-14 comparison with Lace's own
 * benchmarks/fib/fib-lace.c (built from LACE_SRC as the `lace` variant).
 * Every call above the leaves spawns ONE task, calls the other half directly
 * and waits -- Lace's SPAWN / CALL / SYNC -- with no cut-off, so the spawned
 * task is never the last thing before the wait (ws_spawn_last cannot help)
 * and the run time is almost all per-task overhead.  int, like Lace's pfib.
 * tasks = fib(n+1) - 1 (one per call with n >= 2).
 *
 *   lacefib <n>    checksum: fib(n)
 */
#include "harness.h"

static int fib(int n) {
  if (n < 2)
    return n;
  int x, y;
#pragma ws task shared(x)
  x = fib(n - 1);
  y = fib(n - 2);
#pragma ws taskwait
  return x + y;
}

/* One task spawned and waited for: starts the pool before the clock does. */
static void warmup(void) {
  int x = 0;
#pragma ws task shared(x)
  x = 1;
#pragma ws taskwait
  (void)x;
}

static uint64_t lacefib_tasks(int n) {
  uint64_t a = 0, b = 1; /* a = fib(i) */
  for (int i = 0; i < n + 1; i++) {
    uint64_t t = a + b;
    a = b;
    b = t;
  }
  return a - 1; /* fib(n+1) - 1 */
}

int main(int argc, char **argv) {
  int n = (int)bench_arg(argc, argv, 1, 35);
  int r = 0;
  bench_clock c;
  BENCH_ROOT(warmup());
  bench_start(&c);
  BENCH_ROOT(r = fib(n));
  bench_stop(&c);
  bench_result(&c, (uint64_t)r);
  printf(" tasks=%" PRIu64, lacefib_tasks(n));
  bench_end_line();
  return 0;
}
