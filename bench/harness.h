/*
 * harness.h -- what every benchmark program shares, whatever runtime it is
 * built for: timing, CPU accounting, the result line the runner parses, and
 * the root wrapper OpenMP needs.
 *
 * Protocol with bench/runner.py.  A program reads its sizes from argv and the
 * worker count from the environment (the runner sets BENCH_WORKERS,
 * WS_NUM_WORKERS and OMP_NUM_THREADS to the same value), and prints exactly
 * one line
 *
 *     RESULT time=<s> cpu=<s> checksum=<hex> [tasks=<n>] [key=value ...]
 *
 * `time` is the wall time of the measured region only (no data set-up, no
 * process start, no pool start: a warm-up spawn comes first), `cpu` the
 * CPU-seconds (user + system, every thread) burnt in the same region.
 */
#ifndef BENCH_HARNESS_H
#define BENCH_HARNESS_H

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

/* OpenMP needs a parallel region and one thread that creates the root
 * task(s); every other runtime just calls the root.  The `#pragma ws` lines of
 * the kernels become `#pragma omp` for the OpenMP builds (see Makefile), but
 * this wrapper is only ever OpenMP. */
#if defined(_OPENMP)
#define BENCH_ROOT(stmt)                                                       \
  do {                                                                         \
    _Pragma("omp parallel") _Pragma("omp single") { stmt; }                    \
  } while (0)
#else
#define BENCH_ROOT(stmt)                                                       \
  do {                                                                         \
    stmt;                                                                      \
  } while (0)
#endif

static inline double bench_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static inline double bench_cpu(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + 1e-6 * (double)ru.ru_utime.tv_usec +
         (double)ru.ru_stime.tv_sec + 1e-6 * (double)ru.ru_stime.tv_usec;
}

typedef struct bench_clock {
  double wall0, cpu0, wall, cpu;
} bench_clock;

static inline void bench_start(bench_clock *c) {
  c->cpu0 = bench_cpu();
  c->wall0 = bench_now();
}

static inline void bench_stop(bench_clock *c) {
  c->wall = bench_now() - c->wall0;
  c->cpu = bench_cpu() - c->cpu0;
}

/* Worker count requested by the runner (1 when run by hand). */
static inline int bench_workers(void) {
  const char *s = getenv("BENCH_WORKERS");
  int n = s ? atoi(s) : 1;
  return n > 0 ? n : 1;
}

/* Integer argument `i` of argv, or `dflt`. */
static inline long bench_arg(int argc, char **argv, int i, long dflt) {
  return argc > i ? strtol(argv[i], NULL, 0) : dflt;
}

/* Non-zero when the runner wants the (sequential, untimed) task count. */
static inline int bench_want_count(void) {
  const char *s = getenv("BENCH_COUNT");
  return s && *s == '1';
}

/* Prints the RESULT line up to its optional fields; the caller may append
 * " key=value" fields and must end the line with bench_end_line(). */
static inline void bench_result(const bench_clock *c, uint64_t checksum) {
  printf("RESULT time=%.6f cpu=%.6f checksum=%016" PRIx64, c->wall, c->cpu,
         checksum);
}

static inline void bench_end_line(void) {
  printf("\n");
  fflush(stdout);
}

/* A small, fast, well-mixed hash (splitmix64's finaliser). */
static inline uint64_t bench_mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

/* Makes the compiler believe that `p` escaped and that memory changed: a pure
 * kernel called twice on the same data is then computed twice. */
static inline void bench_clobber(const void *p) {
  __asm__ __volatile__("" : : "r"(p) : "memory");
}

/* Busy work of about `ns` nanoseconds, not optimised away. */
static inline uint64_t bench_spin_ns(double ns) {
  double end = bench_now() + 1e-9 * ns;
  uint64_t h = 0;
  while (bench_now() < end)
    h = bench_mix(h);
  return h;
}

#endif /* BENCH_HARNESS_H */
