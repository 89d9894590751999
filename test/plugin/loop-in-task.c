// A parallel for inside a task: the loop's start, bound and step are read
// in the task, through the task's pointers when the task shares them, and
// the whole replaced expression is used (issue 13, item 3: the text of a
// replaced token was cut to the length of the original token).
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK > %t.c
// RUN: FileCheck %s < %t.c
// RUN: gcc -std=gnu11 -fsyntax-only -Wall -Wextra -Werror -Wdeclaration-after-statement -I%ws_include %t.c
// RUN: %ws_cc -c -Wall -Wextra -Werror %s -o %t.o

void f(long *out) {
  int lo = 1, n = 100, st = 3;
#pragma ws task shared(lo, n, st)
  {
#pragma ws parallel for
    for (int i = lo; i < n; i += st)
      out[i] = i;
  }
}

// CHECK: { int __ws_init_1 = (int)((*__ws_c->lo)); int __ws_b_1 = (int)((*__ws_c->n)); int __ws_s_1 = ((*__ws_c->st));
// CHECK: for (int i = (*__ws_c->lo); i < (*__ws_c->n); i += (*__ws_c->st)) { struct __ws_cap_1 *__ws_c = &__ws_lcap_1;

// Item 4: what the loop makes its own keeps its name in the loop although
// the task shares it -- the reduction variable, the induction variable,
// firstprivate and private copies; the set-up reads the task's variable
// and the end stores it back.
void g(long *out, int n) {
  long total = 0;
  int i, k = 3, t = 0;
#pragma ws task shared(total, i, k, t)
  {
#pragma ws parallel for reduction(+: total) firstprivate(k) private(t)
    for (i = 0; i < n; i++) {
      t = i * k;
      total += out[i] + t;
    }
  }
}

// CHECK-LABEL: void g(long *out, int n)
// CHECK: struct __ws_cap_3 __ws_lcap_3 = { .k = (*__ws_c->k), .out = out,
// CHECK-SAME: if (!__ws_ok_3 || __ws_trips_3 == 0) { int i = (*__ws_c->i); long total = (*__ws_c->total);
// CHECK-NEXT: for (i = 0; i < n; i++) { struct __ws_cap_3 *__ws_c = &__ws_lcap_3; int t; int k = __ws_c->k;
// CHECK-NEXT: t = i * k;
// CHECK-NEXT: total += out[i] + t;
// CHECK-NEXT: } } (*__ws_c->i) = i; (*__ws_c->total) = total; } else {
// CHECK-SAME: (*__ws_c->total) = (*__ws_c->total) + __ws_red_3.total; (*__ws_c->i) = (int)(__ws_lcap_3.__ws_a + __ws_trips_3 * __ws_lcap_3.__ws_s); } }
// CHECK: static void __ws_loop_3(
// CHECK-SAME: long total = __ws_r->total; int t; int k = __ws_c->k; long *out = __ws_c->out;
// CHECK-SAME: int i = (int)(__ws_a + __ws_k * __ws_s);
// CHECK-NEXT: #line
// CHECK-NEXT: {
// CHECK-NEXT: t = i * k;
// CHECK-NEXT: total += out[i] + t;
