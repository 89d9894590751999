/* depend(in|out|inout: ...) orders sibling tasks on the same storage,
 * checked against the serial elision. */
#include <stdio.h>

int main(void) {
  int a[16] = {0}, x = 0, y = 0;
  long chain = 1;
  for (int round = 0; round < 20; round++) {
#pragma ws task shared(x) depend(out : x)
    x = round + 5;
#pragma ws task shared(x, y) depend(in : x) depend(out : y)
    y = x * 2;
#pragma ws task shared(a, y) depend(in : y) depend(inout : a [4:8])
    for (int i = 4; i < 12; i++)
      a[i] += y + i;
#pragma ws task shared(chain) depend(inout : chain)
    chain = chain * 3 % 1000003;
  }
#pragma ws taskwait
  long s = 0;
  for (int i = 0; i < 16; i++)
    s += a[i];
  printf("x=%d y=%d sum=%ld chain=%ld\n", x, y, s, chain);
  return 0;
}
