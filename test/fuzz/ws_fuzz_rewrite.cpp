//===- ws_fuzz_rewrite.cpp - libFuzzer target for the ws rewrite ----------===//
//
// Feeds mutated ws directives, inside small C programs, through the rewrite
// that the plugin and ws-rewrite run (ws::RewriteAction, in process, on an
// in-memory file), and checks three properties:
//
//   1. the rewrite never crashes, asserts or hangs (the sanitizers, the
//      plugin's asserts and libFuzzer's -timeout see to that);
//   2. a rejected input gets at least one error diagnostic located at a line
//      and column of the input file (a rewrite that fails silently, or only
//      with errors nowhere in the file, is a finding);
//   3. an accepted input's rewritten text compiles: it is parsed again by
//      Clang, without the rewrite, with include/ws.h on the include path,
//      and must give no error (broken generated code is a finding).
//
// A finding prints the program, the diagnostics and (for 3) the rewritten
// text, then aborts, so libFuzzer saves the input as crash-<sha1>.
//
// Input format (structure-aware: most inputs reach the clause parser,
// captures, outlining and loop lowering, not just the lexer):
//
//   byte 0        the template: (byte - '0') % NumTemplates, so the seed
//                 files read "3task shared(x)\n..."
//   up to '\n'    the directive line; unless it starts with '#' or '_' it
//                 is prefixed with "#pragma ws "
//   the rest      the statement(s) after the directive, spliced in verbatim
//                 (several lines allowed); if empty, the template's own
//
// WS_FUZZ_VERBOSE=1 in the environment prints every program and its result
// (to look at a saved input: ws_fuzz_rewrite crash-... with it set);
// WS_FUZZ_RECOMPILE=0 leaves property 3 out (the self-test still checks
// that the harness can recompile).
//
// Mutations: half are libFuzzer's byte-level ones (with a dictionary of the
// lit tests' directive words), half grammar-level (LLVMFuzzerCustomMutator):
// another template, directive, clause, statement or variable name, a
// clause dropped, the statement wrapped, #pragma <-> _Pragma.
//
//===----------------------------------------------------------------------===//
#include "RewriteAction.h"

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Basic/FileManager.h"
#include "clang/Basic/SourceManager.h"
#include "clang/Frontend/FrontendActions.h"
#include "clang/Tooling/Tooling.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/VirtualFileSystem.h"
#include "llvm/Support/raw_ostream.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#ifndef WS_FUZZ_INCLUDE_DIR
#error "WS_FUZZ_INCLUDE_DIR must be defined (the directory holding ws.h)"
#endif
#ifndef WS_FUZZ_RESOURCE_DIR
#error "WS_FUZZ_RESOURCE_DIR must be defined (clang -print-resource-dir)"
#endif

using namespace clang;

namespace {

const char *const FileName = "fuzz.c";

// Declarations every template can use; the names are those the lit tests'
// statements use, so that their directives and statements parse here too.
const char *const Prelude = R"(int printf(const char *, ...);
int sink, calls, g[8];
struct point { int x, y; };
static int use(int v) { return sink += v; }
static int work(int v) { return sink += 2 * v; }
static void bump(int v) { sink += v; }
static int level(void) { return sink & 3; }
static const char *ran_at(void) { return "here"; }
long fib(int n);
#define ACC(v) (acc[(v) % 4] += (v))
#define TWICE(e) ((e) + (e))
#define SPAWN(s) _Pragma("ws task") s
)";

// The locals of most templates (scalars, arrays, a VLA, pointers, a struct
// array, a function pointer).
const char *const Locals =
    R"(  int x = 0, y = 0, i = 0, k = 1, t = 0, r = 0, s = 0, u = 0;
  int total = 0, counter = 0, out = 0, found = 0, hits = 0, m = 2, size = 4;
  int a[4] = {1, 2, 3, 4}, acc[4] = {0}, grid[3][3] = {{0}}, b = 0, c = 0;
  long sum = 0, lo = 0, st = 1;
  double d = 0.5, f = 1.0;
  int *p = a, *q = &x;
  int vla[n > 0 ? n : 1];
  struct point pts[4] = {{1, 2}};
  void (*fp)(int) = bump;
  char scratch[16] = "";
)";

struct Template {
  const char *Name;
  const char *Before;   // after the prelude, before the directive line
  const char *Stmt;     // the statement used when the input has none
  const char *After;    // after the statement
  bool UsesLocals;      // Locals go at the end of Before
  const char *SelfTest; // a directive this template must accept
};

// The directive always sits on its own line right after Before.
const Template Templates[] = {
    {"function body", "long f0(int n, int *out_p) {\n@L", "  x += n + a[0];\n",
     "#pragma ws taskwait\n  return x + y + total + sum + *out_p;\n}\n", true,
     "#pragma ws task shared(x) firstprivate(n)"},
    {"recursion",
     "long fib(int n) {\n  long x = 0, y = 0;\n  if (n < 2)\n"
     "    return n;\n",
     "  x = fib(n - 1);\n",
     "  y = fib(n - 2);\n#pragma ws taskwait\n  return x + y;\n}\n", false,
     "#pragma ws task shared(x) final(n < 8) priority(high)"},
    {"inside a task in a taskgroup",
     "int f2(int n) {\n@L#pragma ws taskgroup\n  {\n"
     "#pragma ws task shared(x, total, a)\n    {\n",
     "      total += a[n & 3];\n",
     "    }\n    x++;\n  }\n  return x + total;\n}\n", true,
     "#pragma ws task shared(total)"},
    {"loop body", "int f3(int n) {\n@L  for (i = 0; i < n; i++) {\n",
     "    sum += i;\n",
     "    if (sum > 100)\n      break;\n  }\ndone:\n  return (int)sum + "
     "x;\n}\n",
     true, "#pragma ws task shared(sum) firstprivate(i)"},
    {"body of a while", "int f4(int n) {\n@L  while (n-- > 3)\n",
     "    x += n;\n", "  if (n)\n    x++;\n  return x;\n}\n", true,
     "#pragma ws task shared(x)"},
    {"parallel for", "double f5(int n, double *v) {\n@L",
     "  for (i = 0; i < n; i++)\n    total += a[i & 3] + (int)v[i];\n",
     "  return total + sum + d;\n}\n", true,
     "#pragma ws parallel for reduction(+: total) grainsize(4)"},
    {"switch case", "int f6(int n) {\n@L  switch (n) {\n  case 1:\n",
     "    x = work(n);\n",
     "    break;\n  default:\n    break;\n  }\n"
     "  return x;\n}\n",
     true, "#pragma ws task shared(x)"},
    {"file scope", "", "int gx = 1;\n", "int f7(int n) { return n; }\n", false,
     nullptr},
    {"inside a parallel for body",
     "long f8(int n) {\n@L#pragma ws parallel for reduction(+: sum) shared(a)\n"
     "  for (int j = 0; j < n; j++) {\n",
     "    sum += a[j & 3];\n", "  }\n  return sum;\n}\n", true,
     "#pragma ws task shared(a)"},
    {"VLA and struct parameters",
     "int f9(int n, int m2[4][n], struct point pt) {\n@L",
     "  m2[0][0] = pt.x + n;\n", "  return pt.y;\n}\n", true,
     "#pragma ws task shared(m2) depend(out: m2[0][0])"},
};
constexpr unsigned NumTemplates = sizeof(Templates) / sizeof(Templates[0]);

struct Program {
  std::string Text;
  unsigned Template = 0;
};

Program assemble(unsigned T, llvm::StringRef Directive, llvm::StringRef Stmt) {
  const Template &Tp = Templates[T % NumTemplates];
  std::string Before = Tp.Before;
  size_t At = Before.find("@L");
  if (At != std::string::npos)
    Before.replace(At, 2, Locals);
  Program P;
  P.Template = T % NumTemplates;
  P.Text = std::string(Prelude) + Before;
  if (!Directive.starts_with("#") && !Directive.starts_with("_"))
    P.Text += "#pragma ws ";
  P.Text += Directive.str() + "\n";
  if (Stmt.empty())
    P.Text += Tp.Stmt;
  else
    P.Text += Stmt.str() + "\n";
  P.Text += Tp.After;
  return P;
}

/// What one parse reported.
struct Diag {
  DiagnosticsEngine::Level Level;
  std::string Text;    // "line:col: message" or "<no location>: message"
  bool InFile = false; // located at a line and column of the input file
};

/// Keeps every diagnostic with its location resolved while the source
/// manager of the parse that reported it still exists (the rewrite may
/// parse twice, each time with its own).
class Collect : public DiagnosticConsumer {
public:
  std::vector<Diag> Diags;
  void HandleDiagnostic(DiagnosticsEngine::Level Level,
                        const Diagnostic &Info) override {
    DiagnosticConsumer::HandleDiagnostic(Level, Info);
    Diag D;
    D.Level = Level;
    llvm::SmallString<128> Msg;
    Info.FormatDiagnostic(Msg);
    std::string Where = "<no location>";
    SourceLocation L = Info.getLocation();
    if (L.isValid() && Info.hasSourceManager()) {
      const SourceManager &SM = Info.getSourceManager();
      SourceLocation F = SM.getFileLoc(L);
      bool Invalid = false;
      unsigned Line = SM.getSpellingLineNumber(F, &Invalid);
      unsigned Col = Invalid ? 0 : SM.getSpellingColumnNumber(F, &Invalid);
      if (!Invalid && Line && Col && SM.getFileID(F) == SM.getMainFileID()) {
        D.InFile = true;
        Where = std::to_string(Line) + ":" + std::to_string(Col);
      } else {
        Where = F.printToString(SM);
      }
    }
    const char *Kind = Level >= DiagnosticsEngine::Error     ? "error"
                       : Level == DiagnosticsEngine::Warning ? "warning"
                                                             : "note";
    D.Text = Where + ": " + Kind + ": " + std::string(Msg);
    Diags.push_back(std::move(D));
  }
  bool hasLocatedError() const {
    for (const Diag &D : Diags)
      if (D.Level >= DiagnosticsEngine::Error && D.InFile)
        return true;
    return false;
  }
  bool hasError() const {
    for (const Diag &D : Diags)
      if (D.Level >= DiagnosticsEngine::Error)
        return true;
    return false;
  }
  std::string text() const {
    std::string S;
    for (const Diag &D : Diags)
      S += "  " + D.Text + "\n";
    return S;
  }
};

/// Runs Action on Code as fuzz.c.  With RealFiles the input sees the real
/// file system (for ws.h and Clang's headers) under the in-memory file;
/// without, only fuzz.c exists, so an input's #include cannot read
/// /dev/zero or wait on /dev/stdin.
bool runOn(const std::string &Code, std::unique_ptr<FrontendAction> Action,
           const std::vector<std::string> &Flags, Collect &Diags,
           bool RealFiles) {
  auto Mem = llvm::makeIntrusiveRefCnt<llvm::vfs::InMemoryFileSystem>();
  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> FS = Mem;
  if (RealFiles) {
    auto Overlay = llvm::makeIntrusiveRefCnt<llvm::vfs::OverlayFileSystem>(
        llvm::vfs::getRealFileSystem());
    Overlay->pushOverlay(Mem);
    FS = Overlay;
  }
  Mem->addFile(FileName, 0, llvm::MemoryBuffer::getMemBufferCopy(Code));
  llvm::IntrusiveRefCntPtr<FileManager> Files(
      new FileManager(FileSystemOptions(), FS));
  // (-fno-caret-diagnostics: no "N errors generated" line.)
  std::vector<std::string> Args = {
      "clang", "-fsyntax-only", "-fno-color-diagnostics",
      "-fno-caret-diagnostics", "-resource-dir=" WS_FUZZ_RESOURCE_DIR};
  Args.insert(Args.end(), Flags.begin(), Flags.end());
  Args.push_back(FileName);
  tooling::ToolInvocation Inv(Args, std::move(Action), Files.get());
  Inv.setDiagnosticConsumer(&Diags);
  return Inv.run();
}

struct Outcome {
  bool Called = false; // the rewrite reported a result
  bool Accepted = false;
  std::string Rewritten;
  Collect Diags;
  bool Recompiled = false; // accepted and the text compiled
  Collect RecompileDiags;
};

/// Property 3 is checked unless WS_FUZZ_RECOMPILE=0 (see README.md).
bool Recompile = true;

void rewrite(const Program &P, Outcome &O, bool AlsoRecompile) {
  auto Action = std::make_unique<ws::RewriteAction>(
      [&O](bool Ok, const std::string &Text, llvm::StringRef) {
        O.Called = true;
        O.Accepted = Ok;
        O.Rewritten = Text;
      });
  bool RunOk = runOn(P.Text, std::move(Action), {}, O.Diags,
                     /*RealFiles=*/false);
  // An accepted rewrite with errors reported anyway is a rejection.
  if (!RunOk || O.Diags.hasError())
    O.Accepted = false;
  if (!O.Accepted || !AlsoRecompile)
    return;
  O.Recompiled =
      runOn(O.Rewritten, std::make_unique<SyntaxOnlyAction>(),
            {"-I" WS_FUZZ_INCLUDE_DIR}, O.RecompileDiags, /*RealFiles=*/true) &&
      !O.RecompileDiags.hasError();
}

[[noreturn]] void finding(const char *What, const Program &P,
                          const Outcome &O) {
  llvm::errs() << "ws-fuzz: FINDING: " << What << " (template " << P.Template
               << ", " << Templates[P.Template].Name << ")\n"
               << "---- input program (" << FileName << ") ----\n"
               << P.Text << "---- rewrite diagnostics ----\n"
               << O.Diags.text();
  if (O.Accepted)
    llvm::errs() << "---- rewritten text ----\n"
                 << O.Rewritten << "\n---- its diagnostics ----\n"
                 << O.RecompileDiags.text();
  llvm::errs().flush();
  std::abort();
}

/// Checks the properties on one program; aborts on a finding.
void check(const Program &P, Outcome &O) {
  rewrite(P, O, Recompile);
  if (!O.Accepted && !O.Diags.hasLocatedError())
    finding("rejected without an error at a line and column of the input", P,
            O);
  if (Recompile && O.Accepted && !O.Recompiled)
    finding("the rewritten text does not compile", P, O);
}

bool Verbose = false;
unsigned long Runs = 0, Accepted = 0;

void summary() {
  if (Runs)
    std::fprintf(stderr,
                 "ws-fuzz: %lu programs: %lu rewritten%s, %lu rejected "
                 "with a located error\n",
                 Runs, Accepted,
                 Recompile ? " and recompiled" : " (not recompiled)",
                 Runs - Accepted);
}

/// The harness must reach the rewrite: every template accepts its own
/// directive and a misspelt one is rejected at its line and column, or the
/// run fails at once (a broken harness would otherwise pass by rejecting
/// everything).
void selfTest() {
  for (unsigned T = 0; T < NumTemplates; ++T) {
    Program P = assemble(T,
                         Templates[T].SelfTest ? Templates[T].SelfTest
                                               : "#pragma ws taskwait",
                         "");
    Outcome O;
    rewrite(P, O, /*AlsoRecompile=*/true);
    bool WantOk = Templates[T].SelfTest != nullptr;
    bool Ok = WantOk ? O.Accepted && O.Recompiled &&
                           O.Rewritten.find("ws_") != std::string::npos
                     : !O.Accepted && O.Diags.hasLocatedError();
    if (!Ok) {
      llvm::errs() << "ws-fuzz: self-test failed on template " << T << " ("
                   << Templates[T].Name << "): expected "
                   << (WantOk ? "a rewrite that compiles" : "a located error")
                   << "\n"
                   << P.Text << "---- diagnostics ----\n"
                   << O.Diags.text() << O.RecompileDiags.text()
                   << "---- rewritten ----\n"
                   << O.Rewritten << "\n";
      std::exit(1);
    }
  }
  Program Bad = assemble(0, "tsak shared(x)", "");
  Outcome O;
  rewrite(Bad, O, /*AlsoRecompile=*/true);
  if (O.Accepted || !O.Diags.hasLocatedError()) {
    llvm::errs() << "ws-fuzz: self-test failed: '#pragma ws tsak' was not "
                    "rejected with a located error\n"
                 << O.Diags.text();
    std::exit(1);
  }
  // And the recompile sees errors.
  Collect Broken;
  if (runOn("int f(void) { return ; }\nint x = ;\n",
            std::make_unique<SyntaxOnlyAction>(), {}, Broken,
            /*RealFiles=*/false) ||
      !Broken.hasLocatedError()) {
    llvm::errs() << "ws-fuzz: self-test failed: a broken text compiled\n";
    std::exit(1);
  }
}

// The grammar-level mutations: pieces of the pragma language and of the C
// around it (pragmas.md), so that mutants stay directives and statements
// the rewrite analyses rather than lexer errors.
const char *const Kinds[] = {
    "task",  "taskwait",         "taskgroup",          "parallel for",
    "yield", "cancel taskgroup", "cancellation point", "task untied mergeable"};
const char *const Vars[] = {"x",     "y",      "n",   "i",    "k",   "total",
                            "sum",   "a",      "acc", "grid", "vla", "p",
                            "q",     "pts",    "d",   "f",    "fp",  "scratch",
                            "m2",    "pt",     "v",   "sink", "g",   "counter",
                            "out_p", "nosuch", "lo",  "st",   "r",   "s"};
const char *const Exprs[] = {"n",         "n > 1",    "x + 1",
                             "0",         "1",        "-1",
                             "3",         "level()",  "sizeof a",
                             "n < 2",     "(x = 2)",  "1e30",
                             "\"s\"",     "a[n & 3]", "*p",
                             "fib(n)",    "ACC(n)",   "TWICE(n)",
                             "n ? 1 : 2", "sink",     "9223372036854775807LL",
                             "(char)300", "vla[0]"};
const char *const Depends[] = {
    "x",      "a[i]",         "a[0:n]",    "*p",       "grid[1][2]",
    "vla[0]", "m2[0][n - 1]", "a[1:2], x", "pts[0].x", "acc"};
const char *const Tiers[] = {"critical", "high", "normal", "low", "urgent"};
const char *const Ops[] = {"+", "*",  "-",  "&",   "|",
                           "^", "&&", "||", "min", "max"};
const char *const Stmts[] = {
    "x++;",
    "{ x++; y++; }",
    "for (i = 0; i < n; i++)\n  sum += a[i & 3];",
    "for (int j = n; j > 0; j -= 2)\n  total += j;",
    "for (long j = 0; j <= n; ++j) {\n  acc[j & 3] += (int)j;\n}",
    "for (p = a; p < a + 4; p++)\n  *p += 1;",
    "for (i = 0; i != n; i += k)\n  x += i;",
    "while (i < n)\n  i++;",
    "do x++; while (x < n);",
    "return 1;",
    "break;",
    "continue;",
    "goto done;",
    "{ int z = x; z++; x = z; }",
    "{\n#pragma ws task shared(x)\n  x++;\n}",
    "{\n#pragma ws taskwait\n}",
    "{\n#pragma ws task\n  x++;\n#pragma ws taskwait\n}",
    "ACC(x);",
    "SPAWN(x++;)",
    "vla[0] = n;",
    "if (n)\n  x = 1;\nelse\n  y = 2;",
    "{ lbl: x++; }",
    "switch (n) { case 0: x++; break; default: y++; }",
    "total = TWICE(a[n & 3]);",
    "x = fib(n - 1);",
    "#if 1\n  x++;\n#endif",
    "#line 100\n  x++;",
    "#ifdef NOPE\n  y++;\n#else\n  x++;\n#endif",
    "scratch[0] = 'a';",
    "pts[0].x = *q;",
    "fp(1);",
    "x = ({ int w = 1; w + y; });",
    "{ static int st2; st2 += x; }",
    "{ struct point l = {1, 2}; x = l.x; }",
    "(void)sizeof vla;",
    "grid[1][1] = __LINE__;",
    "printf(\"%s %d\\n\", __func__, n);",
    ";",
    "{}",
};

template <size_t N>
const char *pick(const char *const (&A)[N], std::minstd_rand &R) {
  return A[R() % N];
}

std::string clause(std::minstd_rand &R) {
  std::string V = pick(Vars, R), E = pick(Exprs, R);
  switch (R() % 17) {
  case 0:
    return "shared(" + V + ")";
  case 1:
    return "firstprivate(" + V + ")";
  case 2:
    return "private(" + V + ")";
  case 3:
    return "shared(" + V + ", " + pick(Vars, R) + ")";
  case 4:
    return std::string("default(") +
           (R() % 3 == 0 ? "none"
            : R() % 2    ? "shared"
                         : "firstprivate") +
           ")";
  case 5:
    return std::string("priority(") + (R() % 2 ? pick(Tiers, R) : E.c_str()) +
           ")";
  case 6:
    return "if(" + E + ")";
  case 7:
    return "final(" + E + ")";
  case 8:
    return std::string("depend(") +
           (R() % 3 == 0 ? "in"
            : R() % 2    ? "out"
                         : "inout") +
           ": " + pick(Depends, R) + ")";
  case 9:
    return "name(\"label\")";
  case 10:
    return "timeout(" + E + ")";
  case 11:
    return R() % 2 ? "untied" : "mergeable";
  case 12:
    return "grainsize(" + E + ")";
  case 13:
    return "num_tasks(" + E + ")";
  case 14:
    return std::string("schedule(") +
           (R() % 3 == 0 ? "static"
            : R() % 2    ? "dynamic"
                         : "auto") +
           ")";
  default:
    return std::string("reduction(") + pick(Ops, R) + ": " + V + ")";
  }
}

/// The top-level pieces of a directive line: words, each with the
/// parenthesised group that follows it.
std::vector<std::string> pieces(llvm::StringRef Line) {
  std::vector<std::string> Out;
  size_t I = 0;
  while (I < Line.size()) {
    while (I < Line.size() && Line[I] == ' ')
      ++I;
    size_t B = I;
    int Depth = 0;
    for (; I < Line.size(); ++I) {
      char C = Line[I];
      if (C == '(')
        ++Depth;
      else if (C == ')')
        --Depth;
      else if (C == ' ' && Depth <= 0 &&
               (I + 1 >= Line.size() || Line[I + 1] != '('))
        break;
    }
    if (I > B)
      Out.push_back(Line.slice(B, I).str());
  }
  return Out;
}

std::string join(const std::vector<std::string> &P) {
  std::string S;
  for (const std::string &X : P)
    S += (S.empty() ? "" : " ") + X;
  return S;
}

/// One grammar-level mutation of an input in the format above.
std::string mutate(llvm::StringRef In, std::minstd_rand &R) {
  char T = In.empty() ? '0' : In[0];
  auto [Line, Stmt] = In.drop_front(In.empty() ? 0 : 1).split('\n');
  std::string D = Line.str(), S = Stmt.str();
  bool Raw = Line.starts_with("#") || Line.starts_with("_");
  std::vector<std::string> P = pieces(Raw ? "" : Line);
  switch (R() % 9) {
  case 0: // another template
    T = static_cast<char>('0' + R() % NumTemplates);
    break;
  case 1: // another directive, same clauses
  {
    std::string K = pick(Kinds, R);
    size_t Words =
        P.size() > 1 && P[0] == "parallel"                             ? 2
        : P.size() > 1 && (P[0] == "cancel" || P[0] == "cancellation") ? 2
                                                                       : 1;
    P.erase(P.begin(), P.begin() + std::min(Words, P.size()));
    P.insert(P.begin(), K);
    D = join(P);
    break;
  }
  case 2: // a clause more
  case 3:
    P.insert(P.begin() + (P.empty() ? 0 : 1 + R() % P.size()), clause(R));
    if (P.size() == 1)
      P.insert(P.begin(), pick(Kinds, R));
    D = join(P);
    break;
  case 4: // a clause less
    if (P.size() > 1)
      P.erase(P.begin() + 1 + R() % (P.size() - 1));
    D = join(P);
    break;
  case 5: // another statement
    S = pick(Stmts, R);
    break;
  case 6: // the statement wrapped
    switch (R() % 4) {
    case 0:
      S = "{\n" + S + "\n}";
      break;
    case 1:
      S = "if (n > 2)\n" + S;
      break;
    case 2:
      S = "for (i = 0; i < n; i++)\n" + S;
      break;
    default:
      S = "#pragma ws " + join(P) + "\n" + S;
      break;
    }
    break;
  case 7: // a name replaced by another
  {
    std::string From = pick(Vars, R), To = pick(Vars, R);
    std::string &Where = R() % 2 ? D : S;
    size_t At = Where.find(From);
    if (At != std::string::npos)
      Where.replace(At, From.size(), To);
    break;
  }
  default: // the directive as _Pragma, or back
    if (Raw) {
      llvm::StringRef L(D);
      if (L.consume_front("_Pragma(\"ws ") && L.consume_back("\")"))
        D = L.str();
    } else {
      D = "_Pragma(\"ws " + join(P) + "\")";
    }
    break;
  }
  return std::string(1, T) + D + "\n" + S;
}

} // namespace

extern "C" size_t LLVMFuzzerMutate(uint8_t *Data, size_t Size, size_t MaxSize);

// Half the mutations are grammar-level (above), half libFuzzer's own byte
// mutations, which find what the grammar does not know.
extern "C" size_t LLVMFuzzerCustomMutator(uint8_t *Data, size_t Size,
                                          size_t MaxSize, unsigned Seed) {
  std::minstd_rand R(Seed);
  if (R() % 2)
    return LLVMFuzzerMutate(Data, Size, MaxSize);
  std::string In(reinterpret_cast<char *>(Data), Size);
  for (unsigned N = 1 + R() % 3; N; --N)
    In = mutate(In, R);
  if (In.size() > MaxSize)
    return LLVMFuzzerMutate(Data, Size, MaxSize);
  std::copy(In.begin(), In.end(), Data);
  return In.size();
}

extern "C" int LLVMFuzzerInitialize(int *, char ***) {
  Verbose = std::getenv("WS_FUZZ_VERBOSE") != nullptr;
  const char *R = std::getenv("WS_FUZZ_RECOMPILE");
  Recompile = !R || llvm::StringRef(R) != "0";
  selfTest();
  std::atexit(summary);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  if (Size < 2)
    return -1; // no directive: nothing to learn
  llvm::StringRef In(reinterpret_cast<const char *>(Data) + 1, Size - 1);
  auto [Directive, Stmt] = In.split('\n');
  Program P = assemble(static_cast<uint8_t>(Data[0] - '0'), Directive, Stmt);
  Outcome O;
  check(P, O);
  ++Runs;
  Accepted += O.Accepted;
  if (Verbose) {
    llvm::errs() << "---- template " << P.Template << " ("
                 << Templates[P.Template].Name << ") ----\n"
                 << P.Text << "---- " << (O.Accepted ? "accepted" : "rejected")
                 << " ----\n"
                 << O.Diags.text();
    if (O.Accepted)
      llvm::errs() << O.Rewritten << "\n";
  }
  return 0;
}
