/* UTS-style tree written by hand against include/ws.h (see kernels/uts.c). */
#include "../kernels/uts.h"
#include "harness.h"
#include <ws.h>

static int root_fanout, max_depth;

typedef struct uts_args {
  uint64_t state;
  int depth;
  long *out;
} uts_args;

static long uts(uint64_t state, int depth);

static void uts_task(void *p) {
  const uts_args *a = p;
  *a->out = uts(a->state, a->depth);
}

static long uts(uint64_t state, int depth) {
  int m = uts_num_children(state, depth, root_fanout, max_depth);
  long local[UTS_MAXCH];
  long *res = m <= UTS_MAXCH ? local : malloc((size_t)m * sizeof(long));
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < m; i++) {
    uts_args a = {uts_child(state, i), depth + 1, &res[i]};
    ws_spawn(&f, uts_task, &a, sizeof a, WS_TIER_NORMAL, NULL);
  }
  ws_wait(&f);
  long s = 1;
  for (int i = 0; i < m; i++)
    s += res[i];
  if (res != local)
    free(res);
  return s;
}

int main(int argc, char **argv) {
  root_fanout = (int)bench_arg(argc, argv, 1, 500);
  max_depth = (int)bench_arg(argc, argv, 2, 12);
  uint64_t seed = (uint64_t)bench_arg(argc, argv, 3, 19);
  bench_clock c;
  ws_init(bench_workers());
  bench_start(&c);
  long r = uts(bench_mix(seed), 0);
  bench_stop(&c);
  bench_result(&c, (uint64_t)r);
  printf(" tasks=%ld", r - 1);
  bench_end_line();
  ws_shutdown();
  return 0;
}
