/*
 * plugin_kernels.c -- the distributed kernels written with
 * `#pragma ws task distributed` (issue 15): a UTS-like tree (results as
 * array elements, shared(sub[i]); again with two result elements of one
 * array per task, shared(acc[2 * i], acc[2 * i + 1])), fib with a cut-off
 * (shared(x) scalars), the tree with its result elements written by tasks
 * nested in the distributed ones (tree3: tree(n, 1)), and nqueens (the board a
 * pointer-free struct, a firstprivate section of a table, results in an array).
 * It prints one line per kernel, the same whatever runs it: the serial elision
 * (no plugin), wscc without MPI, or wscc --mpi under mpirun at any number of
 * ranks (run_mpi.sh, mode plugin).
 *
 *   plugin_kernels [tree depth] [fib n] [queens n]
 */
#include "dist_serial.h"

#include <stdio.h>
#include <stdlib.h>

#define TREE_SERIAL_HEIGHT 4 /* nodes this close to the leaves: serial */

/* nested: each result element is written by tasks nested in its
 * distributed task, two levels down (they run on the distributed task's
 * rank, which waits for them before its result travels back): in them
 * sub[i] is the element's copy there, shared by shared(sub) at each level;
 * `self` reaches them by the default copy. */
static uint64_t tree(node n, int nested) {
  if (n.max_depth - n.depth <= TREE_SERIAL_HEIGHT)
    return uts_serial(n);
  uint64_t count = 1, sub[8] = {0};
  int k = children(&n);
  for (int i = 0; i < k; i++) {
    node c = child(&n, i);
    if (!nested) {
#pragma ws task distributed shared(sub[i])
      sub[i] = tree(c, 0);
    } else {
#pragma ws task distributed shared(sub[i])
      {
        uint64_t self = 1;
        sub[i] = 0;
#pragma ws task shared(sub)
        {
#pragma ws task shared(sub)
          sub[i] = tree(c, 1) - self;
        }
#pragma ws taskwait
        sub[i] += self;
      }
    }
  }
#pragma ws taskwait
  for (int i = 0; i < k; i++)
    count += sub[i];
  return count;
}

/* The tree again, two results per task in one array (shared(acc[2 * i],
 * acc[2 * i + 1]): several result elements of one array): the node count
 * and the deepest level. */
static uint64_t deepest_serial(node n) {
  uint64_t d = (uint64_t)n.depth;
  for (int i = 0, k = children(&n); i < k; i++) {
    uint64_t c = deepest_serial(child(&n, i));
    d = c > d ? c : d;
  }
  return d;
}

static void tree2(node n, uint64_t *count, uint64_t *deepest) {
  if (n.max_depth - n.depth <= TREE_SERIAL_HEIGHT) {
    *count = uts_serial(n);
    *deepest = deepest_serial(n);
    return;
  }
  uint64_t acc[16] = {0};
  int k = children(&n);
  for (int i = 0; i < k; i++) {
    node c = child(&n, i);
#pragma ws task distributed shared(acc[2 * i], acc[2 * i + 1])
    tree2(c, &acc[2 * i], &acc[2 * i + 1]);
  }
#pragma ws taskwait
  *count = 1;
  *deepest = (uint64_t)n.depth;
  for (int i = 0; i < k; i++) {
    *count += acc[2 * i];
    if (acc[2 * i + 1] > *deepest)
      *deepest = acc[2 * i + 1];
  }
}

static long fib(int n) {
  if (n < 20)
    return fib_serial(n);
  long x = 0, y = 0;
#pragma ws task distributed shared(x) priority(high)
  x = fib(n - 1);
#pragma ws task distributed shared(y)
  y = fib(n - 2);
#pragma ws taskwait
  return x + y;
}

/* The weight of each column, a table main fills in: a distributed task
 * gets the part it needs as a section of its captures. */
static long weigh(board b, const int *w, int n) {
  long s = nq_serial(b);
  return s * w[n - 1];
}

static long queens(board b, int depth, const int *w) {
  if (depth == 0)
    return weigh(b, w, b.n);
  long sub[NQ_MAX] = {0}, count = 0;
  for (int c = 0; c < b.n; c++)
    if (safe(&b, c)) {
      board nb = b;
      nb.col[nb.row++] = (signed char)c;
      int next = depth - 1;
#pragma ws task distributed shared(sub[c]) firstprivate(w [0:b.n])
      sub[c] = queens(nb, next, w);
    }
#pragma ws taskwait
  for (int c = 0; c < b.n; c++)
    count += sub[c];
  return count;
}

int main(int argc, char **argv) {
  int depth = argc > 1 ? atoi(argv[1]) : 10;
  int fn = argc > 2 ? atoi(argv[2]) : 30;
  int qn = argc > 3 ? atoi(argv[3]) : 10;
  if (qn < 1 || qn > NQ_MAX)
    return 2;
  node root = {0x5eedull, 0, depth};
  printf("tree %llu\n", (unsigned long long)tree(root, 0));
  uint64_t count2 = 0, deepest2 = 0;
  tree2(root, &count2, &deepest2);
  printf("tree2 %llu %llu\n", (unsigned long long)count2,
         (unsigned long long)deepest2);
  printf("tree3 %llu\n", (unsigned long long)tree(root, 1));
  printf("fib %ld\n", fib(fn));
  int w[NQ_MAX];
  for (int i = 0; i < NQ_MAX; i++)
    w[i] = i + 1; /* computed by main: rank 0's alone, sent as a section */
  board b = {qn, 0, {0}};
  printf("queens %ld\n", queens(b, 2, w));
  return 0;
}
