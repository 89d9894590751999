// Variably modified types (issue 13, item 7): VLAs of any rank and pointers
// to them (a parameter `double a[n][n]`) are shared by a task or a parallel
// for, and such pointers copied.  The struct holds the address and the VLA
// bounds as sizeof saw them at the spawn; the outlined code rebuilds the
// type, so indexing and `sizeof` mean what they meant in the function.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK > %t.c
// RUN: FileCheck %s < %t.c
// RUN: gcc -std=gnu11 -fsyntax-only -Wall -Wextra -Werror -Wdeclaration-after-statement -I%ws_include %t.c
// RUN: %ws_cc -c -Wall -Wextra -Werror %s -o %t.o

double g(int n, int k, double a[n][k]) {
  double m[n][n][4];
  double t = 0;
  unsigned long size;
#pragma ws task shared(m, size)
  {
    m[1][2][3] = a[0][1];
    size = sizeof m + sizeof m[0];
  }
#pragma ws parallel for reduction(+: t)
  for (int i = 0; i < n; i++)
    t += a[i][0] + m[i][i][0];
  return t + size;
}

// CHECK: struct __ws_cap_0 { void *m; size_t __ws_d_m[2]; void *a; size_t __ws_d_a[1]; unsigned long *size; };
// CHECK: { struct __ws_cap_0 __ws_cap = { .m = (void *)&m, .__ws_d_m = { sizeof (m) / sizeof (m)[0], sizeof ((m)[0]) / sizeof ((m)[0])[0], }, .a = (void *)a, .__ws_d_a = { sizeof (*(a)) / sizeof (*(a))[0], }, .size = &size, };
// CHECK: static void __ws_task_0(void *__ws_arg) { struct __ws_cap_0 __ws_cv, *__ws_c = (struct __ws_cap_0 *)ws_task_captures(__ws_arg, &__ws_cv, sizeof __ws_cv); double (*__ws_v_m)[__ws_c->__ws_d_m[0]][__ws_c->__ws_d_m[1]][4] = __ws_c->m; double (*a)[__ws_c->__ws_d_a[0]] = __ws_c->a;
// CHECK-NEXT: #line
// CHECK-NEXT: {
// CHECK-NEXT: (*__ws_v_m)[1][2][3] = a[0][1];
// CHECK-NEXT: (*__ws_c->size) = sizeof (*__ws_v_m) + sizeof (*__ws_v_m)[0];
// CHECK: static void __ws_loop_1(
// CHECK-SAME: double (**__ws_v_a)[__ws_c->__ws_d_a[0]] = __ws_c->a; double (*__ws_v_m)[__ws_c->__ws_d_m[0]][__ws_c->__ws_d_m[1]][4] = __ws_c->m;
// CHECK: t += (*__ws_v_a)[i][0] + (*__ws_v_m)[i][i][0];
