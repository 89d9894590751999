// The basic lowering of a task: capture struct and prototype before the
// function, frame as its first declaration, waits before every return and
// the closing brace, outlined body after the function with #line.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK | FileCheck %s

long fib(int n) {
  long x, y;
  if (n < 2)
    return n;
#pragma ws task shared(x)
  x = fib(n - 1);
  y = fib(n - 2);
#pragma ws taskwait
  return x + y;
}

// CHECK: #line 1 "{{.*}}rewrite-task.c"
// CHECK: #ifdef __has_include
// CHECK-NEXT: #if __has_include(<ws.h>)
// CHECK-NEXT: #include <ws.h>
// CHECK-NEXT: #else
// CHECK-NEXT: #include "{{.*}}include/ws.h"
// CHECK-NEXT: #endif
// CHECK-NEXT: #else
// CHECK-NEXT: #include <ws.h>
// CHECK-NEXT: #endif
// CHECK-NEXT: struct __ws_cap_0 { long *x; int n; }; static void __ws_task_0(void *__ws_arg); static const ws_site __ws_site_0 = { "rewrite-task.c:10", "{{.*}}rewrite-task.c", 10 };
// The function spawns from a slot: a clone that takes the position, its
// leading guard (past the declaration) in an inline entry, the plain entry
// for every other caller (clang-plugin/Convention.h).
// CHECK-NEXT: static long __ws_body_fib(ws_at __ws_at, int n);
// CHECK-NEXT: static inline __attribute__((always_inline)) long __ws_at_fib(ws_at __ws_at, int n) { if (n < 2) return (n); return __ws_body_fib(__ws_at, n); }
// CHECK-NEXT: long fib(int n) { return __ws_at_fib(ws_at_here(), n); }
// CHECK-NEXT: #line 6 "{{.*}}rewrite-task.c"
// CHECK-NEXT: static long __ws_body_fib(ws_at __ws_at, int n) { ws_frame __ws_frame; ws_scope __ws_sc = ws_scope_start_at(__ws_at, &__ws_frame);
// CHECK-NEXT:   long x, y;
// CHECK-NEXT:   if (n < 2)
// CHECK-NEXT:     { ws_scope_wait_at(&__ws_sc, &__ws_frame, __ws_task_0); return n; }
// CHECK-NEXT: { struct __ws_cap_0 *__ws_s = (struct __ws_cap_0 *)ws_scope_slot_at(&__ws_sc, sizeof *__ws_s, WS_TIER_NORMAL); if (__ws_s) { *__ws_s = (struct __ws_cap_0){ .x = &x, .n = n, }; ws_scope_push(&__ws_sc, __ws_task_0); } else { struct __ws_cap_0 __ws_cap = { .x = &x, .n = n, }; ws_scope_refused_at(&__ws_sc, &__ws_frame, __ws_task_0, &__ws_cap, sizeof __ws_cap, WS_TIER_NORMAL, &__ws_site_0); } }
// CHECK-EMPTY:
// CHECK-NEXT:   y = __ws_at_fib(ws_scope_at(&__ws_sc), n - 2);
// The taskwait takes the task back and runs its statement in place (n is
// never written: used as it is), then the return right after it; the waits
// after it find the scope empty (no copy there):
// CHECK-NEXT: { { struct __ws_cap_0 *__ws_c = (struct __ws_cap_0 *)ws_scope_take(&__ws_sc, &__ws_frame); if (__ws_c) { { x = __ws_at_fib(ws_scope_at(&__ws_sc), n - 1); } if (ws_scope_done(&__ws_sc)) { long __ws_r = (x + y); ws_scope_ran(&__ws_sc); return __ws_r; } ws_scope_ran(&__ws_sc); } } ws_scope_wait_at(&__ws_sc, &__ws_frame, __ws_task_0); }
// CHECK-NEXT:   { ws_scope_wait_at(&__ws_sc, &__ws_frame, __ws_task_0); return x + y; }
// CHECK-NEXT: ws_scope_wait_at(&__ws_sc, &__ws_frame, __ws_task_0); }
// CHECK-NEXT: #line 10 "{{.*}}rewrite-task.c"
// CHECK-NEXT: static void __ws_task_0(void *__ws_arg) { struct __ws_cap_0 __ws_cv, *__ws_c = (struct __ws_cap_0 *)ws_task_captures(__ws_arg, &__ws_cv, sizeof __ws_cv); int n = __ws_c->n;
// CHECK-NEXT: #line 11 "{{.*}}rewrite-task.c"
// CHECK-NEXT:   (*__ws_c->x) = fib(n - 1); }
// CHECK-EMPTY:
// CHECK-NEXT: #line 15 "{{.*}}rewrite-task.c"
