/*
 * omp_test.h -- shared by the OpenMP test programs.  Each program is built
 * twice: with -fopenmp against libws-omp, and serially (the pragmas
 * ignored), where the omp_* routines below stand in for the runtime's with
 * their one-thread values.  The two builds must print the same lines, so the
 * programs print results and "ok"/"FAIL" for checks whose expected values
 * differ between the builds (OMPV(parallel, serial) picks one).
 */
#ifndef OMP_TEST_H
#define OMP_TEST_H

#include <stdio.h>
#include <stdlib.h>

#ifdef _OPENMP
#include <omp.h>
#define OMPV(parallel, serial) (parallel)
#else
#define OMPV(parallel, serial) (serial)
typedef struct {
  int held;
} omp_lock_t;
typedef struct {
  int count;
} omp_nest_lock_t;
static inline int omp_get_thread_num(void) { return 0; }
static inline int omp_get_num_threads(void) { return 1; }
static inline int omp_get_max_threads(void) { return 1; }
static inline void omp_set_num_threads(int n) { (void)n; }
static inline int omp_in_parallel(void) { return 0; }
static inline int omp_in_final(void) { return 0; }
static inline int omp_in_explicit_task(void) { return 0; }
static inline int omp_get_level(void) { return 0; }
static inline int omp_get_active_level(void) { return 0; }
static inline int omp_get_ancestor_thread_num(int l) { return l == 0 ? 0 : -1; }
static inline int omp_get_team_size(int l) { return l == 0 ? 1 : -1; }
static inline int omp_get_supported_active_levels(void) { return 1; }
static inline int omp_get_max_active_levels(void) { return 1; }
static inline void omp_set_max_active_levels(int v) { (void)v; }
static inline int omp_get_nested(void) { return 0; }
static inline void omp_set_nested(int v) { (void)v; }
static inline void omp_init_lock(omp_lock_t *l) { l->held = 0; }
static inline void omp_destroy_lock(omp_lock_t *l) { (void)l; }
static inline void omp_set_lock(omp_lock_t *l) { l->held = 1; }
static inline void omp_unset_lock(omp_lock_t *l) { l->held = 0; }
static inline int omp_test_lock(omp_lock_t *l) {
  return l->held ? 0 : (l->held = 1);
}
static inline void omp_init_nest_lock(omp_nest_lock_t *l) { l->count = 0; }
static inline void omp_destroy_nest_lock(omp_nest_lock_t *l) { (void)l; }
static inline void omp_set_nest_lock(omp_nest_lock_t *l) { l->count++; }
static inline void omp_unset_nest_lock(omp_nest_lock_t *l) { l->count--; }
static inline int omp_test_nest_lock(omp_nest_lock_t *l) { return ++l->count; }
#endif

/* The team size a region gets without a num_threads clause: the first
 * number of OMP_NUM_THREADS (the tests always set it), 1 serially. */
static inline int expected_threads(void) {
#ifdef _OPENMP
  const char *s = getenv("OMP_NUM_THREADS");
  return s ? atoi(s) : omp_get_max_threads();
#else
  return 1;
#endif
}

static int failures;
#define CHECK(what, cond)                                                      \
  do {                                                                         \
    int ok_ = (cond);                                                          \
    printf("%s: %s\n", what, ok_ ? "ok" : "FAIL");                             \
    if (!ok_)                                                                  \
      failures++;                                                              \
  } while (0)

#endif
