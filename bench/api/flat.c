/* flat written by hand against include/ws.h (see kernels/flat.c). */
#include "../kernels/flat.h"
#include "harness.h"
#include <ws.h>

typedef struct flat_args {
  uint32_t *out;
  long i;
} flat_args;

static void flat_task(void *p) {
  const flat_args *a = p;
  flat_work(a->out, a->i);
}

int main(int argc, char **argv) {
  long n = bench_arg(argc, argv, 1, 10000000);
  uint32_t *out = calloc((size_t)n, sizeof *out);
  if (!out)
    return 2;
  bench_clock c;
  ws_init(bench_workers());
  bench_start(&c);
  ws_frame f = WS_FRAME_INIT;
  for (long i = 0; i < n; i++) {
    flat_args a = {out, i};
    ws_spawn(&f, flat_task, &a, sizeof a, WS_TIER_NORMAL, NULL);
  }
  ws_wait(&f);
  bench_stop(&c);
  bench_result(&c, flat_checksum(out, n));
  printf(" tasks=%ld", n);
  bench_end_line();
  ws_shutdown();
  free(out);
  return 0;
}
