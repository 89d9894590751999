//===- Outliner.h - Rewrites task, taskgroup, taskwait... ------*- C++ -*-===//
//
// Turns the directives of one translation unit into calls to include/ws.h,
// as text edits on a clang::Rewriter:
//
//   * every function (and outlined task body) that spawns or waits gets
//     `ws_frame __ws_frame = WS_FRAME_INIT;` as its first declaration and
//     `ws_wait_pending(&__ws_frame);` before each return and its closing brace;
//   * `#pragma ws task S` becomes a spawn of `__ws_task_N`, an outlined copy
//     of S placed after the function; the capture struct, a prototype and
//     the site record go before the function;
//   * taskgroup, taskwait, yield, cancel and cancellation point become the
//     matching runtime calls.
//
// Directives are rewritten innermost first, so the text of an outer task
// already holds its inner rewrites.  Every edit keeps the number of lines,
// and inserted blocks end with `#line`, so diagnostics, __LINE__ and debug
// info keep pointing at the user's lines.
//
//===----------------------------------------------------------------------===//
#ifndef WS_PLUGIN_OUTLINER_H
#define WS_PLUGIN_OUTLINER_H

#include "CaptureStruct.h"
#include "Convention.h"
#include "LoopLowering.h"
#include "Regions.h"

#include "clang/AST/Type.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#include <string>

namespace clang {
class ASTContext;
class Expr;
class Rewriter;
class VarDecl;
} // namespace clang

namespace ws {

class Outliner {
public:
  /// HaveMacros: whether the macros of ws.h (WS_FRAME_INIT...) can be used
  /// (false for preprocessed input).
  Outliner(clang::ASTContext &Ctx, clang::Rewriter &RW, Diagnostics &Diags,
           DirectiveTable &Table, const SourceText &Src,
           bool HaveMacros = true);

  /// Rewrites every directive; false after reporting errors (the Rewriter's
  /// buffer must then be ignored).
  bool run();

private:
  clang::ASTContext &Ctx;
  clang::Rewriter &RW;
  Diagnostics &Diags;
  DirectiveTable &Table;
  const SourceText &Src;
  CaptureStruct Caps{Ctx};
  bool HaveMacros;
  /// Lace's calling convention: clones, calls, takes (Convention.h).
  Convention Conv{Ctx, RW, Src, Caps};
  bool IncludeEmitted = false;
  LoopAnalyzer LoopFacts{Ctx, Diags, Table, Src}; // parallel for: checks
  LoopLowering Loops{*this, LoopFacts};           // parallel for: code
  /// The parallel for regions of the function being rewritten, by loop.
  llvm::DenseMap<const clang::Stmt *, const Region *> LoopByFor;
  friend class LoopLowering;

  bool rewriteFunction(FunctionRegions &FR);
  bool runtimeDeclaredBefore(clang::SourceLocation Loc) const;
  std::string macro(const char *Name) const;
  void addFrameAndReturns(FunctionRegions &FR);
  bool rewriteUses(FunctionRegions &FR, Region &Task);
  /// Inside Root (skipping Skip), rewrites uses of R's by-address captures
  /// to `(*__ws_c->x)` and `__func__` to the user's function name.  Outer:
  /// an enclosing task whose own rewrite already did that (or null).
  bool rewriteCaptureUses(Region &R, const clang::Stmt *Root,
                          const llvm::DenseSet<const clang::Stmt *> &Skip,
                          const Region *Outer);
  /// A by-address capture of the enclosing task (or loop) that a macro body
  /// in R's clause expressions names: spell the invocation out, else an
  /// error.  False in both cases.
  bool checkClauseMacros(const Region &R);
  void rewriteDirective(FunctionRegions &FR, Region &R, std::string &Post);
  std::string declarations(Region &Task);
  std::string spawn(Region &Task);
  std::string outlined(Region &Task);

  // `task distributed` (Distributed.cpp, which shows the shape emitted).
  /// Declarations of the libws-mpi entry points (weak), once per file.
  static std::string distributedPreamble();
  /// The local-run record, prototypes and table entry of a task.
  std::string distributedDeclarations(Region &Task);
  /// The spawn statements (after the capture struct's declaration).
  std::string distributedSpawn(Region &Task, const std::string &Frame,
                               const std::string &Tier, const std::string &Site,
                               const std::string &Copies);
  /// In the outlined function: element copies and section pointers.
  std::string distributedLocals(const Region &Task) const;
  /// In the outlined function, at its end: the results into __ws_res.
  std::string distributedResults(const Region &Task) const;
  /// __ws_dlocal_N: the task as an ordinary one (one process).
  std::string distributedLocalRunner(const Region &Task) const;
  /// Replaces `a[i]` of a result element by its local copy; any other use
  /// of `a` is an error.
  bool rewriteElementUses(FunctionRegions &FR, Region &Task);
  /// ws_mpi_init at the start of this file's main, if it has one.
  void startRanks();
  static unsigned resultCount(const Region &Task);
  static std::string elementName(const ItemCapture &E);
  /// A distributed task with sections: the function of its body, which
  /// takes where the sections are (the task's function calls it).
  static std::string bodyName(const Region &Task);
  std::string itemBase(const ItemCapture &E, const Region *Outer) const;
  /// A section's bytes in the capture buffer (rounded up to 16), and the
  /// offset of section K after the capture struct; Cap names the struct
  /// holding __ws_n_* ("__ws_cap." or "__ws_c->").
  std::string sectionBytes(const ItemCapture &Sec,
                           const std::string &Cap) const;
  std::string sectionOffset(const Region &Task, size_t K,
                            const std::string &Cap) const;

  std::string declare(clang::QualType T, llvm::StringRef Name) const;

  /// The expression Sema made of a clause's (through the marker), or null.
  const clang::Expr *clauseArg(const Region &R, const ClauseExpr &E) const;
  /// The type Sema gave a clause expression (null when unknown).
  clang::QualType clauseType(const Region &R, const ClauseExpr &E) const;
  /// priority(expr) needs an integer or floating type.
  bool checkPriority(const Region &R);
  /// handle(h): h must be a ws_handle (its address is passed).
  bool checkHandle(const Region &R);
  /// Warns when a task writes (or takes the address of) a local that is its
  /// copy only by default: the write is lost (ws-lost-write).
  void warnLostWrites(FunctionRegions &FR);
  /// The tier argument of R's spawn (a WS_TIER_ name or a clamped
  /// expression); appends the declaration it needs to Decls.
  std::string tier(const Region &R, const Region *Outer,
                   std::string &Decls) const;
  /// How code in the context of Task (null: the function) names V.
  std::string access(const clang::VarDecl *V, const Region *Task) const;
  std::string exprText(const ClauseExpr &E, const Region *Task) const;
  /// Waits for the given taskgroups (innermost first), then, WithFrame,
  /// for the frame of Owner (frameWait); KeepGroups: leave the groups open
  /// (taskwait), else end them (leaving their blocks by `return`).
  std::string waits(const std::vector<Region *> &Groups, bool WithFrame,
                    const Region *Owner, bool KeepGroups = false) const;
  /// The declarations of a frame owner's frame and scope (ws.h: the
  /// plugin's form; the frame is initialised by its first use):
  ///   ws_frame __ws_frame; ws_scope __ws_sc = WS_SCOPE_INIT;
  std::string frameDecl() const;
  /// The wait for the frame of Owner (a task or parallel for; null: the
  /// function):
  ///   ws_scope_wait(&__ws_sc, &__ws_frame, __ws_task_N);
  /// when one task directive, N, pushes into that frame's scope, from a
  /// slot (the newest child is then called by name: ws.h), else the same
  /// with 0.
  std::string frameWait(const Region *Owner) const;
  /// Whether Task's spawn builds its captures in a slot of the fast path
  /// (spawn(): ws_scope_slot / ws_scope_push).
  bool spawnsInSlot(const Region &Task) const;
  /// Whether Task is a plain task, whose spawn may push it into a slot of
  /// the fast path: its captures built there (spawnsInSlot), or copied
  /// whole (spawn(): ws_scope_spawn / ws_spawn_inline).
  bool pushesFast(const Region &Task) const;
  /// Per frame owner of the function being rewritten (null: the function),
  /// its one task spawning from a slot; null if there are several, or if
  /// another task pushes into its scope (ws_scope_spawn).
  llvm::DenseMap<const Region *, const Region *> SlotTaskOf;
};

} // namespace ws

#endif // WS_PLUGIN_OUTLINER_H
