// Jumps out of (or into) a task body, and out of a taskgroup.
// RUN: not %ws_cc -fsyntax-only %s 2>&1 | FileCheck %s

int f(int n) {
  int x = 0;
  for (int i = 0; i < n; i++) {
#pragma ws task
    {
      if (i == 3)
        break;
// CHECK-DAG: diag-jumps.c:[[@LINE-1]]:9: error: 'break' cannot leave a task body
// CHECK-DAG: diag-jumps.c:[[@LINE-5]]:1: note: '#pragma ws task' is here
      if (i == 4)
        continue;
// CHECK-DAG: diag-jumps.c:[[@LINE-1]]:9: error: 'continue' cannot leave a task body
      for (int j = 0; j < i; j++)
        if (j == 2)
          break; // fine: the loop is inside the task
      switch (i) {
      case 1:
        break; // fine
      }
    }
  }
#pragma ws task
  if (n)
    return 1;
// CHECK-DAG: diag-jumps.c:[[@LINE-1]]:5: error: 'return' cannot leave a task body
#pragma ws task
  {
    goto out;
// CHECK-DAG: diag-jumps.c:[[@LINE-1]]:5: error: 'goto out' jumps out of a task body
  }
  goto in;
// CHECK-DAG: diag-jumps.c:[[@LINE-1]]:3: error: 'goto in' jumps into a task body
#pragma ws task
  {
  in:
// CHECK-DAG: diag-jumps.c:[[@LINE-1]]:3: note: label 'in' is here
    x++;
  }
  while (n--) {
#pragma ws taskgroup
    {
      if (n == 5)
        break;
// CHECK-DAG: diag-jumps.c:[[@LINE-1]]:9: error: 'break' cannot leave a taskgroup body
      if (n == 6)
        return 2; // fine: the implicit wait covers the group
    }
  }
out:
  return x;
}
