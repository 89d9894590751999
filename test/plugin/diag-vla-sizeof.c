// A shared variable-length array reaches the task through a pointer, so
// `sizeof` of it inside the task would change meaning: an error.
// RUN: not %ws_cc -fsyntax-only %s 2>&1 | FileCheck %s

void f(int n) {
  int v[n];
  int size = (int)sizeof v; // fine: outside the task
#pragma ws task shared(v) firstprivate(size)
  v[0] = (int)sizeof v + size;
// CHECK: diag-vla-sizeof.c:[[@LINE-1]]:15: error: 'sizeof v' inside a task: the task sees the variable-length array through a pointer
}
