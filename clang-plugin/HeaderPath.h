//===- HeaderPath.h - Where ws.h is when the include path lacks it --------===//
#ifndef WS_HEADERPATH_H
#define WS_HEADERPATH_H

#include <string>

namespace ws {

/// The ws.h that a rewrite includes when `<ws.h>` is not on the include path
/// (a compile of preprocessed output, as with -save-temps, has no -I).  It is
/// looked up next to the binary this code runs in (ws-plugin.so or
/// ws-rewrite), by relative paths only, so an installed tree can be moved:
/// the installed layout (bin/ and the plugin directory to include/) and the
/// build tree's (lib/ and bin/ to include/, where the build puts a copy).
/// Without a match it is plain "ws.h", which the compile then reports as
/// not found.
const std::string &headerFallback();

} // namespace ws

#endif
