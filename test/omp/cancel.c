/* cancel and cancellation points with cancel-var false (OMP_CANCELLATION
 * unset): OpenMP ignores `cancel`, so every iteration and task runs, as in
 * the serial build.  (unsupported.sh checks that OMP_CANCELLATION=true is
 * refused with one line.) */
#include "omp_test.h"

int main(void) {
  int tasks_run = 0, found = -1;
#pragma omp parallel
#pragma omp single
  {
#pragma omp taskgroup
    for (int i = 0; i < 100; i++) {
#pragma omp task firstprivate(i) shared(found, tasks_run)
      {
        if (i == 42) {
          found = i;
#pragma omp cancel taskgroup
        }
#pragma omp cancellation point taskgroup
#pragma omp atomic
        tasks_run++;
      }
    }
  }
  printf("taskgroup: found %d, %d tasks ran\n", found, tasks_run);

  int iterations = 0;
#pragma omp parallel
  {
#pragma omp for
    for (int i = 0; i < 1000; i++) {
      if (i == 10) {
#pragma omp cancel for
      }
#pragma omp atomic
      iterations++;
    }
  }
  printf("for: %d iterations\n", iterations);

  int after = 0;
#pragma omp parallel
  {
    if (omp_get_thread_num() == 0) {
#pragma omp cancel parallel
    }
#pragma omp barrier
#pragma omp atomic
    after++;
  }
  printf("parallel: every thread went on: %s\n",
         after == expected_threads() ? "yes" : "no");
  return 0;
}
