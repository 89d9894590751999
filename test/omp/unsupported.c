/* Uses a task reduction with the task modifier on a parallel construct,
 * which libws-omp does not implement yet: the program must stop with one
 * line naming the entry point, not run on wrongly. */
#include <stdio.h>

int main(void) {
  long sum = 0;
#pragma omp parallel reduction(task, + : sum)
  {
#pragma omp single
    for (int i = 0; i < 10; i++) {
#pragma omp task in_reduction(+ : sum)
      sum += i;
    }
  }
  printf("sum: %ld\n", sum);
  return 0;
}
