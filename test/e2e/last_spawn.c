/* Tasks that a wait for their frame directly follows, which the plugin
 * lowers to ws_spawn_last: before a taskwait, before a return, at the end of
 * a function and at the end of a task's body; with priorities, in a loop's
 * block, and beside tasks that stay queued.  Checked against the serial
 * elision. */
#include <stdio.h>

/* Both children, the second one last before the taskwait. */
static long fib(int n) {
  if (n < 2)
    return n;
  long x, y;
#pragma ws task shared(x)
  x = fib(n - 1);
#pragma ws task shared(y)
  y = fib(n - 2);
#pragma ws taskwait
  return x + y;
}

/* The last task ends the function (its implicit wait). */
static void count_paths(int depth, long *out) {
  if (depth == 0) {
    *out = 1;
    return;
  }
  long a = 0, b = 0, c = 0;
#pragma ws task shared(a)
  count_paths(depth - 1, &a);
#pragma ws task shared(b)
  count_paths(depth - 1, &b);
#pragma ws task shared(c) priority(high)
  count_paths(depth - 2 > 0 ? depth - 2 : 0, &c);
#pragma ws taskwait
  *out = a + b + c;
}

/* The last task before a return, and a high-tier task ahead of it. */
static long weighted(int n) {
  if (n < 3)
    return n;
  long hi = 0, lo = 0;
#pragma ws task shared(hi) priority(high)
  hi = 3 * weighted(n - 2);
#pragma ws task shared(lo) priority(low)
  lo = weighted(n - 1);
  return hi + lo + 1;
}

/* A task's body that ends with a task; the outer task ends the function. */
static void nested(long *out, int n) {
#pragma ws task shared(out)
  {
    long part[4] = {0, 0, 0, 0};
    for (int i = 0; i < 4; i++) {
#pragma ws task shared(part)
      part[i] = fib(n + i);
#pragma ws taskwait
    }
#pragma ws task shared(part, out)
    *out = part[0] + 2 * part[1] + 3 * part[2] + 4 * part[3];
  }
}

int main(void) {
  long paths = 0, nest = 0;
  count_paths(12, &paths);
  nested(&nest, 14);
  printf("fib(24) = %ld\n", fib(24));
  printf("paths(12) = %ld\n", paths);
  printf("weighted(22) = %ld\n", weighted(22));
  printf("nested = %ld\n", nest);
  return 0;
}
