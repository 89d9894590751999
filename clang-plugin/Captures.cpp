//===- Captures.cpp - Which variables a task uses and how it gets them ----===//
#include "Captures.h"
#include "Diagnostics.h"
#include "Regions.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Type.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

using namespace clang;

namespace ws {
namespace {

void collectUsesInto(const Stmt *S, std::vector<Use> &Out,
                     llvm::DenseSet<const VarDecl *> &Seen) {
  if (!S)
    return;
  if (const auto *DRE = dyn_cast<DeclRefExpr>(S))
    if (const auto *VD = dyn_cast<VarDecl>(DRE->getDecl()))
      if (Seen.insert(VD).second)
        Out.push_back({VD, DRE->getLocation()});
  for (const Stmt *Child : S->children())
    collectUsesInto(Child, Out, Seen);
}

/// The result elements of variable V of the distributed tasks around R
/// (the innermost such task that has any), or none.
std::vector<const ItemCapture *> outerElements(const Region &R,
                                               const VarDecl *V) {
  std::vector<const ItemCapture *> Out;
  for (const Region *T = R.EnclosingTask; T && Out.empty();
       T = T->EnclosingTask)
    if (T->D->Distributed)
      for (const ItemCapture &E : T->Elements)
        if (E.Var == V && E.Local)
          Out.push_back(&E);
  return Out;
}

} // namespace

const VarDecl *CaptureAnalyzer::elementLocal(const Region &R, const VarDecl *V,
                                             QualType Elem, unsigned Nth) {
  // Named as Outliner::elementName names it: __ws_r_a, __ws_r1_a...
  std::string Name = "__ws_r" + (Nth ? std::to_string(Nth) : std::string()) +
                     "_" + V->getName().str();
  QualType T = Elem.getUnqualifiedType();
  auto *DC = const_cast<DeclContext *>(cast<DeclContext>(R.Fn));
  return VarDecl::Create(Ctx, DC, V->getLocation(), V->getLocation(),
                         &Ctx.Idents.get(Name), T,
                         Ctx.getTrivialTypeSourceInfo(T), SC_None);
}

const VarDecl *listedVar(const Expr *E, bool Subscripted) {
  E = E->IgnoreParenImpCasts();
  if (const auto *B = dyn_cast<BinaryOperator>(E); B && Subscripted)
    E = B->getLHS()->IgnoreParenImpCasts();
  if (const auto *U = dyn_cast<UnaryOperator>(E))
    if (U->getOpcode() == UO_AddrOf)
      E = U->getSubExpr()->IgnoreParenImpCasts();
  if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E); AS && Subscripted)
    E = AS->getBase()->IgnoreParenImpCasts();
  if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
    return dyn_cast<VarDecl>(DRE->getDecl());
  return nullptr;
}

const VarDecl *listedVarOrReport(const Region &R, size_t I,
                                 Diagnostics &Diags) {
  const VarItem &Item = R.D->Vars[I];
  const VarDecl *VD =
      I + 1 < R.Marker->getNumArgs()
          ? listedVar(R.Marker->getArg(I + 1), Item.Index.present())
          : nullptr;
  if (!VD)
    Diags.report(Item.Loc, Diag::NotAVariable)
        << Item.Name << spelling(Item.Kind);
  return VD;
}

std::vector<Use> collectUses(const Stmt *S) {
  std::vector<Use> Out;
  llvm::DenseSet<const VarDecl *> Seen;
  collectUsesInto(S, Out, Seen);
  return Out;
}

bool CaptureAnalyzer::analyze(Region &R) {
  const Directive &D = *R.D;
  bool Ok = true;
  llvm::StringRef Name = spelling(D.Kind);

  // Variables named in clauses, resolved by Sema through the marker.
  llvm::DenseMap<const VarDecl *, Sharing> Listed;
  // a[i] (several elements of one array may be listed), a[lo:len]
  llvm::DenseMap<const VarDecl *, llvm::SmallVector<const VarItem *, 2>> Items;
  for (size_t I = 0; I < D.Vars.size(); ++I) {
    const VarItem &Item = D.Vars[I];
    const VarDecl *VD = listedVarOrReport(R, I, Diags);
    if (!VD) {
      Ok = false;
      continue;
    }
    Listed[VD] = Item.Kind;
    if (Item.Index.present())
      Items[VD].push_back(&Item);
  }

  std::vector<Use> Uses = collectUses(R.Body);

  for (const Use &U : Uses) {
    const VarDecl *VD = U.Var;
    if (Src.inMain(VD->getLocation()) &&
        R.encloses(Src.offset(VD->getLocation())))
      continue; // the task's own variable
    auto It = Listed.find(VD);
    std::optional<Sharing> Kind;
    if (It != Listed.end())
      Kind = It->second;
    if (auto ItemsIt = Items.find(VD); ItemsIt != Items.end()) {
      // Distributed: an element result or a copied section; its element
      // type travels by value and is spelled before the function.
      QualType Elem = elementType(Ctx, VD->getType());
      if (int P = holdsPointer(Ctx, Elem)) {
        Diags.report(U.Loc, Diag::DistributedPointer)
            << VD->getName() << VD->getType().getAsString() << 1;
        Diags.noteDirective(D.Loc, Name);
        Ok = false;
        (void)P;
        continue;
      }
      if (!nameableAtFileScope(Elem)) {
        Diags.report(U.Loc, Diag::DistributedLocalType)
            << VD->getName() << Elem.getAsString();
        Diags.noteDirective(D.Loc, Name);
        Ok = false;
        continue;
      }
      unsigned Nth = 0;
      for (const VarItem *Item : ItemsIt->second)
        if (Item->isSection())
          R.Sections.push_back({VD, Item});
        else
          R.Elements.push_back({VD, Item, Nth, elementLocal(R, VD, Elem, Nth)}),
              ++Nth;
      continue;
    }
    // In a task nested in a distributed one, a[i] of the outer task's
    // result element is its local copy there: this task gets it as it
    // would get a variable `a` (its clauses for `a`, else the default).
    std::vector<const ItemCapture *> Outer = outerElements(R, VD);
    std::optional<CaptureMode> Mode;
    bool ByDefault = false;
    // Distributed: shared(x) is a result, copied in and written back.
    bool Result = D.Distributed && Kind == Sharing::Shared;
    if (!VD->hasLocalStorage() && Outer.empty()) {
      // A result is a copy (written back at the spawner).
      Mode = staticMode(VD, Result ? Sharing::Firstprivate : Kind);
      if (!Mode)
        continue;
    } else {
      if (!Kind) {
        switch (D.Default) {
        case DefaultKind::Shared:
          Kind = Sharing::Shared;
          break;
        case DefaultKind::None:
          Diags.report(U.Loc, Diag::DefaultNoneUnlisted) << VD->getName();
          Diags.noteDirective(D.Loc, Name);
          Ok = false;
          continue;
        default:
          Kind = Sharing::Firstprivate;
          ByDefault = D.Default == DefaultKind::Unspecified;
        }
      }
      Mode = Result ? CaptureMode::Copy : modeOf(*Kind);
    }
    if (!Outer.empty()) {
      for (const ItemCapture *E : Outer) {
        if (D.Distributed && !checkDistributed(R, E->Local, U.Loc, *Mode)) {
          Ok = false;
          break;
        }
        Capture C{E->Local, *Mode, ByDefault, Result};
        C.Element = E;
        R.Captures.push_back(C);
      }
      continue;
    }

    if (D.Distributed && !checkDistributed(R, VD, U.Loc, *Mode)) {
      Ok = false;
      continue;
    }
    Mode = settleMode(Ctx, Diags, R, VD, U.Loc, *Mode);
    if (!Mode) {
      Ok = false;
      continue;
    }
    R.Captures.push_back({VD, *Mode, ByDefault, Result});
  }
  return Ok;
}

CaptureMode modeOf(Sharing Kind) {
  return Kind == Sharing::Shared    ? CaptureMode::Pointer
         : Kind == Sharing::Private ? CaptureMode::Private
                                    : CaptureMode::Copy;
}

std::optional<CaptureMode> staticMode(const VarDecl *V,
                                      std::optional<Sharing> Kind) {
  if (Kind == Sharing::Firstprivate)
    return CaptureMode::Copy;
  if (Kind == Sharing::Private)
    return CaptureMode::Private;
  // Globals are used directly; static or extern locals are reached by
  // address, since the outlined function cannot name them.
  if (V->isFileVarDecl())
    return std::nullopt;
  return CaptureMode::Pointer;
}

std::optional<CaptureMode> settleMode(ASTContext &Ctx, Diagnostics &Diags,
                                      const Region &R, const VarDecl *V,
                                      SourceLocation Use, CaptureMode Mode,
                                      std::optional<CaptureMode> Mirror) {
  QualType T = V->getType();
  QualType Spelled = T;
  std::optional<CaptureMode> Settled = Mode;
  if (T->isVariablyModifiedType()) {
    // Shared, also when mirroring a task (whose uses became `(*__ws_v_x)`:
    // the loop declares the same name).
    Settled = vmMode(Ctx, T, Mode);
    if (!Settled)
      Diags.report(Use, Ctx.getAsArrayType(T) ? Diag::VlaByValue
                                              : Diag::VariablyModified)
          << V->getName();
    else
      vlaBounds(Ctx, T, &Spelled);
  } else if (Mirror) {
    Settled = Mirror;
  } else if (Mode == CaptureMode::Copy && T->isConstantArrayType()) {
    Settled = CaptureMode::CopyArray;
  }
  if (Settled && !nameableAtFileScope(Spelled)) {
    Diags.report(Use, Diag::LocalType) << V->getName() << T.getAsString();
    Settled = std::nullopt;
  }
  if (!Settled)
    Diags.noteDirective(R.D->Loc, spelling(R.D->Kind));
  return Settled;
}

bool CaptureAnalyzer::checkDistributed(const Region &R, const VarDecl *V,
                                       SourceLocation Use, CaptureMode Mode) {
  QualType T = V->getType();
  bool Ok = true;
  if (Mode == CaptureMode::Pointer || Mode == CaptureMode::VlaPointer) {
    Diags.report(Use, Diag::DistributedByAddress) << V->getName();
    Ok = false;
  } else if (Mode == CaptureMode::Private) {
    return true; // nothing travels
  } else if (T->isVariablyModifiedType() && Ctx.getAsArrayType(T)) {
    Diags.report(Use, Diag::DistributedVla) << V->getName();
    Ok = false;
  } else if (int P = holdsPointer(Ctx, T)) {
    Diags.report(Use, Diag::DistributedPointer)
        << V->getName() << T.getAsString() << (P == 1 ? 0 : 1);
    Ok = false;
  }
  if (!Ok)
    Diags.noteDirective(R.D->Loc, spelling(R.D->Kind));
  return Ok;
}

int holdsPointer(const ASTContext &Ctx, QualType T) {
  T = T.getCanonicalType();
  if (T->isPointerType() || T->isBlockPointerType() ||
      T->isMemberPointerType() || T->isObjCObjectPointerType() ||
      T->isNullPtrType())
    return 1;
  if (const ArrayType *AT = Ctx.getAsArrayType(T))
    return holdsPointer(Ctx, AT->getElementType()) ? 2 : 0;
  if (const auto *AT = T->getAs<AtomicType>())
    return holdsPointer(Ctx, AT->getValueType());
  if (const auto *RT = T->getAs<RecordType>())
    if (const RecordDecl *RD = RT->getDecl()->getDefinition())
      for (const FieldDecl *F : RD->fields())
        if (holdsPointer(Ctx, F->getType()))
          return 2;
  return 0;
}

QualType elementType(const ASTContext &Ctx, QualType T) {
  if (const ArrayType *AT = Ctx.getAsArrayType(T))
    return AT->getElementType();
  if (const auto *PT = T->getAs<PointerType>())
    return PT->getPointeeType();
  return QualType();
}

unsigned vlaBounds(ASTContext &Ctx, QualType T, QualType *Base) {
  unsigned K = 0;
  while (true) {
    if (const ArrayType *AT = Ctx.getAsArrayType(T)) {
      K += isa<VariableArrayType>(AT);
      T = AT->getElementType();
    } else if (const auto *PT = T->getAs<PointerType>()) {
      T = PT->getPointeeType();
    } else {
      break;
    }
  }
  if (Base)
    *Base = T;
  return K;
}

std::optional<CaptureMode> vmMode(ASTContext &Ctx, QualType T,
                                  CaptureMode Mode) {
  QualType Base;
  if (vlaBounds(Ctx, T, &Base) == 0 || Base->isVariablyModifiedType())
    return std::nullopt; // e.g. a pointer to a function with a VLA parameter
  if (Mode == CaptureMode::Pointer || Mode == CaptureMode::VlaPointer)
    return CaptureMode::VlaPointer;
  if (Mode == CaptureMode::Copy && T->getAs<PointerType>())
    return CaptureMode::Copy;
  return std::nullopt;
}

/// Whether a type can be spelled at file scope, before the enclosing function
/// (where the capture struct goes): no function-local or anonymous types.
bool nameableAtFileScope(QualType T) {
  while (true) {
    const Type *Ty = T.getTypePtr();
    if (const auto *TT = dyn_cast<TypedefType>(Ty))
      return TT->getDecl()->getDeclContext()->isFileContext();
    if (const auto *TagT = dyn_cast<TagType>(Ty)) {
      const TagDecl *TD = TagT->getDecl();
      return TD->getDeclContext()->isFileContext() &&
             (TD->getIdentifier() || TD->getTypedefNameForAnonDecl());
    }
    if (const auto *PT = dyn_cast<PointerType>(Ty)) {
      T = PT->getPointeeType();
      continue;
    }
    if (const auto *AT = dyn_cast<ArrayType>(Ty)) {
      T = AT->getElementType();
      continue;
    }
    if (const auto *FT = dyn_cast<FunctionProtoType>(Ty)) {
      for (QualType P : FT->getParamTypes())
        if (!nameableAtFileScope(P))
          return false;
      T = FT->getReturnType();
      continue;
    }
    if (const auto *FT = dyn_cast<FunctionType>(Ty)) {
      T = FT->getReturnType();
      continue;
    }
    if (isa<TypeOfExprType>(Ty) || isa<TypeOfType>(Ty))
      return false;
    if (const auto *AT = dyn_cast<AtomicType>(Ty)) {
      T = AT->getValueType();
      continue;
    }
    QualType Next = Ty->getLocallyUnqualifiedSingleStepDesugaredType();
    if (Next.getTypePtr() == Ty)
      return true; // builtin, complex, vector...
    T = Next;
  }
}

const VarDecl *storageVar(const Expr *E) {
  while (E) {
    E = E->IgnoreParens();
    if (const auto *DRE = dyn_cast<DeclRefExpr>(E))
      return dyn_cast<VarDecl>(DRE->getDecl());
    if (const auto *ME = dyn_cast<MemberExpr>(E)) {
      if (ME->isArrow())
        return nullptr;
      E = ME->getBase();
      continue;
    }
    if (const auto *AS = dyn_cast<ArraySubscriptExpr>(E)) {
      const Expr *Base = AS->getBase()->IgnoreParenImpCasts();
      if (!Base->getType()->isArrayType())
        return nullptr;
      E = Base;
      continue;
    }
    if (const auto *IC = dyn_cast<ImplicitCastExpr>(E)) {
      if (IC->getCastKind() != CK_NoOp)
        return nullptr;
      E = IC->getSubExpr();
      continue;
    }
    return nullptr;
  }
  return nullptr;
}

const Capture *findCapture(const Region *R, const clang::VarDecl *V) {
  if (!R)
    return nullptr;
  for (const Capture &C : R->Captures)
    if (C.Var == V)
      return &C;
  return nullptr;
}

bool isByAddress(const Capture *C) {
  return C && (C->Mode == CaptureMode::Pointer ||
               C->Mode == CaptureMode::VlaPointer);
}

std::string viaPointer(const Capture &C) {
  std::string Name = C.Var->getName().str();
  return C.Mode == CaptureMode::Pointer ? "(*__ws_c->" + Name + ")"
                                        : "(*__ws_v_" + Name + ")";
}

std::string accessIn(const VarDecl *V, const Region *Task) {
  const Capture *C = findCapture(Task, V);
  return isByAddress(C) ? viaPointer(*C) : V->getName().str();
}

} // namespace ws
