// A task or taskgroup directly followed by another directive: the pair is
// rewritten as if the inner directive and its statement were in braces --
// `_Pragma("ws task ...") {` ... `}` -- and analysed again.  A stand-alone
// directive (taskwait) after a task is still an error (diag-placement.c).
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK | FileCheck %s
// RUN: %ws_cc -c -Wall -Wextra -Werror %s -o %t.o
void fill(int *a, int n);

void chains(int *a, int n) {
#pragma ws task priority(high)
#pragma ws parallel for
  for (int i = 0; i < n; i++)
    a[i] = i;
#pragma ws taskgroup
#pragma ws task
  fill(a, n);
}
// CHECK-LABEL: void chains(int *a, int n) { ws_frame __ws_frame; ws_scope __ws_sc = WS_SCOPE_INIT;
// CHECK-NEXT: { struct __ws_cap_0 __ws_cap = { .n = n, .a = a, }; ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_0, &__ws_cap, sizeof __ws_cap, WS_TIER_HIGH, &__ws_site_0); }
// CHECK: { ws_frame __ws_group_2 = WS_FRAME_INIT; ws_taskgroup_begin(&__ws_group_2); {
// CHECK-NEXT: { struct __ws_cap_3 __ws_cap = { .a = a, .n = n, }; ws_spawn_inline(&__ws_group_2, __ws_task_3,
// CHECK-NEXT: } ws_wait(&__ws_group_2); }
// CHECK: static void __ws_task_0(void *__ws_arg) {
// CHECK: {
// CHECK-NEXT: { int __ws_init_1 = (int)(0);
