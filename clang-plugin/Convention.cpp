//===- Convention.cpp - Lace's calling convention for spawning functions --===//
//
// The shapes emitted are in Convention.h.
//
//===----------------------------------------------------------------------===//
#include "Convention.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/ParentMap.h"
#include "clang/AST/RecursiveASTVisitor.h"
#include "clang/AST/Stmt.h"
#include "clang/AST/TypeLoc.h"
#include "clang/Lex/Lexer.h"
#include "clang/Rewrite/Core/Rewriter.h"

#include <algorithm>

using namespace clang;

namespace ws {
namespace {

/// Every call, declaration and variable use under a statement.
class BodyWalk : public RecursiveASTVisitor<BodyWalk> {
public:
  std::vector<const CallExpr *> Calls;
  std::vector<const DeclRefExpr *> Uses;
  std::vector<const DeclStmt *> Decls;
  /// What a copied statement must not hold: a `return`, a label, a jump,
  /// a statement expression, a static local.
  bool Uncopyable = false;

  bool VisitCallExpr(CallExpr *CE) {
    Calls.push_back(CE);
    return true;
  }
  bool VisitDeclRefExpr(DeclRefExpr *E) {
    Uses.push_back(E);
    return true;
  }
  bool VisitDeclStmt(DeclStmt *DS) {
    Decls.push_back(DS);
    for (const Decl *D : DS->decls())
      if (const auto *V = dyn_cast<VarDecl>(D))
        Uncopyable |= V->isStaticLocal();
    return true;
  }
  bool VisitStmt(Stmt *S) {
    Uncopyable |= isa<ReturnStmt, LabelStmt, GotoStmt, IndirectGotoStmt,
                      StmtExpr, AddrLabelExpr>(S);
    return true;
  }
};

bool fileLoc(SourceLocation L) { return L.isValid() && L.isFileID(); }

const char *const FuncNames[] = {"__func__", "__FUNCTION__",
                                 "__PRETTY_FUNCTION__"};

/// Whether the printed declaration can be written in C (an unnamed struct
/// prints as "(unnamed struct at ...)").
bool spellable(const std::string &S) {
  return S.find("(unnamed") == std::string::npos &&
         S.find("(anonymous") == std::string::npos;
}

} // namespace

Convention::Convention(ASTContext &Ctx, Rewriter &RW, const SourceText &Src,
                       const CaptureStruct &Caps)
    : Ctx(Ctx), RW(RW), Src(Src), Caps(Caps) {}

Convention::~Convention() = default;

//===----------------------------------------------------------------------===//
// Which functions get a clone
//===----------------------------------------------------------------------===//

bool Convention::cloneable(const FunctionDecl *FD) const {
  // main, variadic and K&R functions, external inline definitions (which
  // may not call static functions), attributes (a constructor, a section,
  // visibility: they belong to the function's name): as they are.
  if (FD->isMain() || FD->isVariadic() || !FD->hasPrototype() ||
      FD->getStorageClass() == SC_Extern ||
      (FD->isInlineSpecified() && FD->getStorageClass() != SC_Static))
    return false;
  for (const Attr *A : FD->attrs())
    if (!A->isImplicit())
      return false;
  FunctionTypeLoc FTL = FD->getFunctionTypeLoc();
  const auto *Body = dyn_cast_or_null<CompoundStmt>(FD->getBody());
  if (!FTL || !Body)
    return false;
  // The pieces the rewrite edits, in the file itself: the first token, the
  // name, the parentheses; nothing between them and the body but space.
  for (SourceLocation L :
       {FD->getBeginLoc(), FD->getLocation(), FTL.getLParenLoc(),
        FTL.getRParenLoc(), Body->getLBracLoc()})
    if (!fileLoc(L) || !Src.inMain(L))
      return false;
  unsigned Name = Src.offset(FD->getLocation());
  if (Src.text().substr(Name, FD->getName().size()) != FD->getName() ||
      Src.firstTokenAt(Src.offset(FTL.getRParenLoc()) + 1) !=
          Src.offset(Body->getLBracLoc()))
    return false;
  for (const ParmVarDecl *Parm : FD->parameters())
    if (Parm->getName().empty() || Parm->hasAttrs() ||
        !spellable(Caps.declare(Parm->getType(), Parm->getName())))
      return false;
  return spellable(Caps.declare(FD->getReturnType(), "f"));
}

void Convention::plan(
    const std::vector<FunctionRegions> &Fns,
    llvm::function_ref<bool(const FunctionRegions &)> PushesFromSlot) {
  for (const FunctionRegions &F : Fns)
    if (F.NeedsFrame && PushesFromSlot(F) && cloneable(F.Fn))
      Clones[F.Fn->getCanonicalDecl()] =
          Src.lineStart(Src.offset(F.Fn->getBeginLoc()));
}

//===----------------------------------------------------------------------===//
// The function being rewritten
//===----------------------------------------------------------------------===//

/// Whether S names the function (`__func__` and its kin), or uses one of
/// Vars.
static bool mentions(const Stmt *S,
                     const llvm::DenseSet<const VarDecl *> &Vars) {
  class Finder : public RecursiveASTVisitor<Finder> {
  public:
    const llvm::DenseSet<const VarDecl *> &Vars;
    bool Found = false;
    explicit Finder(const llvm::DenseSet<const VarDecl *> &V) : Vars(V) {}
    bool VisitPredefinedExpr(PredefinedExpr *) {
      Found = true;
      return false;
    }
    bool VisitDeclRefExpr(DeclRefExpr *E) {
      if (const auto *V = dyn_cast<VarDecl>(E->getDecl()))
        Found |= Vars.count(V) > 0;
      return !Found;
    }
  } F(Vars);
  F.TraverseStmt(const_cast<Stmt *>(S));
  return F.Found;
}

std::string Convention::at(const FunctionDecl *FD) const {
  return "__ws_at_" + FD->getName().str();
}

std::string Convention::body(const FunctionDecl *FD) const {
  return "__ws_body_" + FD->getName().str();
}

CharSourceRange Convention::charRange(const Expr *E) const {
  const SourceManager &SM = Src.sm();
  SourceLocation L = SM.getExpansionRange(E->getEndLoc()).getEnd();
  return CharSourceRange::getCharRange(
      SM.getExpansionRange(E->getBeginLoc()).getBegin(),
      Lexer::getLocForEndOfToken(L, 0, SM, Src.langOpts()));
}

std::string Convention::exprText(const Expr *E) const {
  CharSourceRange R = charRange(E);
  if (!Src.inMain(R.getBegin()) || !Src.inMain(R.getEnd()))
    return "";
  unsigned Begin = Src.offset(R.getBegin()), Stop = Src.offset(R.getEnd());
  if (Stop <= Begin || !Src.conditionals(Begin, Stop).empty())
    return "";
  return Src.text().slice(Begin, Stop).str();
}

std::vector<Convention::Guard>
Convention::guards(const FunctionDecl *FD) const {
  std::vector<Guard> Out;
  // Declarations before the guards stay in the body: passed over when they
  // have no side effect (no initializer that has one, no VLA), and then a
  // guard must not use what they declare.
  llvm::DenseSet<const VarDecl *> Before;
  for (const Stmt *S : cast<CompoundStmt>(FD->getBody())->body()) {
    if (const auto *DS = dyn_cast<DeclStmt>(S); DS && Out.empty()) {
      bool Quiet = true;
      for (const Decl *D : DS->decls()) {
        const auto *V = dyn_cast<VarDecl>(D);
        Quiet &= V && !V->isStaticLocal() &&
                 !V->getType()->isVariablyModifiedType() &&
                 (!V->getInit() || !V->getInit()->HasSideEffects(Ctx));
        if (V)
          Before.insert(V);
      }
      if (!Quiet)
        break;
      continue;
    }
    const auto *If = dyn_cast<IfStmt>(S);
    if (!If || If->getElse() || If->getInit() || If->getConditionVariable() ||
        !fileLoc(If->getBeginLoc()))
      break;
    const Stmt *Then = If->getThen();
    if (const auto *CS = dyn_cast<CompoundStmt>(Then)) {
      if (CS->size() != 1)
        break;
      Then = CS->body_front();
    }
    const auto *Ret = dyn_cast<ReturnStmt>(Then);
    // Evaluated twice when false (in the entry, then in the body): no
    // side effects.  The value is evaluated once, where the guard holds.
    // (The entry is not the function: no `__func__` there.)
    if (!Ret || !fileLoc(Ret->getBeginLoc()) ||
        If->getCond()->HasSideEffects(Ctx) || mentions(If, Before))
      break;
    Guard G;
    G.Cond = exprText(If->getCond());
    if (const Expr *V = Ret->getRetValue())
      G.Value = exprText(V);
    // (`return f();` in a void function: the entry would say it otherwise.)
    if (G.Cond.empty() || (Ret->getRetValue() && G.Value.empty()) ||
        (Ret->getRetValue() && FD->getReturnType()->isVoidType()))
      break;
    Out.push_back(std::move(G));
  }
  return Out;
}

std::vector<Convention::CallEdit> Convention::calls(const Stmt *Root) const {
  BodyWalk W;
  W.TraverseStmt(const_cast<Stmt *>(Root));
  std::vector<CallEdit> Out;
  for (const CallExpr *CE : W.Calls) {
    const FunctionDecl *G = CE->getDirectCallee();
    if (!G)
      continue;
    auto It = Clones.find(G->getCanonicalDecl());
    // After the clone's declarations only, and by its name alone: `fib(n)`,
    // not `(fib)(n)` or a macro.
    const auto *Ref = dyn_cast<DeclRefExpr>(CE->getCallee()->IgnoreImpCasts());
    if (It == Clones.end() || !Ref || !fileLoc(Ref->getLocation()) ||
        !fileLoc(CE->getRParenLoc()))
      continue;
    unsigned Name = Src.offset(Ref->getLocation());
    std::optional<unsigned> Paren =
        Src.firstTokenAt(Name + G->getName().size());
    if (Name < It->second ||
        Src.text().substr(Name, G->getName().size()) != G->getName() ||
        !Paren || Src.text()[*Paren] != '(')
      continue;
    CallEdit E;
    E.NameOff = Name;
    E.NameLen = G->getName().size();
    E.ArgsOff = *Paren + 1;
    E.Name = at(G);
    E.Args =
        std::string("ws_scope_at(&__ws_sc)") + (CE->getNumArgs() ? ", " : "");
    Out.push_back(std::move(E));
  }
  return Out;
}

void Convention::scanBody() {
  const Stmt *Body = Fn->getBody();
  Parents = std::make_unique<ParentMap>(const_cast<Stmt *>(Body));
  BodyWalk W;
  W.TraverseStmt(const_cast<Stmt *>(Body));
  Written.clear();
  DeclOf.clear();
  Locals.clear();
  for (const DeclStmt *DS : W.Decls)
    for (const Decl *D : DS->decls())
      if (const auto *ND = dyn_cast<NamedDecl>(D)) {
        DeclOf[ND] = DS;
        Locals.push_back(ND);
      }
  // A variable is written unless every use reads it: through parentheses
  // and `.` members, an lvalue-to-rvalue conversion; or the `&(v)` of a
  // directive's marker (Directive.cpp), which only names it.
  for (const DeclRefExpr *E : W.Uses) {
    const auto *V = dyn_cast<VarDecl>(E->getDecl());
    if (!V)
      continue;
    const Stmt *P = Parents->getParent(E);
    while (P) {
      const auto *ME = dyn_cast<MemberExpr>(P);
      const auto *IC = dyn_cast<ImplicitCastExpr>(P);
      if (!isa<ParenExpr>(P) && !(ME && !ME->isArrow()) &&
          !(IC && IC->getCastKind() == CK_NoOp))
        break;
      P = Parents->getParent(P);
    }
    bool Read = false;
    if (const auto *IC = dyn_cast_or_null<ImplicitCastExpr>(P)) {
      Read = IC->getCastKind() == CK_LValueToRValue;
    } else if (const auto *UO = dyn_cast_or_null<UnaryOperator>(P)) {
      if (UO->getOpcode() == UO_AddrOf) {
        const Stmt *Q = Parents->getParent(UO);
        while (Q && isa<ImplicitCastExpr, ParenExpr>(Q))
          Q = Parents->getParent(Q);
        Read = Q && markerID(Q).has_value();
      }
    }
    if (!Read)
      Written.insert(V);
  }
}

bool Convention::insideLoop(const Stmt *S) const {
  for (const Stmt *P = Parents->getParent(S); P; P = Parents->getParent(P))
    if (isa<ForStmt, WhileStmt, DoStmt>(P))
      return true;
  return false;
}

bool Convention::visibleAt(const NamedDecl *ND, unsigned W) const {
  if (isa<ParmVarDecl>(ND))
    return cast<ParmVarDecl>(ND)->getDeclContext() == Fn;
  if (!ND->getDeclContext()->isFunctionOrMethod())
    return true; // the file's
  auto It = DeclOf.find(ND);
  if (It == DeclOf.end())
    return false;
  const auto *Block = dyn_cast_or_null<CompoundStmt>(
      Parents->getParent(const_cast<DeclStmt *>(It->second)));
  return Block && Src.offset(It->second->getBeginLoc()) < W &&
         Src.offset(Block->getLBracLoc()) < W &&
         W <= Src.offset(Block->getRBracLoc());
}

bool Convention::usableAsIs(const VarDecl *V, unsigned W) const {
  // Its value at the wait is its value at the spawn: never written, and one
  // instance for the whole call (not a loop's, which a later iteration
  // declares again while the task of an earlier one is pending).
  if (Written.count(V) || V->getType().isVolatileQualified() ||
      !visibleAt(V, W) || !FR->Gotos.empty())
    return false;
  if (isa<ParmVarDecl>(V))
    return true;
  auto It = DeclOf.find(V);
  return It != DeclOf.end() && V->hasLocalStorage() && !insideLoop(It->second);
}

bool Convention::slotTakable(const Region &D) const {
  if (D.EnclosingTask || !D.Groups.empty() || !D.Body ||
      isa<DeclStmt>(D.Body) || D.BodyEnd <= D.BodyBegin)
    return false;
  // The statement is copied as its text, at the wait (with `#line` when it
  // spans lines): no conditional lines in it.
  if (!Src.conditionals(D.BodyBegin, D.BodyEnd).empty())
    return false;
  for (const auto &R : FR->Regions)
    if (R.get() != &D && D.BodyBegin <= R->D->TextBegin &&
        R->D->TextBegin < D.BodyEnd)
      return false;
  BodyWalk W;
  W.TraverseStmt(const_cast<Stmt *>(D.Body));
  if (W.Uncopyable)
    return false;
  for (const Capture &C : D.Captures)
    if ((C.Mode != CaptureMode::Copy && C.Mode != CaptureMode::Pointer &&
         C.Mode != CaptureMode::Private) ||
        CaptureStruct::isVM(C) || C.Element || C.Result)
      return false;
  return true;
}

bool Convention::begin(const FunctionRegions &F, const Region *SlotTask) {
  Fn = nullptr;
  FR = &F;
  Slot = nullptr;
  Guards.clear();
  SlotNames.clear();
  SlotRefs.clear();
  SlotText.clear();
  if (!Clones.count(F.Fn->getCanonicalDecl()))
    return false;
  Fn = F.Fn;
  NamesItself = mentions(Fn->getBody(), {});
  scanBody();
  Guards = guards(Fn);
  // The calls of the function's own code: not inside a task, taskgroup or
  // parallel for, whose code runs elsewhere or with the fast path off.
  for (const CallEdit &E : calls(Fn->getBody())) {
    bool InRegion = false;
    for (const auto &R : F.Regions)
      InRegion |= R->encloses(E.NameOff);
    if (InRegion)
      continue;
    RW.ReplaceText(Src.loc(E.NameOff), E.NameLen, E.Name);
    RW.InsertTextAfter(Src.loc(E.ArgsOff), E.Args);
  }
  if (SlotTask && slotTakable(*SlotTask))
    describeSlot(*SlotTask);
  return true;
}

void Convention::describeSlot(const Region &D) {
  Slot = &D;
  // The names the statement uses: its identifiers (raw lexer, which stops
  // at a NUL: on a copy), and what macros in it expand to, the
  // declarations it refers to.
  std::string Text = Src.text().slice(D.BodyBegin, D.BodyEnd).str();
  Lexer L(Src.loc(D.BodyBegin), Src.langOpts(), Text.c_str(), Text.c_str(),
          Text.c_str() + Text.size());
  Token T;
  for (L.LexFromRawLexer(T); T.isNot(tok::eof); L.LexFromRawLexer(T))
    if (T.is(tok::raw_identifier))
      SlotNames.insert(T.getRawIdentifier());
  BodyWalk Used;
  Used.TraverseStmt(const_cast<Stmt *>(D.Body));
  for (const DeclRefExpr *E : Used.Uses) {
    SlotRefs.insert(E->getDecl());
    if (E->getDecl()->getIdentifier())
      SlotNames.insert(E->getDecl()->getName());
  }
  // The text copied at a take: its calls of clones at the taken slot's
  // position (edits from the last, so the offsets stay true).
  std::vector<CallEdit> Edits = calls(D.Body);
  std::sort(Edits.begin(), Edits.end(),
            [](const CallEdit &A, const CallEdit &B) {
              return A.NameOff > B.NameOff;
            });
  for (const CallEdit &E : Edits) {
    Text.insert(E.ArgsOff - D.BodyBegin, E.Args);
    Text.replace(E.NameOff - D.BodyBegin, E.NameLen, E.Name);
  }
  SlotText = std::move(Text);
}

//===----------------------------------------------------------------------===//
// What is emitted
//===----------------------------------------------------------------------===//

std::string Convention::frameDecl() const {
  return " ws_frame __ws_frame; ws_scope __ws_sc = "
         "ws_scope_start_at(__ws_at, &__ws_frame);";
}

std::string Convention::declarations() {
  FunctionTypeLoc FTL = Fn->getFunctionTypeLoc();
  std::string Own = Guards.empty() ? at(Fn) : body(Fn);
  // The definition becomes the clone: static, renamed, the position first.
  if (Fn->getStorageClass() != SC_Static)
    RW.InsertTextAfter(Fn->getBeginLoc(), "static ");
  RW.ReplaceText(Fn->getLocation(), Fn->getName().size(), Own);
  unsigned LParen = Src.offset(FTL.getLParenLoc());
  if (Fn->getNumParams() == 0)
    RW.ReplaceText(
        CharSourceRange::getCharRange(Src.loc(LParen + 1), FTL.getRParenLoc()),
        "ws_at __ws_at");
  else
    RW.InsertTextAfter(Src.loc(LParen + 1), "ws_at __ws_at, ");

  std::string Params, Args;
  for (const ParmVarDecl *P : Fn->parameters()) {
    Params += ", " + Caps.declare(P->getType(), P->getName());
    Args += ", " + P->getName().str();
  }
  auto Decl = [&](const std::string &Name, bool Position) {
    std::string List = Position ? "ws_at __ws_at" + Params
                                : (Params.empty() ? "void" : Params.substr(2));
    return Caps.declare(Fn->getReturnType(), Name + "(" + List + ")");
  };
  bool Void = Fn->getReturnType()->isVoidType();
  std::string Ret = Void ? "" : "return ";
  std::string S = "static " + Decl(Own, true) + ";\n";
  if (!Guards.empty()) {
    S += "static inline __attribute__((always_inline)) " + Decl(at(Fn), true) +
         " {";
    for (const Guard &G : Guards)
      S += " if (" + G.Cond + ") return" +
           (G.Value.empty() ? "" : " (" + G.Value + ")") + ";";
    S += " " + Ret + body(Fn) + "(__ws_at" + Args + "); }\n";
  }
  // The plain entry, for every other caller: the thread's position.  With
  // internal linkage (`static` here or on an earlier declaration) it may
  // have no caller left: `unused`.
  std::string Storage =
      std::string(Fn->getStorageClass() == SC_Static ? "static " : "") +
      (Fn->isInlineSpecified() ? "inline " : "") +
      (Fn->isExternallyVisible() ? "" : "__attribute__((unused)) ");
  S += Storage + Decl(Fn->getName().str(), false) + " { " + Ret + at(Fn) +
       "(ws_at_here()" + Args + "); }\n";
  // The clone is the function for `__func__` and its kin (after() ends it).
  if (NamesItself)
    for (const char *Name : FuncNames)
      S += std::string("#define ") + Name + " " + quoteC(Fn->getName()) + "\n";
  return S;
}

std::string Convention::after() const {
  std::string S;
  if (Fn && NamesItself)
    for (const char *Name : FuncNames)
      S += std::string("\n#undef ") + Name;
  return S;
}

const ReturnStmt *Convention::returnAfter(const Stmt *Marker) const {
  if (!Fn || !Marker)
    return nullptr;
  const auto *Block =
      dyn_cast_or_null<CompoundStmt>(Parents->getParent(Marker));
  if (!Block)
    return nullptr;
  for (auto It = Block->body_begin(); It != Block->body_end(); ++It)
    if (*It == Marker)
      return std::next(It) == Block->body_end()
                 ? nullptr
                 : dyn_cast<ReturnStmt>(*std::next(It));
  return nullptr;
}

std::string Convention::take(unsigned W, const ReturnStmt *Dup) const {
  if (!Slot || W <= Slot->BodyEnd)
    return "";
  const Region &D = *Slot;
  // One copy where a taskwait took it already: not at the waits after that
  // (a return, the closing brace), which find the scope empty.
  for (const auto &R : FR->Regions)
    if (R->kind() == DirectiveKind::Taskwait && !R->EnclosingTask &&
        R->Groups.empty() && D.BodyEnd <= R->D->TextBegin &&
        R->D->TextBegin < W)
      return "";
  // The names the statement uses must mean at the wait what they meant at
  // the spawn: no declaration of one of them in between, every local one
  // still in scope (a capture read from the slot is declared again).
  std::vector<Capture> FromSlot;
  for (const Capture &C : D.Captures) {
    if (C.Mode == CaptureMode::Pointer) {
      if (!visibleAt(C.Var, W))
        return "";
    } else if (C.Mode == CaptureMode::Private || !usableAsIs(C.Var, W)) {
      FromSlot.push_back(C);
    }
  }
  // Macros mean at the wait what they meant at the spawn: no definition in
  // between.
  for (unsigned Off = D.BodyEnd; Off < W;) {
    llvm::StringRef Line = Src.text().slice(Off, W).split('\n').first;
    llvm::StringRef Code = Line.ltrim();
    if (Code.consume_front("#")) {
      Code = Code.ltrim();
      for (llvm::StringRef Word : {"define", "undef", "include", "line"})
        if (Code.take_front(Word.size()) == Word)
          return "";
    }
    Off += Line.size() + 1;
  }
  for (const NamedDecl *ND : Locals) {
    if (!ND->getIdentifier() || !SlotNames.count(ND->getName()))
      continue;
    unsigned Off = Src.offset(ND->getLocation());
    if ((Off >= D.BodyBegin && Off < D.BodyEnd) || Off >= W)
      continue; // the statement's own, or after the wait
    if (Off >= D.BodyEnd)
      return ""; // declared between: it may hide what the statement meant
    if (const auto *V = dyn_cast<VarDecl>(ND)) {
      bool Redeclared = false;
      for (const Capture &C : FromSlot)
        Redeclared |= C.Var == V;
      if (Redeclared || !SlotRefs.count(V))
        continue; // declared again from the slot, or another of that name
    }
    if (!visibleAt(ND, W))
      return "";
  }

  CaptureLocals Copies = Caps.locals(FromSlot);
  std::string Cap = "struct __ws_cap_" + id(D);
  std::string S = "{ " + Cap + " *__ws_c = (" + Cap +
                  " *)ws_scope_take(&__ws_sc, &__ws_frame); if (__ws_c) { {";
  if (!Copies.Decls.empty())
    // The task's copies hide the caller's variables on purpose.
    S += " _Pragma(\"GCC diagnostic push\") _Pragma(\"GCC diagnostic ignored "
         "\\\"-Wshadow\\\"\")" +
         Copies.Decls + Copies.Voids + " _Pragma(\"GCC diagnostic pop\")";
  if (!llvm::StringRef(SlotText).contains('\n'))
    S += " " + SlotText + " }";
  else // its own lines, then the wait's again
    S += "\n" + Src.lineDirectiveAt(D.BodyBegin) +
         std::string(Src.column(D.BodyBegin) - 1, ' ') + SlotText + " }\n" +
         Src.lineDirectiveAt(W) + std::string(Src.column(W) - 1, ' ');
  if (Dup) {
    // The return, while the task's result is still in a register; counted
    // as returned once the value is computed.
    std::string Done = " ws_scope_ran(&__ws_sc); return";
    if (const Expr *V = Dup->getRetValue()) {
      std::string Value = RW.getRewrittenText(charRange(V));
      if (!Fn->getReturnType()->isVoidType() && !Value.empty() &&
          !llvm::StringRef(Value).contains('\n'))
        S += " if (ws_scope_done(&__ws_sc)) { " +
             Caps.declare(Fn->getReturnType(), "__ws_r") + " = (" + Value +
             ");" + Done + " __ws_r; }";
    } else {
      S += " if (ws_scope_done(&__ws_sc)) {" + Done + "; }";
    }
  }
  S += " ws_scope_ran(&__ws_sc); } } ";
  return S;
}

} // namespace ws
