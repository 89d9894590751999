// Warnings in the user's code are printed once (from the analysis parse),
// -Werror turns them into errors, -w silences them; the rewritten text adds
// none of its own.
// RUN: %ws_cc -Wall -Wextra -Wdeclaration-after-statement -c %s -o %t.o 2>&1 | FileCheck %s
// RUN: not %ws_cc -Wall -Werror -c %s -o %t.o 2>&1 | FileCheck %s --check-prefix=WERR
// RUN: %ws_cc -Wall -w -c %s -o %t.o 2>&1 | count 0

int f(int n) {
  int unused_local;
  int x = 0;
#pragma ws task shared(x)
  x = n;
  return x;
}
// CHECK: warnings.c:9:7: warning: unused variable 'unused_local'
// CHECK-NOT: warning:
// CHECK: 1 warning generated.
// WERR: warnings.c:9:7: error: unused variable 'unused_local'
