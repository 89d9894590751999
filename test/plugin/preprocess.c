// -E leaves the directives alone (the plugin only acts on compilation).
// RUN: %ws_cc -E %s | FileCheck %s

int f(int n) {
  int x = 0;
#pragma ws task shared(x)
  x = n;
#pragma ws taskwait
  return x;
}
// CHECK: #pragma ws task shared(x)
// CHECK-NEXT: x = n;
// CHECK-NEXT: #pragma ws taskwait
// CHECK-NOT: ws_spawn
