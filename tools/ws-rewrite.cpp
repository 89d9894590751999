//===- ws-rewrite.cpp - Print the rewritten C of annotated sources --------===//
//
//   ws-rewrite file.c [more.c...] -- <compiler flags>
//
// Prints, for each file, the portable C that the ws plugin compiles: the
// directives become calls to include/ws.h, and `#line` directives keep
// diagnostics and debug info on the original lines, so GCC (or any C11
// compiler) can build the output and link it with -lws.
//
//===----------------------------------------------------------------------===//
#include "Diagnostics.h"
#include "RewriteAction.h"

#include "clang/Tooling/ArgumentsAdjusters.h"
#include "clang/Tooling/CommonOptionsParser.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;
using namespace clang::tooling;

static llvm::cl::OptionCategory WsCategory("ws-rewrite options");
static llvm::cl::opt<bool>
    NoLostWrite("no-lost-write",
                llvm::cl::desc("Do not warn when a task writes its own copy "
                               "of a local (ws-lost-write)"),
                llvm::cl::cat(WsCategory));
static llvm::cl::extrahelp MoreHelp(
    "\nPrints each file with its '#pragma ws' directives rewritten into "
    "libws calls.\nCompile the output with -I<ws>/include and link with "
    "-lws.\n");

namespace {

class Factory : public FrontendActionFactory {
public:
  std::unique_ptr<FrontendAction> create() override {
    return std::make_unique<ws::RewriteAction>(
        [](bool Ok, const std::string &Text, llvm::StringRef FileName) {
          if (!Ok)
            return;
          llvm::outs() << "#line 1 \"";
          llvm::outs().write_escaped(FileName) << "\"\n" << Text;
          if (!Text.empty() && Text.back() != '\n')
            llvm::outs() << "\n";
        });
  }
};

} // namespace

int main(int argc, const char **argv) {
  auto Options = CommonOptionsParser::create(argc, argv, WsCategory);
  if (!Options) {
    llvm::errs() << llvm::toString(Options.takeError());
    return 1;
  }
  ws::WarnLostWrites = !NoLostWrite;
  ClangTool Tool(Options->getCompilations(), Options->getSourcePathList());
  // The tool lives outside Clang's tree: point it at Clang's own headers.
  Tool.appendArgumentsAdjuster(getInsertArgumentAdjuster(
      "-resource-dir=" WS_CLANG_RESOURCE_DIR, ArgumentInsertPosition::END));
  Factory F;
  return Tool.run(&F) ? 1 : 0;
}
