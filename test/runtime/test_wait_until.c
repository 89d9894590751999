/*
 * test_wait_until.c -- ws_wait_until runs queued tasks on the waiting
 * worker until a word changes, and returns once it has, with what the
 * changer wrote before visible.
 *
 * Cases:
 *  - one worker, tasks queued by the waiter itself: only the waiter can run
 *    them, and the last one changes the word (a wait that only slept would
 *    return through the watchdog, and the checks fail);
 *  - the word changed by another thread (not a worker) after a while: the
 *    wait returns after the change, and sees the data written before it;
 *  - a waiter without a worker record (a plain thread) sleeps until the
 *    change;
 *  - a word that already changed returns at once; NULL is WS_EINVAL.
 */
#include "test_util.h"
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <ws.h>

static uint32_t word; /* accessed with __atomic builtins */
static long payload;  /* written before the word changes */
static atomic_long ran, ran_elsewhere;
static long ntasks;
static pthread_t waiter;

static void change_word(uint32_t v) {
  __atomic_store_n(&word, v, __ATOMIC_RELEASE);
  syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
}

static void sleep_ms(long ms) {
  struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static void task(void *p) {
  (void)p;
  if (!pthread_equal(pthread_self(), waiter))
    atomic_fetch_add(&ran_elsewhere, 1);
  if (atomic_fetch_add(&ran, 1) + 1 == ntasks) {
    payload = 42;
    change_word(1);
  }
}

/* Changes the word to 2 after `arg` ms unless it changed already: the
 * failing case's way out. */
static void *watchdog(void *arg) {
  long ms = (long)(intptr_t)arg;
  for (long t = 0; t < ms && __atomic_load_n(&word, __ATOMIC_ACQUIRE) == 0;
       t += 10)
    sleep_ms(10);
  uint32_t zero = 0;
  if (__atomic_compare_exchange_n(&word, &zero, 2, 0, __ATOMIC_RELEASE,
                                  __ATOMIC_RELAXED))
    syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, INT_MAX, NULL, NULL, 0);
  return NULL;
}

static void *late_changer(void *arg) {
  sleep_ms((long)(intptr_t)arg);
  payload = 7;
  change_word(1);
  return NULL;
}

static void *plain_waiter(void *arg) {
  (void)arg;
  int rc = ws_wait_until(&word, 0);
  CHECK(rc == WS_OK, "plain thread: rc %d", rc);
  CHECK(__atomic_load_n(&word, __ATOMIC_RELAXED) == 1, "plain thread: word");
  CHECK(payload == 7, "plain thread: payload %ld", payload);
  return NULL;
}

static void reset(void) {
  word = 0;
  payload = 0;
  atomic_store(&ran, 0);
  atomic_store(&ran_elsewhere, 0);
}

int main(void) {
  CHECK(ws_init(1) == WS_OK, "ws_init(1)");
  waiter = pthread_self();

  /* Tasks the waiter queued: only it can run them. */
  reset();
  ntasks = ws_test_scaled(1000, 100);
  pthread_t dog;
  pthread_create(&dog, NULL, watchdog, (void *)(intptr_t)10000);
  ws_frame f = WS_FRAME_INIT;
  for (long i = 0; i < ntasks; i++)
    CHECK(ws_spawn(&f, task, NULL, 0, WS_TIER_NORMAL, NULL) == WS_OK,
          "spawn %ld", i);
  CHECK(atomic_load(&ran) < ntasks, "queued: every task ran at its spawn");
  int rc = ws_wait_until(&word, 0);
  CHECK(rc == WS_OK, "queued: rc %d", rc);
  CHECK(__atomic_load_n(&word, __ATOMIC_RELAXED) == 1,
        "queued: the word is %u (2: the watchdog ended the wait)", word);
  CHECK(atomic_load(&ran) == ntasks, "queued: %ld of %ld tasks ran",
        atomic_load(&ran), ntasks);
  CHECK(atomic_load(&ran_elsewhere) == 0, "queued: %ld ran elsewhere",
        atomic_load(&ran_elsewhere));
  CHECK(payload == 42, "queued: payload %ld", payload);
  pthread_join(dog, NULL);
  CHECK(ws_wait(&f) == WS_OK, "ws_wait");

  /* Changed by another thread after a while. */
  reset();
  pthread_t ch;
  pthread_create(&ch, NULL, late_changer, (void *)(intptr_t)30);
  rc = ws_wait_until(&word, 0);
  CHECK(rc == WS_OK, "late: rc %d", rc);
  CHECK(__atomic_load_n(&word, __ATOMIC_RELAXED) == 1, "late: word");
  CHECK(payload == 7, "late: payload %ld", payload);
  pthread_join(ch, NULL);

  /* A plain thread (no worker record) waits; this thread changes it. */
  reset();
  pthread_t pw;
  pthread_create(&pw, NULL, plain_waiter, NULL);
  sleep_ms(30);
  payload = 7;
  change_word(1);
  pthread_join(pw, NULL);

  /* Already changed; NULL. */
  CHECK(ws_wait_until(&word, 0) == WS_OK, "already changed");
  CHECK(ws_wait_until(NULL, 0) == WS_EINVAL, "NULL");

  ws_shutdown();
  return ws_test_finish("test_wait_until");
}
