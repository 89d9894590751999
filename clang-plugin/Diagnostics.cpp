//===- Diagnostics.cpp - Every message the ws plugin can print ------------===//
#include "Diagnostics.h"

#include "clang/Basic/DiagnosticIDs.h"

using namespace clang;

namespace ws {
namespace {

struct Message {
  DiagnosticIDs::Level Level;
  const char *Text;
};

Message messageFor(Diag D) {
  using L = DiagnosticIDs;
  switch (D) {
  case Diag::MissingDirective:
    return {L::Error, "expected a ws directive after '#pragma ws' (task, "
                      "taskwait, taskgroup, parallel for, yield, cancel, "
                      "cancellation point)"};
  case Diag::UnknownDirective:
    return {L::Error, "unknown ws directive '%0'"};
  case Diag::UnknownDirectiveSuggest:
    return {L::Error, "unknown ws directive '%0'; did you mean '%1'?"};
  case Diag::ExpectedSecondWord:
    return {L::Error, "expected '%1' after '%0'"};
  case Diag::ExpectedClause:
    return {L::Error, "expected a clause name on '#pragma ws %0', found '%1'"};
  case Diag::UnknownClause:
    return {L::Error, "unknown clause '%0' on '#pragma ws %1'"};
  case Diag::UnknownClauseSuggest:
    return {L::Error,
            "unknown clause '%0' on '#pragma ws %1'; did you mean '%2'?"};
  case Diag::ClauseNotAllowed:
    return {L::Error, "clause '%0' is not allowed on '#pragma ws %1'"};
  case Diag::ClauseRepeated:
    return {L::Error, "clause '%0' appears more than once"};
  case Diag::ClauseTakesNoArguments:
    return {L::Error, "clause '%0' takes no arguments"};
  case Diag::ExpectedLParen:
    return {L::Error, "expected '(' after '%0'"};
  case Diag::ExpectedRParen:
    return {L::Error, "expected ')' to close '%0('"};
  case Diag::ExpectedCommaOrRParen:
    return {L::Error, "expected ',' or ')' in '%0', found '%1'"};
  case Diag::ExpectedExpression:
    return {L::Error, "expected an expression in '%0'"};
  case Diag::ExpectedVariable:
    return {L::Error, "expected a variable name in '%0'"};
  case Diag::ExpectedStringLiteral:
    return {L::Error, "expected a string literal in '%0'"};
  case Diag::BadArgument:
    return {L::Error, "invalid argument '%0' for '%1'; expected %2"};
  case Diag::BadArgumentSuggest:
    return {L::Error, "invalid argument '%0' for '%1'; did you mean '%2'?"};
  case Diag::PriorityType:
    return {L::Error, "'priority' expects a tier name or an integer "
                      "expression, not an expression of type '%0'"};
  case Diag::ExpectedColon:
    return {L::Error, "expected ':' after '%0' in '%1'"};
  case Diag::ExpectedRSquare:
    return {L::Error, "expected ']' to close the subscript in '%0'"};
  case Diag::ItemNeedsDistributed:
    return {L::Error, "'%0' in '%1': an array element or section is allowed "
                      "only on a 'distributed' task; list the array itself"};
  case Diag::NotWithDistributed:
    return {L::Error, "clause '%0' is not supported on a distributed task"};
  case Diag::VarListedTwice:
    return {L::Error, "variable '%0' is listed twice in '%1'"};
  case Diag::VarInTwoClauses:
    return {L::Error, "variable '%0' is listed in both '%1' and '%2'"};
  case Diag::DirectiveOutsideFunction:
    return {L::Error, "'#pragma ws %0' must appear inside a function body"};
  case Diag::DirectiveNotInC:
    return {L::Error, "ws directives are supported in C only"};
  case Diag::DirectiveNotRewritten:
    return {L::Error, "this '#pragma ws' was not rewritten: ws directives "
                      "must be written in the main source file (a "
                      "_Pragma from a macro defined in a header is not "
                      "supported)"};
  case Diag::ExpectedStatement:
    return {L::Error, "'#pragma ws %0' must be followed by a statement"};
  case Diag::FollowedByDirective:
    return {L::Error, "'#pragma ws %0' must be followed by a statement, not "
                      "by another directive; put the directive inside braces"};
  case Diag::FollowedByDeclaration:
    return {L::Error, "'#pragma ws %0' must be followed by a statement, not "
                      "a declaration; declare the variable before the "
                      "directive and assign it in the task"};
  case Diag::TaskgroupNeedsCompound:
    return {L::Error, "'#pragma ws taskgroup' must be followed by a compound "
                      "statement '{ ... }'"};
  case Diag::StandaloneAsSubstatement:
    return {L::Error, "'#pragma ws %0' cannot be the body of 'if', 'else', "
                      "'while', 'for' or 'do' (without the directive the "
                      "next statement would be); put it in braces"};
  case Diag::MacroDirectiveWrapsStatement:
    return {L::Error, "a ws directive produced by a macro must be followed by "
                      "a statement written outside that macro"};
  case Diag::MacroDirectiveWithCode:
    return {L::Error,
            "the expansion of macro '%0' holds a ws directive and other code, "
            "which cannot be rewritten exactly: %1; make '%0' expand to the "
            "directive alone and write the statement after it"};
  case Diag::JumpReturn:
    return {L::Error, "'return' cannot leave a %0 body"};
  case Diag::JumpBreak:
    return {L::Error, "'break' cannot leave a %0 body"};
  case Diag::JumpContinue:
    return {L::Error, "'continue' cannot leave a %0 body"};
  case Diag::JumpGotoOut:
    return {L::Error, "'goto %0' jumps out of a %1 body"};
  case Diag::JumpGotoIn:
    return {L::Error, "'goto %0' jumps into a %1 body"};
  case Diag::JumpIndirectGoto:
    return {L::Error, "computed 'goto' is not allowed in a %0 body"};
  case Diag::NotAVariable:
    return {L::Error, "'%0' in '%1' is not a variable"};
  case Diag::VlaByValue:
    return {L::Error, "variable-length array '%0' cannot be copied into a "
                      "task; list it in 'shared(%0)'"};
  case Diag::VariablyModified:
    return {L::Error, "'%0' has a variably modified type that a task cannot "
                      "capture (variable-length arrays and pointers to them "
                      "can be shared, and such pointers copied)"};
  case Diag::DefaultNoneUnlisted:
    return {L::Error, "variable '%0' must be listed in 'shared', "
                      "'firstprivate' or 'private' because of 'default(none)'"};
  case Diag::LocalType:
    return {L::Error, "a task cannot capture '%0': its type '%1' is declared "
                      "inside a function or has no name; declare the type at "
                      "file scope"};
  case Diag::SharedInMacroBody:
    return {L::Error, "'%0' is captured by address but used inside the body "
                      "of macro '%1', whose expansion cannot be spelled out "
                      "exactly (another pragma, or a name that must not "
                      "expand again, in it); pass '%0' as a macro argument "
                      "or copy it to a local"};
  case Diag::ReturnInMacro:
    return {L::Error, "'return' inside a macro body in a function that "
                      "spawns tasks: the plugin cannot add the implicit "
                      "wait there"};
  case Diag::CancellationPointOutsideTask:
    return {L::Error, "'#pragma ws cancellation point' is only allowed inside "
                      "a task body"};
  case Diag::DistributedPointer:
    return {L::Error,
            "distributed task captures '%0' of type '%1', which %select{is|"
            "holds}2 a pointer: its value means nothing on another rank "
            "(captures travel by value: scalars, pointer-free structs, "
            "fixed-size arrays, 'firstprivate(a[lo:len])' sections)"};
  case Diag::DistributedVla:
    return {L::Error,
            "distributed task captures the variable-length array '%0': only "
            "its bytes can travel; list a section 'firstprivate(%0[lo:len])'"};
  case Diag::DistributedByAddress:
    return {L::Error,
            "distributed task would reach '%0' through its address, which "
            "means nothing on another rank; list it in 'firstprivate(%0)' "
            "(a copy) or 'shared(%0)' (a result written back)"};
  case Diag::DistributedElementUse:
    return {L::Error,
            "distributed task uses '%0' other than as its result '%1' (only "
            "that element travels back)"};
  case Diag::DistributedElementInTask:
    return {L::Error,
            "result '%0' of a distributed task is named in a clause of a "
            "task nested in it, where only the body has it; list the array "
            "('shared(%1)') and use '%0' in the nested task's body"};
  case Diag::DistributedLocalType:
    return {L::Error,
            "the element type of '%0' ('%1') cannot be named before the "
            "function; declare it at file scope"};
  case Diag::LostWrite:
    return {L::Warning,
            "the task %select{assigns|modifies|takes the address of}1 '%0', "
            "its own copy (locals are firstprivate by default): the "
            "variable itself does not change [ws-lost-write]"};
  case Diag::LoopExpected:
    return {L::Error, "'#pragma ws parallel for' must be followed by a for "
                      "loop"};
  case Diag::LoopInMacro:
    return {L::Error, "the header of a parallel for loop must be written in "
                      "the source file, not produced by a macro"};
  case Diag::LoopInit:
    return {L::Error, "parallel for: the loop must initialise its induction "
                      "variable: 'for (T i = start; ...)' or 'for (i = start; "
                      "...)'"};
  case Diag::LoopVarType:
    return {L::Error, "induction variable '%0' must have an integer type of "
                      "at most 64 bits or a pointer type, not '%1'"};
  case Diag::LoopVarNotLocal:
    return {L::Error, "induction variable '%0' must be a local variable"};
  case Diag::LoopCondition:
    return {L::Error, "condition must compare the induction variable '%0' "
                      "with <, <=, >, >= or !="};
  case Diag::LoopBoundVariant:
    return {L::Error, "the loop bound must not depend on the induction "
                      "variable '%0'"};
  case Diag::LoopIncrement:
    return {L::Error, "increment must be ++, --, += or -= of '%0' by a "
                      "loop-invariant integer amount"};
  case Diag::LoopVarModified:
    return {L::Error, "loop variable '%0' modified in the body"};
  case Diag::LoopBoundModified:
    return {L::Error, "'%0' is modified in the body, but the loop's %1 uses "
                      "it: the %1 must be loop-invariant"};
  case Diag::LoopGrainAndNumTasks:
    return {L::Error, "'grainsize' and 'num_tasks' cannot both be given"};
  case Diag::LoopReductionType:
    return {L::Error, "reduction variable '%0' must have an integer or "
                      "floating type, not '%1'"};
  case Diag::LoopReductionFloatOp:
    return {L::Error, "reduction operator '%0' cannot be applied to '%1' of "
                      "floating type '%2'"};
  case Diag::LoopReductionOnVar:
    return {L::Error, "the induction variable '%0' cannot be a reduction "
                      "variable"};
  case Diag::NoteDirectiveHere:
    return {L::Note, "'#pragma ws %0' is here"};
  case Diag::NoteLostWriteFix:
    return {L::Note, "add 'shared(%0)' to write the variable itself, or "
                     "'firstprivate(%0)' to keep the copy and silence this"};
  case Diag::NoteLabelHere:
    return {L::Note, "label '%0' is here"};
  }
  return {DiagnosticIDs::Error, "internal ws diagnostic"};
}

} // namespace

bool WarnLostWrites = true;

DiagnosticBuilder Diagnostics::report(SourceLocation Loc, Diag D) {
  Message M = messageFor(D);
  // Custom warnings ignore -Werror by themselves.
  if (M.Level == DiagnosticIDs::Warning && Engine.getWarningsAsErrors())
    M.Level = DiagnosticIDs::Error;
  unsigned ID = Engine.getDiagnosticIDs()->getCustomDiagID(M.Level, M.Text);
  if (M.Level == DiagnosticIDs::Error)
    ++OwnErrors;
  return Engine.Report(Loc, ID);
}

void Diagnostics::noteDirective(SourceLocation Loc, llvm::StringRef Directive) {
  report(Loc, Diag::NoteDirectiveHere) << Directive;
}

llvm::StringRef closestMatch(llvm::StringRef Word,
                             llvm::ArrayRef<llvm::StringRef> Candidates) {
  llvm::StringRef Best;
  unsigned BestDistance = ~0u;
  // Allow about one typo per three letters, and a swapped pair in short words.
  unsigned Limit = std::max<unsigned>(2, (Word.size() + 1) / 3);
  for (llvm::StringRef C : Candidates) {
    unsigned D = Word.edit_distance(C, /*AllowReplacements=*/true, Limit);
    if (D <= Limit && D < BestDistance) {
      Best = C;
      BestDistance = D;
    }
  }
  return Best;
}

} // namespace ws
