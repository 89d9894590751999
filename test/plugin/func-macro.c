// __func__ reached through a macro body (as assert() does) also names the
// user's function inside a task.
// RUN: %ws_cc -O0 -S -emit-llvm -o - %s | FileCheck %s
int puts(const char *);
#define WHERE() puts(__func__)

void report(void) {
#pragma ws task
  WHERE();
}
// CHECK: c"report\00"
// CHECK-NOT: c"__ws_task_0\00"
