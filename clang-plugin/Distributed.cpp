//===- Distributed.cpp - `#pragma ws task distributed` (libws-mpi) --------===//
//
// A distributed task may run on any rank of an MPI job (include/ws_mpi.h).
// Its captures travel by value (Captures.cpp checks them), its `shared(x)`
// and `shared(a[i])` items are results written back at the spawner, and
// `firstprivate(a[lo:len])` copies a section into the capture bytes.  The
// rewrite works with and without libws-mpi: the library's entry points are
// weak references (declared under names of our own, bound to the library's
// symbols by asm labels, so a program that also includes ws_mpi.h sees no
// conflict); without the library linked they are null and the task is an
// ordinary ws_spawn of a local runner, with the same result.
//
// For `#pragma ws task distributed shared(sub[i])` around `sub[i] = f(c);`
// in function g at line 12 (task 3), the shape is:
//
//   (file start)
//   struct __ws_dres { void *addr; __SIZE_TYPE__ size; };   // ws_mpi_result
//   struct __ws_dtask { const char *key; void (*fn)(void *, void *);
//                       unsigned long long id; };           // ws_mpi_task
//   extern int __ws_mpi_spawn(...) __asm__("ws_mpi_spawn_results")
//       __attribute__((weak));       // and ws_mpi_register, ws_mpi_init
//   (before g)
//   struct __ws_cap_3 { struct node c; long __ws_r_sub; };
//   struct __ws_dl_3 { struct __ws_dres __ws_res[1]; struct __ws_cap_3
//                      __ws_cap; };   // the local run: results, then bytes
//   static void __ws_task_3(void *__ws_arg, void *__ws_res);
//   static void __ws_dlocal_3(void *__ws_arg);
//   static struct __ws_dtask __ws_dtask_3 = {"f.c:12:g#3", __ws_task_3, 0};
//   __attribute__((constructor)) static void __ws_dreg_3(void) {
//     if (__ws_mpi_register) __ws_mpi_register(&__ws_dtask_3); }
//   (the spawn)
//   { struct __ws_cap_3 __ws_cap = { .c = c, .__ws_r_sub = sub[i], };
//     struct __ws_dl_3 __ws_l; __ws_l.__ws_cap = __ws_cap;
//     __ws_l.__ws_res[0].addr = &(sub[i]);
//     __ws_l.__ws_res[0].size = sizeof (sub[i]);
//     if (!__ws_mpi_spawn || __ws_mpi_spawn(F, &__ws_dtask_3,
//           &__ws_l.__ws_cap, <capture bytes>, WS_TIER_NORMAL,
//           __ws_l.__ws_res, 1) != 0)
//       ws_spawn(F, __ws_dlocal_3, &__ws_l, sizeof __ws_l, ...); }
//   (F: ws_scope_frame(&__ws_sc, &__ws_frame), or a taskgroup's &G)
//   (after g)
//   static void __ws_task_3(void *__ws_arg, void *__ws_res) {
//     struct __ws_cap_3 *__ws_c = ...; struct node c = __ws_c->c;
//     long __ws_r_sub = __ws_c->__ws_r_sub;
//     __ws_r_sub = f(c);                      // the body, sub[i] replaced
//     __builtin_memcpy((unsigned char *)__ws_res + 0, &__ws_r_sub,
//                      sizeof __ws_r_sub); }
//   static void __ws_dlocal_3(void *__ws_arg) { ... runs __ws_task_3 on a
//     buffer, then writes each result piece at its address }
//
// A task nested in the distributed one (it runs on the same rank) that
// uses `sub[i]` gets the element's local as it would get a variable `sub`:
// with `shared(sub)` its struct holds `long *__ws_r_sub = &__ws_r_sub` and
// `sub[i]` becomes `(*__ws_c->__ws_r_sub)`; by default a copy `__ws_r_sub`.
// __ws_task_3 waits for it (ws_wait_pending) before writing its results.
//
// A section `firstprivate(a[lo:len])` adds `size_t __ws_lo_a, __ws_n_a;` to
// the struct and its bytes after the struct (each section 16-byte aligned);
// the buffer is then malloc'ed, and in the task `a` is a pointer whose
// elements lo .. lo+len-1 are the copies (`T *a`, rebased by lo).  The body
// is then __ws_taskb_3(arg, res, secp), called by __ws_task_3 with secp 0
// (the copies follow the captures); when the malloc fails the spawner calls
// it at once with secp[j] = &a[lo] (the task runs in place, on the arrays
// themselves, as in the serial elision) and writes the results back itself.
//
//===----------------------------------------------------------------------===//
#include "Diagnostics.h"
#include "Outliner.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/Lex/Lexer.h"
#include "clang/Rewrite/Core/Rewriter.h"

#include <functional>

using namespace clang;

namespace ws {
namespace {

std::string withoutSpaces(llvm::StringRef S) {
  std::string Out;
  for (char C : S)
    if (!isspace(static_cast<unsigned char>(C)))
      Out += C;
  return Out;
}

} // namespace

std::string Outliner::elementName(const ItemCapture &E) {
  // `a[i]`, `a[j]`: __ws_r_a, __ws_r1_a.
  return "__ws_r" + (E.Nth ? std::to_string(E.Nth) : std::string()) + "_" +
         E.Var->getName().str();
}

std::string Outliner::itemBase(const ItemCapture &E,
                               const Region *Outer) const {
  return "(" + access(E.Var, Outer) + ")";
}

std::string Outliner::distributedPreamble() {
  // The ABI of include/ws_mpi.h (ws_mpi_result, ws_mpi_task and three entry
  // points), under our own names: see the file comment.
  return "struct __ws_dres { void *addr; __SIZE_TYPE__ size; }; "
         "struct __ws_dtask { const char *key; void (*fn)(void *, void *); "
         "unsigned long long id; }; "
         "extern int __ws_mpi_register(struct __ws_dtask *) "
         "__asm__(\"ws_mpi_register\") __attribute__((weak)); "
         "extern int __ws_mpi_spawn(void *, const struct __ws_dtask *, "
         "const void *, __SIZE_TYPE__, int, const struct __ws_dres *, int) "
         "__asm__(\"ws_mpi_spawn_results\") __attribute__((weak)); "
         "extern int __ws_mpi_init(int *, char ***) __asm__(\"ws_mpi_init\") "
         "__attribute__((weak));\n";
}

unsigned Outliner::resultCount(const Region &Task) {
  unsigned K = Task.Elements.size();
  for (const Capture &C : Task.Captures)
    K += C.Result;
  return K;
}

std::string Outliner::sectionBytes(const ItemCapture &Sec,
                                   const std::string &Cap) const {
  // Each section rounded up to 16 bytes, so the next stays aligned.
  std::string V = Sec.Var->getName().str();
  QualType Elem = elementType(Ctx, Sec.Var->getType());
  return "((" + Cap + "__ws_n_" + V + " * sizeof(" + declare(Elem, "") +
         ") + 15) & ~(size_t)15)";
}

std::string Outliner::sectionOffset(const Region &Task, size_t K,
                                    const std::string &Cap) const {
  std::string Off = "0";
  for (size_t J = 0; J < K; ++J)
    Off += " + " + sectionBytes(Task.Sections[J], Cap);
  return Off;
}

std::string Outliner::distributedDeclarations(Region &Task) {
  std::string N = id(Task);
  unsigned K = resultCount(Task);
  std::string S = " struct __ws_dl_" + N + " { struct __ws_dres __ws_res[" +
                  std::to_string(K ? K : 1) + "]; struct __ws_cap_" + N +
                  " __ws_cap; };";
  S += " static void __ws_task_" + N + "(void *__ws_arg, void *__ws_res);";
  if (!Task.Sections.empty())
    S += " static void " + bodyName(Task) +
         "(void *__ws_arg, void *__ws_res, void *const *__ws_secp);";
  S += " static void __ws_dlocal_" + N + "(void *__ws_arg);";
  // The table entry: a key that names the task the same way in every build
  // of this source ("file:line:function#directive").
  std::string Key = Src.baseName() + ":" +
                    std::to_string(Src.line(Task.D->TextBegin)) + ":" +
                    Task.Fn->getName().str() + "#" + N;
  S += " static struct __ws_dtask __ws_dtask_" + N + " = { " + quoteC(Key) +
       ", __ws_task_" + N + ", 0 };";
  S += " __attribute__((constructor)) static void __ws_dreg_" + N +
       "(void) { if (__ws_mpi_register) __ws_mpi_register(&__ws_dtask_" + N +
       "); }";
  return S;
}

std::string Outliner::distributedSpawn(Region &Task, const std::string &Frame,
                                       const std::string &Tier,
                                       const std::string &Site,
                                       const std::string &Copies) {
  const Region *Outer = Task.EnclosingTask;
  std::string N = id(Task);
  unsigned K = resultCount(Task);
  bool Heap = !Task.Sections.empty();
  std::string DL = "struct __ws_dl_" + N;
  // With sections the local-run record and the capture bytes are followed
  // by the sections' bytes: a buffer of the sum, from the heap.
  std::string L = Heap ? "(*__ws_lp)" : "__ws_l";
  std::string S;
  if (Heap) {
    S += "size_t __ws_sec = " +
         sectionOffset(Task, Task.Sections.size(), "__ws_cap.") + "; ";
    S += DL + " *__ws_lp = (" + DL + " *)__builtin_malloc(sizeof(" + DL +
         ") + __ws_sec); ";
  } else {
    S += DL + " __ws_l; ";
  }
  S += Copies;
  if (Heap)
    S += "if (__ws_lp) { ";
  S += L + ".__ws_cap = __ws_cap; ";
  std::vector<std::string> Results; // the result lvalues, in piece order
  for (const Capture &C : Task.Captures)
    if (C.Result)
      Results.push_back("(" + access(C.Var, Outer) + ")");
  for (const ItemCapture &E : Task.Elements)
    Results.push_back("(" + itemBase(E, Outer) + "[" +
                      exprText(E.Item->Index, Outer) + "])");
  for (size_t K = 0; K < Results.size(); ++K) {
    std::string R = L + ".__ws_res[" + std::to_string(K) + "]";
    S += R + ".addr = &" + Results[K] + "; " + R + ".size = sizeof " +
         Results[K] + "; ";
  }
  auto SectionStart = [&](const ItemCapture &Sec) {
    return "&" + itemBase(Sec, Outer) + "[__ws_cap.__ws_lo_" +
           Sec.Var->getName().str() + "]";
  };
  for (size_t J = 0; J < Task.Sections.size(); ++J) {
    const ItemCapture &Sec = Task.Sections[J];
    std::string V = Sec.Var->getName().str();
    S += "__builtin_memcpy((unsigned char *)(__ws_lp + 1) + " +
         sectionOffset(Task, J, "__ws_cap.") + ", " + SectionStart(Sec) +
         ", __ws_cap.__ws_n_" + V + " * sizeof " + itemBase(Sec, Outer) +
         "[0]); ";
  }
  std::string Bytes = "sizeof(" + DL + ") - __builtin_offsetof(" + DL +
                      ", __ws_cap)" + (Heap ? " + __ws_sec" : "");
  std::string Whole = "sizeof(" + DL + ")" + (Heap ? " + __ws_sec" : "");
  // libws-mpi refuses (WS_EINVAL) only what it cannot ship; the task then
  // runs as an ordinary one, as it does without the library.
  S += "if (!__ws_mpi_spawn || __ws_mpi_spawn(" + Frame + ", &__ws_dtask_" + N +
       ", &" + L + ".__ws_cap, " + Bytes + ", " + Tier + ", " + L +
       ".__ws_res, " + std::to_string(K) + ") != 0) ws_spawn(" + Frame +
       ", __ws_dlocal_" + N + ", &" + L + ", " + Whole + ", " + Tier + ", " +
       Site + ");";
  if (!Heap)
    return S;
  // No memory for the sections' copies: the task runs here and now, on the
  // arrays themselves (as in the serial elision), its results through a
  // buffer on the stack:
  //   } else { void *__ws_secp[] = { &(w)[__ws_cap.__ws_lo_w], ... };
  //     unsigned char __ws_rb[1 + sizeof (x) ...], *__ws_p = __ws_rb;
  //     __ws_taskb_3(&__ws_cap, __ws_rb, __ws_secp);
  //     __builtin_memcpy(&(x), __ws_p, sizeof (x)); __ws_p += sizeof (x); }
  S += " __builtin_free(__ws_lp); } else { void *__ws_secp[] = { ";
  for (const ItemCapture &Sec : Task.Sections)
    S += "(void *)" + SectionStart(Sec) + ", ";
  S += "}; unsigned char __ws_rb[1";
  for (const std::string &R : Results)
    S += " + sizeof " + R;
  S += "], *__ws_p = __ws_rb; " + bodyName(Task) +
       "(&__ws_cap, __ws_rb, __ws_secp);";
  for (const std::string &R : Results)
    S += " __builtin_memcpy(&" + R + ", __ws_p, sizeof " + R +
         "); __ws_p += sizeof " + R + ";";
  S += " (void)__ws_p; }";
  return S;
}

std::string Outliner::distributedLocals(const Region &Task) const {
  std::string S;
  for (const ItemCapture &E : Task.Elements) {
    QualType Elem = elementType(Ctx, E.Var->getType()).getUnqualifiedType();
    S += " " + declare(Elem, elementName(E)) + " = __ws_c->" + elementName(E) +
         ";";
  }
  for (size_t J = 0; J < Task.Sections.size(); ++J) {
    const ItemCapture &Sec = Task.Sections[J];
    std::string V = Sec.Var->getName().str();
    QualType Elem = elementType(Ctx, Sec.Var->getType());
    // a[j] for j in [lo, lo + len): the pointer is rebased by lo through an
    // integer, so that no out-of-bounds pointer arithmetic is done.
    // The copies follow the captures, or (__ws_secp, the spawner's run
    // when it had no memory for them) __ws_secp[J] is &a[lo] itself.
    S += " " + declare(Ctx.getPointerType(Elem), V) + " = (" +
         declare(Ctx.getPointerType(Elem), "") +
         ")((__UINTPTR_TYPE__)(__ws_secp ? (unsigned char *)__ws_secp[" +
         std::to_string(J) +
         "] : (unsigned char *)__ws_arg + sizeof(struct "
         "__ws_dl_" +
         id(Task) + ") - __builtin_offsetof(struct __ws_dl_" + id(Task) +
         ", __ws_cap) + " + sectionOffset(Task, J, "__ws_c->") +
         ") - __ws_c->__ws_lo_" + V + " * sizeof(" + declare(Elem, "") + "));";
  }
  return S;
}

std::string Outliner::distributedResults(const Region &Task) const {
  // The result pieces one after the other, in the order of the spawn's
  // descriptors (whole variables, then elements).
  std::string S, Off = "0";
  auto Put = [&](const std::string &Name) {
    S += " __builtin_memcpy((unsigned char *)__ws_res + " + Off + ", &" + Name +
         ", sizeof " + Name + ");";
    Off += " + sizeof " + Name;
  };
  for (const Capture &C : Task.Captures)
    if (C.Result)
      Put(C.Var->getName().str());
  for (const ItemCapture &E : Task.Elements)
    Put(elementName(E));
  if (Off == "0")
    S += " (void)__ws_res;";
  return S;
}

std::string Outliner::bodyName(const Region &Task) {
  return "__ws_taskb_" + id(Task);
}

std::string Outliner::distributedLocalRunner(const Region &Task) const {
  // One process: run the task on a buffer, then write each piece at its
  // address (what libws-mpi does for a task that stays on its rank).
  std::string N = id(Task);
  unsigned K = resultCount(Task);
  std::string Size;
  for (const Capture &C : Task.Captures)
    if (C.Result)
      Size += " + sizeof __ws_l->__ws_cap." + C.Var->getName().str();
  for (const ItemCapture &E : Task.Elements)
    Size += " + sizeof __ws_l->__ws_cap." + elementName(E);
  std::string S = "static void __ws_dlocal_" + N +
                  "(void *__ws_arg) { struct __ws_dl_" + N +
                  " *__ws_l = (struct __ws_dl_" + N + " *)__ws_arg;";
  if (K == 0)
    return S + " __ws_task_" + N + "(&__ws_l->__ws_cap, 0); }\n";
  S += " unsigned char __ws_buf[0" + Size +
       "], *__ws_p = __ws_buf; int __ws_k; __ws_task_" + N +
       "(&__ws_l->__ws_cap, __ws_buf); for (__ws_k = 0; __ws_k < " +
       std::to_string(K) +
       "; __ws_k++) { __builtin_memcpy(__ws_l->__ws_res[__ws_k].addr, "
       "__ws_p, __ws_l->__ws_res[__ws_k].size); __ws_p += "
       "__ws_l->__ws_res[__ws_k].size; } }\n";
  return S;
}

bool Outliner::rewriteElementUses(FunctionRegions &FR, Region &Task) {
  // In the body, each result element's array appears only as `a[i]`, its
  // index spelled as in the clause (one of them, when several elements of
  // `a` are results): that is replaced by the element's local copy.  The
  // elements are this task's own (a distributed task: `__ws_r_a`) or those
  // of a distributed task around it that it captured (CaptureAnalyzer:
  // `(*__ws_c->__ws_r_a)` when shared, `__ws_r_a` when copied).  The bodies
  // of tasks nested in this one were done when they were rewritten (first);
  // a use in their clauses would be evaluated here, where `a` is not, and
  // is an error (DistributedElementInTask).
  struct Use {
    const ItemCapture *E;
    std::string Name;    // what replaces a[i]
    const Region *Owner; // the distributed task whose result it is
  };
  bool Ok = true;
  const SourceManager &SM = Src.sm();
  llvm::DenseMap<const VarDecl *, llvm::SmallVector<Use, 2>> ByVar;
  for (const ItemCapture &E : Task.Elements)
    ByVar[E.Var].push_back({&E, elementName(E), &Task});
  for (const Capture &C : Task.Captures)
    if (C.Element) {
      const Region *Owner = Task.EnclosingTask;
      while (Owner &&
             (Owner->Elements.empty() || C.Element < &Owner->Elements.front() ||
              C.Element > &Owner->Elements.back()))
        Owner = Owner->EnclosingTask;
      ByVar[C.Element->Var].push_back(
          {C.Element, accessIn(C.Var, &Task), Owner ? Owner : &Task});
    }
  if (ByVar.empty())
    return true;
  // The task nested in this one whose directive holds Loc (its clauses),
  // or whose body does (Body true), or null.
  auto NestedAt = [&](SourceLocation Loc, bool &Body) -> const Region * {
    if (!Loc.isFileID() || !Src.inMain(Loc))
      return nullptr;
    unsigned Off = Src.offset(Loc);
    for (auto &R : FR.Regions)
      if (R.get() != &Task && R->isTask() && Task.encloses(R->D->TextBegin) &&
          R->D->TextBegin <= Off && Off < R->BodyEnd) {
        Body = R->encloses(Off);
        return R.get();
      }
    return nullptr;
  };
  // A nested task's clause may list `a` (shared(a), firstprivate(a)...):
  // how it gets the element, not a use of `a` here.
  llvm::DenseSet<const Expr *> Listed;
  for (auto &R : FR.Regions)
    if (R.get() != &Task && R->isTask() && R->Marker &&
        Task.encloses(R->D->TextBegin))
      for (size_t I = 0; I < R->D->Vars.size(); ++I)
        if (!R->D->Vars[I].Index.present() && I + 1 < R->Marker->getNumArgs())
          if (const auto *U = dyn_cast<UnaryOperator>(
                  R->Marker->getArg(I + 1)->IgnoreParenImpCasts()))
            Listed.insert(U->getSubExpr()->IgnoreParenImpCasts());
  auto Spelled = [](const ItemCapture &E) {
    return (E.Var->getName() + "[" + E.Item->Index.text() + "]").str();
  };
  auto Report = [&](const DeclRefExpr *DRE, const Use *U, const Region *In) {
    const auto &Uses = ByVar[cast<VarDecl>(DRE->getDecl())];
    const Region *Owner = (U ? U : &Uses.front())->Owner;
    if (In) {
      Diags.report(DRE->getLocation(), Diag::DistributedElementInTask)
          << Spelled(*(U ? U : &Uses.front())->E) << DRE->getDecl()->getName();
      Diags.noteDirective(In->D->Loc, "task");
    } else {
      std::string All;
      for (const Use &I : Uses)
        All += (All.empty() ? "" : "', '") + Spelled(*I.E);
      Diags.report(DRE->getLocation(), Diag::DistributedElementUse)
          << DRE->getDecl()->getName() << All;
    }
    Diags.noteDirective(Owner->D->Loc, "task");
    Ok = false;
  };
  std::function<void(const Stmt *)> Walk = [&](const Stmt *S) {
    if (!S)
      return;
    bool InBody = false;
    const Region *In = nullptr;
    if (const auto *AS = dyn_cast<ArraySubscriptExpr>(S)) {
      const auto *DRE =
          dyn_cast<DeclRefExpr>(AS->getBase()->IgnoreParenImpCasts());
      const auto *VD = DRE ? dyn_cast<VarDecl>(DRE->getDecl()) : nullptr;
      auto It = VD ? ByVar.find(VD) : ByVar.end();
      SourceRange All = AS->getSourceRange();
      if (It != ByVar.end() && All.getBegin().isFileID() &&
          All.getEnd().isFileID() && Src.inMain(All.getBegin())) {
        CharSourceRange Idx =
            CharSourceRange::getTokenRange(AS->getIdx()->getSourceRange());
        std::string Got =
            withoutSpaces(Lexer::getSourceText(Idx, SM, Src.langOpts()));
        for (const Use &U : It->second) {
          if (withoutSpaces(U.E->Item->Index.text()) != Got)
            continue;
          if ((In = NestedAt(DRE->getLocation(), InBody)) && !InBody)
            Report(DRE, &U, In);
          else if (!In)
            RW.ReplaceText(CharSourceRange::getTokenRange(All), U.Name);
          Walk(AS->getIdx());
          return;
        }
      }
    }
    // Any other use of the array: an error, but in the body of a nested
    // task, whose own rewrite reported it.
    if (const auto *DRE = dyn_cast<DeclRefExpr>(S)) {
      const auto *VD = dyn_cast<VarDecl>(DRE->getDecl());
      if (VD && ByVar.count(VD) && !Listed.count(DRE) &&
          (!(In = NestedAt(DRE->getLocation(), InBody)) || !InBody))
        Report(DRE, nullptr, In);
    }
    for (const Stmt *C : S->children())
      Walk(C);
  };
  Walk(Task.Body);
  return Ok;
}

void Outliner::startRanks() {
  // main (in this file) joins the job first: on rank 0 it goes on, the
  // other ranks serve until rank 0's main returns (ws_mpi_init).  A
  // declaration, so that no statement precedes the user's declarations.
  for (const Decl *D : Ctx.getTranslationUnitDecl()->decls()) {
    const auto *FD = dyn_cast<FunctionDecl>(D);
    if (!FD || !FD->isMain() || !FD->doesThisDeclarationHaveABody() ||
        !Src.inMain(FD->getLocation()))
      continue;
    std::string Args = "0, 0";
    if (FD->getNumParams() >= 2 && !FD->getParamDecl(0)->getName().empty() &&
        !FD->getParamDecl(1)->getName().empty())
      Args = "&" + FD->getParamDecl(0)->getName().str() + ", &" +
             FD->getParamDecl(1)->getName().str();
    const auto *Body = cast<CompoundStmt>(FD->getBody());
    RW.InsertTextAfterToken(Body->getLBracLoc(),
                            " __attribute__((unused)) int __ws_mpi_joined = "
                            "__ws_mpi_init ? __ws_mpi_init(" +
                                Args + ") : 0;");
  }
}

} // namespace ws
