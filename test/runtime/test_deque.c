/*
 * test_deque.c -- the Chase-Lev deque on its own (runtime/deque.c is
 * compiled into this test, so the sanitizer variants instrument it):
 *  1. sequential semantics: LIFO for the owner, FIFO for steals, growth;
 *  2. one owner pushing/taking with several thieves stealing (single and
 *     batches of consecutive steals) through many growths: every item is
 *     taken exactly once (a count per item).
 */
#include "../../runtime/deque.c"
#include "test_util.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#define ITEM(i) ((struct ws__task *)(uintptr_t)((i) + 1))
#define INDEX(p) ((long)(uintptr_t)(p)-1)

static void sequential(void) {
  ws__deque d;
  CHECK(ws__deque_init(&d, 4, INT64_MAX) == 0, "init");
  int lost = 0;
  CHECK(ws__deque_take(&d) == NULL, "take on empty");
  CHECK(ws__deque_steal(&d, &lost) == NULL && !lost, "steal on empty");
  const long n = 1000; /* from capacity 16: several growths */
  for (long i = 0; i < n; i++)
    CHECK(ws__deque_push(&d, ITEM(i)) == 0, "push %ld", i);
  CHECK(ws__deque_size_hint(&d) == n, "size %ld",
        (long)ws__deque_size_hint(&d));
  CHECK(atomic_load(&d.hwm) == n, "hwm %ld", (long)atomic_load(&d.hwm));
  /* Owner: newest first. */
  for (long i = n - 1; i >= n / 2; i--) {
    struct ws__task *t = ws__deque_take(&d);
    CHECK(t == ITEM(i), "take: got %ld, want %ld", INDEX(t), i);
  }
  /* Thief: oldest first. */
  for (long i = 0; i < n / 2; i++) {
    struct ws__task *t = ws__deque_steal(&d, &lost);
    CHECK(t == ITEM(i), "steal: got %ld, want %ld", INDEX(t), i);
  }
  CHECK(ws__deque_take(&d) == NULL, "empty after all");
  CHECK(ws__deque_steal(&d, &lost) == NULL, "empty after all (steal)");
  /* Interleaved, against a reference model (an array with head and tail). */
  static long model[4096];
  long head = 0, tail = 0, next = 0;
  uint64_t rng = 12345;
  for (int r = 0; r < 3000; r++) {
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    int op = (int)((rng >> 33) % 4);
    if (op <= 1 && tail < 4096) {
      ws__deque_push(&d, ITEM(next));
      model[tail++] = next++;
    } else if (op == 2) {
      struct ws__task *t = ws__deque_take(&d);
      long want = head < tail ? model[--tail] : -1;
      CHECK(INDEX(t) == want, "model take: got %ld want %ld", INDEX(t), want);
    } else {
      struct ws__task *t = ws__deque_steal(&d, &lost);
      long want = head < tail ? model[head++] : -1;
      CHECK(INDEX(t) == want, "model steal: got %ld want %ld", INDEX(t), want);
    }
  }
  ws__deque_destroy(&d);
}

/* ---- concurrent ------------------------------------------------------------
 */

static ws__deque g_deque;
static _Atomic unsigned char *g_seen;
static _Atomic int g_done;
static _Atomic long g_taken_by_thieves, g_batches;
static long g_items;

static void record(struct ws__task *t) {
  long i = INDEX(t);
  if (i < 0 || i >= g_items) {
    fprintf(stderr, "bogus item %ld\n", i);
    ws_test_failures++;
    return;
  }
  atomic_fetch_add_explicit(&g_seen[i], 1, memory_order_relaxed);
}

static void *thief(void *arg) {
  long id = (long)(intptr_t)arg;
  long mine = 0;
  int batch = (id % 2) == 0 ? 8 : 1; /* even thieves steal in batches */
  for (;;) {
    int done = atomic_load_explicit(&g_done, memory_order_acquire);
    int got = 0;
    for (int k = 0; k < batch; k++) {
      int lost = 0;
      struct ws__task *t = ws__deque_steal(&g_deque, &lost);
      if (!t)
        break;
      record(t);
      got++;
    }
    mine += got;
    if (got > 1)
      atomic_fetch_add(&g_batches, 1);
    if (!got && done && ws__deque_size_hint(&g_deque) <= 0)
      break;
  }
  atomic_fetch_add(&g_taken_by_thieves, mine);
  return NULL;
}

static void concurrent(long items, int thieves) {
  g_items = items;
  g_seen = calloc((size_t)items, 1);
  atomic_store(&g_done, 0);
  atomic_store(&g_taken_by_thieves, 0);
  CHECK(ws__deque_init(&g_deque, 2, INT64_MAX) == 0, "init");
  pthread_t th[8];
  for (int i = 0; i < thieves; i++)
    pthread_create(&th[i], NULL, thief, (void *)(intptr_t)i);
  uint64_t rng = 88172645463325252ull;
  long pushed = 0, taken = 0;
  while (pushed < items) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    /* bursts of pushes (growth while thieves read), then some takes */
    long burst = (long)(rng % 300);
    for (long k = 0; k < burst && pushed < items; k++)
      CHECK(ws__deque_push(&g_deque, ITEM(pushed++)) == 0, "push");
    long takes = (long)((rng >> 20) % 200);
    for (long k = 0; k < takes; k++) {
      struct ws__task *t = ws__deque_take(&g_deque);
      if (!t)
        break;
      record(t);
      taken++;
    }
  }
  struct ws__task *t;
  while ((t = ws__deque_take(&g_deque))) {
    record(t);
    taken++;
  }
  atomic_store_explicit(&g_done, 1, memory_order_release);
  for (int i = 0; i < thieves; i++)
    pthread_join(th[i], NULL);
  long bad = 0;
  for (long i = 0; i < items; i++)
    if (atomic_load(&g_seen[i]) != 1) {
      if (bad++ < 5)
        fprintf(stderr, "item %ld taken %d times\n", i,
                (int)atomic_load(&g_seen[i]));
    }
  CHECK(bad == 0, "%ld items not taken exactly once", bad);
  CHECK(taken + atomic_load(&g_taken_by_thieves) == items,
        "owner %ld + thieves %ld != %ld", taken,
        atomic_load(&g_taken_by_thieves), items);
  fprintf(stderr,
          "concurrent: %ld items, owner %ld, thieves %ld, batches %ld\n", items,
          taken, atomic_load(&g_taken_by_thieves), atomic_load(&g_batches));
  ws__deque_destroy(&g_deque);
  free((void *)g_seen);
}

/* A deque grows up to its limit, then refuses pushes without losing any. */
static void limited(void) {
  ws__deque d;
  CHECK(ws__deque_init(&d, 16, 64) == 0, "init");
  for (long i = 0; i < 64; i++)
    CHECK(ws__deque_push(&d, ITEM(i)) == 0, "push %ld below the limit", i);
  CHECK(ws__deque_push(&d, ITEM(64)) == -1, "push beyond the limit");
  int lost = 0;
  struct ws__task *t = ws__deque_steal(&d, &lost);
  CHECK(t == ITEM(0), "steal after refusal: got %ld", INDEX(t));
  /* Found full, it refuses the next WS__DEQUE_FULL_SKIP pushes without
   * looking (the spawner runs them), then sees the freed slot. */
  int refused = 0;
  while (ws__deque_push(&d, ITEM(64)) != 0 && refused <= WS__DEQUE_FULL_SKIP)
    refused++;
  CHECK(refused == WS__DEQUE_FULL_SKIP, "pushes refused after a full: %d",
        refused);
  for (long i = 64; i >= 1; i--) {
    t = ws__deque_take(&d);
    CHECK(t == ITEM(i), "take: got %ld, want %ld", INDEX(t), i);
  }
  CHECK(ws__deque_take(&d) == NULL, "empty at the end");
  ws__deque_destroy(&d);
}

int main(void) {
  sequential();
  limited();
  long items = ws_test_scaled(3000000, 200000);
  concurrent(items, 3);
  concurrent(items / 2, 1);
  return ws_test_finish("test_deque");
}
