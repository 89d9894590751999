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
