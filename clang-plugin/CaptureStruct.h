//===- CaptureStruct.h - The capture struct of a task or loop --*- C++ -*-===//
//
// A task or a parallel for passes its captures (Captures.h) in a struct
// `struct __ws_cap_N`, declared before the enclosing function, built where
// the task is spawned (or the loop set up), and read by the outlined code
// through `struct __ws_cap_N *__ws_c`.  This class writes the parts that
// depend on the captures alone; the Outliner (tasks) and LoopLowering
// (loops) place them and add their own fields.  For `int x` copied,
// `int a[4]` copied whole, `int s` and the VLA `int v[n]` shared, and `int p`
// private, the shapes are:
//
//   fields():       int x; int a[4]; int *s;
//                   void *v; size_t __ws_d_v[1];
//   init(), at the spawn (Cap: the struct being built):
//     Designators   .x = x   .s = &s
//                   .v = (void *)&v, .__ws_d_v = { sizeof (v) / sizeof (v)[0],
//                   }
//     ArrayCopies   __builtin_memcpy(Cap.a, a, sizeof Cap.a)
//     Privates      p  (to keep it referenced where it was declared)
//   locals(), in the outlined code:
//     Decls         int x = __ws_c->x; int a[4]; int p;
//                   int (*__ws_v_v)[__ws_c->__ws_d_v[0]] = __ws_c->v;
//     ArrayCopies   __builtin_memcpy(a, __ws_c->a, sizeof a);
//     Voids         (void)x; (void)p; (void)__ws_v_v;
//
// A shared capture s is used in place as `(*__ws_c->s)` (Captures.h:
// viaPointer); a copied pointer to a VLA rebuilds its type from the bounds
// the same way (`int (*q)[__ws_c->__ws_d_q[0]] = __ws_c->q;`).
//
//===----------------------------------------------------------------------===//
#ifndef WS_PLUGIN_CAPTURESTRUCT_H
#define WS_PLUGIN_CAPTURESTRUCT_H

#include "Captures.h"

#include "clang/AST/PrettyPrinter.h"
#include "clang/AST/Type.h"
#include "llvm/ADT/ArrayRef.h"

#include <string>
#include <vector>

namespace clang {
class ASTContext;
} // namespace clang

namespace ws {

/// What builds the captures' part of a capture struct, each list in capture
/// order (the caller joins them in its own layout).
struct CaptureInit {
  /// Designated initializers.
  std::vector<std::string> Designators;
  /// Statements (without `;`) copying constant-size arrays into the struct.
  std::vector<std::string> ArrayCopies;
  /// The private variables, as the spawning context names them.
  std::vector<std::string> Privates;
  /// Whether a variably modified capture is among them (its bounds are read
  /// with sizeof at the spawn).
  bool AnyVM = false;
};

/// What the outlined code declares for the captures: one string each, every
/// statement with a leading space.
struct CaptureLocals {
  std::string Decls, ArrayCopies, Voids;
};

class CaptureStruct {
public:
  explicit CaptureStruct(clang::ASTContext &Ctx);

  /// ` T x;` for each capture that has a field; Count (when given) gets
  /// their number.
  std::string fields(llvm::ArrayRef<Capture> Caps,
                     unsigned *Count = nullptr) const;

  /// The captures' initializers at the spawn; Outer is the task or loop
  /// around the spawn (null: the function), Cap the struct being built.
  CaptureInit init(llvm::ArrayRef<Capture> Caps, const Region *Outer,
                   const std::string &Cap) const;

  /// The captures' local variables in the outlined code.
  CaptureLocals locals(llvm::ArrayRef<Capture> Caps) const;

  /// T spelled as a declaration of Name (`int (*p)[4]`, or the type alone
  /// for an empty Name).
  std::string declare(clang::QualType T, llvm::StringRef Name) const;

  /// Whether C's field is a variably modified one: `void *x; size_t
  /// __ws_d_x[K];` (K = the VLA bounds, read at the spawn with sizeof).
  static bool isVM(const Capture &C);

private:
  clang::ASTContext &Ctx;
  clang::PrintingPolicy Policy;

  std::string vmField(const Capture &C) const;
  std::string vmInit(const Capture &C, const std::string &Acc) const;
  std::string vmLocal(const Capture &C) const;
  /// T spelled as a declaration of Name, each VLA bound replaced by
  /// `Dims[k]`, k counting from K.
  std::string vmDeclare(clang::QualType T, std::string Name,
                        const std::string &Dims, unsigned &K) const;
};

} // namespace ws

#endif // WS_PLUGIN_CAPTURESTRUCT_H
