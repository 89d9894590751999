/*
 * fib(n) without cut-off: every call above the leaves spawns two tasks, so
 * the run time is almost all task overhead.  tasks = 2 * (fib(n+1) - 1).
 *
 *   fib <n>        prints fib(n) as the checksum
 */
#include "harness.h"

static long fib(int n) {
  if (n < 2)
    return n;
  long x, y;
#pragma ws task shared(x)
  x = fib(n - 1);
#pragma ws task shared(y)
  y = fib(n - 2);
#pragma ws taskwait
  return x + y;
}

/* One task spawned and waited for: starts the pool before the clock does. */
static void warmup(void) {
  long x = 0;
#pragma ws task shared(x)
  x = 1;
#pragma ws taskwait
  (void)x;
}

static uint64_t fib_tasks(int n) {
  /* calls(n) = 2 fib(n+1) - 1; every call but the root is a task. */
  uint64_t a = 0, b = 1;
  for (int i = 0; i < n + 1; i++) {
    uint64_t t = a + b;
    a = b;
    b = t;
  }
  return 2 * (a - 1);
}

int main(int argc, char **argv) {
  int n = (int)bench_arg(argc, argv, 1, 30);
  long r = 0;
  bench_clock c;
  BENCH_ROOT(warmup());
  bench_start(&c);
  BENCH_ROOT(r = fib(n));
  bench_stop(&c);
  bench_result(&c, (uint64_t)r);
  printf(" tasks=%" PRIu64, fib_tasks(n));
  bench_end_line();
  return 0;
}
