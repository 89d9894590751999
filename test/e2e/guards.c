/* Preprocessor lines between a directive and its statement (issue 16):
 * guards as code ported from OpenMP writes them (`#ifdef`, the directive,
 * `#endif`), an inactive `#else` branch, `#line`, a true `#if` around the
 * statement, for task, taskgroup and parallel for.  Checked against the
 * serial elision. */
#include <stdio.h>

#define USE_WS 1

static int work(int x) { return x * 2 + 1; }

static long fib(int n) {
  long x, y;
  if (n < 2)
    return n;
#ifdef USE_WS
#pragma ws task shared(x)
#endif
  x = fib(n - 1);
#if USE_WS
#pragma ws task shared(y)
#else
  y = -1; /* the serial variant: an inactive branch */
#endif
  y = fib(n - 2);
#ifdef USE_WS
#pragma ws taskwait
#endif
  return x + y;
}

static long mixed(void) {
  int r = 0, s = 0;
  long acc[16] = {0};
#pragma ws task shared(r)
#line 100
  r = work(20);
#pragma ws task shared(s)
#if 1
  s = work(__LINE__ - 100);
#endif
#if defined(USE_WS)
#pragma ws parallel for
#endif
  for (int i = 0; i < 16; i++)
    acc[i] = (long)i * i;
#ifdef USE_WS
#pragma ws taskgroup
#endif
  {
#pragma ws task shared(acc)
    acc[0] = 1000;
  }
#pragma ws taskwait
  return r * 100000L + s * 1000L + acc[0] + acc[15];
}

int main(void) {
  printf("fib %ld\n", fib(20));
  printf("mixed %ld\n", mixed());
  return 0;
}
