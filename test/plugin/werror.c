// The rewritten text adds no warning of its own, so -Werror builds that were
// clean stay clean: here `scratch` is used only by the task (private), and
// `n` only in a clause.
// RUN: %ws_cc -Wall -Wextra -Werror -c %s -o %t.o
// RUN: %ws_rewrite %s -- -I%ws_include > %t.c
// RUN: %clang -Wall -Wextra -Werror -Wdeclaration-after-statement -I%ws_include -c %t.c -o %t2.o

int use(int);

int f(int n) {
  int scratch;
  int r = 0;
#pragma ws task private(scratch) shared(r) if(n > 1)
  {
    scratch = use(3);
    r = scratch;
  }
  return r;
}
