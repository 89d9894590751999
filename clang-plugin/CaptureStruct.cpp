//===- CaptureStruct.cpp - The capture struct of a task or loop -----------===//
#include "CaptureStruct.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "llvm/Support/raw_ostream.h"

using namespace clang;

namespace ws {

CaptureStruct::CaptureStruct(ASTContext &Ctx)
    : Ctx(Ctx), Policy(Ctx.getPrintingPolicy()) {
  Policy.SuppressTagKeyword = false;
}

std::string CaptureStruct::declare(QualType T, llvm::StringRef Name) const {
  std::string S;
  llvm::raw_string_ostream OS(S);
  T.print(OS, Policy, Name);
  return OS.str();
}

bool CaptureStruct::isVM(const Capture &C) {
  return (C.Mode == CaptureMode::VlaPointer || C.Mode == CaptureMode::Copy) &&
         C.Var->getType()->isVariablyModifiedType();
}

std::string CaptureStruct::fields(llvm::ArrayRef<Capture> Caps,
                                  unsigned *Count) const {
  std::string S;
  unsigned Fields = 0;
  for (const Capture &C : Caps) {
    QualType T = C.Var->getType();
    std::string Name = C.Var->getName().str();
    if (isVM(C)) {
      S += vmField(C);
      ++Fields;
      continue;
    }
    switch (C.Mode) {
    case CaptureMode::Copy:
      S += " " + declare(T.getUnqualifiedType(), Name) + ";";
      break;
    case CaptureMode::CopyArray: {
      Qualifiers Q;
      S += " " + declare(Ctx.getUnqualifiedArrayType(T, Q), Name) + ";";
      break;
    }
    case CaptureMode::Pointer:
    case CaptureMode::VlaPointer:
      S += " " + declare(Ctx.getPointerType(T), Name) + ";";
      break;
    case CaptureMode::Private:
      continue;
    }
    ++Fields;
  }
  if (Count)
    *Count = Fields;
  return S;
}

CaptureInit CaptureStruct::init(llvm::ArrayRef<Capture> Caps,
                                const Region *Outer,
                                const std::string &Cap) const {
  CaptureInit I;
  for (const Capture &C : Caps) {
    std::string Name = C.Var->getName().str();
    std::string Acc = accessIn(C.Var, Outer);
    if (isVM(C)) {
      I.Designators.push_back(vmInit(C, Acc));
      I.AnyVM = true;
      continue;
    }
    switch (C.Mode) {
    case CaptureMode::Copy:
      I.Designators.push_back("." + Name + " = " + Acc);
      break;
    case CaptureMode::Pointer:
    case CaptureMode::VlaPointer:
      I.Designators.push_back("." + Name + " = &" + Acc);
      break;
    case CaptureMode::CopyArray:
      I.ArrayCopies.push_back("__builtin_memcpy(" + Cap + "." + Name + ", " +
                              Acc + ", sizeof " + Cap + "." + Name + ")");
      break;
    case CaptureMode::Private:
      I.Privates.push_back(Acc);
      break;
    }
  }
  return I;
}

CaptureLocals CaptureStruct::locals(llvm::ArrayRef<Capture> Caps) const {
  CaptureLocals L;
  for (const Capture &C : Caps) {
    QualType T = C.Var->getType();
    std::string Name = C.Var->getName().str();
    if (isVM(C)) {
      L.Decls += vmLocal(C);
      L.Voids += C.Mode == CaptureMode::Copy ? " (void)" + Name + ";"
                                             : " (void)__ws_v_" + Name + ";";
      continue;
    }
    switch (C.Mode) {
    case CaptureMode::Copy:
      L.Decls += " " + declare(T, Name) + " = __ws_c->" + Name + ";";
      L.Voids += " (void)" + Name + ";";
      break;
    case CaptureMode::CopyArray: {
      Qualifiers Q;
      L.Decls += " " + declare(Ctx.getUnqualifiedArrayType(T, Q), Name) + ";";
      L.ArrayCopies += " __builtin_memcpy(" + Name + ", __ws_c->" + Name +
                       ", sizeof " + Name + ");";
      break;
    }
    case CaptureMode::Private:
      L.Decls += " " + declare(T.getUnqualifiedType(), Name) + ";";
      L.Voids += " (void)" + Name + ";";
      break;
    case CaptureMode::Pointer:
    case CaptureMode::VlaPointer:
      break;
    }
  }
  return L;
}

std::string CaptureStruct::vmDeclare(QualType T, std::string Name,
                                     const std::string &Dims,
                                     unsigned &K) const {
  // Declarators inside out: `x` -> `x[d0]` -> `(*x)[d0]`...
  while (true) {
    if (const ArrayType *AT = Ctx.getAsArrayType(T)) {
      std::string Size;
      if (const auto *CAT = dyn_cast<ConstantArrayType>(AT))
        Size = std::to_string(CAT->getSize().getZExtValue());
      else if (isa<VariableArrayType>(AT))
        Size = Dims + "[" + std::to_string(K++) + "]";
      Name += "[" + Size + "]";
      T = AT->getElementType();
    } else if (const auto *PT = T->getAs<PointerType>()) {
      std::string Q = T.getLocalQualifiers().getAsString();
      Name = "*" + (Q.empty() ? "" : Q + " ") + Name;
      if (Ctx.getAsArrayType(PT->getPointeeType()))
        Name = "(" + Name + ")";
      T = PT->getPointeeType();
    } else {
      return declare(T, Name);
    }
  }
}

std::string CaptureStruct::vmField(const Capture &C) const {
  std::string Name = C.Var->getName().str();
  return " void *" + Name + "; size_t __ws_d_" + Name + "[" +
         std::to_string(vlaBounds(Ctx, C.Var->getType())) + "];";
}

std::string CaptureStruct::vmInit(const Capture &C,
                                  const std::string &Acc) const {
  // Each VLA bound, as sizeof sees it (the bounds fixed at the variable's
  // declaration): sizeof E / sizeof E[0] at an array level, then E[0]; *E
  // at a pointer level.
  std::string Name = C.Var->getName().str();
  std::string Dims;
  QualType T = C.Var->getType();
  std::string E = "(" + Acc + ")";
  while (true) {
    if (const ArrayType *AT = Ctx.getAsArrayType(T)) {
      if (isa<VariableArrayType>(AT))
        Dims += " sizeof " + E + " / sizeof " + E + "[0],";
      E = "(" + E + "[0])";
      T = AT->getElementType();
    } else if (const auto *PT = T->getAs<PointerType>()) {
      E = "(*" + E + ")";
      T = PT->getPointeeType();
    } else {
      break;
    }
  }
  std::string Addr = C.Mode == CaptureMode::VlaPointer ? "&" + Acc : Acc;
  return "." + Name + " = (void *)" + Addr + ", .__ws_d_" + Name + " = {" +
         Dims + " }";
}

std::string CaptureStruct::vmLocal(const Capture &C) const {
  std::string Name = C.Var->getName().str();
  QualType T = C.Var->getType();
  std::string Local = Name;
  if (C.Mode == CaptureMode::VlaPointer) {
    T = Ctx.getPointerType(T);
    Local = "__ws_v_" + Name;
  }
  unsigned K = 0;
  return " " + vmDeclare(T, Local, "__ws_c->__ws_d_" + Name, K) +
         " = __ws_c->" + Name + ";";
}

} // namespace ws
