/* Task reductions: taskgroup task_reduction with tasks in_reduction (+, *,
 * max, several items at once, nested groups), taskloop reduction, inside a
 * region (tasks from one thread and from every thread) and outside. */
#include "omp_test.h"

/* Orphaned in_reduction: the taskgroup is in the caller. */
static long nodes;
static void tree(int depth) {
  if (depth == 0)
    return;
  for (int k = 0; k < 2; k++) {
#pragma omp task in_reduction(+ : nodes) firstprivate(depth)
    {
      nodes += depth;
      tree(depth - 1);
    }
  }
}

int main(void) {
  long sum = 0, prod = 1;
  int mx = -1;
#pragma omp parallel
#pragma omp single
  {
#pragma omp taskgroup task_reduction(+ : sum) task_reduction(* : prod)        \
    task_reduction(max : mx)
    for (int i = 1; i <= 30; i++) {
#pragma omp task in_reduction(+ : sum) in_reduction(* : prod)                  \
    in_reduction(max : mx) firstprivate(i)
      {
        sum += i;
        prod *= i % 3 == 0 ? 2 : 1;
        mx = i * 7 % 31 > mx ? i * 7 % 31 : mx;
      }
    }
  }
  printf("taskgroup: sum %ld prod %ld max %d\n", sum, prod, mx);

  /* Nested groups; tasks creating tasks that join the outer reduction. */
  long outer = 0, inner = 0;
#pragma omp parallel
#pragma omp single
  {
#pragma omp taskgroup task_reduction(+ : outer)
    {
      for (int i = 0; i < 10; i++) {
#pragma omp task in_reduction(+ : outer) firstprivate(i)
        outer += i;
      }
#pragma omp taskgroup task_reduction(+ : inner)
      for (int i = 0; i < 10; i++) {
#pragma omp task in_reduction(+ : inner, outer) firstprivate(i)
        {
          inner += 100 * i;
          outer += 1;
        }
      }
      /* the inner group is combined here */
      outer += inner == 4500 ? 0 : 1000000;
    }
  }
  printf("nested: outer %ld inner %ld\n", outer, inner);

  /* A recursive tree of tasks joining one reduction. */
#pragma omp parallel
#pragma omp single
#pragma omp taskgroup task_reduction(+ : nodes)
  tree(10);
  printf("tree: %ld\n", nodes);

  /* taskloop reduction, from one thread and from every thread. */
  long s1 = 0, s2 = 0;
#pragma omp parallel
  {
#pragma omp single
    {
#pragma omp taskloop reduction(+ : s1) grainsize(16)
      for (int i = 0; i < 1000; i++)
        s1 += i;
    }
    long mine = 0;
#pragma omp taskloop reduction(+ : mine) num_tasks(5)
    for (int i = 0; i < 100; i++)
      mine += i;
#pragma omp atomic
    s2 += mine;
  }
  printf("taskloop: %ld, per thread %ld\n", s1, s2 / expected_threads());

  long outside = 0;
#pragma omp taskloop reduction(+ : outside)
  for (int i = 0; i < 10; i++)
    outside += i;
  printf("outside a region: %ld\n", outside);
  return 0;
}
