/* Capture rules, checked against the serial elision of the same program. */
#include <stdio.h>
#include <string.h>

typedef struct point {
  int x, y;
} point;

int global_hits[16];
static const char *global_name = "global";

static int scale(int v) { return 3 * v + 1; }

/* firstprivate by default: the task sees the value at spawn time. */
static void by_value(void) {
  int v = 10, out[4] = {0};
  for (int i = 0; i < 4; i++) {
#pragma ws task shared(out)
    out[i] = v + i;
    v += 100; /* later changes do not reach the task already spawned */
  }
#pragma ws taskwait
  printf("by_value: %d %d %d %d\n", out[0], out[1], out[2], out[3]);
}

/* shared: the task writes the caller's variable; the implicit wait at the
 * return makes that safe. */
static int by_address(int n) {
  int a = 0, b = 0;
#pragma ws task shared(a)
  a = scale(n);
#pragma ws task shared(b) firstprivate(n)
  b = scale(n + 1);
  return a + b; /* evaluated after the implicit wait */
}

/* Arrays are copied whole (the task reads its copy).  Tasks only write
 * shared storage here: writing a private copy is where a program's meaning
 * would differ from its serial elision. */
static void arrays(void) {
  int src[5] = {1, 2, 3, 4, 5};
  int sums[2] = {0, 0};
#pragma ws task shared(sums)
  {
    int s = 0;
    for (int i = 0; i < 5; i++) {
      s += src[i];
    }
    sums[0] = s;
    sums[1] = (int)(sizeof src / sizeof src[0]);
  }
#pragma ws taskwait
  printf("arrays: sum=%d len=%d\n", sums[0], sums[1]);
}

/* private: an uninitialised copy for the task's scratch work. */
static void privates(void) {
  int tmp = 7, res = 0;
#pragma ws task private(tmp) shared(res)
  {
    tmp = 40;
    res = tmp + 2;
  }
#pragma ws taskwait
  printf("privates: res=%d\n", res);
  (void)tmp;
}

/* Structs by value, statics and globals by address. */
static void structs_statics_globals(void) {
  point p = {2, 3};
  static int calls;
  int results[8];
  for (int i = 0; i < 8; i++) {
#pragma ws task shared(results)
    {
      results[i] = p.x * i + p.y;
      global_hits[i] = i * i;
    }
  }
#pragma ws task
  calls++;
#pragma ws taskwait
  p.x = 100; /* after the tasks: no effect on them */
  int total = 0, hits = 0;
  for (int i = 0; i < 8; i++) {
    total += results[i];
    hits += global_hits[i];
  }
  printf("structs: total=%d hits=%d calls=%d %s\n", total, hits, calls,
         global_name);
}

/* default(shared) and default(none). */
static void defaults(void) {
  int x = 1, y = 2, z = 0;
#pragma ws task default(shared)
  z = x + y;
#pragma ws taskwait
  int w = 0;
#pragma ws task default(none) shared(w) firstprivate(z)
  w = z * 10;
#pragma ws taskwait
  printf("defaults: z=%d w=%d\n", z, w);
}

/* Variable-length arrays are shared. */
static void vla(int n) {
  int v[n];
  for (int i = 0; i < n; i++)
    v[i] = 0;
  for (int i = 0; i < n; i++) {
#pragma ws task shared(v)
    v[i] = i * 2;
  }
#pragma ws taskwait
  int s = 0;
  for (int i = 0; i < n; i++)
    s += v[i];
  printf("vla: n=%d sum=%d\n", n, s);
}

int main(void) {
  by_value();
  printf("by_address: %d\n", by_address(5));
  arrays();
  privates();
  structs_statics_globals();
  defaults();
  vla(37);
  return 0;
}
