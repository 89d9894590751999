//===- Outliner.cpp - Rewrites task, taskgroup, taskwait... ---------------===//
#include "Outliner.h"
#include "Diagnostics.h"
#include "HeaderPath.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Attr.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/Lex/Lexer.h"
#include "clang/Rewrite/Core/Rewriter.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>

using namespace clang;

namespace ws {
namespace {

std::string groupName(const Region &G) { return "__ws_group_" + id(G); }

const char *tierName(int Tier) {
  return TierNames[Tier < 0 ? 0 : Tier > 3 ? 3 : Tier].Macro;
}

} // namespace

Outliner::Outliner(ASTContext &Ctx, Rewriter &RW, Diagnostics &Diags,
                   DirectiveTable &Table, const SourceText &Src,
                   bool HaveMacros)
    : Ctx(Ctx), RW(RW), Diags(Diags), Table(Table), Src(Src),
      HaveMacros(HaveMacros) {}

bool Outliner::run() {
  std::vector<FunctionRegions> Fns;
  bool Ok = RegionBuilder(Ctx, Table, Diags, Src).build(Fns);
  for (Directive &D : Table.all())
    if (Ok && D.Valid && D.HasMarker) {
      // Seen by the parser but not inside a function body we can rewrite.
      Diags.report(D.Loc, Diag::DirectiveNotRewritten);
      Ok = false;
    }
  CaptureAnalyzer Captures(Ctx, Diags, Src);
  for (FunctionRegions &FR : Fns)
    for (auto &R : FR.Regions)
      if (R->isTask())
        Ok &= Captures.analyze(*R);
  for (FunctionRegions &FR : Fns)
    for (auto &R : FR.Regions)
      Ok &= checkPriority(*R) && checkHandle(*R);
  for (FunctionRegions &FR : Fns)
    for (auto &R : FR.Regions)
      if (R->kind() == DirectiveKind::ParallelFor)
        Ok &= LoopFacts.analyze(FR, *R);
  if (!Ok)
    return false;
  // A clone for a function that pushes a task of the normal tier (which
  // alone takes a slot: ws.h) from its own body.
  Conv.plan(Fns, [this](const FunctionRegions &FR) {
    for (const auto &R : FR.Regions)
      if (!R->EnclosingTask && R->Groups.empty() && spawnsInSlot(*R) &&
          (!R->D->Tier || *R->D->Tier == 1))
        return true;
    return false;
  });
  for (FunctionRegions &FR : Fns)
    Ok &= rewriteFunction(FR);
  bool AnyDistributed = false;
  for (FunctionRegions &FR : Fns)
    for (auto &R : FR.Regions)
      AnyDistributed |= R->isTask() && R->D->Distributed;
  if (Ok && AnyDistributed) {
    startRanks();
    // First in the file: main's call and every spawn need it.
    RW.InsertTextBefore(Src.loc(0),
                        distributedPreamble() + Src.lineDirectiveAt(0));
  }
  // Only from the parse whose rewrite is used (not one followed by another
  // analysis of spelled-out macros), so each warning comes once.
  if (Ok && Table.spellOut().Requests.empty() && Table.spellOut().Wraps.empty())
    for (FunctionRegions &FR : Fns)
      warnLostWrites(FR);
  return Ok;
}

std::string Outliner::declare(QualType T, llvm::StringRef Name) const {
  return Caps.declare(T, Name);
}

std::string Outliner::access(const VarDecl *V, const Region *Task) const {
  return accessIn(V, Task);
}

std::string Outliner::exprText(const ClauseExpr &E, const Region *Task) const {
  std::string S;
  for (size_t I = 0; I < E.Spellings.size(); ++I) {
    if (I && E.LeadingSpace[I])
      S += ' ';
    const std::string &Word = E.Spellings[I];
    bool AfterMember =
        I && (E.Spellings[I - 1] == "." || E.Spellings[I - 1] == "->");
    std::string Replacement;
    if (Task && !AfterMember && E.Tokens[I].is(tok::identifier))
      for (const Capture &C : Task->Captures)
        if (isByAddress(&C) && C.Var->getName() == Word)
          Replacement = viaPointer(C);
    S += Replacement.empty() ? Word : Replacement;
  }
  return S;
}

std::string Outliner::waits(const std::vector<Region *> &Groups, bool WithFrame,
                            const Region *Owner, bool KeepGroups) const {
  // ws_wait ends a taskgroup (its cancelled state, its dependences);
  // ws_wait_open waits for the same tasks and keeps the group going.
  std::string S;
  for (const Region *G : Groups)
    S += std::string(KeepGroups ? "ws_wait_open" : "ws_wait") + "(&" +
         groupName(*G) + "); ";
  if (WithFrame)
    S += frameWait(Owner) + " ";
  return S;
}

std::string Outliner::frameDecl() const {
  return " ws_frame __ws_frame; ws_scope __ws_sc = " + macro("WS_SCOPE_INIT") +
         ";";
}

std::string Outliner::frameWait(const Region *Owner) const {
  auto It = SlotTaskOf.find(Owner);
  std::string Likely = It == SlotTaskOf.end() || !It->second
                           ? "0"
                           : "__ws_task_" + id(*It->second);
  // A clone's own scope starts at its position (ws_scope_start_at).
  return std::string(!Owner && Conv.active() ? "ws_scope_wait_at"
                                             : "ws_scope_wait") +
         "(&__ws_sc, &__ws_frame, " + Likely + ");";
}

bool Outliner::pushesFast(const Region &Task) const {
  const Directive &D = *Task.D;
  return Task.isTask() && !D.Distributed && !D.needsSpawnOptions() &&
         !Task.LastBeforeWait;
}

bool Outliner::spawnsInSlot(const Region &Task) const {
  if (!pushesFast(Task))
    return false;
  CaptureInit Built = Caps.init(Task.Captures, Task.EnclosingTask, "__ws_cap");
  return Built.ArrayCopies.empty() && !Built.AnyVM;
}

bool Outliner::rewriteFunction(FunctionRegions &FR) {
  bool Ok = true;
  LoopByFor.clear();
  for (auto &R : FR.Regions)
    if (R->kind() == DirectiveKind::ParallelFor && R->Body)
      LoopByFor[R->Body] = R.get();
  // 1. Small edits first: uses of by-address captures, __func__, returns.
  for (auto &R : FR.Regions)
    if (R->isTask())
      Ok &= rewriteUses(FR, *R);
    else if (R->kind() == DirectiveKind::ParallelFor)
      Ok &= Loops.rewriteUses(FR, *R);
  for (auto &R : FR.Regions)
    Ok &= checkClauseMacros(*R);
  if (!Ok)
    return false;
  SlotTaskOf.clear();
  for (auto &R : FR.Regions) {
    if (!R->Groups.empty() || !pushesFast(*R)) // not pushed into __ws_sc
      continue;
    if (spawnsInSlot(*R)) {
      auto [It, New] = SlotTaskOf.try_emplace(R->EnclosingTask, R.get());
      if (!New)
        It->second = nullptr; // several: no name to call
    } else {
      SlotTaskOf[R->EnclosingTask] = nullptr; // a copy: its slots hold another
    }
  }
  auto Slot = SlotTaskOf.find(nullptr);
  Conv.begin(FR, Slot == SlotTaskOf.end() ? nullptr : Slot->second);
  addFrameAndReturns(FR);

  // 2. Directives, innermost (= last in the text) first.
  std::vector<Region *> Order;
  for (auto &R : FR.Regions)
    Order.push_back(R.get());
  llvm::sort(Order, [](const Region *A, const Region *B) {
    return A->D->TextBegin > B->D->TextBegin;
  });
  std::string Post;
  for (Region *R : Order)
    rewriteDirective(FR, *R, Post);

  // 3. Declarations before the function, outlined bodies after it.
  std::string Pre;
  // Before the function's first line, attributes included.
  unsigned FnBegin = Src.offset(FR.Fn->getBeginLoc());
  for (const Attr *A : FR.Fn->attrs())
    if (A->getLocation().isValid() && Src.inMain(A->getLocation()))
      FnBegin = std::min(FnBegin, Src.offset(A->getLocation()));
  if (!IncludeEmitted && !runtimeDeclaredBefore(Src.loc(FnBegin))) {
    // ws.h from the include path, else the one beside this binary
    // (a compile of preprocessed output, as with -save-temps, has no -I).
    Pre += "#ifdef __has_include\n#if __has_include(<ws.h>)\n#include "
           "<ws.h>\n#else\n#include " +
           quoteC(headerFallback()) +
           "\n#endif\n#else\n#include <ws.h>\n#endif\n";
    IncludeEmitted = true;
  }
  for (auto &R : FR.Regions)
    if (R->isTask())
      Pre += declarations(*R);
    else if (R->kind() == DirectiveKind::ParallelFor)
      Pre += Loops.declarations(*R);
  if (Conv.active())
    Pre += Conv.declarations();
  Pre += Src.lineDirectiveAt(FnBegin);
  RW.InsertTextBefore(Src.loc(Src.lineStart(FnBegin)), Pre);

  const auto *Body = cast<CompoundStmt>(FR.Fn->getBody());
  unsigned Close = Src.offset(Body->getRBracLoc());
  Post = Conv.after() + Post + "\n" + Src.lineDirectiveAt(Close);
  RW.InsertTextAfter(Src.loc(Close + 1), Post);
  return true;
}

std::string Outliner::macro(const char *Name) const {
  if (HaveMacros)
    return Name;
  // Preprocessed input that includes ws.h has its declarations but not its
  // macros: spell their values (the ABI of include/ws.h).
  static const std::pair<const char *, const char *> Values[] = {
      {"WS_FRAME_INIT", "{ { 0 } }"},
      {"WS_SCOPE_INIT", "{ { 0, 0, 0 }, 0, 0 }"},
      {"WS_TASK_UNDEFERRED", "1u"},
      {"WS_TASK_FINAL", "2u"},
      {"WS_DEP_IN", "1"},
      {"WS_DEP_OUT", "2"},
      {"WS_DEP_INOUT", "3"},
      {"WS_EINVAL", "(-22)"}};
  for (const auto &[Macro, Value] : Values)
    if (llvm::StringRef(Macro) == Name)
      return Value;
  return Name;
}

bool Outliner::runtimeDeclaredBefore(SourceLocation Loc) const {
  // Preprocessed input (-save-temps) has no include path: rely on the
  // declarations of ws.h already in the file when there are some.
  IdentifierInfo &Name = Ctx.Idents.get("ws_spawn");
  for (const NamedDecl *D : Ctx.getTranslationUnitDecl()->lookup(&Name))
    if (Src.sm().isBeforeInTranslationUnit(D->getLocation(), Loc))
      return true;
  return false;
}

bool Outliner::rewriteUses(FunctionRegions &FR, Region &Task) {
  llvm::DenseSet<const Stmt *> Skip;
  for (auto &R : FR.Regions)
    if (R->isTask() && R.get() != &Task)
      Skip.insert(R->Body);
  if (!rewriteElementUses(FR, Task))
    return false;
  return rewriteCaptureUses(Task, Task.Body, Skip, nullptr);
}

bool Outliner::rewriteCaptureUses(Region &R, const Stmt *Root,
                                  const llvm::DenseSet<const Stmt *> &Skip,
                                  const Region *Outer) {
  const SourceManager &SM = Src.sm();
  llvm::DenseSet<unsigned> Done;
  bool Ok = true;

  auto Replace = [&](SourceLocation L, const std::string &Text) {
    unsigned Len = Lexer::MeasureTokenLength(L, SM, Src.langOpts());
    if (Done.insert(Src.offset(L)).second)
      RW.ReplaceText(L, Len, Text);
  };

  // The parallel for loops (other than R) around the statement being
  // walked, and whether it is in their body or their header: a use of a
  // variable that such a loop makes its own keeps its plain name.
  std::vector<std::pair<const Region *, bool>> Loops;
  auto KeptByLoop = [&](const VarDecl *VD) {
    for (const auto &[L, InBody] : Loops)
      if (!LoopFacts.passesThrough(*L, VD, InBody))
        return true;
    return false;
  };
  std::function<void(const Stmt *)> Walk = [&](const Stmt *S) {
    if (!S || Skip.count(S) || markerID(S))
      return;
    if (const Region *L = LoopByFor.lookup(S); L && L != &R) {
      const Stmt *LoopBody = cast<ForStmt>(S)->getBody();
      for (const Stmt *Child : S->children()) {
        Loops.push_back({L, Child == LoopBody});
        Walk(Child);
        Loops.pop_back();
      }
      return;
    }
    if (const auto *DRE = dyn_cast<DeclRefExpr>(S)) {
      const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
      const Capture *C = VD ? findCapture(&R, VD) : nullptr;
      // Uses of variables the enclosing task shares are rewritten already
      // (R is then a loop inside that task).
      bool ByTask = R.kind() == DirectiveKind::ParallelFor && Outer &&
                    LoopFacts.viaTaskPointer(R, VD);
      if (isByAddress(C) && !ByTask && !KeptByLoop(VD)) {
        SourceLocation L = DRE->getLocation();
        if (L.isMacroID()) {
          if (SM.isMacroArgExpansion(L))
            L = SM.getSpellingLoc(L);
          if (L.isMacroID() || !Src.inMain(L)) {
            // A use inside a macro body: spell the invocation out (then
            // the use is text), else an error.
            auto [B, E] = Src.invocationOf(DRE->getLocation());
            llvm::StringRef Macro =
                Src.inMain(DRE->getLocation()) ? Src.macroNameAt(B) : "";
            if (!Src.inMain(DRE->getLocation()) ||
                !Table.spellOut().request(B, E, DRE->getLocation(),
                                          unsigned(Diag::SharedInMacroBody),
                                          VD->getName().str(), Macro.str()))
              Diags.report(DRE->getLocation(), Diag::SharedInMacroBody)
                  << VD->getName() << Macro;
            Ok = false;
            return;
          }
        }
        Replace(L, viaPointer(*C));
      }
    } else if (const auto *PE = dyn_cast<PredefinedExpr>(S)) {
      // __func__ keeps the name of the function the user wrote (an
      // enclosing task has replaced it already).
      SourceLocation L = PE->getLocation();
      if (Outer)
        return;
      if (L.isFileID() && Src.inMain(L))
        Replace(L,
                quoteC(PredefinedExpr::ComputeName(PE->getIdentKind(), R.Fn)));
      else
        R.FuncInMacro = true; // e.g. assert(): see outlined()
      return;
    }
    for (const Stmt *Child : S->children())
      Walk(Child);
  };
  Walk(Root);
  return Ok;
}

bool Outliner::checkClauseMacros(const Region &R) {
  // exprText() renames the clause's own tokens; a name that a macro body
  // brings in (`if(ACC(j))`, `#define ACC(v) (acc[v] += v)`) is not one of
  // them.  Spell such an invocation out (the pragma line then holds its
  // tokens), else an error naming the macro.
  const Region *Outer = R.EnclosingTask;
  if (!Outer || !R.Marker)
    return true;
  const SourceManager &SM = Src.sm();
  bool Ok = true;
  llvm::DenseSet<unsigned> Done; // invocations seen, by offset
  std::function<void(const Stmt *)> Walk = [&](const Stmt *S) {
    if (!S)
      return;
    if (const auto *DRE = dyn_cast<DeclRefExpr>(S)) {
      const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
      SourceLocation L = DRE->getLocation();
      if (VD && isByAddress(findCapture(Outer, VD)) && L.isMacroID() &&
          (!SM.isMacroArgExpansion(L) || SM.getSpellingLoc(L).isMacroID() ||
           !Src.inMain(SM.getSpellingLoc(L)))) {
        auto [B, E] = Src.invocationOf(L);
        Ok = false;
        if (!Done.insert(B).second)
          return;
        llvm::StringRef Macro = Src.inMain(L) ? Src.macroNameAt(B) : "";
        if (!Src.inMain(L) || !Table.spellOut().request(
                                  B, E, L, unsigned(Diag::SharedInMacroBody),
                                  VD->getName().str(), Macro.str()))
          Diags.report(L, Diag::SharedInMacroBody) << VD->getName() << Macro;
        return;
      }
    }
    for (const Stmt *Child : S->children())
      Walk(Child);
  };
  for (unsigned I = 1; I < R.Marker->getNumArgs(); ++I)
    Walk(R.Marker->getArg(I));
  return Ok;
}

void Outliner::addFrameAndReturns(FunctionRegions &FR) {
  if (!FR.NeedsFrame)
    return;
  const auto *Body = cast<CompoundStmt>(FR.Fn->getBody());
  RW.InsertTextAfterToken(Body->getLBracLoc(),
                          Conv.active() ? Conv.frameDecl() : frameDecl());
  RW.InsertTextBefore(Body->getRBracLoc(),
                      Conv.take(Src.offset(Body->getRBracLoc()), nullptr) +
                          frameWait(nullptr) + " ");
  for (const ReturnStmt *Ret : FR.Returns) {
    unsigned Off = Src.offset(Ret->getReturnLoc());
    std::vector<Region *> Groups;
    for (auto &G : FR.Regions)
      if (G->isGroup() && !G->EnclosingTask && G->encloses(Off))
        Groups.push_back(G.get());
    llvm::sort(Groups, [](const Region *A, const Region *B) {
      return A->BodyBegin > B->BodyBegin;
    });
    // The return value is computed after the wait, so shared variables it
    // reads hold the tasks' results.
    std::string Take = Groups.empty() ? Conv.take(Off, Ret) : "";
    RW.InsertTextBefore(Ret->getReturnLoc(),
                        "{ " + Take + waits(Groups, true, nullptr));
    RW.InsertTextAfter(Src.loc(Src.endOf(Ret)), " }");
  }
}

std::string Outliner::declarations(Region &Task) {
  std::string N = id(Task);
  unsigned Fields = 0;
  std::string S =
      "struct __ws_cap_" + N + " {" + Caps.fields(Task.Captures, &Fields);
  if (Task.D->Distributed) {
    for (const ItemCapture &E : Task.Elements) {
      S += " " +
           declare(elementType(Ctx, E.Var->getType()).getUnqualifiedType(),
                   elementName(E)) +
           ";";
      ++Fields;
    }
    for (const ItemCapture &Sec : Task.Sections) {
      std::string V = Sec.Var->getName().str();
      S += " size_t __ws_lo_" + V + ", __ws_n_" + V + ";";
      ++Fields;
    }
  }
  if (Fields == 0)
    S += " char __ws_unused;";
  if (Task.D->Distributed) {
    S += " };" + distributedDeclarations(Task);
  } else {
    S += " }; static void __ws_task_" + N + "(void *__ws_arg);";
  }
  S += siteDeclaration(Task, Src);
  return S;
}

void Outliner::warnLostWrites(FunctionRegions &FR) {
  if (!WarnLostWrites || Diags.engine().getIgnoreAllWarnings())
    return;
  llvm::DenseSet<const Stmt *> TaskBodies;
  for (auto &R : FR.Regions)
    if (R->isTask())
      TaskBodies.insert(R->Body);
  for (auto &R : FR.Regions) {
    if (!R->isTask())
      continue;
    llvm::DenseSet<const VarDecl *> Copies, Warned;
    for (const Capture &C : R->Captures)
      if (C.ByDefault &&
          (C.Mode == CaptureMode::Copy || C.Mode == CaptureMode::CopyArray))
        // An outer distributed task's element a[i]: written as `a[i]`.
        Copies.insert(C.Element ? C.Element->Var : C.Var);
    if (Copies.empty())
      continue;
    const Directive &D = *R->D;
    auto Warn = [&](const Expr *Target, unsigned How) {
      const VarDecl *V = storageVar(Target);
      if (!V || !Copies.count(V) || !Warned.insert(V).second)
        return;
      Diags.report(Target->getExprLoc(), Diag::LostWrite)
          << V->getName() << How;
      // The fix-it goes at the end of a `#pragma ws task ...` line.
      std::string Name = V->getName().str();
      DiagnosticBuilder Note = Diags.report(D.Loc, Diag::NoteLostWriteFix);
      Note << Name;
      if (!D.FromMacro && Src.text()[D.TextBegin] == '#')
        Note << FixItHint::CreateInsertion(Src.loc(D.TextEnd),
                                           " shared(" + Name + ")");
    };
    // Writes in the task's own code (a nested task writes its own copy).
    std::function<void(const Stmt *)> Walk = [&](const Stmt *S) {
      if (!S || (S != R->Body && TaskBodies.count(S)))
        return;
      if (const auto *BO = dyn_cast<BinaryOperator>(S)) {
        if (BO->isAssignmentOp())
          Warn(BO->getLHS(), BO->getOpcode() == BO_Assign ? 0 : 1);
      } else if (const auto *UO = dyn_cast<UnaryOperator>(S)) {
        if (UO->isIncrementDecrementOp())
          Warn(UO->getSubExpr(), 1);
        else if (UO->getOpcode() == UO_AddrOf)
          Warn(UO->getSubExpr(), 2);
      }
      for (const Stmt *C : S->children())
        Walk(C);
    };
    Walk(R->Body);
  }
}

const Expr *Outliner::clauseArg(const Region &R, const ClauseExpr &E) const {
  // The marker holds `&(var)` for each listed variable, then `(expr)` for
  // each clause expression in markerExprs() order.
  std::vector<const ClauseExpr *> Exprs = R.D->markerExprs();
  auto It = llvm::find(Exprs, &E);
  unsigned Arg = 1 + R.D->Vars.size() + (It - Exprs.begin());
  if (It == Exprs.end() || !R.Marker || Arg >= R.Marker->getNumArgs())
    return nullptr;
  // Below the default argument promotions of the variadic marker.
  return R.Marker->getArg(Arg)->IgnoreImpCasts();
}

QualType Outliner::clauseType(const Region &R, const ClauseExpr &E) const {
  const Expr *Arg = clauseArg(R, E);
  return Arg ? Arg->getType() : QualType();
}

bool Outliner::checkHandle(const Region &R) {
  const Directive &D = *R.D;
  if (!D.Handle.present())
    return true;
  // The rewrite passes &(expr) as a ws_handle *: an lvalue of that type
  // (ws_handle is a typedef of struct ws_handle: compare the record).
  const Expr *Arg = clauseArg(R, D.Handle);
  if (!Arg)
    return true;
  if (const auto *RT = Arg->getType().getCanonicalType()->getAs<RecordType>())
    if (RT->getDecl()->getName() == "ws_handle" && Arg->isLValue())
      return true;
  std::string Text;
  for (size_t I = 0; I < D.Handle.Spellings.size(); ++I)
    Text += (I && D.Handle.LeadingSpace[I] ? " " : "") + D.Handle.Spellings[I];
  Diags.report(D.Handle.Loc, Diag::BadArgument)
      << Text << "handle"
      << "a variable of type 'ws_handle'";
  return false;
}

bool Outliner::checkPriority(const Region &R) {
  const Directive &D = *R.D;
  if (!D.PriorityExpr.present())
    return true;
  QualType T = clauseType(R, D.PriorityExpr);
  if (T.isNull() || T->isIntegralOrUnscopedEnumerationType() ||
      T->isRealFloatingType())
    return true;
  Diags.report(D.PriorityExpr.Loc, Diag::PriorityType) << T.getAsString();
  return false;
}

std::string Outliner::tier(const Region &R, const Region *Outer,
                           std::string &Decls) const {
  const Directive &D = *R.D;
  if (D.Tier)
    return tierName(*D.Tier);
  if (!D.PriorityExpr.present())
    return tierName(1);
  // Clamped to 0..3 in a type that holds every value of the expression's
  // own type, before the conversion to int (priority(1LL << 32) is
  // critical, not the low 32 bits):
  //   long long __ws_prio_N = (long long)(expr);
  //   ... (__ws_prio_N > 3 ? 3 : __ws_prio_N < 0 ? 0 : (int)__ws_prio_N)
  // unsigned types only clamp at the top (no `< 0`: -Wtype-limits), and
  // floating types go through long double (NaN -> low).
  std::string P = "__ws_prio_" + id(R);
  std::string E = exprText(D.PriorityExpr, Outer);
  QualType T = clauseType(R, D.PriorityExpr);
  if (!T.isNull())
    T = T.getCanonicalType().getUnqualifiedType();
  if (!T.isNull())
    if (const auto *ET = T->getAs<EnumType>())
      T = ET->getDecl()->getIntegerType().getCanonicalType();
  if (!T.isNull() && T->isRealFloatingType()) {
    Decls += "long double " + P + " = (" + E + "); ";
    return "(" + P + " >= 3 ? 3 : " + P + " >= 1 ? (int)" + P + " : 0)";
  }
  bool Wide = !T.isNull() && T->isIntegerType() && Ctx.getIntWidth(T) > 64;
  if (!T.isNull() && T->isIntegerType() &&
      (T->isUnsignedIntegerType() || T->isBooleanType())) {
    Decls += std::string(Wide ? "unsigned __int128 " : "unsigned long long ") +
             P + " = (" + E + "); ";
    return "(" + P + " > 3u ? 3 : (int)" + P + ")";
  }
  Decls +=
      std::string(Wide ? "__int128 " : "long long ") + P + " = (" + E + "); ";
  return "(" + P + " > 3 ? 3 : " + P + " < 0 ? 0 : (int)" + P + ")";
}

std::string Outliner::spawn(Region &Task) {
  const Directive &D = *Task.D;
  const Region *Outer = Task.EnclosingTask;
  std::string N = id(Task);
  // The capture struct's initializer list, kept apart: a plain task may
  // build its captures straight in the fast path's slot (below).
  CaptureInit Built = Caps.init(Task.Captures, Outer, "__ws_cap");
  std::string Init, Copies;
  for (const std::string &Item : Built.Designators)
    Init += Item + ", ";
  for (const std::string &Copy : Built.ArrayCopies)
    Copies += Copy + "; ";
  // Only the task uses a private variable now: keep it referenced here so
  // that the rewrite adds no unused-variable warning.
  for (const std::string &Private : Built.Privates)
    Copies += "(void)sizeof " + Private + "; ";
  bool AnyInit = !Built.Designators.empty();

  for (const ItemCapture &E : Task.Elements)
    Init += "." + elementName(E) + " = " + itemBase(E, Outer) + "[" +
            exprText(E.Item->Index, Outer) + "], ";
  for (const ItemCapture &Sec : Task.Sections) {
    std::string V = Sec.Var->getName().str();
    Init += ".__ws_lo_" + V + " = (size_t)(" +
            exprText(Sec.Item->Index, Outer) + "), .__ws_n_" + V +
            " = (size_t)(" + exprText(Sec.Item->Len, Outer) + "), ";
  }
  if (!Task.Elements.empty() || !Task.Sections.empty())
    AnyInit = true; /* (distributed tasks: their own lowering) */
  if (!AnyInit)
    Init += "0 ";
  std::string Cap = "struct __ws_cap_" + N;
  std::string S = "{ " + Cap + " __ws_cap = { " + Init + "}; ";

  size_t TierDeclsAt = S.size();
  std::string Tier = tier(Task, Outer, S);
  std::string TierDecls = S.substr(TierDeclsAt);
  // Into the frame owner's scope (ws.h: the plugin's form), or into the
  // innermost taskgroup's frame, where the fast path is off.
  bool InScope = Task.Groups.empty();
  // The function's own spawns in a clone claim at the scope's position.
  bool At = InScope && !Task.EnclosingTask && Conv.active();
  std::string Frame = InScope ? "" : "&" + groupName(*Task.Groups.front());
  std::string FrameArg =
      InScope ? "ws_scope_frame(&__ws_sc, &__ws_frame)" : Frame;
  // The fast forms' first arguments: ws_scope_X(&__ws_sc, &__ws_frame, ...)
  // or ws_spawn_Y(&G, ...).
  auto Fast = [&](const char *ScopeFn, const char *FrameFn) {
    return InScope ? std::string(ScopeFn) + "(&__ws_sc, &__ws_frame, "
                   : std::string(FrameFn) + "(" + Frame + ", ";
  };
  std::string Site = "&__ws_site_" + N;
  if (D.Distributed)
    return S + distributedSpawn(Task, FrameArg, Tier, Site, Copies) + " }";
  bool NeedOpts = D.needsSpawnOptions();
  if (!D.Depends.empty()) {
    S += "ws_dep __ws_deps[" + std::to_string(D.Depends.size()) + "] = { ";
    for (const DependItem &Dep : D.Depends) {
      std::string Base = "(" + exprText(Dep.Base, Outer) + ")";
      std::string Kind = macro(Dep.Kind == 1   ? "WS_DEP_IN"
                               : Dep.Kind == 2 ? "WS_DEP_OUT"
                                               : "WS_DEP_INOUT");
      if (Dep.IsSection)
        S += "{ &" + Base + "[" + exprText(Dep.Lo, Outer) + "], (size_t)(" +
             exprText(Dep.Len, Outer) + ") * sizeof " + Base + "[0], " + Kind +
             " }, ";
      else
        S += "{ &" + Base + ", sizeof " + Base + ", " + Kind + " }, ";
    }
    S += "}; ";
  }
  std::string Call;
  if (NeedOpts) {
    std::string Flags;
    if (D.If.present())
      Flags += "((" + exprText(D.If, Outer) +
               ") ? 0u : " + macro("WS_TASK_UNDEFERRED") + ")";
    if (D.Final.present())
      Flags += std::string(Flags.empty() ? "" : " | ") + "((" +
               exprText(D.Final, Outer) + ") ? " + macro("WS_TASK_FINAL") +
               " : 0u)";
    if (Flags.empty())
      Flags = "0u";
    S += "ws_task_opts __ws_opts = { .tier = " + Tier + ", .flags = " + Flags +
         ", .site = " + Site;
    if (D.Timeout.present())
      S += ", .timeout_ms = (unsigned)(" + exprText(D.Timeout, Outer) + ")";
    // handle(h) -> .handle = &(h); requires(a, b) -> .requires =
    // ws_caps_named("a,b") (looked up at the spawn: an unknown name gives
    // every bit, which the spawn refuses with the runtime's message).
    if (D.Handle.present())
      S += ", .handle = &(" + exprText(D.Handle, Outer) + ")";
    if (!D.Requires.empty())
      S += ", .requires = ws_caps_named(\"" + D.Requires + "\")";
    if (!D.Prefers.empty())
      S += ", .prefers = ws_caps_named(\"" + D.Prefers + "\")";
    if (!D.Depends.empty())
      S += ", .deps = __ws_deps, .num_deps = " +
           std::to_string(D.Depends.size());
    S += " }; ";
    Call = "ws_spawn_ex(" + FrameArg + ", __ws_task_" + N +
           ", &__ws_cap, sizeof __ws_cap, &__ws_opts)";
    if (D.Depends.empty()) {
      Call += ";";
    } else {
      // A dependent spawn the runtime refuses (WS_EINVAL: a frame owned by
      // another thread, or a runtime without dependences) runs the task at
      // once, which keeps every ordering among the tasks with depend
      // clauses.
      Call = "if (" + Call + " == " + macro("WS_EINVAL") +
             ") { __ws_opts.deps = 0; __ws_opts.num_deps = 0; "
             "__ws_opts.flags |= " +
             macro("WS_TASK_UNDEFERRED") + "; ws_spawn_ex(" + FrameArg +
             ", __ws_task_" + N +
             ", &__ws_cap, sizeof __ws_cap, &__ws_opts); }";
    }
  } else if (Task.LastBeforeWait) {
    // Directly followed by a wait (Region::LastBeforeWait): run at once, as
    // a call, when nothing of a higher tier waits (ws.h).
    Call = Fast("ws_scope_last", "ws_spawn_last_inline") + "__ws_task_" + N +
           ", &__ws_cap, sizeof __ws_cap, " + Tier + ", " + Site + ");";
  } else if (spawnsInSlot(Task) && InScope) {
    // A plain task whose captures are an initializer list: built straight
    // in a slot of the worker's fast deque when it takes the fast path
    // (ws.h: ws_scope_slot), so that no struct is copied whole:
    //   { [tier decls] struct __ws_cap_N *__ws_s = (struct __ws_cap_N *)
    //         ws_scope_slot(&__ws_sc, sizeof *__ws_s, T);
    //     [copies]
    //     if (__ws_s) { *__ws_s = (struct __ws_cap_N){ INIT };
    //                   ws_scope_push(&__ws_sc, __ws_task_N); }
    //     else { struct __ws_cap_N __ws_cap = { INIT };
    //            ws_scope_refused(&__ws_sc, &__ws_frame, __ws_task_N,
    //                             &__ws_cap, sizeof __ws_cap, T, SITE); } }
    // (a full ring's refusal runs the task at once, inlined: ws.h)
    return "{ " + TierDecls + Cap + " *__ws_s = (" + Cap + " *)ws_scope_slot" +
           (At ? "_at" : "") + "(&__ws_sc, sizeof *__ws_s, " + Tier + "); " +
           Copies + "if (__ws_s) { *__ws_s = (" + Cap + "){ " + Init +
           "}; ws_scope_push(&__ws_sc, __ws_task_" + N + "); } else { " + Cap +
           " __ws_cap = { " + Init + "}; ws_scope_refused" + (At ? "_at" : "") +
           "(&__ws_sc, &__ws_frame, __ws_task_" + N +
           ", &__ws_cap, sizeof __ws_cap, " + Tier + ", " + Site + "); } }";
  } else {
    Call =
        Fast(At ? "ws_scope_spawn_at" : "ws_scope_spawn", "ws_spawn_inline") +
        "__ws_task_" + N + ", &__ws_cap, sizeof __ws_cap, " + Tier + ", " +
        Site + ");";
  }
  return S + Copies + Call + " }";
}

std::string Outliner::outlined(Region &Task) {
  std::string N = id(Task);
  bool Dist = Task.D->Distributed;
  std::string S = "\n" + Src.lineDirectiveAt(Task.D->TextBegin);
  // A distributed task with sections: its body is __ws_taskb_N(arg, res,
  // where the sections are), and __ws_task_N(arg, res) calls it with 0
  // (after the captures).
  bool SecBody = Dist && !Task.Sections.empty();
  if (SecBody)
    S += "static void " + bodyName(Task) +
         "(void *__ws_arg, void *__ws_res, void *const *__ws_secp) {";
  else
    S += "static void __ws_task_" + N + "(void *__ws_arg" +
         (Dist ? ", void *__ws_res" : "") + ") {";
  bool HasFields = !Task.Elements.empty() || !Task.Sections.empty();
  for (const Capture &C : Task.Captures)
    HasFields |= C.Mode != CaptureMode::Private;
  // The captures, read before the body spawns: a task of the fast path runs
  // in its slot, which its first spawn reuses (ws.h: ws_task_captures):
  //   struct __ws_cap_N __ws_cv, *__ws_c = (struct __ws_cap_N *)
  //       ws_task_captures(__ws_arg, &__ws_cv, sizeof __ws_cv);
  // (a distributed task's arrive in a buffer of their own: as they are).
  if (HasFields && !Dist)
    S += " struct __ws_cap_" + N + " __ws_cv, *__ws_c = (struct __ws_cap_" + N +
         " *)ws_task_captures(__ws_arg, &__ws_cv, sizeof __ws_cv);";
  else if (HasFields)
    S += " struct __ws_cap_" + N + " *__ws_c = (struct __ws_cap_" + N +
         " *)__ws_arg;";
  CaptureLocals Locals = Caps.locals(Task.Captures);
  S += Locals.Decls;
  std::string Copies = Locals.ArrayCopies;
  if (Dist)
    S += distributedLocals(Task);
  if (Task.NeedsFrame)
    S += frameDecl();
  if (!HasFields)
    S += " (void)__ws_arg;";
  if (Dist) // a distributed body may use a capture only in `a[i]`, replaced
    for (const Capture &C : Task.Captures)
      if (C.Mode == CaptureMode::Copy || C.Mode == CaptureMode::CopyArray)
        S += " (void)" + C.Var->getName().str() + ";";
  S += Copies + "\n";
  // __func__ and friends expanded from macros (assert...) cannot be edited
  // in place: name the user's function for the body's duration.
  static const char *FuncNames[] = {"__func__", "__FUNCTION__",
                                    "__PRETTY_FUNCTION__"};
  if (Task.FuncInMacro)
    for (const char *Name : FuncNames)
      S += std::string("#define ") + Name + " " + quoteC(Task.Fn->getName()) +
           "\n";
  // A statement that ends inside a conditional group (or starts inside
  // one) gets the lines that make its groups whole here:
  //   #if 1 ... #line N ... <statement> ... #endif
  auto [CondBefore, CondAfter] =
      Src.conditionalFrame(Task.BodyBegin, Task.BodyEnd);
  S += CondBefore;
  S += Src.lineDirectiveAt(Task.BodyBegin);
  S += std::string(Src.column(Task.BodyBegin) - 1, ' ');
  S += RW.getRewrittenText(CharSourceRange::getCharRange(
      Src.loc(Task.BodyBegin), Src.loc(Task.BodyEnd)));
  S += CondAfter;
  if (Task.NeedsFrame)
    S += " " + frameWait(&Task);
  if (Dist)
    S += distributedResults(Task);
  S += " }\n";
  if (Task.FuncInMacro)
    for (const char *Name : FuncNames)
      S += std::string("#undef ") + Name + "\n";
  if (SecBody)
    S += "static void __ws_task_" + N + "(void *__ws_arg, void *__ws_res) { " +
         bodyName(Task) + "(__ws_arg, __ws_res, 0); }\n";
  if (Dist)
    S += distributedLocalRunner(Task);
  return S;
}

void Outliner::rewriteDirective(FunctionRegions &FR, Region &R,
                                std::string &Post) {
  const Directive &D = *R.D;
  bool OwnerHasFrame =
      R.EnclosingTask ? R.EnclosingTask->NeedsFrame : FR.NeedsFrame;
  std::string Text;
  unsigned End = D.TextEnd;
  switch (D.Kind) {
  case DirectiveKind::Task: {
    Post = outlined(R) + Post;
    Text = spawn(R);
    if (Src.firstTokenAt(D.TextEnd) != R.BodyBegin) {
      // Preprocessor lines between the directive and its statement (the
      // `#endif` of a guard): they stay; the spawn takes the directive's
      // place (in the active branch) and the statement is blanked.
      RW.ReplaceText(CharSourceRange::getCharRange(Src.loc(R.BodyBegin),
                                                   Src.loc(R.BodyEnd)),
                     Src.blankKeepingConditionals(R.BodyBegin, R.BodyEnd));
      Text += std::string(Src.text().slice(D.TextBegin, D.TextEnd).count('\n'),
                          '\n');
      break;
    }
    End = R.BodyEnd;
    // Keep every following line where it was, and the conditional lines of
    // the statement (`if (n)` `#if 1` `x++;`, with `#endif` after the
    // statement) so that the groups around it stay whole.
    Text += Src.blankKeepingConditionals(D.TextBegin, End);
    break;
  }
  case DirectiveKind::Taskgroup: {
    std::string G = groupName(R);
    Text = "{ ws_frame " + G + " = " + macro("WS_FRAME_INIT") +
           "; ws_taskgroup_begin(&" + G + ");";
    RW.InsertTextAfter(Src.loc(R.BodyEnd), " ws_wait(&" + G + "); }");
    break;
  }
  case DirectiveKind::Taskwait:
    // Inside taskgroups: wait for the tasks spawned so far into each
    // group, innermost first, and for the function's (or task's) own, and
    // keep the groups open -- OpenMP's taskwait does not end a taskgroup:
    //   { ws_wait_open(&__ws_group_G); ws_wait_pending(&__ws_frame); }
    // In a function with a clone, first the take of its slot task (and
    // the return right after, copied: Convention.h).
    Text =
        "{ " +
        (R.EnclosingTask || !R.Groups.empty()
             ? ""
             : Conv.take(D.TextBegin, Conv.returnAfter(R.Marker))) +
        waits(R.Groups, OwnerHasFrame, R.EnclosingTask, /*KeepGroups=*/true) +
        "}";
    break;
  case DirectiveKind::Yield:
    Text = "(void)ws_yield();";
    break;
  case DirectiveKind::CancelTaskgroup:
    Text = R.Groups.empty()
               ? "ws_cancel_current();"
               : "ws_cancel(&" + groupName(*R.Groups.front()) + ");";
    break;
  case DirectiveKind::CancellationPoint:
    Text = "if (ws_cancelled()) { " +
           waits(R.Groups, OwnerHasFrame, R.EnclosingTask) + "return; }";
    break;
  case DirectiveKind::ParallelFor:
    Loops.lower(FR, R, Post);
    return;
  }
  RW.ReplaceText(
      CharSourceRange::getCharRange(Src.loc(D.TextBegin), Src.loc(End)), Text);
}

} // namespace ws
