// handle(h), requires(names) and prefers(names) (issue 19): how they reach
// ws_spawn_ex, and that they run -- the handle's task waited for alone, the
// required task on the worker holding the capability, an unknown name
// refused at the spawn (three spawns, one `ws:` line); malformed clauses are
// diagnosed at their column
// (syntax errors come before type errors: BAD-DAG, each at its line).
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v "REWRITE[-A-Z]*:" | FileCheck %s --check-prefix=REWRITE
// RUN: %wscc -O1 -Wall -Wextra -Werror %s -o %t
// RUN: env WS_NUM_WORKERS=3 WS_CAPS="gpu=1;numa0=0-1" %t 2>&1 | FileCheck %s
// RUN: env WS_NUM_WORKERS=1 WS_CAPS="gpu=0;numa0=0" %t 2>&1 | FileCheck %s --check-prefix=ONE
// RUN: not %ws_cc -fsyntax-only -DBAD %s 2>&1 | FileCheck %s --check-prefix=BAD
#include <stdio.h>
#include <ws.h>

static int work(int x) { return 2 * x; }
#ifdef BAD
static ws_handle make_handle(void) { ws_handle h = WS_HANDLE_INIT; return h; }
#endif

int main(void) {
  ws_handle h = WS_HANDLE_INIT;
  int a = 0, b = -1, c = -1, d = 0;
  {
#pragma ws task handle(h) shared(a)
    a = work(21);
    // REWRITE: .handle = &(h) };
#pragma ws task requires(gpu) shared(b)
    b = ws_worker_id();
    // REWRITE: .requires = ws_caps_named("gpu") };
#pragma ws task prefers(numa0, gpu) shared(c)
    c = ws_worker_id();
    // REWRITE: .prefers = ws_caps_named("numa0,gpu") };
    for (int k = 0; k < 3; k++) {
#pragma ws task requires(nosuch) shared(d)
      d = 1;
    }
    ws_handle_wait(&h);
    printf("handle %d a=%d\n", ws_handle_state(&h), a);
    // Refused three times, said once:
    // CHECK: ws: a task requires a capability name that is not defined
    // CHECK-NOT: ws: a task requires
    // CHECK: handle 3 a=42
  }
#pragma ws taskwait
  printf("gpu task on %d, preferred on %d, unknown ran %d\n", b, c, d);
  // CHECK: gpu task on 1, preferred on {{[0-9]}}, unknown ran 0
  // ONE: gpu task on 0, preferred on 0, unknown ran 0
#ifdef BAD
  {
    int x = 0;
#pragma ws task requires(1gpu)
    x++;
    // BAD-DAG: :[[@LINE-2]]:26: error: invalid argument '1gpu' for 'requires'; expected a capability name (WS_CAPS)
#pragma ws task prefers(gpu numa0)
    x++;
    // BAD-DAG: :[[@LINE-2]]:29: error: expected ',' or ')' in 'prefers', found 'numa0'
#pragma ws task handle(x)
    x++;
    // BAD-DAG: :[[@LINE-2]]:24: error: invalid argument 'x' for 'handle'; expected a variable of type 'ws_handle'
#pragma ws task requires(gpu) requires(numa0)
    x++;
    // BAD-DAG: :[[@LINE-2]]:31: error: clause 'requires' appears more than once
#pragma ws task prefers()
    x++;
    // BAD-DAG: :[[@LINE-2]]:25: error: invalid argument ')' for 'prefers'; expected a capability name (WS_CAPS)
#pragma ws task handle(h) handle(h)
    x++;
    // BAD-DAG: :[[@LINE-2]]:27: error: clause 'handle' appears more than once
#pragma ws task requires(gpu,)
    x++;
    // BAD-DAG: :[[@LINE-2]]:30: error: invalid argument ')' for 'requires'; expected a capability name (WS_CAPS)
#pragma ws task handle(make_handle())
    x++;
    // BAD-DAG: :[[@LINE-2]]:24: error: invalid argument 'make_handle()' for 'handle'; expected a variable of type 'ws_handle'
#pragma ws parallel for requires(gpu)
    for (int i = 0; i < 4; i++)
      x += i;
    // BAD-DAG: :[[@LINE-3]]:25: error: clause 'requires' is not allowed on '#pragma ws parallel for'
  }
#endif
  return 0;
}
// BAD: 9 errors generated.
