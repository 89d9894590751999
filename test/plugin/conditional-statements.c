// A task's statement (or a parallel for body) that starts or ends inside a
// conditional group (fuzz finding, test/fuzz/README.md): `if (n)`, `#if 1`,
// `x++;`, `#endif`.  The conditional lines stay where they were, around the
// spawn; the outlined body gets `#if 1` / `#endif` lines that make its
// groups whole, so both compile and compute what the serial program does.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK > %t.c
// RUN: FileCheck %s --check-prefix=REWRITE < %t.c
// RUN: gcc -std=gnu11 -fsyntax-only -Wall -Wextra -Werror -Wdeclaration-after-statement -I%ws_include %t.c
// RUN: %wscc -O1 -Wall -Wextra -Werror %s -o %t
// RUN: env WS_NUM_WORKERS=1 %t | FileCheck %s
// RUN: env WS_NUM_WORKERS=3 %t | FileCheck %s
#include <stdio.h>

int main(void) {
  int n = 5, x = 0, y = 0, z = 0, w = 0, s = 0, v[8] = {0};
  // Ends inside `#if 1`.
#pragma ws task shared(x)
  if (n)
#if 1
    x += n;
#endif
  // Starts inside a group opened between the directive and the statement.
#pragma ws task shared(y)
#if 1
  if (n > 1)
#endif
    y = 2 * n;
  // Ends in the `#else` branch.
#pragma ws task shared(z)
  if (n)
#ifdef NO_SUCH_MACRO
    z = -1;
#else
    z = n + 1;
#endif
  // A loop whose body ends in an `#elif` branch, nested groups.
#pragma ws task shared(w)
  for (int i = 0; i < n; i++)
#if defined(NO_SUCH_MACRO)
    w -= i;
#elif 1
#if 2 > 1
    w += i;
#endif
#endif
#pragma ws parallel for
  for (int i = 0; i < 8; i++)
#ifndef NO_SUCH_MACRO
    v[i] = i * i;
#else
    v[i] = 0;
#endif
#pragma ws taskwait
  for (int i = 0; i < 8; i++)
    s += v[i];
  printf("%d %d %d %d %d\n", x, y, z, w, s);
  return 0;
}
// CHECK: 5 10 6 10 140

// In main, the spawn and the statement's conditional lines:
// REWRITE-LABEL: {{^}}int main(void) {
// REWRITE: ws_scope_refused(&__ws_sc, &__ws_frame, __ws_task_0,
// REWRITE-EMPTY:
// REWRITE-NEXT: #if 1
// REWRITE-EMPTY:
// REWRITE-NEXT: #endif
// REWRITE-NEXT: // Starts inside
// REWRITE-NEXT: { struct __ws_cap_1
// REWRITE-NEXT: #if 1
// REWRITE: #endif
// The outlined bodies, their groups whole:
// REWRITE-LABEL: {{^}}static void __ws_task_0(void *__ws_arg) {
// REWRITE-NEXT: #line 18
// REWRITE-NEXT: if (n)
// REWRITE-NEXT: #if 1
// REWRITE-NEXT: (*__ws_c->x) += n;
// REWRITE-NEXT: #endif
// REWRITE-NEXT: }
// REWRITE-LABEL: {{^}}static void __ws_task_1(void *__ws_arg) {
// REWRITE-NEXT: #if 1
// REWRITE-NEXT: #line 25
// REWRITE-NEXT: if (n > 1)
// REWRITE-NEXT: #endif
// REWRITE-NEXT: (*__ws_c->y) = 2 * n; }
// REWRITE-LABEL: {{^}}static void __ws_task_3(void *__ws_arg) {
// REWRITE: #endif
// REWRITE-NEXT: #endif
// REWRITE-NEXT: }
// REWRITE-LABEL: {{^}}static void __ws_loop_4(
// REWRITE: (*__ws_c->v)[i] = i * i;
// REWRITE-NEXT: #endif
// REWRITE-NEXT: } }
