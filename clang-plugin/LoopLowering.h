//===- LoopLowering.h - `#pragma ws parallel for` ---------------*- C++ -*-===//
//
// Lowers a canonical `for` loop onto ws_parallel_for (docs/parallel-for.md):
//
//   * analysis: the loop must be `for (init; var OP bound; incr)` with an
//     integer or pointer induction variable, OP one of < <= > >= !=, incr one
//     of ++ -- += -= (or `var = var +- step`) by a loop-invariant amount, and
//     no break/return/goto out of the body; reductions need arithmetic types;
//   * captures (OpenMP rules for a parallel loop): locals of the function
//     used in the body are shared, i.e. reached through the capture struct by
//     address -- except the induction variable and reduction variables
//     (private), the counters of sequential `for` loops inside the body
//     (private), and shared scalars that the body only reads and whose
//     address is never taken (copied once per body call: same values, faster
//     code);
//   * code: the trip count is computed without overflow by ws.h's
//     ws_loop_trip_count; the body is outlined into
//     `__ws_loop_N(lo, hi, captures, partial)` over normalised iterations;
//     reductions get an identity and a combine function; when the trip count
//     cannot be computed exactly, or `if(...)` is false, the original loop
//     runs serially in place.
//
// The Outliner calls it at the same stages as for tasks (captures, uses,
// declarations, directive), so nested tasks and loops compose: a loop region
// is the EnclosingTask of the directives in its body.
//
//===----------------------------------------------------------------------===//
#ifndef WS_PLUGIN_LOOPLOWERING_H
#define WS_PLUGIN_LOOPLOWERING_H

#include "Regions.h"

#include "clang/AST/Type.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <map>
#include <string>
#include <vector>

namespace clang {
class Expr;
class ForStmt;
class VarDecl;
} // namespace clang

namespace ws {

class Outliner;

/// One `reduction(op: var)` item.
struct LoopReduction {
  const clang::VarDecl *Var = nullptr;
  std::string Op;
  clang::QualType Type; // unqualified
};

/// What the analysis found out about one parallel for.
struct LoopInfo {
  const clang::ForStmt *For = nullptr;
  const clang::VarDecl *Var = nullptr; // the induction variable
  bool DeclaredInLoop = false;
  bool IsPointer = false;
  clang::QualType VarType;            // T, unqualified
  clang::QualType CmpType;            // C: where the condition compares
  const clang::Expr *Init = nullptr;  // A
  const clang::Expr *Bound = nullptr; // B
  const clang::Expr *Step = nullptr;  // S, null for ++ and --
  bool StepDown = false;              // --, -=, var = var - S
  int Op = 0; // WS_LOOP_LT...WS_LOOP_NE, var on the left
  unsigned BodyBegin = 0, BodyEnd = 0; // just after the header's ')' .. end
  std::vector<LoopReduction> Reductions;
};

class LoopLowering {
public:
  explicit LoopLowering(Outliner &O) : O(O) {}

  /// Checks the loop, its clauses and the jumps in its body, and decides the
  /// captures (R.Captures).  False after reporting errors.
  bool analyze(FunctionRegions &FR, Region &R);

  /// Rewrites uses of by-address captures in the body (stage 1, before any
  /// directive is rewritten).
  bool rewriteUses(FunctionRegions &FR, Region &R);

  /// File-scope declarations that go before the enclosing function.
  std::string declarations(Region &R);

  /// Rewrites the directive and its loop; appends the outlined body to Post.
  void lower(FunctionRegions &FR, Region &R, std::string &Post);

  /// Whether a use of V inside the for statement of loop region R (InBody:
  /// inside its body; else in its header) means the variable of the context
  /// around the loop, so that the enclosing task's rewrite of it
  /// (`(*__ws_c->V)`) stands.  False for what the loop makes its own: the
  /// induction variable, reduction variables, and in the body its private
  /// and firstprivate copies.
  bool passesThrough(const Region &R, const clang::VarDecl *V,
                     bool InBody) const;

  /// Whether the uses of V in the body of loop region R were rewritten by
  /// the nearest enclosing task, which shares V: every loop between that
  /// task and R passes V through.
  bool viaTaskPointer(const Region &R, const clang::VarDecl *V) const;

private:
  Outliner &O;
  std::map<const Region *, LoopInfo> Infos;

  bool analyzeHeader(Region &R, LoopInfo &L);
  bool analyzeReductions(Region &R, LoopInfo &L);
  bool checkJumps(FunctionRegions &FR, Region &R);
  bool decideCaptures(FunctionRegions &FR, Region &R, LoopInfo &L);
  const Region *enclosingTask(const Region &R) const;
  std::string text(const clang::Expr *E) const;
  std::string typeName(clang::QualType T) const;
  std::string outlined(Region &R, LoopInfo &L, const std::string &Body);
  std::string keyOf(clang::QualType C, const std::string &V) const;
  std::string scheduleMacro(ScheduleKind K) const;
};

} // namespace ws

#endif // WS_PLUGIN_LOOPLOWERING_H
