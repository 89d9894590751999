/* wake: the measuring side shared by every variant. */
#ifndef BENCH_WAKE_H
#define BENCH_WAKE_H

#include "harness.h"
#ifdef __cplusplus /* tbb/wake.cpp: <stdatomic.h> clashes with <atomic> */
#include <atomic>
using std::atomic_load_explicit;
using std::atomic_long;
using std::atomic_store_explicit;
using std::memory_order_acquire;
using std::memory_order_relaxed;
using std::memory_order_release;
#else
#include <stdatomic.h>
#endif
#include <string.h>

#define WAKE_MAX 4096
#define WAKE_GIVE_UP_S 1.0

static atomic_long wake_started_ns; /* set by the task when it starts */

static inline long wake_now_ns(void) { return (long)(bench_now() * 1e9); }

/* The task's whole body: say when it started. */
static inline void wake_task_body(void) {
  /* release: pairs with the acquire load in wake_await */
  atomic_store_explicit(&wake_started_ns, wake_now_ns(), memory_order_release);
}

/* Lets the pool go idle (and park) for `idle_ms`, then marks the spawn time. */
static inline long wake_before_spawn(double idle_ms) {
  atomic_store_explicit(&wake_started_ns, 0, memory_order_relaxed);
  struct timespec ts = {0, (long)(idle_ms * 1e6)};
  nanosleep(&ts, NULL);
  return wake_now_ns();
}

/* Spins (without taking the task itself) until another worker started it;
 * returns the latency in ns, or the give-up time if nobody did. */
static inline long wake_await(long t0) {
  double give_up = bench_now() + WAKE_GIVE_UP_S;
  long t1;
  /* acquire: pairs with the release store in wake_task_body */
  while ((t1 = atomic_load_explicit(&wake_started_ns, memory_order_acquire)) ==
         0) {
    if (bench_now() > give_up)
      return (long)(WAKE_GIVE_UP_S * 1e9);
  }
  return t1 - t0;
}

static int wake_cmp(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

static inline void wake_report(const bench_clock *c, long *lat, long n) {
  qsort(lat, (size_t)n, sizeof *lat, wake_cmp);
  long p50 = lat[n / 2], p99 = lat[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1];
  bench_result(c, (uint64_t)n);
  printf(" tasks=%ld p50_us=%.1f p99_us=%.1f max_us=%.1f", n, p50 / 1e3,
         p99 / 1e3, lat[n - 1] / 1e3);
  bench_end_line();
}

#endif
