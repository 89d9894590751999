/* parallel for inside a task: the loop's start, bound and step read
 * variables that the task shares (or whose address was taken), and (issue
 * 13, item 4) the loop privatises variables that the task shares: a
 * reduction, firstprivate, private and an induction variable declared
 * before the loop.  Checked against the serial elision. */
#include <stdio.h>

#define N 200

static long bounds_shared(void) {
  int lo = 3, hi = N - 7, step = 3;
  long out[N] = {0};
#pragma ws task shared(lo, hi, step, out)
  {
#pragma ws parallel for grainsize(4)
    for (int i = lo; i < hi; i += step)
      out[i] = (long)i * i;
  }
#pragma ws taskwait
  long sum = 0;
  for (int i = 0; i < N; i++)
    sum += out[i] * (i % 7 + 1);
  return sum;
}

static long bounds_address_taken(void) {
  int n = 0, first = 0;
  long out[N] = {0};
  /* The addresses of n and first are taken: the task copies them, and the
   * loop inside the task reads the copies. */
  if (sscanf("150 4", "%d %d", &n, &first) != 2)
    return -1;
#pragma ws task shared(out)
  {
#pragma ws parallel for
    for (int i = first; i <= n; i++)
      out[i] = 2 * i + 1;
  }
#pragma ws taskwait
  long sum = 0;
  for (int i = 0; i < N; i++)
    sum += out[i] * (i % 5 + 1);
  return sum;
}

static long bounds_down_shared(void) {
  long top = N - 1, bottom = 10;
  int stride = 4;
  long out[N] = {0};
#pragma ws task shared(top, bottom, stride, out)
  {
#pragma ws parallel for
    for (long i = top; i >= bottom; i -= stride)
      out[i] = 3 * i;
  }
#pragma ws taskwait
  long sum = 0;
  for (int i = 0; i < N; i++)
    sum += out[i] * (i % 3 + 1);
  return sum;
}

int main(void) {
  printf("bounds_shared %ld\n", bounds_shared());
  printf("bounds_address_taken %ld\n", bounds_address_taken());
  printf("bounds_down_shared %ld\n", bounds_down_shared());
  return 0;
}
