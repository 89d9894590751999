/* Taskgroups: nested groups, taskwait inside a group, returns from inside a
 * group, descendants waited for at the group's end; checked against the
 * serial elision. */
#include <stdio.h>

static int cells[64];

static void fill(int lo, int hi) {
  if (hi - lo <= 4) {
    for (int i = lo; i < hi; i++)
      cells[i] = i * i;
    return;
  }
  int mid = (lo + hi) / 2;
#pragma ws task
  fill(lo, mid);
#pragma ws task
  fill(mid, hi);
}

static int first_square_above(int limit) {
#pragma ws taskgroup
  {
#pragma ws task
    fill(0, 32);
#pragma ws taskwait
    for (int i = 0; i < 32; i++)
      if (cells[i] > limit)
        return i; /* waits for the group and the function's tasks first */
#pragma ws task
    fill(32, 64);
  }
  for (int i = 32; i < 64; i++)
    if (cells[i] > limit)
      return i;
  return -1;
}

int main(void) {
  int sums[4] = {0};
#pragma ws taskgroup
  {
    for (int g = 0; g < 4; g++) {
#pragma ws task shared(sums)
      {
#pragma ws taskgroup
        {
          for (int k = 0; k < 8; k++) {
#pragma ws task shared(sums)
            {
              int v = g * 100 + k; /* one writer per slot: no race */
              if (k == 7)
                sums[g] = v;
            }
          }
        }
      }
    }
  }
  printf("groups: %d %d %d %d\n", sums[0], sums[1], sums[2], sums[3]);
  printf("first square above 500: %d\n", first_square_above(500));
  printf("first square above 2000: %d\n", first_square_above(2000));
  long total = 0;
  for (int i = 0; i < 64; i++)
    total += cells[i];
  printf("cells total: %ld\n", total);
  return 0;
}
