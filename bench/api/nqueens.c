/* nqueens(n) written by hand against include/ws.h (see kernels/nqueens.c). */
#include "../kernels/nqueens.h"
#include "harness.h"
#include <string.h>
#include <ws.h>

typedef struct nq_args {
  int n, j, i;
  const char *a;
  long *out;
} nq_args;

static long nqueens(int n, int j, const char *a);

static void nq_task(void *p) {
  const nq_args *t = p;
  char b[NQ_MAX];
  memcpy(b, t->a, (size_t)t->j);
  b[t->j] = (char)t->i;
  *t->out = nq_ok(t->j + 1, b) ? nqueens(t->n, t->j + 1, b) : 0;
}

static long nqueens(int n, int j, const char *a) {
  if (j == n)
    return 1;
  long count[NQ_MAX];
  ws_frame f = WS_FRAME_INIT;
  for (int i = 0; i < n; i++) {
    nq_args t = {n, j, i, a, &count[i]};
    ws_spawn(&f, nq_task, &t, sizeof t, WS_TIER_NORMAL, NULL);
  }
  ws_wait(&f);
  long s = 0;
  for (int i = 0; i < n; i++)
    s += count[i];
  return s;
}

int main(int argc, char **argv) {
  int n = (int)bench_arg(argc, argv, 1, 12);
  if (n < 1 || n > NQ_MAX)
    return 2;
  char board[NQ_MAX] = {0};
  bench_clock c;
  ws_init(bench_workers());
  bench_start(&c);
  long r = nqueens(n, 0, board);
  bench_stop(&c);
  bench_result(&c, (uint64_t)r);
  bench_end_line();
  ws_shutdown();
  return 0;
}
