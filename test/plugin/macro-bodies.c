// Captured variables used inside macro bodies in task and loop bodies
// (issue 16, macros): the invocation is spelled out as its tokens and the
// file analysed again, so the uses are rewritten like written code --
// function-like and object-like macros, nested macros, a macro naming a
// shared array element, # and ##; also a `return` from a macro body in a
// function that spawns (the implicit wait goes before it) and a parallel
// for whose header comes from a macro.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK > %t.c
// RUN: FileCheck %s < %t.c
// RUN: gcc -std=gnu11 -fsyntax-only -Wall -Wextra -Werror -I%ws_include %t.c
// RUN: %ws_cc -c -Wall -Wextra -Werror %s -o %t.o
#define ACC(v) (total[(v) % 4] += (v))
#define COUNT count
#define STR(x) #x
#define CAT(a, b) a##b
#define BOTH(v) ACC(v); CAT(cou, nt)++
#define FOR_EACH(i, n) for (int i = 0; i < (n); i++)
#define FAIL_IF(c) if (c) return -1

int macros(int n, const char **name) {
  long total[4] = {0};
  int count = 0;
#pragma ws task shared(total, count)
  {
    BOTH(n);
    COUNT += 2;
    *name = STR(count);
  }
  FAIL_IF(n < 0);
#pragma ws parallel for
  FOR_EACH(i, 4)
    total[i] += i;
  return (int)total[0] + count;
}
// CHECK-LABEL: int macros(int n, const char **name)
// The early return takes the task back first (its statement copied, on
// its own lines):
// CHECK: if ( n < 0 ) { { struct __ws_cap_0 *__ws_c = (struct __ws_cap_0 *)ws_scope_take(&__ws_sc, &__ws_frame);
// CHECK: ws_scope_wait{{(_at)?}}(&__ws_sc, &__ws_frame, __ws_task_0); return - 1; }
// CHECK: for ( int i = 0 ; i < ( 4 ) ; i ++ ) { struct __ws_cap_1 *__ws_c = &__ws_lcap_1;
// CHECK: static void __ws_task_0(
// CHECK: ( (*__ws_c->total) [ ( n ) % 4 ] += ( n ) ) ; (*__ws_c->count) ++;
// CHECK-NEXT: (*__ws_c->count) += 2;
// CHECK-NEXT: *name = STR(count);
