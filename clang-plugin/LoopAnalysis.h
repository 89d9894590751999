//===- LoopAnalysis.h - What a `#pragma ws parallel for` loop is -*- C++ -*-=//
//
// Checks a parallel for loop and finds out what LoopLowering needs to emit
// it (docs/parallel-for.md):
//
//   * the loop must be `for (init; var OP bound; incr)` with an integer or
//     pointer induction variable, OP one of < <= > >= !=, incr one of ++ --
//     += -= (or `var = var +- step`) by a loop-invariant amount, and no
//     break/return/goto out of the body (JumpChecker); reductions need
//     arithmetic types;
//   * captures (OpenMP rules for a parallel loop): locals of the function
//     used in the body are shared, i.e. reached through the capture struct
//     by address -- except the induction variable and reduction variables
//     (private), the counters of sequential `for` loops inside the body
//     (private), and shared scalars that the body only reads and whose
//     address is never taken (copied once per body call: same values,
//     faster code).
//
//===----------------------------------------------------------------------===//
#ifndef WS_PLUGIN_LOOPANALYSIS_H
#define WS_PLUGIN_LOOPANALYSIS_H

#include "Regions.h"

#include "clang/AST/Type.h"

#include <map>
#include <string>
#include <vector>

namespace clang {
class ASTContext;
class Expr;
class ForStmt;
class Stmt;
class VarDecl;
} // namespace clang

namespace ws {

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

class LoopAnalyzer {
public:
  LoopAnalyzer(clang::ASTContext &Ctx, Diagnostics &Diags,
               DirectiveTable &Table, const SourceText &Src)
      : Ctx(Ctx), Diags(Diags), Table(Table), Src(Src) {}

  /// Checks the loop, its clauses and the jumps in its body, and decides the
  /// captures (R.Captures).  False after reporting errors.
  bool analyze(FunctionRegions &FR, Region &R);

  /// What analyze() found for R, or null (not analysed, or rejected).
  const LoopInfo *info(const Region &R) const;

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

  /// The bodies of the other tasks and parallel fors of R's function:
  /// checked and rewritten on their own.
  static llvm::DenseSet<const clang::Stmt *>
  nestedBodies(const FunctionRegions &FR, const Region &R);

  /// The nearest task around R (skipping loops), or null.
  const Region *enclosingTask(const Region &R) const;

private:
  clang::ASTContext &Ctx;
  Diagnostics &Diags;
  DirectiveTable &Table;
  const SourceText &Src;
  std::map<const Region *, LoopInfo> Infos;

  bool analyzeHeader(Region &R, LoopInfo &L);
  bool analyzeReductions(Region &R, LoopInfo &L);
  bool checkJumps(FunctionRegions &FR, Region &R);
  bool decideCaptures(FunctionRegions &FR, Region &R, LoopInfo &L);
};

} // namespace ws

#endif // WS_PLUGIN_LOOPANALYSIS_H
