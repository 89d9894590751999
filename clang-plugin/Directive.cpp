//===- Directive.cpp - `#pragma ws` handler and clause parser -------------===//
#include "Directive.h"
#include "Diagnostics.h"

#include "clang/Basic/SourceManager.h"
#include "clang/Lex/Lexer.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringMap.h"
#include "llvm/ADT/StringSwitch.h"

using namespace clang;

namespace ws {

llvm::StringRef spelling(DirectiveKind K) {
  switch (K) {
  case DirectiveKind::Task:
    return "task";
  case DirectiveKind::Taskwait:
    return "taskwait";
  case DirectiveKind::Taskgroup:
    return "taskgroup";
  case DirectiveKind::ParallelFor:
    return "parallel for";
  case DirectiveKind::Yield:
    return "yield";
  case DirectiveKind::CancelTaskgroup:
    return "cancel taskgroup";
  case DirectiveKind::CancellationPoint:
    return "cancellation point";
  }
  return "?";
}

llvm::StringRef spelling(Sharing S) {
  switch (S) {
  case Sharing::Shared:
    return "shared";
  case Sharing::Firstprivate:
    return "firstprivate";
  case Sharing::Private:
    return "private";
  case Sharing::Reduction:
    return "reduction";
  }
  return "?";
}

std::string ClauseExpr::text() const {
  std::string S;
  for (size_t I = 0; I < Spellings.size(); ++I)
    S += (I && LeadingSpace[I] ? " " : "") + Spellings[I];
  return S;
}

std::vector<const ClauseExpr *> Directive::markerExprs() const {
  std::vector<const ClauseExpr *> Out;
  for (const ClauseExpr *E :
       {&PriorityExpr, &If, &Final, &Timeout, &Grainsize, &NumTasks, &Handle})
    if (E->present())
      Out.push_back(E);
  return Out;
}

//===----------------------------------------------------------------------===//
// SourceScan
//===----------------------------------------------------------------------===//

SourceScan SourceScan::run(const SourceManager &SM, FileID FID,
                           const LangOptions &LO) {
  SourceScan S;
  llvm::StringRef Text = SM.getBufferData(FID);
  Lexer L(SM.getLocForStartOfFile(FID), LO, Text.begin(), Text.begin(),
          Text.end());
  L.SetCommentRetentionState(false);
  Token T;
  bool LineStartsWithHash = false;
  unsigned WordsAfterHash = 0;
  while (true) {
    L.LexFromRawLexer(T);
    if (T.is(tok::eof))
      break;
    if (T.isAtStartOfLine()) {
      LineStartsWithHash = T.is(tok::hash);
      WordsAfterHash = 0;
    }
    if (!LineStartsWithHash) {
      bool HeadEnd =
          T.is(tok::r_paren) ||
          (T.is(tok::raw_identifier) &&
           (T.getRawIdentifier() == "else" || T.getRawIdentifier() == "do"));
      S.HeadEnds.push_back({SM.getFileOffset(T.getLocation()), HeadEnd});
    }
    if (T.is(tok::l_brace) || T.is(tok::r_brace)) {
      S.Braces.push_back(
          {SM.getFileOffset(T.getLocation()), T.is(tok::l_brace) ? 1 : -1});
      continue;
    }
    if (T.isNot(tok::raw_identifier))
      continue;
    llvm::StringRef Word = T.getRawIdentifier();
    if (Word == "_Pragma")
      S.MayHaveDirectives = true;
    if (LineStartsWithHash) {
      ++WordsAfterHash;
      if (WordsAfterHash == 1 && Word != "pragma")
        LineStartsWithHash = false;
      else if (WordsAfterHash == 2 && Word == "ws")
        S.MayHaveDirectives = true;
    }
  }
  return S;
}

bool SourceScan::startsSubstatement(unsigned Offset) const {
  auto It =
      llvm::partition_point(HeadEnds, [&](const std::pair<unsigned, bool> &P) {
        return P.first < Offset;
      });
  return It != HeadEnds.begin() && std::prev(It)->second;
}

int SourceScan::braceDepthAt(unsigned Offset) const {
  int Depth = 0;
  for (const auto &[Off, Delta] : Braces) {
    if (Off >= Offset)
      break;
    Depth += Delta;
  }
  return Depth;
}

//===----------------------------------------------------------------------===//
// Clause parser
//===----------------------------------------------------------------------===//

namespace {

enum class ClauseId {
  Priority,
  Shared,
  Firstprivate,
  Private,
  Default,
  If,
  Final,
  Depend,
  Name,
  Timeout,
  Untied,
  Mergeable,
  Grainsize,
  NumTasks,
  Schedule,
  Reduction,
  Handle,
  Requires,
  Prefers,
  Distributed,
};

struct ClauseInfo {
  const char *Name;
  ClauseId Id;
  bool OnTask;
  bool OnFor;
  bool Repeatable;
};

const ClauseInfo Clauses[] = {
    {"priority", ClauseId::Priority, true, true, false},
    {"shared", ClauseId::Shared, true, true, true},
    {"firstprivate", ClauseId::Firstprivate, true, true, true},
    {"private", ClauseId::Private, true, true, true},
    {"default", ClauseId::Default, true, true, false},
    {"if", ClauseId::If, true, true, false},
    {"final", ClauseId::Final, true, false, false},
    {"depend", ClauseId::Depend, true, false, true},
    {"name", ClauseId::Name, true, true, false},
    {"timeout", ClauseId::Timeout, true, false, false},
    {"untied", ClauseId::Untied, true, false, false},
    {"mergeable", ClauseId::Mergeable, true, false, false},
    {"grainsize", ClauseId::Grainsize, false, true, false},
    {"num_tasks", ClauseId::NumTasks, false, true, false},
    {"schedule", ClauseId::Schedule, false, true, false},
    {"reduction", ClauseId::Reduction, false, true, true},
    {"handle", ClauseId::Handle, true, false, false},
    {"requires", ClauseId::Requires, true, false, false},
    {"prefers", ClauseId::Prefers, true, false, false},
    {"distributed", ClauseId::Distributed, true, false, false},
};

bool allowedOn(const ClauseInfo &C, DirectiveKind K) {
  if (K == DirectiveKind::Task)
    return C.OnTask;
  if (K == DirectiveKind::ParallelFor)
    return C.OnFor;
  return false;
}

/// Words that mean a tier but are not one: `priority(urgent)` is a typo, not
/// a variable named `urgent`.
llvm::StringRef tierSynonym(llvm::StringRef W) {
  return llvm::StringSwitch<llvm::StringRef>(W)
      .Cases("urgent", "highest", "max", "maximum", "realtime", "critical")
      .Cases("top", "crit", "critical")
      .Cases("medium", "default", "mid", "normal")
      .Cases("lowest", "min", "minimum", "background", "idle", "low")
      .Cases("hi", "higher", "high")
      .Default("");
}

class ClauseParser {
public:
  ClauseParser(Preprocessor &PP, Diagnostics &Diags, std::vector<Token> Toks,
               Directive &D, SourceLocation IntroLoc,
               const NameLookup &IsDeclared)
      : PP(PP), Diags(Diags), Toks(std::move(Toks)), D(D), IntroLoc(IntroLoc),
        IsDeclared(IsDeclared) {}

  bool parse() { return parseName() && parseClauses(); }

private:
  Preprocessor &PP;
  Diagnostics &Diags;
  std::vector<Token> Toks; // ends with tok::eod
  size_t Pos = 0;
  Directive &D;
  SourceLocation IntroLoc;
  const NameLookup &IsDeclared;
  llvm::StringMap<Sharing> Listed;

  const Token &peek() const { return Toks[Pos]; }
  bool atEnd() const { return peek().is(tok::eod); }
  Token next() { return atEnd() ? peek() : Toks[Pos++]; }
  SourceLocation here() const {
    return peek().getLocation().isValid() ? peek().getLocation() : IntroLoc;
  }
  std::string text(const Token &T) const {
    if (T.is(tok::eod))
      return "end of line";
    return PP.getSpelling(T);
  }
  static bool isWord(const Token &T) { return T.getIdentifierInfo(); }
  std::string word(const Token &T) const {
    return T.getIdentifierInfo()->getName().str();
  }
  bool peekWord(llvm::StringRef W) const {
    return isWord(peek()) && peek().getIdentifierInfo()->getName() == W;
  }

  bool parseName();
  bool parseClauses();
  bool parseClause(const ClauseInfo &C, const Token &NameTok);
  bool expectLParen(llvm::StringRef Clause);
  bool parseExprUntilRParen(llvm::StringRef Clause, ClauseExpr &Out);
  bool parseVarList(llvm::StringRef Clause, Sharing Kind,
                    llvm::StringRef ReductionOp = "");
  bool parseSingleWord(llvm::StringRef Clause,
                       llvm::ArrayRef<llvm::StringRef> Choices,
                       llvm::StringRef Expected, std::string &Out);
  bool parseDepend();
  bool parsePriority();
  bool parseCapList(llvm::StringRef Clause, std::string &Out);
  std::optional<bool> listEnd(llvm::StringRef Clause);
  bool parseSubscript(VarItem &Item);
  bool scanBalanced(tok::TokenKind Close, Diag Missing, llvm::StringRef What,
                    llvm::function_ref<bool(const Token &, bool Outer)> Take);
  bool elementListed(llvm::StringRef Name) const;
  bool uniqueElement(const VarItem &Item);
  bool
  checkDistributed(llvm::ArrayRef<std::pair<ClauseId, SourceLocation>> Seen);
  bool addVar(const Token &T, Sharing Kind, llvm::StringRef ReductionOp);
  static void append(ClauseExpr &E, const Token &T, const std::string &S) {
    if (E.Tokens.empty())
      E.Loc = T.getLocation();
    E.Tokens.push_back(T);
    E.Spellings.push_back(S);
    E.LeadingSpace.push_back(T.hasLeadingSpace());
  }
};

bool ClauseParser::parseName() {
  if (atEnd()) {
    Diags.report(IntroLoc, Diag::MissingDirective);
    return false;
  }
  Token T = next();
  D.NameLoc = T.getLocation();
  if (!isWord(T)) {
    Diags.report(T.getLocation(), Diag::UnknownDirective) << text(T);
    return false;
  }
  std::string W = word(T);
  auto second = [&](llvm::StringRef Expected, DirectiveKind K) {
    if (!peekWord(Expected)) {
      Diags.report(here(), Diag::ExpectedSecondWord) << W << Expected;
      return false;
    }
    next();
    D.Kind = K;
    return true;
  };
  if (W == "task")
    D.Kind = DirectiveKind::Task;
  else if (W == "taskwait")
    D.Kind = DirectiveKind::Taskwait;
  else if (W == "taskgroup")
    D.Kind = DirectiveKind::Taskgroup;
  else if (W == "yield")
    D.Kind = DirectiveKind::Yield;
  else if (W == "parallel")
    return second("for", DirectiveKind::ParallelFor);
  else if (W == "cancel")
    return second("taskgroup", DirectiveKind::CancelTaskgroup);
  else if (W == "cancellation")
    return second("point", DirectiveKind::CancellationPoint);
  else {
    static const llvm::StringRef Names[] = {
        "task",  "taskwait", "taskgroup",   "parallel",
        "yield", "cancel",   "cancellation"};
    llvm::StringRef Best = closestMatch(W, Names);
    if (Best.empty())
      Diags.report(T.getLocation(), Diag::UnknownDirective) << W;
    else
      Diags.report(T.getLocation(), Diag::UnknownDirectiveSuggest) << W << Best;
    return false;
  }
  return true;
}

bool ClauseParser::parseClauses() {
  llvm::SmallVector<std::pair<ClauseId, SourceLocation>, 8> Seen;
  while (!atEnd()) {
    if (peek().is(tok::comma)) {
      next();
      continue;
    }
    Token NameTok = next();
    if (!isWord(NameTok)) {
      Diags.report(NameTok.getLocation(), Diag::ExpectedClause)
          << spelling(D.Kind) << text(NameTok);
      return false;
    }
    std::string Name = word(NameTok);
    const ClauseInfo *Info = nullptr;
    for (const ClauseInfo &C : Clauses)
      if (Name == C.Name)
        Info = &C;
    if (!Info) {
      llvm::SmallVector<llvm::StringRef, 16> Candidates;
      for (const ClauseInfo &C : Clauses)
        if (allowedOn(C, D.Kind))
          Candidates.push_back(C.Name);
      llvm::StringRef Best = closestMatch(Name, Candidates);
      if (Best.empty())
        Diags.report(NameTok.getLocation(), Diag::UnknownClause)
            << Name << spelling(D.Kind);
      else
        Diags.report(NameTok.getLocation(), Diag::UnknownClauseSuggest)
            << Name << spelling(D.Kind) << Best;
      return false;
    }
    if (!allowedOn(*Info, D.Kind)) {
      Diags.report(NameTok.getLocation(), Diag::ClauseNotAllowed)
          << Name << spelling(D.Kind);
      return false;
    }
    if (!Info->Repeatable && llvm::any_of(Seen, [&](const auto &P) {
          return P.first == Info->Id;
        })) {
      Diags.report(NameTok.getLocation(), Diag::ClauseRepeated) << Name;
      return false;
    }
    Seen.push_back({Info->Id, NameTok.getLocation()});
    if (!parseClause(*Info, NameTok))
      return false;
  }
  return checkDistributed(Seen);
}

/// Elements `a[i]` (shared) and sections `a[lo:len]` (firstprivate) are
/// the by-value forms of a distributed task; the clauses that need the
/// spawner's memory or its runtime (a handle, dependences, placement...)
/// do not apply to a task that may run in another process.
bool ClauseParser::checkDistributed(
    llvm::ArrayRef<std::pair<ClauseId, SourceLocation>> Seen) {
  for (const VarItem &V : D.Vars) {
    if (!V.Index.present())
      continue;
    std::string Text = V.Name + "[" + V.Index.text() +
                       (V.isSection() ? ":" + V.Len.text() : "") + "]";
    if (!D.Distributed) {
      Diags.report(V.Loc, Diag::ItemNeedsDistributed)
          << Text << spelling(V.Kind);
      return false;
    }
    if (V.Kind == Sharing::Shared && V.isSection()) {
      Diags.report(V.Loc, Diag::BadArgument)
          << Text << "shared"
          << "a variable or an element 'a[i]'";
      return false;
    }
    if (V.Kind == Sharing::Firstprivate && V.isElement()) {
      Diags.report(V.Loc, Diag::BadArgument)
          << Text << "firstprivate"
          << "a variable or a section 'a[lo:len]'";
      return false;
    }
  }
  if (!D.Distributed)
    return true;
  for (const auto &[Id, Loc] : Seen) {
    bool Unsupported =
        Id == ClauseId::If || Id == ClauseId::Final || Id == ClauseId::Depend ||
        Id == ClauseId::Timeout || Id == ClauseId::Handle ||
        Id == ClauseId::Requires || Id == ClauseId::Prefers ||
        (Id == ClauseId::Default && D.Default == DefaultKind::Shared);
    if (Unsupported) {
      for (const ClauseInfo &C : Clauses)
        if (C.Id == Id)
          Diags.report(Loc, Diag::NotWithDistributed)
              << (Id == ClauseId::Default ? "default(shared)" : C.Name);
      return false;
    }
  }
  return true;
}

bool ClauseParser::expectLParen(llvm::StringRef Clause) {
  if (peek().is(tok::l_paren)) {
    next();
    return true;
  }
  Diags.report(here(), Diag::ExpectedLParen) << Clause;
  return false;
}

/// Reads the tokens after an opening bracket up to the `Close` (`)` or `]`)
/// that balances it, and hands each token inside to Take, with whether it
/// stands outside any nested bracket (Outer); Take returns false to stop
/// there.  End of line, or a closing bracket of another kind at the outer
/// level, is `Missing` << What.
bool ClauseParser::scanBalanced(
    tok::TokenKind Close, Diag Missing, llvm::StringRef What,
    llvm::function_ref<bool(const Token &, bool Outer)> Take) {
  int Depth = 0;
  while (true) {
    if (atEnd()) {
      Diags.report(here(), Missing) << What;
      return false;
    }
    Token T = next();
    if (T.isOneOf(tok::l_paren, tok::l_square, tok::l_brace))
      ++Depth;
    else if (T.isOneOf(tok::r_paren, tok::r_square, tok::r_brace)) {
      if (Depth == 0) {
        if (T.is(Close))
          return true;
        Diags.report(T.getLocation(), Missing) << What;
        return false;
      }
      --Depth;
    }
    if (!Take(T, Depth == 0))
      return true;
  }
}

bool ClauseParser::parseExprUntilRParen(llvm::StringRef Clause,
                                        ClauseExpr &Out) {
  if (!expectLParen(Clause) || !scanBalanced(tok::r_paren, Diag::ExpectedRParen,
                                             Clause, [&](const Token &T, bool) {
                                               append(Out, T,
                                                      PP.getSpelling(T));
                                               return true;
                                             }))
    return false;
  if (!Out.present()) {
    Diags.report(here(), Diag::ExpectedExpression) << Clause;
    return false;
  }
  return true;
}

bool ClauseParser::addVar(const Token &T, Sharing Kind,
                          llvm::StringRef ReductionOp) {
  std::string Name = word(T);
  auto It = Listed.find(Name);
  // Several elements of one array may be results (`shared(a[i], a[j])`):
  // the next is checked once its index is read (parseVarList).
  bool MoreElements = It != Listed.end() && It->second == Kind &&
                      Kind == Sharing::Shared && peek().is(tok::l_square) &&
                      elementListed(Name);
  if (It != Listed.end() && !MoreElements) {
    if (It->second == Kind)
      Diags.report(T.getLocation(), Diag::VarListedTwice)
          << Name << spelling(Kind);
    else
      Diags.report(T.getLocation(), Diag::VarInTwoClauses)
          << Name << spelling(It->second) << spelling(Kind);
    return false;
  }
  Listed[Name] = Kind;
  VarItem Item;
  Item.Name = Name;
  Item.Loc = T.getLocation();
  Item.Kind = Kind;
  Item.ReductionOp = ReductionOp.str();
  D.Vars.push_back(std::move(Item));
  return true;
}

/// After an item of a list: `,` goes on (nullopt), `)` ends it (true),
/// anything else is an error (false).
std::optional<bool> ClauseParser::listEnd(llvm::StringRef Clause) {
  if (peek().is(tok::comma)) {
    next();
    return std::nullopt;
  }
  if (peek().is(tok::r_paren)) {
    next();
    return true;
  }
  if (atEnd())
    Diags.report(here(), Diag::ExpectedRParen) << Clause;
  else
    Diags.report(here(), Diag::ExpectedCommaOrRParen) << Clause << text(peek());
  return false;
}

bool ClauseParser::parseVarList(llvm::StringRef Clause, Sharing Kind,
                                llvm::StringRef ReductionOp) {
  while (true) {
    Token T = peek();
    if (T.isNot(tok::identifier)) {
      if (atEnd())
        Diags.report(here(), Diag::ExpectedRParen) << Clause;
      else
        Diags.report(T.getLocation(), Diag::ExpectedVariable) << Clause;
      return false;
    }
    next();
    if (!addVar(T, Kind, ReductionOp))
      return false;
    if (peek().is(tok::l_square) &&
        (Kind == Sharing::Shared || Kind == Sharing::Firstprivate) &&
        !parseSubscript(D.Vars.back()))
      return false;
    if (!uniqueElement(D.Vars.back()))
      return false;
    if (std::optional<bool> End = listEnd(Clause))
      return *End;
  }
}

/// Whether Name is listed already as an element `Name[i]`.
bool ClauseParser::elementListed(llvm::StringRef Name) const {
  for (const VarItem &V : D.Vars)
    if (V.Name == Name && V.isElement())
      return true;
  return false;
}

/// A second item of the same array must be another element: not the array
/// itself nor a section, and not an index spelled as before (`a[i], a[i]`).
bool ClauseParser::uniqueElement(const VarItem &Item) {
  auto Key = [](const VarItem &V) {
    std::string K;
    for (const std::string &Tok : V.Index.Spellings)
      K += Tok + " ";
    return K;
  };
  for (const VarItem &V : D.Vars) {
    if (&V == &Item || V.Name != Item.Name)
      continue;
    if (!Item.isElement() || Key(V) == Key(Item)) {
      Diags.report(Item.Loc, Diag::VarListedTwice)
          << Item.Name << spelling(Item.Kind);
      return false;
    }
  }
  return true;
}

/// `[index]` or `[lo:len]` after a listed name (checked against the
/// directive by checkDistributed once every clause is read).
bool ClauseParser::parseSubscript(VarItem &Item) {
  SourceLocation Open = peek().getLocation();
  next();
  ClauseExpr *Out = &Item.Index;
  auto Take = [&](const Token &T, bool Outer) {
    if (Outer && T.is(tok::colon) && Out == &Item.Index) {
      if (!Item.Index.present())
        return false; // reported below
      Out = &Item.Len;
      return true;
    }
    append(*Out, T, PP.getSpelling(T));
    return true;
  };
  if (!scanBalanced(tok::r_square, Diag::ExpectedRSquare, spelling(Item.Kind),
                    Take))
    return false;
  if (!Item.Index.present() || (Out == &Item.Len && !Item.Len.present())) {
    Diags.report(Open, Diag::ExpectedExpression) << spelling(Item.Kind);
    return false;
  }
  return true;
}

bool ClauseParser::parseSingleWord(llvm::StringRef Clause,
                                   llvm::ArrayRef<llvm::StringRef> Choices,
                                   llvm::StringRef Expected, std::string &Out) {
  if (!expectLParen(Clause))
    return false;
  Token T = peek();
  if (atEnd()) {
    Diags.report(here(), Diag::ExpectedRParen) << Clause;
    return false;
  }
  std::string W = isWord(T) ? word(T) : text(T);
  if (!isWord(T) || !llvm::is_contained(Choices, W)) {
    llvm::StringRef Best = isWord(T) ? closestMatch(W, Choices) : "";
    if (Best.empty())
      Diags.report(T.getLocation(), Diag::BadArgument)
          << W << Clause << Expected;
    else
      Diags.report(T.getLocation(), Diag::BadArgumentSuggest)
          << W << Clause << Best;
    return false;
  }
  next();
  if (peek().isNot(tok::r_paren)) {
    Diags.report(here(), Diag::ExpectedRParen) << Clause;
    return false;
  }
  next();
  Out = W;
  return true;
}

bool ClauseParser::parsePriority() {
  // priority(tier-name) or priority(expr).
  if (Pos + 2 < Toks.size() && peek().is(tok::l_paren) &&
      Toks[Pos + 1].is(tok::identifier) && Toks[Pos + 2].is(tok::r_paren)) {
    std::string W = word(Toks[Pos + 1]);
    std::vector<llvm::StringRef> Tiers;
    for (const TierName &T : TierNames) {
      if (W == T.Word) {
        Pos += 3;
        D.Tier = int(Tiers.size());
        return true;
      }
      Tiers.push_back(T.Word);
    }
    // A name in scope (a variable, an enumerator, a macro...) is an
    // expression: only an unknown word is taken for a misspelt tier.
    const Token &Word = Toks[Pos + 1];
    if (PP.isMacroDefined(Word.getIdentifierInfo()) ||
        (IsDeclared && IsDeclared(Word.getIdentifierInfo())))
      return parseExprUntilRParen("priority", D.PriorityExpr);
    llvm::StringRef Best = tierSynonym(W);
    if (Best.empty() && W.size() >= 3)
      Best = closestMatch(W, Tiers);
    if (!Best.empty()) {
      Diags.report(Toks[Pos + 1].getLocation(), Diag::BadArgumentSuggest)
          << W << "priority" << Best;
      return false;
    }
  }
  return parseExprUntilRParen("priority", D.PriorityExpr);
}

/// requires(a, b) / prefers(a): capability names (WS_CAPS, ws_caps_define),
/// kept as "a,b" for ws_caps_named.  Names are looked up at the spawn, so a
/// name defined only at run time is no error here.
bool ClauseParser::parseCapList(llvm::StringRef Clause, std::string &Out) {
  if (!expectLParen(Clause))
    return false;
  while (true) {
    if (atEnd()) {
      Diags.report(here(), Diag::ExpectedRParen) << Clause;
      return false;
    }
    Token T = peek();
    if (!isWord(T)) {
      Diags.report(T.getLocation(), Diag::BadArgument)
          << text(T) << Clause << "a capability name (WS_CAPS)";
      return false;
    }
    next();
    Out += (Out.empty() ? "" : ",") + word(T);
    if (std::optional<bool> End = listEnd(Clause))
      return *End;
  }
}

bool ClauseParser::parseDepend() {
  static const llvm::StringRef Kinds[] = {"in", "out", "inout"};
  if (!expectLParen("depend"))
    return false;
  Token K = peek();
  std::string W = isWord(K) ? word(K) : text(K);
  int Kind = W == "in" ? 1 : W == "out" ? 2 : W == "inout" ? 3 : 0;
  if (Kind == 0) {
    llvm::StringRef Best = isWord(K) ? closestMatch(W, Kinds) : "";
    if (Best.empty())
      Diags.report(here(), Diag::BadArgument) << W << "depend"
                                              << "'in', 'out' or 'inout'";
    else
      Diags.report(here(), Diag::BadArgumentSuggest) << W << "depend" << Best;
    return false;
  }
  next();
  if (peek().isNot(tok::colon)) {
    Diags.report(here(), Diag::ExpectedColon) << W << "depend";
    return false;
  }
  next();
  while (true) {
    DependItem Item;
    Item.Kind = Kind;
    std::vector<Token> ItemToks;
    int Depth = 0;
    while (true) {
      if (atEnd()) {
        Diags.report(here(), Diag::ExpectedRParen) << "depend";
        return false;
      }
      const Token &T = peek();
      if (Depth == 0 && T.isOneOf(tok::comma, tok::r_paren))
        break;
      if (T.isOneOf(tok::l_paren, tok::l_square, tok::l_brace))
        ++Depth;
      else if (T.isOneOf(tok::r_paren, tok::r_square, tok::r_brace))
        --Depth;
      ItemToks.push_back(next());
    }
    if (ItemToks.empty()) {
      Diags.report(here(), Diag::ExpectedExpression) << "depend";
      return false;
    }
    // a[lo:len]: the last bracket group holds a ':' at its own level.
    size_t Open = ItemToks.size(), Colon = 0;
    if (ItemToks.back().is(tok::r_square)) {
      int BD = 0;
      for (size_t I = ItemToks.size(); I-- > 0;) {
        if (ItemToks[I].isOneOf(tok::r_square, tok::r_paren))
          ++BD;
        else if (ItemToks[I].isOneOf(tok::l_square, tok::l_paren) &&
                 --BD == 0) {
          Open = I;
          break;
        } else if (BD == 1 && ItemToks[I].is(tok::colon))
          Colon = I;
      }
    }
    if (Open < ItemToks.size() && Colon > Open) {
      Item.IsSection = true;
      for (size_t I = 0; I < Open; ++I)
        append(Item.Base, ItemToks[I], PP.getSpelling(ItemToks[I]));
      for (size_t I = Open + 1; I < Colon; ++I)
        append(Item.Lo, ItemToks[I], PP.getSpelling(ItemToks[I]));
      for (size_t I = Colon + 1; I + 1 < ItemToks.size(); ++I)
        append(Item.Len, ItemToks[I], PP.getSpelling(ItemToks[I]));
      if (!Item.Base.present() || !Item.Lo.present() || !Item.Len.present()) {
        Diags.report(ItemToks[Open].getLocation(), Diag::ExpectedExpression)
            << "depend";
        return false;
      }
    } else {
      for (const Token &T : ItemToks)
        append(Item.Base, T, PP.getSpelling(T));
    }
    D.Depends.push_back(std::move(Item));
    if (next().is(tok::r_paren))
      return true;
  }
}

bool ClauseParser::parseClause(const ClauseInfo &C, const Token &NameTok) {
  switch (C.Id) {
  case ClauseId::Priority:
    return parsePriority();
  case ClauseId::Shared:
    return expectLParen(C.Name) && parseVarList(C.Name, Sharing::Shared);
  case ClauseId::Firstprivate:
    return expectLParen(C.Name) && parseVarList(C.Name, Sharing::Firstprivate);
  case ClauseId::Private:
    return expectLParen(C.Name) && parseVarList(C.Name, Sharing::Private);
  case ClauseId::Default: {
    static const llvm::StringRef Choices[] = {"firstprivate", "shared", "none"};
    std::string W;
    if (!parseSingleWord("default", Choices,
                         "'firstprivate', 'shared' or 'none'", W))
      return false;
    D.Default = W == "shared" ? DefaultKind::Shared
                : W == "none" ? DefaultKind::None
                              : DefaultKind::Firstprivate;
    return true;
  }
  case ClauseId::If:
    return parseExprUntilRParen("if", D.If);
  case ClauseId::Final:
    return parseExprUntilRParen("final", D.Final);
  case ClauseId::Timeout:
    return parseExprUntilRParen("timeout", D.Timeout);
  case ClauseId::Grainsize:
    return parseExprUntilRParen("grainsize", D.Grainsize);
  case ClauseId::NumTasks:
    return parseExprUntilRParen("num_tasks", D.NumTasks);
  case ClauseId::Depend:
    return parseDepend();
  case ClauseId::Handle:
    return parseExprUntilRParen("handle", D.Handle);
  case ClauseId::Requires:
    return parseCapList("requires", D.Requires);
  case ClauseId::Prefers:
    return parseCapList("prefers", D.Prefers);
  case ClauseId::Name: {
    if (!expectLParen("name"))
      return false;
    if (peek().isNot(tok::string_literal)) {
      Diags.report(here(), Diag::ExpectedStringLiteral) << "name";
      return false;
    }
    D.Label = PP.getSpelling(next());
    if (peek().isNot(tok::r_paren)) {
      Diags.report(here(), Diag::ExpectedRParen) << "name";
      return false;
    }
    next();
    return true;
  }
  case ClauseId::Untied:
  case ClauseId::Mergeable:
  case ClauseId::Distributed:
    if (peek().is(tok::l_paren)) {
      Diags.report(here(), Diag::ClauseTakesNoArguments) << C.Name;
      return false;
    }
    if (C.Id == ClauseId::Distributed) {
      D.Distributed = true;
      D.DistributedLoc = NameTok.getLocation();
    } else {
      (C.Id == ClauseId::Untied ? D.Untied : D.Mergeable) = true;
    }
    return true;
  case ClauseId::Schedule: {
    static const llvm::StringRef Choices[] = {"static", "dynamic", "auto"};
    std::string W;
    if (!parseSingleWord("schedule", Choices, "'static', 'dynamic' or 'auto'",
                         W))
      return false;
    D.Schedule = W == "static"    ? ScheduleKind::Static
                 : W == "dynamic" ? ScheduleKind::Dynamic
                                  : ScheduleKind::Auto;
    return true;
  }
  case ClauseId::Reduction: {
    if (!expectLParen("reduction"))
      return false;
    Token Op = peek();
    std::string OpText = atEnd() ? "" : text(Op);
    static const llvm::StringRef Ops[] = {"+", "*",  "-",  "&",   "|",
                                          "^", "&&", "||", "min", "max"};
    if (!llvm::is_contained(Ops, OpText)) {
      Diags.report(here(), Diag::BadArgument)
          << (OpText.empty() ? "end of line" : OpText) << "reduction"
          << "one of + * - & | ^ && || min max";
      return false;
    }
    next();
    if (peek().isNot(tok::colon)) {
      Diags.report(here(), Diag::ExpectedColon) << OpText << "reduction";
      return false;
    }
    next();
    return parseVarList("reduction", Sharing::Reduction, OpText);
  }
  }
  (void)NameTok;
  return false;
}

/// Finds the text the rewrite must remove for this directive.
bool locateText(Preprocessor &PP, PragmaIntroducer Intro, SourceLocation Eod,
                Directive &D) {
  SourceManager &SM = PP.getSourceManager();
  const LangOptions &LO = PP.getLangOpts();
  FileID Main = SM.getMainFileID();
  SourceLocation Begin, End;
  if (Intro.Kind == PIK_HashPragma) {
    Begin = Intro.Loc;
    End = Eod;
  } else if (Intro.Loc.isMacroID()) {
    CharSourceRange R = SM.getExpansionRange(Intro.Loc);
    Begin = R.getBegin();
    End = R.isTokenRange() ? Lexer::getLocForEndOfToken(R.getEnd(), 0, SM, LO)
                           : R.getEnd();
    D.FromMacro = true;
  } else {
    // _Pragma ( "..." ) written in the file: find its closing parenthesis.
    Begin = Intro.Loc;
    SourceLocation L = Intro.Loc;
    for (int I = 0; I < 64; ++I) {
      std::optional<Token> T = Lexer::findNextToken(L, SM, LO);
      if (!T)
        return false;
      L = T->getLocation();
      if (T->is(tok::r_paren)) {
        End = T->getEndLoc();
        break;
      }
    }
  }
  if (Begin.isInvalid() || End.isInvalid() || !Begin.isFileID() ||
      !End.isFileID())
    return false;
  auto [BF, BO] = SM.getDecomposedLoc(Begin);
  auto [EF, EO] = SM.getDecomposedLoc(End);
  if (BF != Main || EF != Main || EO < BO)
    return false;
  D.TextBegin = BO;
  D.TextEnd = EO;
  return true;
}

Token makeToken(tok::TokenKind K, SourceLocation Loc) {
  Token T;
  T.startToken();
  T.setKind(K);
  T.setLocation(Loc);
  T.setLength(0);
  return T;
}

Token makeIdentifier(Preprocessor &PP, llvm::StringRef Name,
                     SourceLocation Loc) {
  Token T = makeToken(tok::identifier, Loc);
  T.setIdentifierInfo(PP.getIdentifierInfo(Name));
  T.setLength(Name.size());
  return T;
}

/// __ws_marker(ID, &(v1), ..., (e1), ...);
/// or, for a directive that is the body of if/else/while/for/do,
/// for (__ws_marker(...); 0;)
/// so that the statement after the directive stays that body.
unsigned injectMarker(Preprocessor &PP, const Directive &D,
                      bool AsSubstatement) {
  SourceLocation L = D.NameLoc.isValid() ? D.NameLoc : D.Loc;
  std::vector<Token> Out;
  if (AsSubstatement) {
    Out.push_back(makeToken(tok::kw_for, L));
    Out.back().setIdentifierInfo(PP.getIdentifierInfo("for"));
    Out.push_back(makeToken(tok::l_paren, L));
  }
  Out.push_back(makeIdentifier(PP, MarkerName, L));
  Out.push_back(makeToken(tok::l_paren, L));
  Token Num = makeToken(tok::numeric_constant, L);
  PP.CreateString(std::to_string(D.ID), Num, L, L);
  Out.push_back(Num);
  auto AppendExpr = [&](const ClauseExpr &E) {
    Out.push_back(makeToken(tok::l_paren, E.Loc));
    for (Token T : E.Tokens) {
      T.clearFlag(Token::StartOfLine);
      Out.push_back(T);
    }
    Out.push_back(makeToken(tok::r_paren, E.Loc));
  };
  // &(x); an element &(a)[(i)]; a section &(a)[(lo)] + 0 * (len) (one
  // argument per item, so that clause expressions keep their places).
  for (const VarItem &V : D.Vars) {
    Out.push_back(makeToken(tok::comma, V.Loc));
    Out.push_back(makeToken(tok::amp, V.Loc));
    Out.push_back(makeToken(tok::l_paren, V.Loc));
    Out.push_back(makeIdentifier(PP, V.Name, V.Loc));
    Out.push_back(makeToken(tok::r_paren, V.Loc));
    if (!V.Index.present())
      continue;
    Out.push_back(makeToken(tok::l_square, V.Index.Loc));
    AppendExpr(V.Index);
    Out.push_back(makeToken(tok::r_square, V.Index.Loc));
    if (!V.Len.present())
      continue;
    Out.push_back(makeToken(tok::plus, V.Len.Loc));
    Token Zero = makeToken(tok::numeric_constant, V.Len.Loc);
    PP.CreateString("0", Zero, V.Len.Loc, V.Len.Loc);
    Out.push_back(Zero);
    Out.push_back(makeToken(tok::star, V.Len.Loc));
    AppendExpr(V.Len);
  }
  for (const ClauseExpr *E : D.markerExprs()) {
    Out.push_back(makeToken(tok::comma, E->Loc));
    Out.push_back(makeToken(tok::l_paren, E->Loc));
    for (Token T : E->Tokens) {
      T.clearFlag(Token::StartOfLine);
      Out.push_back(T);
    }
    Out.push_back(makeToken(tok::r_paren, E->Loc));
  }
  // depend items: &(base) or, for a section, &(base)[lo] and (len).
  auto Append = [&](const ClauseExpr &E) {
    for (Token T : E.Tokens) {
      T.clearFlag(Token::StartOfLine);
      Out.push_back(T);
    }
  };
  for (const DependItem &Dep : D.Depends) {
    SourceLocation DL = Dep.Base.Loc;
    Out.push_back(makeToken(tok::comma, DL));
    Out.push_back(makeToken(tok::amp, DL));
    Out.push_back(makeToken(tok::l_paren, DL));
    Append(Dep.Base);
    Out.push_back(makeToken(tok::r_paren, DL));
    if (Dep.IsSection) {
      Out.push_back(makeToken(tok::l_square, DL));
      Append(Dep.Lo);
      Out.push_back(makeToken(tok::r_square, DL));
      Out.push_back(makeToken(tok::comma, DL));
      Out.push_back(makeToken(tok::l_paren, DL));
      Append(Dep.Len);
      Out.push_back(makeToken(tok::r_paren, DL));
    }
  }
  Out.push_back(makeToken(tok::r_paren, L));
  Out.push_back(makeToken(tok::semi, L));
  if (AsSubstatement) {
    Token Zero = makeToken(tok::numeric_constant, L);
    PP.CreateString("0", Zero, L, L);
    Out.push_back(Zero);
    Out.push_back(makeToken(tok::semi, L));
    Out.push_back(makeToken(tok::r_paren, L));
  }
  // The preprocessor keeps reading the tokens after we return: give it its
  // own copy.
  auto Owned = std::make_unique<Token[]>(Out.size());
  std::copy(Out.begin(), Out.end(), Owned.get());
  PP.EnterTokenStream(std::move(Owned), Out.size(),
                      /*DisableMacroExpansion=*/false, /*IsReinject=*/false);
  return Out.size();
}

std::vector<Token> lexRestOfDirective(Preprocessor &PP) {
  std::vector<Token> Toks;
  Token T;
  do {
    PP.LexUnexpandedToken(T);
    if (T.is(tok::eof))
      T.setKind(tok::eod);
    Toks.push_back(T);
  } while (T.isNot(tok::eod));
  return Toks;
}

} // namespace

//===----------------------------------------------------------------------===//
// Pragma handlers
//===----------------------------------------------------------------------===//

WsPragmaHandler::WsPragmaHandler(DirectiveTable &Table, Diagnostics &Diags,
                                 NameLookup IsDeclared)
    : PragmaHandler("ws"), Table(Table), Diags(Diags),
      IsDeclared(std::move(IsDeclared)) {}

void WsPragmaHandler::HandlePragma(Preprocessor &PP, PragmaIntroducer Intro,
                                   Token &FirstToken) {
  (void)FirstToken;
  std::vector<Token> Toks = lexRestOfDirective(PP);
  SourceLocation Eod = Toks.back().getLocation();
  Directive &D = Table.add();
  D.Loc = Intro.Loc;
  if (PP.getLangOpts().CPlusPlus || PP.getLangOpts().ObjC) {
    Diags.report(Intro.Loc, Diag::DirectiveNotInC);
    return;
  }
  if (!locateText(PP, Intro, Eod, D)) {
    Diags.report(Intro.Loc, Diag::DirectiveNotRewritten);
    return;
  }
  // `ws` and the directive's tokens, for spelling it as _Pragma("...").
  D.PragmaText = "ws";
  for (const Token &T : Toks) {
    if (T.is(tok::eod))
      continue;
    D.PragmaText += ' ';
    for (char C : PP.getSpelling(T)) {
      if (C == '\\' || C == '"')
        D.PragmaText += '\\';
      D.PragmaText += C;
    }
  }
  ClauseParser P(PP, Diags, std::move(Toks), D, Intro.Loc, IsDeclared);
  if (!P.parse()) {
    if (D.FromMacro)
      Table.macros().directive(D.TextBegin, D.ID, 0);
    return;
  }
  SourceManager &SM = PP.getSourceManager();
  if (!Scan)
    Scan = SourceScan::run(SM, SM.getMainFileID(), PP.getLangOpts());
  if (Scan->braceDepthAt(D.TextBegin) <= 0) {
    Diags.report(Intro.Loc, Diag::DirectiveOutsideFunction) << spelling(D.Kind);
    return;
  }
  D.Valid = true;
  bool HasBody = D.Kind == DirectiveKind::Task ||
                 D.Kind == DirectiveKind::Taskgroup ||
                 D.Kind == DirectiveKind::ParallelFor;
  unsigned MarkerTokens =
      injectMarker(PP, D, HasBody && Scan->startsSubstatement(D.TextBegin));
  D.HasMarker = true;
  if (D.FromMacro)
    Table.macros().directive(D.TextBegin, D.ID, MarkerTokens);
}

UnrewrittenPragmaHandler::UnrewrittenPragmaHandler() : PragmaHandler("ws") {}

void UnrewrittenPragmaHandler::HandlePragma(Preprocessor &PP,
                                            PragmaIntroducer Intro,
                                            Token &FirstToken) {
  (void)FirstToken;
  lexRestOfDirective(PP);
  Diagnostics Diags(PP.getDiagnostics());
  Diags.report(Intro.Loc, Diag::DirectiveNotRewritten);
}

} // namespace ws
