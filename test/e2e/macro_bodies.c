/* Captured variables used inside macro bodies in task and loop bodies
 * (issue 16): function-like and object-like macros, nested macros, a macro
 * naming a shared array element, # and ##, a static local, a return from a
 * macro body in a function that spawns, a parallel for header from a
 * macro.  Checked against the serial elision. */
#include <stdio.h>

#define ACC(v) (total[(v) % 4] += (v))
#define BUMP() __atomic_fetch_add(&count, 1, __ATOMIC_RELAXED)
#define STR(x) #x
#define CAT(a, b) a##b
#define ELEM(i) arr[i]
#define NESTED(v)                                                              \
  ACC(v);                                                                      \
  BUMP()
#define FOR_EACH(i, n) for (int i = 0; i < (n); i++)
#define FAIL_IF(c)                                                             \
  if (c)                                                                       \
  return -1
#define CALLS calls

static int f(int n) {
  long total[4] = {0};
  int count = 0, arr[8] = {0}, sum = 0;
  static int calls;
  for (int k = 0; k < n; k++) {
#pragma ws task shared(count)
    {
      __atomic_fetch_add(&CAT(cou, nt), k, __ATOMIC_RELAXED);
      BUMP();
    }
  }
#pragma ws taskwait
#pragma ws task shared(total, count, arr)
  {
    NESTED(5);
    ACC(6);
    ELEM(3) = (int)sizeof STR(count);
    CALLS++;
  }
#pragma ws taskwait
#pragma ws parallel for reduction(+ : sum)
  FOR_EACH(i, 8)
  sum += ELEM(i) + i;
  FAIL_IF(n < 0);
  return (int)(total[1] + total[2]) * 1000 + count * 100 + sum + calls;
}

static int early(int n) {
  int x = 0;
#pragma ws task shared(x)
  x = n * 3;
  FAIL_IF(n > 100); /* waits for the task first */
  return x;
}

int main(void) {
  printf("f %d\n", f(6));
  printf("early %d %d\n", early(7), early(200));
  return 0;
}
