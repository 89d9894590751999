// Capture errors: default(none), VLAs by value (of any rank), variably
// modified types other than VLAs and pointers to them,
// function-local and anonymous types, names that are not variables.
// RUN: not %ws_cc -fsyntax-only %s 2>&1 | FileCheck %s

void f(int n) {
  int x = 0, counter = 0;
  int vla[n];
  int grid[n][n];
  int (*(*fp)(void))[n] = 0; // returns a pointer to a VLA
  struct local { int a; } l = {1};
  struct { int b; } anon = {2};
#pragma ws task default(none) shared(counter)
  x += counter;
// CHECK-DAG: diag-captures.c:[[@LINE-1]]:3: error: variable 'x' must be listed in 'shared', 'firstprivate' or 'private' because of 'default(none)'
#pragma ws task
  vla[0] = 1;
// CHECK-DAG: diag-captures.c:[[@LINE-1]]:3: error: variable-length array 'vla' cannot be copied into a task; list it in 'shared(vla)'
#pragma ws task
  grid[0][0] = 1;
// CHECK-DAG: diag-captures.c:[[@LINE-1]]:3: error: variable-length array 'grid' cannot be copied into a task; list it in 'shared(grid)'
#pragma ws task private(grid)
  grid[0][0] = 1;
// CHECK-DAG: diag-captures.c:[[@LINE-1]]:3: error: variable-length array 'grid' cannot be copied into a task
#pragma ws task shared(fp)
  fp();
// CHECK-DAG: diag-captures.c:[[@LINE-1]]:3: error: 'fp' has a variably modified type
#pragma ws task
  counter = l.a;
// CHECK-DAG: diag-captures.c:[[@LINE-1]]:13: error: a task cannot capture 'l': its type 'struct local' is declared inside a function or has no name
#pragma ws task
  counter = anon.b;
// CHECK-DAG: diag-captures.c:[[@LINE-1]]:13: error: a task cannot capture 'anon'
#pragma ws task shared(f)
  x++;
// CHECK-DAG: diag-captures.c:[[@LINE-2]]:24: error: 'f' in 'shared' is not a variable
}
