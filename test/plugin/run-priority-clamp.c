// priority(expr) clamps in the expression's own type before converting to
// int (issue 13, item 5): values above 3 are critical and below 0 low, for
// every integer type (unsigned, 64-bit, 128-bit, enums) and for floating
// ones; the task runs at that tier (counted by ws_stats_get).
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v "REWRITE[-A-Z]*:" | FileCheck %s --check-prefix=REWRITE
// RUN: %ws_rewrite %s -- -I%ws_include > %t.c
// RUN: gcc -std=gnu11 -fsyntax-only -Wall -Wextra -Werror -Wdeclaration-after-statement -I%ws_include %t.c
// RUN: %wscc -O1 -Wall -Wextra -Werror %s -o %t
// RUN: env WS_NUM_WORKERS=1 %t | FileCheck %s
// RUN: env WS_NUM_WORKERS=3 %t | FileCheck %s
// RUN: not %ws_cc -fsyntax-only -DBAD %s 2>&1 | FileCheck %s --check-prefix=BAD
#include <limits.h>
#include <stdio.h>
#include <ws.h>

static volatile int sink;
static const char *names[] = {"low", "normal", "high", "critical"};

// The tier at which the tasks since the last call ran ("mixed" if several).
static const char *ran_at(void) {
  static uint64_t before[WS_NUM_TIERS];
  ws_stats t;
  const char *at = "none";
  int n = 0;
  ws_stats_get(&t, NULL, 0);
  for (int k = 0; k < WS_NUM_TIERS; k++) {
    if (t.executed[k] != before[k]) {
      at = names[k];
      n++;
    }
    before[k] = t.executed[k];
  }
  return n > 1 ? "mixed" : at;
}

enum big { BIG = 1000 };

int main(void) {
  long long ll = 1LL << 32;
  unsigned u = 1u << 31;
  unsigned long long ull = ULLONG_MAX;
  unsigned char uc = 200;
  short s = -5;
  __int128 wide = (__int128)1 << 100;
  enum big e = BIG;
  double d = 1e30, nd = -1e30, half = 2.5;
  int out[64];
  ran_at();
#pragma ws task priority(ll)
  sink++;
#pragma ws taskwait
  printf("1LL << 32 -> %s\n", ran_at());
#pragma ws task priority(u)
  sink++;
#pragma ws taskwait
  printf("1u << 31 -> %s\n", ran_at());
#pragma ws task priority(LLONG_MAX)
  sink++;
#pragma ws taskwait
  printf("LLONG_MAX -> %s\n", ran_at());
#pragma ws task priority(ull)
  sink++;
#pragma ws taskwait
  printf("ULLONG_MAX -> %s\n", ran_at());
#pragma ws task priority(LLONG_MIN)
  sink++;
#pragma ws taskwait
  printf("LLONG_MIN -> %s\n", ran_at());
#pragma ws task priority(uc)
  sink++;
#pragma ws taskwait
  printf("(unsigned char)200 -> %s\n", ran_at());
#pragma ws task priority(s)
  sink++;
#pragma ws taskwait
  printf("(short)-5 -> %s\n", ran_at());
#pragma ws task priority(wide)
  sink++;
#pragma ws taskwait
  printf("2^100 -> %s\n", ran_at());
#pragma ws task priority(-wide)
  sink++;
#pragma ws taskwait
  printf("-2^100 -> %s\n", ran_at());
#pragma ws task priority(e)
  sink++;
#pragma ws taskwait
  printf("enum 1000 -> %s\n", ran_at());
#pragma ws task priority(d)
  sink++;
#pragma ws taskwait
  printf("1e30 -> %s\n", ran_at());
#pragma ws task priority(nd)
  sink++;
#pragma ws taskwait
  printf("-1e30 -> %s\n", ran_at());
#pragma ws task priority(half) if (1)
  sink++;
#pragma ws taskwait
  printf("2.5 -> %s\n", ran_at());
#pragma ws task priority(2)
  sink++;
#pragma ws taskwait
  printf("2 -> %s\n", ran_at());
#pragma ws parallel for priority(ll) grainsize(4)
  for (int i = 0; i < 64; i++)
    out[i] = i;
  printf("parallel for 1LL << 32 -> %s\n", ran_at());
#pragma ws parallel for priority(-ll) grainsize(4)
  for (int i = 0; i < 64; i++)
    out[i] += i;
  printf("parallel for -(1LL << 32) -> %s %d\n", ran_at(), out[63]);
#ifdef BAD
#pragma ws task priority(out)
  sink++;
// BAD: run-priority-clamp.c:[[@LINE-2]]:26: error: 'priority' expects a tier name or an integer expression, not an expression of type 'int[64]'
#endif
  return 0;
}
// CHECK: 1LL << 32 -> critical
// CHECK-NEXT: 1u << 31 -> critical
// CHECK-NEXT: LLONG_MAX -> critical
// CHECK-NEXT: ULLONG_MAX -> critical
// CHECK-NEXT: LLONG_MIN -> low
// CHECK-NEXT: (unsigned char)200 -> critical
// CHECK-NEXT: (short)-5 -> low
// CHECK-NEXT: 2^100 -> critical
// CHECK-NEXT: -2^100 -> low
// CHECK-NEXT: enum 1000 -> critical
// CHECK-NEXT: 1e30 -> critical
// CHECK-NEXT: -1e30 -> low
// CHECK-NEXT: 2.5 -> high
// CHECK-NEXT: 2 -> high
// CHECK-NEXT: parallel for 1LL << 32 -> critical
// CHECK-NEXT: parallel for -(1LL << 32) -> low 126

// REWRITE: long long __ws_prio_{{[0-9]+}} = (ll); {{.*}}ws_scope_last(&__ws_sc, &__ws_frame, __ws_task_{{[0-9]+}}, &__ws_cap, sizeof __ws_cap, (__ws_prio_[[N:[0-9]+]] > 3 ? 3 : __ws_prio_[[N]] < 0 ? 0 : (int)__ws_prio_[[N]]),
// REWRITE: unsigned long long __ws_prio_[[N:[0-9]+]] = (u); {{.*}} (__ws_prio_[[N]] > 3u ? 3 : (int)__ws_prio_[[N]]),
// REWRITE: __int128 __ws_prio_
// REWRITE: long double __ws_prio_[[N:[0-9]+]] = (d); {{.*}} (__ws_prio_[[N]] >= 3 ? 3 : __ws_prio_[[N]] >= 1 ? (int)__ws_prio_[[N]] : 0),
// REWRITE: long long __ws_prio_[[N:[0-9]+]] = (ll); {{.*}} .tier = (__ws_prio_[[N]] > 3 ? 3 : __ws_prio_[[N]] < 0 ? 0 : (int)__ws_prio_[[N]]),
