/*
 * test_obs_timeout.c -- `timeout(ms)` (ws_task_opts.timeout_ms).
 *
 * No pass/fail depends on speed: every task that must time out either
 * spins until its checkpoint reports the cancellation, or sleeps well past
 * its timeout; the one that must not time out has 60 s and returns at once.
 *   spin     (20 ms)  loops on ws_cancelled(); then ws_cancelled() and
 *                     ws_yield() keep saying cancelled
 *   sleeper  (5 ms)   sleeps 30 ms without a checkpoint: counted at its end
 *   quick    (60 s)   never cancelled, never counted
 *   big      (10 ms)  captures larger than the inline size survive intact
 *   parent   (10 ms)  on 1 worker: after its deadline, a child run nested
 *                     inside its ws_wait does not see the parent's timeout
 * timed_out counts 4, each timed-out label is reported exactly once, and
 * an untimed task running meanwhile never sees cancellation.
 */
#include "obs_util.h"
#include "test_util.h"
#include "ws.h"

#include <stdatomic.h>
#include <stdint.h>
#include <time.h>

static const ws_site k_spin = {"spin", "test_obs_timeout.c", 1};
static const ws_site k_sleeper = {"sleeper", "test_obs_timeout.c", 2};
static const ws_site k_quick = {"quick", "test_obs_timeout.c", 3};
static const ws_site k_big = {"big", "test_obs_timeout.c", 4};
static const ws_site k_parent = {"parent", "test_obs_timeout.c", 5};
static const ws_site k_child = {"child", "test_obs_timeout.c", 6};

static atomic_int g_spin_saw, g_spin_after, g_quick_clean, g_big_ok,
    g_child_clean, g_parent_saw, g_untimed_clean;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* Spins until the running task sees cancellation (a 60 s guard turns a
 * broken runtime into a failure instead of a hang). */
static int spin_until_cancelled(void) {
  double end = now_s() + 60;
  while (!ws_cancelled())
    if (now_s() > end)
      return 0;
  return 1;
}

static void spin(void *p) {
  (void)p;
  atomic_store(&g_spin_saw, spin_until_cancelled());
  int still = 1;
  for (int i = 0; i < 100; i++)
    still &= ws_cancelled() != 0;
  still &= ws_yield() == WS_ECANCELED;
  atomic_store(&g_spin_after, still);
}

static void sleeper(void *p) {
  (void)p;
  struct timespec ts = {0, 30 * 1000000L};
  nanosleep(&ts, NULL);
}

static void quick(void *p) {
  (void)p;
  atomic_store(&g_quick_clean, !ws_cancelled() && ws_yield() == WS_OK);
}

typedef struct {
  unsigned char bytes[200];
} big_args;

static void big(void *p) {
  big_args *a = p;
  int ok = ((uintptr_t)p % 16) == 0;
  for (int i = 0; i < 200; i++)
    ok &= a->bytes[i] == (unsigned char)(i * 7);
  atomic_store(&g_big_ok, ok);
  spin_until_cancelled();
}

static void child(void *p) {
  (void)p;
  atomic_store(&g_child_clean, !ws_cancelled() && ws_yield() == WS_OK);
}

static void parent(void *p) {
  (void)p;
  int saw = spin_until_cancelled();
  ws_frame f = WS_FRAME_INIT;
  ws_task_opts o = {0};
  o.tier = WS_TIER_NORMAL;
  o.site = &k_child;
  ws_spawn_ex(&f, child, NULL, 0, &o);
  ws_wait(&f);                /* one worker: the child runs here, nested */
  saw &= ws_cancelled() != 0; /* and the parent is still past its deadline */
  atomic_store(&g_parent_saw, saw);
}

/* Untimed: runs while the timed ones expire. */
static void untimed(void *p) {
  (void)p;
  int clean = 1;
  for (int i = 0; i < 1000; i++)
    clean &= !ws_cancelled();
  atomic_store(&g_untimed_clean, clean);
}

static int spawn_timed(ws_frame *f, ws_task_fn fn, const void *cap, size_t size,
                       unsigned ms, const ws_site *site) {
  ws_task_opts o = {0};
  o.tier = WS_TIER_NORMAL;
  o.site = site;
  o.timeout_ms = ms;
  return ws_spawn_ex(f, fn, cap, size, &o);
}

static uint64_t timed_out_total(void) {
  ws_stats t;
  ws_stats_get(&t, NULL, 0);
  return t.timed_out;
}

int main(void) {
  obs_capture cap;
  obs_capture_begin(&cap);

  CHECK(ws_init(2) == WS_OK, "ws_init");
  ws_frame f = WS_FRAME_INIT;
  big_args b;
  for (int i = 0; i < 200; i++)
    b.bytes[i] = (unsigned char)(i * 7);
  CHECK(spawn_timed(&f, spin, NULL, 0, 20, &k_spin) == WS_OK, "spawn spin");
  CHECK(spawn_timed(&f, sleeper, NULL, 0, 5, &k_sleeper) == WS_OK, "sleeper");
  CHECK(spawn_timed(&f, quick, NULL, 0, 60000, &k_quick) == WS_OK, "quick");
  CHECK(spawn_timed(&f, big, &b, sizeof b, 10, &k_big) == WS_OK, "big");
  ws_spawn(&f, untimed, NULL, 0, WS_TIER_LOW, NULL);
  CHECK(spawn_timed(NULL, quick, NULL, 0, 5, &k_quick) == WS_EINVAL,
        "NULL frame accepted");
  ws_wait(&f);
  uint64_t first = timed_out_total();
  CHECK(ws_shutdown() == WS_OK, "shutdown");

  CHECK(ws_init(1) == WS_OK, "ws_init(1)");
  CHECK(spawn_timed(&f, parent, NULL, 0, 10, &k_parent) == WS_OK, "parent");
  ws_wait(&f);
  uint64_t second = timed_out_total();
  CHECK(ws_shutdown() == WS_OK, "shutdown");

  char *err = obs_capture_end(&cap);
  CHECK(atomic_load(&g_spin_saw), "spin never saw its timeout");
  CHECK(atomic_load(&g_spin_after), "spin: cancellation did not persist");
  CHECK(atomic_load(&g_quick_clean), "quick saw a cancellation");
  CHECK(atomic_load(&g_big_ok), "big captures corrupted or misaligned");
  CHECK(atomic_load(&g_untimed_clean), "an untimed task saw a cancellation");
  CHECK(atomic_load(&g_child_clean), "a nested child saw its parent's timeout");
  CHECK(atomic_load(&g_parent_saw), "parent lost its timeout after a wait");
  CHECK(first == 3, "timed_out %llu, expected 3 (spin, sleeper, big)",
        (unsigned long long)first);
  CHECK(second == 1, "timed_out %llu, expected 1 (parent)",
        (unsigned long long)second);
  CHECK(obs_count(err, "ws: task 'spin' exceeded its timeout of 20 ms\n") == 1,
        "spin not reported once");
  CHECK(obs_count(err, "ws: task 'sleeper' exceeded its timeout of 5 ms\n") ==
            1,
        "sleeper not reported once");
  CHECK(obs_count(err, "ws: task 'big' exceeded its timeout of 10 ms\n") == 1,
        "big not reported once");
  CHECK(obs_count(err, "ws: task 'parent' exceeded its timeout of 10 ms\n") ==
            1,
        "parent not reported once");
  CHECK(obs_count(err, "exceeded") == 4, "other timeout reports");
  free(err);
  return ws_test_finish("test_obs_timeout");
}
