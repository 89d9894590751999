//===- LoopLowering.cpp - The code of a `#pragma ws parallel for` ---------===//
#include "LoopLowering.h"
#include "Diagnostics.h"
#include "Outliner.h"

#include "clang/AST/ASTContext.h"
#include "clang/AST/Decl.h"
#include "clang/AST/Expr.h"
#include "clang/AST/Stmt.h"
#include "clang/Lex/Lexer.h"
#include "clang/Rewrite/Core/Rewriter.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include <functional>

using namespace clang;

namespace ws {
namespace {

std::string hex(uint64_t V) {
  std::string S;
  llvm::raw_string_ostream OS(S);
  OS << llvm::format_hex(V, 18) << "ULL";
  return OS.str();
}

} // namespace

//===----------------------------------------------------------------------===//
// Rewriting
//===----------------------------------------------------------------------===//

bool LoopLowering::rewriteUses(FunctionRegions &FR, Region &R) {
  const LoopInfo *Info = Facts.info(R);
  if (!Info)
    return false;
  const LoopInfo &L = *Info;
  const Region *Task = Facts.enclosingTask(R);
  llvm::DenseSet<const Stmt *> Skip = LoopAnalyzer::nestedBodies(FR, R);
  return O.rewriteCaptureUses(R, L.For->getBody(), Skip, Task);
}

std::string LoopLowering::typeName(QualType T) const {
  return O.declare(T, "");
}

std::string LoopLowering::text(const Expr *E) const {
  // A character range up to the end of the last token: with a token range
  // the Rewriter would add the *original* length of the last token to its
  // rewritten start, and cut a replaced token (`n` -> `(*__ws_c->n)`) short.
  const SourceText &Src = O.Src;
  CharSourceRange Range = Src.sm().getExpansionRange(E->getSourceRange());
  SourceLocation End = Range.isTokenRange()
                           ? Lexer::getLocForEndOfToken(
                                 Range.getEnd(), 0, Src.sm(), Src.langOpts())
                           : Range.getEnd();
  return O.RW.getRewrittenText(
      CharSourceRange::getCharRange(Range.getBegin(), End));
}

std::string LoopLowering::keyOf(QualType C, const std::string &V) const {
  // The order keys of ws_loop_trip_count (include/ws.h).
  if (C->isSignedIntegerOrEnumerationType())
    return "ws_loop_key_signed((int64_t)(" + V + "))";
  return "(uint64_t)(" + V + ")";
}

std::string LoopLowering::scheduleMacro(ScheduleKind K) const {
  const char *Macro = K == ScheduleKind::Static    ? "WS_SCHEDULE_STATIC"
                      : K == ScheduleKind::Dynamic ? "WS_SCHEDULE_DYNAMIC"
                                                   : "WS_SCHEDULE_AUTO";
  const char *Value = K == ScheduleKind::Static    ? "2"
                      : K == ScheduleKind::Dynamic ? "1"
                                                   : "0";
  return O.HaveMacros ? Macro : Value;
}

namespace {

std::string identity(ASTContext &Ctx, const LoopReduction &Red,
                     const std::string &T) {
  const std::string &Op = Red.Op;
  bool Float = Red.Type->isRealFloatingType();
  if (Op == "*" || Op == "&&")
    return "(" + T + ")1";
  if (Op == "&")
    return "(" + T + ")~(" + T + ")0";
  if (Op == "min" || Op == "max") {
    bool Min = Op == "min";
    if (Float) {
      const BuiltinType *BT = Red.Type->getAs<BuiltinType>();
      std::string Inf =
          BT && BT->getKind() == BuiltinType::Float        ? "__builtin_inff()"
          : BT && BT->getKind() == BuiltinType::LongDouble ? "__builtin_infl()"
                                                           : "__builtin_inf()";
      return std::string(Min ? "" : "-") + Inf;
    }
    unsigned W = Ctx.getIntWidth(Red.Type);
    if (Red.Type->isUnsignedIntegerOrEnumerationType() ||
        Red.Type->isBooleanType())
      return Min ? "(" + T + ")~(" + T + ")0" : "(" + T + ")0";
    uint64_t Max = W >= 64 ? INT64_MAX : (UINT64_C(1) << (W - 1)) - 1;
    std::string MaxLit = std::to_string(Max) + "LL";
    return Min ? "(" + T + ")" + MaxLit : "(" + T + ")(-" + MaxLit + " - 1)";
  }
  return "(" + T + ")0";
}

/// `into = into OP from` as C, for the combine function and the final
/// update of the original variable.
std::string combine(const std::string &Op, const std::string &A,
                    const std::string &B) {
  if (Op == "min")
    return A + " = " + B + " < " + A + " ? " + B + " : " + A + ";";
  if (Op == "max")
    return A + " = " + B + " > " + A + " ? " + B + " : " + A + ";";
  std::string COp = Op == "-" ? "+" : Op;
  return A + " = " + A + " " + COp + " " + B + ";";
}

} // namespace

std::string LoopLowering::declarations(Region &R) {
  const LoopInfo *Info = Facts.info(R);
  if (!Info)
    return "";
  const LoopInfo &L = *Info;
  const SourceText &Src = O.Src;
  std::string N = id(R);
  std::string S;
  S += "struct __ws_cap_" + N + " {" + O.Caps.fields(R.Captures);
  if (L.IsPointer)
    S += " " + O.declare(L.VarType, "__ws_base") + ";";
  else
    S += " uint64_t __ws_a;";
  S += " uint64_t __ws_s; };";
  if (!L.Reductions.empty()) {
    std::string Red = "struct __ws_red_" + N;
    S += " " + Red + " {";
    for (const LoopReduction &X : L.Reductions)
      S += " " + O.declare(X.Type, X.Var->getName()) + ";";
    S += " };";
    S += " static void __ws_red_init_" + N + "(void *__ws_p) { " + Red +
         " *__ws_r = (" + Red + " *)__ws_p;";
    for (const LoopReduction &X : L.Reductions)
      S += " __ws_r->" + X.Var->getName().str() + " = " +
           identity(O.Ctx, X, typeName(X.Type)) + ";";
    S += " }";
    S += " static void __ws_red_combine_" + N +
         "(void *__ws_into, const void *__ws_from) { " + Red + " *__ws_a = (" +
         Red + " *)__ws_into; const " + Red + " *__ws_b = (const " + Red +
         " *)__ws_from;";
    for (const LoopReduction &X : L.Reductions) {
      std::string F = X.Var->getName().str();
      S += " " + combine(X.Op, "__ws_a->" + F, "__ws_b->" + F);
    }
    S += " }";
  }
  S += " static void __ws_loop_" + N +
       "(uint64_t __ws_lo, uint64_t __ws_hi, void *__ws_arg, void "
       "*__ws_part);";
  S += siteDeclaration(R, Src);
  return S;
}

std::string LoopLowering::outlined(Region &R, const LoopInfo &L,
                                   const std::string &Body) {
  const SourceText &Src = O.Src;
  std::string N = id(R);
  std::string Var = L.Var->getName().str();
  std::string T = typeName(L.VarType);
  std::string S = "\n" + Src.lineDirectiveAt(R.D->TextBegin);
  S += "static void __ws_loop_" + N +
       "(uint64_t __ws_lo, uint64_t __ws_hi, void *__ws_arg, void "
       "*__ws_part) { struct __ws_cap_" +
       N + " *__ws_c = (struct __ws_cap_" + N + " *)__ws_arg;";
  std::string Red = "struct __ws_red_" + N;
  if (!L.Reductions.empty())
    S += " " + Red + " *__ws_r = (" + Red + " *)__ws_part;";
  for (const LoopReduction &X : L.Reductions)
    S += " " + O.declare(X.Type, X.Var->getName()) + " = __ws_r->" +
         X.Var->getName().str() + ";";
  CaptureLocals Locals = O.Caps.locals(R.Captures);
  S += Locals.Decls;
  if (R.NeedsFrame)
    S += O.frameDecl();
  std::string Next;
  if (L.IsPointer) {
    S += " " + O.declare(L.VarType, "const __ws_base") +
         " = __ws_c->__ws_base; const uint64_t __ws_s = __ws_c->__ws_s;";
    Next = "__ws_base + (ptrdiff_t)(__ws_k * __ws_s)";
  } else {
    S += " const uint64_t __ws_a = __ws_c->__ws_a, __ws_s = __ws_c->__ws_s;";
    Next = "(" + T + ")(__ws_a + __ws_k * __ws_s)";
  }
  S += " uint64_t __ws_k = __ws_lo; " + O.declare(L.VarType, Var) + " = " +
       Next + ";";
  S += Locals.ArrayCopies + Locals.Voids + " (void)" + Var + ";";
  if (L.Reductions.empty())
    S += " (void)__ws_part;";
  // The body in braces of its own, so that what follows it on its last line
  // is not indented as if it were in the loop (Clang's -Wmisleading-
  // indentation on ws-rewrite's output): for (...) {\n BODY } ...
  S += " for (; __ws_k < __ws_hi; __ws_k++, " + Var + " = " + Next + ") {\n";
  unsigned Open = L.BodyBegin - 1; // the header's ')'
  // A body that ends (or starts) inside a conditional group gets the lines
  // that make its groups whole: #if 1 ... BODY ... #endif
  auto [CondBefore, CondAfter] = Src.conditionalFrame(L.BodyBegin, L.BodyEnd);
  S += CondBefore;
  S += Src.lineDirectiveAt(Open);
  S += std::string(Src.column(Open), ' ');
  S += Body;
  S += CondAfter;
  S += " }";
  if (R.NeedsFrame)
    S += " " + O.frameWait(&R);
  for (const LoopReduction &X : L.Reductions)
    S += " __ws_r->" + X.Var->getName().str() + " = " + X.Var->getName().str() +
         ";";
  S += " }\n";
  return S;
}

void LoopLowering::lower(FunctionRegions &FR, Region &R, std::string &Post) {
  (void)FR;
  const LoopInfo *Info = Facts.info(R);
  if (!Info)
    return;
  const LoopInfo &L = *Info;
  const Directive &D = *R.D;
  const SourceText &Src = O.Src;
  const Region *Outer = R.EnclosingTask;
  std::string N = id(R);
  std::string Var = L.Var->getName().str();
  std::string T = typeName(L.VarType);
  std::string C = typeName(L.CmpType);

  // Texts in the enclosing context, taken before this loop's own edits.
  std::string A = text(L.Init), B = text(L.Bound);
  std::string Step = L.Step ? text(L.Step) : "";
  std::string Body = O.RW.getRewrittenText(
      CharSourceRange::getCharRange(Src.loc(L.BodyBegin), Src.loc(L.BodyEnd)));
  Post = outlined(R, L, Body) + Post;

  // 1. Set-up, in place of the directive: A, B, S once, in this order, then
  //    the trip count and the captures.
  std::string I0 = "__ws_init_" + N, B0 = "__ws_b_" + N, S0 = "__ws_s_" + N,
              Neg = "__ws_neg_" + N, Mag = "__ws_mag_" + N,
              Trips = "__ws_trips_" + N, Cap = "__ws_lcap_" + N;
  std::string S = "{ " + O.declare(L.VarType, I0) + " = (" + T + ")(" + A +
                  "); " + O.declare(L.CmpType, B0) + " = (" + C + ")(" + B +
                  ");";
  std::string NegExpr, MagExpr;
  if (L.Step) {
    QualType ST = L.Step->IgnoreImpCasts()->getType().getUnqualifiedType();
    S += " " + O.declare(ST, S0) + " = (" + Step + ");";
    bool Signed = ST->isSignedIntegerOrEnumerationType();
    MagExpr = Signed ? "(" + S0 + " < 0 ? 0 - (uint64_t)(int64_t)" + S0 +
                           " : (uint64_t)" + S0 + ")"
                     : "(uint64_t)" + S0;
    if (L.StepDown)
      NegExpr = S0 + " > 0";
    else
      NegExpr = Signed ? S0 + " < 0" : "0";
  } else {
    MagExpr = "1";
    NegExpr = L.StepDown ? "1" : "0";
  }
  S += " int " + Neg + " = " + NegExpr + "; uint64_t " + Mag + " = " + MagExpr +
       "; uint64_t " + Trips + " = 0;";

  // Keys and the range of the induction variable (docs 4.2, 4.3).
  std::string KeyA, KeyB;
  uint64_t VMin, VMax;
  if (L.IsPointer) {
    // Offsets from the start, as signed keys: 0 for the start itself.
    KeyA = "ws_loop_key_signed(0)";
    KeyB = "ws_loop_key_signed((int64_t)(" + B0 + " - (" + C + ")" + I0 + "))";
    unsigned W = O.Ctx.getTypeSize(O.Ctx.getPointerDiffType());
    uint64_t Half = W >= 64 ? 0 : UINT64_C(1) << (W - 1);
    VMin = W >= 64 ? 0 : UINT64_C(0x8000000000000000) - Half;
    VMax = W >= 64 ? UINT64_MAX : UINT64_C(0x8000000000000000) + Half - 1;
  } else {
    KeyA = keyOf(L.CmpType, "(" + C + ")" + I0);
    KeyB = keyOf(L.CmpType, B0);
    QualType TC = L.VarType.getCanonicalType();
    if (const auto *ET = TC->getAs<EnumType>())
      TC = ET->getDecl()->getIntegerType().getCanonicalType();
    unsigned W = O.Ctx.getIntWidth(TC);
    bool TSigned = TC->isSignedIntegerType();
    bool CSigned = L.CmpType->isSignedIntegerOrEnumerationType();
    uint64_t TMax = TSigned
                        ? (W >= 64 ? INT64_MAX : (UINT64_C(1) << (W - 1)) - 1)
                        : (W >= 64 ? UINT64_MAX : (UINT64_C(1) << W) - 1);
    int64_t TMin =
        TSigned ? (W >= 64 ? INT64_MIN : -(INT64_C(1) << (W - 1))) : 0;
    if (CSigned) {
      VMin = (uint64_t)TMin ^ UINT64_C(0x8000000000000000);
      VMax = TMax ^ UINT64_C(0x8000000000000000);
    } else {
      // Unsigned comparison: a signed T keeps its order only from 0 up.
      VMin = 0;
      VMax = TMax;
    }
  }
  //   int __ws_ok_N = ws_loop_trip_count(KEY(A), KEY(B), WS_LOOP_LT,
  //                                      neg, mag, vmin, vmax, &trips);
  static const char *OpNames[] = {"WS_LOOP_LT", "WS_LOOP_LE", "WS_LOOP_GT",
                                  "WS_LOOP_GE", "WS_LOOP_NE"};
  std::string Op = O.HaveMacros ? OpNames[L.Op] : std::to_string(L.Op);
  S += " int __ws_ok_" + N + " = ws_loop_trip_count(" + KeyA + ", " + KeyB +
       ", " + Op + ", " + Neg + ", " + Mag + ", " + hex(VMin) + ", " +
       hex(VMax) + ", &" + Trips + ");";

  // The captures (also used by the serial path, through __ws_c).
  S += " struct __ws_cap_" + N + " " + Cap + " = {";
  CaptureInit Built = O.Caps.init(R.Captures, Outer, Cap);
  for (const std::string &Item : Built.Designators)
    S += " " + Item + ",";
  if (L.IsPointer)
    S += " .__ws_base = " + I0 + ",";
  else
    S += std::string(" .__ws_a = (uint64_t)") +
         (L.VarType->isSignedIntegerOrEnumerationType() ? "(int64_t)" : "") +
         I0 + ",";
  S += " .__ws_s = " + Neg + " ? 0 - " + Mag + " : " + Mag + " };";
  for (const std::string &Copy : Built.ArrayCopies)
    S += " " + Copy + ";";
  // The function's own private variables may be unused now that the body
  // has private copies.
  for (const std::string &Private : Built.Privates)
    S += " (void)" + Private + ";";

  // 2. The serial path: the original loop, with the same names as in the
  //    outlined body.
  std::string IfText =
      D.If.present() ? " || !(" + O.exprText(D.If, Outer) + ")" : "";
  S += " if (!__ws_ok_" + N + " || " + Trips + " == 0" + IfText + ") {";
  if (R.NeedsFrame)
    S += O.frameDecl();
  std::string AfterSerial;
  // An induction variable or reduction variable that the enclosing task
  // shares: the serial loop runs on a local of the same name (its uses in
  // the loop kept their names), then stores it back.
  //   { T i = (*__ws_c->i); for (i = ...) ...; (*__ws_c->i) = i; }
  if (!L.DeclaredInLoop && O.access(L.Var, Outer) != Var) {
    S += " " + O.declare(L.VarType, Var) + " = " + O.access(L.Var, Outer) + ";";
    AfterSerial += " " + O.access(L.Var, Outer) + " = " + Var + ";";
  }
  for (const LoopReduction &X : L.Reductions) {
    std::string Name = X.Var->getName().str();
    std::string Acc = O.access(X.Var, Outer);
    if (Acc != Name) {
      S += " " + O.declare(X.Type, Name) + " = " + Acc + ";";
      AfterSerial += " " + Acc + " = " + Name + ";";
    }
  }
  // Keep every following line where it was (a directive continued with
  // backslashes spans several lines).
  S += std::string(Src.text().slice(D.TextBegin, D.TextEnd).count('\n'), '\n');
  O.RW.ReplaceText(
      CharSourceRange::getCharRange(Src.loc(D.TextBegin), Src.loc(D.TextEnd)),
      S);

  std::string Open = " { struct __ws_cap_" + N + " *__ws_c = &" + Cap + ";";
  CaptureLocals Serial = O.Caps.locals(R.Captures);
  Open += Serial.Decls + Serial.ArrayCopies + Serial.Voids + " (void)__ws_c;";
  O.RW.InsertTextAfter(Src.loc(L.BodyBegin), Open);

  // 3. The parallel path.
  std::string Close = " }";
  if (R.NeedsFrame)
    Close += " " + O.frameWait(&R);
  Close += AfterSerial + " } else {";
  std::string Grain = "0", NumTasks = "0";
  if (D.Grainsize.present()) {
    Close += " long long __ws_g_" + N + " = (long long)(" +
             O.exprText(D.Grainsize, Outer) + ");";
    Grain = "__ws_g_" + N + " > 0 ? (uint64_t)__ws_g_" + N + " : 0";
  }
  if (D.NumTasks.present()) {
    Close += " long long __ws_n_" + N + " = (long long)(" +
             O.exprText(D.NumTasks, Outer) + ");";
    NumTasks = "__ws_n_" + N + " > 0 ? (uint64_t)__ws_n_" + N + " : 0";
  }
  std::string PrioDecl;
  std::string Tier = O.tier(R, Outer, PrioDecl);
  if (!PrioDecl.empty())
    Close += " " + PrioDecl.substr(0, PrioDecl.size() - 1);
  std::string Red = "struct __ws_red_" + N, RedVar = "__ws_red_" + N;
  bool HasRed = !L.Reductions.empty();
  if (HasRed)
    Close += " " + Red + " " + RedVar + ";";
  Close += " ws_loop __ws_l_" + N + " = { .trips = " + Trips +
           ", .grainsize = " + Grain + ", .num_tasks = " + NumTasks +
           ", .schedule = " + scheduleMacro(D.Schedule) + ", .tier = " + Tier +
           ", .site = &__ws_site_" + N + ", .body = __ws_loop_" + N +
           ", .captures = &" + Cap;
  if (HasRed)
    Close += ", .red_size = sizeof(" + Red + "), .red_init = __ws_red_init_" +
             N + ", .red_combine = __ws_red_combine_" + N + " };";
  else
    Close += ", .red_size = 0, .red_init = 0, .red_combine = 0 };";
  Close += " (void)ws_parallel_for(&__ws_l_" + N + ", " +
           (HasRed ? "&" + RedVar : std::string("0")) + ");";
  for (const LoopReduction &X : L.Reductions)
    Close += " " + combine(X.Op, O.access(X.Var, Outer),
                           RedVar + "." + X.Var->getName().str());
  if (!L.DeclaredInLoop) {
    // The exit value the serial loop would leave (docs 4.4).
    std::string Acc = O.access(L.Var, Outer);
    if (L.IsPointer)
      Close += " " + Acc + " = " + Cap + ".__ws_base + (ptrdiff_t)(" + Trips +
               " * " + Cap + ".__ws_s);";
    else
      Close += " " + Acc + " = (" + T + ")(" + Cap + ".__ws_a + " + Trips +
               " * " + Cap + ".__ws_s);";
  }
  Close += " } }";
  O.RW.InsertTextAfter(Src.loc(L.BodyEnd), Close);
}

} // namespace ws
