// Clause expressions and variable lists are checked by Sema at their own
// columns; no object file is produced.
// RUN: rm -f %t.o
// RUN: not %ws_cc -c %s -o %t.o 2>&1 | FileCheck %s
// RUN: not test -e %t.o

void f(int n) {
  int x = 0;
#pragma ws task shared(nosuch)
  x++;
// CHECK: diag-sema.c:[[@LINE-2]]:24: error: use of undeclared identifier 'nosuch'
#pragma ws task if(n > missing)
  x++;
// CHECK: diag-sema.c:[[@LINE-2]]:24: error: use of undeclared identifier 'missing'
}
