// A taskwait inside a taskgroup waits for the group's tasks so far and
// keeps the group (issue 13, item 1): a later `cancel taskgroup` still
// cancels it, and a group cancelled before the taskwait stays cancelled, so
// tasks spawned into it afterwards are skipped.  (The serial elision runs
// every task: this is checked against the expected counts, at 1, 2, 3 and
// 8 workers.)
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v "REWRITE[-A-Z]*:" | FileCheck %s --check-prefix=REWRITE
// RUN: %wscc -O1 -Wall -Wextra -Werror %s -o %t
// RUN: env WS_NUM_WORKERS=1 %t | FileCheck %s
// RUN: env WS_NUM_WORKERS=2 %t | FileCheck %s
// RUN: env WS_NUM_WORKERS=3 %t | FileCheck %s
// RUN: env WS_NUM_WORKERS=8 %t | FileCheck %s
#include <stdio.h>

static int counts[4];

static void bump(int k) { __atomic_fetch_add(&counts[k], 1, __ATOMIC_RELAXED); }

// Cancelled by a task of the group after a taskwait.
static void cancel_after_taskwait(void) {
#pragma ws taskgroup
  {
#pragma ws task
    bump(0);
#pragma ws taskwait
#pragma ws task
    {
#pragma ws cancel taskgroup
    }
#pragma ws taskwait
#pragma ws task
    bump(0); // skipped: the group is cancelled
#pragma ws taskwait
#pragma ws task
    bump(0); // skipped too
  }
}

// Cancelled by its owner; a taskwait must not revive it.
static void cancelled_then_taskwait(void) {
#pragma ws taskgroup
  {
#pragma ws task
    bump(1);
#pragma ws taskwait
#pragma ws cancel taskgroup
#pragma ws taskwait
#pragma ws task
    bump(1); // skipped
  }
#pragma ws task
  bump(1); // outside the group: runs
}

// Nested groups: a taskwait in the inner one keeps both.
static void nested(void) {
#pragma ws taskgroup
  {
#pragma ws taskgroup
    {
#pragma ws task
      bump(2);
#pragma ws taskwait
#pragma ws cancel taskgroup
#pragma ws taskwait
#pragma ws task
      bump(2); // skipped: the inner group is cancelled
    }
#pragma ws taskwait
#pragma ws task
    bump(2); // the outer group is not cancelled: runs
  }
}

int main(void) {
  cancel_after_taskwait();
  cancelled_then_taskwait();
  nested();
  printf("after taskwait: %d\n", counts[0]);
  printf("cancelled before: %d\n", counts[1]);
  printf("nested: %d\n", counts[2]);
  return 0;
}
// CHECK: after taskwait: 1
// CHECK-NEXT: cancelled before: 2
// CHECK-NEXT: nested: 2

// REWRITE-LABEL: static void cancel_after_taskwait(void)
// REWRITE: { ws_wait_open(&__ws_group_0); ws_scope_wait(&__ws_sc, &__ws_frame, 0); }
// REWRITE: } ws_wait(&__ws_group_0); }
// REWRITE-LABEL: static void nested(void)
// REWRITE: { ws_wait_open(&__ws_group_{{[0-9]+}}); ws_wait_open(&__ws_group_{{[0-9]+}}); ws_scope_wait(&__ws_sc, &__ws_frame, 0); }
