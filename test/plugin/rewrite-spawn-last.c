// A task directly followed, in the same block, by a wait for its frame (a
// taskwait, a return, the end of the function or of the enclosing task)
// becomes ws_spawn_last (the runtime may run it at once); every other task
// stays ws_spawn (or ws_spawn_ex for if/final/depend/timeout).
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK | FileCheck %s
// RUN: %ws_cc -O1 -fsyntax-only -Wall -Wextra -Werror %s

void work(int);

// CHECK-LABEL: void pair(int n)
void pair(int n) {
#pragma ws task
  work(n);
#pragma ws task priority(high)
  work(n + 1);
#pragma ws taskwait
}
// CHECK: ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}},
// CHECK: ws_scope_last(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}}, &__ws_cap, sizeof __ws_cap, WS_TIER_HIGH, &__ws_site_{{[0-9]+}});

// Something runs between the spawn and the wait: queued as usual.
// CHECK-LABEL: void between(int n)
void between(int n) {
#pragma ws task
  work(n);
  work(0);
#pragma ws taskwait
}
// CHECK: ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}},

// The body of a loop: the next iteration's spawn follows it, not the wait.
// CHECK-LABEL: void loop_body(int n)
void loop_body(int n) {
  for (int i = 0; i < n; i++)
#pragma ws task
    work(i);
#pragma ws taskwait
}
// CHECK: ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}},

// A block in a loop whose every iteration spawns and then waits.
// CHECK-LABEL: void loop_block(int n)
void loop_block(int n) {
  for (int i = 0; i < n; i++) {
#pragma ws task
    work(i);
#pragma ws taskwait
  }
}
// CHECK: ws_scope_last(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}},

// The branch of an if: not a statement of the block.
// CHECK-LABEL: void branch(int n)
void branch(int n) {
  if (n)
#pragma ws task
    work(n);
#pragma ws taskwait
}
// CHECK: ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}},

// Clauses that take ws_spawn_ex keep it.
// CHECK-LABEL: void clauses(int n)
void clauses(int n) {
#pragma ws task if (n > 3)
  work(n);
#pragma ws taskwait
#pragma ws task final(n < 2)
  work(n);
#pragma ws taskwait
}
// CHECK: ws_spawn_ex(ws_scope_frame(&__ws_sc, &__ws_frame), __ws_task_{{[0-9]+}},
// CHECK: ws_spawn_ex(ws_scope_frame(&__ws_sc, &__ws_frame), __ws_task_{{[0-9]+}},

// Inside a taskgroup the task goes to the group's frame: left alone.
// CHECK-LABEL: void group(int n)
void group(int n) {
#pragma ws taskgroup
  {
#pragma ws task
    work(n);
#pragma ws taskwait
  }
}
// CHECK: ws_spawn_inline(&__ws_group_{{[0-9]+}}, __ws_task_{{[0-9]+}},

// A label in between: a goto may reach the wait without the spawn.
// CHECK-LABEL: void labelled(int n)
void labelled(int n) {
  if (n > 5)
    goto done;
#pragma ws task
  work(n);
done:
#pragma ws taskwait
}
// CHECK: ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}},

// Nested in a task: the inner tasks use the task's own frame; the last one
// ends the task's body (its implicit wait), the outer task ends the function.
// CHECK-LABEL: void nested(int n)
void nested(int n) {
#pragma ws task
  {
#pragma ws task
    work(n);
#pragma ws taskwait
#pragma ws task
    work(n + 1);
  }
  work(0);
}
// CHECK: ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}},
// CHECK: static void __ws_task_{{[0-9]+}}(
// CHECK: ws_scope_last(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}},
// CHECK: ws_scope_last(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}},

// The implicit waits: the end of the function, a return.
// CHECK-LABEL: void tree(int n)
void tree(int n) {
  if (n < 1)
    return;
#pragma ws task
  tree(n - 1);
#pragma ws task
  tree(n - 2);
}
// CHECK: ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}},
// CHECK: ws_scope_last(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}},

// CHECK-LABEL: int early(int n)
int early(int n) {
  int x = 0;
#pragma ws task shared(x)
  x = n;
  return x;
}
// CHECK: ws_scope_last(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}},

// The end of an inner block is not a wait: work(0) follows.
// CHECK-LABEL: void inner_block(int n)
void inner_block(int n) {
  if (n) {
#pragma ws task
    work(n);
  }
  work(0);
}
// CHECK: ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}},
