//===- HeaderPath.cpp - Where ws.h is when the include path lacks it ------===//
#include "HeaderPath.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <dlfcn.h>

// Set by clang-plugin/CMakeLists.txt: from the installed bin/ and plugin
// directory to the installed ws.h, e.g. "../include/ws.h" and
// "../../include/ws.h".
#ifndef WS_HEADER_FROM_BINDIR
#error "WS_HEADER_FROM_BINDIR must be defined"
#endif
#ifndef WS_HEADER_FROM_PLUGINDIR
#error "WS_HEADER_FROM_PLUGINDIR must be defined"
#endif

namespace ws {
namespace {

std::string lookUp() {
  // The directories of the binary holding this code: dladdr names the
  // plugin (a shared object); for ws-rewrite (an executable) it may give a
  // bare argv[0], so the main executable's own path is tried as well.
  llvm::SmallVector<std::string, 2> Dirs;
  Dl_info Info;
  if (dladdr(reinterpret_cast<void *>(&lookUp), &Info) && Info.dli_fname) {
    llvm::SmallString<256> Real;
    if (!llvm::sys::fs::real_path(Info.dli_fname, Real))
      Dirs.push_back(llvm::sys::path::parent_path(Real).str());
  }
  std::string Exe = llvm::sys::fs::getMainExecutable(
      nullptr, reinterpret_cast<void *>(&lookUp));
  if (!Exe.empty())
    Dirs.push_back(llvm::sys::path::parent_path(Exe).str());

  for (const std::string &Dir : Dirs)
    for (const char *Rel :
         {WS_HEADER_FROM_PLUGINDIR, WS_HEADER_FROM_BINDIR, "../include/ws.h"}) {
      llvm::SmallString<256> Path(Dir);
      llvm::sys::path::append(Path, Rel);
      llvm::SmallString<256> Real;
      if (!llvm::sys::fs::real_path(Path, Real) &&
          llvm::sys::fs::is_regular_file(Real))
        return std::string(Real);
    }
  return "ws.h";
}

} // namespace

const std::string &headerFallback() {
  static const std::string Path = lookUp();
  return Path;
}

} // namespace ws
