/* Uses `cancel`, which libws-omp does not implement yet: the program must
 * stop with one line naming the entry point, not run on wrongly. */
#include <stdio.h>

int main(void) {
  int x = 0;
#pragma omp parallel
  {
#pragma omp cancel parallel
#pragma omp atomic
    x++;
  }
  printf("ran on: %d\n", x > 0);
  return 0;
}
