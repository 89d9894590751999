//===- LoopLowering.h - The code of `#pragma ws parallel for` ---*- C++ -*-===//
//
// Emits a parallel for that LoopAnalyzer accepted, onto ws_parallel_for
// (docs/parallel-for.md): the trip count is computed without overflow by
// ws.h's ws_loop_trip_count; the body is outlined into
// `__ws_loop_N(lo, hi, captures, partial)` over normalised iterations;
// reductions get an identity and a combine function; when the trip count
// cannot be computed exactly, or `if(...)` is false, the original loop runs
// serially in place.  The shapes are in the comments of lower() and
// outlined().
//
// The Outliner calls it at the same stages as for tasks (uses,
// declarations, directive), so nested tasks and loops compose: a loop
// region is the EnclosingTask of the directives in its body.
//
//===----------------------------------------------------------------------===//
#ifndef WS_PLUGIN_LOOPLOWERING_H
#define WS_PLUGIN_LOOPLOWERING_H

#include "LoopAnalysis.h"

#include <string>

namespace ws {

class Outliner;

class LoopLowering {
public:
  LoopLowering(Outliner &O, const LoopAnalyzer &Facts) : O(O), Facts(Facts) {}

  /// Rewrites uses of by-address captures in the body (stage 1, before any
  /// directive is rewritten).
  bool rewriteUses(FunctionRegions &FR, Region &R);

  /// File-scope declarations that go before the enclosing function.
  std::string declarations(Region &R);

  /// Rewrites the directive and its loop; appends the outlined body to Post.
  void lower(FunctionRegions &FR, Region &R, std::string &Post);

private:
  Outliner &O;
  const LoopAnalyzer &Facts;

  std::string text(const clang::Expr *E) const;
  std::string typeName(clang::QualType T) const;
  std::string outlined(Region &R, const LoopInfo &L, const std::string &Body);
  std::string keyOf(clang::QualType C, const std::string &V) const;
  std::string scheduleMacro(ScheduleKind K) const;
};

} // namespace ws

#endif // WS_PLUGIN_LOOPLOWERING_H
