// _Pragma("ws ...") works, written directly or produced by a macro.  A
// macro may also produce the statement the directive applies to, or code
// after a standalone directive (issue 13, item 2): its invocation is then
// spelled out, directive included, and rewritten like written code.  What
// cannot be spelled out exactly (a macro that also expands to another
// pragma) is an error naming the macro.
// RUN: %ws_rewrite %s -- -I%ws_include -DGOOD | grep -v CHECK | FileCheck %s
// RUN: %ws_cc -DGOOD -Wall -Werror -c %s -o %t.o
// RUN: cat %s | %ws_cc -DGOOD -Wall -Werror -c -x c - -o %t.o
// RUN: not %ws_cc -fsyntax-only %s 2>&1 | FileCheck %s --check-prefix=BADCHECK --implicit-check-not=error:
#define TASK_SHARED_A _Pragma("ws task shared(a)")
#define TASKWAIT _Pragma("ws taskwait")
#define SPAWN(stmt) _Pragma("ws task shared(a)") stmt
#define SYNC_INC(x) _Pragma("ws taskwait") x++;
#define QUIET(s) _Pragma("clang diagnostic push") _Pragma("ws task") s _Pragma("clang diagnostic pop")
#define LOG(msg) _Pragma("ws task") fprintf(stderr, "%s\n", msg)
#include <stdio.h>

int twice(int n) {
  int a = 0, b = 0;
  TASK_SHARED_A a = n;
  _Pragma("ws task shared(b)") b = n;
  TASKWAIT;
  SPAWN(a++;) b = 5;
  SYNC_INC(b)
  SPAWN(a += b;) return a + b;
}
// CHECK: static int __ws_at_twice(ws_at __ws_at, int n) { ws_frame __ws_frame; ws_scope __ws_sc = ws_scope_start_at(__ws_at, &__ws_frame);
// CHECK-NEXT: int a = 0, b = 0;
// CHECK-NEXT: { struct __ws_cap_0 __ws_cap = { .a = &a, .n = n, }; ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_0,
// CHECK-NEXT: { struct __ws_cap_1 __ws_cap = { .b = &b, .n = n, }; ws_scope_last(&__ws_sc, &__ws_frame, __ws_task_1,
// CHECK-NEXT: { ws_scope_wait{{(_at)?}}(&__ws_sc, &__ws_frame, 0); };
// CHECK-NEXT: { struct __ws_cap_3 __ws_cap = { .a = &a, }; ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_3, {{.*}} } b = 5;
// CHECK-NEXT: { ws_scope_wait{{(_at)?}}(&__ws_sc, &__ws_frame, 0); } b ++ ;
// CHECK-NEXT: { struct __ws_cap_5 __ws_cap = { .a = &a, .b = b, }; ws_scope_last(&__ws_sc, &__ws_frame, __ws_task_5, {{.*}} } { ws_scope_wait{{(_at)?}}(&__ws_sc, &__ws_frame, 0); return a + b; }
// CHECK: static void __ws_task_3(void *__ws_arg) {
// CHECK-NEXT: #line 24
// CHECK-NEXT: (*__ws_c->a) ++ ; }

// stderr is `#define stderr stderr`: spelled out, it expands to itself.
void logged(void) {
  LOG("spawned");
}
// CHECK-LABEL: void logged(void)
// CHECK: static void __ws_task_{{[0-9]+}}(void *__ws_arg) {
// CHECK-NEXT: #line
// CHECK-NEXT: fprintf ( stderr , "%s\n" , "spawned" ); }

#ifndef GOOD
void quiet(int n) {
  QUIET(n++;)
// BADCHECK: pragma-operator.c:[[@LINE-1]]:3: error: the expansion of macro 'QUIET' holds a ws directive and other code, which cannot be rewritten exactly: it also expands to another pragma; make 'QUIET' expand to the directive alone and write the statement after it
}
int counter;
#define counter (counter)
void self(void) {
  int a = 0;
  SPAWN(counter += a;)
// BADCHECK: pragma-operator.c:[[@LINE-1]]:3: error: the expansion of macro 'SPAWN' holds a ws directive and other code, which cannot be rewritten exactly: a name in it must not expand again; make 'SPAWN' expand to the directive alone and write the statement after it
}
#endif
