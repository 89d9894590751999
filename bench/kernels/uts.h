/* UTS-style unbalanced tree, shared by every variant.  A node is a 64-bit
 * state; its child count is geometric with mean UTS_B (a hash of the state
 * decides it), the root has a fixed fan-out, and the tree stops at a depth
 * limit.  The subtree sizes vary by orders of magnitude, so the work cannot
 * be split evenly in advance.  Each node costs UTS_ROUNDS hash rounds
 * (standing in for UTS's SHA-1). */
#ifndef BENCH_UTS_H
#define BENCH_UTS_H

#include "harness.h"
#include <math.h>
#include <stdint.h>

#define UTS_B 4.0     /* mean children of a non-root node */
#define UTS_MAXCH 64  /* cap of a non-root node's children */
#define UTS_ROUNDS 24 /* hash rounds per node */

static inline uint64_t uts_child(uint64_t state, int i) {
  uint64_t h = state ^ (0x632be59bd9b4e019ull * (uint64_t)(i + 1));
  for (int r = 0; r < UTS_ROUNDS; r++)
    h = bench_mix(h);
  return h;
}

static inline int uts_num_children(uint64_t state, int depth, int root_fanout,
                                   int max_depth) {
  if (depth == 0)
    return root_fanout;
  if (depth >= max_depth)
    return 0;
  /* Geometric: P(m = k) = q (1-q)^k with q = 1 / (1 + B), mean B. */
  double u = (double)((bench_mix(state) >> 11) + 1) * 0x1.0p-53; /* (0,1] */
  double m = floor(log(u) / log(1.0 - 1.0 / (1.0 + UTS_B)));
  return m > UTS_MAXCH ? UTS_MAXCH : (int)m;
}

#endif
