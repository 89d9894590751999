//===- Plugin.cpp - `clang -fplugin=ws-plugin.so` ------------------------===//
//
// An AddBeforeMainAction plugin, so a plain `clang -fplugin=...` keeps every
// other flag working (-c, -S, -emit-llvm, -o, -MD, -g, stdin...).  Before
// the real parse starts it
//   1. parses the main file a second time, syntax-only, in a nested
//      CompilerInstance with the `#pragma ws` handler (RewriteAction);
//   2. swaps the main file's text for the rewritten one, under a new FileID;
//   3. hides the outer parse's warnings, which the nested parse has already
//      reported on the user's text, until the end of the translation unit
//      (so backend warnings still show).
// Files without `#pragma ws` or `_Pragma` are left alone entirely.
//
//===----------------------------------------------------------------------===//
#include "Diagnostics.h"
#include "Directive.h"
#include "RewriteAction.h"

#include "clang/AST/ASTConsumer.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/FrontendPluginRegistry.h"
#include "clang/Lex/Preprocessor.h"
#include "llvm/Support/MemoryBuffer.h"

using namespace clang;

namespace ws {
namespace {

/// Set while the nested parse runs: the nested CompilerInstance instantiates
/// every AddBeforeMainAction plugin again, including this one.
bool InNestedParse = false;

/// Drops warnings (and their notes) while Active; errors always pass.
class WarningFilter : public DiagnosticConsumer {
public:
  WarningFilter(DiagnosticConsumer *Next,
                std::unique_ptr<DiagnosticConsumer> Owned)
      : Next(Next), Owned(std::move(Owned)) {}

  bool Active = false;

  void BeginSourceFile(const LangOptions &LO, const Preprocessor *PP) override {
    Next->BeginSourceFile(LO, PP);
  }
  void EndSourceFile() override { Next->EndSourceFile(); }
  void finish() override { Next->finish(); }
  bool IncludeInDiagnosticCounts() const override {
    return Next->IncludeInDiagnosticCounts();
  }
  void HandleDiagnostic(DiagnosticsEngine::Level Level,
                        const Diagnostic &Info) override {
    if (Active) {
      if (Level == DiagnosticsEngine::Warning ||
          Level == DiagnosticsEngine::Remark) {
        DroppingNotes = true;
        return;
      }
      if (Level == DiagnosticsEngine::Note && DroppingNotes)
        return;
    }
    DroppingNotes = false;
    DiagnosticConsumer::HandleDiagnostic(Level, Info);
    Next->HandleDiagnostic(Level, Info);
  }

private:
  DiagnosticConsumer *Next;
  std::unique_ptr<DiagnosticConsumer> Owned;
  bool DroppingNotes = false;
};

/// The nested parse's consumer: everything goes to the outer one, so errors
/// count there (cc1 then fails and the driver removes the output).
class ForwardingConsumer : public DiagnosticConsumer {
public:
  explicit ForwardingConsumer(DiagnosticsEngine &Outer) : Outer(Outer) {}
  void HandleDiagnostic(DiagnosticsEngine::Level Level,
                        const Diagnostic &Info) override {
    DiagnosticConsumer::HandleDiagnostic(Level, Info);
    Outer.getClient()->HandleDiagnostic(Level, Info);
  }

private:
  DiagnosticsEngine &Outer;
};

/// Turns the warning filter off once the outer parse is over, before CodeGen
/// (so backend warnings, -Wframe-larger-than included, still appear).
class FilterOff : public ASTConsumer {
public:
  FilterOff(WarningFilter *Filter, DiagnosticsEngine &Diags,
            bool WarningsAsErrors)
      : Filter(Filter), Diags(Diags), WarningsAsErrors(WarningsAsErrors) {}
  void HandleTranslationUnit(ASTContext &) override {
    Filter->Active = false;
    Diags.setWarningsAsErrors(WarningsAsErrors);
  }

private:
  WarningFilter *Filter;
  DiagnosticsEngine &Diags;
  bool WarningsAsErrors;
};

/// Runs RewriteAction on the main file in a nested CompilerInstance.
bool rewriteInNestedParse(CompilerInstance &CI, std::string &Out) {
  bool Ok = false;
  InNestedParse = true;
  std::optional<bool> Clean = rewriteNested(
      CI,
      [&](bool Success, const std::string &Text, llvm::StringRef) {
        Ok = Success;
        Out = Text;
      },
      0, std::make_unique<ForwardingConsumer>(CI.getDiagnostics()));
  InNestedParse = false;
  return Ok && Clean.value_or(false);
}

class WsPluginAction : public PluginASTAction {
protected:
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance &CI,
                                                 llvm::StringRef) override {
    if (InNestedParse)
      return std::make_unique<ASTConsumer>();
    SourceManager &SM = CI.getSourceManager();
    FileID Main = SM.getMainFileID();
    Preprocessor &PP = CI.getPreprocessor();
    if (!SourceScan::run(SM, Main, CI.getLangOpts()).mayHaveDirectives()) {
      // Compiled exactly as without the plugin; a ws pragma reaching the
      // parser anyway (from a header macro) cannot be honoured.
      PP.AddPragmaHandler(new UnrewrittenPragmaHandler());
      return std::make_unique<ASTConsumer>();
    }

    DiagnosticsEngine &Diags = CI.getDiagnostics();
    DiagnosticConsumer *Old = Diags.getClient();
    std::unique_ptr<DiagnosticConsumer> Owned = Diags.takeClient();
    auto *Filter = new WarningFilter(Old, std::move(Owned));
    Diags.setClient(Filter, /*ShouldOwnClient=*/true);

    std::string Text;
    if (!rewriteInNestedParse(CI, Text))
      Text.clear(); // errors were reported; compile nothing more
    // The outer parse sees the rewritten text: its warnings were reported on
    // the user's text already.  -Werror must not turn them into errors.
    Filter->Active = true;
    bool WarningsAsErrors = Diags.getWarningsAsErrors();
    Diags.setWarningsAsErrors(false);

    std::unique_ptr<llvm::MemoryBuffer> Buffer =
        llvm::MemoryBuffer::getMemBufferCopy(
            Text, SM.getBufferOrFake(Main).getBufferIdentifier());
    if (OptionalFileEntryRef FE = SM.getFileEntryRefForID(Main)) {
      SM.overrideFileContents(*FE, std::move(Buffer));
      // The old FileID is sized for the old text: make a new one.
      SM.setMainFileID(SM.createFileID(*FE, SourceLocation(), SrcMgr::C_User));
    } else {
      SM.setMainFileID(SM.createFileID(std::move(Buffer), SrcMgr::C_User));
    }
    PP.AddPragmaHandler(new UnrewrittenPragmaHandler());
    return std::make_unique<FilterOff>(Filter, Diags, WarningsAsErrors);
  }

  // -fplugin-arg-ws-no-lost-write: no ws-lost-write warning.
  bool ParseArgs(const CompilerInstance &,
                 const std::vector<std::string> &Args) override {
    for (const std::string &A : Args)
      if (A == "no-lost-write")
        WarnLostWrites = false;
    return true;
  }

  ActionType getActionType() override { return AddBeforeMainAction; }
};

} // namespace
} // namespace ws

static clang::FrontendPluginRegistry::Add<ws::WsPluginAction>
    X("ws", "rewrite #pragma ws directives into libws calls");
