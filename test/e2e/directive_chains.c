/* A task or taskgroup directly followed by another directive (issue 13,
 * "Also"): task + parallel for, taskgroup + task, task + taskgroup, and a
 * chain task + task + statement.  Checked against the serial elision. */
#include <stdio.h>
static int cells[64];
int main(void) {
  long sum = 0;
  int n = 0;
#pragma ws task shared(cells)
#pragma ws parallel for
  for (int i = 0; i < 64; i++)
    cells[i] = i;
#pragma ws taskwait
#pragma ws taskgroup
#pragma ws task shared(n)
  n = 5;
#pragma ws task shared(sum)
#pragma ws taskgroup
  {
#pragma ws task shared(sum)
    __atomic_fetch_add(&sum, 10, __ATOMIC_RELAXED);
#pragma ws task shared(sum)
    __atomic_fetch_add(&sum, 20, __ATOMIC_RELAXED);
  }
#pragma ws taskwait
#pragma ws task shared(n)
#pragma ws task shared(n)
  n += 100;
#pragma ws taskwait
  for (int i = 0; i < 64; i++)
    sum += cells[i];
  printf("%ld %d\n", sum, n);
  return 0;
}
