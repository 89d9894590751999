/* threadprivate: copies persist across regions (the same threads serve every
 * region), start from the variable's initial value, copyin broadcasts the
 * initial thread's value, and each thread's copy is its own.  Built twice by
 * ctest: with thread-local storage (Clang's default) and through the runtime
 * (-fnoopenmp-use-tls: __kmpc_threadprivate_cached). */
#include "omp_test.h"

static int counter = 5;
static double arr[4] = {1, 2, 3, 4};
#pragma omp threadprivate(counter, arr)

int main(void) {
  counter = 6; /* the initial thread's copy only */
  for (int r = 0; r < 3; r++) {
#pragma omp parallel
    {
      counter += 1;
      arr[2] += 0.5;
    }
  }
  int bad = 0;
#pragma omp parallel reduction(+ : bad)
  {
    int want = omp_get_thread_num() == 0 ? 9 : 8;
    bad += counter != want || arr[2] != 4.5;
  }
  CHECK("copies persist across regions", bad == 0);

  counter = 100;
  bad = 0;
#pragma omp parallel copyin(counter) reduction(+ : bad)
  bad += counter != 100;
  CHECK("copyin", bad == 0);

  bad = 0;
#pragma omp parallel reduction(+ : bad)
  {
    int id = omp_get_thread_num();
    counter = id * 10;
#pragma omp barrier
    bad += counter != id * 10;
  }
  CHECK("each thread's own copy", bad == 0);
  printf("the initial thread's copy: %d, arr[2] %.1f\n", counter, arr[2]);
  return failures != 0;
}
