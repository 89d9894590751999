/* A program built against an installed ws (test/install): Fibonacci with
 * `#pragma ws` tasks, checked against the known value, and then, from the
 * runtime's own statistics, checked to have run its tasks on more than one
 * worker, with steals.  Run it with WS_NUM_WORKERS >= 2.  A thief may not
 * get a CPU during one short round on a loaded machine, so the rounds repeat
 * (up to 500) until some steal happened; exits 1 if none ever did. */
#include <inttypes.h>
#include <stdio.h>
#include <ws.h>

static long fib(int n) {
  long x, y;
  if (n < 2)
    return n;
#pragma ws task shared(x) final(n < 12)
  x = fib(n - 1);
  y = fib(n - 2);
#pragma ws taskwait
  return x + y;
}

int main(void) {
  enum { MAX_WORKERS = 64 };
  static ws_stats per[MAX_WORKERS];
  for (int round = 1; round <= 500; round++) {
    long got = fib(27);
    if (got != 196418) {
      printf("fib(27) = %ld [WRONG]\n", got);
      return 1;
    }
    int workers = ws_stats_get(NULL, per, MAX_WORKERS);
    int ran = 0;
    uint64_t stolen = 0;
    for (int i = 0; i < workers && i < MAX_WORKERS; i++) {
      uint64_t executed = 0;
      for (int t = 0; t < WS_NUM_TIERS; t++)
        executed += per[i].executed[t];
      ran += executed > 0;
      stolen += per[i].stolen;
    }
    if (ran >= 2 && stolen > 0) {
      printf("fib(27) = 196418 [ok]: tasks ran on %d of %d workers, %" PRIu64
             " stolen (round %d)\n",
             ran, workers, stolen, round);
      return 0;
    }
  }
  printf("fib(27) = 196418, but no task ever ran on a second worker\n");
  return 1;
}
