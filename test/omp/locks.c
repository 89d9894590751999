/* Locks (simple and nestable, set/test/unset, from threads and from tasks)
 * and reductions through __kmpc_reduce / __kmpc_reduce_nowait (parallel,
 * for, and nowait forms, several variables, user-visible right after). */
#include "omp_test.h"

static omp_nest_lock_t nest;
static long nested_count;

static void nested_add(int depth) {
  omp_set_nest_lock(&nest);
  nested_count++;
  if (depth > 0)
    nested_add(depth - 1);
  omp_unset_nest_lock(&nest);
}

int main(void) {
  int n = expected_threads();
  omp_lock_t lock;
  omp_init_lock(&lock);
  long plain = 0;
#pragma omp parallel
  for (int i = 0; i < 3000; i++) {
    omp_set_lock(&lock);
    plain = plain + 1;
    omp_unset_lock(&lock);
  }
  printf("lock: %ld per thread\n", plain / n);

  /* test_lock: spin on it. */
  long tested = 0;
#pragma omp parallel
  for (int i = 0; i < 1000; i++) {
    while (!omp_test_lock(&lock)) {
    }
    tested = tested + 1;
    omp_unset_lock(&lock);
  }
  printf("test_lock: %ld per thread\n", tested / n);

  /* Locks taken inside tasks (ownership by task). */
  long in_tasks = 0;
#pragma omp parallel
#pragma omp single
  for (int i = 0; i < 400; i++) {
#pragma omp task shared(in_tasks, lock)
    {
      omp_set_lock(&lock);
      in_tasks = in_tasks + 1;
      omp_unset_lock(&lock);
    }
  }
  printf("lock in tasks: %ld\n", in_tasks);
  omp_destroy_lock(&lock);

  /* Nestable: re-entered by its owner, excluded between threads. */
  omp_init_nest_lock(&nest);
#pragma omp parallel
  for (int i = 0; i < 500; i++)
    nested_add(3);
  printf("nest lock: %ld per thread\n", nested_count / n);
  int depth = 0;
  omp_set_nest_lock(&nest);
  depth = omp_test_nest_lock(&nest);
  omp_unset_nest_lock(&nest);
  omp_unset_nest_lock(&nest);
  printf("nest lock depth after test: %d\n", depth);
  omp_destroy_nest_lock(&nest);

  /* Reductions: parallel, for (with its barrier), for nowait. */
  long a = 0, b = 0, c = 0;
  double d = 0;
#pragma omp parallel reduction(+ : a) reduction(max : d)
  {
    a += 1;
    d = d > omp_get_thread_num() ? d : omp_get_thread_num();
#pragma omp for reduction(+ : b)
    for (int i = 0; i < 1000; i++)
      b += i;
    /* b is combined once the loop (and its barrier) is done. */
    if (b != 499500) {
#pragma omp atomic
      c += 1000000;
    }
#pragma omp for reduction(+ : c) nowait
    for (int i = 0; i < 100; i++)
      c += i;
  }
  CHECK("parallel reduction", a == n && d == n - 1);
  printf("for reduction: %ld, nowait: %ld\n", b, c);
  return failures != 0;
}
