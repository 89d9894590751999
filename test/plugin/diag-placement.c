// Where directives may stand: inside a function, a task before a statement
// (not a declaration), a taskgroup before a compound statement.
// RUN: not %ws_cc -fsyntax-only %s 2>&1 | FileCheck %s

int f(int n) {
  int x = 0;
#pragma ws task
  int y = 3;
// CHECK-DAG: diag-placement.c:[[@LINE-1]]:3: error: '#pragma ws task' must be followed by a statement, not a declaration
// CHECK-DAG: diag-placement.c:[[@LINE-3]]:1: note: '#pragma ws task' is here
#pragma ws taskgroup
  x++;
// CHECK-DAG: diag-placement.c:[[@LINE-1]]:3: error: '#pragma ws taskgroup' must be followed by a compound statement '{ ... }'
#pragma ws cancellation point
// CHECK-DAG: diag-placement.c:[[@LINE-1]]:1: error: '#pragma ws cancellation point' is only allowed inside a task body
  {
    x++;
#pragma ws task
  }
// CHECK-DAG: diag-placement.c:[[@LINE-2]]:1: error: '#pragma ws task' must be followed by a statement
#pragma ws task
#pragma ws taskwait
// CHECK-DAG: diag-placement.c:[[@LINE-2]]:1: error: '#pragma ws task' must be followed by a statement, not by another directive
  if (n > 2)
#pragma ws taskwait
    x++;
// CHECK-DAG: diag-placement.c:[[@LINE-2]]:1: error: '#pragma ws taskwait' cannot be the body of 'if', 'else', 'while', 'for' or 'do' (without the directive the next statement would be); put it in braces
  while (n--)
#pragma ws cancel taskgroup
    x++;
// CHECK-DAG: diag-placement.c:[[@LINE-2]]:1: error: '#pragma ws cancel taskgroup' cannot be the body of 'if'
  return x + y + n;
}
#pragma ws taskwait
// CHECK-DAG: diag-placement.c:[[@LINE-1]]:1: error: '#pragma ws taskwait' must appear inside a function body
