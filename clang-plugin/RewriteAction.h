//===- RewriteAction.h - The rewrite action of plugin and tool -*- C++ -*-===//
//
// RewriteAction parses a file with the `#pragma ws` handler installed, then
// runs the Outliner on the AST and hands the rewritten text of the main file
// to a callback.  The plugin runs it in a nested CompilerInstance; ws-rewrite
// runs it through libTooling.
//
//===----------------------------------------------------------------------===//
#ifndef WS_PLUGIN_REWRITEACTION_H
#define WS_PLUGIN_REWRITEACTION_H

#include "clang/Frontend/FrontendAction.h"

#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace ws {

/// Called once per file: Ok is false if any error was reported (the text is
/// then empty).
using RewriteResult = std::function<void(bool Ok, const std::string &Text,
                                         llvm::StringRef FileName)>;

struct RewriteState;

class RewriteAction : public clang::ASTFrontendAction {
public:
  /// Depth 1: the parse of a text whose macro invocations holding ws
  /// directives and code were spelled out (no further spelling out).
  explicit RewriteAction(RewriteResult Done, unsigned Depth = 0)
      : Done(std::move(Done)), Depth(Depth) {}

protected:
  bool BeginSourceFileAction(clang::CompilerInstance &CI) override;
  std::unique_ptr<clang::ASTConsumer>
  CreateASTConsumer(clang::CompilerInstance &CI,
                    llvm::StringRef InFile) override;

private:
  RewriteResult Done;
  unsigned Depth;
  std::shared_ptr<RewriteState> State;
};

/// Runs a RewriteAction (Done, Depth) as a syntax-only parse of CI's main
/// input in a nested CompilerInstance that shares CI's files; Client gets
/// its diagnostics, and Text, when given, replaces the main file's
/// contents.  None if the parse could not be set up (Done not called), else
/// whether it reported no error.
std::optional<bool>
rewriteNested(clang::CompilerInstance &CI, RewriteResult Done, unsigned Depth,
              std::unique_ptr<clang::DiagnosticConsumer> Client,
              const std::string *Text = nullptr);

} // namespace ws

#endif // WS_PLUGIN_REWRITEACTION_H
