// Remaining diagnostics: computed goto, directives in headers, C++.
// RUN: not %ws_cc -fsyntax-only %s 2>&1 | FileCheck %s
// RUN: not %ws_cc -fsyntax-only -DHEADER %s 2>&1 | FileCheck %s --check-prefix=HDRCHECK
// RUN: not %clang -fplugin=%plugin -I%ws_include -x c++ -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=CXXCHECK
#ifdef HEADER
#include "Inputs/header_task.h"
// HDRCHECK: header_task.h:2:1: error: this '#pragma ws' was not rewritten
#endif

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

