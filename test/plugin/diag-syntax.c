// Directive syntax errors: each is reported at its own line and column, the
// compile fails and leaves no object file.
// RUN: rm -f %t.o
// RUN: not %ws_cc -c %s -o %t.o 2> %t.err
// RUN: FileCheck %s < %t.err
// RUN: not test -e %t.o

void f(int n) {
  int x = 0, y = 0;
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:26: error: invalid argument 'urgent' for 'priority'; did you mean 'critical'?
#pragma ws task priority(urgent)
  x++;
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:12: error: unknown ws directive 'tsak'; did you mean 'task'?
#pragma ws tsak
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:12: error: unknown ws directive 'frobnicate'{{$}}
#pragma ws frobnicate
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:17: error: unknown clause 'fnal' on '#pragma ws task'; did you mean 'final'?
#pragma ws task fnal(1)
  x++;
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:34: error: variable 'x' is listed twice in 'shared'
#pragma ws task shared(x) shared(x)
  x++;
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:40: error: variable 'y' is listed in both 'shared' and 'firstprivate'
#pragma ws task shared(y) firstprivate(y)
  x++;
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:20: error: expected ')' to close 'if('
#pragma ws task if(
  x++;
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:25: error: invalid argument 'private_' for 'default'; expected 'firstprivate', 'shared' or 'none'
#pragma ws task default(private_)
  x++;
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:29: error: clause 'priority' appears more than once
#pragma ws task priority(1) priority(2)
  x++;
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:21: error: clause 'if' is not allowed on '#pragma ws taskwait'
#pragma ws taskwait if(1)
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:20: error: expected 'for' after 'parallel'
#pragma ws parallel
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:22: error: expected a string literal in 'name'
#pragma ws task name(label)
  x++;
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:1: error: expected a ws directive after '#pragma ws'
#pragma ws
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:17: error: clause 'grainsize' is not allowed on '#pragma ws task'
#pragma ws task grainsize(4)
  x++;
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:26: error: expected ',' or ')' in 'shared', found 'y'
#pragma ws task shared(x y)
  x++;
// CHECK-DAG: diag-syntax.c:[[@LINE+1]]:23: error: clause 'untied' takes no arguments
#pragma ws task untied(1)
  x++;
  (void)n;
}
// CHECK-NOT: PLEASE submit
