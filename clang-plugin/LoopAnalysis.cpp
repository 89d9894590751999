//===- LoopAnalysis.cpp - What a `#pragma ws parallel for` loop is --------===//
#include "LoopAnalysis.h"
#include "Diagnostics.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"

#include <functional>

using namespace clang;

namespace ws {
namespace {

// The comparison codes of ws_loop_trip_count (WS_LOOP_LT... in ws.h).
enum { LoopLT = 0, LoopLE = 1, LoopGT = 2, LoopGE = 3, LoopNE = 4 };

const VarDecl *refVar(const Expr *E) {
  if (!E)
    return nullptr;
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E->IgnoreParenImpCasts()))
    return dyn_cast<VarDecl>(DRE->getDecl());
  return nullptr;
}

/// Calls F(var, location) for every variable that S writes or whose address
/// S takes.
void forEachWrite(
    const Stmt *S,
    const std::function<void(const VarDecl *, SourceLocation)> &F) {
  if (!S)
    return;
  if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
    if (BO->isAssignmentOp())
      if (const VarDecl *V = storageVar(BO->getLHS()))
        F(V, BO->getLHS()->getExprLoc());
  } else if (const auto *UO = dyn_cast<UnaryOperator>(S)) {
    if (UO->isIncrementDecrementOp() || UO->getOpcode() == UO_AddrOf)
      if (const VarDecl *V = storageVar(UO->getSubExpr()))
        F(V, UO->getSubExpr()->getExprLoc());
  }
  for (const Stmt *C : S->children())
    forEachWrite(C, F);
}

bool mentions(const Stmt *S, const VarDecl *V) {
  if (!S)
    return false;
  if (const auto *DRE = dyn_cast<DeclRefExpr>(S))
    if (DRE->getDecl() == V)
      return true;
  for (const Stmt *C : S->children())
    if (mentions(C, V))
      return true;
  return false;
}

} // namespace

const LoopInfo *LoopAnalyzer::info(const Region &R) const {
  auto It = Infos.find(&R);
  return It == Infos.end() ? nullptr : &It->second;
}

const Region *LoopAnalyzer::enclosingTask(const Region &R) const {
  const Region *E = R.EnclosingTask;
  while (E && !E->isTask())
    E = E->EnclosingTask;
  return E;
}

bool LoopAnalyzer::passesThrough(const Region &R, const VarDecl *V,
                                 bool InBody) const {
  auto It = Infos.find(&R);
  if (It == Infos.end())
    return true;
  const LoopInfo &L = It->second;
  if (V == L.Var)
    return false;
  if (!InBody)
    return true;
  for (const LoopReduction &Red : L.Reductions)
    if (Red.Var == V)
      return false;
  const Capture *C = findCapture(&R, V);
  return !C || isByAddress(C);
}

bool LoopAnalyzer::viaTaskPointer(const Region &R, const VarDecl *V) const {
  const Region *E = R.EnclosingTask;
  while (E && !E->isTask()) {
    if (!passesThrough(*E, V, /*InBody=*/true))
      return false;
    E = E->EnclosingTask;
  }
  return E && isByAddress(findCapture(E, V));
}

bool LoopAnalyzer::analyze(FunctionRegions &FR, Region &R) {
  const Directive &D = *R.D;
  const auto *For = dyn_cast_or_null<ForStmt>(R.Body);
  if (!For) {
    Diags.report(R.Body ? R.Body->getBeginLoc() : D.Loc, Diag::LoopExpected);
    Diags.noteDirective(D.Loc, spelling(D.Kind));
    return false;
  }
  LoopInfo &L = Infos[&R];
  L.For = For;
  bool Ok = analyzeHeader(R, L);
  Ok &= checkJumps(FR, R);
  if (D.Grainsize.present() && D.NumTasks.present()) {
    Diags.report(D.NumTasks.Loc, Diag::LoopGrainAndNumTasks);
    Ok = false;
  }
  Ok &= analyzeReductions(R, L);
  if (!Ok)
    return false;
  return decideCaptures(FR, R, L);
}

bool LoopAnalyzer::analyzeHeader(Region &R, LoopInfo &L) {
  const ForStmt *For = L.For;
  auto note = [&] { Diags.noteDirective(R.D->Loc, spelling(R.kind())); };
  if (For->getForLoc().isMacroID() || For->getRParenLoc().isMacroID() ||
      !Src.inMain(For->getForLoc())) {
    // A header from a macro of the main file: spell the macro out.
    SourceLocation M =
        For->getForLoc().isMacroID() ? For->getForLoc() : For->getRParenLoc();
    auto [B, E] = Src.invocationOf(M);
    if (!Src.inMain(For->getForLoc()) ||
        !Table.spellOut().request(B, E, For->getForLoc(),
                                  unsigned(Diag::LoopInMacro))) {
      Diags.report(For->getForLoc(), Diag::LoopInMacro);
      note();
    }
    return false;
  }
  // Init: `T i = A` or `i = A`.
  const Stmt *Init = For->getInit();
  if (const auto *DS = dyn_cast_or_null<DeclStmt>(Init)) {
    const auto *VD =
        DS->isSingleDecl() ? dyn_cast<VarDecl>(DS->getSingleDecl()) : nullptr;
    if (VD && VD->getInit()) {
      L.Var = VD;
      L.Init = VD->getInit();
      L.DeclaredInLoop = true;
    }
  } else if (const auto *BO = dyn_cast_or_null<BinaryOperator>(Init)) {
    if (BO->getOpcode() == BO_Assign && refVar(BO->getLHS()) &&
        isa<DeclRefExpr>(BO->getLHS()->IgnoreParens())) {
      L.Var = refVar(BO->getLHS());
      L.Init = BO->getRHS();
    }
  }
  if (!L.Var) {
    Diags.report(Init ? Init->getBeginLoc() : For->getLParenLoc(),
                 Diag::LoopInit);
    note();
    return false;
  }
  std::string Name = L.Var->getName().str();
  QualType T = L.Var->getType().getUnqualifiedType();
  L.VarType = T;
  QualType Canon = T.getCanonicalType();
  if (Canon->isPointerType()) {
    L.IsPointer = true;
    if (Canon->getPointeeType()->isFunctionType() ||
        (!Canon->getPointeeType()->isVoidType() &&
         Canon->getPointeeType()->isIncompleteType())) {
      Diags.report(L.Var->getLocation(), Diag::LoopVarType)
          << Name << T.getAsString();
      note();
      return false;
    }
  } else if (!Canon->isIntegralOrUnscopedEnumerationType() ||
             Canon->isBooleanType() || Ctx.getIntWidth(Canon) > 64) {
    Diags.report(L.Var->getLocation(), Diag::LoopVarType)
        << Name << T.getAsString();
    note();
    return false;
  }
  if (!L.Var->hasLocalStorage()) {
    Diags.report(L.Var->getLocation(), Diag::LoopVarNotLocal) << Name;
    note();
    return false;
  }

  // Condition: `i OP B` or `B OP i`.
  const auto *Cond = dyn_cast_or_null<BinaryOperator>(
      For->getCond() ? For->getCond()->IgnoreParens() : nullptr);
  bool CondOk = false;
  if (Cond) {
    int Op = -1;
    switch (Cond->getOpcode()) {
    case BO_LT:
      Op = LoopLT;
      break;
    case BO_LE:
      Op = LoopLE;
      break;
    case BO_GT:
      Op = LoopGT;
      break;
    case BO_GE:
      Op = LoopGE;
      break;
    case BO_NE:
      Op = LoopNE;
      break;
    default:
      break;
    }
    const VarDecl *LV = refVar(Cond->getLHS());
    const VarDecl *RV = refVar(Cond->getRHS());
    if (Op >= 0 && LV == L.Var && RV != L.Var) {
      L.Op = Op;
      L.Bound = Cond->getRHS();
      CondOk = true;
    } else if (Op >= 0 && RV == L.Var && LV != L.Var) {
      static const int Swapped[] = {LoopGT, LoopGE, LoopLT, LoopLE, LoopNE};
      L.Op = Swapped[Op];
      L.Bound = Cond->getLHS();
      CondOk = true;
    }
    if (CondOk)
      L.CmpType = Cond->getLHS()->getType().getUnqualifiedType();
  }
  if (!CondOk) {
    Diags.report(For->getCond() ? For->getCond()->getExprLoc()
                                : For->getLParenLoc(),
                 Diag::LoopCondition)
        << Name;
    note();
    return false;
  }
  if (mentions(L.Bound, L.Var)) {
    Diags.report(L.Bound->getExprLoc(), Diag::LoopBoundVariant) << Name << Name;
    note();
    return false;
  }
  if (!L.IsPointer &&
      (!L.CmpType->isIntegerType() || Ctx.getIntWidth(L.CmpType) > 64)) {
    Diags.report(L.Bound->getExprLoc(), Diag::LoopCondition) << Name;
    note();
    return false;
  }

  // Increment.
  const Expr *Inc = For->getInc() ? For->getInc()->IgnoreParens() : nullptr;
  bool IncOk = false;
  if (const auto *U = dyn_cast_or_null<UnaryOperator>(Inc)) {
    if (U->isIncrementDecrementOp() && refVar(U->getSubExpr()) == L.Var) {
      L.StepDown = U->isDecrementOp();
      IncOk = true;
    }
  } else if (const auto *CA = dyn_cast_or_null<CompoundAssignOperator>(Inc)) {
    if ((CA->getOpcode() == BO_AddAssign || CA->getOpcode() == BO_SubAssign) &&
        refVar(CA->getLHS()) == L.Var) {
      L.Step = CA->getRHS();
      L.StepDown = CA->getOpcode() == BO_SubAssign;
      IncOk = true;
    }
  } else if (const auto *BO = dyn_cast_or_null<BinaryOperator>(Inc)) {
    const auto *Sum =
        BO->getOpcode() == BO_Assign
            ? dyn_cast<BinaryOperator>(BO->getRHS()->IgnoreParenImpCasts())
            : nullptr;
    if (Sum && refVar(BO->getLHS()) == L.Var) {
      if (Sum->getOpcode() == BO_Add && refVar(Sum->getLHS()) == L.Var)
        L.Step = Sum->getRHS(), IncOk = true;
      else if (Sum->getOpcode() == BO_Add && refVar(Sum->getRHS()) == L.Var)
        L.Step = Sum->getLHS(), IncOk = true;
      else if (Sum->getOpcode() == BO_Sub && refVar(Sum->getLHS()) == L.Var)
        L.Step = Sum->getRHS(), L.StepDown = true, IncOk = true;
    }
  }
  if (IncOk && L.Step) {
    QualType ST = L.Step->IgnoreImpCasts()->getType();
    if (!ST->isIntegralOrUnscopedEnumerationType() ||
        Ctx.getIntWidth(ST) > 64 || mentions(L.Step, L.Var))
      IncOk = false;
  }
  if (!IncOk) {
    Diags.report(Inc ? Inc->getExprLoc() : For->getRParenLoc(),
                 Diag::LoopIncrement)
        << Name;
    note();
    return false;
  }

  // The body must not change the induction variable, the bound or the step.
  bool Ok = true;
  forEachWrite(For->getBody(), [&](const VarDecl *V, SourceLocation Loc) {
    if (V == L.Var) {
      Diags.report(Loc, Diag::LoopVarModified) << Name;
      Ok = false;
    } else if (mentions(L.Bound, V)) {
      Diags.report(Loc, Diag::LoopBoundModified) << V->getName() << "bound";
      Ok = false;
    } else if (L.Step && mentions(L.Step, V)) {
      Diags.report(Loc, Diag::LoopBoundModified) << V->getName() << "step";
      Ok = false;
    }
  });
  if (!Ok)
    note();

  L.BodyBegin = Src.offset(For->getRParenLoc()) + 1;
  L.BodyEnd = Src.endOf(For);
  return Ok;
}

bool LoopAnalyzer::analyzeReductions(Region &R, LoopInfo &L) {
  const Directive &D = *R.D;
  bool Ok = true;
  for (size_t I = 0; I < D.Vars.size(); ++I) {
    const VarItem &Item = D.Vars[I];
    if (Item.Kind != Sharing::Reduction)
      continue;
    const VarDecl *VD = listedVarOrReport(R, I, Diags);
    if (!VD) {
      Ok = false;
      continue;
    }
    QualType T = VD->getType().getUnqualifiedType();
    if (!T->isArithmeticType() || T->isAnyComplexType() ||
        (T->isIntegerType() && Ctx.getIntWidth(T) > 64) ||
        T->isEnumeralType()) {
      Diags.report(Item.Loc, Diag::LoopReductionType)
          << Item.Name << T.getAsString();
      Ok = false;
      continue;
    }
    bool Bitwise = Item.ReductionOp == "&" || Item.ReductionOp == "|" ||
                   Item.ReductionOp == "^";
    if (Bitwise && T->isRealFloatingType()) {
      Diags.report(Item.Loc, Diag::LoopReductionFloatOp)
          << Item.ReductionOp << Item.Name << T.getAsString();
      Ok = false;
      continue;
    }
    if (VD == L.Var) {
      Diags.report(Item.Loc, Diag::LoopReductionOnVar) << Item.Name;
      Ok = false;
      continue;
    }
    if (!nameableAtFileScope(T)) {
      Diags.report(Item.Loc, Diag::LocalType) << Item.Name << T.getAsString();
      Ok = false;
      continue;
    }
    L.Reductions.push_back({VD, Item.ReductionOp, T});
  }
  return Ok;
}

llvm::DenseSet<const Stmt *>
LoopAnalyzer::nestedBodies(const FunctionRegions &FR, const Region &R) {
  llvm::DenseSet<const Stmt *> Nested;
  for (auto &Other : FR.Regions) {
    if (Other.get() == &R || !Other->Body)
      continue;
    if (Other->isTask())
      Nested.insert(Other->Body);
    else if (const auto *F = dyn_cast<ForStmt>(Other->Body))
      if (Other->kind() == DirectiveKind::ParallelFor)
        Nested.insert(F->getBody());
  }
  return Nested;
}

bool LoopAnalyzer::checkJumps(FunctionRegions &FR, Region &R) {
  const ForStmt *For = cast<ForStmt>(R.Body);
  // Other regions' bodies are checked on their own.
  llvm::DenseSet<const Stmt *> Nested = nestedBodies(FR, R);
  return JumpChecker(Diags, Src, R, For->getBody(),
                     Src.offset(For->getRParenLoc()) + 1, Src.endOf(For),
                     Nested)
      .run(FR.Gotos);
}

bool LoopAnalyzer::decideCaptures(FunctionRegions &FR, Region &R, LoopInfo &L) {
  const Directive &D = *R.D;
  llvm::StringRef Name = spelling(D.Kind);
  bool Ok = true;
  const Region *Task = enclosingTask(R);

  llvm::DenseMap<const VarDecl *, Sharing> Listed;
  for (size_t I = 0; I < D.Vars.size(); ++I) {
    const VarItem &Item = D.Vars[I];
    if (Item.Kind == Sharing::Reduction)
      continue;
    const VarDecl *VD = listedVarOrReport(R, I, Diags);
    if (!VD) {
      Ok = false;
      continue;
    }
    Listed[VD] = Item.Kind;
  }
  // Reduction variables and the induction variable are the loop's own even
  // when an enclosing task shares them: the task's rewrite leaves their uses
  // in the loop alone (passesThrough), and the set-up reads and writes back
  // the shared variable.
  llvm::DenseSet<const VarDecl *> Reduced;
  for (const LoopReduction &Red : L.Reductions)
    Reduced.insert(Red.Var);
  (void)Task;

  // Variables written (or whose address is taken) anywhere in the function,
  // and the counters of sequential for loops inside the body.
  llvm::DenseSet<const VarDecl *> WrittenInBody, AddressTaken, Counters;
  const Stmt *Body = L.For->getBody();
  forEachWrite(
      Body, [&](const VarDecl *V, SourceLocation) { WrittenInBody.insert(V); });
  std::function<void(const Stmt *)> FindAddr = [&](const Stmt *S) {
    if (!S)
      return;
    if (const auto *U = dyn_cast<UnaryOperator>(S))
      if (U->getOpcode() == UO_AddrOf)
        if (const VarDecl *V = storageVar(U->getSubExpr()))
          AddressTaken.insert(V);
    for (const Stmt *C : S->children())
      FindAddr(C);
  };
  FindAddr(R.Fn->getBody());
  std::function<void(const Stmt *)> FindCounters = [&](const Stmt *S) {
    if (!S)
      return;
    if (const auto *F = dyn_cast<ForStmt>(S))
      if (const auto *BO = dyn_cast_or_null<BinaryOperator>(F->getInit()))
        if (BO->getOpcode() == BO_Assign)
          if (const VarDecl *V = refVar(BO->getLHS()))
            Counters.insert(V);
    for (const Stmt *C : S->children())
      FindCounters(C);
  };
  FindCounters(Body);

  for (auto [VD, Loc] : collectUses(Body)) {
    if (VD == L.Var || Reduced.count(VD))
      continue;
    if (Src.inMain(VD->getLocation()) &&
        R.encloses(Src.offset(VD->getLocation())))
      continue; // declared inside the loop
    auto It = Listed.find(VD);
    std::optional<Sharing> Kind;
    if (It != Listed.end())
      Kind = It->second;
    std::optional<CaptureMode> Mode;
    // Reached through the enclosing task's pointer, its uses already
    // rewritten to `(*__ws_c->x)`, unless this loop makes it its own.
    bool TaskShared = viaTaskPointer(R, VD);
    if (!VD->hasLocalStorage()) {
      Mode = staticMode(VD, Kind);
      if (!Mode)
        continue;
    } else {
      if (!Kind) {
        if (D.Default == DefaultKind::None) {
          Diags.report(Loc, Diag::DefaultNoneUnlisted) << VD->getName();
          Diags.noteDirective(D.Loc, Name);
          Ok = false;
          continue;
        }
        if (D.Default == DefaultKind::Firstprivate)
          Kind = Sharing::Firstprivate;
        else if (Counters.count(VD))
          Kind = Sharing::Private; // a sequential inner loop's counter
        else
          Kind = Sharing::Shared;
        // A shared scalar that the loop only reads, and that nothing can
        // reach through a pointer, has the same value in every iteration:
        // a copy per body call is equivalent and keeps it in a register.
        if (*Kind == Sharing::Shared && !TaskShared &&
            !WrittenInBody.count(VD) && !AddressTaken.count(VD) &&
            !VD->getType()->isArrayType() &&
            !VD->getType().isVolatileQualified() &&
            !VD->getType()->isVariablyModifiedType())
          Kind = Sharing::Firstprivate;
      }
      Mode = modeOf(*Kind);
    }
    // Shared here too: mirror the task's capture, the same field name and
    // mode, so that the already rewritten uses work in the outlined loop
    // body too.  A private or firstprivate copy is the loop's own variable:
    // the task's rewrite leaves its uses in the body alone (passesThrough).
    std::optional<CaptureMode> Mirror;
    if (TaskShared && *Mode == CaptureMode::Pointer)
      Mirror = findCapture(Task, VD)->Mode;
    Mode = settleMode(Ctx, Diags, R, VD, Loc, *Mode, Mirror);
    if (!Mode) {
      Ok = false;
      continue;
    }
    R.Captures.push_back({VD, *Mode});
  }
  if (L.IsPointer && !nameableAtFileScope(L.VarType)) {
    Diags.report(L.Var->getLocation(), Diag::LocalType)
        << L.Var->getName() << L.VarType.getAsString();
    Ok = false;
  }
  (void)FR;
  return Ok;
}

} // namespace ws
