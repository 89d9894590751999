// A variable captured by address and used inside a macro body is rewritten
// once the invocation is spelled out (macro-bodies.c); when the expansion
// cannot be spelled out exactly -- it also holds another pragma -- it is an
// error naming the variable and the macro.
// RUN: not %ws_cc -fsyntax-only %s 2>&1 | FileCheck %s --implicit-check-not=error:
#define ADD(v, k) ((v) += (k))
#define QUIET_BUMP()                                                           \
  _Pragma("clang diagnostic push") (counter++) _Pragma("clang diagnostic pop")

void f(void) {
  int counter = 0;
#pragma ws task shared(counter)
  ADD(counter, 2);
#pragma ws task shared(counter)
  QUIET_BUMP();
// CHECK: diag-macro.c:[[@LINE-1]]:3: error: 'counter' is captured by address but used inside the body of macro 'QUIET_BUMP', whose expansion cannot be spelled out exactly (another pragma, or a name that must not expand again, in it); pass 'counter' as a macro argument or copy it to a local
}
