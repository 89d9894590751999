// Every parallel for diagnostic, with its line and column.
// RUN: not %ws_cc -fsyntax-only -ferror-limit=0 %s 2>&1 | FileCheck %s

struct point { int x, y; };
int g;

void f(int n, double *a, struct point *pts) {
  int i = 0, k;
  double d = 0;
  struct point p = {0, 0};

#pragma ws parallel for
  while (i < n)
    i++;
// CHECK-DAG: loop-diag.c:[[@LINE-2]]:3: error: '#pragma ws parallel for' must be followed by a for loop

#pragma ws parallel for
  for (; i < n; i++)
    a[i] = 0;
// CHECK-DAG: loop-diag.c:[[@LINE-2]]:7: error: parallel for: the loop must initialise its induction variable: 'for (T i = start; ...)' or 'for (i = start; ...)'

#pragma ws parallel for
  for (double x = 0; x < n; x++)
    a[0] = x;
// CHECK-DAG: loop-diag.c:[[@LINE-2]]:15: error: induction variable 'x' must have an integer type of at most 64 bits or a pointer type, not 'double'

#pragma ws parallel for
  for (i = 0; i * 2 < n; i++)
    a[i] = 0;
// CHECK-DAG: loop-diag.c:[[@LINE-2]]:21: error: condition must compare the induction variable 'i' with <, <=, >, >= or !=

#pragma ws parallel for
  for (i = 0; i == n; i++)
    a[i] = 0;
// CHECK-DAG: loop-diag.c:[[@LINE-2]]:17: error: condition must compare the induction variable 'i' with <, <=, >, >= or !=

#pragma ws parallel for
  for (i = 0; i < n + i; i++)
    a[i] = 0;
// CHECK-DAG: loop-diag.c:[[@LINE-2]]:21: error: the loop bound must not depend on the induction variable 'i'

#pragma ws parallel for
  for (i = 0; i < n; i *= 2)
    a[i] = 0;
// CHECK-DAG: loop-diag.c:[[@LINE-2]]:24: error: increment must be ++, --, += or -= of 'i' by a loop-invariant integer amount

#pragma ws parallel for
  for (i = 0; i < n; i += i)
    a[i] = 0;
// CHECK-DAG: loop-diag.c:[[@LINE-2]]:24: error: increment must be ++, --, += or -= of 'i' by a loop-invariant integer amount

#pragma ws parallel for
  for (i = 0; i < n; i += 0.5)
    a[i] = 0;
// CHECK-DAG: loop-diag.c:[[@LINE-2]]:24: error: increment must be ++, --, += or -= of 'i' by a loop-invariant integer amount

#pragma ws parallel for
  for (i = 0; i < n; i++) {
    a[i] = 0;
    i += 2;
// CHECK-DAG: loop-diag.c:[[@LINE-1]]:5: error: loop variable 'i' modified in the body
  }

#pragma ws parallel for
  for (i = 0; i < n; i++)
    n--;
// CHECK-DAG: loop-diag.c:[[@LINE-1]]:5: error: 'n' is modified in the body, but the loop's bound uses it: the bound must be loop-invariant

#pragma ws parallel for
  for (i = 0; i < 100; i += k)
    k = 3;
// CHECK-DAG: loop-diag.c:[[@LINE-1]]:5: error: 'k' is modified in the body, but the loop's step uses it: the step must be loop-invariant

#pragma ws parallel for
  for (i = 0; i < n; i++) {
    if (a[i] < 0)
      break;
// CHECK-DAG: loop-diag.c:[[@LINE-1]]:7: error: 'break' cannot leave a parallel for body
// CHECK-DAG: loop-diag.c:[[@LINE-5]]:1: note: '#pragma ws parallel for' is here
    if (a[i] > 0)
      continue; // fine: next iteration
    for (int j = 0; j < 3; j++)
      if (j == i)
        break; // fine: inner loop
    if (a[i] == 2)
      return;
// CHECK-DAG: loop-diag.c:[[@LINE-1]]:7: error: 'return' cannot leave a parallel for body
    if (a[i] == 3)
      goto out;
// CHECK-DAG: loop-diag.c:[[@LINE-1]]:7: error: 'goto out' jumps out of a parallel for body
  }
out:

#pragma ws parallel for reduction(+: p)
  for (i = 0; i < n; i++)
    p.x += i;
// CHECK-DAG: loop-diag.c:[[@LINE-3]]:38: error: reduction variable 'p' must have an integer or floating type, not 'struct point'

#pragma ws parallel for reduction(^: d)
  for (i = 0; i < n; i++)
    d += i;
// CHECK-DAG: loop-diag.c:[[@LINE-3]]:38: error: reduction operator '^' cannot be applied to 'd' of floating type 'double'

#pragma ws parallel for reduction(+: i)
  for (i = 0; i < n; i++)
    a[i] = 1;
// CHECK-DAG: loop-diag.c:[[@LINE-3]]:38: error: the induction variable 'i' cannot be a reduction variable

#pragma ws parallel for grainsize(4) num_tasks(8)
  for (i = 0; i < n; i++)
    a[i] = 1;
// CHECK-DAG: loop-diag.c:[[@LINE-3]]:48: error: 'grainsize' and 'num_tasks' cannot both be given

#pragma ws parallel for default(none) shared(a)
  for (i = 0; i < n; i++)
    a[i] = d;
// CHECK-DAG: loop-diag.c:[[@LINE-1]]:12: error: variable 'd' must be listed in 'shared', 'firstprivate' or 'private' because of 'default(none)'

#pragma ws parallel for
  for (struct point *q = pts; q < pts + n; q++)
    q->x = g;

#pragma ws parallel for
  for (_Bool b = 0; b < 1; b++)
    g++;
// CHECK-DAG: loop-diag.c:[[@LINE-2]]:14: error: induction variable 'b' must have an integer type of at most 64 bits or a pointer type, not '_Bool'
}
