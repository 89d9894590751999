//===- Directive.h - `#pragma ws` handler and the Directive model -*- C++ -*-=//
//
// The pragma handler reads one `#pragma ws ...` line (or `_Pragma("ws ...")`),
// checks its syntax, and records what was asked in a `Directive`.  During the
// analysis parse it also injects a marker call
//
//     __ws_marker(ID, &(var1), &(var2), ..., (expr1), (expr2), ...);
//
// so that Sema resolves the listed variables and type-checks the clause
// expressions at their own columns, and so that the AST shows where the
// directive stands.  The marker exists only in the analysis parse.
//
//===----------------------------------------------------------------------===//
#ifndef WS_PLUGIN_DIRECTIVE_H
#define WS_PLUGIN_DIRECTIVE_H

#include "clang/Basic/SourceLocation.h"
#include "clang/Lex/Pragma.h"
#include "clang/Lex/Token.h"
#include "llvm/ADT/STLExtras.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace clang {
class LangOptions;
class Preprocessor;
class SourceManager;
} // namespace clang

namespace ws {

class Diagnostics;

/// The tier names of `priority(name)`, lowest first: the index is the tier
/// (WS_TIER_LOW 0 ... WS_TIER_CRITICAL 3), Macro its name in ws.h.
struct TierName {
  const char *Word;
  const char *Macro;
};
inline constexpr TierName TierNames[] = {{"low", "WS_TIER_LOW"},
                                         {"normal", "WS_TIER_NORMAL"},
                                         {"high", "WS_TIER_HIGH"},
                                         {"critical", "WS_TIER_CRITICAL"}};

enum class DirectiveKind {
  Task,
  Taskwait,
  Taskgroup,
  ParallelFor,
  Yield,
  CancelTaskgroup,
  CancellationPoint,
};

/// "task", "parallel for", "cancel taskgroup"...
llvm::StringRef spelling(DirectiveKind K);

enum class DefaultKind { Unspecified, Firstprivate, Shared, None };

/// How a listed variable reaches the task.
enum class Sharing { Shared, Firstprivate, Private, Reduction };
llvm::StringRef spelling(Sharing S);

/// The tokens of a clause argument, kept both as tokens (for the marker) and
/// as spellings (to be written back as text in the rewrite).
struct ClauseExpr {
  std::vector<clang::Token> Tokens;
  std::vector<std::string> Spellings;
  std::vector<bool> LeadingSpace;
  clang::SourceLocation Loc;

  bool present() const { return !Tokens.empty(); }
  /// The spellings joined, with a space where the source had one.
  std::string text() const;
};

/// A variable named in a data-sharing or reduction clause.  On a
/// distributed task, `shared(a[i])` names one element (Index) and
/// `firstprivate(a[lo:len])` a section (Index = lo, Len).
struct VarItem {
  std::string Name;
  clang::SourceLocation Loc;
  Sharing Kind;
  std::string ReductionOp; // only for Sharing::Reduction
  ClauseExpr Index, Len;

  bool isElement() const { return Index.present() && !Len.present(); }
  bool isSection() const { return Len.present(); }
};

/// A `depend(kind: item)` entry; `a[lo:len]` sections set Lo and Len.
struct DependItem {
  int Kind = 0; // WS_DEP_IN / OUT / INOUT values: 1, 2, 3
  ClauseExpr Base, Lo, Len;
  bool IsSection = false;
};

enum class ScheduleKind { Auto, Dynamic, Static };

/// What one directive asked for.  Filled by the pragma handler.
struct Directive {
  unsigned ID = 0;
  DirectiveKind Kind = DirectiveKind::Task;
  clang::SourceLocation Loc;     // '#' of #pragma, or the _Pragma keyword
  clang::SourceLocation NameLoc; // the directive name ("task")
  /// The text to remove, as file offsets of the main file: the #pragma line
  /// (without its newline) or the macro invocation that produced _Pragma.
  unsigned TextBegin = 0, TextEnd = 0;
  bool FromMacro = false;
  /// The directive as written after `#pragma`, escaped for a C string
  /// literal: `ws task shared(a)` (to spell it as `_Pragma("...")`).
  std::string PragmaText;
  bool Valid = false;     // syntax checked without errors
  bool HasMarker = false; // a marker call was injected

  // Task and parallel-for clauses.
  std::optional<int> Tier; // priority(low|normal|high|critical)
  ClauseExpr PriorityExpr; // priority(expr)
  std::vector<VarItem> Vars;
  DefaultKind Default = DefaultKind::Unspecified;
  ClauseExpr If, Final, Timeout;
  ClauseExpr Handle;             // handle(h): h names a ws_handle
  std::string Requires, Prefers; // requires(a, b): "a,b" (capability names)
  std::string Label; // name("...") as a C string literal, quotes included
  std::vector<DependItem> Depends;
  bool Untied = false, Mergeable = false;
  /// `distributed`: any rank of an MPI job may run the task (libws-mpi);
  /// its captures travel by value and its shared items are results.
  bool Distributed = false;
  clang::SourceLocation DistributedLoc;

  // parallel for only (lowered by LoopLowering).
  ClauseExpr Grainsize, NumTasks;
  ScheduleKind Schedule = ScheduleKind::Auto;

  /// Expressions placed in the marker after the variables, in this order.
  std::vector<const ClauseExpr *> markerExprs() const;
  /// Whether a task's spawn needs ws_spawn_ex's options (a clause other
  /// than priority, name and the data-sharing ones).
  bool needsSpawnOptions() const {
    return If.present() || Final.present() || Timeout.present() ||
           Handle.present() || !Requires.empty() || !Prefers.empty() ||
           !Depends.empty();
  }
};

/// Offsets of braces and of ws directives in the main file, found with the
/// raw lexer before any parse.
class SourceScan {
public:
  static SourceScan run(const clang::SourceManager &SM, clang::FileID FID,
                        const clang::LangOptions &LO);

  /// Whether the file contains `#pragma ws` or any `_Pragma`.
  bool mayHaveDirectives() const { return MayHaveDirectives; }

  /// Brace nesting depth at a file offset (0 = file scope).
  int braceDepthAt(unsigned Offset) const;

  /// Whether the code token before Offset ends the head of a statement that
  /// expects a sub-statement (`if (...)`, `while (...)`, `for (...)`, `else`,
  /// `do`): a directive there is that statement's body.
  bool startsSubstatement(unsigned Offset) const;

private:
  bool MayHaveDirectives = false;
  std::vector<std::pair<unsigned, int>> Braces; // offset, +1 or -1
  /// Offsets of the code tokens (outside preprocessor lines) that can end a
  /// statement head, and of every other code token (false).
  std::vector<std::pair<unsigned, bool>> HeadEnds;
};

/// What the macro invocations of the main file expanded to, in the order
/// the parser received it: spelled tokens and ws directives, each with the
/// offset of the outermost invocation it came from.  A ws directive whose
/// invocation also produced code (`SPAWN(a++;)` with `#define SPAWN(s)
/// _Pragma("ws task") s`) is rewritten after spelling the invocation out
/// (see RewriteAction.cpp).
class MacroLog {
public:
  struct Piece {
    unsigned Invocation = 0;
    std::string Text;         // a token's spelling
    int Directive = -1;       // or the ID of a ws directive
    bool Unspellable = false; // a token or pragma that respelling would change
  };

  void token(unsigned Invocation, std::string Text, bool Unspellable) {
    if (Skip) {
      --Skip; // a token of a marker call we injected
      return;
    }
    Pieces.push_back({Invocation, std::move(Text), -1, Unspellable});
  }
  /// A ws directive; the next MarkerTokens tokens are its marker call.
  void directive(unsigned Invocation, unsigned ID, unsigned MarkerTokens) {
    Pieces.push_back({Invocation, "", static_cast<int>(ID), false});
    Skip = MarkerTokens;
  }
  /// Another pragma (`_Pragma("GCC ...")`): it has no token to respell.
  void otherPragma(unsigned Invocation) {
    Pieces.push_back({Invocation, "", -1, true});
  }
  const std::vector<Piece> &pieces() const { return Pieces; }

private:
  std::vector<Piece> Pieces;
  unsigned Skip = 0;
};

/// Macro invocations (in a task or loop) that the rewrite needs as text --
/// a captured variable used inside a macro body, a `return` from a macro
/// body, a loop header from a macro -- to be spelled out and the file
/// analysed again (RewriteAction.cpp).
struct SpellOut {
  struct Request {
    unsigned Begin, End;       // the outermost invocation, as offsets
    clang::SourceLocation Loc; // where the error goes if it cannot be done
    unsigned DiagKind;         // a ws::Diag
    std::string Name, Macro;   // its arguments, if any
  };
  /// A task or taskgroup directly followed by another directive: the
  /// directive becomes `_Pragma("ws ...") {` and `}` goes after the inner
  /// directive's statement (at End).
  struct Wrap {
    unsigned Begin, End; // the outer directive's text
    unsigned Directive;  // its ID
    unsigned Close;      // where `}` goes
  };
  bool Allowed = false;
  std::vector<unsigned> Unspellable; // invocations respelling would change
  std::vector<Request> Requests;
  std::vector<Wrap> Wraps;

  /// Records the request if it can be honoured; false: report the error.
  bool request(unsigned Begin, unsigned End, clang::SourceLocation Loc,
               unsigned DiagKind, std::string Name = "",
               std::string Macro = "") {
    if (!Allowed || llvm::is_contained(Unspellable, Begin))
      return false;
    Requests.push_back(
        {Begin, End, Loc, DiagKind, std::move(Name), std::move(Macro)});
    return true;
  }
};

/// Every directive of one translation unit, indexed by ID.
class DirectiveTable {
public:
  MacroLog &macros() { return Macros; }
  SpellOut &spellOut() { return Spell; }
  /// The inactive branches of conditionals in the main file, as offsets
  /// [begin, end) (a directive may be followed by them).
  std::vector<std::pair<unsigned, unsigned>> &skippedRanges() {
    return Skipped;
  }
  Directive &add() {
    All.emplace_back();
    All.back().ID = All.size() - 1;
    return All.back();
  }
  Directive *get(unsigned ID) { return ID < All.size() ? &All[ID] : nullptr; }
  std::vector<Directive> &all() { return All; }

private:
  std::vector<Directive> All;
  MacroLog Macros;
  SpellOut Spell;
  std::vector<std::pair<unsigned, unsigned>> Skipped;
};

/// Whether an identifier names something declared where the directive
/// stands (a variable, an enumerator, a function...).
using NameLookup = std::function<bool(clang::IdentifierInfo *)>;

/// `#pragma ws` handler for the analysis parse: parses, records, injects the
/// marker call.
class WsPragmaHandler : public clang::PragmaHandler {
public:
  /// IsDeclared (may be empty) tells `priority(hi)` with a variable `hi`
  /// from a misspelt tier name.
  WsPragmaHandler(DirectiveTable &Table, Diagnostics &Diags,
                  NameLookup IsDeclared = {});

  void HandlePragma(clang::Preprocessor &PP, clang::PragmaIntroducer Intro,
                    clang::Token &FirstToken) override;

private:
  DirectiveTable &Table;
  Diagnostics &Diags;
  NameLookup IsDeclared;
  std::optional<SourceScan> Scan; // computed at the first pragma
};

/// `#pragma ws` handler for a compile whose directives were already rewritten:
/// any directive still seen came from somewhere the rewrite cannot reach.
class UnrewrittenPragmaHandler : public clang::PragmaHandler {
public:
  UnrewrittenPragmaHandler();
  void HandlePragma(clang::Preprocessor &PP, clang::PragmaIntroducer Intro,
                    clang::Token &FirstToken) override;
};

/// Name of the marker function declared in the analysis parse.
inline constexpr const char *MarkerName = "__ws_marker";

} // namespace ws

#endif // WS_PLUGIN_DIRECTIVE_H
