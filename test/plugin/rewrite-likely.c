// Which task a frame's waits call by name (ws_wait_pending_for): the one
// task directive whose spawn into that frame goes through a slot; none when
// there are several, and a task's own frame is judged apart.
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
// CHECK: ws_spawn_slot_push(&__ws_frame, &__ws_sl, __ws_task_0);
// CHECK: ws_spawn_last_inline(&__ws_frame, __ws_task_1,
// CHECK: { ws_wait_pending_for(&__ws_frame, __ws_task_0); }
// CHECK: { ws_wait_pending_for(&__ws_frame, __ws_task_0); return x + y; }

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
// CHECK: { ws_wait_pending(&__ws_frame); }

// A task that spawns: its own frame names its one slot task (7), the
// function's frame the outer one (6).
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
// CHECK: ws_spawn_slot_push(&__ws_frame, &__ws_sl, __ws_task_6);
// CHECK: ws_wait_pending_for(&__ws_frame, __ws_task_6); }
// CHECK: static void __ws_task_6(
// CHECK: ws_spawn_slot_push(&__ws_frame, &__ws_sl, __ws_task_7);
// CHECK: ws_wait_pending_for(&__ws_frame, __ws_task_7); }
