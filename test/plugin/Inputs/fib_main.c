#include <stdio.h>
#include <stdlib.h>

long fib(int n);

int main(int argc, char **argv) {
  int n = argc > 1 ? atoi(argv[1]) : 20;
  printf("fib(%d) = %ld\n", n, fib(n));
  return 0;
}
