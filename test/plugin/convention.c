// The calling convention (clang-plugin/Convention.h): which functions get
// a clone taking the fast-deque position, which calls pass it on, where the
// slot task is taken back and run in place; and what keeps today's form.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK > %t.c
// RUN: FileCheck %s < %t.c
// RUN: gcc -std=gnu11 -fsyntax-only -Wall -Wextra -Werror -Wshadow -I%ws_include %t.c
// RUN: %ws_cc -fsyntax-only -Wall -Wextra -Werror -Wshadow %s

#define HALF(v) ((v) / 2)
int work(int);

// Leading guards go into an inline entry; the plain entry is for everyone
// else; the recursion and the take pass the position on.
// CHECK-LABEL: static int __ws_body_fib(ws_at __ws_at, int n);
// CHECK-NEXT: static inline __attribute__((always_inline)) int __ws_at_fib(ws_at __ws_at, int n) { if (n < 2) return (n); if (n == 2) return (1); return __ws_body_fib(__ws_at, n); }
// CHECK-NEXT: static __attribute__((unused)) int fib(int n) { return __ws_at_fib(ws_at_here(), n); }
// CHECK: static int __ws_body_fib(ws_at __ws_at, int n) { ws_frame __ws_frame; ws_scope __ws_sc = ws_scope_start_at(__ws_at, &__ws_frame);
static int fib(int n) {
  if (n < 2)
    return n;
  if (n == 2) {
    return 1;
  }
  int x, y;
#pragma ws task shared(x)
  x = fib(n - 1);
  y = fib(n - 2);
#pragma ws taskwait
  return x + y;
}
// CHECK: ws_scope_slot_at(&__ws_sc, sizeof *__ws_s, WS_TIER_NORMAL)
// CHECK-SAME: ws_scope_refused_at(&__ws_sc, &__ws_frame, __ws_task_0,
// CHECK: y = __ws_at_fib(ws_scope_at(&__ws_sc), n - 2);
// CHECK-NEXT: { { struct __ws_cap_0 *__ws_c = (struct __ws_cap_0 *)ws_scope_take(&__ws_sc, &__ws_frame); if (__ws_c) { { x = __ws_at_fib(ws_scope_at(&__ws_sc), n - 1); } if (ws_scope_done(&__ws_sc)) { int __ws_r = (x + y); ws_scope_ran(&__ws_sc); return __ws_r; } ws_scope_ran(&__ws_sc); } } ws_scope_wait_at(&__ws_sc, &__ws_frame, __ws_task_0); }
// The outlined task (thieves) calls the plain entry:
// CHECK: (*__ws_c->x) = fib(n - 1); }

// Internal linkage from an earlier declaration: the plain entry, which
// only the outlined task calls, is marked unused all the same.
// CHECK-LABEL: static int __ws_at_internal(ws_at __ws_at, int n);
// CHECK-NEXT: __attribute__((unused)) int internal(int n) { return __ws_at_internal(ws_at_here(), n); }
// CHECK: static int __ws_at_internal(ws_at __ws_at, int n) {
static int internal(int n);
int internal(int n) {
  int x = 0;
  if (n > 0) {
#pragma ws task shared(x)
    x = internal(n - 1);
    work(n);
  }
#pragma ws taskwait
  return x + n;
}

// A guard with a side effect ends the guards; no parameters: (void).
// CHECK-LABEL: static int __ws_at_counted(ws_at __ws_at);
// CHECK-NEXT: int counted(void) { return __ws_at_counted(ws_at_here()); }
// CHECK: static int __ws_at_counted(ws_at __ws_at) { ws_frame __ws_frame;
int ncalls;
int counted(void) {
  if (ncalls++ > 100)
    return 0;
  int x;
#pragma ws task shared(x)
  x = work(1);
  work(2);
#pragma ws taskwait
  return x;
}

// Copies the function writes, or a loop's, are read from the slot; k is
// written after the spawn.  The return right after the taskwait is copied.
// CHECK-LABEL: static long __ws_at_copies(ws_at __ws_at, int n)
// CHECK: ws_scope_take(&__ws_sc, &__ws_frame); if (__ws_c) { { _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wshadow\"") int i = __ws_c->i; int k = __ws_c->k; (void)i; (void)k; _Pragma("GCC diagnostic pop") r[i] = work(k + n); } if (ws_scope_done(&__ws_sc)) { long __ws_r = (r[0] + r[7]); ws_scope_ran(&__ws_sc); return __ws_r; } ws_scope_ran(&__ws_sc); } } ws_scope_wait_at(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}}); }
long copies(int n) {
  int r[8];
  int k = n;
  for (int i = 0; i < 8; i++) {
#pragma ws task shared(r)
    r[i] = work(k + n);
    k++;
  }
#pragma ws taskwait
  return r[0] + r[7];
}

// No take where the statement spans lines, uses a macro or holds another
// directive; no take at a wait before which a name of it is declared again.
// CHECK-LABEL: static int __ws_at_no_take(ws_at __ws_at, int n)
// CHECK-NOT: ws_scope_take
// CHECK: static void __ws_task_
int no_take(int n) {
  int a = 0, b = 0;
#pragma ws task shared(a)
  a = work(n +
           1);
  work(0);
#pragma ws taskwait
#pragma ws task shared(b)
  b = HALF(n);
  work(0);
#pragma ws taskwait
#pragma ws task shared(a, b)
  {
#pragma ws task shared(b)
    b = work(n);
    a = work(b);
  }
  work(0);
#pragma ws taskwait
  return a + b;
}
// CHECK-LABEL: static int __ws_at_hidden(ws_at __ws_at, int n)
// CHECK-NOT: ws_scope_take
// CHECK: static void __ws_task_
int hidden(int n) {
  int a = 0;
#pragma ws task shared(a)
  a = work(n);
  int work = 3;
#pragma ws taskwait
  return a + work;
}

// Calls that keep the plain entry: in a task, in a taskgroup, through
// parentheses, before the definition.
// CHECK-LABEL: static int __ws_at_calls(ws_at __ws_at, int n)
// CHECK: b = fib(n);
// CHECK: c = (fib)(n) + __ws_at_fib(ws_scope_at(&__ws_sc), n);
// CHECK: (*__ws_c->a) = fib(n); }
int calls_later(int);
int calls(int n) {
  int a = 0, b = 0, c;
#pragma ws task shared(a)
  a = fib(n);
#pragma ws taskgroup
  { b = fib(n); }
  c = (fib)(n) + fib(n);
  c += calls_later(n);
#pragma ws taskwait
  return a + b + c;
}

// __func__ in a clone names the function, as in the task bodies.
// CHECK-LABEL: static const char *__ws_at_named(ws_at __ws_at, int n);
// CHECK-NEXT: const char *named(int n) { return __ws_at_named(ws_at_here(), n); }
// CHECK-NEXT: #define __func__ "named"
// CHECK-NEXT: #define __FUNCTION__ "named"
// CHECK-NEXT: #define __PRETTY_FUNCTION__ "named"
// CHECK: return x ? __func__ : ""; }
// CHECK-NEXT: ws_scope_wait_at(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}}); }
// CHECK-NEXT: #undef __func__
// CHECK-NEXT: #undef __FUNCTION__
// CHECK-NEXT: #undef __PRETTY_FUNCTION__
const char *named(int n) {
  int x;
#pragma ws task shared(x)
  x = work(n);
  work(0);
#pragma ws taskwait
  return x ? __func__ : "";
}

// Left as they are: main, variadic, attributes, only a high task.
// CHECK-NOT: __ws_at_variadic
// CHECK-NOT: __ws_at_attributed
// CHECK-NOT: __ws_at_high
// CHECK-NOT: __ws_at_main
int variadic(int n, ...) {
  int x;
#pragma ws task shared(x)
  x = work(n);
  work(0);
#pragma ws taskwait
  return x;
}
__attribute__((noinline)) int attributed(int n) {
  int x;
#pragma ws task shared(x)
  x = work(n);
  work(0);
#pragma ws taskwait
  return x;
}
int high(int n) {
  int x;
#pragma ws task shared(x) priority(high)
  x = work(n);
  work(0);
#pragma ws taskwait
  return x;
}
int calls_later(int n) { return n; }
int main(void) {
  int x;
#pragma ws task shared(x)
  x = fib(10);
  work(0);
#pragma ws taskwait
  return x + variadic(1) + attributed(1) + (named(1) != 0) + high(1) +
         no_take(1) + hidden(1) + internal(2) + calls(1) + counted() +
         (int)copies(1);
}
