/* Nested tasks, recursion, taskgroups, taskwait, __func__, checked against
 * the serial elision. */
#include <stdio.h>
#include <stdlib.h>

static long fib(int n) {
  long x, y;
  if (n < 2)
    return n;
#pragma ws task shared(x) final(n < 10)
  x = fib(n - 1);
  y = fib(n - 2);
#pragma ws taskwait
  return x + y;
}

/* A binary tree built and summed in parallel. */
typedef struct node {
  struct node *left, *right;
  long value;
} node;

static node *build(int depth, long value) {
  node *n = malloc(sizeof *n);
  n->value = value;
  n->left = n->right = NULL;
  if (depth > 0) {
#pragma ws task shared(n)
    n->left = build(depth - 1, 2 * value);
#pragma ws task shared(n)
    n->right = build(depth - 1, 2 * value + 1);
  }
  return n; /* implicit wait: both children are built */
}

static long sum(const node *n) {
  if (!n)
    return 0;
  long l = 0, r = 0;
#pragma ws task shared(l)
  l = sum(n->left);
  r = sum(n->right);
#pragma ws taskwait
  return n->value + l + r;
}

static void destroy(node *n) {
  if (!n)
    return;
#pragma ws taskgroup
  {
#pragma ws task
    destroy(n->left);
#pragma ws task
    destroy(n->right);
  }
  free(n);
}

/* Tasks inside tasks, each level with its own frame. */
static void nested(int *counts) {
#pragma ws taskgroup
  {
    for (int i = 0; i < 4; i++) {
#pragma ws task shared(counts)
      {
        for (int j = 0; j < 4; j++) {
#pragma ws task shared(counts)
          counts[i * 4 + j] = (i + 1) * (j + 1);
        }
        /* the implicit wait of this task covers its children */
      }
    }
  }
}

static void where(char *buf) {
#pragma ws task shared(buf)
  snprintf(buf, 64, "%s", __func__);
}

int main(void) {
  printf("fib(24) = %ld\n", fib(24));
  node *root = build(12, 1);
  printf("tree sum = %ld\n", sum(root));
  destroy(root);
  int counts[16];
  nested(counts);
  int total = 0;
  for (int i = 0; i < 16; i++)
    total += counts[i];
  printf("nested total = %d\n", total);
  char buf[64] = "";
  where(buf);
  printf("__func__ in a task: %s\n", buf);
  return 0;
}
