/*
 * park.h -- sleeping without losing wake-ups: futexes, an eventcount for idle
 * workers, and the asymmetric fence that keeps the spawner's side cheap.
 */
#ifndef WS_PARK_H
#define WS_PARK_H

#include <stdatomic.h>
#include <stdint.h>

#pragma GCC visibility push(hidden)

#if defined(__SANITIZE_THREAD__)
#define WS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define WS_TSAN 1
#endif
#endif
#ifndef WS_TSAN
#define WS_TSAN 0
#endif

/* Sleeps while *addr == expected, at most timeout_ns (< 0: no limit).  May
 * return early (spuriously); callers re-check their condition. */
void ws__futex_wait(void *addr, uint32_t expected, int64_t timeout_ns);
/* Wakes up to n threads sleeping on addr. */
void ws__futex_wake(void *addr, int n);

/* ---- Asymmetric fence ----------------------------------------------------
 * Idle workers and spawners form a Dekker pattern: the sleeper stores "I
 * sleep" then loads "is there work?", the spawner stores "work" then loads
 * "does anyone sleep?".  Each side needs a store->load barrier, but the
 * spawner runs millions of times per second and sleepers rarely.  With
 * membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED) the sleeper makes every other
 * running thread of the process execute a full barrier, so the spawner needs
 * only a compiler barrier: whichever instant the other thread's barrier
 * falls at, either the spawner's store is visible to the sleeper's later
 * load, or the sleeper's store is visible to the spawner's later load (see
 * ws__asym_fence_heavy in park.c for the case analysis).  When membarrier is
 * unavailable, and under TSan (which does not model it), the spawner uses a
 * seq_cst fence instead. */
extern int ws__asym_fence_ok; /* set once by ws__asym_fence_setup */
void ws__asym_fence_setup(void);
void ws__asym_fence_heavy(void);
static inline void ws__asym_fence_light(void) {
#if WS_TSAN
  atomic_thread_fence(memory_order_seq_cst);
#else
  if (__builtin_expect(ws__asym_fence_ok, 1))
    atomic_signal_fence(memory_order_seq_cst); /* compiler barrier only */
  else
    atomic_thread_fence(memory_order_seq_cst);
#endif
}

/* ---- Eventcount ------------------------------------------------------------
 * Two-phase wait for idle workers:
 *     key = ws__ec_prepare(ec);     // announce: I am about to sleep
 *     if (work visible) ws__ec_cancel(ec);
 *     else ws__ec_commit(ec, key, timeout);
 * and, after publishing work, ws__ec_notify(ec) -- one load when nobody
 * sleeps. */
typedef struct ws__eventcount {
  _Atomic uint32_t seq;      /* futex word, bumped by every wake */
  _Atomic int32_t sleepers;  /* workers between prepare and commit's end */
  _Atomic int32_t searching; /* idle workers awake and looking for work */
  _Atomic int32_t waking;    /* a wake was sent and its worker not yet up */
  /* CLOCK_MONOTONIC ns of the last wake sent: tells a woken worker how long
   * after it went idle the work came (the adaptive spin's measure). */
  _Atomic uint64_t wake_ns;
} ws__eventcount;

void ws__ec_init(ws__eventcount *ec);
uint32_t ws__ec_prepare(ws__eventcount *ec);
void ws__ec_cancel(ws__eventcount *ec);
/* Sleeps until woken, the key changed, or the timeout (< 0: none).  Returns
 * 1 if the key changed (a wake was sent), 0 on a time-out. */
int ws__ec_commit(ws__eventcount *ec, uint32_t key, int64_t timeout_ns);
/* Wakes one sleeper; returns 1 if one was signalled. */
int ws__ec_wake_one(ws__eventcount *ec);
void ws__ec_wake_all(ws__eventcount *ec);

/* Wake damping (as Go's scheduler does with its spinning threads).  An idle
 * worker that is awake and looking for work counts in `searching`; a wake
 * sent and not yet taken up counts in `waking`.  While either is non-zero a
 * spawn wakes nobody: someone awake will find the task.  When the last
 * searcher finds work it wakes one more sleeper if work is left, so sleepers
 * come up one at a time while there is work for them, instead of all at
 * once on a burst of spawns, only to find nothing and park again.
 * No wake-up is lost: every path by which an awake worker stops looking
 * (ws__ec_prepare before sleeping, ws__ec_search_end_found after finding
 * work) passes a heavy fence and then re-checks the queues, so a spawner that
 * saw it searching (or a wake pending) and skipped its wake has its task seen
 * by that re-check (the Dekker argument of the asymmetric fence above). */
void ws__ec_search_begin(ws__eventcount *ec);
/* After finding work: stop searching, and pass the baton when we were the
 * last searcher and `more_work` (called after the fence) says so. */
int ws__ec_search_end_found(ws__eventcount *ec, int (*more_work)(void *),
                            void *arg);
/* Before ws__ec_prepare, when no work was found. */
void ws__ec_search_end(ws__eventcount *ec);

/* Call after making work visible (push / injection). */
static inline int ws__ec_notify(ws__eventcount *ec) {
  ws__asym_fence_light();
  /* Relaxed: the store->load order is provided by the fence above (or the
   * sleeper's membarrier); pairs with the seq_cst increment in prepare and
   * the seq_cst updates of `searching`/`waking` followed by a heavy fence. */
  if (__builtin_expect(
          atomic_load_explicit(&ec->sleepers, memory_order_relaxed) > 0, 0) &&
      atomic_load_explicit(&ec->searching, memory_order_relaxed) == 0 &&
      atomic_load_explicit(&ec->waking, memory_order_relaxed) == 0) {
    int expected = 0;
    /* Relaxed CAS: only elects one waker; the wake itself is ordered by
     * wake_one's release increment of `seq`. */
    if (atomic_compare_exchange_strong_explicit(&ec->waking, &expected, 1,
                                                memory_order_relaxed,
                                                memory_order_relaxed))
      return ws__ec_wake_one(ec);
  }
  return 0;
}

#pragma GCC visibility pop

#endif /* WS_PARK_H */
