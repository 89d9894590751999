//===- Regions.cpp - Where each directive stands in the AST ---------------===//
#include "Regions.h"
#include "Diagnostics.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Lex/Lexer.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Path.h"

#include <functional>

using namespace clang;

namespace ws {

//===----------------------------------------------------------------------===//
// SourceText
//===----------------------------------------------------------------------===//

SourceText::SourceText(const SourceManager &SM, const LangOptions &LO)
    : SM(SM), LO(LO), Main(SM.getMainFileID()), Text(SM.getBufferData(Main)) {
  PresumedLoc P = SM.getPresumedLoc(SM.getLocForStartOfFile(Main));
  FileName = P.isValid() ? P.getFilename() : "<input>";
}

bool SourceText::inMain(SourceLocation L) const {
  return L.isValid() && SM.getFileID(SM.getExpansionLoc(L)) == Main;
}

unsigned SourceText::offset(SourceLocation L) const {
  return SM.getFileOffset(SM.getExpansionLoc(L));
}

SourceLocation SourceText::loc(unsigned Offset) const {
  return SM.getLocForStartOfFile(Main).getLocWithOffset(Offset);
}

unsigned SourceText::beginOf(const Stmt *S) const {
  return offset(S->getBeginLoc());
}

/// Whether the statement's text ends before its ';' (an expression statement,
/// or a statement whose last sub-statement is one).
static bool endsBeforeSemi(const Stmt *S) {
  while (true) {
    if (const auto *I = dyn_cast<IfStmt>(S))
      S = I->getElse() ? I->getElse() : I->getThen();
    else if (const auto *F = dyn_cast<ForStmt>(S))
      S = F->getBody();
    else if (const auto *W = dyn_cast<WhileStmt>(S))
      S = W->getBody();
    else if (const auto *Sw = dyn_cast<SwitchStmt>(S))
      S = Sw->getBody();
    else if (const auto *L = dyn_cast<LabelStmt>(S))
      S = L->getSubStmt();
    else if (const auto *C = dyn_cast<SwitchCase>(S))
      S = C->getSubStmt();
    else if (const auto *A = dyn_cast<AttributedStmt>(S))
      S = A->getSubStmt();
    else
      return !isa<CompoundStmt>(S) && !isa<NullStmt>(S) && !isa<DeclStmt>(S);
    if (!S)
      return false;
  }
}

unsigned SourceText::endOf(const Stmt *S) const {
  SourceLocation Last = SM.getExpansionRange(S->getEndLoc()).getEnd();
  if (endsBeforeSemi(S)) {
    SourceLocation After =
        Lexer::findLocationAfterToken(Last, tok::semi, SM, LO, false);
    if (After.isValid())
      return SM.getFileOffset(After);
  }
  return SM.getFileOffset(Lexer::getLocForEndOfToken(Last, 0, SM, LO));
}

std::pair<unsigned, unsigned> SourceText::invocationOf(SourceLocation L) const {
  CharSourceRange R = SM.getExpansionRange(L);
  SourceLocation End = R.isTokenRange()
                           ? Lexer::getLocForEndOfToken(R.getEnd(), 0, SM, LO)
                           : R.getEnd();
  return {SM.getFileOffset(R.getBegin()), SM.getFileOffset(End)};
}

llvm::StringRef SourceText::macroNameAt(unsigned Offset) const {
  return Text.substr(Offset).take_while(
      [](char C) { return isAlphanumeric(C) || C == '_'; });
}

unsigned SourceText::line(unsigned Offset) const {
  return SM.getLineNumber(Main, Offset);
}

unsigned SourceText::column(unsigned Offset) const {
  return SM.getColumnNumber(Main, Offset);
}

unsigned SourceText::lineStart(unsigned Offset) const {
  size_t NL = Text.rfind('\n', Offset);
  if (Offset == 0 || NL == llvm::StringRef::npos)
    return 0;
  return NL + 1;
}

std::optional<unsigned> SourceText::firstTokenAt(unsigned Offset) const {
  if (Offset >= Text.size())
    return std::nullopt;
  Lexer L(SM.getLocForStartOfFile(Main), LO, Text.begin(),
          Text.begin() + Offset, Text.end());
  L.SetCommentRetentionState(false);
  Token T;
  L.LexFromRawLexer(T);
  if (T.is(tok::eof))
    return std::nullopt;
  return SM.getFileOffset(T.getLocation());
}

std::optional<unsigned> SourceText::firstCodeTokenAt(
    unsigned Offset,
    const std::vector<std::pair<unsigned, unsigned>> &Skipped) const {
  if (Offset >= Text.size())
    return std::nullopt;
  Lexer L(SM.getLocForStartOfFile(Main), LO, Text.begin(),
          Text.begin() + Offset, Text.end());
  L.SetCommentRetentionState(false);
  std::optional<Token> Pending;
  auto Next = [&] {
    Token T;
    if (Pending) {
      T = *Pending;
      Pending.reset();
    } else {
      L.LexFromRawLexer(T);
    }
    return T;
  };
  bool InDirective = false;
  while (true) {
    Token T = Next();
    if (T.is(tok::eof))
      return std::nullopt;
    unsigned Off = SM.getFileOffset(T.getLocation());
    if (T.isAtStartOfLine())
      InDirective = false;
    if (InDirective)
      continue; // the rest of a preprocessor line (continuations included)
    if (llvm::any_of(Skipped, [&](const std::pair<unsigned, unsigned> &R) {
          return R.first <= Off && Off < R.second;
        }))
      continue;
    if (T.is(tok::hash) && T.isAtStartOfLine()) {
      // A preprocessor line is passed over, except #include (its text
      // would come in between) and #pragma (another directive).
      Token Name = Next();
      if (Name.is(tok::raw_identifier) &&
          (Name.getRawIdentifier() == "include" ||
           Name.getRawIdentifier() == "include_next" ||
           Name.getRawIdentifier() == "import" ||
           Name.getRawIdentifier() == "pragma"))
        return Off;
      if (Name.is(tok::eof) || Name.isAtStartOfLine())
        Pending = Name; // a null directive: `#` alone
      else
        InDirective = true;
      continue;
    }
    return Off;
  }
}

namespace {
enum class CondKind { Open, Middle, Close, Other };

CondKind condKind(llvm::StringRef Name) {
  return llvm::StringSwitch<CondKind>(Name)
      .Cases("if", "ifdef", "ifndef", CondKind::Open)
      .Cases("elif", "elifdef", "elifndef", "else", CondKind::Middle)
      .Case("endif", CondKind::Close)
      .Default(CondKind::Other);
}
} // namespace

std::vector<SourceText::Conditional>
SourceText::conditionals(unsigned Begin, unsigned End) const {
  std::vector<Conditional> Out;
  if (Begin >= End || End > Text.size())
    return Out;
  // The raw lexer needs the buffer's terminating NUL: lex to the file's
  // end, stop past End.
  Lexer L(SM.getLocForStartOfFile(Main), LO, Text.begin(),
          Text.begin() + lineStart(Begin), Text.end());
  L.SetCommentRetentionState(false);
  Token T;
  L.LexFromRawLexer(T);
  while (T.isNot(tok::eof)) {
    unsigned Off = SM.getFileOffset(T.getLocation());
    if (Off >= End)
      break;
    if (!T.is(tok::hash) || !T.isAtStartOfLine()) {
      L.LexFromRawLexer(T);
      continue;
    }
    Token Name;
    L.LexFromRawLexer(Name);
    // The name as the lexer sees it: `#  endif`, `#\<newline>endif` and
    // NULs in between all make an `#endif`.
    CondKind K = Name.is(tok::raw_identifier) && !Name.isAtStartOfLine()
                     ? condKind(Name.getRawIdentifier())
                     : CondKind::Other;
    // The directive's last token: the one before the next line's first.
    Token Last = T;
    T = Name;
    while (T.isNot(tok::eof) && !T.isAtStartOfLine()) {
      Last = T;
      L.LexFromRawLexer(T);
    }
    if (Off >= Begin && K != CondKind::Other)
      Out.push_back({Off,
                     SM.getFileOffset(Last.getLocation()) + Last.getLength(),
                     K == CondKind::Open    ? 1
                     : K == CondKind::Close ? -1
                                            : 0});
  }
  return Out;
}

std::pair<std::string, std::string>
SourceText::conditionalFrame(unsigned Begin, unsigned End) const {
  unsigned Depth = 0, Unopened = 0;
  for (const Conditional &C : conditionals(Begin, End)) {
    if (C.Kind > 0) {
      ++Depth;
    } else if (C.Kind == 0) {
      if (Depth == 0) { // goes on with a group opened before Begin
        ++Unopened;
        Depth = 1;
      }
    } else if (Depth == 0) {
      ++Unopened; // ends a group opened before Begin
    } else {
      --Depth;
    }
  }
  std::string Before, After;
  for (unsigned I = 0; I < Unopened; ++I)
    Before += "#if 1\n";
  for (unsigned I = 0; I < Depth; ++I)
    After += "\n#endif";
  if (Depth)
    After += "\n";
  return {Before, After};
}

std::string SourceText::blankKeepingConditionals(unsigned Begin,
                                                 unsigned End) const {
  std::string Out;
  unsigned Pos = Begin;
  for (const Conditional &C : conditionals(Begin, End)) {
    Out += std::string(Text.slice(Pos, C.Begin).count('\n'), '\n');
    Out += Text.slice(C.Begin, C.End).str();
    Pos = C.End;
  }
  Out += std::string(Text.slice(Pos, End).count('\n'), '\n');
  return Out;
}

std::string quoteC(llvm::StringRef S) {
  std::string Out = "\"";
  for (char C : S) {
    if (C == '\\' || C == '"')
      Out += '\\';
    Out += C;
  }
  return Out + "\"";
}

std::string id(const Region &R) { return std::to_string(R.D->ID); }

std::string siteDeclaration(const Region &R, const SourceText &Src) {
  unsigned Line = Src.line(R.D->TextBegin);
  std::string Label = R.D->Label.empty()
                          ? quoteC(Src.baseName() + ":" + std::to_string(Line))
                          : R.D->Label;
  return " static const ws_site __ws_site_" + id(R) + " = { " + Label + ", " +
         Src.quotedFileName() + ", " + std::to_string(Line) + " };\n";
}

std::string SourceText::quotedFileName() const { return quoteC(FileName); }

std::string SourceText::baseName() const {
  return llvm::sys::path::filename(FileName).str();
}

std::string SourceText::lineDirective(unsigned Line) const {
  return "#line " + std::to_string(Line) + " " + quotedFileName() + "\n";
}

std::string SourceText::lineDirectiveAt(unsigned Offset) const {
  PresumedLoc P = SM.getPresumedLoc(loc(Offset));
  if (P.isInvalid())
    return lineDirective(line(Offset));
  return "#line " + std::to_string(P.getLine()) + " " +
         quoteC(P.getFilename()) + "\n";
}

//===----------------------------------------------------------------------===//
// Markers
//===----------------------------------------------------------------------===//

std::optional<unsigned> markerID(const Stmt *S) {
  const auto *CE = dyn_cast_or_null<CallExpr>(S);
  if (!CE || CE->getNumArgs() < 1)
    return std::nullopt;
  const FunctionDecl *FD = CE->getDirectCallee();
  if (!FD || !FD->getIdentifier() || FD->getName() != MarkerName)
    return std::nullopt;
  const auto *Lit = dyn_cast<IntegerLiteral>(CE->getArg(0)->IgnoreImpCasts());
  if (!Lit)
    return std::nullopt;
  return Lit->getValue().getZExtValue();
}

//===----------------------------------------------------------------------===//
// Walking a function body
//===----------------------------------------------------------------------===//

namespace {

/// Everything RegionBuilder needs from one pass over a function body.
struct BodyWalk {
  std::vector<const Stmt *> Positions; // statements in statement position
  std::vector<const CallExpr *> Markers;
  std::vector<const ReturnStmt *> Returns;
  std::vector<const GotoStmt *> Gotos;
  std::vector<const CompoundStmt *> Blocks;
  /// Markers that are the body of an if/else/while/for/do.
  llvm::DenseSet<const Stmt *> SubstatementMarkers;

  void walk(const Stmt *S, bool IsPosition) {
    if (!S)
      return;
    if (isa<IfStmt>(S) || isa<ForStmt>(S) || isa<WhileStmt>(S) ||
        isa<DoStmt>(S))
      for (const Stmt *Child : S->children())
        if (markerID(Child) && isPositionOf(S, Child))
          SubstatementMarkers.insert(Child);
    if (IsPosition)
      Positions.push_back(S);
    if (const auto *B = dyn_cast<CompoundStmt>(S))
      Blocks.push_back(B);
    if (markerID(S))
      Markers.push_back(cast<CallExpr>(S));
    if (const auto *R = dyn_cast<ReturnStmt>(S))
      Returns.push_back(R);
    if (const auto *G = dyn_cast<GotoStmt>(S))
      Gotos.push_back(G);
    for (const Stmt *Child : S->children())
      walk(Child, isPositionOf(S, Child));
  }

  static bool isPositionOf(const Stmt *Parent, const Stmt *Child) {
    if (isa<CompoundStmt>(Parent))
      return true;
    if (const auto *I = dyn_cast<IfStmt>(Parent))
      return Child == I->getThen() || Child == I->getElse();
    if (const auto *F = dyn_cast<ForStmt>(Parent))
      return Child == F->getBody();
    if (const auto *W = dyn_cast<WhileStmt>(Parent))
      return Child == W->getBody();
    if (const auto *D = dyn_cast<DoStmt>(Parent))
      return Child == D->getBody();
    if (const auto *Sw = dyn_cast<SwitchStmt>(Parent))
      return Child == Sw->getBody();
    if (const auto *L = dyn_cast<LabelStmt>(Parent))
      return Child == L->getSubStmt();
    if (const auto *C = dyn_cast<SwitchCase>(Parent))
      return Child == C->getSubStmt();
    return false;
  }
};

} // namespace

//===----------------------------------------------------------------------===//
// JumpChecker
//===----------------------------------------------------------------------===//

JumpChecker::JumpChecker(Diagnostics &Diags, const SourceText &Src,
                         const Region &R, const Stmt *Body, unsigned Begin,
                         unsigned End,
                         const llvm::DenseSet<const Stmt *> &Nested)
    : Diags(Diags), Src(Src), R(R), Body(Body), Begin(Begin), End(End),
      Nested(Nested), What(spelling(R.kind())) {}

bool JumpChecker::run(const std::vector<const GotoStmt *> &AllGotos) {
  walk(Body, 0, 0);
  // Gotos from outside into this body.
  for (const GotoStmt *G : AllGotos) {
    const LabelStmt *L = G->getLabel()->getStmt();
    if (!L || inside(G->getGotoLoc()) || !inside(L->getBeginLoc()))
      continue;
    Diags.report(G->getGotoLoc(), Diag::JumpGotoIn)
        << G->getLabel()->getName() << What;
    Diags.report(L->getBeginLoc(), Diag::NoteLabelHere)
        << G->getLabel()->getName();
    note();
  }
  return Ok;
}

bool JumpChecker::inside(SourceLocation L) const {
  unsigned Off = Src.offset(L);
  return Begin <= Off && Off < End;
}

void JumpChecker::note() {
  Diags.noteDirective(R.D->Loc, What);
  Ok = false;
}

void JumpChecker::walk(const Stmt *S, unsigned Loops, unsigned Switches) {
  if (!S || (S != Body && Nested.count(S)))
    return;
  // A taskgroup's body may return (the function waits first); a parallel
  // for body's `continue` goes to its next iteration.
  bool ReturnLeaves = R.kind() != DirectiveKind::Taskgroup;
  bool ContinueLeaves = R.kind() != DirectiveKind::ParallelFor;
  if (const auto *Ret = dyn_cast<ReturnStmt>(S)) {
    if (ReturnLeaves) {
      Diags.report(Ret->getReturnLoc(), Diag::JumpReturn) << What;
      note();
    }
  } else if (const auto *B = dyn_cast<BreakStmt>(S)) {
    if (Loops == 0 && Switches == 0) {
      Diags.report(B->getBreakLoc(), Diag::JumpBreak) << What;
      note();
    }
  } else if (const auto *C = dyn_cast<ContinueStmt>(S)) {
    if (Loops == 0 && ContinueLeaves) {
      Diags.report(C->getContinueLoc(), Diag::JumpContinue) << What;
      note();
    }
  } else if (const auto *G = dyn_cast<GotoStmt>(S)) {
    const LabelStmt *L = G->getLabel()->getStmt();
    if (!L || !inside(L->getBeginLoc())) {
      Diags.report(G->getGotoLoc(), Diag::JumpGotoOut)
          << G->getLabel()->getName() << What;
      note();
    }
  } else if (const auto *IG = dyn_cast<IndirectGotoStmt>(S)) {
    Diags.report(IG->getGotoLoc(), Diag::JumpIndirectGoto) << What;
    note();
  }
  bool IsLoop = isa<ForStmt>(S) || isa<WhileStmt>(S) || isa<DoStmt>(S);
  bool IsSwitch = isa<SwitchStmt>(S);
  for (const Stmt *Child : S->children())
    walk(Child, Loops + IsLoop, Switches + IsSwitch);
}

//===----------------------------------------------------------------------===//
// RegionBuilder
//===----------------------------------------------------------------------===//

bool RegionBuilder::build(std::vector<FunctionRegions> &Out) {
  unsigned ErrorsBefore = Diags.engine().getNumErrors();
  for (const Decl *TopDecl : Ctx.getTranslationUnitDecl()->decls()) {
    const auto *FD = dyn_cast<FunctionDecl>(TopDecl);
    if (!FD || !FD->doesThisDeclarationHaveABody() || !FD->getBody() ||
        !Src.inMain(FD->getBody()->getBeginLoc()))
      continue;
    FunctionRegions FR;
    FR.Fn = FD;
    // Keep going after errors so one run reports them all.
    buildFunction(FD, FR);
    if (!FR.Regions.empty())
      Out.push_back(std::move(FR));
  }
  return Diags.engine().getNumErrors() == ErrorsBefore;
}

/// Tasks spawned right before a wait for their frame, with nothing in
/// between.  In one block, the task's marker and its statement are followed
/// by
///   - the marker of a taskwait of the same frame,
///   - a `return` of the function (which waits first), or
///   - the end of the block, when the block is the function's body or the
///     body of the enclosing task (both end in the implicit wait).
/// A task that is the body of a loop or an `if` has no marker of its own in
/// a block, so it never qualifies: its next spawn, not the wait, may follow.
/// Only plain tasks outside taskgroups: a taskgroup's tasks go to the group's
/// frame, and `if`, `final`, `depend`, `timeout`, `handle`, `requires` and
/// `prefers` take ws_spawn_ex.
void RegionBuilder::markLastBeforeWait(
    const std::vector<const CompoundStmt *> &Blocks, FunctionRegions &FR) {
  llvm::DenseMap<const Stmt *, Region *> ByMarker;
  for (auto &R : FR.Regions)
    ByMarker[R->Marker] = R.get();
  auto FollowedByWait = [&](const Region &T, const CompoundStmt *B,
                            size_t Next) {
    if (Next == B->size()) {
      if (T.EnclosingTask)
        return T.EnclosingTask->isTask() && T.EnclosingTask->Body == B;
      return B == FR.Fn->getBody();
    }
    const Stmt *S = B->body_begin()[Next];
    if (isa<ReturnStmt>(S))
      return T.EnclosingTask == nullptr;
    const Region *W = ByMarker.lookup(S);
    return W && W->kind() == DirectiveKind::Taskwait && W->Groups.empty() &&
           W->EnclosingTask == T.EnclosingTask;
  };
  for (const CompoundStmt *B : Blocks) {
    const Stmt *const *C = B->body_begin();
    for (size_t I = 0; I + 1 < B->size(); I++) {
      Region *T = ByMarker.lookup(C[I]);
      if (!T || !T->isTask() || T->Body != C[I + 1] || !T->Groups.empty())
        continue;
      if (T->D->needsSpawnOptions())
        continue;
      T->LastBeforeWait = FollowedByWait(*T, B, I + 2);
    }
  }
}

bool RegionBuilder::buildFunction(const FunctionDecl *FD, FunctionRegions &FR) {
  BodyWalk W;
  W.walk(FD->getBody(), false);
  if (W.Markers.empty())
    return true;
  bool Ok = true;
  // Directives directly followed by another directive (task, taskgroup).
  std::vector<std::pair<Directive *, unsigned>> Pending;

  for (const CallExpr *M : W.Markers) {
    Directive *D = Table.get(*markerID(M));
    if (!D || !D->Valid)
      continue;
    auto R = std::make_unique<Region>();
    R->D = D;
    R->Fn = FD;
    R->Marker = M;
    D->HasMarker = false; // consumed: see Outliner's check for leftovers
    llvm::StringRef Name = spelling(D->Kind);

    bool HasBody = D->Kind == DirectiveKind::Task ||
                   D->Kind == DirectiveKind::Taskgroup ||
                   D->Kind == DirectiveKind::ParallelFor;
    if (!HasBody && W.SubstatementMarkers.count(M)) {
      // `if (c)` then `#pragma ws taskwait` then `x++;`: without the
      // directive `x++` is the if's body, with it the directive would be --
      // a different program (OpenMP forbids it too).
      Diags.report(D->Loc, Diag::StandaloneAsSubstatement) << Name;
      Ok = false;
      continue;
    }
    if (HasBody) {
      // The statement a directive applies to: the first statement in
      // statement position that starts after the directive, with nothing but
      // comments in between.
      const Stmt *Best = nullptr;
      unsigned BestOff = ~0u;
      for (const Stmt *P : W.Positions) {
        if (markerID(P))
          continue;
        unsigned B = Src.beginOf(P);
        if (B >= D->TextEnd && B < BestOff) {
          Best = P;
          BestOff = B;
        }
      }
      // Preprocessor lines may stand in between (`#endif` of the guard
      // around the directive, an inactive `#else` branch...).
      std::optional<unsigned> First =
          Src.firstCodeTokenAt(D->TextEnd, Table.skippedRanges());
      if (!Best || !First || *First != BestOff) {
        bool AnotherDirective = false;
        for (const CallExpr *Other : W.Markers) {
          const Directive *OD = Table.get(*markerID(Other));
          if (OD && First && OD->TextBegin == *First)
            AnotherDirective = true;
        }
        if (AnotherDirective && Table.spellOut().Allowed && !D->FromMacro &&
            (D->Kind == DirectiveKind::Task ||
             D->Kind == DirectiveKind::Taskgroup)) {
          // Wrapped in braces with the next directive and its statement,
          // once that statement is known (below).
          for (const CallExpr *Other : W.Markers) {
            const Directive *OD = Table.get(*markerID(Other));
            if (OD && OD->TextBegin == *First)
              Pending.push_back({D, OD->ID});
          }
          continue;
        }
        if (AnotherDirective)
          Diags.report(D->Loc, Diag::FollowedByDirective) << Name;
        else if (D->FromMacro)
          Diags.report(D->Loc, Diag::MacroDirectiveWrapsStatement);
        else
          Diags.report(D->Loc, Diag::ExpectedStatement) << Name;
        Ok = false;
        continue;
      }
      if (isa<DeclStmt>(Best)) {
        Diags.report(Best->getBeginLoc(), Diag::FollowedByDeclaration) << Name;
        Diags.noteDirective(D->Loc, Name);
        Ok = false;
        continue;
      }
      if (D->Kind == DirectiveKind::Taskgroup && !isa<CompoundStmt>(Best)) {
        Diags.report(Best->getBeginLoc(), Diag::TaskgroupNeedsCompound);
        Diags.noteDirective(D->Loc, Name);
        Ok = false;
        continue;
      }
      R->Body = Best;
      R->BodyBegin = BestOff;
      R->BodyEnd = Src.endOf(Best);
    }
    // parallel for: the loop is checked and lowered by LoopLowering.
    FR.Regions.push_back(std::move(R));
  }

  // `#pragma ws task` + `#pragma ws taskgroup {...}`: the outer directive
  // is rewritten as `_Pragma("ws task") {` with `}` after the inner one's
  // statement, and the file analysed again (RewriteAction.cpp).  The inner
  // statement's end, through a chain of such directives.
  std::function<std::optional<unsigned>(unsigned, int)> CloseOf =
      [&](unsigned ID, int Hops) -> std::optional<unsigned> {
    for (auto &R : FR.Regions)
      if (R->D->ID == ID && R->Body)
        return R->BodyEnd;
    for (auto &[Outer, Inner] : Pending)
      if (Outer->ID == ID && Hops < 8)
        return CloseOf(Inner, Hops + 1);
    return std::nullopt;
  };
  for (auto &[D, Inner] : Pending) {
    if (std::optional<unsigned> Close = CloseOf(Inner, 0)) {
      Table.spellOut().Wraps.push_back(
          {D->TextBegin, D->TextEnd, D->ID, *Close});
    } else {
      Diags.report(D->Loc, Diag::FollowedByDirective) << spelling(D->Kind);
      Ok = false;
    }
  }

  // Nesting: the innermost task (or parallel for, whose body is outlined
  // too) whose body contains the directive, then the taskgroups around the
  // directive inside that same task (or function).
  for (auto &R : FR.Regions) {
    for (auto &T : FR.Regions)
      if (T != R && (T->isTask() || T->kind() == DirectiveKind::ParallelFor) &&
          T->encloses(R->D->TextBegin) &&
          (!R->EnclosingTask || T->BodyBegin > R->EnclosingTask->BodyBegin))
        R->EnclosingTask = T.get();
  }
  for (auto &R : FR.Regions) {
    for (auto &G : FR.Regions)
      if (G != R && G->isGroup() && G->encloses(R->D->TextBegin) &&
          G->EnclosingTask == R->EnclosingTask)
        R->Groups.push_back(G.get());
    llvm::sort(R->Groups, [](const Region *A, const Region *B) {
      return A->BodyBegin > B->BodyBegin;
    });
    DirectiveKind K = R->kind();
    if (K == DirectiveKind::Task || K == DirectiveKind::Taskgroup ||
        K == DirectiveKind::Taskwait) {
      if (R->EnclosingTask)
        R->EnclosingTask->NeedsFrame = true;
      else
        FR.NeedsFrame = true;
    }
    if (K == DirectiveKind::CancellationPoint &&
        (!R->EnclosingTask || !R->EnclosingTask->isTask())) {
      Diags.report(R->D->Loc, Diag::CancellationPointOutsideTask);
      Ok = false;
    }
  }

  markLastBeforeWait(W.Blocks, FR);

  // Jumps out of task and taskgroup bodies.
  llvm::DenseSet<const Stmt *> TaskBodies;
  for (auto &R : FR.Regions)
    if (R->isTask())
      TaskBodies.insert(R->Body);
  for (auto &R : FR.Regions)
    if (R->Body && (R->isTask() || R->isGroup()))
      Ok &= JumpChecker(Diags, Src, *R, R->Body, R->BodyBegin, R->BodyEnd,
                        TaskBodies)
                .run(W.Gotos);
  FR.Gotos = W.Gotos;

  // Returns of the function itself get the implicit wait.
  for (const ReturnStmt *Ret : W.Returns) {
    unsigned Off = Src.offset(Ret->getReturnLoc());
    bool InTask = false;
    for (auto &R : FR.Regions)
      InTask |= R->isTask() && R->encloses(Off);
    if (InTask)
      continue;
    if (FR.NeedsFrame && Ret->getReturnLoc().isMacroID() &&
        Src.inMain(Ret->getReturnLoc())) {
      // The implicit wait goes before the return: spell the macro out.
      auto [B, E] = Src.invocationOf(Ret->getReturnLoc());
      if (!Table.spellOut().request(B, E, Ret->getReturnLoc(),
                                    unsigned(Diag::ReturnInMacro))) {
        Diags.report(Ret->getReturnLoc(), Diag::ReturnInMacro);
        Ok = false;
      }
    } else if (FR.NeedsFrame && Ret->getReturnLoc().isMacroID()) {
      Diags.report(Ret->getReturnLoc(), Diag::ReturnInMacro);
      Ok = false;
    }
    FR.Returns.push_back(Ret);
  }
  return Ok;
}

} // namespace ws
