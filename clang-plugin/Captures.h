//===- Captures.h - Which variables a task uses and how it gets them -*- C++
//-*-=//
//
// The capture rules (docs: pragmas.md, plugin.md):
//   shared(x), default(shared), static/extern locals -> by address
//   other locals and parameters read by the task     -> copied at spawn
//   constant-size arrays                             -> copied whole
//   private(x)                                       -> uninitialised copy
//   variably modified (VLAs, pointers to VLAs)       -> shared, or a
//                                                       pointer copied
//   globals, variables declared inside the task      -> not captured
//
//===----------------------------------------------------------------------===//
#ifndef WS_PLUGIN_CAPTURES_H
#define WS_PLUGIN_CAPTURES_H

#include "clang/AST/Type.h"
#include "clang/Basic/SourceLocation.h"

#include <optional>
#include <string>
#include <vector>

namespace clang {
class ASTContext;
class Expr;
class QualType;
class Stmt;
class SourceLocation;
class VarDecl;
} // namespace clang

namespace ws {

class Diagnostics;
enum class Sharing;
struct VarItem;
class SourceText;
struct Region;

enum class CaptureMode {
  Copy,       // the struct holds a copy; the task declares a local copy
  CopyArray,  // same, for a constant-size array (copied with memcpy)
  Pointer,    // the struct holds &x; uses become (*__ws_c->x)
  VlaPointer, // variably modified, shared: the struct holds its address
              // and its VLA bounds (CaptureStruct::vmField)
  Private,    // nothing passed; the task declares an uninitialised local
};

struct Capture {
  const clang::VarDecl *Var;
  CaptureMode Mode;
  /// A copy only because locals are firstprivate by default (not listed,
  /// no default clause): a write to it is lost when the task ends.
  bool ByDefault = false;
  /// Distributed task: `shared(x)`, a copy whose final value is written
  /// back at the spawner's x (a result).
  bool Result = false;
  /// A task nested in a distributed task: the result element `a[i]` of
  /// that task which this capture stands for (Var is then the element's
  /// local copy there, ItemCapture::Local), else null.
  const struct ItemCapture *Element = nullptr;
};

/// Distributed task: `shared(a[i])`, one element of a that is a result
/// (copied in, written back), or `firstprivate(a[lo:len])`, a section of a
/// (an array or a pointer) copied into the capture bytes.  a itself is not
/// captured.
struct ItemCapture {
  const clang::VarDecl *Var;
  const VarItem *Item;
  /// Elements: how many elements of Var come before this one in the
  /// clauses (`shared(a[i], a[j])`: 0 and 1), for a name of its own.
  unsigned Nth = 0;
  /// Elements: the element's local copy in the task's outlined function
  /// (`__ws_r_a`), as a variable that the AST does not hold, made for the
  /// tasks nested in this one: in their bodies `a[i]` is that variable,
  /// shared or copied by their own clauses as a variable `a` would be.
  const clang::VarDecl *Local = nullptr;
};

/// Decides the captures of a task region.
class CaptureAnalyzer {
public:
  CaptureAnalyzer(clang::ASTContext &Ctx, Diagnostics &Diags,
                  const SourceText &Src)
      : Ctx(Ctx), Diags(Diags), Src(Src) {}

  /// Fills R.Captures; returns false after reporting errors.
  bool analyze(Region &R);

private:
  /// The by-value rules of a distributed task for a capture of V in Mode
  /// (not an element or section); false after an error.
  bool checkDistributed(const Region &R, const clang::VarDecl *V,
                        clang::SourceLocation Use, CaptureMode Mode);
  /// ItemCapture::Local of the Nth element of V, of type Elem, of the
  /// distributed task R.
  const clang::VarDecl *elementLocal(const Region &R, const clang::VarDecl *V,
                                     clang::QualType Elem, unsigned Nth);
  clang::ASTContext &Ctx;
  Diagnostics &Diags;
  const SourceText &Src;
};

/// Whether a value of type T holds a pointer (a pointer, or a struct,
/// union or array with one inside): 1 it is one, 2 it holds one, else 0.
int holdsPointer(const clang::ASTContext &Ctx, clang::QualType T);

/// The element type of an array or pointer (a section's), else null.
clang::QualType elementType(const clang::ASTContext &Ctx, clang::QualType T);

/// Whether a type can be spelled at file scope, before the enclosing
/// function (where capture structs go): no function-local or anonymous types.
bool nameableAtFileScope(clang::QualType T);

/// The VLA bounds of a variably modified type, reached through arrays and
/// pointers; the type under them (Base) must not be variably modified for
/// a capture to be possible.
unsigned vlaBounds(clang::ASTContext &Ctx, clang::QualType T,
                   clang::QualType *Base = nullptr);

/// The capture mode of a variably modified variable whose mode would be
/// Mode, or none (then an error): shared -> VlaPointer, a copied pointer ->
/// Copy; a VLA cannot be copied, nor made private.
std::optional<CaptureMode> vmMode(clang::ASTContext &Ctx, clang::QualType T,
                                  CaptureMode Mode);

/// The capture mode of a local variable that Kind shares: shared -> Pointer,
/// private -> Private, firstprivate -> Copy.
CaptureMode modeOf(Sharing Kind);

/// The capture mode of V, a global or a static or extern local, listed as
/// Kind (none: not listed), or none when the region uses it directly.
std::optional<CaptureMode> staticMode(const clang::VarDecl *V,
                                      std::optional<Sharing> Kind);

/// The final mode of a capture of V that the sharing rules made Mode, for
/// the task or loop region R: a variably modified V takes its vmMode; else
/// Mirror when given (a loop keeping the mode of its enclosing task's
/// capture); else a copied constant-size array is CopyArray.  The type must
/// be nameable at file scope.  None after reporting the error at Use, with
/// a note at R's directive.
std::optional<CaptureMode>
settleMode(clang::ASTContext &Ctx, Diagnostics &Diags, const Region &R,
           const clang::VarDecl *V, clang::SourceLocation Use, CaptureMode Mode,
           std::optional<CaptureMode> Mirror = std::nullopt);

/// The variable whose storage an lvalue designates (`x`, `s.f`, `a[i]` of an
/// array `a`), or null (`*p`, `p[i]`, `p->f`).
const clang::VarDecl *storageVar(const clang::Expr *E);

/// A variable a region names, where it first does.
struct Use {
  const clang::VarDecl *Var;
  clang::SourceLocation Loc;
};

/// The variables S names, each once, in order of first appearance (the
/// candidates for capture of a task or loop body).
std::vector<Use> collectUses(const clang::Stmt *S);

/// The variable named by a directive marker's argument `&(x)` (a listed
/// variable), an element's `&(a)[(i)]` or a section's `&(a)[(lo)] + 0 *
/// (len)` (Subscripted), or null.
const clang::VarDecl *listedVar(const clang::Expr *E, bool Subscripted = false);

/// The variable that item I of R's directive lists (its marker argument,
/// resolved by Sema), or null after reporting that the item names none.
const clang::VarDecl *listedVarOrReport(const Region &R, size_t I,
                                        Diagnostics &Diags);

/// The capture of V in region R (a task or loop body), or null.
const Capture *findCapture(const Region *R, const clang::VarDecl *V);

/// Whether the region reaches the variable through a pointer in its struct.
bool isByAddress(const Capture *C);

/// How outlined code names a by-address capture: `(*__ws_c->x)`.
std::string viaPointer(const Capture &C);

/// How code in the context of Task (null: the function) names V: through
/// the pointer of a by-address capture, else by its name.
std::string accessIn(const clang::VarDecl *V, const Region *Task);

} // namespace ws

#endif // WS_PLUGIN_CAPTURES_H
