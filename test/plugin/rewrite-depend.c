// depend(...) becomes a ws_dep array; a runtime that refuses dependences
// (WS_EINVAL) gets the task again, undeferred, without them.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK | FileCheck %s

void deps(int *p, int n) {
  int x = 0, a[10];
#pragma ws task shared(x) depend(out: x) depend(in: p[0], *p) depend(inout: a[2:n])
  x = *p + a[2];
}
// CHECK: ws_dep __ws_deps[4] = { { &(x), sizeof (x), WS_DEP_OUT }, { &(p[0]), sizeof (p[0]), WS_DEP_IN }, { &(*p), sizeof (*p), WS_DEP_IN }, { &(a)[2], (size_t)(n) * sizeof (a)[0], WS_DEP_INOUT }, };
// CHECK-SAME: ws_task_opts __ws_opts = { .tier = WS_TIER_NORMAL, .flags = 0u, .site = &__ws_site_0, .deps = __ws_deps, .num_deps = 4 };
// CHECK-SAME: if (ws_spawn_ex(ws_scope_frame(&__ws_sc, &__ws_frame), __ws_task_0, &__ws_cap, sizeof __ws_cap, &__ws_opts) == WS_EINVAL) { __ws_opts.deps = 0; __ws_opts.num_deps = 0; __ws_opts.flags |= WS_TASK_UNDEFERRED; ws_spawn_ex(ws_scope_frame(&__ws_sc, &__ws_frame), __ws_task_0, &__ws_cap, sizeof __ws_cap, &__ws_opts); }
