/* priority: many low-priority background tasks and a few critical ones.
 * Higher tiers are popped and stolen first, and `#pragma ws yield` in the
 * background work lets pending critical tasks run at once, so the critical
 * tasks finish early even though they were spawned last.
 *   wscc -O2 priority.c -o priority && WS_STATS=1 ./priority
 * Checks its sums against a serial computation; the finishing order is
 * printed, not checked (it depends on the machine). */
#include <stdatomic.h>
#include <stdio.h>

#define BACKGROUND 64
#define URGENT 8

static atomic_int finished; /* completion counter: each task's rank */

static long crunch(int seed, int steps, int checkpoints) {
  long s = seed;
  for (int i = 0; i < steps; i++) {
    s = (s * 1103515245 + 12345) % 2147483647;
    if (checkpoints && i % 1024 == 0) {
#pragma ws yield
    }
  }
  return s;
}

int main(void) {
  long bg[BACKGROUND], urgent[URGENT];
  int bg_rank[BACKGROUND], urgent_rank[URGENT];
  for (int i = 0; i < BACKGROUND; i++) {
#pragma ws task shared(bg, bg_rank) priority(low) name("background")
    {
      bg[i] = crunch(i, 200000, 1);
      bg_rank[i] = atomic_fetch_add(&finished, 1);
    }
  }
  for (int i = 0; i < URGENT; i++) {
#pragma ws task shared(urgent, urgent_rank) priority(critical) name("urgent")
    {
      urgent[i] = crunch(1000 + i, 20000, 0);
      urgent_rank[i] = atomic_fetch_add(&finished, 1);
    }
  }
#pragma ws taskwait
  int ok = 1;
  for (int i = 0; i < BACKGROUND; i++)
    ok &= bg[i] == crunch(i, 200000, 0);
  for (int i = 0; i < URGENT; i++)
    ok &= urgent[i] == crunch(1000 + i, 20000, 0);
  double bg_mean = 0, urgent_mean = 0;
  for (int i = 0; i < BACKGROUND; i++)
    bg_mean += bg_rank[i] / (double)BACKGROUND;
  for (int i = 0; i < URGENT; i++)
    urgent_mean += urgent_rank[i] / (double)URGENT;
  printf("priority: %d background + %d critical tasks [%s]; mean finishing "
         "rank: critical %.1f, background %.1f (of %d)\n",
         BACKGROUND, URGENT, ok ? "ok" : "WRONG", urgent_mean, bg_mean,
         BACKGROUND + URGENT);
  return ok ? 0 : 1;
}
