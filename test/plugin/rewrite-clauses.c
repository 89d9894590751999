// Each task clause and how it reaches ws_spawn / ws_spawn_ex.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK | FileCheck %s
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK | FileCheck %s --check-prefix=SITECHECK

void use(int);
int level(void);

void clauses(int n) {
  int a = 1, b = 2, c;
// CHECK-LABEL: static void __ws_at_clauses(ws_at __ws_at, int n) { ws_frame __ws_frame; ws_scope __ws_sc = ws_scope_start_at(__ws_at, &__ws_frame);

#pragma ws task priority(critical)
  use(a);
// CHECK: ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_0, &__ws_cap, sizeof __ws_cap, WS_TIER_CRITICAL, &__ws_site_0);
#pragma ws task priority(high)
  use(a);
// CHECK: WS_TIER_HIGH, &__ws_site_1);
#pragma ws task priority(low) untied mergeable
  use(a);
// CHECK: WS_TIER_LOW, &__ws_site_2);
#pragma ws task priority(level() + 1)
  use(a);
// CHECK: { long long __ws_prio_3 = (level() + 1); struct __ws_cap_3 *__ws_s = (struct __ws_cap_3 *)ws_scope_slot{{(_at)?}}(&__ws_sc, sizeof *__ws_s, (__ws_prio_3 > 3 ? 3 : __ws_prio_3 < 0 ? 0 : (int)__ws_prio_3)); if (__ws_s) { *__ws_s = (struct __ws_cap_3){ .a = a, }; ws_scope_push(&__ws_sc, __ws_task_3); } else { struct __ws_cap_3 __ws_cap = { .a = a, }; ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_3, &__ws_cap, sizeof __ws_cap, (__ws_prio_3 > 3 ? 3 : __ws_prio_3 < 0 ? 0 : (int)__ws_prio_3), &__ws_site_3); } }
#pragma ws task if(n > 10)
  use(a);
// CHECK: ws_task_opts __ws_opts = { .tier = WS_TIER_NORMAL, .flags = ((n > 10) ? 0u : WS_TASK_UNDEFERRED), .site = &__ws_site_4 }; ws_spawn_ex(ws_scope_frame(&__ws_sc, &__ws_frame), __ws_task_4, &__ws_cap, sizeof __ws_cap, &__ws_opts);
#pragma ws task final(n < 2) priority(normal)
  use(a);
// CHECK: .tier = WS_TIER_NORMAL, .flags = ((n < 2) ? WS_TASK_FINAL : 0u), .site = &__ws_site_5 };
#pragma ws task timeout(250) if(1) final(0)
  use(a);
// CHECK: .flags = ((1) ? 0u : WS_TASK_UNDEFERRED) | ((0) ? WS_TASK_FINAL : 0u), .site = &__ws_site_6, .timeout_ms = (unsigned)(250) };
#pragma ws task name("leaf work")
  use(a);
// CHECK: { struct __ws_cap_7 __ws_cap = { .a = a, };
#pragma ws task default(shared)
  a = b;
// CHECK: { struct __ws_cap_8 __ws_cap = { .a = &a, .b = &b, };
#pragma ws task firstprivate(a) shared(b) private(c)
  { c = a; b = c; }
// CHECK: { struct __ws_cap_9 __ws_cap = { .a = a, .b = &b, }; (void)sizeof c; ws_scope_last(&__ws_sc, &__ws_frame, __ws_task_9,
// CHECK: static void __ws_task_9(void *__ws_arg) { struct __ws_cap_9 __ws_cv, *__ws_c = (struct __ws_cap_9 *)ws_task_captures(__ws_arg, &__ws_cv, sizeof __ws_cv); int c; int a = __ws_c->a;
// CHECK-NEXT: #line [[@LINE-3]]
// CHECK-NEXT: { c = a; (*__ws_c->b) = c; } }
}

// SITECHECK-DAG: static const ws_site __ws_site_7 = { "leaf work", "{{.*}}rewrite-clauses.c", 33 };
// SITECHECK-DAG: static const ws_site __ws_site_0 = { "rewrite-clauses.c:12", "{{.*}}rewrite-clauses.c", 12 };
