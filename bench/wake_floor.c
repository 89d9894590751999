/*
 * wake_floor.c -- what waking a sleeping thread costs on this machine, with
 * no runtime at all: the floor under the `wake` kernel's latencies.
 *
 * A second thread sleeps in FUTEX_WAIT; the main thread lets it sleep for
 * `idle_ms` (as the wake kernel lets the pool park), stamps the time,
 * FUTEX_WAKEs it and spins until the sleeper stamps its own time.  The same
 * with the sleeper pinned to another CPU than the main thread (as ws pins
 * its pool threads), and with a sleeper that spins on the flag instead of
 * sleeping (the cross-core signalling floor).
 *
 *   wake_floor [samples=100] [idle_ms=25]   prints p50/p99 in microseconds
 */
#define _GNU_SOURCE
#include "harness.h"

#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

#define MAXS 4096

static _Atomic uint32_t word;   /* futex word: the sample number to run */
static _Atomic long started_ns; /* set by the sleeper when it runs */
static long samples;
static int spinning;   /* the sleeper spins instead of sleeping */
static int pinned_cpu; /* >= 0: the sleeper is pinned there */

static long now_ns(void) { return (long)(bench_now() * 1e9); }

static void *sleeper(void *arg) {
  (void)arg;
  if (pinned_cpu >= 0) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(pinned_cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof set, &set);
  }
  for (uint32_t k = 1; k <= (uint32_t)samples; k++) {
    /* acquire: pairs with the main thread's release store of the word */
    while (atomic_load_explicit(&word, memory_order_acquire) < k)
      if (!spinning)
        syscall(SYS_futex, &word, FUTEX_WAIT_PRIVATE, k - 1, NULL, NULL, 0);
    /* release: pairs with the main thread's acquire load */
    atomic_store_explicit(&started_ns, now_ns(), memory_order_release);
  }
  return NULL;
}

static int cmp_long(const void *a, const void *b) {
  long x = *(const long *)a, y = *(const long *)b;
  return (x > y) - (x < y);
}

static void measure(const char *what, double idle_ms) {
  static long lat[MAXS];
  atomic_store(&word, 0);
  pthread_t th;
  pthread_create(&th, NULL, sleeper, NULL);
  for (long k = 1; k <= samples; k++) {
    atomic_store_explicit(&started_ns, 0, memory_order_relaxed);
    struct timespec ts = {0, (long)(idle_ms * 1e6)};
    nanosleep(&ts, NULL);
    long t0 = now_ns();
    /* release: pairs with the sleeper's acquire load */
    atomic_store_explicit(&word, (uint32_t)k, memory_order_release);
    if (!spinning)
      syscall(SYS_futex, &word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
    long t1;
    /* acquire: pairs with the sleeper's release store */
    while ((t1 = atomic_load_explicit(&started_ns, memory_order_acquire)) == 0)
      ;
    lat[k - 1] = t1 - t0;
  }
  pthread_join(th, NULL);
  qsort(lat, (size_t)samples, sizeof *lat, cmp_long);
  printf("%-28s p50 %8.1f us  p99 %8.1f us  (%ld samples, %.0f ms idle)\n",
         what, 1e-3 * (double)lat[samples / 2],
         1e-3 * (double)lat[samples * 99 / 100], samples, idle_ms);
}

int main(int argc, char **argv) {
  samples = bench_arg(argc, argv, 1, 100);
  double idle_ms = (double)bench_arg(argc, argv, 2, 25);
  if (samples < 1 || samples > MAXS)
    return 2;
  pinned_cpu = -1;
  spinning = 0;
  measure("futex wake of a sleeper", idle_ms);
  /* As ws's pool threads are (WS_BIND=threads): on a CPU other than ours,
   * which the kernel cannot pull them away from. */
  cpu_set_t mask;
  int here = sched_getcpu();
  if (sched_getaffinity(0, sizeof mask, &mask) == 0)
    for (int c = 0; c < CPU_SETSIZE && pinned_cpu < 0; c++)
      if (c != here && CPU_ISSET(c, &mask))
        pinned_cpu = c;
  if (pinned_cpu >= 0)
    measure("... pinned to another CPU", idle_ms);
  pinned_cpu = -1;
  spinning = 1;
  measure("flag seen by a spinner", idle_ms);
  return 0;
}
