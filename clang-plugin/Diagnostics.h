//===- Diagnostics.h - Every message the ws plugin can print ---*- C++ -*-===//
//
// All diagnostic texts live in Diagnostics.cpp so that wording stays
// consistent and tests can find them in one place.  Messages go through the
// DiagnosticsEngine of the parse that found the problem, so they come out in
// Clang's usual `file:line:col: error: ...` form and count as errors for the
// compiler's exit status.
//
//===----------------------------------------------------------------------===//
#ifndef WS_PLUGIN_DIAGNOSTICS_H
#define WS_PLUGIN_DIAGNOSTICS_H

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/SourceLocation.h"

namespace ws {

enum class Diag {
  // Pragma syntax.
  MissingDirective,
  UnknownDirective,
  UnknownDirectiveSuggest,
  ExpectedSecondWord,
  ExpectedClause,
  UnknownClause,
  UnknownClauseSuggest,
  ClauseNotAllowed,
  ClauseRepeated,
  ClauseTakesNoArguments,
  ExpectedLParen,
  ExpectedRParen,
  ExpectedCommaOrRParen,
  ExpectedExpression,
  ExpectedVariable,
  ExpectedStringLiteral,
  BadArgument,
  BadArgumentSuggest,
  PriorityType,
  ExpectedColon,
  ExpectedRSquare,
  ItemNeedsDistributed,
  NotWithDistributed,
  VarListedTwice,
  VarInTwoClauses,
  DirectiveOutsideFunction,
  DirectiveNotInC,
  DirectiveNotRewritten,
  // Placement.
  ExpectedStatement,
  FollowedByDirective,
  FollowedByDeclaration,
  TaskgroupNeedsCompound,
  StandaloneAsSubstatement,
  MacroDirectiveWrapsStatement,
  MacroDirectiveWithCode,
  // Jumps.
  JumpReturn,
  JumpBreak,
  JumpContinue,
  JumpGotoOut,
  JumpGotoIn,
  JumpIndirectGoto,
  // Captures.
  NotAVariable,
  VlaByValue,
  VariablyModified,
  DefaultNoneUnlisted,
  LocalType,
  SharedInMacroBody,
  ReturnInMacro,
  CancellationPointOutsideTask,
  LostWrite,
  DistributedPointer,
  DistributedVla,
  DistributedByAddress,
  DistributedElementUse,
  DistributedElementInTask,
  DistributedLocalType,
  // parallel for (LoopLowering).
  LoopExpected,
  LoopInMacro,
  LoopInit,
  LoopVarType,
  LoopVarNotLocal,
  LoopCondition,
  LoopBoundVariant,
  LoopIncrement,
  LoopVarModified,
  LoopBoundModified,
  LoopGrainAndNumTasks,
  LoopReductionType,
  LoopReductionFloatOp,
  LoopReductionOnVar,
  // Notes.
  NoteDirectiveHere,
  NoteLostWriteFix,
  NoteLabelHere,
};

/// Reports ws diagnostics through a DiagnosticsEngine.
class Diagnostics {
public:
  explicit Diagnostics(clang::DiagnosticsEngine &Engine) : Engine(Engine) {}

  /// Starts a diagnostic; stream its %0, %1... arguments into the result.
  clang::DiagnosticBuilder report(clang::SourceLocation Loc, Diag D);

  /// Adds the usual note pointing at a directive ("'#pragma ws task' is
  /// here").
  void noteDirective(clang::SourceLocation Loc, llvm::StringRef Directive);

  /// Errors reported through this object (directive errors, as opposed to
  /// errors Clang found in the code).
  unsigned ownErrors() const { return OwnErrors; }
  clang::DiagnosticsEngine &engine() { return Engine; }

private:
  clang::DiagnosticsEngine &Engine;
  unsigned OwnErrors = 0;
};

/// The lost-write warning (on by default; -fplugin-arg-ws-no-lost-write,
/// ws-rewrite -no-lost-write).
extern bool WarnLostWrites;

/// The closest candidate to `Word` (edit distance), or "" if none is close.
llvm::StringRef closestMatch(llvm::StringRef Word,
                             llvm::ArrayRef<llvm::StringRef> Candidates);

} // namespace ws

#endif // WS_PLUGIN_DIAGNOSTICS_H
