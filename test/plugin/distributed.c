// `#pragma ws task distributed` (issue 15): the rewrite (weak references to
// libws-mpi, the task table entry, results written back, a section copied),
// that it runs without libws-mpi as ordinary tasks with the serial result,
// and the by-value checks, each naming the variable at its column.  The
// MPI runs are in test/mpi (mpi-plugin-*).
// RUN: %ws_rewrite %s -- -I%ws_include | grep -v "REWRITE[-A-Z]*:" | FileCheck %s --check-prefix=REWRITE
// RUN: %clang -Wno-unknown-pragmas %s -o %t.serial && %t.serial > %t.expected
// RUN: %wscc -O1 -Wall -Wextra -Werror %s -o %t
// RUN: env WS_NUM_WORKERS=1 %t | diff %t.expected -
// RUN: env WS_NUM_WORKERS=3 %t | diff %t.expected -
// RUN: not %ws_cc -fsyntax-only -DBAD %s 2>&1 | FileCheck %s --check-prefix=BAD
// RUN: not %ws_cc -fsyntax-only -DBADUSE %s 2>&1 | FileCheck %s --check-prefix=BADUSE
// RUN: %ws_cc -fsyntax-only -DLOSTW %s 2>&1 | FileCheck %s --check-prefix=LOSTW
#include <stdint.h>
#include <stdio.h>

// REWRITE: extern int __ws_mpi_spawn({{.*}}) __asm__("ws_mpi_spawn_results") __attribute__((weak));
typedef struct node {
  uint64_t state;
  int depth, max_depth;
} node;

static int children(const node *n) {
  return n->depth >= n->max_depth ? 0 : (int)(n->state % 5);
}
static node child(const node *n, int i) {
  node c = {n->state * 6364136223846793005ull + (uint64_t)i + 1, n->depth + 1,
            n->max_depth};
  return c;
}

static uint64_t search(node n) {
  uint64_t count = 1, sub[8];
  int k = children(&n);
  for (int i = 0; i < k; i++) {
    node c = child(&n, i);
#pragma ws task distributed shared(sub[i])
    sub[i] = search(c);
    // REWRITE: static struct __ws_dtask __ws_dtask_0 = { "distributed.c:[[@LINE-2]]:search#0", __ws_task_0, 0 };
    // REWRITE: __ws_l.__ws_res[0].addr = &((sub)[i]);
    // REWRITE: if (!__ws_mpi_spawn || __ws_mpi_spawn(ws_scope_frame(&__ws_sc, &__ws_frame), &__ws_dtask_0, {{.*}}) != 0) ws_spawn(ws_scope_frame(&__ws_sc, &__ws_frame), __ws_dlocal_0,
  }
#pragma ws taskwait
  for (int i = 0; i < k; i++)
    count += sub[i];
  return count;
}

// A result element used in tasks nested in its distributed task (they run
// on its rank; it waits for them before its result travels back): there
// out[i] is the element's copy, shared by shared(out) (through each level)
// or copied by default.
static long nested(int n) {
  long out[3] = {0};
  for (int i = 0; i < 3; i++) {
#pragma ws task distributed shared(out[i])
    {
      long twice = 0;
      out[i] = i;
#pragma ws task shared(out)
      {
#pragma ws task shared(out)
        out[i] = out[i] * 10 + n;
      }
#pragma ws taskwait
#pragma ws task shared(twice)
      twice = 2 * out[i];
#pragma ws taskwait
      out[i] += twice;
    }
  }
#pragma ws taskwait
  return out[0] + 100 * out[1] + 10000 * out[2];
}
// (The spawns in the distributed task, then the outlined tasks.)
// REWRITE: .__ws_r_out = &__ws_r_out,
// REWRITE: .__ws_r_out = __ws_r_out,
// REWRITE: .__ws_r_out = &(*__ws_c->__ws_r_out),
// REWRITE: (*__ws_c->__ws_r_out) = (*__ws_c->__ws_r_out) * 10 + n;
// REWRITE: (*__ws_c->twice) = 2 * __ws_r_out;

static long sum(const int *a, int lo, int len) {
  long s = 0;
  for (int i = lo; i < lo + len; i++)
    s += a[i];
  return s;
}

struct pair {
  long lo, hi;
};

int main(int argc, char **argv) {
  // REWRITE: int main(int argc, char **argv) { {{.*}}int __ws_mpi_joined = __ws_mpi_init ? __ws_mpi_init(&argc, &argv) : 0;
  (void)argv;
  node root = {42, 0, argc > 1 ? 10 : 9};
  uint64_t total = 0;
  int arr[100];
  for (int i = 0; i < 100; i++)
    arr[i] = i;
  long part = 0, p2 = 0;
  int *ap = arr;
  struct pair pr = {0, 0};
#pragma ws task distributed shared(total) priority(high)
  total = search(root);
#pragma ws task distributed firstprivate(ap[10:20]) shared(part)
  part = sum(ap, 10, 20);
  // REWRITE: __builtin_free(__ws_lp); } else { void *__ws_secp[] = { (void *)&(ap)[__ws_cap.__ws_lo_ap], }; unsigned char __ws_rb[1 + sizeof (part)], *__ws_p = __ws_rb; __ws_taskb_{{[0-9]+}}(&__ws_cap, __ws_rb, __ws_secp);
#pragma ws task distributed shared(p2, pr)
  {
    p2 = arr[3] + arr[99]; // arr: a fixed-size array, copied
    pr.lo = p2 - 1;
    pr.hi = p2 + 1;
  }
  // Several result elements of one array, each written back at its own
  // element (and read in the task as its own copy).
  long two[4] = {1, 2, 3, 4};
  int k = argc + 1;
#pragma ws task distributed shared(two[0], two[k]) shared(two[k + 1])
  {
    two[0] = two[k] * 10;
    two[k] = two[0] + two[k + 1];
    two[k + 1] = -1;
  }
  // REWRITE: .__ws_r_two = (two)[0], .__ws_r1_two = (two)[k], .__ws_r2_two = (two)[k + 1],
  // REWRITE: int *ap = (int *)((__UINTPTR_TYPE__)(__ws_secp ? (unsigned char *)__ws_secp[0] : (unsigned char *)__ws_arg
  // REWRITE: __ws_r_two = __ws_r1_two * 10;
  // REWRITE-NEXT: __ws_r1_two = __ws_r_two + __ws_r2_two;
#pragma ws taskwait
  printf("%llu %ld %ld %ld %ld\n", (unsigned long long)total, part, p2, pr.lo,
         pr.hi);
  printf("%ld %ld %ld %ld\n", two[0], two[1], two[2], two[3]);
  printf("%ld\n", nested(argc + 4));
#ifdef BAD
  {
    int n = argc, *p = arr, r = 0, out[4] = {0}, vla[n];
    static int st;
    struct withptr {
      int *p;
    } w = {p};
#pragma ws task distributed shared(r)
    r = *p;
    // BAD-DAG: :[[@LINE-1]]:10: error: distributed task captures 'p' of type 'int *', which is a pointer: its value means nothing on another rank
#pragma ws task distributed shared(r)
    r = w.p[0];
    // BAD-DAG: :[[@LINE-1]]:9: error: distributed task captures 'w' of type 'struct withptr', which holds a pointer
#pragma ws task distributed shared(r)
    r = vla[0];
    // BAD-DAG: :[[@LINE-1]]:9: error: distributed task captures the variable-length array 'vla': only its bytes can travel; list a section 'firstprivate(vla[lo:len])'
#pragma ws task distributed shared(r)
    r = st;
    // BAD-DAG: :[[@LINE-1]]:9: error: distributed task would reach 'st' through its address
#pragma ws task shared(out[1])
    out[1] = 1;
    // BAD-DAG: :[[@LINE-2]]:24: error: 'out[1]' in 'shared': an array element or section is allowed only on a 'distributed' task
#pragma ws task distributed shared(out[0:2])
    out[0] = 1;
    // BAD-DAG: :[[@LINE-2]]:36: error: invalid argument 'out[0:2]' for 'shared'; expected a variable or an element 'a[i]'
#pragma ws task distributed firstprivate(p[1])
    r = p[1];
    // BAD-DAG: :[[@LINE-2]]:42: error: invalid argument 'p[1]' for 'firstprivate'; expected a variable or a section 'a[lo:len]'
#pragma ws task distributed if (n) shared(r)
    r = 1;
    // BAD-DAG: :[[@LINE-2]]:29: error: clause 'if' is not supported on a distributed task
#pragma ws task distributed default(shared)
    r = 1;
    // BAD-DAG: :[[@LINE-2]]:29: error: clause 'default(shared)' is not supported on a distributed task
#pragma ws task distributed firstprivate(p[0:n) shared(r)
    r = 1;
    // BAD-DAG: :[[@LINE-2]]:47: error: expected ']' to close the subscript in 'firstprivate'
#pragma ws parallel for distributed
    for (int i = 0; i < n; i++)
      r += i;
    // BAD-DAG: :[[@LINE-3]]:25: error: clause 'distributed' is not allowed on '#pragma ws parallel for'
#pragma ws task distributed shared(out[n], out[ n ])
    out[n] = 1;
    // BAD-DAG: :[[@LINE-2]]:44: error: variable 'out' is listed twice in 'shared'
#pragma ws task distributed shared(out[n]) shared(out)
    out[n] = 1;
    // BAD-DAG: :[[@LINE-2]]:51: error: variable 'out' is listed twice in 'shared'
  }
  // BAD: 13 errors generated.
#endif
#ifdef LOSTW
  {
    long res[2] = {0};
    int j = argc & 1;
#pragma ws task distributed shared(res[j])
    {
#pragma ws task
      res[j] = 5;
      // LOSTW: :[[@LINE-1]]:7: warning: the task assigns 'res', its own copy (locals are firstprivate by default)
      // LOSTW: :[[@LINE-3]]:1: note: add 'shared(res)' to write the variable itself
    }
  }
#endif
#ifdef BADUSE
  {
    uint64_t res[4] = {0};
    int j = 1;
#pragma ws task distributed shared(res[j])
    res[j] = res[j + 1];
    // BADUSE: :[[@LINE-1]]:14: error: distributed task uses 'res' other than as its result 'res[j]'
#pragma ws task distributed shared(res[0], res[j])
    res[1] = res[j];
    // BADUSE: :[[@LINE-1]]:5: error: distributed task uses 'res' other than as its result 'res[0]', 'res[j]'
    // In tasks nested in a distributed task: res[j] in a clause, where it
    // would be evaluated in the distributed task (errors), and another
    // element of res in a body.
#pragma ws task distributed shared(res[j])
    {
#pragma ws task distributed shared(res[j])
      res[j] = 3;
      // BADUSE: :[[@LINE-2]]:36: error: result 'res[j]' of a distributed task is named in a clause of a task nested in it, where only the body has it; list the array ('shared(res)') and use 'res[j]' in the nested task's body
      // BADUSE: :[[@LINE-3]]:1: note: '#pragma ws task' is here
      // BADUSE: :[[@LINE-6]]:1: note: '#pragma ws task' is here
#pragma ws task if (res[j] > 0) shared(res)
      res[j] = 4;
      // BADUSE: :[[@LINE-2]]:21: error: result 'res[j]' of a distributed task is named in a clause of a task nested in it
#pragma ws task shared(res)
      res[j + 1] = 2;
      // BADUSE: :[[@LINE-1]]:7: error: distributed task uses 'res' other than as its result 'res[j]'
      // BADUSE: :[[@LINE-13]]:1: note: '#pragma ws task' is here
#pragma ws taskwait
    }
  }
#endif
  return 0;
}
