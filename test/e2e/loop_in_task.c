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

/* Item 4: the loop makes its own what the task shares. */
static long reduction_of_shared(void) {
  long total = 5;
  double fsum = 0.5;
#pragma ws task shared(total, fsum)
  {
#pragma ws parallel for reduction(+ : total, fsum) grainsize(8)
    for (int i = 0; i < N; i++) {
      total += (long)i * 3;
      fsum += i * 0.25;
    }
    total += 1000; /* after the loop: the combined value */
  }
#pragma ws taskwait
  return total + (long)(fsum * 4);
}

static long firstprivate_of_shared(void) {
  int scale = 7, bias = 2, tmp = -1;
  long out[N] = {0};
#pragma ws task shared(scale, bias, tmp, out)
  {
#pragma ws parallel for firstprivate(scale) private(tmp)
    for (int i = 0; i < N; i++) {
      tmp = i * bias; /* written before it is read: private is safe */
      out[i] = tmp + scale;
    }
    out[0] += scale;
  }
#pragma ws taskwait
  long sum = 0;
  for (int i = 0; i < N; i++)
    sum += out[i] * (i % 4 + 1);
  return sum;
}

static long induction_shared(void) {
  int i = -5, j = -9;
  long out[N][4] = {{0}};
  long exit_value = 0;
#pragma ws task shared(i, j, out, exit_value)
  {
#pragma ws parallel for
    for (i = 2; i < N - 1; i++)
      for (j = 0; j < 4; j++) /* a sequential counter: private */
        out[i][j] = (long)i * 10 + j;
    exit_value = i; /* N - 1, as the serial loop leaves it */
  }
#pragma ws taskwait
  long sum = exit_value * 1000 + i;
  for (int r = 0; r < N; r++)
    for (int c = 0; c < 4; c++)
      sum += out[r][c] * (c + 1);
  return sum;
}

static long default_firstprivate_of_shared(void) {
  long base = 11, total = 0;
#pragma ws task shared(base, total)
  {
#pragma ws parallel for default(firstprivate) reduction(+ : total)
    for (int i = 0; i < N; i++)
      total += i + base;
    total += base;
  }
#pragma ws taskwait
  return total;
}

/* A loop in a loop in a task: the inner loop reduces into the outer loop's
 * private variable, and the task's shared one. */
static long nested_in_task(void) {
  long grand = 0;
#pragma ws task shared(grand)
  {
#pragma ws parallel for reduction(+ : grand)
    for (int r = 0; r < 16; r++) {
      long row = 0;
#pragma ws parallel for reduction(+ : row, grand)
      for (int c = 0; c < 16; c++) {
        row += r * c;
        grand += 1;
      }
      grand += row;
    }
  }
#pragma ws taskwait
  return grand;
}

int main(void) {
  printf("bounds_shared %ld\n", bounds_shared());
  printf("bounds_address_taken %ld\n", bounds_address_taken());
  printf("bounds_down_shared %ld\n", bounds_down_shared());
  printf("reduction_of_shared %ld\n", reduction_of_shared());
  printf("firstprivate_of_shared %ld\n", firstprivate_of_shared());
  printf("induction_shared %ld\n", induction_shared());
  printf("default_firstprivate_of_shared %ld\n",
         default_firstprivate_of_shared());
  printf("nested_in_task %ld\n", nested_in_task());
  return 0;
}
