//===- Regions.h - Where each directive stands in the AST ------*- C++ -*-===//
//
// A Region ties a Directive to the function it is in, the statement it
// applies to, the task it is nested in and the taskgroups around it.  The
// RegionBuilder also checks placement rules and jumps out of task bodies.
//
//===----------------------------------------------------------------------===//
#ifndef WS_PLUGIN_REGIONS_H
#define WS_PLUGIN_REGIONS_H

#include "Captures.h"
#include "Directive.h"

#include "clang/Basic/LangOptions.h"
#include "clang/Basic/SourceManager.h"
#include "llvm/ADT/DenseSet.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace clang {
class ASTContext;
class CallExpr;
class CompoundStmt;
class FunctionDecl;
class GotoStmt;
class ReturnStmt;
class Stmt;
} // namespace clang

namespace ws {

class Diagnostics;

/// Offsets, lines and text of the main file (all positions are offsets of
/// expansion locations in the main file).
class SourceText {
public:
  SourceText(const clang::SourceManager &SM, const clang::LangOptions &LO);

  const clang::SourceManager &sm() const { return SM; }
  const clang::LangOptions &langOpts() const { return LO; }
  clang::FileID mainFile() const { return Main; }
  llvm::StringRef text() const { return Text; }

  bool inMain(clang::SourceLocation L) const;
  unsigned offset(clang::SourceLocation L) const;
  clang::SourceLocation loc(unsigned Offset) const;
  unsigned beginOf(const clang::Stmt *S) const;
  /// Just past the statement, its terminating ';' included.
  unsigned endOf(const clang::Stmt *S) const;
  /// The outermost macro invocation a location comes from, as offsets
  /// [begin, end).
  std::pair<unsigned, unsigned> invocationOf(clang::SourceLocation L) const;
  /// The name of the macro whose invocation starts at Offset.
  llvm::StringRef macroNameAt(unsigned Offset) const;
  unsigned line(unsigned Offset) const;
  unsigned column(unsigned Offset) const;
  unsigned lineStart(unsigned Offset) const;
  /// Offset of the first token at or after Offset (comments skipped).
  std::optional<unsigned> firstTokenAt(unsigned Offset) const;
  /// Offset of the first code token at or after Offset, skipping comments,
  /// preprocessor lines other than #include and #pragma, and the Skipped
  /// ranges (the inactive branches of conditionals).
  std::optional<unsigned> firstCodeTokenAt(
      unsigned Offset,
      const std::vector<std::pair<unsigned, unsigned>> &Skipped) const;
  /// A conditional directive line (`#if`... `#endif`, continuations
  /// included): offsets [Begin, End) without the final newline, and whether
  /// it opens a group (+1: #if, #ifdef, #ifndef), goes on with one (0:
  /// #elif..., #else) or ends one (-1: #endif).
  struct Conditional {
    unsigned Begin, End;
    int Kind;
  };
  /// The conditional directive lines that start in [Begin, End), in order.
  std::vector<Conditional> conditionals(unsigned Begin, unsigned End) const;
  /// What [Begin, End) needs to be a whole of conditional groups when it is
  /// copied elsewhere (an outlined body): `#if 1` lines before it for the
  /// groups it ends or continues (`#else`, `#endif`) without opening them,
  /// `#endif` lines after it for the ones it opens and does not end.
  std::pair<std::string, std::string> conditionalFrame(unsigned Begin,
                                                       unsigned End) const;
  /// [Begin, End) with everything but its newlines and its conditional
  /// directive lines removed: what stays in place of code that moves, so
  /// that the groups around and inside it stay whole.
  std::string blankKeepingConditionals(unsigned Begin, unsigned End) const;
  /// `#line N "file"` followed by a newline.
  std::string lineDirective(unsigned Line) const;
  /// The `#line` that makes the next line count as the one at Offset, as
  /// the user's own `#line` directives number it.
  std::string lineDirectiveAt(unsigned Offset) const;
  /// The main file's name as a C string literal.
  std::string quotedFileName() const;
  std::string baseName() const;

private:
  const clang::SourceManager &SM;
  const clang::LangOptions &LO;
  clang::FileID Main;
  llvm::StringRef Text;
  std::string FileName;
};

struct Region {
  Directive *D = nullptr;
  const clang::FunctionDecl *Fn = nullptr;
  const clang::CallExpr *Marker = nullptr;
  const clang::Stmt *Body = nullptr; // task, taskgroup, parallel for
  unsigned BodyBegin = 0, BodyEnd = 0;
  Region *EnclosingTask = nullptr;
  std::vector<Region *> Groups; // enclosing taskgroups, innermost first
  bool NeedsFrame = false;      // task whose outlined body spawns or waits
  /// A task whose statement is directly followed, in the same block, by a
  /// wait for its frame (a `taskwait`, a `return`, or the implicit wait at
  /// the end of the function or task): nothing runs between its spawn and
  /// that wait, so the runtime may run it at once (ws_spawn_last).
  bool LastBeforeWait = false;
  bool FuncInMacro = false; // task body uses __func__ from a macro body
  std::vector<Capture> Captures;
  /// Distributed task: its result elements and its copied sections.
  std::vector<ItemCapture> Elements, Sections;

  DirectiveKind kind() const { return D->Kind; }
  bool isTask() const { return kind() == DirectiveKind::Task; }
  bool isGroup() const { return kind() == DirectiveKind::Taskgroup; }
  bool encloses(unsigned Off) const {
    return Body && BodyBegin <= Off && Off < BodyEnd;
  }
};

/// One function definition that contains directives.
struct FunctionRegions {
  const clang::FunctionDecl *Fn = nullptr;
  std::vector<std::unique_ptr<Region>> Regions; // source order
  bool NeedsFrame = false;
  std::vector<const clang::ReturnStmt *> Returns; // outside task bodies
  std::vector<const clang::GotoStmt *> Gotos;     // all of the function's
};

/// Reports the jumps that would leave or enter the body of a task,
/// taskgroup or parallel for (Body, the offsets [Begin, End)): `return`
/// (except from a taskgroup), `break` and `continue` to a target outside
/// (a parallel for body's own `continue` stays), `goto` out or in, computed
/// goto; each with a note at the directive.  Nested: bodies of other
/// regions, checked on their own.
class JumpChecker {
public:
  JumpChecker(Diagnostics &Diags, const SourceText &Src, const Region &R,
              const clang::Stmt *Body, unsigned Begin, unsigned End,
              const llvm::DenseSet<const clang::Stmt *> &Nested);
  /// AllGotos: every goto of the function (for those that jump in).  False
  /// after reporting errors.
  bool run(const std::vector<const clang::GotoStmt *> &AllGotos);

private:
  Diagnostics &Diags;
  const SourceText &Src;
  const Region &R;
  const clang::Stmt *Body;
  unsigned Begin, End;
  const llvm::DenseSet<const clang::Stmt *> &Nested;
  llvm::StringRef What;
  bool Ok = true;

  bool inside(clang::SourceLocation L) const;
  void note();
  void walk(const clang::Stmt *S, unsigned Loops, unsigned Switches);
};

class RegionBuilder {
public:
  RegionBuilder(clang::ASTContext &Ctx, DirectiveTable &Table,
                Diagnostics &Diags, const SourceText &Src)
      : Ctx(Ctx), Table(Table), Diags(Diags), Src(Src) {}

  /// Builds the regions of every function; false after reporting errors.
  bool build(std::vector<FunctionRegions> &Out);

private:
  clang::ASTContext &Ctx;
  DirectiveTable &Table;
  Diagnostics &Diags;
  const SourceText &Src;

  bool buildFunction(const clang::FunctionDecl *FD, FunctionRegions &FR);
  void
  markLastBeforeWait(const std::vector<const clang::CompoundStmt *> &Blocks,
                     FunctionRegions &FR);
};

/// S as a C string literal.
std::string quoteC(llvm::StringRef S);

/// The number that names what the rewrite emits for region R (its
/// directive's ID): `__ws_task_N`, `__ws_loop_N`, `__ws_site_N`...
std::string id(const Region &R);

/// The site record of region R, emitted before its function (label: the
/// `name` clause, else `file.c:LINE`):
///   static const ws_site __ws_site_N = { "label", "path/file.c", LINE };
std::string siteDeclaration(const Region &R, const SourceText &Src);

/// The directive ID of a `__ws_marker(...)` call, if S is one.
std::optional<unsigned> markerID(const clang::Stmt *S);

} // namespace ws

#endif // WS_PLUGIN_REGIONS_H
