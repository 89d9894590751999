//===- Convention.h - Lace's calling convention for spawning functions -*- C++
//-*-===//
//
// A function of this file whose own body pushes tasks into its scope gets
// a clone that takes the thread's fast-deque position (ws.h: `ws_at`, "The
// plugin's calling convention"), and the calls between such functions pass
// the position on, so that a spawn loads neither the thread's deque nor
// `bottom`.  Where the scope's one slot task is waited for, its owner runs
// the task's statement itself, in place, when no thief took it ("the
// take"), and a `return` that follows the wait is copied into that branch,
// so that the task's result stays in a register.  For
//
//   static int fib(int n) {
//     if (n < 2) return n;
//     int x, y;
//   #pragma ws task shared(x)
//     x = fib(n - 1);
//     y = fib(n - 2);
//   #pragma ws taskwait
//     return x + y;
//   }
//
// the rewrite is (before the function; the leading `if (C) return E;`
// statements whose C has no side effects are "guards", copied into an
// inline entry so that a leaf costs a compare, not a call):
//
//   static int __ws_body_fib(ws_at __ws_at, int n);
//   static inline __attribute__((always_inline)) int
//   __ws_at_fib(ws_at __ws_at, int n) {
//     if (n < 2) return n;
//     return __ws_body_fib(__ws_at, n);
//   }
//   static __attribute__((unused)) int fib(int n) {     // everyone else's
//     return __ws_at_fib(ws_at_here(), n);
//   }
//
// and the function itself, renamed (`__ws_at_fib` when it has no guards):
//
//   static int __ws_body_fib(ws_at __ws_at, int n) { ws_frame __ws_frame;
//     ws_scope __ws_sc = ws_scope_start_at(__ws_at, &__ws_frame);
//     ... ws_scope_slot_at(&__ws_sc, ...) ...            // the spawn
//     y = __ws_at_fib(ws_scope_at(&__ws_sc), n - 2);     // a call
//     { struct __ws_cap_0 *__ws_c = (struct __ws_cap_0 *)  // the taskwait
//           ws_scope_take(&__ws_sc, &__ws_frame);
//       if (__ws_c) {
//         { x = __ws_at_fib(ws_scope_at(&__ws_sc), n - 1); }
//         if (ws_scope_done(&__ws_sc)) {
//           int __ws_r = (x + y); ws_scope_ran(&__ws_sc); return __ws_r; }
//         ws_scope_ran(&__ws_sc); } }
//     ws_scope_wait_at(&__ws_sc, &__ws_frame, __ws_task_0); ...
//
// Inside the take, a captured copy the function never writes (a parameter
// or a local outside loops, only read) is used as it is; other copies are
// read from the slot first (`int k = __ws_c->k;`, in an inner block).
// Thieves, and waits that cannot take, run the outlined task, which calls
// the plain entry.  What is left out (and keeps today's form) is listed in
// clang-plugin/README.md, "The calling convention".
//
//===----------------------------------------------------------------------===//
#ifndef WS_PLUGIN_CONVENTION_H
#define WS_PLUGIN_CONVENTION_H

#include "CaptureStruct.h"
#include "Regions.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/ADT/StringSet.h"

#include <memory>
#include <string>
#include <vector>

namespace clang {
class ASTContext;
class ParentMap;
class Rewriter;
class Decl;
class ReturnStmt;
class VarDecl;
class NamedDecl;
class DeclStmt;
} // namespace clang

namespace ws {

class Convention {
public:
  Convention(clang::ASTContext &Ctx, clang::Rewriter &RW, const SourceText &Src,
             const CaptureStruct &Caps);
  ~Convention();

  /// Chooses the functions that get a clone, among those for which
  /// PushesFromSlot says that their own body pushes a task from a slot.
  void plan(const std::vector<FunctionRegions> &Fns,
            llvm::function_ref<bool(const FunctionRegions &)> PushesFromSlot);

  /// Starts the rewrite of FR (SlotTask: the one task pushing into its
  /// scope, or null) and rewrites its calls of clones; false if FR has no
  /// clone (then nothing below applies).
  bool begin(const FunctionRegions &FR, const Region *SlotTask);
  bool active() const { return Fn != nullptr; }

  /// The frame and the scope, the scope at the clone's position.
  std::string frameDecl() const;
  /// The clone's declarations, placed before the function (they end with a
  /// newline), after renaming its definition.
  std::string declarations();
  /// The take at a wait of the function (at offset W) that follows the
  /// scope's slot task: "" when it cannot be had there.  Dup: a `return`
  /// to copy into it (the wait's own, or the one right after a taskwait).
  std::string take(unsigned W, const clang::ReturnStmt *Dup) const;
  /// What goes right after the function's closing brace (the end of its
  /// `__func__`), or "".
  std::string after() const;
  /// The `return` statement directly after Marker (a taskwait's), if any.
  const clang::ReturnStmt *returnAfter(const clang::Stmt *Marker) const;

private:
  /// A call of a clone: the name to replace and what goes after its '('.
  struct CallEdit {
    unsigned NameOff, NameLen, ArgsOff;
    std::string Name, Args;
  };
  struct Guard {
    std::string Cond, Value; // Value "" for `return;`
  };

  clang::ASTContext &Ctx;
  clang::Rewriter &RW;
  const SourceText &Src;
  const CaptureStruct &Caps;
  /// The cloned functions (canonical declarations), with the offset of the
  /// line their definition starts on (their declarations go there).
  llvm::DenseMap<const clang::FunctionDecl *, unsigned> Clones;

  // The function being rewritten.
  const clang::FunctionDecl *Fn = nullptr;
  const FunctionRegions *FR = nullptr;
  const Region *Slot = nullptr; // the task the waits may take, or null
  bool NamesItself = false;     // `__func__` and its kin in the body
  std::vector<Guard> Guards;
  std::unique_ptr<clang::ParentMap> Parents;
  llvm::DenseSet<const clang::VarDecl *> Written;
  llvm::DenseMap<const clang::NamedDecl *, const clang::DeclStmt *> DeclOf;
  std::vector<const clang::NamedDecl *> Locals; // declared in the body
  // The slot task's statement (describeSlot): the names it uses, the
  // declarations it refers to, its text as a take copies it.
  llvm::StringSet<> SlotNames;
  llvm::DenseSet<const clang::Decl *> SlotRefs;
  std::string SlotText;

  bool cloneable(const clang::FunctionDecl *FD) const;
  std::vector<Guard> guards(const clang::FunctionDecl *FD) const;
  /// E's text in the file, its macros' invocations whole.
  clang::CharSourceRange charRange(const clang::Expr *E) const;
  std::string exprText(const clang::Expr *E) const;
  void describeSlot(const Region &D);
  std::string at(const clang::FunctionDecl *FD) const;
  std::string body(const clang::FunctionDecl *FD) const;
  std::vector<CallEdit> calls(const clang::Stmt *Root) const;
  void scanBody();
  bool slotTakable(const Region &D) const;
  bool insideLoop(const clang::Stmt *S) const;
  bool visibleAt(const clang::NamedDecl *ND, unsigned W) const;
  bool usableAsIs(const clang::VarDecl *V, unsigned W) const;
};

} // namespace ws

#endif // WS_PLUGIN_CONVENTION_H
