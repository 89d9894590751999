// taskgroup, taskwait, yield, cancel and cancellation point.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK | FileCheck %s

int search(int *found, int n);

int groups(int n) {
  int found = 0;
#pragma ws taskgroup
  {
    for (int i = 0; i < n; i++) {
#pragma ws task shared(found)
      {
#pragma ws cancellation point
        if (search(&found, i)) {
#pragma ws cancel taskgroup
        }
#pragma ws yield
      }
    }
#pragma ws taskwait
    if (found)
      return found;
  }
#pragma ws cancel taskgroup
  return -1;
}

// CHECK-LABEL: int groups(int n) { ws_frame __ws_frame; ws_scope __ws_sc = WS_SCOPE_INIT;
// CHECK: { ws_frame __ws_group_0 = WS_FRAME_INIT; ws_taskgroup_begin(&__ws_group_0);
// CHECK: ws_spawn_inline(&__ws_group_0, __ws_task_1,
// CHECK: { ws_wait_open(&__ws_group_0); ws_scope_wait(&__ws_sc, &__ws_frame, 0); }
// CHECK-NEXT: if (found)
// CHECK-NEXT: { ws_wait(&__ws_group_0); ws_scope_wait(&__ws_sc, &__ws_frame, 0); return found; }
// CHECK-NEXT: } ws_wait(&__ws_group_0); }
// CHECK-NEXT: ws_cancel_current();
// CHECK-NEXT: { ws_scope_wait(&__ws_sc, &__ws_frame, 0); return -1; }
// CHECK-NEXT: ws_scope_wait(&__ws_sc, &__ws_frame, 0); }
// CHECK: static void __ws_task_1(void *__ws_arg) { struct __ws_cap_1 __ws_cv, *__ws_c = (struct __ws_cap_1 *)ws_task_captures(__ws_arg, &__ws_cv, sizeof __ws_cv); int i = __ws_c->i;
// CHECK: if (ws_cancelled()) { return; }
// CHECK-NEXT: if (search(&(*__ws_c->found), i)) {
// CHECK-NEXT: ws_cancel_current();
// CHECK-NEXT: }
// CHECK-NEXT: (void)ws_yield();
