//===- RewriteAction.cpp - The rewrite action of plugin and tool ---------===//
#include "RewriteAction.h"
#include "Diagnostics.h"
#include "Directive.h"
#include "Outliner.h"
#include "Regions.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Lex/MacroInfo.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Rewrite/Core/Rewriter.h"
#include "clang/Sema/Lookup.h"
#include "clang/Sema/Sema.h"
#include "llvm/Support/MemoryBuffer.h"

#include <map>
#include <set>
#include <tuple>

using namespace clang;

namespace ws {

/// The per-file state: the directives the handler saw and the diagnostics
/// reporter.
struct RewriteState {
  explicit RewriteState(DiagnosticsEngine &Engine) : Diags(Engine) {}
  DirectiveTable Table;
  Diagnostics Diags;
  /// Introducers of every pragma that came from a macro of the main file.
  std::vector<SourceLocation> MacroPragmas;
};

namespace {

/// Records the pragmas produced by macros (ws ones are told apart later)
/// and the inactive branches of conditionals.
class PragmaWatcher : public PPCallbacks {
public:
  PragmaWatcher(SourceManager &SM, std::shared_ptr<RewriteState> State)
      : SM(SM), State(std::move(State)) {}
  void PragmaDirective(SourceLocation Loc, PragmaIntroducerKind) override {
    if (Loc.isMacroID() && SM.isInMainFile(SM.getExpansionLoc(Loc)))
      State->MacroPragmas.push_back(Loc);
  }
  /// Inactive conditional branches: a directive may stand before one.
  void SourceRangeSkipped(SourceRange Range, SourceLocation EndifLoc) override {
    (void)EndifLoc;
    if (!SM.isInMainFile(Range.getBegin()) || !SM.isInMainFile(Range.getEnd()))
      return;
    State->Table.skippedRanges().push_back(
        {SM.getFileOffset(Range.getBegin()), SM.getFileOffset(Range.getEnd())});
  }

private:
  SourceManager &SM;
  std::shared_ptr<RewriteState> State;
};

/// Forwards the diagnostics of a nested parse to another engine's client,
/// except Clang's own warnings (and their notes): the first parse reported
/// them on the same code.  The plugin's warnings pass (ws-lost-write comes
/// only from the parse whose rewrite is used).
class ForwardErrors : public DiagnosticConsumer {
public:
  explicit ForwardErrors(DiagnosticsEngine &To) : To(To) {}
  void HandleDiagnostic(DiagnosticsEngine::Level Level,
                        const Diagnostic &Info) override {
    bool Builtin = Info.getID() < diag::DIAG_UPPER_LIMIT;
    if ((Level == DiagnosticsEngine::Warning ||
         Level == DiagnosticsEngine::Remark) &&
        Builtin) {
      Dropping = true;
      return;
    }
    if (Level == DiagnosticsEngine::Note && Dropping)
      return;
    Dropping = false;
    DiagnosticConsumer::HandleDiagnostic(Level, Info);
    To.getClient()->HandleDiagnostic(Level, Info);
  }

private:
  DiagnosticsEngine &To;
  bool Dropping = false;
};

/// The macro invocations (by offset) that spelling out would change, and
/// why: a name marked not to expand again, or a pragma other than ws.
std::map<unsigned, std::string> unspellable(RewriteState &State,
                                            const SourceManager &SM) {
  std::map<unsigned, std::string> Why;
  for (const MacroLog::Piece &P : State.Table.macros().pieces())
    if (P.Unspellable)
      Why[P.Invocation] = "a name in it must not expand again";
  for (SourceLocation L : State.MacroPragmas) {
    bool IsWs = false;
    for (Directive &D : State.Table.all())
      IsWs |= D.Loc == L;
    if (!IsWs)
      Why[SM.getFileOffset(SM.getExpansionLoc(L))] =
          "it also expands to another pragma";
  }
  return Why;
}

/// The offsets of the macro invocations that produced a ws directive and
/// other code (their first token), each with why it cannot be spelled out
/// exactly ("" if it can).
std::map<unsigned, std::string> invocationsWithCode(RewriteState &State,
                                                    const SourceManager &SM) {
  std::map<unsigned, bool> HasDirective, HasCode;
  for (const MacroLog::Piece &P : State.Table.macros().pieces()) {
    if (P.Directive >= 0)
      HasDirective[P.Invocation] = true;
    else if (!P.Text.empty())
      HasCode[P.Invocation] = true;
  }
  std::map<unsigned, std::string> Why = unspellable(State, SM);
  std::map<unsigned, std::string> Out;
  for (const auto &[Inv, Yes] : HasDirective)
    if (Yes && HasCode.count(Inv))
      Out[Inv] = Why.count(Inv) ? Why[Inv] : "";
  return Out;
}

/// The main file's text with each invocation in Invs replaced by what it
/// expanded to, its ws directives as `_Pragma("ws ...")`, on the
/// invocation's first line (the newlines it spanned follow).
std::string expandInvocations(RewriteState &State, const SourceText &Src,
                              const std::map<unsigned, unsigned> &Ends,
                              const std::vector<SpellOut::Wrap> &Wraps = {}) {
  std::map<unsigned, std::string> Expanded;
  for (const MacroLog::Piece &P : State.Table.macros().pieces()) {
    if (!Ends.count(P.Invocation))
      continue;
    std::string &E = Expanded[P.Invocation];
    if (P.Directive >= 0)
      E += " _Pragma(\"" + State.Table.get(P.Directive)->PragmaText + "\")";
    else if (!P.Text.empty())
      E += " " + P.Text;
  }
  // Edits as (begin, end, text), applied from the last: each keeps the
  // lines it replaces.
  std::vector<std::tuple<unsigned, unsigned, std::string>> Edits;
  for (const auto &[Begin, E] : Expanded)
    Edits.emplace_back(Begin, Ends.at(Begin), E);
  for (const SpellOut::Wrap &W : Wraps) {
    Edits.emplace_back(W.Begin, W.End,
                       "_Pragma(\"" + State.Table.get(W.Directive)->PragmaText +
                           "\") {");
    Edits.emplace_back(W.Close, W.Close, " }");
  }
  llvm::sort(Edits, [](const auto &A, const auto &B) {
    return std::get<0>(A) > std::get<0>(B) ||
           (std::get<0>(A) == std::get<0>(B) &&
            std::get<1>(A) > std::get<1>(B));
  });
  std::string Text = Src.text().str();
  for (const auto &[Begin, End, New] : Edits) {
    size_t Lines = llvm::StringRef(Text).slice(Begin, End).count('\n');
    Text.replace(Begin, End - Begin, New + std::string(Lines, '\n'));
  }
  return Text;
}

/// Parses Text as the main file again (RewriteAction at depth 1) in a
/// nested CompilerInstance sharing CI's files; its errors go to CI's
/// client, its warnings were reported by the first parse.  False if the
/// parse could not be set up (Done not called).
bool reparse(CompilerInstance &CI, const std::string &Text,
             const RewriteResult &Done, unsigned Depth) {
  bool Ok = false;
  std::string Out, Name;
  std::optional<bool> Clean = rewriteNested(
      CI,
      [&](bool Success, const std::string &T, llvm::StringRef N) {
        Ok = Success;
        Out = T;
        Name = N.str();
      },
      Depth, std::make_unique<ForwardErrors>(CI.getDiagnostics()), &Text);
  if (!Clean)
    return false;
  Ok &= *Clean;
  Done(Ok, Ok ? Out : "", Name);
  return true;
}

class RewriteConsumer : public ASTConsumer {
public:
  RewriteConsumer(CompilerInstance &CI, std::shared_ptr<RewriteState> State,
                  RewriteResult Done, unsigned Depth)
      : CI(CI), State(std::move(State)), Done(std::move(Done)), Depth(Depth) {}

  void HandleTranslationUnit(ASTContext &Ctx) override {
    SourceManager &SM = Ctx.getSourceManager();
    SourceText Src(SM, Ctx.getLangOpts());
    // After errors in the code itself the AST may be incomplete: stop.  After
    // errors in directives only, still check the rest, so that one run
    // reports every directive error.
    if (CI.getDiagnostics().getNumErrors() > State->Diags.ownErrors()) {
      Done(false, "", Src.baseName());
      return;
    }
    // Macro invocations spelled out as their tokens, and the text analysed
    // again (at most twice: each round spells out what the previous one
    // found), so that the rewrite sees them as code:
    //  - a directive from a macro whose expansion also holds code
    //    (`SPAWN(a++;)` with `#define SPAWN(s) _Pragma("ws task") s`);
    //  - a variable captured by address used in a macro body, a `return`
    //    from a macro body, a parallel for header from a macro (requested
    //    by the Outliner through SpellOut).
    // Where that cannot be done exactly, an error (never a program that
    // differs from the serial one).
    bool CanSpell = Depth < 2;
    std::map<unsigned, std::string> Why = unspellable(*State, SM);
    SpellOut &Spell = State->Table.spellOut();
    Spell.Allowed = CanSpell;
    for (const auto &[Inv, Reason] : Why)
      Spell.Unspellable.push_back(Inv);
    std::map<unsigned, std::string> Invs = invocationsWithCode(*State, SM);
    std::map<unsigned, unsigned> Ends;
    for (const Directive &D : State->Table.all())
      if (D.FromMacro && Invs.count(D.TextBegin) && Invs[D.TextBegin].empty() &&
          CanSpell)
        Ends[D.TextBegin] = D.TextEnd;
    // After errors in directives, the file is not analysed again (they
    // would be reported twice); the rest is still checked.
    bool EarlierErrors = CI.getDiagnostics().hasErrorOccurred();
    if (!Ends.empty() && !EarlierErrors &&
        reparse(CI, expandInvocations(*State, Src, Ends), Done, Depth + 1))
      return;
    for (Directive &D : State->Table.all()) {
      auto It = Invs.find(D.TextBegin);
      if (!D.FromMacro || It == Invs.end())
        continue;
      D.Valid = false;
      if (EarlierErrors && Ends.count(D.TextBegin))
        continue; // it could be rewritten: no error of its own
      llvm::StringRef Macro = Src.macroNameAt(D.TextBegin);
      State->Diags.report(D.Loc, Diag::MacroDirectiveWithCode)
          << Macro
          << (It->second.empty() ? "the input is not a file" : It->second);
      D.Valid = false;
    }
    Rewriter RW(SM, Ctx.getLangOpts());
    // Preprocessed input (-save-temps) has ws.h's declarations, not its
    // macros.
    bool HaveMacros =
        !CI.getFrontendOpts().Inputs.empty() &&
        !CI.getFrontendOpts().Inputs.front().getKind().isPreprocessed();
    Outliner O(Ctx, RW, State->Diags, State->Table, Src, HaveMacros);
    bool Ran = O.run();
    if (!Spell.Requests.empty() || !Spell.Wraps.empty()) {
      // After other errors, these are no errors of their own.
      if (CI.getDiagnostics().hasErrorOccurred()) {
        Done(false, "", Src.baseName());
        return;
      }
      for (const SpellOut::Request &R : Spell.Requests)
        Ends[R.Begin] = R.End;
      if (reparse(CI, expandInvocations(*State, Src, Ends, Spell.Wraps), Done,
                  Depth + 1))
        return;
      for (const SpellOut::Wrap &W : Spell.Wraps)
        State->Diags.report(State->Table.get(W.Directive)->Loc,
                            Diag::FollowedByDirective)
            << spelling(State->Table.get(W.Directive)->Kind);
      for (const SpellOut::Request &R : Spell.Requests) {
        DiagnosticBuilder B = State->Diags.report(R.Loc, Diag(R.DiagKind));
        if (!R.Name.empty())
          B << R.Name << R.Macro;
      }
      Done(false, "", Src.baseName());
      return;
    }
    if (!Ran || CI.getDiagnostics().hasErrorOccurred()) {
      Done(false, "", Src.baseName());
      return;
    }
    PresumedLoc P = SM.getPresumedLoc(SM.getLocForStartOfFile(Src.mainFile()));
    llvm::StringRef Name = P.isValid() ? P.getFilename() : "";
    if (const RewriteBuffer *B = RW.getRewriteBufferFor(Src.mainFile()))
      Done(true, std::string(B->begin(), B->end()), Name);
    else
      Done(true, Src.text().str(), Name);
  }

private:
  CompilerInstance &CI;
  std::shared_ptr<RewriteState> State;
  RewriteResult Done;
  unsigned Depth;
};

} // namespace

bool RewriteAction::BeginSourceFileAction(CompilerInstance &CI) {
  State = std::make_shared<RewriteState>(CI.getDiagnostics());
  Preprocessor &PP = CI.getPreprocessor();
  // The preprocessor owns the handler.
  // Names are looked up in the scope the parser is in when it meets the
  // directive (Sema exists by then; the handler runs inside the parse).
  NameLookup IsDeclared = [&CI](IdentifierInfo *II) {
    if (!II || !CI.hasSema())
      return false;
    Sema &S = CI.getSema();
    LookupResult R(S, DeclarationName(II), SourceLocation(),
                   Sema::LookupOrdinaryName);
    return S.LookupName(R, S.getCurScope()) && !R.empty();
  };
  PP.AddPragmaHandler(
      new WsPragmaHandler(State->Table, State->Diags, std::move(IsDeclared)));
  PP.setPredefines(PP.getPredefines() + "\nvoid " + MarkerName +
                   "(int, ...);\n");
  // What macros of the main file expand to (MacroLog).
  SourceManager &SM = CI.getSourceManager();
  PP.addPPCallbacks(std::make_unique<PragmaWatcher>(SM, State));
  std::shared_ptr<RewriteState> S = State;
  PP.setTokenWatcher([S, &SM, &PP](const Token &T) {
    if (!T.getLocation().isMacroID())
      return;
    SourceLocation E = SM.getExpansionLoc(T.getLocation());
    if (!SM.isInMainFile(E))
      return;
    // An identifier the preprocessor refused to expand (a macro's own
    // name in its expansion) would expand when spelled out again, unless
    // its macro expands to itself (`#define stderr stderr`).
    bool Unspellable = false;
    if (T.isExpandDisabled()) {
      const MacroInfo *MI = T.getIdentifierInfo()
                                ? PP.getMacroInfo(T.getIdentifierInfo())
                                : nullptr;
      Unspellable = !MI || !MI->isObjectLike() || MI->getNumTokens() != 1 ||
                    MI->getReplacementToken(0).getIdentifierInfo() !=
                        T.getIdentifierInfo();
    }
    S->Table.macros().token(SM.getFileOffset(E), PP.getSpelling(T),
                            Unspellable);
  });
  return true;
}

std::unique_ptr<ASTConsumer>
RewriteAction::CreateASTConsumer(CompilerInstance &CI, llvm::StringRef) {
  return std::make_unique<RewriteConsumer>(CI, State, Done, Depth);
}

std::optional<bool> rewriteNested(CompilerInstance &CI, RewriteResult Done,
                                  unsigned Depth,
                                  std::unique_ptr<DiagnosticConsumer> Client,
                                  const std::string *Text) {
  auto Inv = std::make_shared<CompilerInvocation>(CI.getInvocation());
  FrontendOptions &FO = Inv->getFrontendOpts();
  if (FO.Inputs.empty() || (Text && !FO.Inputs.front().isFile()))
    return std::nullopt;
  FO.ProgramAction = frontend::ParseSyntaxOnly;
  FO.OutputFile.clear();
  FO.ShowStats = false;
  Inv->getDependencyOutputOpts() = DependencyOutputOptions();
  // The main file's entry (stdin's is kept by the file manager), whose
  // contents the nested source manager replaces with Text.
  OptionalFileEntryRef FE;
  if (Text) {
    if (FO.Inputs.front().getFile() == "-") {
      if (llvm::Expected<FileEntryRef> In = CI.getFileManager().getSTDIN())
        FE = *In;
      else
        llvm::consumeError(In.takeError());
    } else {
      FE = CI.getFileManager().getOptionalFileRef(FO.Inputs.front().getFile());
    }
    if (!FE)
      return std::nullopt;
  }

  CompilerInstance Nested(CI.getPCHContainerOperations());
  Nested.setInvocation(Inv);
  Nested.setFileManager(&CI.getFileManager());
  Nested.createDiagnostics(Client.release(), /*ShouldOwnClient=*/true);
  Nested.createSourceManager(CI.getFileManager());
  if (!Nested.createTarget())
    return std::nullopt;
  if (Text)
    Nested.getSourceManager().overrideFileContents(
        *FE, llvm::MemoryBuffer::getMemBufferCopy(*Text, FE->getName()));
  RewriteAction Action(std::move(Done), Depth);
  if (Action.BeginSourceFile(Nested, FO.Inputs.front())) {
    if (llvm::Error E = Action.Execute())
      llvm::consumeError(std::move(E));
    Action.EndSourceFile();
  }
  return !Nested.getDiagnostics().hasErrorOccurred();
}

} // namespace ws
