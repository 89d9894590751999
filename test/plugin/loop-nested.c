// Nesting: a task in a parallel for body is spawned from the outlined body,
// which gets its own frame, and reaches the loop's shared variables through
// the loop's capture struct; a parallel for inside a parallel for body is
// outlined on its own, its set-up running in the outer body; counters of
// sequential inner loops are private.  The program must compile warning-free
// with clang (the plugin) and with gcc (ws-rewrite), also from -save-temps.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK > %t.c
// RUN: FileCheck %s < %t.c
// RUN: gcc -std=gnu11 -fsyntax-only -Wall -Wextra -Werror -Wdeclaration-after-statement -I%ws_include %t.c
// RUN: rm -rf %t.d && mkdir -p %t.d && cd %t.d && %wscc -c -O1 -Wall -Wextra -Werror -save-temps %s -o %t.d/x.o

long total;

void f(long (*m)[64], int n) {
  long hits = 0;
  int j;
#pragma ws parallel for
  for (int r = 0; r < n; r++) {
    for (j = 0; j < 64; j++)
      m[r][j] = 0;
#pragma ws task shared(hits)
    __atomic_fetch_add(&hits, 1, __ATOMIC_RELAXED);
#pragma ws parallel for reduction(+: total)
    for (int c = 0; c < r; c++)
      total += m[r][c] + hits;
  }
}

// CHECK: struct __ws_cap_0 { long (*m)[64]; long *hits; uint64_t __ws_a; uint64_t __ws_s; };
// CHECK: struct __ws_cap_1 { long *hits; };
// CHECK: struct __ws_cap_2 { long (*m)[64]; int r; long *hits; uint64_t __ws_a; uint64_t __ws_s; };
// CHECK: void f(long (*m)[64], int n) {
// CHECK: struct __ws_cap_0 __ws_lcap_0 = { .m = m, .hits = &hits,
// CHECK: for (int r = 0; r < n; r++) { struct __ws_cap_0 *__ws_c = &__ws_lcap_0; int j; long (*m)[64] = __ws_c->m; (void)j; (void)m; (void)__ws_c; {
// CHECK: ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_1,
// CHECK: struct __ws_cap_2 __ws_lcap_2 = { .m = m, .r = r, .hits = &(*__ws_c->hits),
// CHECK: total = total + __ws_red_2.total;
// CHECK: static void __ws_loop_0(
// CHECK-SAME: int j;
// CHECK-SAME: ws_frame __ws_frame; ws_scope __ws_sc = WS_SCOPE_INIT;
// CHECK: ws_scope_wait{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_1); }
// CHECK: static void __ws_loop_2(
// CHECK-SAME: long total = __ws_r->total;
// CHECK: total += m[r][c] + (*__ws_c->hits);
