/* wake written by hand against include/ws.h (see kernels/wake.c). */
#include "../kernels/wake.h"
#include "harness.h"
#include <ws.h>

static void wake_task(void *p) {
  (void)p;
  wake_task_body();
}

int main(int argc, char **argv) {
  long n = bench_arg(argc, argv, 1, 100);
  double idle_ms = (double)bench_arg(argc, argv, 2, 25);
  if (n < 1 || n > WAKE_MAX)
    return 2;
  long lat[WAKE_MAX];
  bench_clock c;
  ws_init(bench_workers());
  bench_start(&c);
  for (long k = 0; k < n; k++) {
    long t0 = wake_before_spawn(idle_ms);
    ws_frame f = WS_FRAME_INIT;
    ws_spawn(&f, wake_task, NULL, 0, WS_TIER_NORMAL, NULL);
    lat[k] = wake_await(t0);
    ws_wait(&f);
  }
  bench_stop(&c);
  wake_report(&c, lat, n);
  ws_shutdown();
  return 0;
}
