// __LINE__, __func__ and debug line tables inside a task keep the user's
// lines and function name.
// RUN: %ws_cc -g -gdwarf-4 -O0 -S -emit-llvm -o - %s | FileCheck %s
int printf(const char *, ...);

void report(int n) {
#pragma ws task
  printf("%d %s %d\n", __LINE__, __func__, n);
}
// CHECK: @.str{{.*}} = {{.*}}c"report\00"
// CHECK: define internal void @__ws_task_0(
// CHECK: call i32 (ptr, ...) @printf(ptr {{.*}}, i32 {{.*}}8, ptr {{.*}}, i32 {{.*}}), !dbg [[LOC:![0-9]+]]
// CHECK: [[LOC]] = !DILocation(line: 8,
