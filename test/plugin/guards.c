// Preprocessor lines between a directive and its statement (issue 16,
// guards): `#endif` of a guard, an inactive `#else` branch, `#line`, a true
// `#if` around the statement.  They stay in the output; the spawn takes the
// directive's place and the statement moves to the outlined body, whose
// `#line` follows the user's `#line`.  An `#include` in between is still an
// error (its text would come in between).
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK | FileCheck %s
// RUN: %ws_cc -c -Wall -Wextra -Werror %s -o %t.o
// RUN: not %ws_cc -fsyntax-only -DBAD %s 2>&1 | FileCheck %s --check-prefix=BAD --implicit-check-not=error:
int work(int);

#ifdef BAD
void included(int *r) {
#pragma ws task
#include "Inputs/empty.h"
  *r = work(3);
// BAD: guards.c:[[@LINE-3]]:1: error: '#pragma ws task' must be followed by a statement
}
#endif

void guarded(int *r, int *s, int *t) {
#ifdef __clang__
#pragma ws task
#endif
  *r = work(1);
#if defined(NO_SUCH_MACRO)
  *s = 0;
#else
#pragma ws task
#endif
  *s = work(2);
#pragma ws task
#line 500
  *t = work(__LINE__);
}
// CHECK-LABEL: static void __ws_at_guarded(ws_at __ws_at, int *r, int *s, int *t) { ws_frame __ws_frame; ws_scope __ws_sc = ws_scope_start_at(__ws_at, &__ws_frame);
// CHECK-NEXT: #ifdef __clang__
// CHECK-NEXT: { struct __ws_cap_0 __ws_cap = { .r = r, }; ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_0,
// CHECK-NEXT: #endif
// CHECK: #if defined(NO_SUCH_MACRO)
// CHECK-NEXT: *s = 0;
// CHECK-NEXT: #else
// CHECK-NEXT: { struct __ws_cap_1 __ws_cap = { .s = s, }; ws_scope_refused{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_1,
// CHECK-NEXT: #endif
// CHECK: { struct __ws_cap_2 __ws_cap = { .t = t, }; ws_scope_last(&__ws_sc, &__ws_frame, __ws_task_2,
// CHECK-NEXT: #line 500
// CHECK: static void __ws_task_2(void *__ws_arg) {
// CHECK-NEXT: #line 500 "{{.*}}guards.c"
// CHECK-NEXT: *t = work(__LINE__); }

