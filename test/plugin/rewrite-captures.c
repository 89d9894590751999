// Capture rules: arrays copied whole, statics by address, globals untouched,
// VLAs shared by address with their bounds, loop variables by value, nested tasks,
// __func__ keeping the user's function name.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK | FileCheck %s
#include <stdio.h>

typedef struct pair { int a, b; } pair;
int global_total;

void captures(int n, const int k) {
  int arr[3] = {1, 2, 3};
  int vla[n];
  static int calls;
  pair p = {1, 2};
  int out = 0;
  for (int i = 0; i < n; i++) {
#pragma ws task shared(vla)
    vla[i] = arr[i % 3] + p.a + k + global_total;
  }
#pragma ws task shared(out)
  {
    calls++;
#pragma ws task shared(out)
    out += 1;
    printf("%s\n", __func__);
  }
}

// CHECK: struct __ws_cap_0 { void *vla; size_t __ws_d_vla[1]; int i; int arr[3]; pair p; int k; };
// CHECK: struct __ws_cap_1 { int *calls; int *out; };
// CHECK: struct __ws_cap_2 { int *out; };
// CHECK: { struct __ws_cap_0 __ws_cap = { .vla = (void *)&vla, .__ws_d_vla = { sizeof (vla) / sizeof (vla)[0], }, .i = i, .p = p, .k = k, }; __builtin_memcpy(__ws_cap.arr, arr, sizeof __ws_cap.arr); ws_scope_spawn{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_0,
// CHECK: { struct __ws_cap_1 __ws_cap = { .calls = &calls, .out = &out, }; ws_scope_last(&__ws_sc, &__ws_frame, __ws_task_1,
// CHECK: static void __ws_task_0(void *__ws_arg) { struct __ws_cap_0 __ws_cv, *__ws_c = (struct __ws_cap_0 *)ws_task_captures(__ws_arg, &__ws_cv, sizeof __ws_cv); int (*__ws_v_vla)[__ws_c->__ws_d_vla[0]] = __ws_c->vla; int i = __ws_c->i; int arr[3]; pair p = __ws_c->p; const int k = __ws_c->k; __builtin_memcpy(arr, __ws_c->arr, sizeof arr);
// CHECK-NEXT: #line 18
// CHECK-NEXT: (*__ws_v_vla)[i] = arr[i % 3] + p.a + k + global_total; }
// CHECK: static void __ws_task_1(void *__ws_arg) { struct __ws_cap_1 __ws_cv, *__ws_c = (struct __ws_cap_1 *)ws_task_captures(__ws_arg, &__ws_cv, sizeof __ws_cv); ws_frame __ws_frame; ws_scope __ws_sc = WS_SCOPE_INIT;
// CHECK: (*__ws_c->calls)++;
// CHECK-NEXT: { struct __ws_cap_2 __ws_cap = { .out = &(*__ws_c->out), }; ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_2,
// CHECK: printf("%s\n", "captures");
// CHECK-NEXT: } ws_scope_wait{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_2); }
// CHECK: static void __ws_task_2(void *__ws_arg) { struct __ws_cap_2 __ws_cv, *__ws_c = (struct __ws_cap_2 *)ws_task_captures(__ws_arg, &__ws_cv, sizeof __ws_cv);
// CHECK-NEXT: #line 24
// CHECK-NEXT: (*__ws_c->out) += 1; }
