/* Prints what the environment set: used by env.sh. */
#include <omp.h>
#include <stdio.h>

int main(void) {
  int team = 0;
#pragma omp parallel
  {
#pragma omp master
    team = omp_get_num_threads();
  }
  omp_sched_t kind;
  int chunk;
  omp_get_schedule(&kind, &chunk);
  printf("max_threads %d procs %d team %d schedule %d,%d priority %d\n",
         omp_get_max_threads(), omp_get_num_procs(), team, (int)kind, chunk,
         omp_get_max_task_priority());
  return 0;
}
