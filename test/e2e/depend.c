/* depend(in|out|inout: ...) orders sibling tasks on the same storage,
 * checked against the serial elision: a writer chain, readers between
 * writers, overlapping and adjacent array sections, `*p`, a taskgroup, and
 * tasks that spawn dependent tasks of their own. */
#include <stdio.h>

static long step(long v, long k) { return (v * 31 + k) % 1000003; }

/* Each task waits for its own children (its frame), ordered among them. */
static long inner(long seed) {
  long y = seed;
  for (int j = 0; j < 10; j++) {
#pragma ws task shared(y) depend(inout : y)
    y = step(y, j);
  }
  return y;
}

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

  /* Readers between writers: each reader keeps what it saw. */
  long v = 0, seen[200];
  for (int r = 0; r < 50; r++) {
#pragma ws task shared(v) depend(inout : v)
    v = step(v, r);
    for (int k = 0; k < 4; k++) {
#pragma ws task shared(v, seen) depend(in : v)
      seen[r * 4 + k] = v + k;
    }
  }
#pragma ws taskwait
  long h = 0;
  for (int i = 0; i < 200; i++)
    h = step(h, seen[i]);
  printf("v=%ld readers=%ld\n", v, h);

  /* Array sections: overlapping ones are ordered, adjacent ones are not
   * (but write disjoint elements). */
  long b[64];
  for (int i = 0; i < 64; i++)
    b[i] = i;
  for (int r = 0; r < 200; r++) {
    int lo = (r * 7) % 48, len = 1 + r % 16;
#pragma ws task shared(b) depend(inout : b [lo:len])
    for (int i = lo; i < lo + len; i++)
      b[i] = step(b[i], r);
    int rlo = (r * 13) % 56;
#pragma ws task shared(b, seen) depend(in : b [rlo:8])
    {
      long t = 0;
      for (int i = rlo; i < rlo + 8; i++)
        t = step(t, b[i]);
      seen[r] = t;
    }
  }
#pragma ws taskwait
  h = 0;
  for (int i = 0; i < 64; i++)
    h = step(h, b[i]);
  for (int i = 0; i < 200; i++)
    h = step(h, seen[i]);
  printf("sections=%ld\n", h);

  /* Through a pointer, inside a taskgroup, with nested frames. */
  long z = 7, *p = &z;
#pragma ws taskgroup
  {
    for (int r = 0; r < 30; r++) {
#pragma ws task shared(p) depend(inout : *p)
      *p = step(*p, inner(r));
    }
  }
  printf("z=%ld\n", z);
  return 0;
}
