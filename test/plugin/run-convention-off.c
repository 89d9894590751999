// A clone called where the fast path is off -- a taskgroup's body, a task
// of a taskgroup, a trace being written -- gets that position
// (ws_at_here(): ws__fast_off), and its tasks still go into its frame,
// deferred, as any other spawn there (ws_scope_start_at,
// ws_scope_refused_at): the spawner goes on while they wait.  Here the task
// waits (up to 2 s) for its spawner's next statement; had it been run at
// once, undeferred, it would report 0.  (The serial elision runs it at
// once: this is checked against the expected values, at 1, 2 and 8
// workers, and with a trace.)
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v "RUN:" | grep -c "ws_scope __ws_sc = ws_scope_start_at" | FileCheck %s --check-prefix=REWRITE
// RUN: %wscc -O1 -Wall -Wextra -Werror %s -o %t
// RUN: env WS_NUM_WORKERS=1 %t | FileCheck %s
// RUN: env WS_NUM_WORKERS=2 %t | FileCheck %s
// RUN: env WS_NUM_WORKERS=8 %t | FileCheck %s
// RUN: env WS_NUM_WORKERS=2 WS_TRACE=%t.trace %t | FileCheck %s
// REWRITE: 1
#include <stdio.h>
#include <time.h>

static int flag;

static int seen_after(int n) {
  int seen = 0;
  if (n < 0)
    return -1;
#pragma ws task shared(seen)
  {
    struct timespec t0, t;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    do
      clock_gettime(CLOCK_MONOTONIC, &t);
    while (!__atomic_load_n(&flag, __ATOMIC_ACQUIRE) &&
           (t.tv_sec - t0.tv_sec) * 1000000000L + (t.tv_nsec - t0.tv_nsec) <
               2000000000L);
    seen = __atomic_load_n(&flag, __ATOMIC_ACQUIRE);
  }
  __atomic_store_n(&flag, n, __ATOMIC_RELEASE);
#pragma ws taskwait
  return seen;
}

int main(void) {
  int a = 0, b = 0, c;
  // CHECK: outside 1
  c = seen_after(1);
  printf("outside %d\n", c);
  __atomic_store_n(&flag, 0, __ATOMIC_RELEASE);
  // CHECK-NEXT: in a taskgroup 2
#pragma ws taskgroup
  { a = seen_after(2); }
  printf("in a taskgroup %d\n", a);
  __atomic_store_n(&flag, 0, __ATOMIC_RELEASE);
  // CHECK-NEXT: in a task of a taskgroup 3
#pragma ws taskgroup
  {
#pragma ws task shared(b)
    b = seen_after(3);
  }
  printf("in a task of a taskgroup %d\n", b);
  return 0;
}
