//===- Analysis.cpp - The analysis parse shared by plugin and tool --------===//
#include "Analysis.h"
#include "Diagnostics.h"
#include "Directive.h"
#include "Outliner.h"
#include "Regions.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/AST/ASTContext.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Lex/Preprocessor.h"
#include "clang/Rewrite/Core/Rewriter.h"
#include "clang/Sema/Lookup.h"
#include "clang/Sema/Sema.h"

using namespace clang;

namespace ws {

/// The per-file state: the directives the handler saw and the diagnostics
/// reporter.
struct RewriteState {
  explicit RewriteState(DiagnosticsEngine &Engine) : Diags(Engine) {}
  DirectiveTable Table;
  Diagnostics Diags;
};

namespace {

class RewriteConsumer : public ASTConsumer {
public:
  RewriteConsumer(CompilerInstance &CI, std::shared_ptr<RewriteState> State,
                  RewriteResult Done)
      : CI(CI), State(std::move(State)), Done(std::move(Done)) {}

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
    Rewriter RW(SM, Ctx.getLangOpts());
    // Preprocessed input (-save-temps) has ws.h's declarations, not its
    // macros.
    bool HaveMacros =
        !CI.getFrontendOpts().Inputs.empty() &&
        !CI.getFrontendOpts().Inputs.front().getKind().isPreprocessed();
    Outliner O(Ctx, RW, State->Diags, State->Table, Src, HaveMacros);
    if (!O.run() || CI.getDiagnostics().hasErrorOccurred()) {
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
  return true;
}

std::unique_ptr<ASTConsumer>
RewriteAction::CreateASTConsumer(CompilerInstance &CI, llvm::StringRef) {
  return std::make_unique<RewriteConsumer>(CI, State, Done);
}

} // namespace ws
