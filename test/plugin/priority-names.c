// priority(word): a word that names something in scope -- a variable, a
// parameter, an enumerator, a macro -- is an expression, even when it looks
// like a tier name (issue 13, item 6); only an unknown word gets the
// "did you mean" suggestion.
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v CHECK | FileCheck %s
// RUN: %ws_cc -c -Wall -Wextra -Werror %s -o %t.o
// RUN: not %ws_cc -fsyntax-only -DBAD %s 2>&1 | FileCheck %s --check-prefix=BAD --implicit-check-not=error:

void use(int);
enum level { crit = 3, mid = 1 };
#define norm 1

void named(int hi, unsigned high1) {
  int lowest = 0;
#pragma ws task priority(hi)
  use(1);
// CHECK: long long __ws_prio_0 = (hi);
#pragma ws task priority(high1)
  use(2);
// CHECK: unsigned long long __ws_prio_1 = (high1);
#pragma ws task priority(crit)
  use(3);
// CHECK: long long __ws_prio_2 = (crit);
#pragma ws task priority(mid)
  use(4);
// CHECK: long long __ws_prio_3 = (mid);
#pragma ws task priority(norm)
  use(5);
// CHECK: long long __ws_prio_4 = (norm);
#pragma ws task priority(lowest)
  use(6);
// CHECK: long long __ws_prio_5 = (lowest);
#pragma ws task priority(high)
  use(7);
// CHECK: WS_TIER_HIGH, &__ws_site_6);
}

#ifdef BAD
void unknown(void) {
#pragma ws task priority(hi)
  use(1);
// BAD: priority-names.c:[[@LINE-2]]:26: error: invalid argument 'hi' for 'priority'; did you mean 'high'?
#pragma ws task priority(critcal)
  use(2);
// BAD: priority-names.c:[[@LINE-2]]:26: error: invalid argument 'critcal' for 'priority'; did you mean 'critical'?
  {
    int critcal = 2;
#pragma ws task priority(critcal)
    use(critcal);
  }
#pragma ws task priority(nosuch)
  use(3);
// BAD: priority-names.c:[[@LINE-2]]:26: error: use of undeclared identifier 'nosuch'
}
#endif
