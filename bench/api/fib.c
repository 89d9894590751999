/* fib(n) written by hand against include/ws.h (see kernels/fib.c). */
#include "harness.h"
#include <ws.h>

typedef struct fib_args {
  int n;
  long *out;
} fib_args;

static long fib(int n);

static void fib_task(void *p) {
  const fib_args *a = p;
  *a->out = fib(a->n);
}

static long fib(int n) {
  if (n < 2)
    return n;
  long x, y;
  ws_frame f = WS_FRAME_INIT;
  fib_args a = {n - 1, &x};
  ws_spawn(&f, fib_task, &a, sizeof a, WS_TIER_NORMAL, NULL);
  a = (fib_args){n - 2, &y};
  ws_spawn_last(&f, fib_task, &a, sizeof a, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  return x + y;
}

static uint64_t fib_tasks(int n) {
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
  bench_clock c;
  ws_init(bench_workers());
  bench_start(&c);
  long r = fib(n);
  bench_stop(&c);
  bench_result(&c, (uint64_t)r);
  printf(" tasks=%" PRIu64, fib_tasks(n));
  bench_end_line();
  ws_shutdown();
  return 0;
}
