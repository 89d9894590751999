/* The calling convention (clang-plugin/Convention.h): clones that take the
 * fast-deque position, the slot task taken back and run in place at its
 * wait, the return copied into that branch.  Each function below is a case
 * where a careless take would compute something else than the serial
 * program; the comment says what the wrong result would be. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

static int offset = 5;

static int twice(int v) { return 2 * v; }

/* Something between a spawn and its wait, so that the task goes into a
 * slot (one directly followed by its wait is run at once instead). */
static int touched = 0;
static void touch(void) { __atomic_fetch_add(&touched, 1, __ATOMIC_RELAXED); }

/* The guard split and the return copied into the take: fib. */
static long fib(int n) {
  if (n < 2)
    return n;
  long x, y;
#pragma ws task shared(x)
  x = fib(n - 1);
  y = fib(n - 2);
#pragma ws taskwait
  return x + y;
}

/* k is written after the spawn: the take must use the task's copy (the
 * slot's), not k as it is at the wait (2000 instead of 2 * n). */
static int written_after(int n) {
  int k = n, r = 0;
#pragma ws task shared(r)
  r = twice(k);
  k = 1000;
#pragma ws taskwait
  return r + k;
}

/* v is a loop's: the task of iteration 0 is still pending at the wait of
 * iteration 1, where v is that iteration's (r would be 11, not 1). */
static int loop_instance(void) {
  int r = -1;
  for (int i = 0; i < 3; i++) {
    int v = i * 10;
    if (i == 0) {
#pragma ws task shared(r)
      r = v + 1;
    }
    if (i == 1) {
#pragma ws taskwait
    }
  }
  return r;
}

/* `offset` is the file's at the spawn and a local at the wait: no take
 * there (the statement would read 7, not 5). */
static int hidden(int n) {
  int r = 0;
#pragma ws task shared(r)
  r = n + offset;
  int offset = 7;
#pragma ws taskwait
  return r * offset;
}

/* The return's expression has a side effect: evaluated once. */
static int calls = 0;
static int side_effect(int n) {
  int x = 0;
#pragma ws task shared(x)
  x = twice(n);
  touch();
#pragma ws taskwait
  return x + calls++;
}

/* A void function: `return;` copied. */
static void store(int *out, int n) {
  int x = 0;
  if (n < 0)
    return;
#pragma ws task shared(x)
  x = twice(n);
  touch();
#pragma ws taskwait
  *out = x;
  return;
}

/* A loop of spawns: the take runs the newest, the wait the others. */
static long loop_sum(int n) {
  long part[64];
  for (int i = 0; i < n; i++) {
#pragma ws task shared(part)
    part[i] = fib(i % 20);
  }
#pragma ws taskwait
  long s = 0;
  for (int i = 0; i < n; i++)
    s += part[i];
  return s;
}

/* Deeper than the ring (8192 slots): the spawns beyond it are refused and
 * run at once (ws_scope_refused_at). */
static long chain(int n) {
  long x = 0;
  if (n == 0)
    return 0;
#pragma ws task shared(x)
  x = chain(n - 1);
  touch();
#pragma ws taskwait
  return x + 1;
}

/* A task with options beside the slot task: the frame is in use, so the
 * copied return must not run before the frame's wait (x + y with y not
 * yet written). */
static int with_options(int n) {
  int x = 0, y = 0;
#pragma ws task shared(y) if (n > 0)
  y = twice(n + 1);
#pragma ws task shared(x)
  x = twice(n);
  x += 0;
#pragma ws taskwait
  return x + y;
}

/* Calls of clones from a taskgroup, a task and through a pointer: the
 * plain entry. */
static long (*fib_ptr)(int) = fib;
static long mixed_calls(int n) {
  long a = 0, b = 0, c = 0;
#pragma ws taskgroup
  {
    a = fib(n);
#pragma ws task shared(b)
    b = fib(n + 1);
  }
#pragma ws task shared(c)
  c = fib_ptr(n + 2) + fib(2);
  touch();
#pragma ws taskwait
  return a + b + c;
}

/* Mutual recursion through a prototype: calls before the definition take
 * the plain entry, calls after it the clone. */
static long odd_sum(int n);
static long even_sum(int n) {
  long x = 0;
  if (n <= 0)
    return 0;
#pragma ws task shared(x)
  x = odd_sum(n - 1);
  touch();
#pragma ws taskwait
  return x + n;
}
static long odd_sum(int n) {
  long x = 0;
  if (n <= 0)
    return 0;
#pragma ws task shared(x)
  x = even_sum(n - 1);
  touch();
#pragma ws taskwait
  return x + 2 * n;
}

/* A struct result, an array parameter, no parameters at all. */
typedef struct pair {
  long lo, hi;
} pair;
static pair split(const int a[], int n) {
  pair p = {0, 0};
  if (n == 1) {
    p.lo = a[0];
    return p;
  }
  pair l, r;
#pragma ws task shared(l)
  l = split(a, n / 2);
  r = split(a + n / 2, n - n / 2);
#pragma ws taskwait
  p.lo = l.lo + r.lo;
  p.hi = l.hi + r.hi + 1;
  return p;
}
static int nothing(void) {
  int x = 0;
#pragma ws task shared(x)
  x = twice(21);
  touch();
#pragma ws taskwait
  return x;
}

/* __func__ in a clone, a guard after declarations, a statement on several
 * lines with a macro in it (taken with its own lines and the macro as it
 * expands at the wait). */
#define SCALE(v) ((v)*3)
static const char *where = "";
static long spread(int n) {
  long x, y;
  if (n < 2)
    return n;
#pragma ws task shared(x)
  {
    long t = spread(n - 1);
    x = SCALE(t) - 2 * t;
  }
  y = spread(n - 2);
  __atomic_store_n(&where, __func__, __ATOMIC_RELAXED);
#pragma ws taskwait
  return x + y;
}

/* Application threads calling a clone through its plain entry: each
 * thread's own position (before the thread has a worker record, where the
 * fast path is off, its tasks go into the frame).  The main thread steals
 * their tasks while it waits for its own: it must not leave its waits
 * holding their completions (wait.c, ws__wait_for; this hung about once
 * in 15 runs at 3 workers before). */
static void *from_thread(void *arg) {
  long *r = arg;
  *r = fib((int)*r);
  return NULL;
}

/* External linkage: the plain entry keeps it. */
long external_fib(int n);
long external_fib(int n) {
  if (n < 2)
    return n;
  long x, y;
#pragma ws task shared(x)
  x = external_fib(n - 1);
  y = external_fib(n - 2);
#pragma ws taskwait
  return x + y;
}

int main(void) {
  int a[100];
  for (int i = 0; i < 100; i++)
    a[i] = i;
  printf("fib %ld\n", fib(27));
  printf("written_after %d\n", written_after(21));
  printf("loop_instance %d\n", loop_instance());
  printf("hidden %d\n", hidden(3));
  int s1 = side_effect(4), s2 = side_effect(4);
  printf("side_effect %d %d calls %d\n", s1, s2, calls);
  int out = -1;
  store(&out, 9);
  printf("store %d\n", out);
  printf("loop_sum %ld\n", loop_sum(64));
  printf("chain %ld\n", chain(20000));
  printf("with_options %d\n", with_options(3));
  printf("mixed_calls %ld\n", mixed_calls(15));
  printf("even_sum %ld\n", even_sum(30));
  pair p = split(a, 100);
  printf("split %ld %ld\n", p.lo, p.hi);
  printf("nothing %d\n", nothing());
  printf("external_fib %ld\n", external_fib(20));
  printf("touched %d\n", touched);
  pthread_t th[3];
  long args[3] = {18, 19, 20};
  for (int i = 0; i < 3; i++)
    pthread_create(&th[i], NULL, from_thread, &args[i]);
  long own = fib(21);
  for (int i = 0; i < 3; i++)
    pthread_join(th[i], NULL);
  printf("threads %ld %ld %ld %ld\n", args[0], args[1], args[2], own);
  long sp = spread(22);
  printf("spread %ld in %s\n", sp, where);
  return 0;
}
