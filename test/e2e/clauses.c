/* if, final, priority, name, timeout, untied, mergeable, yield: none changes
 * the result, checked against the serial elision. */
#include <stdio.h>

static int level(int i) { return i % 4; }

static long work(int n) {
  long s = 0;
  for (int i = 0; i < n; i++) {
    s += (long)i * i % 7;
#pragma ws yield
  }
  return s;
}

int main(void) {
  long r[12] = {0};
  for (int i = 0; i < 12; i++) {
#pragma ws task shared(r) priority(level(i)) name("prio")
    r[i] = work(1000 + i);
  }
#pragma ws taskwait
#pragma ws task shared(r) priority(critical) if (0)
  r[0] += 1;
#pragma ws task shared(r) priority(low) final(1) untied mergeable
  {
#pragma ws task shared(r)
    r[1] += 2; /* runs at once: inside a final task */
  }
#pragma ws task shared(r) priority(high) timeout(10000)
  r[2] += 3;
#pragma ws taskwait
  long total = 0;
  for (int i = 0; i < 12; i++)
    total += r[i];
  printf("levels: %d %d\n", level(5), level(7));
  printf("total = %ld, r0 = %ld, r1 = %ld, r2 = %ld\n", total, r[0], r[1],
         r[2]);
  return 0;
}
