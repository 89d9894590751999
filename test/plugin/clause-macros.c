// A variable that the enclosing task or parallel for captures by address,
// named by a macro body in a nested directive's clause expression (fuzz
// finding, test/fuzz/README.md): the invocation in the pragma line is
// spelled out as its tokens and the file analysed again, so the clause
// reads the variable through the capture like written code.  Where the
// invocation cannot be spelled out exactly, an error names the macro.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK > %t.c
// RUN: FileCheck %s --check-prefix=REWRITE < %t.c
// RUN: gcc -std=gnu11 -fsyntax-only -Wall -Wextra -Werror -Wdeclaration-after-statement -I%ws_include %t.c
// RUN: %wscc -O1 -Wall -Wextra -Werror %s -o %t
// RUN: env WS_NUM_WORKERS=1 %t | FileCheck %s
// RUN: env WS_NUM_WORKERS=3 %t | FileCheck %s
// RUN: not %ws_cc -fsyntax-only -DBAD %s 2>&1 | FileCheck %s --check-prefix=BAD --implicit-check-not=error:
#include <stdio.h>

#define MARK(v) (seen[(v)] = (v) + 1)
#define BIG(v) (limit > (v))
#define LEVEL (level + 1)
#define FIRST(a) a##_first

enum { N = 16 };

// The fuzzer's input: `if(MARK(j))` of a task in a parallel for body.
static int in_loop(int n) {
  int seen[N] = {0}, hits[N] = {0}, s = 0;
#pragma ws parallel for
  for (int j = 0; j < n; j++) {
#pragma ws task shared(hits) if(MARK(j))
    hits[j] = 1;
  }
  for (int j = 0; j < n; j++)
    s += seen[j] + hits[j];
  return s;
}
// REWRITE-LABEL: static int in_loop(int n)
// REWRITE: .flags = ((( (*__ws_c->seen) [ ( j ) ] = ( j ) + 1 )) ? 0u : WS_TASK_UNDEFERRED)

// A task sharing `limit`, `level` and `x_first`; its nested task reads them
// in final(), priority() and depend() through macros.
static int in_task(int n) {
  int limit = 3, level = 1, x_first = 0, out = 0;
#pragma ws task shared(limit, level, x_first, out)
  {
#pragma ws task shared(out) final(BIG(n)) priority(LEVEL) depend(inout: FIRST(x))
    out = n + (level > 0);
    limit++;
  }
#pragma ws taskwait
  return out * 10 + limit;
}
// REWRITE-LABEL: static int in_task(int n)
// REWRITE: ( (*__ws_c->limit) > ( n ) )
// REWRITE: ( (*__ws_c->level) + 1 )
// REWRITE: (*__ws_c->x_first)

int main(void) {
  printf("in_loop %d\n", in_loop(N));
  printf("in_task %d\n", in_task(7));
  return 0;
}
// CHECK: in_loop 152
// CHECK: in_task 84

#ifdef BAD
// `VAL` names a variable inside its own (function-like) body: spelled out
// again it could expand, so the invocation cannot be spelled out.
int VAL = 2;
#define VAL(v) (acc[(v)] + VAL)
int unspellable(int n) {
  int acc[4] = {0}, r = 0;
#pragma ws parallel for
  for (int j = 0; j < 4; j++) {
#pragma ws task shared(r) if(VAL(j))
    r = j;
  }
  return acc[0] + r + n;
}
// BAD: clause-macros.c:[[@LINE-5]]:30: error: 'acc' is captured by address but used inside the body of macro 'VAL'
#endif
