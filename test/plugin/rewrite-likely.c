// Which task a frame's waits call by name (ws_scope_wait): the one task
// directive whose spawn into that frame's scope goes through a slot; none
// when there are several, or when another task copies its captures into the
// scope (ws_scope_spawn: the newest slot may hold either), and a task's own
// frame is judged apart.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK > %t.c
// RUN: FileCheck %s < %t.c
// RUN: gcc -std=gnu11 -fsyntax-only -Wall -Wextra -Werror -Wdeclaration-after-statement -I%ws_include %t.c

int work(int);

// One slot task (0); the last one before the wait (1) is a call, not a
// slot, and does not count.
int one(int n) {
  int x, y;
#pragma ws task shared(x)
  x = work(n);
#pragma ws task shared(y)
  y = work(n + 1);
#pragma ws taskwait
  return x + y;
}
// CHECK-LABEL: int one(int n)
// CHECK: ws_scope_push(&__ws_sc, __ws_task_0);
// CHECK: ws_scope_last(&__ws_sc, &__ws_frame, __ws_task_1,
// The taskwait takes task 0 back and runs it in place (Convention.h):
// CHECK: { { struct __ws_cap_0 *__ws_c = (struct __ws_cap_0 *)ws_scope_take(&__ws_sc, &__ws_frame); if (__ws_c) { { x = work(n); } {{.*}} ws_scope_wait{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_0); }
// CHECK: ws_scope_wait{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_0); return x + y; }

// Two slot tasks: the frame's waits name none.
int two(int n) {
  int x, y;
#pragma ws task shared(x)
  x = work(n);
#pragma ws task shared(y)
  y = work(n + 1);
  n++;
#pragma ws taskwait
  return x + y + n;
}
// CHECK-LABEL: int two(int n)
// CHECK: { ws_scope_wait{{(_at)?}}(&__ws_sc, &__ws_frame, 0); }

// One slot task (6) and one that copies an array into its slot (7): the
// waits name none.
int mixed(int n) {
  int x, y, a[4] = {n, n, n, n};
#pragma ws task shared(x)
  x = work(n);
#pragma ws task shared(y) firstprivate(a)
  y = work(a[2]);
  n++;
#pragma ws taskwait
  return x + y + n;
}
// CHECK-LABEL: int mixed(int n)
// CHECK: ws_scope_push(&__ws_sc, __ws_task_6);
// CHECK: ws_scope_spawn{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_7,
// CHECK: { ws_scope_wait{{(_at)?}}(&__ws_sc, &__ws_frame, 0); }

// A task that spawns: its own frame names its one slot task (10), the
// function's frame the outer one (9).
void nested(int *out, int n) {
#pragma ws task
  {
#pragma ws task
    out[0] = work(n);
    out[1] = work(n + 1);
  }
  out[2] = 0;
}
// CHECK-LABEL: void nested(int *out, int n)
// CHECK: ws_scope_push(&__ws_sc, __ws_task_9);
// CHECK: ws_scope_wait{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_9); }
// CHECK: static void __ws_task_9(
// CHECK: ws_scope_push(&__ws_sc, __ws_task_10);
// CHECK: ws_scope_wait{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_10); }
