/* Mergesort written by hand against include/ws.h (see kernels/mergesort.c). */
#include "../kernels/mergesort.h"
#include "harness.h"
#include <string.h>
#include <ws.h>

typedef struct merge_args {
  const int *a, *b;
  size_t na, nb;
  int *dst;
} merge_args;

typedef struct sort_args {
  int *a, *tmp;
  size_t n;
} sort_args;

static void pmerge(const int *a, size_t na, const int *b, size_t nb, int *dst);
static void psort(int *a, int *tmp, size_t n);

static void merge_task(void *p) {
  const merge_args *m = p;
  pmerge(m->a, m->na, m->b, m->nb, m->dst);
}

static void sort_task(void *p) {
  const sort_args *s = p;
  psort(s->a, s->tmp, s->n);
}

static void pmerge(const int *a, size_t na, const int *b, size_t nb, int *dst) {
  if (na + nb <= MS_CUTOFF) {
    ms_seqmerge(a, na, b, nb, dst);
    return;
  }
  ms_split s = ms_split_merge(a, na, b, nb);
  ws_frame f = WS_FRAME_INIT;
  merge_args l = {s.a, s.b, s.ma, s.mb, dst};
  merge_args r = {s.a + s.ma, s.b + s.mb, s.na - s.ma, s.nb - s.mb,
                  dst + s.ma + s.mb};
  ws_spawn(&f, merge_task, &l, sizeof l, WS_TIER_NORMAL, NULL);
  ws_spawn_last(&f, merge_task, &r, sizeof r, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
}

static void psort(int *a, int *tmp, size_t n) {
  if (n <= MS_CUTOFF) {
    ms_seqsort(a, n);
    return;
  }
  size_t h = n / 2;
  ws_frame f = WS_FRAME_INIT;
  sort_args l = {a, tmp, h}, r = {a + h, tmp + h, n - h};
  ws_spawn(&f, sort_task, &l, sizeof l, WS_TIER_NORMAL, NULL);
  ws_spawn_last(&f, sort_task, &r, sizeof r, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  merge_args m = {a, a + h, h, n - h, tmp};
  ws_spawn_last(&f, merge_task, &m, sizeof m, WS_TIER_NORMAL, NULL);
  ws_wait(&f);
  memcpy(a, tmp, n * sizeof(int));
}

int main(int argc, char **argv) {
  size_t n = (size_t)bench_arg(argc, argv, 1, 32l << 20);
  uint64_t seed = (uint64_t)bench_arg(argc, argv, 2, 7);
  int *a = malloc(n * sizeof(int)), *tmp = malloc(n * sizeof(int));
  if (!a || !tmp)
    return 2;
  ms_fill(a, n, seed);
  memset(tmp, 0, n * sizeof(int));
  bench_clock c;
  ws_init(bench_workers());
  bench_start(&c);
  psort(a, tmp, n);
  bench_stop(&c);
  bench_result(&c, ms_checksum(a, n));
  bench_end_line();
  ws_shutdown();
  free(a);
  free(tmp);
  return 0;
}
