// A file without ws directives compiles exactly as without the plugin.
// RUN: %clang -O1 -S -emit-llvm %s -o %t.plain.ll
// RUN: %ws_cc -O1 -S -emit-llvm %s -o %t.plugin.ll
// RUN: diff %t.plain.ll %t.plugin.ll
// And a warning still appears once.
// RUN: %ws_cc -Wall -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=WARN

int square(int v) {
  int unused;
  return v * v;
}
// WARN-COUNT-1: warning: unused variable 'unused'
// WARN-NOT: warning:
