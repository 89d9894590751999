// A file analysed again after its macros are spelled out reports each
// warning once: Clang's own from the first parse, ws-lost-write from the
// parse whose rewrite is used.
// RUN: %ws_cc -fsyntax-only -Wall %s 2>&1 | FileCheck %s --implicit-check-not=warning:
// RUN: %ws_rewrite %s -- -Wall -I%ws_include 2>&1 >/dev/null | FileCheck %s --implicit-check-not=warning:
#define SPAWN(s) _Pragma("ws task") s
#define ADD(v) (total += (v))
int work(int);

int spelled(int n) {
  int r = 0, unused, total = 0;
  SPAWN(r = work(n);)
#pragma ws task shared(total)
  ADD(n);
  return r + total;
}
// CHECK: warn-once-spelled.c:11:14: warning: unused variable 'unused'
// CHECK: warn-once-spelled.c:12:{{[0-9]+}}: warning: the task assigns 'r'
