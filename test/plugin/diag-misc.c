// Remaining diagnostics: computed goto, return inside a macro body,
// directives in headers, C++.
// RUN: not %ws_cc -fsyntax-only %s 2>&1 | FileCheck %s
// RUN: not %ws_cc -fsyntax-only -DHEADER %s 2>&1 | FileCheck %s --check-prefix=HDRCHECK
// RUN: not %ws_cc -fsyntax-only -DRETMACRO %s 2>&1 | FileCheck %s --check-prefix=RETCHECK
// RUN: not %clang -fplugin=%plugin -I%ws_include -x c++ -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=CXXCHECK
#ifdef HEADER
#include "Inputs/header_task.h"
// HDRCHECK: header_task.h:2:1: error: this '#pragma ws' was not rewritten
#endif
#define FAIL_IF(c) if (c) return -1

int sum(const int *v, int n) {
  int s = 0;
#pragma ws task shared(s)
  s = v[0] + n;
// CXXCHECK: diag-misc.c:[[@LINE-2]]:1: error: ws directives are supported in C only
  return s;
}

#ifndef __cplusplus
int jumps(int n) {
  void *target = &&out;
#pragma ws task
  goto *target;
// CHECK: diag-misc.c:[[@LINE-1]]:3: error: computed 'goto' is not allowed in a task body
out:
  return n;
}
#endif

#ifdef RETMACRO
int early(int n) {
  int x = 0;
  FAIL_IF(n < 0);
// RETCHECK: diag-misc.c:[[@LINE-1]]:3: error: 'return' inside a macro body in a function that spawns tasks
#pragma ws task shared(x)
  x = n;
  return x;
}
#endif
