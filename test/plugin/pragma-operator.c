// _Pragma("ws ...") works, written directly or produced by a macro; a macro
// must not swallow the statement the directive applies to.
// RUN: %ws_rewrite %s -- -I%ws_include -DGOOD | grep -v CHECK | FileCheck %s
// RUN: %ws_cc -DGOOD -Wall -Werror -c %s -o %t.o
// RUN: not %ws_cc -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=BADCHECK
#define TASK_SHARED_A _Pragma("ws task shared(a)")
#define TASKWAIT _Pragma("ws taskwait")
#define SPAWN(stmt) _Pragma("ws task") stmt

int twice(int n) {
  int a = 0, b = 0;
  TASK_SHARED_A a = n;
  _Pragma("ws task shared(b)") b = n;
  TASKWAIT;
#ifndef GOOD
  SPAWN(a++);
#endif
  return a + b;
}
// CHECK: int twice(int n) { ws_frame __ws_frame = WS_FRAME_INIT;
// CHECK-NEXT: int a = 0, b = 0;
// CHECK-NEXT: { struct __ws_cap_0 __ws_cap = { .a = &a, .n = n, }; ws_spawn(&__ws_frame, __ws_task_0,
// CHECK-NEXT: { struct __ws_cap_1 __ws_cap = { .b = &b, .n = n, }; ws_spawn_last(&__ws_frame, __ws_task_1,
// CHECK-NEXT: { ws_wait_pending(&__ws_frame); };
// BADCHECK: pragma-operator.c:[[@LINE-9]]:3: error: a ws directive produced by a macro must be followed by a statement written outside that macro
