/* fib(n) in Lace's shape written by hand against include/ws.h (see
 * kernels/lacefib.c): one ws_spawn, one direct call, one ws_wait. */
#include "harness.h"
#include <ws.h>

typedef struct fib_args {
  int n;
  int *out;
} fib_args;

static int fib(int n);

static void fib_task(void *p) {
  const fib_args *a = p;
  *a->out = fib(a->n);
}

static int fib(int n) {
  if (n < 2)
    return n;
  int x, y;
  ws_frame f = WS_FRAME_INIT;
  fib_args a = {n - 1, &x};
  ws_spawn(&f, fib_task, &a, sizeof a, WS_TIER_NORMAL, NULL);
  y = fib(n - 2);
  ws_wait(&f);
  return x + y;
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
  bench_clock c;
  ws_init(bench_workers());
  bench_start(&c);
  int r = fib(n);
  bench_stop(&c);
  bench_result(&c, (uint64_t)r);
  printf(" tasks=%" PRIu64, lacefib_tasks(n));
  bench_end_line();
  ws_shutdown();
  return 0;
}
