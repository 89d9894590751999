// The emitted IR calls the runtime: spawn into the function's frame, wait at
// taskwait and before returning, taskgroup begin/wait, yield, cancellation.
// RUN: %ws_cc -O0 -S -emit-llvm -o - %s | FileCheck %s

long fib(int n) {
  long x, y;
  if (n < 2)
    return n;
#pragma ws task shared(x) priority(high)
  x = fib(n - 1);
#pragma ws task shared(y) if(n > 10)
  y = fib(n - 2);
#pragma ws taskwait
  return x + y;
}

void group(void) {
#pragma ws taskgroup
  {
#pragma ws task
    {
#pragma ws cancellation point
#pragma ws yield
    }
#pragma ws cancel taskgroup
  }
}

// CHECK-LABEL: define{{.*}} i64 @fib(
// (ws_scope_refused, inlined even at -O0, calls ws_spawn_refused.)
// CHECK: call void @ws__fast_join_from(
// CHECK: call i32 @ws_spawn_refused(ptr {{.*}}, ptr {{.*}}, ptr {{.*}}, i64 {{.*}}, i32 {{.*}}, ptr {{.*}})
// CHECK: call i32 @ws_spawn_ex(ptr {{.*}}, ptr {{.*}}@__ws_task_1, ptr {{.*}}, i64 {{.*}}, ptr {{.*}})
// CHECK: call i32 @ws_wait(
// CHECK-LABEL: define internal void @__ws_task_0(ptr {{.*}})
// CHECK: call i64 @fib(
// CHECK-LABEL: define{{.*}} void @group(
// CHECK: call i32 @ws_taskgroup_begin(ptr {{.*}}[[G:%[0-9a-z_.]+]])
// CHECK: call i32 @ws_spawn_inline(ptr {{.*}}[[G]], ptr {{.*}}@__ws_task_4,
// CHECK: call i32 @ws_cancel(ptr {{.*}}[[G]])
// CHECK: call i32 @ws_wait(ptr {{.*}}[[G]])
// CHECK-LABEL: define internal void @__ws_task_4(
// CHECK: call i32 @ws_cancelled()
// CHECK: call i32 @ws_yield()
