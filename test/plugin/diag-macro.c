// A variable captured by address can be rewritten inside a macro argument,
// not inside a macro body.
// RUN: not %ws_cc -fsyntax-only %s 2>&1 | FileCheck %s
#define BUMP() (counter++)
#define ADD(v, k) ((v) += (k))

void f(void) {
  int counter = 0;
#pragma ws task shared(counter)
  ADD(counter, 2);
#pragma ws task shared(counter)
  BUMP();
// CHECK: diag-macro.c:[[@LINE-1]]:3: error: 'counter' is captured by address but used inside a macro body
// CHECK-NOT: error:
}
