/* fib: the classic recursive task example.
 *   wscc -O2 fib.c -o fib && ./fib 32
 * Checks itself against an iterative computation. */
#include <stdio.h>
#include <stdlib.h>

static long fib(int n) {
  long x, y;
  if (n < 2)
    return n;
    /* Below the cut-off, spawning costs more than it gains. */
#pragma ws task shared(x) final(n < 12)
  x = fib(n - 1);
  y = fib(n - 2);
#pragma ws taskwait
  return x + y;
}

static long fib_serial(int n) {
  long a = 0, b = 1;
  for (int i = 0; i < n; i++) {
    long t = a + b;
    a = b;
    b = t;
  }
  return a;
}

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 32;
  long got = fib(n), want = fib_serial(n);
  printf("fib(%d) = %ld [%s]\n", n, got, got == want ? "ok" : "WRONG");
  return got == want ? 0 : 1;
}
