/*
 * park.c -- futex wrappers, the asymmetric fence (membarrier) and the
 * eventcount used by idle workers.  See park.h.
 */
#include "park.h"

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <linux/membarrier.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int ws__asym_fence_ok;

void ws__futex_wait(void *addr, uint32_t expected, int64_t timeout_ns) {
  struct timespec ts, *tsp = NULL;
  if (timeout_ns >= 0) {
    ts.tv_sec = (time_t)(timeout_ns / 1000000000);
    ts.tv_nsec = (long)(timeout_ns % 1000000000);
    tsp = &ts;
  }
  /* EAGAIN (value changed), EINTR, ETIMEDOUT: all mean "re-check". */
  syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, expected, tsp, NULL, 0);
}

void ws__futex_wake(void *addr, int n) {
  syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

static pthread_once_t asym_once = PTHREAD_ONCE_INIT;

static void asym_register(void) {
#if WS_TSAN
  ws__asym_fence_ok = 0; /* TSan does not model membarrier */
#else
  long cmds = syscall(SYS_membarrier, MEMBARRIER_CMD_QUERY, 0, 0);
  if (cmds < 0 || !(cmds & MEMBARRIER_CMD_PRIVATE_EXPEDITED))
    return;
  if (syscall(SYS_membarrier, MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0,
              0) != 0)
    return;
  ws__asym_fence_ok = 1;
#endif
}

/* Registers once per process, before the first pool's threads start (the
 * pthread_once gives the happens-before edge to every later reader). */
void ws__asym_fence_setup(void) { pthread_once(&asym_once, asym_register); }

/*
 * The heavy side.  Sleeper: S1 store (sleepers++), S2 heavy fence, S3 load
 * (deques).  Spawner: P1 store (bottom), P2 compiler barrier, P3 load
 * (sleepers).  membarrier executes a full barrier on the caller first and
 * then makes every other running thread of the process execute one (a
 * thread that is not running passes a full barrier when it is switched back
 * in).  Call the spawner's barrier instant B.
 *  - B after P3: P1 is globally visible before membarrier returns, so S3
 *    sees the work.
 *  - B before P3 (P1 before or after B): S1 was made visible by the caller's
 *    own barrier before B, so P3 sees sleepers > 0 and the spawner wakes us.
 * Either way the work is not missed.  Without membarrier both sides use a
 * seq_cst fence and the classic Dekker argument applies.
 */
void ws__asym_fence_heavy(void) {
#if !WS_TSAN
  if (ws__asym_fence_ok &&
      syscall(SYS_membarrier, MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0, 0) == 0)
    return;
#endif
  atomic_thread_fence(memory_order_seq_cst);
}

void ws__ec_init(ws__eventcount *ec) {
  atomic_init(&ec->seq, 0);
  atomic_init(&ec->sleepers, 0);
  atomic_init(&ec->searching, 0);
  atomic_init(&ec->waking, 0);
  atomic_init(&ec->wake_ns, 0);
}

void ws__ec_search_begin(ws__eventcount *ec) {
  /* Searching first, then the pending wake is taken up: never a moment where
   * a spawner sees neither while this worker is awake.  Seq_cst: see
   * ws__ec_notify. */
  atomic_fetch_add_explicit(&ec->searching, 1, memory_order_seq_cst);
  atomic_store_explicit(&ec->waking, 0, memory_order_seq_cst);
}

void ws__ec_search_end(ws__eventcount *ec) {
  /* Seq_cst; prepare's heavy fence follows before the re-check. */
  atomic_fetch_sub_explicit(&ec->searching, 1, memory_order_seq_cst);
}

int ws__ec_search_end_found(ws__eventcount *ec, int (*more_work)(void *),
                            void *arg) {
  if (atomic_fetch_sub_explicit(&ec->searching, 1, memory_order_seq_cst) != 1)
    return 0; /* others still search: they pass the baton */
  /* Relaxed: with nobody asleep there is nobody to wake. */
  if (atomic_load_explicit(&ec->sleepers, memory_order_relaxed) == 0)
    return 0;
  ws__asym_fence_heavy(); /* see ws__ec_notify */
  return more_work(arg) ? ws__ec_wake_one(ec) : 0;
}

uint32_t ws__ec_prepare(ws__eventcount *ec) {
  /* A pending wake can never stick while workers go to sleep: whoever was
   * meant to take it up is now a sleeper that seq's bump will wake. */
  atomic_store_explicit(&ec->waking, 0, memory_order_seq_cst);
  /* Seq_cst RMW: the sleeper's store of the Dekker pair (pairs with the load
   * of `sleepers` in ws__ec_notify). */
  atomic_fetch_add_explicit(&ec->sleepers, 1, memory_order_seq_cst);
  /* Acquire: pairs with the release increment of `seq` in wake_one, so work
   * published before a wake we observe here is visible to our re-check. */
  uint32_t key = atomic_load_explicit(&ec->seq, memory_order_acquire);
  ws__asym_fence_heavy();
  return key;
}

void ws__ec_cancel(ws__eventcount *ec) {
  /* Relaxed: only a count; nothing is published through it. */
  atomic_fetch_sub_explicit(&ec->sleepers, 1, memory_order_relaxed);
}

int ws__ec_commit(ws__eventcount *ec, uint32_t key, int64_t timeout_ns) {
  /* The kernel compares seq with key atomically with going to sleep, so a
   * wake_one that bumped seq after prepare is never lost. */
  ws__futex_wait(&ec->seq, key, timeout_ns);
  /* Relaxed: only tells a wake from a time-out (a policy hint); the work
   * itself is found through the queues. */
  int woken = atomic_load_explicit(&ec->seq, memory_order_relaxed) != key;
  atomic_fetch_sub_explicit(&ec->sleepers, 1, memory_order_relaxed);
  return woken;
}

int ws__ec_wake_one(ws__eventcount *ec) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  /* Relaxed: a hint for the woken worker's spin policy, nothing else. */
  atomic_store_explicit(
      &ec->wake_ns, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec,
      memory_order_relaxed);
  /* Release: pairs with the acquire load of `seq` in prepare. */
  atomic_fetch_add_explicit(&ec->seq, 1, memory_order_release);
  ws__futex_wake(&ec->seq, 1);
  return 1;
}

void ws__ec_wake_all(ws__eventcount *ec) {
  atomic_fetch_add_explicit(&ec->seq, 1, memory_order_release);
  ws__futex_wake(&ec->seq, INT_MAX);
}
