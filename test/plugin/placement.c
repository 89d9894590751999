// A task can be the body of if/else/while/for, follow a case or a label, or
// apply to an empty statement; the rewrite keeps the control flow.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK | FileCheck %s
// RUN: %ws_cc -Wall -Wextra -c %s -o %t.o 2>&1 | count 0

void bump(int);

void placement(int c, int n) {
  switch (c) {
  case 1:
#pragma ws task
    bump(1);
    break;
  }
// CHECK: case 1:
// CHECK-NEXT: { struct __ws_cap_0 __ws_cap = { 0 }; ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_0,
  if (c)
#pragma ws task
    bump(2);
  else
#pragma ws task
    bump(3);
// CHECK: if (c)
// CHECK-NEXT: { struct __ws_cap_1 __ws_cap = { 0 }; ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_1,
// CHECK-EMPTY:
// CHECK-NEXT: else
// CHECK-NEXT: { struct __ws_cap_2 __ws_cap = { 0 }; ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_2,
  while (n-- > 0)
#pragma ws task
    bump(n);
// CHECK: while (n-- > 0)
// CHECK-NEXT: { struct __ws_cap_3 __ws_cap = { .n = n, }; ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_3,
again:
#pragma ws task
  ;
  if (c > 5)
    goto again;
}
// CHECK: static void __ws_task_4(void *__ws_arg) { (void)__ws_arg;
// CHECK-NEXT: #line [[@LINE-5]]
// CHECK-NEXT: ; }
