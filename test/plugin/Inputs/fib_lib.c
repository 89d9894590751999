long fib(int n) {
  long x, y;
  if (n < 2)
    return n;
#pragma ws task shared(x) final(n < 8)
  x = fib(n - 1);
  y = fib(n - 2);
#pragma ws taskwait
  return x + y;
}
