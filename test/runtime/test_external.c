/*
 * test_external.c -- application threads spawn and wait at the same time
 * (each claims a worker record of its own and runs its tasks when it
 * waits; thieves take the rest).  Four threads, each running rounds of
 * spawns with nested children, all checked by per-thread sums; plus worker
 * ids: in [0, workers) for pool threads and worker 0, beyond it for the
 * further application threads.
 */
#include "test_util.h"
#include "ws.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define THREADS 4

typedef struct {
  _Atomic long *sum;
  long value;
  int depth;
} work_args;

static _Atomic int g_bad_ids;

static void work(void *p) {
  work_args *a = p;
  if (ws_worker_id() < 0 || ws_worker_id() >= ws_num_workers() + THREADS + 1)
    atomic_fetch_add(&g_bad_ids, 1);
  atomic_fetch_add(a->sum, a->value);
  if (a->depth > 0) {
    ws_frame f = WS_FRAME_INIT;
    for (int k = 0; k < 2; k++) {
      work_args c = {a->sum, a->value, a->depth - 1};
      ws_spawn(&f, work, &c, sizeof c, (int)(a->value + k) % 4, NULL);
    }
    ws_wait(&f);
  }
}

typedef struct {
  int index;
  long rounds;
  _Atomic long sum;
  long expected;
  int id_outside;
} thread_args;

static void *app_thread(void *p) {
  thread_args *t = p;
  t->id_outside = ws_worker_id();
  for (long r = 0; r < t->rounds; r++) {
    ws_frame f = WS_FRAME_INIT;
    for (int i = 0; i < 20; i++) {
      work_args a = {&t->sum, t->index + 1, 3}; /* 15 tasks per spawn */
      ws_spawn(&f, work, &a, sizeof a, i % 4, NULL);
      t->expected += (t->index + 1) * 15;
    }
    CHECK(ws_wait(&f) == WS_OK, "wait");
    CHECK(atomic_load(&t->sum) == t->expected,
          "thread %d round %ld: %ld != %ld", t->index, r, atomic_load(&t->sum),
          t->expected);
  }
  return NULL;
}

int main(void) {
  CHECK(ws_worker_id() == -1, "no pool yet: -1");
  CHECK(ws_init(3) == WS_OK, "init");
  CHECK(ws_worker_id() == 0, "main is worker 0");
  ws_stats_reset();
  long rounds = ws_test_scaled(300, 30);
  pthread_t th[THREADS];
  thread_args args[THREADS];
  for (int i = 0; i < THREADS; i++) {
    args[i].index = i;
    args[i].rounds = rounds;
    atomic_init(&args[i].sum, 0);
    args[i].expected = 0;
    pthread_create(&th[i], NULL, app_thread, &args[i]);
  }
  for (int i = 0; i < THREADS; i++) {
    pthread_join(th[i], NULL);
    CHECK(args[i].id_outside == -1, "application thread id %d",
          args[i].id_outside);
  }
  CHECK(atomic_load(&g_bad_ids) == 0, "tasks saw bad worker ids");
  ws_stats s;
  ws_stats_get(&s, NULL, 0);
  uint64_t ex = s.executed[0] + s.executed[1] + s.executed[2] + s.executed[3];
  uint64_t want = (uint64_t)THREADS * (uint64_t)rounds * 20 * 15;
  CHECK(s.spawned == want && ex == want, "spawned %llu executed %llu want %llu",
        (unsigned long long)s.spawned, (unsigned long long)ex,
        (unsigned long long)want);
  /* The other threads have exited and given their records back. */
  CHECK(ws_shutdown() == WS_OK, "shutdown");
  return ws_test_finish("test_external");
}
